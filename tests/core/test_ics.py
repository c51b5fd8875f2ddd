"""The .ics calendar (RFC 5545) of the first course (its frozen copy): parsed back, every event, time and text checked.

The helpers here (`load`, `parse`, `events`) are shared by tests/core/test_ics_*.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.core.ics import build_calendar, calendar_filename
from bot.core.loader import load_course
from bot.core.model import Course, Meeting

COURSES = Path(__file__).resolve().parents[1] / "data" / "courses"
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc


@functools.cache
def load(name: str) -> Course:
    """A test course by file name: 'ml_at_scale', 'distributed_systems', 'data_analysis'."""
    return load_course(COURSES / f"{name}.yaml")


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def split_uid(uid: str) -> tuple[str, str]:
    """'class-7.cs-452-spring-2025@coursebot' → ('class-7', 'cs-452-spring-2025@coursebot')."""
    local, at, domain = uid.partition("@")
    key, _, course = local.rpartition(".")
    return key, course + at + domain


def events(data: bytes) -> dict[str, Event]:
    """Event key ('class-7', 'deadline-hw3', 'office-hours-1') → VEVENT; every UID unique and of one course."""
    found = {split_uid(str(e["UID"]))[0]: e for e in parse(data).walk("VEVENT")}
    assert len(found) == len(parse(data).walk("VEVENT")), "UIDs must be unique"
    assert len({split_uid(str(e["UID"]))[1] for e in found.values()}) <= 1, "one course suffix in every UID"
    return found


def timed(course: Course, start: dt.time | None = dt.time(14, 0), end: dt.time | None = dt.time(15, 15),
          room: str | None = None) -> Course:
    """The course with one weekly pattern at that time and room."""
    meeting = Meeting(days=course.meeting_days, start=start, end=end, room=room)
    return dataclasses.replace(course, meetings=(meeting,), class_start=start, class_end=end, room=room)


@pytest.fixture(scope="module")
def ml() -> Course:
    return load("ml_at_scale")


@pytest.fixture(scope="module")
def data(ml: Course) -> bytes:
    return build_calendar(ml)


def test_calendar_header(data: bytes) -> None:
    """PRODID, VERSION, the calendar's name (RFC 7986 and X-WR) and time zone, and a VTIMEZONE for New York."""
    cal = parse(data)
    assert str(cal["PRODID"]) == "-//coursebot//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert b"\r\nX-WR-CALNAME:Machine Learning at Scale (Fall 2024)\r\n" in data
    assert b"\r\nNAME:Machine Learning at Scale (Fall 2024)\r\n" in data
    assert str(cal["DESCRIPTION"]) == "Machine Learning at Scale, Fall 2024: classes, deadlines and office hours."
    assert str(cal["X-WR-TIMEZONE"]) == "America/New_York"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]


def test_event_counts(data: bytes) -> None:
    """29 classes, the proposal and final paper deadlines, and one weekly office hours event."""
    keys = list(events(data))
    assert sum(k.startswith("class-") for k in keys) == 29
    assert sorted(k for k in keys if k.startswith("deadline-")) == ["deadline-final", "deadline-proposal"]
    assert [k for k in keys if k.startswith("office-hours")] == ["office-hours-1"]
    assert len(keys) == 32


def test_uids_name_the_course_and_term(data: bytes) -> None:
    assert str(events(data)["class-7"]["UID"]) == "class-7.machine-learning-at-scale-fall-2024@coursebot"


def test_class_7_all_day_with_papers(data: bytes) -> None:
    """Without a class time, class 7 is an all-day event on Wed Sep 18 listing its three papers and the slides."""
    event = events(data)["class-7"]
    assert str(event["SUMMARY"]) == "Class 7: Self-supervised learning - Vision"
    assert event["DTSTART"].dt == dt.date(2024, 9, 18) and not isinstance(event["DTSTART"].dt, dt.datetime)
    assert event["DTEND"].dt == dt.date(2024, 9, 19)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    description = str(event["DESCRIPTION"])
    assert "1. A Simple Framework for Contrastive Learning of Visual Representations — Chen et al. · ICLR 2020" \
        in description
    assert "2. Emerging Properties in Self-Supervised Vision Transformers — Caron et al. · ICCV 2021" in description
    assert "3. Vision Transformers Need Registers — Darcet et al. · ICLR 2024" in description
    assert "SimCLR slides" in description
    assert "Critiques due before class (printed, one page, two paragraphs)." in description
    assert "LOCATION" not in event  # the page gives no room
    assert str(event["STATUS"]) == "CONFIRMED"


def test_critique_form_comes_from_the_policy(ml: Course) -> None:
    """The form in parentheses is the course's own policy: another policy, other words; none, no parentheses."""
    emailed = dataclasses.replace(ml.critiques, format="emailed", length="", paragraphs=())
    description = str(events(build_calendar(dataclasses.replace(ml, critiques=emailed)))["class-7"]["DESCRIPTION"])
    assert "Critiques due before class (emailed)." in description and "printed" not in description
    silent = dataclasses.replace(ml.critiques, format="", length="", paragraphs=())
    description = str(events(build_calendar(dataclasses.replace(ml, critiques=silent)))["class-7"]["DESCRIPTION"])
    assert "Critiques due before class." in description


