"""The course as an iCalendar file (RFC 5545) for students' calendar apps: `/calendar`, `python -m bot calendar`.

Classes (timed in the course's time zone when the start time is known, all-day otherwise; a cancelled
class stays in the file, marked cancelled), the project deadlines (all-day) and office hours (weekly,
until the last day of classes). UIDs depend on the class number or the deadline id, never on the date,
so a calendar app that re-imports the file after a class moved updates the event instead of adding one.

Pure: `now` (for DTSTAMP) is passed in; icalendar does the escaping, folding and VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar, Event

from bot.core.dates import clock_time, short_date
from bot.core.model import WEEKDAY_NAMES, Course, Deadline, OfficeHours, Session

PRODID = "-//coursebot//EN"
UID_DOMAIN = "coursebot"
DEFAULT_CLASS_LENGTH = dt.timedelta(minutes=75)
ONE_DAY = dt.timedelta(days=1)


def calendar_filename(course: Course) -> str:
    """'machine-learning-at-scale-fall-2024.ics': title and term, lower case, only [a-z0-9-]."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{course.title} {course.term}".lower()).strip("-")
    return f"{slug[:80].rstrip('-') or 'course'}.ics"


def class_uid(session: Session) -> str:
    return f"class-{session.number}@{UID_DOMAIN}"


def deadline_uid(deadline: Deadline) -> str:
    return f"deadline-{deadline.id}@{UID_DOMAIN}"


def office_hours_uid(index: int) -> str:
    return f"office-hours-{index}@{UID_DOMAIN}"


def class_summary(session: Session) -> str:
    """'Class 7: Self-supervised learning - Vision'; 'Class 1' without a topic; 'CANCELLED: …' when cancelled."""
    summary = f"Class {session.number}: {session.topic}" if session.topic else f"Class {session.number}"
    return f"CANCELLED: {summary}" if session.cancelled else summary


def _class_times(course: Course, session: Session) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """Aware start and end in the course's zone; the day and the next day (all-day) when the time is unset."""
    if course.class_start is None:
        return session.date, session.date + ONE_DAY
    start = dt.datetime.combine(session.date, course.class_start, course.timezone)
    if course.class_end is not None and course.class_end > course.class_start:
        end = dt.datetime.combine(session.date, course.class_end, course.timezone)
    else:
        end = start + DEFAULT_CLASS_LENGTH  # wall-clock arithmetic: right on a DST day too
    return start, end


def class_description(course: Course, session: Session) -> str:
    if session.cancelled:
        reason = f": {session.reason}" if session.reason else ""
        return f"This class is cancelled{reason}. Nothing is due for it."
    lines: list[str] = []
    if session.topic is None:
        lines += ["Topic not announced.", ""]
    if session.papers:
        lines.append("Papers")
        for i, paper in enumerate(session.papers, 1):
            citation = paper.citation()
            lines.append(f"{i}. {paper.title}" + (f" — {citation}" if citation else ""))
            lines += [f"   {extra}" for extra in (paper.note, paper.url) if extra]
        when = f"before class at {clock_time(course.class_start)}" if course.class_start else "before class"
        lines += ["", f"Critiques due {when} (printed)."]
    else:
        lines.append("No papers are assigned for this class, so no critique is due.")
    if session.resources:
        lines += ["", "Also useful"]
        for resource in session.resources:
            by = f" ({resource.authors})" if resource.authors else ""
            lines.append(f"- {resource.title}{by}" + (f" {resource.url}" if resource.url else ""))
    due = [d.title for d in course.project.deadlines if d.due == session.date]
    if due:
        lines += ["", *(f"Due today: {title}" for title in due)]
    return "\n".join(lines)


def _class_event(course: Course, session: Session, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", class_uid(session))
    event.add("dtstamp", stamp)
    start, end = _class_times(course, session)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", class_summary(session))
    event.add("description", class_description(course, session))
    if course.room:
        event.add("location", course.room)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    if session.cancelled:
        event.add("transp", "TRANSPARENT")
    return event


def _deadline_event(course: Course, deadline: Deadline, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", deadline_uid(deadline))
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + ONE_DAY)
    event.add("summary", f"Due: {deadline.title}")
    lines = [deadline.details] if deadline.details else []
    lines.append(f"{course.title}: due {short_date(deadline.due)}, {deadline.due.year}.")
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")  # a deadline does not make the student busy all day
    return event


def _office_hours_event(course: Course, hours: OfficeHours, index: int, stamp: dt.datetime) -> Event | None:
    first = course.first_day + dt.timedelta(days=(hours.weekday - course.first_day.weekday()) % 7)
    if first > course.last_day:
        return None
    zone = course.timezone
    # RFC 5545 3.3.10: with a DTSTART that has a TZID, UNTIL must be in UTC. The end of the last day.
    until = dt.datetime.combine(course.last_day + ONE_DAY, dt.time(0), zone) - dt.timedelta(seconds=1)
    event = Event()
    event.add("uid", office_hours_uid(index))
    event.add("dtstamp", stamp)
    event.add("dtstart", dt.datetime.combine(first, hours.start, zone))
    event.add("dtend", dt.datetime.combine(first, hours.end, zone))
    event.add("rrule", {"freq": "weekly", "until": until.astimezone(dt.timezone.utc)})
    event.add("summary", f"Office hours ({hours.who})")
    if hours.place:
        event.add("location", hours.place)
    lines = [f"{hours.who}: {WEEKDAY_NAMES[hours.weekday]}s {clock_time(hours.start)}–{clock_time(hours.end)}"
             + (f", {hours.place}" if hours.place else "") + "."]
    if hours.note:
        lines.append(hours.note)
    if course.office_hours_notice:
        lines += ["", f"Update from the instructor: {course.office_hours_notice}"]
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(course: Course, now: dt.datetime) -> bytes:
    """The whole course as an .ics file (UTF-8, CRLF, folded lines); `now` is every event's DTSTAMP."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    stamp = now.astimezone(dt.timezone.utc).replace(microsecond=0)
    zone_name = getattr(course.timezone, "key", str(course.timezone))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{course.title} ({course.term})")
    cal.add("x-wr-caldesc", f"{course.title}, {course.term}: classes, project deadlines and office hours.")
    cal.add("x-wr-timezone", zone_name)
    for session in course.sessions:
        cal.add_component(_class_event(course, session, stamp))
    for deadline in course.project.deadlines:
        cal.add_component(_deadline_event(course, deadline, stamp))
    for index, hours in enumerate(course.office_hours, 1):
        if (event := _office_hours_event(course, hours, index, stamp)) is not None:
            cal.add_component(event)
    # One VTIMEZONE (TZID=America/New_York) covering every year the events touch, with its DST rules.
    days = [course.first_day, course.last_day, *(s.date for s in course.sessions),
            *(d.due for d in course.project.deadlines)]
    cal.add_missing_timezones(first_date=dt.date(min(days).year, 1, 1), last_date=dt.date(max(days).year + 1, 1, 1))
    return cal.to_ical()
