"""bot/core/expiry.py: an answer to /readings or /next reads the same at every instant before `reads_the_same_until`.

The property is checked on generated courses of every shape, for every kind of date a student types, at instants
all over the term and close before the instants it names (where the minutes left are rounded); the examples then
pin the boundaries (a half minute, a local midnight, a clock change, an instant the course names).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import queries
from bot.core.dates import QueryError
from bot.core.expiry import INSTANT, course_instants, reads_the_same_until
from bot.core.loader import load_course, load_text
from bot.core.model import Course
from tests.conftest import COURSES, DS_SCHEDULE
from tests.strategies import courses

UTC = dt.timezone.utc
PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def answer(course: Course, query: str | None, now: dt.datetime) -> object:
    try:
        return queries.readings(course, query, now)
    except QueryError as exc:
        return f"QueryError: {exc}"


def queries_for(course: Course, draw: st.DrawFn, now: dt.datetime) -> list[str | None]:
    """Relative words, a class anywhere, and every class and deadline day within two days of `now`."""
    session = draw(st.sampled_from(course.sessions))
    found: list[str | None] = [None, "next", "today", "tomorrow", "yesterday", "last", "friday",
                               f"{session.date.month}/{session.date.day}", session.date.isoformat(),
                               f"#{session.number}"]
    today = now.astimezone(course.timezone).date()
    near = {s.date for s in course.sessions} | {d.due for d in course.deadlines}
    found += sorted(f"{day.month}/{day.day}" for day in near if abs((day - today).days) <= 2)
    if course.exams:
        found.append(draw(st.sampled_from(course.exams)).date.isoformat())
    if course.breaks:
        found.append(f"{course.breaks[0].start.month}/{course.breaks[0].start.day}")
    return found


@st.composite
def instants_in(draw: st.DrawFn, course: Course) -> dt.datetime:
    """Anywhere around the term, or within 13 hours before an instant the course names."""
    named = course_instants(course)
    if named and draw(st.integers(0, 3)):
        before = draw(st.one_of(st.integers(0, 120 * 10**6), st.integers(0, 13 * 3600 * 10**6)))
        return draw(st.sampled_from(named)) - dt.timedelta(microseconds=before)
    first = dt.datetime.combine(course.first_day - dt.timedelta(days=3), dt.time(0), UTC)
    span = (course.last_day - course.first_day).days + 7
    return first + dt.timedelta(microseconds=draw(st.integers(0, span * 86400 * 10**6)))


FROZEN = [load_course(DS_SCHEDULE), *(load_course(COURSES / f"{name}.yaml") for name in ("ml_at_scale",
                                                                                      "data_analysis"))]


@PROPERTY
@given(course=st.one_of(st.sampled_from(FROZEN), courses()), data=st.data())
def test_every_answer_reads_the_same_until_the_instant_it_is_good_for(course: Course, data: st.DataObject) -> None:
    instants = course_instants(course)
    now = data.draw(instants_in(course), label="now")
    until = reads_the_same_until(course, instants, now)
    assert until > now
    later = [until - INSTANT, now + (until - now) * data.draw(st.floats(0, 1), label="fraction")]
    for query in queries_for(course, data.draw, now):
        made = answer(course, query, now)
        for t in later:
            t = min(max(t, now), until - INSTANT)
            assert answer(course, query, t) == made, (query, now, t, until)


@pytest.fixture(scope="module")
def ds() -> Course:
    return load_course(DS_SCHEDULE)


def first_change(course: Course, query: str | None, now: dt.datetime, steps: int) -> dt.datetime | None:
    """The first whole second after `now` (scanning `steps` of them) at which the answer reads differently."""
    made = answer(course, query, now)
    start = now.replace(microsecond=0)
    for k in range(1, steps):
        t = start + dt.timedelta(seconds=k)
        if answer(course, query, t) != made:
            return t
    return None


@pytest.mark.parametrize("before_due", [dt.timedelta(minutes=5, seconds=10), dt.timedelta(minutes=5, seconds=40),
                                        dt.timedelta(seconds=20), dt.timedelta(hours=11, minutes=59, seconds=50)])
def test_close_to_a_deadline_the_answer_is_good_until_its_minutes_left_turn(ds: Course, before_due) -> None:
    """Homework due in "5 min" turns to "4 min" at a half minute, to "now" at a whole minute: the answer is good
    until the next half minute, and reads differently by the one after at the latest."""
    due = ds.due_at(ds.deadline("hw1"))
    now = due - before_due + dt.timedelta(microseconds=3)
    until = reads_the_same_until(ds, course_instants(ds), now)
    assert "hw1" in str(answer(ds, "next", now))
    changed = first_change(ds, "next", now, 120)
    assert changed is not None and until <= changed <= until + dt.timedelta(seconds=30)


def test_a_deadline_coming_within_12_hours_ends_the_answer(ds: Course) -> None:
    """13 hours before homework due at 23:59 it is due "today"; 12 hours before, "in 12 h": the answer made at 13
    hours is good until then, not until the deadline or midnight."""
    due = ds.due_at(ds.deadline("hw1"))
    now = due - dt.timedelta(hours=13) + dt.timedelta(microseconds=3)
    until = reads_the_same_until(ds, course_instants(ds), now)
    assert until <= due - dt.timedelta(hours=12)
    changed = first_change(ds, "next", now, 2 * 3600)
    assert changed is not None and until <= changed <= until + dt.timedelta(seconds=30)


def test_far_from_anything_the_answer_is_good_until_local_midnight(ds: Course) -> None:
    """In a break week nothing the course names is near: the answer holds until the day changes where the course
    is, not where the server is."""
    instants = course_instants(ds)
    later = [t for t in instants if t > dt.datetime.combine(ds.first_day, dt.time(0), UTC)]
    gaps = [(b - a, a) for a, b in zip(later, later[1:], strict=False)]
    _, before_gap = max(gaps)
    now = before_gap + dt.timedelta(hours=13, seconds=7)
    until = reads_the_same_until(ds, instants, now)
    local = until.astimezone(ds.timezone)
    assert (local.hour, local.minute, local.second) == (0, 0, 0) and local.date() > now.astimezone(ds.timezone).date()


def test_made_exactly_on_a_whole_or_half_minute_it_is_good_for_that_instant_only(ds: Course) -> None:
    instants = course_instants(ds)
    for now in (instants[5], instants[5] - dt.timedelta(minutes=3, seconds=30)):
        assert reads_the_same_until(ds, instants, now) == now + INSTANT


def test_a_course_in_a_zone_offset_by_seconds_keeps_no_answer(ds: Course) -> None:
    """Before 1883 New York kept local mean time (-4:56:02): its instants are no whole minutes, so the rule does
    not hold and every answer is made afresh."""
    import dataclasses

    old = dataclasses.replace(ds, sessions=tuple(dataclasses.replace(s, date=s.date.replace(year=1850))
                                                 for s in ds.sessions), timezone=ZoneInfo("America/New_York"))
    assert course_instants(old) is None
    now = dt.datetime(1850, 2, 3, 12, 0, 7, tzinfo=UTC)
    assert reads_the_same_until(old, None, now) == now + INSTANT


@pytest.mark.parametrize("zone, day", [("America/Sao_Paulo", dt.date(2018, 11, 3)),   # midnight skipped
                                       ("America/Havana", dt.date(2024, 11, 2))])      # 01:00 repeated
def test_a_midnight_a_clock_change_moves_is_still_a_new_day(ds: Course, zone: str, day: dt.date) -> None:
    import dataclasses

    course = dataclasses.replace(ds, timezone=ZoneInfo(zone))
    now = dt.datetime.combine(day, dt.time(22, 0, 7), ZoneInfo(zone))
    until = reads_the_same_until(course, (), now)
    assert now < until and (until - INSTANT).astimezone(course.timezone).date() == day
    assert until.astimezone(course.timezone).date() > day or until - now <= dt.timedelta(hours=2)


def _two_day_course(zone: str, first: dt.date, last: dt.date, days: list[dt.date], extra: str = "") -> Course:
    sessions = "\n".join(f"  - number: {i + 1}\n    date: {d}\n    topic: T{i + 1}" for i, d in enumerate(days))
    return load_text(f"""course:
  title: X
  instructor: Y
  term: Fall
  first_day: {first}
  last_day: {last}
  timezone: {zone}
  meeting_days: [Mon, Wed]
  class_start: "10:00"
  class_end: "11:15"
