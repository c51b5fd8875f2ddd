"""What calendar apps rely on: stable, course-unique UIDs; SEQUENCE and LAST-MODIFIED from revisions; the same bytes
when nothing changed; a calendar name and description that independent parsers read whole."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
import vobject
from icalendar.parser import unescape_backslash

from bot.core.ics import build_calendar
from bot.core.model import Course, Revision
from tests.core.test_ics import events, load, parse

NAMES = ["ml_at_scale", "distributed_systems", "data_analysis"]
UTC = dt.timezone.utc
PARIS = ZoneInfo("Europe/Paris")


def uids(data: bytes) -> set[str]:
    return {str(e["UID"]) for e in parse(data).walk("VEVENT")}


def moved(course: Course, number: int, days: int) -> Course:
    """The course with class `number` moved by `days` (as /course move does)."""
    session = course.session_number(number)
    shifted = dataclasses.replace(session, date=session.date + dt.timedelta(days=days))
    return dataclasses.replace(course, sessions=tuple(shifted if s.number == number else s for s in course.sessions))


# --- UIDs -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_moved_class_keeps_its_uid(name: str) -> None:
    """Class 8 moved two days later: the same set of UIDs, and class 8's event carries the new date."""
    course = load(name)
    before, after = build_calendar(course), build_calendar(moved(course, 8, 2))
    assert uids(after) == uids(before)
    old, new = events(before)["class-8"]["DTSTART"].dt, events(after)["class-8"]["DTSTART"].dt
    assert new - old == dt.timedelta(days=2)
    assert events(after)["class-8"]["UID"] == events(before)["class-8"]["UID"]


def test_uids_unique_between_courses() -> None:
    """The three courses share no UID, though all have a class 7 and two have a deadline 'report'."""
    sets = [uids(build_calendar(load(name))) for name in NAMES]
    assert sum(len(s) for s in sets) == len(set().union(*sets))
    assert all(any(u.startswith("class-7.") for u in s) for s in sets)  # the control: the keys do collide


@pytest.mark.parametrize("name", NAMES)
def test_uids_unique_between_terms(name: str) -> None:
    """The same course next term (same code, same title): no UID in common."""
    course = load(name)
    next_term = dataclasses.replace(course, term="Spring 2031")
    assert not uids(build_calendar(course)) & uids(build_calendar(next_term))


def test_uid_keeps_the_code_when_retitled() -> None:
    """A course with a code keeps its UIDs when its title is corrected."""
    course = load("distributed_systems")
    assert uids(build_calendar(dataclasses.replace(course, title="Distributed Computer Systems"))) == \
        uids(build_calendar(course))


# --- the same bytes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_bytes_whenever_built(name: str) -> None:
    """Built at two wall-clock instants a year apart: byte for byte the same file."""
    course = load(name)
    with time_machine.travel(dt.datetime(2024, 1, 1, 12, tzinfo=UTC), tick=False):
        first = build_calendar(course)
    with time_machine.travel(dt.datetime(2025, 6, 30, 3, 33, tzinfo=UTC), tick=False):
        second = build_calendar(course)
    assert first == second


@pytest.mark.parametrize("name", NAMES)
def test_same_bytes_for_same_revisions(name: str) -> None:
    """Equal revisions (one written in another zone): the same bytes; a newer revision: other bytes."""
    course = load(name)
    at = dt.datetime(2025, 2, 3, 10, 0, tzinfo=UTC)
    same = build_calendar(course, {"class-2": Revision(1, at)})
    assert build_calendar(course, {"class-2": Revision(1, at.astimezone(PARIS))}) == same
    assert build_calendar(course, {"class-2": Revision(2, at + dt.timedelta(minutes=1))}) != same
    assert build_calendar(course, {}) == build_calendar(course, None) == build_calendar(course)


# --- revisions ---------------------------------------------------------------------------------------------------

CLASS_CHANGE = dt.datetime(2025, 2, 3, 9, 15, 30, 123456, tzinfo=ZoneInfo("America/Los_Angeles"))
DEADLINE_CHANGE = dt.datetime(2025, 2, 10, 18, 0, tzinfo=UTC)
HOURS_CHANGE = dt.datetime(2025, 1, 28, 8, 0, tzinfo=UTC)
EXAM_CHANGE = dt.datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
REVISIONS = {
    "class-5": Revision(2, CLASS_CHANGE),
    "deadline-hw3": Revision(1, DEADLINE_CHANGE),
    "office-hours": Revision(3, HOURS_CHANGE),
    "exam-final": Revision(1, EXAM_CHANGE),
    "deadline-dropped": Revision(4, dt.datetime(2025, 1, 30, tzinfo=UTC)),  # an event no longer in the course
}


