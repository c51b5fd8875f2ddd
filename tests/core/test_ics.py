"""The .ics calendar (RFC 5545): parsed back with icalendar, every event, time and text checked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.core.ics import build_calendar, calendar_filename
from bot.core.model import Course

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc
NOW = dt.datetime(2024, 9, 17, 9, 0, tzinfo=NEW_YORK)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events(cal: Calendar) -> dict[str, object]:
    """UID → VEVENT."""
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(found) == len(cal.walk("VEVENT")), "UIDs must be unique"
    return found


def timed(course: Course) -> Course:
    return dataclasses.replace(course, class_start=dt.time(14, 0), class_end=dt.time(15, 15))


@pytest.fixture(scope="module")
def data(course: Course) -> bytes:
    return build_calendar(course, NOW)


def test_calendar_header(data: bytes) -> None:
    """PRODID, VERSION, the calendar's name and time zone, and a VTIMEZONE for America/New_York."""
    cal = parse(data)
    assert str(cal["PRODID"]) == "-//coursebot//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-CALNAME"]) == "Machine Learning at Scale (Fall 2024)"
    assert str(cal["X-WR-TIMEZONE"]) == "America/New_York"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]


def test_event_counts(data: bytes) -> None:
    """29 classes, the proposal and final paper deadlines, and one weekly office hours event."""
    uids = list(events(parse(data)))
    assert sum(u.startswith("class-") for u in uids) == 29
    assert sorted(u for u in uids if u.startswith("deadline-")) == ["deadline-final@coursebot",
                                                                   "deadline-proposal@coursebot"]
    assert [u for u in uids if u.startswith("office-hours-")] == ["office-hours-1@coursebot"]
    assert len(uids) == 32


