"""Everything a student must hand in or sit, as one list: critiques (where the course has them), homework,
quizzes, project milestones, other deadlines and exams, each with its instant and a relative time.

/deadlines, /next, /readings, /schedule and the end-of-course check all read this one list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.dates import local_now, relative_day, relative_instant
from bot.core.model import Course, Exam, Session

KIND_ORDER = {"critique": 0, "homework": 1, "quiz": 2, "other": 3, "project": 4, "exam": 5}


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due: a critique for a class, a deadline, or an exam."""

    kind: str  # critique | homework | quiz | project | other | exam
    id: str  # the deadline's or exam's id; 'class-<n>' for a critique
    title: str
    date: dt.date
    due: dt.datetime  # when it is due (an exam: when it starts; the end of its day when the time is unknown)
    exact_time: bool  # the instant is stated by the course, not an estimate
    session: Session | None
    relative: str
    end: dt.datetime | None = None  # an exam's end
    room: str | None = None
    url: str | None = None
    details: str | None = None
    passed: bool = False  # already due (or over) at the instant the answer was made


def critique_due(course: Course, session: Session) -> dt.datetime:
    """When critiques for a class are due: its start; the course's cut-off on its day when the start is unset."""
    return course.class_start_at(session) or dt.datetime.combine(session.date, course.cutoff, course.timezone)


def exam_is_over(course: Course, exam: Exam, now: dt.datetime) -> bool:
    """Over once it has ended; without a known end, once its day has passed."""
    end = course.exam_end_at(exam)
    if end is None:
        return exam.date < local_now(course, now).date()
    return now >= end


def _relative(course: Course, at: dt.datetime, exact: bool, now: dt.datetime) -> str:
    if exact:
        return relative_instant(at, now, course.timezone)
    return relative_day(at.astimezone(course.timezone).date(), local_now(course, now).date())


def all_items(course: Course, now: dt.datetime, *, with_critiques: bool = True, in_class_exams: bool = True,
              keep: Callable[[dt.date, dt.datetime], bool] | None = None) -> list[DueItem]:
    """Every item of the term, past and future, soonest first; relative times as seen at `now`. With `keep`, only
    the items it accepts by (day, instant due), tested before an item's words are made: /readings asks for a few."""
    items: list[DueItem] = []
    if with_critiques and course.critiques is not None:
        for s in course.sessions:
            if s.has_papers:
                due = critique_due(course, s)
                if keep is not None and not keep(s.date, due):
                    continue
                exact = course.class_start_at(s) is not None
                items.append(DueItem("critique", f"class-{s.number}", s.title, s.date, due, exact, s,
                                     _relative(course, due, exact, now), passed=now >= due))
    for d in course.deadlines:
        due = course.due_at(d)
        if keep is not None and not keep(d.due, due):
            continue
        exact = d.time is not None
        items.append(DueItem(d.kind, d.id, d.title, d.due, due, exact, course.session_on(d.due),
                             _relative(course, due, exact, now), url=d.url, details=d.details, passed=now >= due))
    for e in course.all_exams() if in_class_exams else course.exams:
        start = course.exam_start_at(e)
        at = start or dt.datetime.combine(e.date, dt.time(23, 59), course.timezone)
        if keep is not None and not keep(e.date, at):
            continue
        session = course.session_number(e.session) if e.session is not None else None
        end = course.exam_end_at(e)
        relative = "now" if start is not None and end is not None and start <= now < end \
            else _relative(course, at, start is not None, now)
        over = exam_is_over(course, e, now)
        items.append(DueItem("exam", e.id, e.title, e.date, at, start is not None, session, relative, end, e.room,
                             details=e.details, passed=over))
    return sorted(items, key=lambda i: (i.due, KIND_ORDER.get(i.kind, 9), i.id))


def due_items(course: Course, now: dt.datetime | None, *, with_critiques: bool = True,
              in_class_exams: bool = True) -> tuple[DueItem, ...]:
    """What is still ahead at `now` (an exam until it ends); with `now` None, the whole term."""
    reference = now or dt.datetime.combine(course.first_day, dt.time(0), course.timezone)
    items = all_items(course, reference, with_critiques=with_critiques, in_class_exams=in_class_exams)
    if now is None:
        return tuple(items)
    return tuple(i for i in items if not i.passed)


def due_on(course: Course, day: dt.date, now: dt.datetime) -> tuple[DueItem, ...]:
    """Deadlines and exams (not critiques) on that day, whether or not they have passed."""
    return tuple(all_items(course, now, with_critiques=False, in_class_exams=False, keep=lambda date, _: date == day))


def due_around(course: Course, day: dt.date, after: dt.datetime, before: dt.datetime | None,
               now: dt.datetime) -> tuple[DueItem, ...]:
    """What /readings lists for a class: deadlines and exams on its day, then deadlines due after `after` and up
    to `before` (the class's start), the ones in between classes that a student must not forget."""
    pool = all_items(course, now, with_critiques=False, in_class_exams=False,
                     keep=lambda date, due: date == day or (before is not None and after < due <= before))
    same_day = [i for i in pool if i.date == day]
    between = [i for i in pool if before is not None and i.kind != "exam" and after < i.due <= before
               and i not in same_day]
    return tuple(sorted(same_day + between, key=lambda i: i.due))
