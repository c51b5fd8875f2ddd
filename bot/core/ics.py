"""The course as an iCalendar file (RFC 5545) for calendar apps: `/calendar`, the feed, `python -m bot calendar`.

What is in it: every class at its own time and room (all-day when the time is unknown; a cancelled class
stays, marked cancelled; an exam held in class is that class's event, never a second one), the exams held
outside class, every deadline (timed at its due instant, all-day when it has only a date) and each office
hour as a weekly series until the last day of classes, without the break days and its skipped dates.

The contract for calendar apps that subscribe to the feed or re-import the file:
- a UID names an event, not a date: 'class-7.<course>-<term>@coursebot' by class number, deadline id, exam
  id or office-hour index, so a moved class is updated in place, and no two courses or terms share one;
- SEQUENCE and LAST-MODIFIED come from the change log (`revisions`, keyed as `Revision` says): an app
  takes an event with a higher SEQUENCE as newer;
- nothing depends on the wall clock: DTSTAMP is the newest revision's time (the first day of classes,
  00:00 UTC, when nothing changed), so the same course and revisions always give the same bytes (the
  feed's ETag holds until something changes);
- with the feed's URL (`feed_url`), the calendar says where it lives and how often to fetch it again:
  SOURCE (RFC 7986), REFRESH-INTERVAL;VALUE=DURATION (RFC 7986 requires the parameter) and the older
  X-PUBLISHED-TTL that Outlook and Apple read, both one hour.

Pure; icalendar does the escaping, folding and VTIMEZONE. The words of summaries and descriptions are in
`bot.core.ics_text`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping

from icalendar import Calendar, Event, vDuration, vText, vUri

from bot.core.ics_text import (
    calendar_contents,
    class_description,
    class_summary,
    deadline_description,
    exam_description,
    exam_summary,
    office_hours_description,
)
from bot.core.model import Course, Deadline, Exam, OfficeHours, Revision, Revisions, Session

PRODID = "-//coursebot//EN"
UID_DOMAIN = "coursebot"
OFFICE_HOURS_KEY = "office-hours"
DEFAULT_CLASS_LENGTH = dt.timedelta(minutes=75)
ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)
# A deadline is an instant, and is shown as one: DTSTART at the due time with a zero DURATION. Calendar
# views (a phone's agenda list above all) then show the due time itself ("11:59pm Due: Homework 3") and a
# default alert counts back from it, where a 30-minute block ending at the due time would be listed at
# 11:29pm, as if something started then. DTEND equal to DTSTART is not allowed (RFC 5545 3.8.2.2: DTEND
# "MUST be later"), and an event with neither DTEND nor DURATION, though valid (3.6.1), is one Exchange
# refuses to import (Microsoft's notes on RFC 5545, MS-STANXICAL).
INSTANT = dt.timedelta(0)
UTC = dt.timezone.utc
REFRESH = dt.timedelta(hours=1)  # how often a subscribed app should fetch the feed again


def _slug(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-")


def calendar_filename(course: Course) -> str:
    """'cs-452-distributed-systems-spring-2025.ics': code, title and term, lower case, only [a-z0-9-]."""
    return f"{_slug(f'{course.name} {course.term}', 80) or 'course'}.ics"


def course_slug(course: Course) -> str:
    """'cs-452-spring-2025': the course (its code, or its title when it has none) and its term.

    The code when there is one, so that a retitled course keeps its events; the term always, so that the
    next term of the same course is another calendar.
    """
    return f"{_slug(course.code or course.title, 60) or 'course'}-{_slug(course.term, 30) or 'term'}"


def class_key(session: Session) -> str:
    return f"class-{session.number}"


def deadline_key(deadline: Deadline) -> str:
    return f"deadline-{deadline.id}"


def exam_key(exam: Exam) -> str:
    return f"exam-{exam.id}"


def event_uid(course: Course, name: str) -> str:
    """'class-7.cs-452-spring-2025@coursebot'."""
    return f"{name}.{course_slug(course)}@{UID_DOMAIN}"


def _utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("a revision's modified time must be timezone-aware")
    return instant.astimezone(UTC).replace(microsecond=0)


def calendar_stamp(course: Course, revisions: Mapping[str, Revision]) -> dt.datetime:
    """Every event's DTSTAMP: the newest change, or the first day of classes at 00:00 UTC when none."""
    stamps = [_utc(revision.modified) for revision in revisions.values()]
    if isinstance(revisions, Revisions) and revisions.floor is not None:
        stamps.append(_utc(revisions.floor.modified))
    if not stamps:
        return dt.datetime.combine(course.first_day, dt.time(0), UTC)
    return max(stamps)