def test_class_7_all_day_with_papers(data: bytes) -> None:
    """Without a class time, class 7 is an all-day event on Wed Sep 18 listing its three papers and the slides."""
    event = events(parse(data))["class-7@coursebot"]
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
    assert "Critiques due before class (printed)" in description
    assert "LOCATION" not in event  # the page gives no room
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancelled_class(data: bytes) -> None:
    """Class 13 (Wed Oct 9) stays in the calendar, marked cancelled."""
    event = events(parse(data))["class-13@coursebot"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("CANCELLED: Class 13")
    assert event["DTSTART"].dt == dt.date(2024, 10, 9)
    assert "cancelled" in str(event["DESCRIPTION"])


def test_class_on_deadline_day_says_so(data: bytes) -> None:
    """Class 15 (Wed Oct 16) mentions the proposal due that day."""
    assert "Due today: Project proposal" in str(events(parse(data))["class-15@coursebot"]["DESCRIPTION"])


def test_deadlines_all_day(data: bytes) -> None:
    found = events(parse(data))
    proposal, final = found["deadline-proposal@coursebot"], found["deadline-final@coursebot"]
    assert str(proposal["SUMMARY"]) == "Due: Project proposal"
    assert proposal["DTSTART"].dt == dt.date(2024, 10, 16) and proposal["DTEND"].dt == dt.date(2024, 10, 17)
    assert "less than 5 pages" in str(proposal["DESCRIPTION"])
    assert str(final["SUMMARY"]) == "Due: Final paper"
    assert final["DTSTART"].dt == dt.date(2024, 12, 9)


def test_office_hours_weekly_until_last_day(data: bytes) -> None:
    """Wednesdays 10–11 in Iribe 4240 from Wed Aug 28, weekly until the end of Mon Dec 9 (UNTIL in UTC)."""
    event = events(parse(data))["office-hours-1@coursebot"]
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
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20241210T045959Z" in data


def test_office_hours_notice_in_description(course: Course) -> None:
    changed = dataclasses.replace(course, office_hours_notice="No office hours on Nov 27 (Thanksgiving).")
    event = events(parse(build_calendar(changed, NOW)))["office-hours-1@coursebot"]
    assert "No office hours on Nov 27 (Thanksgiving)." in str(event["DESCRIPTION"])


def test_timed_classes_across_dst(course: Course) -> None:
    """With a class time, classes carry TZID=America/New_York and are right on both sides of Nov 3."""
    found = events(parse(build_calendar(timed(course), NOW)))
    before, after = found["class-19@coursebot"], found["class-20@coursebot"]
    assert before["DTSTART"].params["TZID"] == "America/New_York"
    assert before["DTSTART"].dt.astimezone(UTC) == dt.datetime(2024, 10, 30, 18, 0, tzinfo=UTC)  # EDT
    assert after["DTSTART"].dt.astimezone(UTC) == dt.datetime(2024, 11, 4, 19, 0, tzinfo=UTC)  # EST
    assert after["DTSTART"].dt == dt.datetime(2024, 11, 4, 14, 0, tzinfo=NEW_YORK)
    assert after["DTEND"].dt == dt.datetime(2024, 11, 4, 15, 15, tzinfo=NEW_YORK)
    assert "before class at 2pm" in str(after["DESCRIPTION"])


def test_vtimezone_has_the_dst_change(course: Course) -> None:
    """The embedded VTIMEZONE ends daylight time on Sun Nov 3 2024 (-0400 → -0500)."""
    cal = parse(build_calendar(timed(course), NOW))
    (zone,) = cal.walk("VTIMEZONE")
    changes = {(sub["DTSTART"].dt.replace(tzinfo=None), sub["TZOFFSETFROM"].td, sub["TZOFFSETTO"].td)
               for sub in zone.walk("STANDARD")}
    assert (dt.datetime(2024, 11, 3, 2, 0), dt.timedelta(hours=-4), dt.timedelta(hours=-5)) in changes


def test_class_end_defaults_to_75_minutes(course: Course) -> None:
    only_start = dataclasses.replace(course, class_start=dt.time(9, 30), class_end=None, room="Iribe 0324")
    event = events(parse(build_calendar(only_start, NOW)))["class-7@coursebot"]
    assert event["DTSTART"].dt == dt.datetime(2024, 9, 18, 9, 30, tzinfo=NEW_YORK)
    assert event["DTEND"].dt == dt.datetime(2024, 9, 18, 10, 45, tzinfo=NEW_YORK)
    assert str(event["LOCATION"]) == "Iribe 0324"


def test_uids_stable_across_builds_and_moves(course: Course, data: bytes) -> None:
    """A rebuild later gives the same UIDs; a moved class keeps its UID with the new date."""
    later = build_calendar(course, NOW + dt.timedelta(days=30))
    assert list(events(parse(later))) == list(events(parse(data)))
    moved_session = dataclasses.replace(course.session_number(7), date=dt.date(2024, 9, 20))
    moved = dataclasses.replace(course, sessions=tuple(moved_session if s.number == 7 else s for s in course.sessions))
    event = events(parse(build_calendar(moved, NOW)))["class-7@coursebot"]
    assert event["DTSTART"].dt == dt.date(2024, 9, 20)


def test_dtstamp_is_now(data: bytes) -> None:
    for event in parse(data).walk("VEVENT"):
        assert event["DTSTAMP"].dt == NOW.astimezone(UTC)


def test_naive_now_is_refused(course: Course) -> None:
    with pytest.raises(ValueError, match="aware"):
        build_calendar(course, dt.datetime(2024, 9, 17, 9, 0))


def test_crlf_and_folded_lines(data: bytes) -> None:
    """Every line ends in CRLF and none is longer than 75 octets (RFC 5545 3.1)."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long descriptions were folded
    data.decode("utf-8")  # folding never splits a multi-byte character


def test_filename(course: Course) -> None:
    assert calendar_filename(course) == "machine-learning-at-scale-fall-2024.ics"
    odd = dataclasses.replace(course, title="ML / Scale: “Deep” Learning!", term="Spring 2025")
    assert calendar_filename(odd) == "ml-scale-deep-learning-spring-2025.ics"
