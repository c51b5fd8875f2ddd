"""The reminder plan: every reminder of the term, each with a stable key, its instant and its exact text.

Pure: a function of the course and the reminder settings. What has been sent is
the ledger's business (bot/store.py), when to fire is the scheduler's.

One kind per thing a student must not miss, each only where the course has it:
critiques (before each class with papers, in a course with critiques), deadlines
(homework, quizzes, other: hours before the due instant), project milestones and
exams (days before, and the morning of), a weekly digest, and office hours (opt-in).
A key names what it reminds of and when that is due, so a moved deadline or class
re-plans: its old keys vanish and new ones appear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from bot.core.dates import clock_time, short_date
from bot.core.model import Course, Deadline, Exam, OfficeHours, Session
from bot.core.queries import critique_due, monday_of

KINDS = ("critique", "deadline", "project", "exam", "digest", "officehours")
TEXT_MAX = 1900  # Discord allows 2000 characters; the rest is room for the late-post notice
DETAILS_MAX = 600  # an instructor's details are cut here, so the reminder keeps its footer
NAME_MAX = 200  # titles, topics and rooms in a reminder's first line
DIGEST_USEFUL_UNTIL = dt.time(12, 0)  # a late digest still helps until Monday noon
OFFICE_HOURS_LEAD = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """When reminders go out; all times are in the course's time zone. Each lead-time list is a setting."""

    evening_before: dt.time | None = dt.time(18, 0)
    morning_of: dt.time | None = dt.time(8, 0)
    hours_before: tuple[int, ...] = (24, 2)  # critiques, instead of evening/morning when the class start is known
    deadline_hours_before: tuple[int, ...] = (24, 2)  # homework, quizzes and other deadlines
    project_days_before: tuple[int, ...] = (7, 1, 0)  # 0 = the morning of the deadline
    exam_days_before: tuple[int, ...] = (7, 1, 0)  # 0 = the morning of the exam
    digest: bool = True  # Sunday 18:00: the coming week
    digest_time: dt.time = dt.time(18, 0)
    office_hours: bool = False  # 30 minutes before each office hour


@dataclass(frozen=True, slots=True)
class Reminder:
    """One post to make: `key` is stable across re-plans, so the ledger can recognise it."""

    key: str
    kind: str  # one of KINDS
    at: dt.datetime  # aware
    useful_until: dt.datetime  # after this a late post would not help: skip it
    text: str
    session_date: dt.date | None = None  # the day it is about: the class, the due date, the exam, the Monday

    @property
    def nonce(self) -> str:
        return nonce_for(self.key)


def nonce_for(key: str) -> str:
    """A Discord nonce (at most 25 characters) derived from a delivery key: the same post, the same nonce."""
    return hashlib.sha256(key.encode()).hexdigest()[:25]


# --- small helpers ---------------------------------------------------------------------------


def _at(course: Course, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, course.timezone)


def _hours_before(course: Course, instant: dt.datetime, hours: int) -> dt.datetime:
    """`hours` real hours before `instant` (across a DST change too), on the course's wall clock."""
    return (instant.astimezone(dt.timezone.utc) - dt.timedelta(hours=hours)).astimezone(course.timezone)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _in_hours(hours: int) -> str:
    return f"In {_plural(hours, 'hour')}"


def _in_days(days: int) -> str:
    return {0: "Today", 1: "Tomorrow"}.get(days, f"In {days} days")


def _span(start: dt.time | None, end: dt.time | None) -> str | None:
    """'2pm–3:15pm', '2pm', or None."""
    if start is None:
        return None
    return f"{clock_time(start)}–{clock_time(end)}" if end else clock_time(start)


def _short(text: str, limit: int = NAME_MAX) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _details(text: str | None) -> list[str]:
    return [_short(text, DETAILS_MAX)] if text else []


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