def _new_event(course: Course, name: str, key: str, revisions: Mapping[str, Revision], stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(course, name))
    event.add("dtstamp", stamp)
    revision = revisions.get(key)
    event.add("sequence", revision.sequence if revision else 0)
    if revision is not None:
        event.add("last-modified", _utc(revision.modified))
    return event


def _add_span(event: Event, start: dt.datetime | None, end: dt.datetime | None, day: dt.date,
              default_length: dt.timedelta | None) -> None:
    """Timed from start to end; all-day when the start is unknown. An unknown end: default_length, or an instant."""
    if start is None:
        event.add("dtstart", day)
        event.add("dtend", day + ONE_DAY)
        return
    event.add("dtstart", start)
    if end is not None and end > start:
        event.add("dtend", end)
    elif default_length is not None:
        event.add("dtend", start + default_length)  # wall-clock arithmetic: right on a DST day too
    else:
        event.add("duration", INSTANT)


def _class_event(course: Course, session: Session, revisions: Mapping[str, Revision], stamp: dt.datetime) -> Event:
    key = class_key(session)
    event = _new_event(course, key, key, revisions, stamp)
    _add_span(event, course.class_start_at(session), course.class_end_at(session), session.date,
              DEFAULT_CLASS_LENGTH)
    event.add("summary", class_summary(course, session))
    if description := class_description(course, session):
        event.add("description", description)
    if room := course.session_room(session):
        event.add("location", room)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    if session.cancelled:
        event.add("transp", "TRANSPARENT")
    return event


def _exam_event(course: Course, exam: Exam, revisions: Mapping[str, Revision], stamp: dt.datetime) -> Event:
    key = exam_key(exam)
    event = _new_event(course, key, key, revisions, stamp)
    _add_span(event, course.exam_start_at(exam), course.exam_end_at(exam), exam.date, None)  # no invented length
    event.add("summary", exam_summary(exam.title))
    event.add("description", exam_description(course, exam))
    if exam.room:
        event.add("location", exam.room)
    event.add("status", "CONFIRMED")
    return event


def _deadline_event(course: Course, deadline: Deadline, revisions: Mapping[str, Revision],
                    stamp: dt.datetime) -> Event:
    key = deadline_key(deadline)
    event = _new_event(course, key, key, revisions, stamp)
    if deadline.time is None:  # a date alone: due by the end of that day, shown as the day
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + ONE_DAY)
    else:
        event.add("dtstart", course.due_at(deadline))
        event.add("duration", INSTANT)
    event.add("summary", f"Due: {deadline.title}")
    event.add("description", deadline_description(course, deadline))
    if deadline.url:
        event.add("url", deadline.url)
    event.add("transp", "TRANSPARENT")  # a deadline does not make the student busy
    return event


def _weekly_days(course: Course, weekday: int) -> Iterator[dt.date]:
    """Every date of that weekday from the first to the last day of classes."""
    day = course.first_day + dt.timedelta(days=(weekday - course.first_day.weekday()) % 7)
    while day <= course.last_day:
        yield day
        day += ONE_WEEK


def office_hours_exceptions(course: Course, hours: OfficeHours) -> list[dt.date]:
    """The dates the weekly series skips: break days and the hour's own skip dates, on its weekday, in term."""
    return [day for day in _weekly_days(course, hours.weekday) if day in hours.skip or course.break_on(day)]


