"""Which Discord scheduled events the course wants now: the coming classes, exams and office hours.

Pure: `bot/events.py` compares this plan with what it made before and with what the server has. An occurrence
has a stable key ("class-7", "exam-final", "office-hours-0-2024-09-18"), so a moved class edits its event and a
cancelled one cancels it. Discord needs a start and an end for an external event: a class without a start time
gets none (the course's file has no time to give), one without an end a default length.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from bot.core.ics import DEFAULT_CLASS_LENGTH, OFFICE_HOURS_KEY, class_key, exam_key
from bot.core.ics_text import class_summary, exam_summary
from bot.core.model import Course

MAX_OURS = 50  # of a server's 100 scheduled events, so it keeps room for its own
NAME_MAX = 100
LOCATION_MAX = 100
DESCRIPTION_MAX = 1000
DEFAULT_EXAM_LENGTH = dt.timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class EventPlan:
    """One wanted event, as Discord will show it."""

    key: str
    name: str
    start: dt.datetime
    end: dt.datetime
    location: str
    description: str = ""
    cancelled: bool = False  # a cancelled class: its event, if it exists, is cancelled, and none is created

    @property
    def fingerprint(self) -> str:
        """What we write, in one short value: a stored one that differs from the server's means a hand edit."""
        return fingerprint(self.name, self.start, self.end, self.location, self.description)


def fingerprint(name: str, start: dt.datetime, end: dt.datetime | None, location: str | None,
                description: str | None) -> str:
    """An event's visible fields as one value, the same whether read from our plan or from Discord (UTC times)."""
    utc = dt.timezone.utc
    text = "\x1f".join((name, start.astimezone(utc).isoformat(), end.astimezone(utc).isoformat() if end else "",
                        location or "", description or ""))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plan(key: str, name: str, start: dt.datetime, end: dt.datetime, location: str | None, fallback: str,
          description: str = "", cancelled: bool = False) -> EventPlan:
    return EventPlan(key, _clip(name, NAME_MAX), start, end, _clip(location or fallback, LOCATION_MAX),
                     _clip(description, DESCRIPTION_MAX), cancelled)


def class_events(course: Course) -> list[EventPlan]:
    """Every class with a known start (cancelled ones marked), in date order."""
    plans = []
    for session in course.sessions:
        start = course.class_start_at(session)
        if start is None:
            continue
        end = course.class_end_at(session) or start + DEFAULT_CLASS_LENGTH
        reason = f"Cancelled: {session.reason}" if session.cancelled and session.reason else ""
        plans.append(_plan(class_key(session), class_summary(course, session), start, end,
                           course.session_room(session), "Class", reason, session.cancelled))
    return plans


def exam_events(course: Course) -> list[EventPlan]:
    """Exams outside class with a start time (an exam held in class is its class's event)."""
    plans = []
    for exam in course.exams:
        start = course.exam_start_at(exam)
        if start is None:
            continue
        end = course.exam_end_at(exam) or start + DEFAULT_EXAM_LENGTH
        plans.append(_plan(exam_key(exam), exam_summary(exam.title), start, end, exam.room, "Exam",
                           exam.details or ""))
    return plans


def office_hour_events(course: Course, first: dt.date, last: dt.date) -> list[EventPlan]:
    """Each office hour on each of its days in [first, last], skipping breaks and skip dates."""
    plans = []
    zone = course.timezone
    for hours in course.office_hours:
        day = first + dt.timedelta(days=(hours.weekday - first.weekday()) % 7)
        while day <= min(last, course.last_day):
            if day >= course.first_day and day not in hours.skip and course.break_on(day) is None:
                # Named by what the hour is, not by its place in the list: adding one above keeps the others' keys.
                ident = hashlib.sha256(f"{hours.who}\x1f{hours.start}\x1f{hours.place}".encode()).hexdigest()[:8]
                plans.append(_plan(f"{OFFICE_HOURS_KEY}-{ident}-{day.isoformat()}", f"Office hours: {hours.who}",
                                   dt.datetime.combine(day, hours.start, zone), dt.datetime.combine(day, hours.end,
                                                                                                     zone),
                                   hours.place or hours.link, "Office hours", hours.link or ""))
            day += dt.timedelta(days=7)
    return plans


def wanted_events(course: Course, now: dt.datetime, days: int, limit: int = MAX_OURS) -> list[EventPlan]:
    """The events starting after `now` and within `days`, soonest first, at most `limit` (cancelled ones too,
    so that an existing event can be cancelled; they do not count towards the limit)."""
    horizon = now + dt.timedelta(days=days)
    today = now.astimezone(course.timezone).date()
    candidates = [*class_events(course), *exam_events(course),
                  *office_hour_events(course, today, horizon.astimezone(course.timezone).date())]
    coming = sorted((p for p in candidates if now < p.start <= horizon), key=lambda p: (p.start, p.key))
    kept, count = [], 0
    for plan in coming:
        if plan.cancelled:
            kept.append(plan)
        elif count < limit:
            kept.append(plan)
            count += 1
    return kept
