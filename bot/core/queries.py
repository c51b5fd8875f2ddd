"""Every student question answered as plain data: a function of (course, query, now).

Renderers (console text, Discord embeds) turn these answers into words; nothing here
formats for a particular surface beyond short phrases that both share.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.dates import (
    QueryError,
    class_is_over,
    local_now,
    neighbours,
    next_session,
    parse_when,
    relative_day,
    relative_instant,
    short_date,
)
from bot.core.model import Course, Deadline, OfficeHours, Session

DEFAULT_CUTOFF = dt.time(12, 0)


@dataclass(frozen=True, slots=True)
class Readings:
    """A class and what to read and hand in for it."""

    session: Session
    today: dt.date
    previous: Session | None
    next: Session | None
    critique_due: dt.datetime | None  # None when the class has no papers or is cancelled
    critique_open: bool  # the critique deadline has not passed yet
    deadlines: tuple[Deadline, ...]  # project deadlines on the same day
    class_start: dt.datetime | None

    @property
    def relative(self) -> str:
        return relative_day(self.session.date, self.today)


@dataclass(frozen=True, slots=True)
class NoClass:
    """A day without a class: the nearest classes around it, and whether the course is over."""

    date: dt.date
    today: dt.date
    before: Session | None
    after: Session | None
    first_day: dt.date
    last_day: dt.date

    @property
    def course_over(self) -> bool:
        return self.after is None

    @property
    def not_started(self) -> bool:
        return self.before is None


@dataclass(frozen=True, slots=True)
class CourseOver:
    """Asked for the next class after the last one."""

    last: Session
    today: dt.date


@dataclass(frozen=True, slots=True)
class Week:
    monday: dt.date
    sessions: tuple[Session, ...]
    deadlines: tuple[Deadline, ...]
    number: int | None  # week of the term, 1-based; None outside it


@dataclass(frozen=True, slots=True)
class ScheduleAnswer:
    weeks: tuple[Week, ...]
    today: dt.date
    course_over: bool


@dataclass(frozen=True, slots=True)
class OfficeHoursSlot:
    hours: OfficeHours
    next_start: dt.datetime | None  # None once the term is over
    next_end: dt.datetime | None
    in_progress: bool


@dataclass(frozen=True, slots=True)
class OfficeHoursAnswer:
    slots: tuple[OfficeHoursSlot, ...]
    now: dt.datetime
    course_over: bool
    notice: str | None = None  # an instructor's note that replaces or adds to the schedule


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due: a critique for a class, or a project deadline."""

    kind: str  # "critique" | "proposal" | "final" | other deadline id
    title: str
    date: dt.date
    due: dt.datetime  # the instant it is due (class start, or the cut-off/end of day when unknown)
    exact_time: bool  # the instant is the real deadline, not an estimate
    session: Session | None
    relative: str


@dataclass(frozen=True, slots=True)
class DeadlinesAnswer:
    items: tuple[DueItem, ...]
    now: dt.datetime
    course_over: bool
    hidden_critiques: int  # critique deadlines beyond those listed


def critique_due(course: Course, session: Session, cutoff: dt.time = DEFAULT_CUTOFF) -> dt.datetime:
    """When critiques for a class are due: its start; the cut-off on its day when the start is unset."""
    return course.class_start_at(session) or dt.datetime.combine(session.date, cutoff, course.timezone)


def deadline_due(course: Course, deadline: Deadline) -> dt.datetime:
    """A project deadline falls due at the end of its day in the course's time zone."""
    return dt.datetime.combine(deadline.due, dt.time(23, 59), course.timezone)


def _readings_for(course: Course, session: Session, now: dt.datetime, cutoff: dt.time) -> Readings:
    before, after = neighbours(course, session.date)
    due = critique_due(course, session, cutoff) if session.has_papers else None
    return Readings(
        session=session, today=local_now(course, now).date(), previous=before, next=after,
        critique_due=due, critique_open=due is not None and now < due,
        deadlines=tuple(d for d in course.project.deadlines if d.due == session.date),
        class_start=course.class_start_at(session),
    )


def readings(course: Course, query: str | None, now: dt.datetime,
             cutoff: dt.time = DEFAULT_CUTOFF) -> Readings | NoClass | CourseOver:
    """/readings [date]: the class on a day (the next class when no date is given)."""
    if query is None or not query.strip():
        return next_class(course, now, cutoff)
    when = parse_when(course, query, now)
    if when.session is None:
        before, after = neighbours(course, when.date)
        return NoClass(when.date, local_now(course, now).date(), before, after, course.first_day, course.last_day)
    return _readings_for(course, when.session, now, cutoff)


def next_class(course: Course, now: dt.datetime, cutoff: dt.time = DEFAULT_CUTOFF) -> Readings | CourseOver:
    """/next: the first class that is not over yet."""
    session = next_session(course, now)
    if session is None:
        last = next(s for s in reversed(course.sessions) if not s.cancelled)
        return CourseOver(last, local_now(course, now).date())
    return _readings_for(course, session, now, cutoff)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week(course: Course, monday: dt.date) -> Week:
    first_monday = monday_of(course.first_day)
    number = (monday - first_monday).days // 7 + 1
    in_term = first_monday <= monday <= course.last_day
    # Same Monday rather than "up to monday + 6 days", which overflows in the week of 9999-12-31.
    return Week(
        monday=monday,
        sessions=tuple(s for s in course.sessions if monday_of(s.date) == monday),
        deadlines=tuple(d for d in course.project.deadlines if monday_of(d.due) == monday),
        number=number if in_term else None,
    )


