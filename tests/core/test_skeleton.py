"""A new term's skeleton and the roll-over of an old course: right dates, valid files, clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.loader import load_text
from bot.core.rollover import roll
from bot.core.skeleton import PlanError, class_days, parse_plan, skeleton_text

ROOT = Path(__file__).resolve().parents[2]
DS_TEXT = (ROOT / "examples" / "distributed-systems.yaml").read_text(encoding="utf-8")
SPRING = {"title": "Distributed Systems", "code": "CS 452", "term": "Spring 2026", "first": "2026-01-20",
          "last": "2026-04-30", "timezone": "America/Los_Angeles", "days": "Tue,Thu", "start": "14:00",
          "end": "15:15", "room": "Gates: G20", "breaks": ["Spring break:2026-03-23:2026-03-27"]}


def test_tue_thu_term_with_a_break_has_the_right_dates() -> None:
    """Tuesdays and Thursdays from Jan 20 to Apr 30 2026, the spring-break week left out: 28 classes."""
    days = class_days(parse_plan(SPRING))
    assert days[:3] == [dt.date(2026, 1, 20), dt.date(2026, 1, 22), dt.date(2026, 1, 27)]
    assert dt.date(2026, 3, 19) in days and dt.date(2026, 3, 31) in days
    assert dt.date(2026, 3, 24) not in days and dt.date(2026, 3, 26) not in days
    assert days[-1] == dt.date(2026, 4, 30) and len(days) == 28
    assert {d.weekday() for d in days} == {1, 3}


def test_skeleton_loads_without_problems_or_warnings() -> None:
    """The skeleton is a valid course: numbered 1..n, no topics, the times, room and break as given."""
    loaded = load_text(skeleton_text(parse_plan(SPRING)))
    course = loaded.course
    assert loaded.warnings == ()
    assert [s.number for s in course.sessions] == list(range(1, 29))
    assert all(s.topic is None for s in course.sessions)
    assert course.class_start == dt.time(14, 0) and course.room == "Gates: G20" and course.code == "CS 452"
    assert course.breaks[0].name == "Spring break" and course.instructor == "TBA"


def test_skeleton_comments_the_weekday_and_the_break() -> None:
    """Each date says its weekday; the break is noted where it falls."""
    text = skeleton_text(parse_plan(SPRING))
    assert "date: 2026-01-20  # Tue" in text
    assert text.index("# Spring break: no classes") < text.index("date: 2026-03-31")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/London", "UTC"])
def test_time_zone_does_not_change_the_dates(zone: str) -> None:
    """Class days are calendar dates: across a DST change (Mar 8 2026 in the US) and any zone they are the same."""
    plan = parse_plan({**SPRING, "timezone": zone})
    course = load_text(skeleton_text(plan)).course
    assert [s.date for s in course.sessions] == class_days(parse_plan(SPRING))


def test_several_meeting_patterns_write_a_meetings_list() -> None:
    """A plan with a lecture and a Friday section writes `meetings`, and Fridays are class days too."""
    from dataclasses import replace

    from bot.core.skeleton import MeetingPlan

    plan = parse_plan(SPRING)
    plan = replace(plan, meetings=plan.meetings + (MeetingPlan((4,), dt.time(10, 30), None, "CSE2", "section"),))
    course = load_text(skeleton_text(plan)).course
    assert len(course.meetings) == 2 and course.meetings[1].kind == "section"
    assert len(course.sessions) == 28 + 13  # 14 Fridays from Jan 23 to Apr 24, less Mar 27 in the break


@pytest.mark.parametrize("change, message", [
    ({"last": "2026-01-01"}, "--last (2026-01-01) is before --first"),
    ({"days": "Tue,Thurs,Fry"}, "“Fry” is not a day of the week"),
    ({"start": "2pm"}, "--start: “2pm” should be a time"),
    ({"end": "13:00"}, "--end (13:00) should be after --start (14:00)"),
    ({"timezone": "America/Springfield"}, "“America/Springfield” is not a time zone name"),
    ({"breaks": ["Summer:2026-07-01:2026-07-10"]}, "--break “Summer” (2026-07-01 to 2026-07-10) is outside the term"),
    ({"breaks": ["Spring break 2026-03-23"]}, "should be NAME:YYYY-MM-DD:YYYY-MM-DD"),
    ({"first": "2026-02-30"}, "“2026-02-30” is not a real date"),
    ({"title": ""}, "Missing --title."),
    ({"days": "Sat", "first": "2026-01-19", "last": "2026-01-23", "breaks": []}, "No class day between"),
])
def test_bad_plans_are_refused_with_a_clear_sentence(change: dict, message: str) -> None:
    """Each mistake is named in words an instructor can act on."""
    with pytest.raises(PlanError) as caught:
        parse_plan({**SPRING, **change})
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_every_problem_is_listed_at_once() -> None:
    """Several mistakes give several problems, not just the first."""
    with pytest.raises(PlanError) as caught:
        parse_plan({**SPRING, "days": "Tux", "start": "25:00", "timezone": "Mars/Base"})
    assert len(caught.value.problems) == 3


def rolled_spring(**change: object):
    plan = parse_plan({"term": "Spring 2026", "first": "2026-01-20", "last": "2026-04-30",
                       "breaks": ["Spring break:2026-03-23:2026-03-27"], **change}, rolling=True)
    return roll(DS_TEXT, plan, "examples/distributed-systems.yaml")


def test_roll_keeps_topics_in_order_on_the_new_days() -> None:
    """The 28 classes held in Spring 2025 land, in order, on the 28 class days of Spring 2026."""
    old = load_text(DS_TEXT).course
    rolled = rolled_spring()
    loaded = load_text(rolled.text)
    new = loaded.course
    assert loaded.warnings == ()
    held = [s for s in old.sessions if not s.cancelled]
    assert [s.topic for s in new.sessions] == [s.topic for s in held]
    assert [s.papers for s in new.sessions] == [s.papers for s in held]
    assert new.sessions[0].date == dt.date(2026, 1, 20) and new.sessions[18].date == dt.date(2026, 3, 31)
    assert new.session_number(14).is_exam  # the midterm stays an exam
    assert rolled.classes == rolled.carried == 28
    assert any("Cancelled last time" in line and "Consensus: Raft" in line for line in rolled.report)


def test_roll_keeps_the_other_sections_and_moves_safe_dates_by_whole_weeks() -> None:
    """Staff, office hours, links stay; hw1 (Fri Jan 31 2025) becomes Fri Jan 30 2026, still 23:59."""
    old, new = load_text(DS_TEXT).course, load_text(rolled_spring().text).course
    assert new.staff == old.staff and new.links == old.links and new.instructor == old.instructor
    assert [o.who for o in new.office_hours] == [o.who for o in old.office_hours]
    hw1 = new.deadline("hw1")
    assert hw1 is not None and hw1.due == dt.date(2026, 1, 30) and hw1.time == dt.time(23, 59)
    assert new.term == "Spring 2026" and new.term_end == dt.date(2026, 5, 8)
    assert new.exams[0].date == dt.date(2026, 5, 6) and new.exams[0].date.weekday() == 2


def test_roll_onto_a_shorter_term_reports_leftovers_and_unsafe_dates() -> None:
    """Mon/Wed with fewer days: the last classes no longer fit (kept in other_topics); shifted deadlines reported."""
    rolled = rolled_spring(last="2026-04-16", days="Mon,Wed", start="10:00",
                           breaks=["Spring break:2026-03-16:2026-03-20"])
    new = load_text(rolled.text).course
    assert rolled.classes == rolled.carried == 23  # Wed Jan 21 to Wed Apr 15, less the break week
    assert [s.date.weekday() for s in new.sessions[:2]] == [2, 0]
    assert "Course wrap-up" in new.other_topics and "Project presentations" in new.other_topics
    leftovers = next(line for line in rolled.report if "no longer fit" in line)
    assert leftovers.startswith("5 classes") and "#29 “Course wrap-up”" in leftovers
    assert any(line.startswith("Deadline hw1") and "left out" in line for line in rolled.report)
    assert new.deadline("hw1") is None
    assert new.meeting_days == (0, 2) and new.class_start == dt.time(10, 0)
    assert "# Notes from the roll-over:" in rolled.text


def test_roll_onto_a_longer_term_reports_empty_days() -> None:
    """More class days than old classes: the extra days are left for topics, and said so."""
    rolled = rolled_spring(last="2026-05-14")
    new = load_text(rolled.text).course
    assert rolled.classes == 32 and new.sessions[-1].topic is None
    assert any("4 new class days" in line and "no topic yet" in line for line in rolled.report)