def _due_token(day: dt.date, time: dt.time | None) -> str:
    """The due date (and time, when stated) as it appears in keys: '2024-10-16', '2025-02-14T23:59'."""
    return day.isoformat() + (f"T{time:%H:%M}" if time else "")


def _due_words(deadline: Deadline, *, end_of_day: bool = False) -> str:
    """'Wed Oct 16' for a date alone ('Wed Oct 16, end of day' when asked), 'Fri Feb 14, 11:59pm' with a time."""
    if deadline.time:
        return f"{short_date(deadline.due)}, {clock_time(deadline.time)}"
    return short_date(deadline.due) + (", end of day" if end_of_day else "")


def _day_slots(course: Course, day: dt.date, days_before: tuple[int, ...],
               s: ReminderSettings) -> list[tuple[int, dt.datetime]]:
    """(days, instant): the evening `days` before `day` (the morning time when there is no evening), or its morning."""
    morning = s.morning_of or dt.time(8, 0)
    return [(days, _at(course, day - dt.timedelta(days=days), morning if days == 0 else s.evening_before or morning))
            for days in days_before]


# --- critiques -------------------------------------------------------------------------------


def _critique_text(course: Course, session: Session, when: str) -> str:
    assert course.critiques is not None
    start = course.session_start(session)
    due = f"before class ({clock_time(start)})" if start else "before class"
    form = course.critiques.form()
    readings = f"/readings {session.date.month}/{session.date.day}"
    head = [
        f"**{when}, {short_date(session.date)} — {_short(session.title)}** (class {session.number})",
        f"Critiques are due {due}" + (f", {form}." if form else "."),
        "Papers:",
    ]
    papers = [f"• {p.title}" + (f" ({p.authors})" if p.authors else "") for p in session.papers]
    return _fit(head, papers, [f"{readings} for the full list · /critique rules"], readings)


def _critique_reminders(course: Course, session: Session, s: ReminderSettings) -> list[Reminder]:
    due = critique_due(course, session)
    slots: list[tuple[str, dt.datetime, str]] = []
    start = course.class_start_at(session)
    if start is not None:
        slots += [(f"{hours}h", _hours_before(course, start, hours), _in_hours(hours)) for hours in s.hours_before]
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


# --- deadlines: homework, quizzes, other; project milestones -----------------------------------


def _deadline_text(deadline: Deadline, when: str, *, end_of_day: bool = False) -> str:
    head = [f"**{when}: {_short(deadline.title)} due {_due_words(deadline, end_of_day=end_of_day)}**",
            *_details(deadline.details)]
    if deadline.url:
        head.append(deadline.url)
    return _fit(head, [], ["/deadlines for everything due"], "/deadlines")


def _deadline_reminders(course: Course, deadline: Deadline, s: ReminderSettings) -> list[Reminder]:
    """Homework, a quiz or another deadline: `deadline_hours_before` real hours before it is due."""
    due = course.due_at(deadline)
    token = _due_token(deadline.due, deadline.time)
    found = []
    for hours in s.deadline_hours_before:
        at = _hours_before(course, due, hours)
        if at < due:
            found.append(Reminder(f"deadline:{deadline.id}:{token}:{hours}h", "deadline", at, due,
                                  _deadline_text(deadline, _in_hours(hours), end_of_day=True), deadline.due))
    return found


def _project_reminders(course: Course, deadline: Deadline, s: ReminderSettings) -> list[Reminder]:
    """A project milestone: days before (in the evening) and the morning of the day."""
    due = course.due_at(deadline)
    token = _due_token(deadline.due, deadline.time)
    return [
        Reminder(f"project:{deadline.id}:{token}:{days}d", "project", at, due,
                 _deadline_text(deadline, _in_days(days)), deadline.due)
        for days, at in _day_slots(course, deadline.due, s.project_days_before, s) if at < due
    ]


# --- exams -----------------------------------------------------------------------------------


