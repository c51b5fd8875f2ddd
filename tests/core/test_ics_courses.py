"""The calendar of courses shaped unlike the first: own times and rooms, DST, breaks and skips, homework, exams."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events

from bot.core.ics import build_calendar
from bot.core.model import Course, OfficeHours
from tests.core.test_ics import events, load, parse

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def systems() -> bytes:
    return build_calendar(load("distributed_systems"))


@pytest.fixture(scope="module")
def analysis() -> bytes:
    return build_calendar(load("data_analysis"))


def occurrences(data: bytes, key_prefix: str, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """The starts of the events whose UID starts with key_prefix, expanded by recurring-ical-events."""
    found = recurring_ical_events.of(parse(data)).between(start, end)
    return sorted(e["DTSTART"].dt for e in found if str(e["UID"]).startswith(key_prefix))


def unfolded_text(data: bytes) -> str:
    """The file with folded lines joined, lower case: what a search over every property value sees."""
    return data.replace(b"\r\n ", b"").decode("utf-8").lower()


def with_office_hours(course: Course, *hours: OfficeHours) -> Course:
    return dataclasses.replace(course, office_hours=hours)


# --- classes at their own times and rooms ---------------------------------------------------------------------


def test_classes_at_the_pattern_time_and_room(systems: bytes) -> None:
    """Tue/Thu 2:00–3:15pm Los Angeles time in Gates Center G20."""
    event = events(systems)["class-2"]
    assert event["DTSTART"].dt == dt.datetime(2025, 1, 23, 14, 0, tzinfo=LOS_ANGELES)
    assert event["DTEND"].dt == dt.datetime(2025, 1, 23, 15, 15, tzinfo=LOS_ANGELES)
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert str(event["LOCATION"]) == "Gates Center G20"


@pytest.mark.parametrize(("key", "start", "end", "room"), [
    ("class-4", dt.datetime(2025, 10, 6, 10, 0), dt.datetime(2025, 10, 6, 11, 0), "Wills G25"),  # Mon lecture
    ("class-3", dt.datetime(2025, 10, 3, 14, 0), dt.datetime(2025, 10, 3, 14, 50), "Lab 2"),  # Fri section
    ("class-8", dt.datetime(2025, 10, 14, 13, 0), dt.datetime(2025, 10, 14, 14, 0), "Wills 1.10"),  # make-up
], ids=["lecture", "section", "make-up"])
def test_per_weekday_and_per_session_times(analysis: bytes, key: str, start: dt.datetime, end: dt.datetime,
                                            room: str) -> None:
    """Each class at its weekday's meeting, or its own time and room (the Tuesday make-up class)."""
    event = events(analysis)[key]
    assert event["DTSTART"].dt == start.replace(tzinfo=LONDON)
    assert event["DTEND"].dt == end.replace(tzinfo=LONDON)
    assert str(event["LOCATION"]) == room


def test_section_says_it_is_a_section() -> None:
    """A Friday section's summary names it a section unless its topic already does."""
    course = load("data_analysis")
    plain = dataclasses.replace(course.session_number(6), topic="Plotting practice")
    renamed = dataclasses.replace(course, sessions=tuple(plain if s.number == 6 else s for s in course.sessions))
    assert str(events(build_calendar(renamed))["class-6"]["SUMMARY"]) == "Class 6 (section): Plotting practice"
    assert str(events(build_calendar(course))["class-6"]["SUMMARY"]) == "Class 6: Section: plotting practice"


def test_cancelled_class_kept_and_made_up(analysis: bytes) -> None:
    """The cancelled Monday class stays, marked cancelled, at its own time; the make-up class is confirmed."""
    found = events(analysis)
    assert str(found["class-7"]["STATUS"]) == "CANCELLED"
    assert str(found["class-7"]["SUMMARY"]) == "CANCELLED: Class 7: Sampling distributions"
    assert "Strike action; made up on Tue Oct 14." in str(found["class-7"]["DESCRIPTION"])
    assert str(found["class-8"]["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize(("key", "local", "utc"), [
    ("class-13", dt.datetime(2025, 10, 24, 14, 0), dt.datetime(2025, 10, 24, 13, 0)),  # BST, Friday section
    ("class-14", dt.datetime(2025, 10, 27, 10, 0), dt.datetime(2025, 10, 27, 10, 0)),  # GMT, Monday lecture
], ids=["before", "after"])
def test_classes_across_the_london_change(analysis: bytes, key: str, local: dt.datetime, utc: dt.datetime) -> None:
    """Summer time ends Sun Oct 26 2025: the wall-clock time holds and the UTC instant moves by an hour."""
    start = events(analysis)[key]["DTSTART"].dt
    assert start == local.replace(tzinfo=LONDON)
    assert start.astimezone(UTC) == utc.replace(tzinfo=UTC)


# --- office hours ---------------------------------------------------------------------------------------------


