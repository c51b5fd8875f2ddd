"""The Discord events a course wants: classes, exams and office hours ahead, soonest first, at most 50."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.core.changes import Cancel, Change, Move, apply_change
from bot.core.events import MAX_OURS, wanted_events
from bot.core.model import Course
from tests.conftest import course_at


def by_key(course: Course, now: dt.datetime, days: int = 14):
    return {p.key: p for p in wanted_events(course, now, days)}


def test_classes_exams_and_office_hours_of_the_next_two_weeks(ds_course: Course) -> None:
    now = course_at(ds_course, 2025, 2, 10, 9)  # Mon Feb 10; Feb 17 is skipped (Presidents' Day)
    plans = wanted_events(ds_course, now, 14)
    starts = [p.start for p in plans]
    assert starts == sorted(starts) and all(now < s <= now + dt.timedelta(days=14) for s in starts)
    classes = [p for p in plans if p.key.startswith("class-") and not p.cancelled]
    assert [p.start.date() for p in classes] == [dt.date(2025, 2, d) for d in (13, 18, 20)]  # Feb 11 is cancelled
    first = classes[0]
    assert (first.start.time(), first.end.time(), first.location) == (dt.time(14), dt.time(15, 15), "Gates Center G20")
    assert first.start.tzinfo is not None and first.name.startswith("Class ")
    okafor = sorted(p.start.date() for p in plans if p.name == "Office hours: Prof. Ada Okafor")
    assert okafor == [dt.date(2025, 2, 10)]  # Feb 17 skipped; Feb 24 is past the two weeks
    assert all(p.location for p in plans) and all(len(p.name) <= 100 for p in plans)


def test_the_final_exam_is_an_event_with_its_room(ds_course: Course) -> None:
    plans = by_key(ds_course, course_at(ds_course, 2025, 5, 1, 9))
    final = plans["exam-final"]
    assert final.start == course_at(ds_course, 2025, 5, 7, 14, 30)
    assert final.end == course_at(ds_course, 2025, 5, 7, 16, 20)
    assert final.location == "Kane Hall 130" and "Closed book" in final.description


def test_office_hours_skip_breaks_and_skip_dates(ds_course: Course) -> None:
    plans = wanted_events(ds_course, course_at(ds_course, 2025, 2, 9, 9), 50)
    days = {p.start.date() for p in plans if p.key.startswith("office-hours-")}
    assert dt.date(2025, 2, 17) not in days  # Okafor's skip date
    assert not {d for d in days if dt.date(2025, 3, 24) <= d <= dt.date(2025, 3, 28)}  # spring break
    assert dt.date(2025, 2, 10) in days and dt.date(2025, 2, 12) in days


def test_a_course_without_class_times_has_no_class_events(course: Course) -> None:
    plans = wanted_events(course, course_at(course, 2024, 9, 16, 9), 14)
    assert not [p for p in plans if p.key.startswith("class-")]


def test_a_cancelled_class_is_marked_and_does_not_count_towards_the_limit(ds_course: Course) -> None:
    now = course_at(ds_course, 2025, 2, 10, 9)
    after = apply_change(ds_course, Change(Cancel(dt.date(2025, 2, 13), "Snow day")))
    plans = by_key(after, now)
    cancelled = [p for p in plans.values() if p.cancelled]
    assert [p.start.date() for p in cancelled] == [dt.date(2025, 2, 11), dt.date(2025, 2, 13)]
    assert "Snow day" in cancelled[1].description and cancelled[1].name.startswith("CANCELLED")
    many = wanted_events(after, now, 90, limit=3)
    assert len([p for p in many if not p.cancelled]) == 3 and any(p.cancelled for p in many)


def test_at_most_fifty_soonest_first(ds_course: Course) -> None:
    plans = [p for p in wanted_events(ds_course, course_at(ds_course, 2025, 1, 20, 9), 90) if not p.cancelled]
    assert len(plans) == MAX_OURS
    everything = wanted_events(ds_course, course_at(ds_course, 2025, 1, 20, 9), 90, limit=1000)
    assert plans == [p for p in everything if not p.cancelled][:MAX_OURS] and len(everything) > MAX_OURS + 5


def test_a_moved_class_keeps_its_key_and_changes_its_fingerprint(ds_course: Course) -> None:
    now = course_at(ds_course, 2025, 2, 10, 9)
    before = by_key(ds_course, now)
    moved = apply_change(ds_course, Change(Move(dt.date(2025, 2, 13), dt.date(2025, 2, 14))))
    after = by_key(moved, now)
    key = next(k for k, p in before.items() if p.start.date() == dt.date(2025, 2, 13))
    assert after[key].start.date() == dt.date(2025, 2, 14)
    assert after[key].fingerprint != before[key].fingerprint
    same = {k for k in before if k in after and before[k] == after[k]}
    assert all(before[k].fingerprint == after[k].fingerprint for k in same)


def test_long_names_and_places_are_clipped_to_discords_limits(ds_course: Course) -> None:
    session = ds_course.sessions[10]
    long = dataclasses.replace(session, topic="T" * 300, room="R" * 300)
    course = dataclasses.replace(ds_course, sessions=tuple(long if s is session else s for s in ds_course.sessions))
    plan = by_key(course, course_at(course, session.date.year, session.date.month, session.date.day) -
                  dt.timedelta(days=1))[f"class-{session.number}"]
    assert len(plan.name) == 100 and plan.name.endswith("…") and len(plan.location) == 100


def test_office_hours_keep_their_keys_when_one_is_added_above(ds_course: Course) -> None:
    """Keys name the hour, not its place in the list: a new first entry does not rename the others' events."""
    now = course_at(ds_course, 2025, 2, 10, 9)
    extra = dataclasses.replace(ds_course.office_hours[0], who="New TA", start=dt.time(8), end=dt.time(9))
    more = dataclasses.replace(ds_course, office_hours=(extra, *ds_course.office_hours))
    before = {k for k in by_key(ds_course, now) if k.startswith("office-hours-")}
    after = {k for k in by_key(more, now) if k.startswith("office-hours-")}
    assert before < after and len(after - before) == 1