def _exam_where(exam: Exam) -> str:
    """'Wed May 7, 2:30pm–4:20pm, Kane Hall 130': whatever of the day, time and room is known."""
    return ", ".join(_short(p) for p in (short_date(exam.date), _span(exam.start, exam.end), exam.room) if p)


def _exam_title(exam: Exam) -> str:
    return f"{_short(exam.title)} (in class)" if exam.session is not None else _short(exam.title)


def _exam_reminders(course: Course, exam: Exam, s: ReminderSettings) -> list[Reminder]:
    """An exam (held in class or not): days before and the morning of, with its time and room."""
    start = course.exam_start_at(exam) or _at(course, exam.date, course.cutoff)
    token = _due_token(exam.date, exam.start)
    found = []
    for days, at in _day_slots(course, exam.date, s.exam_days_before, s):
        if at >= start:
            continue
        head = [f"**{_in_days(days)}: {_exam_title(exam)} — {_exam_where(exam)}**", *_details(exam.details)]
        text = _fit(head, [], ["/deadlines for everything due"], "/deadlines")
        found.append(Reminder(f"exam:{exam.id}:{token}:{days}d", "exam", at, start, text, exam.date))
    return found


# --- the weekly digest -----------------------------------------------------------------------


def _session_line(course: Course, session: Session) -> str:
    if session.cancelled:
        return f"{short_date(session.date)} — class {session.number} is cancelled"
    notes = []
    if session.is_exam:
        notes.append(", ".join(p for p in ("exam", _span(course.session_start(session), course.session_end(session)),
                                           course.session_room(session)) if p))
    elif session.start or session.room:  # a class at its own time or place (a make-up class)
        notes.append(", ".join(p for p in (_span(session.start, session.end), session.room) if p))
    if session.papers and not session.is_exam:
        papers = _plural(len(session.papers), "paper")
        notes.append(f"{papers}, critiques due before class" if course.critiques is not None else papers)
    return f"{short_date(session.date)} — {session.title}" + (f" ({'; '.join(notes)})" if notes else "")


def _break_line(course: Course, monday: dt.date) -> list[str]:
    sunday = monday + dt.timedelta(days=6)
    lines = []
    for pause in course.breaks:
        if pause.start <= sunday and pause.end >= monday:
            span = (f"on {short_date(pause.start)}" if pause.start == pause.end
                    else f"{short_date(pause.start)} – {short_date(pause.end)}")
            lines.append(f"🏖 {pause.name}: no classes {span}")
    return lines


@dataclass(frozen=True, slots=True)
class _Week:
    """What falls in one week (Monday to Sunday), in the course's order."""

    sessions: tuple[Session, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    exams: tuple[Exam, ...] = ()


def _weeks(course: Course) -> dict[dt.date, _Week]:
    """Each Monday's week, grouped in one pass (by the same Monday rather than "up to monday + 6": no overflow in
    9999); a digest per week then reads only its own week instead of the whole term."""
    sessions: dict[dt.date, list[Session]] = {}
    deadlines: dict[dt.date, list[Deadline]] = {}
    exams: dict[dt.date, list[Exam]] = {}
    for x in course.sessions:
        sessions.setdefault(monday_of(x.date), []).append(x)
    for d in course.deadlines:
        deadlines.setdefault(monday_of(d.due), []).append(d)
    for e in course.exams:
        exams.setdefault(monday_of(e.date), []).append(e)
    return {m: _Week(tuple(sessions.get(m, ())), tuple(deadlines.get(m, ())), tuple(exams.get(m, ())))
            for m in sessions.keys() | deadlines.keys() | exams.keys()}


def _digest(course: Course, monday: dt.date, week: _Week, s: ReminderSettings) -> Reminder | None:
    sessions = week.sessions
    dated: list[tuple[dt.datetime, str]] = [
        (course.due_at(d), f"📌 {_due_words(d)} — {_short(d.title)} due") for d in week.deadlines
    ]
    dated += [(course.exam_start_at(e) or _at(course, e.date, dt.time(0)), f"📝 {_exam_where(e)} — {_short(e.title)}")
              for e in week.exams]
    breaks = _break_line(course, monday)
    if not sessions and not dated and not breaks:
        return None
    head = [f"**The week of {short_date(monday)}**", *breaks, *(line for _, line in sorted(dated, key=lambda x: x[0]))]
    lines = []
    for x in sessions:
        lines.append(_session_line(course, x))
        if not x.cancelled and not x.is_exam:
            lines += [f"   • {p.title}" for p in x.papers]
    at = _at(course, monday - dt.timedelta(days=1), s.digest_time)
    text = _fit(head, lines, ["/schedule for the details"], "/schedule")
    return Reminder(f"digest:{monday.isoformat()}", "digest", at, _at(course, monday, DIGEST_USEFUL_UNTIL), text,
                    monday)


def _digest_mondays(course: Course) -> list[dt.date]:
    """The Monday of every week with a class, a deadline, an exam or a break day in the term."""
    days = {x.date for x in course.sessions} | {d.due for d in course.deadlines} | {e.date for e in course.exams}
    mondays = {monday_of(d) for d in days}
    for pause in course.breaks:
        first, last = monday_of(max(pause.start, course.first_day)), monday_of(min(pause.end, course.end))
        mondays |= {first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)}
    return sorted(mondays)


