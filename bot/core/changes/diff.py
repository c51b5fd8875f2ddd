"""What changed between two versions of the course, one line each (for /course reload's announcement)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.core.changes.deadlines import added_text, due_text, moved_text, removed_text
from bot.core.changes.sessions import label
from bot.core.dates import clock_time, short_date
from bot.core.model import WEEKDAYS, Break, Course, Exam, OfficeHours

T = TypeVar("T")
DETAILS = "/officehours for the details."


def diff(old: Course, new: Course) -> list[str]:
    """Classes, readings, deadlines, exams, breaks and office hours that differ, in that order."""
    return [*_sessions(old, new), *_deadlines(old, new), *_exams(old, new), *_breaks(old, new),
            *_office_hours(old, new)]


Matched = tuple[list[T], list[T], list[tuple[T, T]]]


def _pairs(old: Iterable[T], new: Iterable[T], key: Callable[[T], object]) -> Matched[T]:
    """(removed, added, kept as (old, new)) matched by key, in the order of the old then the new list."""
    old_by, new_by = {key(x): x for x in old}, {key(x): x for x in new}
    removed = [x for k, x in old_by.items() if k not in new_by]
    added = [x for k, x in new_by.items() if k not in old_by]
    return removed, added, [(x, new_by[k]) for k, x in old_by.items() if k in new_by]


def _sessions(old: Course, new: Course) -> list[str]:
    lines = []
    removed, added, kept = _pairs(old.sessions, new.sessions, lambda s: s.number)
    lines += [f"Removed: {label(s)} on {short_date(s.date)}." for s in sorted(removed, key=lambda s: s.number)]
    lines += [f"Added: {label(s)} on {short_date(s.date)}." for s in sorted(added, key=lambda s: s.number)]
    for a, b in sorted(kept, key=lambda pair: pair[0].number):
        if a.date != b.date:
            lines.append(f"{label(b)} moved from {short_date(a.date)} to {short_date(b.date)}.")
        if a.topic != b.topic:
            lines.append(f"Class {b.number} on {short_date(b.date)} renamed: “{a.title}” → “{b.title}”.")
        if a.cancelled != b.cancelled:
            lines.append(f"{label(b)} on {short_date(b.date)} is " + ("cancelled." if b.cancelled else "back on."))
        old_titles = [x.title for x in a.papers + a.resources]
        new_titles = [x.title for x in b.papers + b.resources]
        lines += [f"New reading for {label(b)} on {short_date(b.date)}: “{t}”." for t in new_titles
                  if t not in old_titles]
        lines += [f"Removed from {label(b)} on {short_date(b.date)}: “{t}”." for t in old_titles
                  if t not in new_titles]
    return lines


def _deadlines(old: Course, new: Course) -> list[str]:
    removed, added, kept = _pairs(old.deadlines, new.deadlines, lambda d: d.id)
    lines = [removed_text(d) for d in removed]
    lines += [added_text(d) for d in added]
    for a, b in kept:
        if a.title != b.title:
            lines.append(f"Deadline {b.id} renamed: “{a.title}” → “{b.title}”.")
        if old.due_at(a) != new.due_at(b) or due_text(a) != due_text(b):
            lines.append(moved_text(a, b))
        if (a.details, a.url, a.kind) != (b.details, b.url, b.kind):
            lines.append(f"{b.title}: details updated (/deadlines).")
    return lines


def _span(start: dt.time | None, end: dt.time | None) -> str:
    if start is None:
        return ""
    return f", {clock_time(start)}" + (f"–{clock_time(end)}" if end else "")


def _exam_when(exam: Exam) -> str:
    """'Wed May 7, 2:30pm–4:20pm, Kane Hall 130'."""
    return short_date(exam.date) + _span(exam.start, exam.end) + (f", {exam.room}" if exam.room else "")


def _exams(old: Course, new: Course) -> list[str]:
    removed, added, kept = _pairs(old.exams, new.exams, lambda e: e.id)
    lines = [f"Removed: {e.title} on {short_date(e.date)}." for e in removed]
    lines += [f"New exam: {e.title}, {_exam_when(e)}." for e in added]
    for a, b in kept:
        if a.title != b.title:
            lines.append(f"Exam renamed: “{a.title}” → “{b.title}”.")
        if _exam_when(a) != _exam_when(b):
            lines.append(f"{b.title}: now {_exam_when(b)} (was {_exam_when(a)}).")
        elif a.details != b.details:
            lines.append(f"{b.title}: details updated.")
    return lines


def _days(pause: Break) -> str:
    if pause.start == pause.end:
        return short_date(pause.start)
    return f"{short_date(pause.start)} to {short_date(pause.end)}"


def _breaks(old: Course, new: Course) -> list[str]:
    removed, added, kept = _pairs(old.breaks, new.breaks, lambda b: b.name)
    lines = [f"Removed break: {b.name} ({_days(b)})." for b in removed]
    lines += [f"New break: {b.name}, {_days(b)}." for b in added]
    lines += [f"{b.name} is now {_days(b)} (was {_days(a)})." for a, b in kept if _days(a) != _days(b)]
    return lines


def _hours_when(hours: OfficeHours) -> str:
    """'Wed 10am–11am, Iribe 4240'."""
    when = f"{WEEKDAYS[hours.weekday]} {clock_time(hours.start)}–{clock_time(hours.end)}"
    return when + (f", {hours.place}" if hours.place else "")


def _office_hours(old: Course, new: Course) -> list[str]:
    removed = [h for h in old.office_hours if h not in new.office_hours]
    added = [h for h in new.office_hours if h not in old.office_hours]
    lines = []
    for h in removed:
        same = [n for n in added if n.who == h.who]
        if len(same) == 1 and len([r for r in removed if r.who == h.who]) == 1:
            added.remove(same[0])
            if _hours_when(same[0]) == _hours_when(h):
                lines.append(f"Office hours with {h.who} changed: {DETAILS}")
            else:
                lines.append(f"Office hours with {h.who}: now {_hours_when(same[0])} (was {_hours_when(h)}).")
        else:
            lines.append(f"No more office hours with {h.who} ({_hours_when(h)}).")
    lines += [f"New office hours: {h.who}, {_hours_when(h)}." for h in added]
    if old.office_hours_notice != new.office_hours_notice:
        lines.append(f"Office hours changed: {DETAILS}")
    return lines
