"""Changes to deadlines: move (the everyday "homework 3 is extended to Sunday"), add, remove.

A project deadline lives in `course.deadlines` and, where the course has a project section, in
`course.project.deadlines` too: every change here keeps the two the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.core.changes.base import ChangeError, Edit, Params, iso_time, optional, register, resolve_day, without_none
from bot.core.dates import clock_time, local_now, short_date
from bot.core.model import DEADLINE_KINDS, Course, Deadline

TIME_EXAMPLES = "23:59, 11:59pm or 5pm"
_TIME = r"\d{1,2}(?::\d{2})?\s*[ap]\.?\s*m?\.?|\d{1,2}:\d{2}|noon|midnight"
MAX_ID = 40


def due_text(deadline: Deadline) -> str:
    """'Fri Feb 14, 11:59pm', or 'Wed Oct 16' for a deadline due at the end of the day without a stated time."""
    return short_date(deadline.due) + (f", {clock_time(deadline.time)}" if deadline.time else "")


def added_text(deadline: Deadline) -> str:
    """'New deadline: Homework 8, due Fri Mar 14, 11:59pm.' (an addition, and the reload diff's)."""
    return f"New deadline: {deadline.title}, due {due_text(deadline)}."


def removed_text(deadline: Deadline) -> str:
    """'Removed: Homework 8, which was due Fri Mar 14, 11:59pm.' (a removal, an undone addition, the diff's)."""
    return f"Removed: {deadline.title}, which was due {due_text(deadline)}."


def moved_text(before: Deadline, after: Deadline) -> str:
    """'Homework 3 is now due Sun Feb 16, 11:59pm (was Fri Feb 14, 11:59pm).'"""
    return f"{after.title} is now due {due_text(after)} (was {due_text(before)})."


def deadline_label(deadline: Deadline) -> str:
    """'hw3 · Homework 3 (primary-backup) · Fri Feb 14, 11:59pm', within Discord's 100 characters."""
    head, tail = f"{deadline.id} · ", f" · {due_text(deadline)}"
    room = 100 - len(head) - len(tail)
    title = deadline.title if len(deadline.title) <= room else deadline.title[:room - 1] + "…"
    return head + title + tail


def deadline_choices(course: Course, typed: str, now: dt.datetime, limit: int = 25) -> list[tuple[str, str]]:
    """(label, id) of the deadlines whose id or title contains `typed`: those still ahead first, by due time."""
    needle = typed.strip().lower()
    found = [d for d in course.deadlines if needle in d.id.lower() or needle in d.title.lower()]
    ahead = [d for d in found if course.due_at(d) > now]
    past = [d for d in reversed(found) if course.due_at(d) <= now]
    return [(deadline_label(d), d.id) for d in ahead + past][:limit]


def deadline_at(course: Course, ident: str) -> Deadline:
    found = course.deadline(ident.strip())
    if found is None:
        ids = ", ".join(d.id for d in course.deadlines)
        known = f"The deadlines are: {ids}." if ids else "The course has no deadlines yet."
        raise ChangeError(f"There is no deadline “{ident.strip()[:40]}”. {known}")
    return found


def parse_time(text: str) -> dt.time:
    """'23:59', '11:59pm', '5pm', '5 p.m.', 'noon' → a time; `ChangeError` with examples otherwise."""
    raw = text.strip()
    cleaned = " ".join(raw.lower().split())
    if cleaned == "noon":
        return dt.time(12, 0)
    if m := re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m?\.?", cleaned):
        hour, minute = int(m[1]), int(m[2] or 0)
        if 1 <= hour <= 12 and minute <= 59:
            return dt.time(hour % 12 + (12 if m[3] == "p" else 0), minute)
    elif m := re.fullmatch(r"(\d{1,2}):(\d{2})", cleaned):
        hour, minute = int(m[1]), int(m[2])
        if hour <= 23 and minute <= 59:
            return dt.time(hour, minute)
    hint = " (midnight is ambiguous: say 11:59pm or 12:01am)" if cleaned == "midnight" else ""
    raise ChangeError(f"I couldn't read “{raw[:40]}” as a time{hint}. Try {TIME_EXAMPLES}.")


def parse_due(course: Course, text: str, now: dt.datetime) -> tuple[dt.date, dt.time | None]:
    """'2/21 23:59', 'Feb 21 11:59pm', 'Sunday', 'tomorrow at 5pm' → the day and the time (None when not given)."""
    raw = " ".join(text.split())
    if m := re.fullmatch(rf"(.+?)(?:\s+|\s*,\s*|T)(?:at\s+)?({_TIME})", raw, flags=re.IGNORECASE):
        return resolve_day(course, m[1], now), parse_time(m[2])
    return resolve_day(course, raw, now), None


def derive_id(course: Course, title: str, kind: str) -> str:
    """'Homework 8 (Byzantine)' → 'homework-8-byzantine': letters and digits of the title, unique in the course."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_ID].rstrip("-") or kind
    taken = {d.id for d in course.deadlines} | {e.id for e in course.all_exams()}
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base[:MAX_ID - len(str(n)) - 1].rstrip('-')}-{n}"
    return ident


def _order(deadline: Deadline) -> tuple[dt.date, dt.time, str]:
    return deadline.due, deadline.due_time, deadline.id


def _swap(course: Course, old: Deadline | None, new: Deadline | None) -> Course:
    """The course with `old` replaced by `new` (either may be None), in course.deadlines and the project's."""
    deadlines = [d for d in course.deadlines if old is None or d.id != old.id] + ([new] if new else [])
    project = course.project
    if project is not None:
        was_there = old is not None and any(d.id == old.id for d in project.deadlines)
        kept = [d for d in project.deadlines if old is None or d.id != old.id]
        if new is not None and (was_there or (old is None and new.kind == "project")):
            kept.append(new)
        project = dataclasses.replace(project, deadlines=tuple(sorted(kept, key=_order)))
    return dataclasses.replace(course, deadlines=tuple(sorted(deadlines, key=_order)), project=project)


def _in_term(course: Course, day: dt.date) -> None:
    if not course.first_day <= day <= course.end:
        raise ChangeError(f"{short_date(day)}, {day.year} is outside the term ({short_date(course.first_day)} to "
                          f"{short_date(course.end)}): deadlines fall between the first class and the end of exams.")


def _not_past(course: Course, deadline: Deadline, now: dt.datetime) -> None:
    if course.due_at(deadline) <= now:
        local = local_now(course, now)
        raise ChangeError(f"{due_text(dataclasses.replace(deadline, time=deadline.due_time))} has already passed "
                          f"(it is {short_date(local.date())}, {clock_time(local.time())} now); pick a later time.")


def _hhmm(time: dt.time | None) -> str | None:
    return None if time is None else f"{time:%H:%M}"


def _time_param(params: Mapping[str, Any]) -> dt.time | None:
    text = optional(params, "time")
    return None if text is None else iso_time(text)


@register
@dataclass(frozen=True, slots=True)
class DeadlineMove(Edit):
    """/course deadline move: a new due day, and a new time or (time None) the deadline's own time."""

    id: str
    due: dt.date
    time: dt.time | None = None  # None: keeps the time it has
    kind: ClassVar[str] = "deadline_move"

    def moved(self, deadline: Deadline) -> Deadline:
        return dataclasses.replace(deadline, due=self.due, time=self.time if self.time is not None else deadline.time)

    def apply(self, course: Course) -> Course:
        old = deadline_at(course, self.id)
        new = self.moved(old)
        _in_term(course, new.due)
        if course.due_at(new) == course.due_at(old):
            raise ChangeError(f"{old.title} is already due {due_text(old)}.")
        return _swap(course, old, new)

    def check(self, course: Course, now: dt.datetime) -> None:
        _not_past(course, self.moved(deadline_at(course, self.id)), now)

    def describe(self, before: Course) -> str:
        old = deadline_at(before, self.id)
        return moved_text(old, self.moved(old))

    def describe_undo(self, before: Course, after: Course) -> str:
        moved, back = deadline_at(before, self.id), deadline_at(after, self.id)
        return f"{back.title} is due {due_text(back)} again (was {due_text(moved)})."

    def touches(self, before: Course) -> frozenset[str]:
        return frozenset({f"deadline-{self.id}"})

    def summary(self) -> str:
        at = f", {clock_time(self.time)}" if self.time else " (same time)"
        return f"move deadline {self.id} to {short_date(self.due)}{at}"

    def to_params(self) -> Params:
        return without_none(id=self.id, due=self.due.isoformat(), time=_hhmm(self.time))

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DeadlineMove:
        return cls(str(params["id"]), dt.date.fromisoformat(params["due"]), _time_param(params))


@register
@dataclass(frozen=True, slots=True)
class DeadlineAdd(Edit):
    """/course deadline add: a new deadline; its id is derived from the title when the change is prepared."""

    title: str
    due: dt.date
    time: dt.time | None = None  # None: the end of the day
    deadline_kind: str = "other"
    id: str = ""
    kind: ClassVar[str] = "deadline_add"

    @property
    def deadline(self) -> Deadline:
        return Deadline(id=self.id, title=self.title, due=self.due, kind=self.deadline_kind, time=self.time)

    def prepare(self, course: Course) -> DeadlineAdd:
        title = " ".join(self.title.split())
        return dataclasses.replace(self, title=title, id=self.id or derive_id(course, title, self.deadline_kind))

    def apply(self, course: Course) -> Course:
        if not self.title.strip():
            raise ChangeError("The deadline needs a title.")
        if self.deadline_kind not in DEADLINE_KINDS:
            raise ChangeError(f"“{self.deadline_kind}” is not a kind of deadline; use {', '.join(DEADLINE_KINDS)}.")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", self.id):
            raise ChangeError(f"“{self.id[:60]}” cannot be a deadline's id.")
        if course.deadline(self.id) is not None or any(e.id == self.id for e in course.all_exams()):
            raise ChangeError(f"The id “{self.id}” is already taken; the deadline needs its own.")
        wanted = " ".join(self.title.lower().split())
        if (same := next((d for d in course.deadlines if " ".join(d.title.lower().split()) == wanted), None)):
            raise ChangeError(f"“{same.title}” is already a deadline ({same.id}, due {due_text(same)}); "
                              "/course deadline move changes its date.")
        _in_term(course, self.due)
        return _swap(course, None, self.deadline)

    def check(self, course: Course, now: dt.datetime) -> None:
        _not_past(course, self.deadline, now)

    def describe(self, before: Course) -> str:
        return added_text(self.deadline)

    def describe_undo(self, before: Course, after: Course) -> str:
        return removed_text(self.deadline)

    def touches(self, before: Course) -> frozenset[str]:
        return frozenset({f"deadline-{self.id}"})

    def summary(self) -> str:
        return f"add deadline {self.id} “{self.title}” ({self.deadline_kind}), due {due_text(self.deadline)}"

    def to_params(self) -> Params:
        return without_none(id=self.id, title=self.title, kind=self.deadline_kind, due=self.due.isoformat(),
                            time=_hhmm(self.time))

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DeadlineAdd:
        return cls(str(params["title"]), dt.date.fromisoformat(params["due"]), _time_param(params),
                   str(params.get("kind") or "other"), str(params["id"]))


@register
@dataclass(frozen=True, slots=True)
class DeadlineRemove(Edit):
    """/course deadline remove: nothing to hand in any more."""

    id: str
    kind: ClassVar[str] = "deadline_remove"

    def apply(self, course: Course) -> Course:
        return _swap(course, deadline_at(course, self.id), None)

    def describe(self, before: Course) -> str:
        old = deadline_at(before, self.id)
        return removed_text(old)

    def describe_undo(self, before: Course, after: Course) -> str:
        back = deadline_at(after, self.id)
        return f"{back.title} is back: due {due_text(back)}."

    def touches(self, before: Course) -> frozenset[str]:
        return frozenset({f"deadline-{self.id}"})

    def summary(self) -> str:
        return f"remove deadline {self.id}"

    def to_params(self) -> Params:
        return {"id": self.id}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DeadlineRemove:
        return cls(str(params["id"]))