def test_office_hours_same_local_time_across_the_la_change(systems: bytes) -> None:
    """Expanded by recurring-ical-events: Mondays 3pm on both sides of Sun Mar 9 2025, an hour apart in UTC."""
    mondays = occurrences(systems, "office-hours-1.", dt.date(2025, 3, 1), dt.date(2025, 3, 15))
    assert [m.astimezone(LOS_ANGELES).replace(tzinfo=None) for m in mondays] == [
        dt.datetime(2025, 3, 3, 15, 0), dt.datetime(2025, 3, 10, 15, 0)]
    assert [m.astimezone(UTC).hour for m in mondays] == [23, 22]


def test_office_hours_same_local_time_across_the_london_change() -> None:
    """A Monday 4pm office hour in London: 15:00 UTC on Oct 20, 16:00 UTC on Oct 27 2025."""
    course = with_office_hours(load("data_analysis"), OfficeHours("Dr. Sam Whitfield", 0, dt.time(16), dt.time(17)))
    mondays = occurrences(build_calendar(course), "office-hours-1.", dt.date(2025, 10, 20), dt.date(2025, 10, 28))
    assert [m.astimezone(LONDON).hour for m in mondays] == [16, 16]
    assert [m.astimezone(UTC).hour for m in mondays] == [15, 16]


@pytest.mark.parametrize(("key", "excluded"), [
    ("office-hours-1", [dt.datetime(2025, 2, 17, 15, 0), dt.datetime(2025, 3, 24, 15, 0)]),  # skip + break
    ("office-hours-2", [dt.datetime(2025, 3, 26, 19, 30)]),  # break
    ("office-hours-3", [dt.datetime(2025, 3, 28, 10, 0)]),  # break
], ids=["monday", "wednesday", "friday"])
def test_office_hours_exdates(systems: bytes, key: str, excluded: list[dt.datetime]) -> None:
    """One EXDATE per break day and skip date on the hour's weekday, at its local time with its TZID."""
    exdates = events(systems)[key]["EXDATE"]
    exdates = exdates if isinstance(exdates, list) else [exdates]
    assert all(line.params["TZID"] == "America/Los_Angeles" for line in exdates)
    assert [d.dt for line in exdates for d in line.dts] == [day.replace(tzinfo=LOS_ANGELES) for day in excluded]


def test_office_hours_expand_without_breaks_and_skips(systems: bytes) -> None:
    """Mondays from Jan 27 to Apr 28: not Feb 17 (skipped), not Mar 24 (spring break); Feb 10 and Mar 31 are there."""
    days = [m.date() for m in occurrences(systems, "office-hours-1.", dt.date(2025, 1, 1), dt.date(2025, 6, 1))]
    assert days[0] == dt.date(2025, 1, 27) and days[-1] == dt.date(2025, 4, 28)
    assert dt.date(2025, 2, 17) not in days and dt.date(2025, 3, 24) not in days
    assert dt.date(2025, 2, 10) in days and dt.date(2025, 3, 31) in days
    assert len(days) == 14 - 2


def test_skip_date_on_another_weekday_is_ignored() -> None:
    """A skip date that is not the hour's weekday (a warning at load) excludes nothing."""
    hours = OfficeHours("TA", 2, dt.time(9), dt.time(10), skip=frozenset({dt.date(2025, 10, 14)}))  # a Tuesday
    event = events(build_calendar(with_office_hours(load("data_analysis"), hours)))["office-hours-1"]
    exdates = event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]
    assert [d.dt.date() for line in exdates for d in line.dts] == [dt.date(2025, 11, 5)]  # reading week only


def test_online_office_hours_link(systems: bytes) -> None:
    """The online hour: LOCATION the place, the link as URL and in the description."""
    event = events(systems)["office-hours-2"]
    assert str(event["LOCATION"]) == "Online"
    assert str(event["URL"]) == "https://zoom.us/j/123"
    assert "https://zoom.us/j/123" in str(event["DESCRIPTION"])
    assert "Spring break" in str(event["DESCRIPTION"])


def test_no_office_hours_no_series(analysis: bytes) -> None:
    assert not [k for k in events(analysis) if k.startswith("office-hours")]


# --- deadlines and exams --------------------------------------------------------------------------------------


def test_homework_due_at_its_instant(systems: bytes) -> None:
    """Homework 3 is an instant, Fri Feb 14 11:59pm Los Angeles time, with its link, free time."""
    event = events(systems)["deadline-hw3"]
    assert str(event["SUMMARY"]) == "Due: Homework 3 (primary-backup)"
    assert event["DTSTART"].dt == dt.datetime(2025, 2, 14, 23, 59, tzinfo=LOS_ANGELES)
    assert "DTEND" not in event and event["DURATION"].dt == dt.timedelta(0)
    assert str(event["URL"]) == "https://example.edu/cs452/hw3"
    assert "due Fri Feb 14, 2025 at 11:59pm" in str(event["DESCRIPTION"])
    assert str(event["TRANSP"]) == "TRANSPARENT"
    (expanded,) = recurring_ical_events.of(parse(systems)).between(dt.datetime(2025, 2, 14, 23, 0, tzinfo=LOS_ANGELES),
                                                                   dt.datetime(2025, 2, 15, 0, 0, tzinfo=LOS_ANGELES))
    assert expanded["DTSTART"].dt == expanded["DTEND"].dt  # a zero-length event to another parser too


