"""Every student question answered as plain data: a function of (course, query, now).

Renderers (console text, Discord embeds) turn these answers into words; nothing here
formats for a particular surface beyond short phrases that both share. Times, rooms,
deadlines, exams and breaks all come from the course that is loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.dates import (
    QueryError,
    class_is_over,
    example_dates,
    local_now,
    neighbours,
    next_session,
    parse_when,
    relative_day,
    short_date,
)
from bot.core.due import DueItem, critique_due, due_around, due_items, due_on, exam_is_over
from bot.core.model import Break, Course, Exam, OfficeHours, Session

__all__ = ["DueItem", "Readings", "ExamDay", "NoClass", "CourseOver", "Week", "ScheduleAnswer", "OfficeHoursSlot",
           "OfficeHoursAnswer", "DeadlinesAnswer", "critique_due", "readings", "next_class", "schedule",
           "office_hours", "deadlines", "monday_of", "class_choices", "upcoming_with_papers"]


@dataclass(frozen=True, slots=True)
class Readings:
    """A class and what to read and hand in for it."""

    session: Session
    today: dt.date
    previous: Session | None
    next: Session | None
    critique_due: dt.datetime | None  # None when the course has no critiques, or the class no papers
    critique_open: bool  # the critique deadline has not passed yet
    due: tuple[DueItem, ...]  # homework, quizzes, project milestones due that day or before the class
    class_start: dt.datetime | None
    class_end: dt.datetime | None = None
    room: str | None = None
    kind: str = "lecture"  # lecture | section | lab | exam
    happening_now: bool = False
    critique_form: str | None = None  # the policy's format ("printed"); None without critiques

    @property
    def relative(self) -> str:
        return relative_day(self.session.date, self.today)


@dataclass(frozen=True, slots=True)
class ExamDay:
    """An exam held outside the class meetings: when, where, and whether it is happening now."""

    exam: Exam
    today: dt.date
    start: dt.datetime | None
    end: dt.datetime | None
    happening_now: bool
    due: tuple[DueItem, ...] = ()

    @property
    def relative(self) -> str:
        return relative_day(self.exam.date, self.today)


@dataclass(frozen=True, slots=True)
class NoClass:
    """A day without a class: the nearest classes around it, the break it falls in, and what is due that day."""

    date: dt.date
    today: dt.date
    before: Session | None
    after: Session | None
    first_day: dt.date
    last_day: dt.date
    pause: Break | None = None
    due: tuple[DueItem, ...] = ()
    later: tuple[DueItem, ...] = ()  # after the last class: the deadlines and exams still to come after that day

    @property
    def course_over(self) -> bool:
        return self.after is None and not self.later

    @property
    def not_started(self) -> bool:
        return self.before is None


@dataclass(frozen=True, slots=True)
class CourseOver:
    """Asked for the next class after the last one; `still_due` lists what is still ahead (deadlines, exams)."""

    last: Session
    today: dt.date
    still_due: tuple[DueItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Week:
    monday: dt.date
    sessions: tuple[Session, ...]
    due: tuple[DueItem, ...]  # deadlines and exams held outside class
    number: int | None  # week of the term, 1-based; None outside it
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True, slots=True)
class ScheduleAnswer:
    weeks: tuple[Week, ...]
    today: dt.date
    course_over: bool
    has_critiques: bool = False
    starts: dt.date | None = None  # the first class, when the term has not begun


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
    pause: Break | None = None  # the break going on now, if any


@dataclass(frozen=True, slots=True)
class DeadlinesAnswer:
    items: tuple[DueItem, ...]
    now: dt.datetime
    course_over: bool
    hidden_critiques: int  # critique deadlines beyond those listed
    critique_form: str | None = None


def _readings_for(course: Course, session: Session, now: dt.datetime) -> Readings:
    before, after = neighbours(course, session.date)
    critiques = course.critiques
    due = critique_due(course, session) if critiques is not None and session.has_papers else None
    start, end = course.class_start_at(session), course.class_end_at(session)
    since = dt.datetime.combine(before.date + dt.timedelta(days=1), dt.time(0), course.timezone) if before else None
    items = due_around(course, session.date, max(filter(None, (since, now))), start, now)
    return Readings(
        session=session, today=local_now(course, now).date(), previous=before, next=after,
        critique_due=due, critique_open=due is not None and now < due,
        due=items, class_start=start, class_end=end, room=course.session_room(session),
        kind=course.session_kind(session), critique_form=critiques.format if critiques else None,
        happening_now=not session.cancelled and start is not None and end is not None and start <= now < end,
    )


def _exam_day(course: Course, exam: Exam, now: dt.datetime) -> ExamDay:
    """An exam, and what is due that day or before it (from now: the homework due in between, as for a class)."""
    start, end = course.exam_start_at(exam), course.exam_end_at(exam)
    before = start or dt.datetime.combine(exam.date, dt.time(0), course.timezone)
    due = tuple(i for i in due_around(course, exam.date, now, before, now) if (i.kind, i.id) != ("exam", exam.id))
    return ExamDay(exam, local_now(course, now).date(), start, end,
                   start is not None and end is not None and start <= now < end, due)


def readings(course: Course, query: str | None, now: dt.datetime) -> Readings | ExamDay | NoClass | CourseOver:
    """/readings [date]: the class (or exam) on a day; the next class when no date is given."""
    if query is None or " ".join(query.lower().split()) in ("", "next", "next class"):
        return next_class(course, now)  # after the last class, the exams and deadlines still ahead
    when = parse_when(course, query, now)
    if when.session is None:
        exam = next((e for e in course.exams if e.date == when.date), None)
        if exam is not None:
            return _exam_day(course, exam, now)
        before, after = neighbours(course, when.date)
        later = () if after is not None else tuple(
            i for i in due_items(course, now, with_critiques=False) if i.date > when.date)
        return NoClass(when.date, local_now(course, now).date(), before, after, course.first_day, course.last_day,
                       course.break_on(when.date), due_on(course, when.date, now), later)
    return _readings_for(course, when.session, now)


def next_class(course: Course, now: dt.datetime) -> Readings | ExamDay | CourseOver:
    """/next: the class or exam happening now, or the first one ahead; after the last, what is still due."""
    session = next_session(course, now)
    exam = next((e for e in course.exams if not exam_is_over(course, e, now)), None)
    if exam is not None and (session is None or exam.date < session.date):
        return _exam_day(course, exam, now)
    if session is None:
        last = next((s for s in reversed(course.sessions) if not s.cancelled), course.sessions[-1])
        return CourseOver(last, local_now(course, now).date(), due_items(course, now, with_critiques=False))
    return _readings_for(course, session, now)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week(course: Course, monday: dt.date, now: dt.datetime) -> Week:
    first_monday = monday_of(course.first_day)
    number = (monday - first_monday).days // 7 + 1
    in_term = first_monday <= monday <= course.end
    # Same Monday rather than "up to monday + 6 days", which overflows in the week of 9999-12-31.
    return Week(
        monday=monday,
        sessions=tuple(s for s in course.sessions if monday_of(s.date) == monday),
        due=tuple(i for i in due_items(course, None, with_critiques=False, in_class_exams=False)
                  if monday_of(i.date) == monday),
        number=number if in_term else None,
        breaks=tuple(b for b in course.breaks if monday_of(b.start) <= monday <= monday_of(b.end)),
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
        days = [s.date for s in course.sessions] + [i.date for i in due_items(course, None, with_critiques=False)]
        days += [b.start + dt.timedelta(days=n) for b in course.breaks for n in range(0, (b.end - b.start).days + 1, 7)]
        days += [b.end for b in course.breaks]
        mondays = sorted({monday_of(d) for d in days})
    elif m := re.fullmatch(r"(?:week\s*)?(\d{1,2})", text):
        first_monday = monday_of(course.first_day)
        count = (monday_of(course.end) - first_monday).days // 7 + 1
        if not 1 <= int(m[1]) <= count:
            raise QueryError(f"The term has weeks 1 to {count}; week 1 starts {short_date(first_monday)}.")
        mondays = [first_monday + dt.timedelta(days=7 * (int(m[1]) - 1))]
    else:
        try:
            mondays = [monday_of(parse_when(course, text, now).date)]
        except QueryError:
            example = example_dates(course).split(",")[0]
            raise QueryError(f"I couldn't read “{(week or '').strip()[:60]}” as a week. Try this, next, last, "
                             f"a week number like 3, a date in that week like {example}, or all.") from None
    over = next_session(course, now) is None and not due_items(course, now, with_critiques=False)
    first = next((x.date for x in course.sessions if not x.cancelled), course.first_day)
    return ScheduleAnswer(weeks=tuple(_week(course, m, now) for m in mondays), today=today, course_over=over,
                          has_critiques=course.has_critiques, starts=first if today < first else None)


def _skipped(course: Course, hours: OfficeHours, day: dt.date) -> bool:
    return day in hours.skip or course.break_on(day) is not None


def _occurrence(course: Course, hours: OfficeHours, now: dt.datetime) -> OfficeHoursSlot:
    """The office hour in progress, or the next one within the term (breaks and skipped dates left out)."""
    since = max(local_now(course, now).date(), course.first_day)
    day = since + dt.timedelta(days=(hours.weekday - since.weekday()) % 7)
    while day <= course.last_day:
        start = dt.datetime.combine(day, hours.start, course.timezone)
        end = dt.datetime.combine(day, hours.end, course.timezone)
        if now < end and not _skipped(course, hours, day):
            return OfficeHoursSlot(hours, start, end, start <= now < end)
        day += dt.timedelta(days=7)
    return OfficeHoursSlot(hours, None, None, False)


def office_hours(course: Course, now: dt.datetime) -> OfficeHoursAnswer:
    """/officehours: who, when, where, and the next occurrence (or 'now', inside one)."""
    slots = tuple(sorted((_occurrence(course, h, now) for h in course.office_hours),
                         key=lambda s: s.next_start or dt.datetime.max.replace(tzinfo=dt.timezone.utc)))
    today = local_now(course, now).date()
    return OfficeHoursAnswer(slots, now, today > course.end, course.office_hours_notice, course.break_on(today))


def deadlines(course: Course, now: dt.datetime, *, critiques_shown: int = 5) -> DeadlinesAnswer:
    """/deadlines: what is due next (critiques where the course has them, homework, quizzes, projects, exams)."""
    items = due_items(course, now)
    critiques = [i for i in items if i.kind == "critique"]
    shown = set(critiques[:critiques_shown])
    listed = tuple(i for i in items if i.kind != "critique" or i in shown)
    form = course.critiques.format if course.critiques else None
    over = not items and next_session(course, now) is None  # classes ahead: the course goes on, nothing due
    return DeadlinesAnswer(listed, now, over, len(critiques) - len(shown), form)


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