sessions:
{sessions}
{extra}""").course


def test_a_day_that_goes_back_at_a_clock_change_keeps_no_answer() -> None:
    """St John's put its clocks back at 00:01 until 2010: a minute after midnight it was the day before again, so an
    answer made just after midnight is good for that instant only (found by a reviewer's search)."""
    days = [dt.date(2010, 11, d) for d in (1, 3, 8, 10)]
    course = _two_day_course("America/St_Johns", days[0], days[-1], days)
    now = dt.datetime(2010, 11, 7, 2, 30, 20, 500000, tzinfo=UTC)
    later = dt.datetime(2010, 11, 7, 2, 31, 30, tzinfo=UTC)
    assert answer(course, "today", later) != answer(course, "today", now)
    assert reads_the_same_until(course, course_instants(course), now) <= later


@pytest.mark.parametrize("zone, day", [("America/Santiago", dt.date(2025, 9, 6)),
                                       ("Africa/Cairo", dt.date(2025, 4, 24)), ("Pacific/Apia", dt.date(2011, 12, 29))])
def test_before_a_midnight_a_clock_change_skips_the_answer_holds_until_the_day_changes(zone: str, day: dt.date) -> None:
    days = [day - dt.timedelta(days=20), day + dt.timedelta(days=20)]
    course = _two_day_course(zone, days[0], days[1], days)
    now = dt.datetime.combine(day, dt.time(23, 30, 7) if zone != "Pacific/Apia" else dt.time(12, 0, 7), ZoneInfo(zone))
    until = reads_the_same_until(course, course_instants(course), now)
    assert now < until
    assert (until - INSTANT).astimezone(course.timezone).date() == day < until.astimezone(course.timezone).date()
    for query in (None, "today", "tomorrow"):
        assert answer(course, query, until - INSTANT) == answer(course, query, now)


def test_a_course_ending_on_the_last_day_python_knows_keeps_no_answer_rather_than_failing() -> None:
    last = dt.date(9999, 12, 31)
    course = _two_day_course("America/Los_Angeles", dt.date(9999, 12, 1), last, [dt.date(9999, 12, 1), last],
                             "deadlines:\n  - id: hw\n    title: Last\n    kind: homework\n    due: 9999-12-31 23:59\n")
    instants = course_instants(course)  # the deadline is in year 10000 in UTC
    assert instants is None
    now = dt.datetime(9999, 12, 31, 12, 0, 7, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert reads_the_same_until(course, instants, now) == now.astimezone(UTC) + INSTANT