def test_every_deadline_once(systems: bytes) -> None:
    """Seven homeworks and two project deadlines; the proposal at 2pm, the report at 5pm on the last day of exams."""
    found = events(systems)
    assert sorted(k for k in found if k.startswith("deadline-")) == sorted(
        f"deadline-{i}" for i in ("hw1", "hw2", "hw3", "hw4", "hw5", "hw6", "hw7", "proposal", "report"))
    assert found["deadline-proposal"]["DTSTART"].dt == dt.datetime(2025, 4, 8, 14, 0, tzinfo=LOS_ANGELES)
    assert found["deadline-report"]["DTSTART"].dt == dt.datetime(2025, 5, 9, 17, 0, tzinfo=LOS_ANGELES)


@pytest.mark.parametrize(("key", "expected"), [
    ("deadline-ps1", dt.date(2025, 10, 10)),  # a date alone: all day
    ("deadline-quiz1", dt.datetime(2025, 10, 17, 14, 0, tzinfo=LONDON)),
], ids=["date-only", "timed"])
def test_quiz_and_problem_set(analysis: bytes, key: str, expected: dt.date) -> None:
    event = events(analysis)[key]
    assert event["DTSTART"].dt == expected
    if not isinstance(expected, dt.datetime):
        assert event["DTEND"].dt == expected + dt.timedelta(days=1)


def test_final_exam_at_its_own_time_and_room(systems: bytes) -> None:
    """The final: Wed May 7 2:30–4:20pm in Kane Hall 130, not at the class time or room, with its details."""
    event = events(systems)["exam-final"]
    assert str(event["SUMMARY"]) == "Final exam"
    assert event["DTSTART"].dt == dt.datetime(2025, 5, 7, 14, 30, tzinfo=LOS_ANGELES)
    assert event["DTEND"].dt == dt.datetime(2025, 5, 7, 16, 20, tzinfo=LOS_ANGELES)
    assert str(event["LOCATION"]) == "Kane Hall 130"
    assert "Closed book; one page of notes allowed." in str(event["DESCRIPTION"])


def test_midterm_in_class_is_one_event(systems: bytes) -> None:
    """The midterm held in class 13 is that class's event, named an exam; nothing else starts at that hour."""
    found = events(systems)
    midterm = found["class-13"]
    assert str(midterm["SUMMARY"]) == "Midterm exam (class 13)"
    assert str(midterm["LOCATION"]) == "Gates Center G20"
    start = dt.datetime(2025, 3, 4, 14, 0, tzinfo=LOS_ANGELES)
    assert midterm["DTSTART"].dt == start
    assert [k for k, e in found.items() if e["DTSTART"].dt == start] == ["class-13"]
    assert not [k for k in found if k.startswith("exam-class")]


def test_exam_without_times_or_rooms() -> None:
    """An exam with only a date is all-day; with a start and no end, an instant (no invented length)."""
    course = load("distributed_systems")
    final = course.exams[0]
    undated = dataclasses.replace(final, start=None, end=None, room=None, title="Final")
    event = events(build_calendar(dataclasses.replace(course, exams=(undated,))))["exam-final"]
    assert event["DTSTART"].dt == dt.date(2025, 5, 7) and "LOCATION" not in event
    assert str(event["SUMMARY"]) == "Exam: Final"
    open_ended = dataclasses.replace(final, end=None)
    event = events(build_calendar(dataclasses.replace(course, exams=(open_ended,))))["exam-final"]
    assert event["DTSTART"].dt == dt.datetime(2025, 5, 7, 14, 30, tzinfo=LOS_ANGELES)
    assert event["DURATION"].dt == dt.timedelta(0)


# --- nothing from another course ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["distributed_systems", "data_analysis"])
def test_no_critique_words_without_critiques(name: str) -> None:
    """A course without critiques: no 'critique', no 'printed', nothing of the first course."""
    text = unfolded_text(build_calendar(load(name)))
    for word in ("critique", "printed", "one page, two paragraphs", "machine learning", "jacobs", "iribe"):
        assert word not in text, word


def test_critique_words_where_critiques_exist() -> None:
    """The control: the first course's calendar does speak of printed critiques."""
    text = unfolded_text(build_calendar(load("ml_at_scale")))
    assert "critiques due before class (printed" in text


def test_calendar_description_lists_what_it_holds(analysis: bytes, systems: bytes) -> None:
    assert str(parse(analysis)["DESCRIPTION"]) == (
        "STAT 210 Data Analysis in Practice, Autumn 2025: classes and deadlines.")
    assert str(parse(systems)["DESCRIPTION"]) == (
        "CS 452 Distributed Systems, Spring 2025: classes, exams, deadlines and office hours.")
    assert [str(tz["TZID"]) for tz in parse(analysis).walk("VTIMEZONE")] == ["Europe/London"]
