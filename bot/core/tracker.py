"""A student's own critique tracker: the course's rules, and how many classes are left to reach the total.

Records are keyed by class number (stable when the instructor moves a class). A
record whose class was later cancelled or lost its papers is kept and reported,
not counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.dates import QueryError, class_is_over, parse_when, short_date
from bot.core.model import Course, Session

CLOSE_MARGIN = 2  # "barely enough": this many spare classes or fewer
NO_CRITIQUES = "This course has no critiques, so there is nothing to track. /deadlines lists what is due."


@dataclass(frozen=True, slots=True)
class Logged:
    """One critique a student says they handed in."""

    number: int  # the class number
    class_date: dt.date  # the class's date when it was logged
    logged_at: dt.datetime
    count: int = 1  # critiques for that class (at most the policy's max_per_class)


@dataclass(frozen=True, slots=True)
class TrackerStatus:
    required: int
    counted: tuple[tuple[Session, Logged], ...]
    not_counted: tuple[tuple[Logged, str], ...]  # with the reason
    remaining: tuple[Session, ...]  # classes with papers not over yet and not logged
    warning: str | None

    per_class: int = 1  # the policy's max_per_class

    @property
    def done(self) -> int:
        return sum(min(r.count, self.per_class) for _, r in self.counted)

    @property
    def needed(self) -> int:
        return max(0, self.required - self.done)

    def count_line(self) -> str:
        """'You have logged 6 of 10 critiques.' for /deadlines."""
        if self.needed == 0:
            return f"You have logged {self.done} of {self.required} critiques: all done."
        return f"You have logged {self.done} of {self.required} critiques (/critique status)."


def class_for_critique(course: Course, date_text: str, now: dt.datetime) -> Session:
    """The class a critique is for; `QueryError` when no critique can be written for it."""
    if course.critiques is None:
        raise QueryError(NO_CRITIQUES)
    when = parse_when(course, date_text, now)
    session = when.session
    if session is None:
        raise QueryError(f"There is no class on {short_date(when.date)}, so there is no critique to log.")
    if session.cancelled:
        raise QueryError(f"Class {session.number} on {short_date(session.date)} is cancelled, "
                         "so there is no critique to hand in for it.")
    if not session.papers:
        raise QueryError(f"Class {session.number} on {short_date(session.date)} has no assigned papers, "
                         "so no critique is due for it.")
    return session


def status(course: Course, logged: list[Logged], now: dt.datetime) -> TrackerStatus:
    """How far a student is, and whether the classes left are enough to reach the total."""
    if course.critiques is None:
        raise QueryError(NO_CRITIQUES)
    required, per_class = course.critiques.required, course.critiques.max_per_class
    by_number = {s.number: s for s in course.sessions}
    counted, not_counted = [], []
    for record in sorted(logged, key=lambda r: r.class_date):
        session = by_number.get(record.number)
        if session is None:
            not_counted.append((record, "that class is no longer in the schedule"))
        elif session.cancelled:
            not_counted.append((record, "that class was cancelled"))
        elif not session.papers:
            not_counted.append((record, "that class no longer has assigned papers"))
        else:
            counted.append((session, record))
    done_by_number = {s.number: min(r.count, per_class) for s, r in counted}
    remaining = tuple(s for s in course.sessions if s.has_papers and done_by_number.get(s.number, 0) < per_class
                      and not class_is_over(course, s, now))
    capacity = sum(per_class - done_by_number.get(s.number, 0) for s in remaining)  # at most per_class a class
    needed = max(0, required - sum(done_by_number.values()))
    each = f" (up to {per_class} critiques each)" if per_class > 1 else ""
    warning = None
    if needed and capacity < needed:
        left = f"Only {len(remaining)} classes with papers are left{each}" if remaining \
            else "No classes with papers are left"
        warning = (f"{left}, but you need {needed} more critiques: "
                   f"you can no longer reach {required}. Talk to the instructor.")
    elif needed and capacity - needed <= CLOSE_MARGIN:
        warning = (f"Cutting it close: {len(remaining)} classes with papers are left{each} for the {needed} "
                   "critiques you still need. Don't skip many.")
    return TrackerStatus(required, tuple(counted), tuple(not_counted), remaining, warning, per_class)
