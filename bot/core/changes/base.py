"""The change log's vocabulary: a kind of change is one frozen class that validates, applies and describes itself.

A new kind is one class decorated with `@register`: the store reads and writes it, the log replays it, the
announcements, the change log and the calendar's revisions use it, without an edit anywhere else. Its parameters
become JSON only at the store (`Change.to_row` / `Change.from_row`); everywhere else it is typed.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from bot.core.dates import QueryError, parse_when
from bot.core.model import Course

Params = dict[str, str]


class ChangeError(ValueError):
    """A change that cannot be made; the message says why, for the instructor."""


class Edit(ABC):
    """One kind of change to the course. Subclasses are frozen dataclasses registered with `@register`."""

    __slots__ = ()
    kind: ClassVar[str]  # its name in the store: keep it for ever once rows of it exist

    def prepare(self, course: Course) -> Edit:
        """The change as it will be stored: spelled as the course spells it, ids derived (default: as is)."""
        return self

    def check(self, course: Course, now: dt.datetime) -> None:
        """What only a live command refuses, because it depends on the clock; replaying the log never asks."""
        return None

    @abstractmethod
    def apply(self, course: Course) -> Course:
        """The course after this change; `ChangeError` with a sentence for the instructor if it does not apply."""

    @abstractmethod
    def describe(self, before: Course) -> str:
        """The announcement, written against the course before the change."""

    @abstractmethod
    def describe_undo(self, before: Course, after: Course) -> str:
        """What undoing it means for students: `before` has the change, `after` no longer has it."""

    @abstractmethod
    def touches(self, before: Course) -> frozenset[str]:
        """The calendar events it changes ('class-7', 'deadline-hw3', 'exam-final', 'office-hours')."""

    @abstractmethod
    def summary(self) -> str:
        """One line for /course changes, from the change alone."""

    @abstractmethod
    def to_params(self) -> Params:
        """The stored parameters (the store turns them into JSON): names never change once rows exist."""

    @classmethod
    @abstractmethod
    def from_params(cls, params: Mapping[str, Any]) -> Edit:
        """Back from the stored parameters; KeyError, ValueError or TypeError when they cannot be read."""


KINDS: dict[str, type[Edit]] = {}
E = TypeVar("E", bound=type[Edit])


def register(cls: E) -> E:
    """Make a change kind known to the store and the log (use above @dataclass)."""
    if cls.kind in KINDS or cls.kind in ("undo", Unreadable.kind):
        raise ValueError(f"the change kind {cls.kind!r} is taken")
    KINDS[cls.kind] = cls
    return cls


@dataclass(frozen=True, slots=True)
class Undo:
    """A log entry that reverts the entry `target` (and nothing else)."""

    target: int
    kind: ClassVar[str] = "undo"

    def summary(self) -> str:
        return f"undo of #{self.target}"


@dataclass(frozen=True, slots=True)
class Unreadable(Edit):
    """A stored row this version cannot read: kept in the log, never applied, reported as a conflict."""

    stored_kind: str
    params: Mapping[str, Any] = field(hash=False)
    why: str
    kind: ClassVar[str] = "unreadable"

    def apply(self, course: Course) -> Course:
        raise ChangeError(self.why)

    def describe(self, before: Course) -> str:
        return f"A stored change ({self.stored_kind}) that cannot be read."

    def describe_undo(self, before: Course, after: Course) -> str:
        return f"The stored change ({self.stored_kind}) is withdrawn."

    def touches(self, before: Course) -> frozenset[str]:
        return frozenset()

    def summary(self) -> str:
        return f"{self.stored_kind} (cannot be read: {self.why})"

    def to_params(self) -> Params:
        return dict(self.params)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Edit:
        raise ValueError("an unreadable row is made by Change.from_row only")


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the append-only change log: what changed (or which entry it undoes), who, when."""

    edit: Edit | Undo
    id: int | None = None
    author_id: int | None = None
    author: str | None = None
    created_at: dt.datetime | None = None

    @property
    def kind(self) -> str:
        """The stored kind: 'cancel', …, 'undo', or whatever an unreadable row says."""
        return self.edit.stored_kind if isinstance(self.edit, Unreadable) else self.edit.kind

    @property
    def undoes(self) -> int | None:
        return self.edit.target if isinstance(self.edit, Undo) else None

    def to_row(self) -> tuple[str, Params, int | None]:
        """(kind, params, undoes) for the store, which writes params as JSON."""
        if isinstance(self.edit, Undo):
            return Undo.kind, {}, self.edit.target
        return self.kind, self.edit.to_params(), None

    @classmethod
    def from_row(cls, kind: str, params: Any, undoes: int | None, *, id: int | None = None,
                 author_id: int | None = None, author: str | None = None,
                 created_at: dt.datetime | None = None) -> Change:
        """A stored row back as a typed entry; a row this version cannot read becomes `Unreadable`, never an error."""
        return cls(_edit_from_row(kind, params, undoes), id=id, author_id=author_id, author=author,
                   created_at=created_at)


def _edit_from_row(kind: str, params: Any, undoes: int | None) -> Edit | Undo:
    if not isinstance(params, Mapping):
        return Unreadable(kind, {}, f"The stored change “{kind}” has unreadable parameters.")
    if kind == Undo.kind:
        return Undo(undoes) if undoes is not None else Unreadable(kind, dict(params), "An undo without its target.")
    edit_type = KINDS.get(kind)
    if edit_type is None:
        return Unreadable(kind, dict(params), f"Unknown change “{kind}”.")
    try:
        return edit_type.from_params(params)
    except (KeyError, ValueError, TypeError) as exc:
        return Unreadable(kind, dict(params), f"The stored change “{kind}” cannot be read ({exc}).")


def resolve_day(course: Course, text: str, now: dt.datetime) -> dt.date:
    """A date the instructor typed, in any form students may use."""
    try:
        return parse_when(course, text, now).date
    except QueryError as exc:
        raise ChangeError(str(exc)) from None


def optional(params: Mapping[str, Any], key: str) -> str | None:
    """A stored optional text: None when absent or null."""
    value = params.get(key)
    return None if value is None else str(value)


def iso_time(text: str) -> dt.time:
    """'23:59' → 23:59 (stored times are always HH:MM)."""
    hour, minute = str(text).split(":")
    return dt.time(int(hour), int(minute))


def without_none(**values: str | None) -> Params:
    return {k: v for k, v in values.items() if v is not None}