def _office_hours_event(course: Course, hours: OfficeHours, index: int, revisions: Mapping[str, Revision],
                        stamp: dt.datetime) -> Event | None:
    days = list(_weekly_days(course, hours.weekday))
    if not days:
        return None
    zone = course.timezone
    event = _new_event(course, f"{OFFICE_HOURS_KEY}-{index}", OFFICE_HOURS_KEY, revisions, stamp)
    event.add("dtstart", dt.datetime.combine(days[0], hours.start, zone))
    event.add("dtend", dt.datetime.combine(days[0], hours.end, zone))
    # RFC 5545 3.3.10: with a DTSTART that has a TZID, UNTIL must be in UTC. The end of the last day.
    until = dt.datetime.combine(course.last_day + ONE_DAY, dt.time(0), zone) - dt.timedelta(seconds=1)
    event.add("rrule", {"freq": "weekly", "until": until.astimezone(UTC)})
    # One EXDATE line per date, at the series' local time (with its TZID): understood by every client,
    # where a comma-separated list is not.
    for day in office_hours_exceptions(course, hours):
        event.add("exdate", dt.datetime.combine(day, hours.start, zone))
    event.add("summary", f"Office hours ({hours.who})")
    if hours.place:
        event.add("location", hours.place)
    if hours.link:
        event.add("url", hours.link)
    event.add("description", office_hours_description(course, hours, office_hours_exceptions(course, hours)))
    event.add("transp", "TRANSPARENT")
    return event


def _events(course: Course, revisions: Mapping[str, Revision], stamp: dt.datetime) -> Iterator[Event]:
    for session in course.sessions:  # an exam held in class is its class's event
        yield _class_event(course, session, revisions, stamp)
    for exam in course.all_exams():
        if exam.session is None:
            yield _exam_event(course, exam, revisions, stamp)
    for deadline in course.deadlines:
        yield _deadline_event(course, deadline, revisions, stamp)
    for index, hours in enumerate(course.office_hours, 1):
        if (event := _office_hours_event(course, hours, index, revisions, stamp)) is not None:
            yield event


def _add_text(cal: Calendar, name: str, text: str) -> None:
    # vText escapes ',', ';' and '\\' in every property, X-WR-* included (icalendar writes an extension
    # property's plain str verbatim, and vobject then cuts X-WR-CALDESC at the first comma).
    cal.add(name, vText(text))


def _add_feed(cal: Calendar, feed_url: str) -> None:
    # icalendar writes a timedelta as REFRESH-INTERVAL:PT1H, without the VALUE=DURATION that RFC 7986 3.8
    # requires, and an unknown X- property's timedelta as "1:00:00": both are spelled out here.
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add("source", vUri(feed_url))  # a URI, not text: no escaping


def build_calendar(course: Course, revisions: Mapping[str, Revision] | None = None,
                   feed_url: str | None = None) -> bytes:
    """The whole course as an .ics file (UTF-8, CRLF, folded lines): the same course and revisions, the same bytes.

    `revisions` maps an event's key ('class-7', 'deadline-hw3', 'exam-final', 'office-hours') to how often
    and when last the instructor's changes touched it; an event without one has SEQUENCE 0. `feed_url`, the
    live feed's address, adds SOURCE and the refresh interval (a file for a one-off import needs neither).
    """
    revisions = {} if revisions is None else revisions
    stamp = calendar_stamp(course, revisions)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = f"{course.name} ({course.term})"
    description = f"{course.name}, {course.term}: {calendar_contents(course)}."
    for prop, text in (("name", name), ("x-wr-calname", name), ("description", description),
                       ("x-wr-caldesc", description)):  # RFC 7986 and the older names clients still read
        _add_text(cal, prop, text)
    cal.add("x-wr-timezone", getattr(course.timezone, "key", str(course.timezone)))
    if feed_url is not None:
        _add_feed(cal, feed_url)
    for event in _events(course, revisions, stamp):
        cal.add_component(event)
    # One VTIMEZONE (e.g. TZID=America/Los_Angeles) covering every year the events touch, with its DST rules.
    days = [course.first_day, course.end, *(s.date for s in course.sessions), *(d.due for d in course.deadlines),
            *(e.date for e in course.exams)]
    cal.add_missing_timezones(first_date=dt.date(min(days).year, 1, 1), last_date=dt.date(max(days).year + 1, 1, 1))
    return cal.to_ical()