# --- office hours ------------------------------------------------------------------------------


def _office_hours_text(hours: OfficeHours) -> str:
    if hours.link:
        where = f" — {hours.place or 'online'}: {hours.link}"
    else:
        where = f" in {hours.place}." if hours.place else "."
    span = f"{clock_time(hours.start)}–{clock_time(hours.end)}"
    return f"Office hours with {hours.who} start in 30 minutes ({span}){where}"[:TEXT_MAX]


def _office_hours_reminders(course: Course, hours: OfficeHours, index: int) -> list[Reminder]:
    """30 minutes before each occurrence in the term, none during breaks or on the hour's skip dates."""
    found = []
    text = _office_hours_text(hours)
    day = course.first_day + dt.timedelta(days=(hours.weekday - course.first_day.weekday()) % 7)
    while day <= course.last_day:
        if course.break_on(day) is None and day not in hours.skip:
            start = _at(course, day, hours.start)
            found.append(Reminder(f"officehours:{day.isoformat()}T{hours.start:%H:%M}:{index}", "officehours",
                                  start - OFFICE_HOURS_LEAD, _at(course, day, hours.end), text, day))
        day += dt.timedelta(days=7)
    return found


# --- the plan --------------------------------------------------------------------------------


def plan(course: Course, settings: ReminderSettings = ReminderSettings()) -> tuple[Reminder, ...]:
    """Every reminder of the term, past and future, in time order. Cancelled classes get none."""
    found: list[Reminder] = []
    if course.critiques is not None:
        for session in course.sessions:
            if session.has_papers:
                found += _critique_reminders(course, session, settings)
    for deadline in course.deadlines:
        if deadline.kind == "project":
            found += _project_reminders(course, deadline, settings)
        else:
            found += _deadline_reminders(course, deadline, settings)
    for exam in course.all_exams():
        found += _exam_reminders(course, exam, settings)
    if settings.digest:
        weeks = _weeks(course)
        found += [r for m in _digest_mondays(course) if (r := _digest(course, m, weeks.get(m, _Week()), settings))]
    if settings.office_hours:
        for i, hours in enumerate(course.office_hours):
            found += _office_hours_reminders(course, hours, i)
    return tuple(sorted(found, key=lambda r: (r.at, r.key)))


def upcoming(reminders: tuple[Reminder, ...], now: dt.datetime) -> tuple[Reminder, ...]:
    """Those still to come."""
    return tuple(r for r in reminders if r.at > now)