def schedule(course: Course, week: str | None, now: dt.datetime) -> ScheduleAnswer:
    """/schedule [week]: this week and next by default; or 'next', 'last', a week number, or any date in it."""
    today = local_now(course, now).date()
    this_monday = monday_of(today)
    text = (week or "").strip().lower()
    if text in ("", "this", "this week", "now"):
        mondays = [this_monday, this_monday + dt.timedelta(days=7)]
    elif text in ("next", "next week"):
        mondays = [this_monday + dt.timedelta(days=7)]
    elif text in ("last", "last week", "previous"):
        mondays = [this_monday - dt.timedelta(days=7)]
    elif text in ("all", "term", "whole term"):
        mondays = sorted({monday_of(s.date) for s in course.sessions})
    elif m := re.fullmatch(r"(?:week\s*)?(\d{1,2})", text):
        first_monday = monday_of(course.first_day)
        count = (monday_of(course.last_day) - first_monday).days // 7 + 1
        if not 1 <= int(m[1]) <= count:
            raise QueryError(f"The term has weeks 1 to {count}; week 1 starts {short_date(first_monday)}.")
        mondays = [first_monday + dt.timedelta(days=7 * (int(m[1]) - 1))]
    else:
        try:
            mondays = [monday_of(parse_when(course, text, now).date)]
        except QueryError:
            raise QueryError(f"I couldn't read “{(week or '').strip()[:60]}” as a week. Try this, next, last, "
                             "a week number like 3, a date in that week like 9/18, or all.") from None
    return ScheduleAnswer(
        weeks=tuple(_week(course, m) for m in mondays), today=today,
        course_over=next_session(course, now) is None,
    )


def _occurrence(course: Course, hours: OfficeHours, now: dt.datetime) -> OfficeHoursSlot:
    """The office hour in progress, or the next one within the term."""
    since = max(local_now(course, now).date(), course.first_day)
    day = since + dt.timedelta(days=(hours.weekday - since.weekday()) % 7)
    for _ in range(2):
        start = dt.datetime.combine(day, hours.start, course.timezone)
        end = dt.datetime.combine(day, hours.end, course.timezone)
        if now < end:
            break
        day += dt.timedelta(days=7)
    if day > course.last_day:
        return OfficeHoursSlot(hours, None, None, False)
    return OfficeHoursSlot(hours, start, end, start <= now < end)


def office_hours(course: Course, now: dt.datetime) -> OfficeHoursAnswer:
    """/officehours: who, when, where, and the next occurrence (or 'now', inside one)."""
    slots = tuple(sorted((_occurrence(course, h, now) for h in course.office_hours),
                         key=lambda s: s.next_start or dt.datetime.max.replace(tzinfo=dt.timezone.utc)))
    return OfficeHoursAnswer(slots, now, local_now(course, now).date() > course.last_day,
                             course.office_hours_notice)


def deadlines(course: Course, now: dt.datetime, *, cutoff: dt.time = DEFAULT_CUTOFF,
              critiques_shown: int = 5) -> DeadlinesAnswer:
    """/deadlines: the next critique deadlines, the proposal and the final paper, soonest first."""
    zone = course.timezone
    today = local_now(course, now).date()
    exact = course.class_start is not None

    def relative(at: dt.datetime, timed: bool) -> str:
        return relative_instant(at, now, zone) if timed else relative_day(at.astimezone(zone).date(), today)

    critiques = [
        DueItem("critique", s.title, s.date, due, exact, s, relative(due, exact))
        for s in course.sessions if s.has_papers and now < (due := critique_due(course, s, cutoff))
    ]
    project = [
        DueItem(d.id, d.title, d.due, due, False, course.session_on(d.due), relative(due, False))
        for d in course.project.deadlines if now < (due := deadline_due(course, d))
    ]
    shown = critiques[:critiques_shown]
    items = tuple(sorted(shown + project, key=lambda i: (i.date, i.kind != "critique")))
    return DeadlinesAnswer(items, now, not critiques and not project, len(critiques) - len(shown))


def upcoming_with_papers(course: Course, now: dt.datetime) -> tuple[Session, ...]:
    """Classes with papers that are not over yet (for counting what is left)."""
    return tuple(s for s in course.sessions if s.has_papers and not class_is_over(course, s, now))


def _choice_label(session: Session) -> str:
    label = f"{short_date(session.date)} · #{session.number} · {session.title}"
    if session.cancelled:
        label += " (cancelled)"
    return label if len(label) <= 100 else label[:99] + "…"


def class_choices(course: Course, typed: str, now: dt.datetime, limit: int = 25, *,
                  with_papers_only: bool = False) -> list[tuple[str, str]]:
    """Autocomplete for a date option: (label, ISO date) of classes matching what was typed, upcoming first."""
    needle = re.sub(r"\s+", " ", typed.strip().lower())[:100]
    words = needle.replace("#", " ").split()
    upcoming_from = next((i for i, s in enumerate(course.sessions) if not class_is_over(course, s, now)),
                         len(course.sessions))
    ordered = course.sessions[upcoming_from:] + course.sessions[:upcoming_from]
    choices = []
    for s in ordered:
        if with_papers_only and not s.has_papers:
            continue
        label = _choice_label(s)
        forms = (label.lower(), f"{s.date.month}/{s.date.day}", f"{s.date:%m/%d}", s.date.isoformat(),
                 f"{s.date:%B} {s.date.day}".lower(), f"#{s.number}")
        haystack = " ".join(forms)
        if not needle or any(needle in f for f in forms) or all(w in haystack for w in words):
            choices.append((label, s.date.isoformat()))
        if len(choices) >= limit:
            break
    return choices
