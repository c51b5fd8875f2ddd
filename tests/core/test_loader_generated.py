"""Generated course files (tests/strategies.py) of every shape load: the strategy only makes valid courses, and the
loader accepts every course the spec allows."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings

from bot.core.loader import ScheduleError, load_text
from bot.core.model import Course
from tests.strategies import ZONES, course_texts, courses

GENERATED = settings(max_examples=60, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@GENERATED
@given(text=course_texts())
def test_every_generated_file_loads_without_problems_or_warnings(text: str) -> None:
    """A generated file loads: no ScheduleError, no warning."""
    try:
        loaded = load_text(text, "generated.yaml")
    except ScheduleError as exc:  # pragma: no cover - the message is the useful part of a failure
        raise AssertionError("\n".join(str(p) for p in exc.problems) + "\n\n" + text) from None
    assert loaded.warnings == (), [str(w) for w in loaded.warnings]


@GENERATED
@given(text=course_texts(odd=True))
def test_odd_generated_files_load_with_at_most_warnings(text: str) -> None:
    """With classes in breaks and off the meeting days, a generated file still loads; only warnings may appear."""
    loaded = load_text(text, "generated.yaml")
    assert all(w.line for w in loaded.warnings)


@GENERATED
@given(course=courses())
def test_a_generated_course_is_consistent(course: Course) -> None:
    """The loaded course keeps the rules the loader enforces: sessions in order inside the term, unique ids."""
    dates = [s.date for s in course.sessions]
    assert course.sessions and dates == sorted(set(dates))
    assert all(course.first_day <= d <= course.last_day <= course.end for d in dates)
    ids = [d.id for d in course.deadlines] + [e.id for e in course.exams]
    assert len(ids) == len(set(ids))
    assert all(course.first_day <= d.due <= course.end for d in course.deadlines)
    assert all(h.weekday == day.weekday() for h in course.office_hours for day in h.skip)
    assert str(course.timezone) in ZONES


def test_the_strategy_draws_every_shape() -> None:
    """Over 150 draws, each shape the spec allows appears at least once (the strategy is not narrow)."""
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(course=courses())
    def record(course: Course) -> None:
        offset = course.timezone.utcoffset(dt.datetime.combine(course.first_day, dt.time(12)))
        shapes = {
            "meetings list": len(course.meetings) > 1, "one pattern": len(course.meetings) == 1,
            "class times": course.class_start is not None, "no class times": course.class_start is None,
            "breaks": bool(course.breaks), "office hours": bool(course.office_hours),
            "skip dates": any(h.skip for h in course.office_hours), "links": bool(course.links),
            "critiques": course.has_critiques, "no critiques": not course.has_critiques,
            "project": course.project is not None, "exams": bool(course.exams),
            "exam in class": any(s.is_exam for s in course.sessions),
            "cancelled": any(s.cancelled for s in course.sessions), "staff": bool(course.staff),
            "make-up class": any(s.start is not None and course.meeting_for(s.date) is None for s in course.sessions),
            "timed deadline": any(d.time is not None for d in course.deadlines),
            "deadline at the end of the day": any(d.time is None for d in course.deadlines),
            "term_end": course.term_end is not None, "southern or half-hour zone": str(course.timezone) in (
                "Australia/Sydney", "Pacific/Auckland", "Asia/Kolkata", "America/St_Johns"),
            "behind UTC": offset is not None and offset < dt.timedelta(0),
        } | {f"deadline kind {d.kind}": True for d in course.deadlines}
        seen.update(name for name, present in shapes.items() if present)

    record()
    expected = {"meetings list", "one pattern", "class times", "no class times", "breaks", "office hours",
                "skip dates", "links", "critiques", "no critiques", "project", "exams", "exam in class", "cancelled",
                "staff", "make-up class", "timed deadline", "deadline at the end of the day", "term_end",
                "southern or half-hour zone", "behind UTC", "deadline kind homework", "deadline kind quiz",
                "deadline kind project", "deadline kind other"}
    assert expected <= seen, expected - seen