def test_cancelled_class(data: bytes) -> None:
    """Class 13 (Wed Oct 9) stays in the calendar, marked cancelled."""
    event = events(data)["class-13"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("CANCELLED: Class 13")
    assert event["DTSTART"].dt == dt.date(2024, 10, 9)
    assert "cancelled" in str(event["DESCRIPTION"])


def test_class_on_deadline_day_says_so(data: bytes) -> None:
    """Class 15 (Wed Oct 16) mentions the proposal due that day."""
    assert "Due today: Project proposal" in str(events(data)["class-15"]["DESCRIPTION"])


def test_deadlines_all_day(data: bytes) -> None:
    """Date-only deadlines are all-day events, free time, with their details."""
    found = events(data)
    proposal, final = found["deadline-proposal"], found["deadline-final"]
    assert str(proposal["SUMMARY"]) == "Due: Project proposal"
    assert proposal["DTSTART"].dt == dt.date(2024, 10, 16) and proposal["DTEND"].dt == dt.date(2024, 10, 17)
    assert "less than 5 pages" in str(proposal["DESCRIPTION"])
    assert str(proposal["TRANSP"]) == "TRANSPARENT"
    assert str(final["SUMMARY"]) == "Due: Final paper"
    assert final["DTSTART"].dt == dt.date(2024, 12, 9)


def test_office_hours_weekly_until_last_day(data: bytes) -> None:
    """Wednesdays 10–11 in Iribe 4240 from Wed Aug 28, weekly until the end of Mon Dec 9 (UNTIL in UTC)."""
    event = events(data)["office-hours-1"]
    assert str(event["SUMMARY"]) == "Office hours (Prof. Jacobs)"
    assert str(event["LOCATION"]) == "Iribe 4240"
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert start == dt.datetime(2024, 8, 28, 10, 0, tzinfo=NEW_YORK)
    assert start.astimezone(UTC) == dt.datetime(2024, 8, 28, 14, 0, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert end - start == dt.timedelta(hours=1)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    until = rule["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == dt.timedelta(0)
    assert until.astimezone(NEW_YORK).date() == dt.date(2024, 12, 9)
    assert "schedule meetings with Prof. Jacobs at other times" in str(event["DESCRIPTION"])
    assert "EXDATE" not in event and "URL" not in event  # no breaks, no skips, no link
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20241210T045959Z" in data


def test_office_hours_notice_in_description(ml: Course) -> None:
    changed = dataclasses.replace(ml, office_hours_notice="No office hours on Nov 27 (Thanksgiving).")
    event = events(build_calendar(changed))["office-hours-1"]
    assert "No office hours on Nov 27 (Thanksgiving)." in str(event["DESCRIPTION"])


def test_timed_classes_across_dst(ml: Course) -> None:
    """With a class time, classes carry TZID=America/New_York and are right on both sides of Nov 3."""
    found = events(build_calendar(timed(ml)))
    before, after = found["class-19"], found["class-20"]
    assert before["DTSTART"].params["TZID"] == "America/New_York"
    assert before["DTSTART"].dt.astimezone(UTC) == dt.datetime(2024, 10, 30, 18, 0, tzinfo=UTC)  # EDT
    assert after["DTSTART"].dt.astimezone(UTC) == dt.datetime(2024, 11, 4, 19, 0, tzinfo=UTC)  # EST
    assert after["DTSTART"].dt == dt.datetime(2024, 11, 4, 14, 0, tzinfo=NEW_YORK)
    assert after["DTEND"].dt == dt.datetime(2024, 11, 4, 15, 15, tzinfo=NEW_YORK)
    assert "before class at 2pm" in str(after["DESCRIPTION"])


def test_vtimezone_has_the_dst_change(ml: Course) -> None:
    """The embedded VTIMEZONE ends daylight time on Sun Nov 3 2024 (-0400 → -0500)."""
    cal = parse(build_calendar(timed(ml)))
    (zone,) = cal.walk("VTIMEZONE")
    changes = {(sub["DTSTART"].dt.replace(tzinfo=None), sub["TZOFFSETFROM"].td, sub["TZOFFSETTO"].td)
               for sub in zone.walk("STANDARD")}
    assert (dt.datetime(2024, 11, 3, 2, 0), dt.timedelta(hours=-4), dt.timedelta(hours=-5)) in changes


def test_class_end_defaults_to_75_minutes(ml: Course) -> None:
    """A start time without an end gives a 75-minute class, in its room."""
    event = events(build_calendar(timed(ml, dt.time(9, 30), None, "Iribe 0324")))["class-7"]
    assert event["DTSTART"].dt == dt.datetime(2024, 9, 18, 9, 30, tzinfo=NEW_YORK)
    assert event["DTEND"].dt == dt.datetime(2024, 9, 18, 10, 45, tzinfo=NEW_YORK)
    assert str(event["LOCATION"]) == "Iribe 0324"


def test_dtstamp_without_revisions_is_the_first_day(data: bytes) -> None:
    """Nothing changed: every DTSTAMP is Mon Aug 26 2024 00:00 UTC, SEQUENCE 0 and no LAST-MODIFIED."""
    for event in parse(data).walk("VEVENT"):
        assert event["DTSTAMP"].dt == dt.datetime(2024, 8, 26, tzinfo=UTC)
        assert event["SEQUENCE"] == 0
        assert "LAST-MODIFIED" not in event


def test_crlf_and_folded_lines(data: bytes) -> None:
    """Every line ends in CRLF and none is longer than 75 octets (RFC 5545 3.1)."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long descriptions were folded
    data.decode("utf-8")  # folding never splits a multi-byte character


def test_filename(ml: Course) -> None:
    """Code, title and term, as [a-z0-9-]."""
    assert calendar_filename(ml) == "machine-learning-at-scale-fall-2024.ics"
    assert calendar_filename(load("distributed_systems")) == "cs-452-distributed-systems-spring-2025.ics"
    odd = dataclasses.replace(ml, title="ML / Scale: “Deep” Learning!", term="Spring 2025")
    assert calendar_filename(odd) == "ml-scale-deep-learning-spring-2025.ics"
