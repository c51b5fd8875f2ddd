"""The reminder plan: every reminder of the term, each with a stable key, its instant and its exact text.

Pure: a function of the course and the reminder settings. What has been sent is
the ledger's business (bot/store.py), when to fire is the scheduler's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from bot.core.dates import QueryError, short_date
from bot.core.model import Course, Deadline, OfficeHours, Session
from bot.core.queries import critique_due, deadline_due, monday_of

KINDS = ("critique", "project", "digest", "officehours")
TEXT_MAX = 1900  # Discord allows 2000 characters; the rest is room for the late-post notice


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """When reminders go out; all times are in the course's time zone."""

    evening_before: dt.time | None = dt.time(18, 0)
    morning_of: dt.time | None = dt.time(8, 0)
    hours_before: tuple[int, ...] = (24, 2)  # used instead of evening/morning when the class start is known
    project_days_before: tuple[int, ...] = (7, 1, 0)  # 0 = the morning of the deadline
    digest: bool = True  # Sunday 18:00: the coming week
    digest_time: dt.time = dt.time(18, 0)
    office_hours: bool = False  # 30 minutes before each office hour
    cutoff: dt.time = dt.time(12, 0)  # when critiques count as due if the class start is unset


@dataclass(frozen=True, slots=True)
class Reminder:
    """One post to make: `key` is stable across re-plans, so the ledger can recognise it."""

    key: str
    kind: str  # one of KINDS
    at: dt.datetime  # aware
    useful_until: dt.datetime  # after this a late post would not help: skip it
    text: str
    session_date: dt.date | None = None

    @property
    def nonce(self) -> str:
        return nonce_for(self.key)


def nonce_for(key: str) -> str:
    """A Discord nonce (at most 25 characters) derived from a delivery key: the same post, the same nonce."""
    return hashlib.sha256(key.encode()).hexdigest()[:25]


def _at(course: Course, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, course.timezone)


def _count(n: int) -> str:
    return ("no", "one", "two", "three", "four")[n] if n < 5 else str(n)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _fit(head: list[str], items: list[str], tail: list[str], where_more: str) -> str:
    """Join the lines within TEXT_MAX, dropping items from the end (and saying how many) if needed."""
    kept = list(items)
    while True:
        dropped = len(items) - len(kept)
        note = [f"…and {dropped} more: {where_more}"] if dropped else []
        text = "\n".join(head + kept + note + tail)
        if len(text) <= TEXT_MAX or not kept:
            return text[:TEXT_MAX]
        kept.pop()


def _critique_text(course: Course, session: Session, when: str) -> str:
    rules = course.critiques
    due = "before class"
    if course.class_start:
        due = f"before class ({course.class_start:%H:%M})"
    readings = f"/readings {session.date.month}/{session.date.day}"
    head = [
        f"**{when}, {short_date(session.date)} — {session.title}** (class {session.number})",
        f"Critiques are due {due}, {rules.format}, {rules.length}, {_count(len(rules.paragraphs))} paragraphs.",
        "Papers:",
    ]
    papers = [f"• {p.title}" + (f" ({p.authors})" if p.authors else "") for p in session.papers]
    return _fit(head, papers, [f"{readings} for the full list · /critique rules"], readings)


def _critique_reminders(course: Course, session: Session, s: ReminderSettings) -> list[Reminder]:
    due = critique_due(course, session, s.cutoff)
    slots: list[tuple[str, dt.datetime, str]] = []
    start = course.class_start_at(session)
    if start is not None:
        for hours in s.hours_before:
            at = (start.astimezone(dt.timezone.utc) - dt.timedelta(hours=hours)).astimezone(course.timezone)
            slots.append((f"{hours}h", at, f"In {hours} hour{'s' * (hours != 1)}"))
    else:
        if s.evening_before:
            slots.append(("eve", _at(course, session.date - dt.timedelta(days=1), s.evening_before), "Tomorrow"))
        if s.morning_of:
            slots.append(("morning", _at(course, session.date, s.morning_of), "Today"))
    return [
        Reminder(f"critique:{session.date.isoformat()}:{slot}", "critique", at, due,
                 _critique_text(course, session, when), session.date)
        for slot, at, when in slots if at < due
    ]