@pytest.fixture(scope="module")
def revised() -> dict[str, object]:
    return events(build_calendar(load("distributed_systems"), REVISIONS))


@pytest.mark.parametrize(("key", "sequence", "modified"), [
    ("class-5", 2, dt.datetime(2025, 2, 3, 17, 15, 30, tzinfo=UTC)),
    ("deadline-hw3", 1, DEADLINE_CHANGE),
    ("exam-final", 1, EXAM_CHANGE),
    ("office-hours-1", 3, HOURS_CHANGE),
    ("office-hours-3", 3, HOURS_CHANGE),
])
def test_sequence_and_last_modified_from_revisions(revised, key: str, sequence: int, modified: dt.datetime) -> None:
    """Each revised event: its SEQUENCE, and LAST-MODIFIED in UTC to the second (every office hour shares one)."""
    event = revised[key]
    assert event["SEQUENCE"] == sequence
    assert event["LAST-MODIFIED"].dt == modified
    assert event["LAST-MODIFIED"].dt.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("key", ["class-4", "class-13", "deadline-hw2", "deadline-report"])
def test_unrevised_events_have_sequence_0(revised, key: str) -> None:
    event = revised[key]
    assert event["SEQUENCE"] == 0
    assert "LAST-MODIFIED" not in event


def test_dtstamp_is_the_newest_revision(revised) -> None:
    """Every event's DTSTAMP is the newest change (Feb 10 18:00 UTC), whichever event it touched."""
    assert {e["DTSTAMP"].dt for e in revised.values()} == {DEADLINE_CHANGE}


def test_naive_revision_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_calendar(load("distributed_systems"), {"class-1": Revision(1, dt.datetime(2025, 2, 1, 9, 0))})


# --- independent parsers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_other_parsers_read_every_event(name: str) -> None:
    """vobject reads every event with its UID; recurring-ical-events expands each within the term."""
    course = load(name)
    data = build_calendar(course)
    expected = uids(data)
    assert {e.uid.value for e in vobject.readOne(data.decode("utf-8")).vevent_list} == expected
    expanded = recurring_ical_events.of(parse(data)).between(course.first_day, course.end + dt.timedelta(days=1))
    assert {str(e["UID"]) for e in expanded} == expected


# --- name and description, read whole by independent parsers ---------------------------------------------------

TRICKY = "Data, Models; and Society \\ a “survey”"


@pytest.fixture(scope="module")
def tricky() -> bytes:
    course = dataclasses.replace(load("data_analysis"), code=None, title=TRICKY, term="Autumn, 2025")
    return build_calendar(course)


def test_vobject_reads_name_and_description_whole(tricky: bytes) -> None:
    """vobject (which cut X-WR-CALDESC at an unescaped comma) reads all four properties whole."""
    cal = vobject.readOne(tricky.decode("utf-8"))
    name = f"{TRICKY} (Autumn, 2025)"
    description = f"{TRICKY}, Autumn, 2025: classes and deadlines."
    assert cal.contents["x-wr-calname"][0].value == name
    assert cal.contents["name"][0].value == name
    assert cal.contents["x-wr-caldesc"][0].value == description
    assert cal.contents["description"][0].value == description


def test_icalendar_reads_name_and_description_whole(tricky: bytes) -> None:
    """icalendar: DESCRIPTION as text; X-WR-* and NAME, kept verbatim (UNKNOWN), unescape to the whole text."""
    cal = parse(tricky)
    description = f"{TRICKY}, Autumn, 2025: classes and deadlines."
    assert str(cal["DESCRIPTION"]) == description
    assert unescape_backslash(str(cal["X-WR-CALDESC"])) == description
    for prop in ("X-WR-CALNAME", "NAME"):
        assert unescape_backslash(str(cal[prop])) == f"{TRICKY} (Autumn, 2025)"


def test_every_comma_escaped_in_calendar_properties(tricky: bytes) -> None:
    """No unescaped ',' or ';' in a calendar-level text property: a strict reader never splits them."""
    header = tricky.split(b"BEGIN:VTIMEZONE")[0].replace(b"\r\n ", b"").decode()
    for line in header.split("\r\n"):
        if line.startswith(("NAME:", "DESCRIPTION:", "X-WR-CALNAME:", "X-WR-CALDESC:")):
            value = line.split(":", 1)[1].replace("\\\\", "")
            assert "," not in value.replace("\\,", "") and ";" not in value.replace("\\;", ""), line