def _project_reminders(course: Course, deadline: Deadline, s: ReminderSettings) -> list[Reminder]:
    due = deadline_due(course, deadline)
    morning = s.morning_of or dt.time(8, 0)
    found = []
    for days in s.project_days_before:
        at = _at(course, deadline.due - dt.timedelta(days=days), morning if days == 0 else s.evening_before or morning)
        when = {0: "Today", 1: "Tomorrow"}.get(days, f"In {days} days")
        details = f"\n{deadline.details}" if deadline.details else ""
        text = f"**{when}: {deadline.title} due {short_date(deadline.due)}**{details}\n/deadlines for everything due"
        found.append(Reminder(f"project:{deadline.id}:{deadline.due.isoformat()}:{days}d", "project", at, due, text,
                              deadline.due))
    return found


def _digest(course: Course, monday: dt.date, s: ReminderSettings) -> Reminder | None:
    sunday = monday + dt.timedelta(days=6)
    sessions = [x for x in course.sessions if monday <= x.date <= sunday]
    deadlines = [d for d in course.project.deadlines if monday <= d.due <= sunday]
    if not sessions and not deadlines:
        return None
    head = [f"**The week of {short_date(monday)}**"]
    head += [f"📌 {short_date(d.due)} — {d.title} due" for d in deadlines]
    lines = []
    for x in sessions:
        if x.cancelled:
            lines.append(f"{short_date(x.date)} — class {x.number} is cancelled")
            continue
        due = f" ({_plural(len(x.papers), 'paper')}, critiques due before class)" if x.papers else ""
        lines.append(f"{short_date(x.date)} — {x.title}{due}")
        lines += [f"   • {p.title}" for p in x.papers]
    at = _at(course, monday - dt.timedelta(days=1), s.digest_time)
    text = _fit(head, lines, ["/schedule for the details"], "/schedule")
    return Reminder(f"digest:{monday.isoformat()}", "digest", at, _at(course, monday, s.cutoff), text, monday)


def _office_hours_reminders(course: Course, hours: OfficeHours, index: int) -> list[Reminder]:
    found = []
    day = course.first_day + dt.timedelta(days=(hours.weekday - course.first_day.weekday()) % 7)
    while day <= course.last_day:
        start = _at(course, day, hours.start)
        place = f" in {hours.place}" if hours.place else ""
        text = f"Office hours with {hours.who} start in 30 minutes ({hours.start:%H:%M}–{hours.end:%H:%M}){place}."
        found.append(Reminder(f"officehours:{day.isoformat()}:{index}", "officehours",
                              start - dt.timedelta(minutes=30), _at(course, day, hours.end), text, day))
        day += dt.timedelta(days=7)
    return found


def plan(course: Course, settings: ReminderSettings = ReminderSettings()) -> tuple[Reminder, ...]:
    """Every reminder of the term, past and future, in time order. Cancelled classes get none."""
    found: list[Reminder] = []
    for session in course.sessions:
        if session.has_papers:
            found += _critique_reminders(course, session, settings)
    for deadline in course.project.deadlines:
        found += _project_reminders(course, deadline, settings)
    if settings.digest:
        mondays = sorted({monday_of(x.date) for x in course.sessions} | {monday_of(d.due)
                                                                         for d in course.project.deadlines})
        found += [r for m in mondays if (r := _digest(course, m, settings))]
    if settings.office_hours:
        for i, hours in enumerate(course.office_hours):
            found += _office_hours_reminders(course, hours, i)
    return tuple(sorted(found, key=lambda r: (r.at, r.key)))


def upcoming(reminders: tuple[Reminder, ...], now: dt.datetime) -> tuple[Reminder, ...]:
    """Those still to come."""
    return tuple(r for r in reminders if r.at > now)


DM_KINDS = {"critique": "critique deadlines", "project": "project deadlines", "digest": "the weekly digest"}
_KIND_WORDS = {"critique": "critique", "critiques": "critique", "project": "project", "projects": "project",
               "proposal": "project", "final": "project", "deadlines": "project", "digest": "digest",
               "weekly": "digest", "week": "digest"}


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """'critiques, project' → ('critique', 'project'); empty or 'all' → every kind; QueryError otherwise."""
    words = [w for w in re.split(r"[\s,;/+&]+|\band\b", (text or "").lower()) if w]
    if not words or words == ["all"]:
        return tuple(DM_KINDS)
    unknown = [w for w in words if w not in _KIND_WORDS and w != "all"]
    if unknown:
        raise QueryError(f"I don't know the reminder kind “{unknown[0][:40]}”. "
                         "Choose from: critiques, project, digest — or all.")
    if "all" in words:
        return tuple(DM_KINDS)
    return tuple(k for k in DM_KINDS if k in {_KIND_WORDS[w] for w in words})
