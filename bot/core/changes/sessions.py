"""Changes to classes and office hours: cancel, move, add or remove a reading, the office hours note."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.core.changes.base import ChangeError, Edit, Params, optional, register, resolve_day, without_none
from bot.core.dates import short_date
from bot.core.model import Course, Paper, Session, is_web_link


def label(session: Session) -> str:
    """'Class 7 (Self-supervised learning - Vision)'."""
    return f"Class {session.number}" + (f" ({session.topic})" if session.topic else "")


def session_at(course: Course, day: dt.date) -> Session:
    session = course.session_on(day)
    if session is None:
        raise ChangeError(f"There is no class on {short_date(day)}.")
    return session


def replace_session(course: Course, old: Session, new: Session) -> Course:
    sessions = sorted((new if s is old else s for s in course.sessions), key=lambda s: s.date)
    return dataclasses.replace(course, sessions=tuple(sessions))


def session_keys(course: Course, day: dt.date) -> frozenset[str]:
    """The calendar events of the class on `day`: the class, and the exam when it is one."""
    session = course.session_on(day)
    if session is None:
        return frozenset()
    keys = {f"class-{session.number}"}
    if session.is_exam:
        keys.add(f"exam-class-{session.number}")
    return frozenset(keys)


def find_title(items: tuple[Any, ...], title: str) -> Any | None:
    """The item with this title (case and spacing ignored), or the only one it starts (autocomplete cuts at 100)."""
    wanted = " ".join(title.lower().split()).rstrip("…")
    exact = [i for i in items if " ".join(i.title.lower().split()) == wanted]
    if exact:
        return exact[0]
    starts = [i for i in items if len(wanted) >= 20 and " ".join(i.title.lower().split()).startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


def _name(course: Course, day: dt.date) -> str:
    session = course.session_on(day)
    return label(session) if session else "The class"


@register
@dataclass(frozen=True, slots=True)
class Cancel(Edit):
    """/course cancel: the class stays in the schedule, marked cancelled, with the reason students see."""

    date: dt.date
    reason: str | None = None
    kind: ClassVar[str] = "cancel"

    def apply(self, course: Course) -> Course:
        session = session_at(course, self.date)
        if session.cancelled:
            raise ChangeError(f"{label(session)} on {short_date(session.date)} is already cancelled.")
        return replace_session(course, session, dataclasses.replace(session, cancelled=True,
                                                                    reason=self.reason or None))

    def describe(self, before: Course) -> str:
        reason = self.reason or ""
        reason = f" Reason: {reason}" + ("" if reason[-1:] in ".!?" else ".") if reason else ""
        return f"{_name(before, self.date)} on {short_date(self.date)} is cancelled.{reason}"

    def describe_undo(self, before: Course, after: Course) -> str:
        return f"{_name(after, self.date)} on {short_date(self.date)} is back on: it is no longer cancelled."

    def touches(self, before: Course) -> frozenset[str]:
        return session_keys(before, self.date)

    def summary(self) -> str:
        return f"cancel {short_date(self.date)}" + (f" ({self.reason})" if self.reason else "")

    def to_params(self) -> Params:
        return without_none(date=self.date.isoformat(), reason=self.reason)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Cancel:
        return cls(dt.date.fromisoformat(params["date"]), optional(params, "reason"))


@register
@dataclass(frozen=True, slots=True)
class Move(Edit):
    """/course move: the class, with its number, topic and readings, to a free day of the term."""

    date: dt.date
    to: dt.date
    kind: ClassVar[str] = "move"

    def apply(self, course: Course) -> Course:
        session = session_at(course, self.date)
        target = self.to
        if target == session.date:
            raise ChangeError(f"{label(session)} is already on {short_date(target)}.")
        if (other := course.session_on(target)) is not None:
            raise ChangeError(f"{short_date(target)} already has {label(other)}; pick a free day.")
        if not course.first_day <= target <= course.last_day:
            raise ChangeError(f"{short_date(target)}, {target.year} is outside the term "
                              f"({short_date(course.first_day)} to {short_date(course.last_day)}).")
        return replace_session(course, session, dataclasses.replace(session, date=target))

    def describe(self, before: Course) -> str:
        pause = before.break_on(self.to)
        during = f", during {pause.name}" if pause else ""
        return f"{_name(before, self.date)} moved from {short_date(self.date)} to {short_date(self.to)}{during}."

    def describe_undo(self, before: Course, after: Course) -> str:
        return f"{_name(after, self.date)} moved back from {short_date(self.to)} to {short_date(self.date)}."

    def touches(self, before: Course) -> frozenset[str]:
        return session_keys(before, self.date)

    def summary(self) -> str:
        return f"move {short_date(self.date)} → {short_date(self.to)}"

    def to_params(self) -> Params:
        return {"date": self.date.isoformat(), "to": self.to.isoformat()}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Move:
        return cls(dt.date.fromisoformat(params["date"]), dt.date.fromisoformat(params["to"]))


@register
@dataclass(frozen=True, slots=True)
class AddReading(Edit):
    """/course add-reading: a paper at the end of the class's papers."""

    date: dt.date
    title: str
    authors: str | None = None
    url: str | None = None
    kind: ClassVar[str] = "add_reading"

    def prepare(self, course: Course) -> AddReading:
        return dataclasses.replace(self, title=" ".join(self.title.split()), authors=self.authors or None,
                                   url=self.url or None)

    def apply(self, course: Course) -> Course:
        session = session_at(course, self.date)
        if session.cancelled:
            raise ChangeError(f"{label(session)} on {short_date(session.date)} is cancelled; "
                              "move it or add the reading to another class.")
        title = " ".join(self.title.split())
        if not title:
            raise ChangeError("The reading needs a title.")
        if find_title(session.papers + session.resources, title):
            raise ChangeError(f"“{title}” is already a reading of {label(session)}.")
        url = self.url or None
        if url is not None and not is_web_link(url):
            raise ChangeError(f"“{url[:100]}” is not a web link; give the paper's address, like "
                              "https://example.org/paper.pdf (no spaces, no user name before the site).")
        paper = Paper(title=title, authors=self.authors or None, url=url)
        return replace_session(course, session, dataclasses.replace(session, papers=session.papers + (paper,)))

    def describe(self, before: Course) -> str:
        by = f" ({self.authors})" if self.authors else ""
        return f"New reading for {_name(before, self.date)} on {short_date(self.date)}: “{self.title}”{by}."

    def describe_undo(self, before: Course, after: Course) -> str:
        return f"“{self.title}” is no longer a reading for {short_date(self.date)}."

    def touches(self, before: Course) -> frozenset[str]:
        return session_keys(before, self.date)

    def summary(self) -> str:
        return f"add reading “{self.title}” to {short_date(self.date)}"

    def to_params(self) -> Params:
        return without_none(date=self.date.isoformat(), title=self.title, authors=self.authors, url=self.url)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> AddReading:
        return cls(dt.date.fromisoformat(params["date"]), str(params["title"]), optional(params, "authors"),
                   optional(params, "url"))


@register
@dataclass(frozen=True, slots=True)
class RemoveReading(Edit):
    """/course remove-reading: a paper or a resource off the class."""

    date: dt.date
    title: str
    kind: ClassVar[str] = "remove_reading"

    def prepare(self, course: Course) -> RemoveReading:
        """The title as the course spells it (the instructor may type it in any case, or cut by autocomplete)."""
        title = " ".join(self.title.split())
        session = course.session_on(self.date)
        found = find_title(session.papers + session.resources, title) if session else None
        return dataclasses.replace(self, title=found.title if found is not None else title)

    def apply(self, course: Course) -> Course:
        session = session_at(course, self.date)
        paper = find_title(session.papers, self.title)
        resource = None if paper else find_title(session.resources, self.title)
        if paper is None and resource is None:
            titles = "; ".join(x.title for x in session.papers + session.resources) or "none"
            raise ChangeError(f"{label(session)} on {short_date(session.date)} has no reading “{self.title}”. "
                              f"Its readings: {titles}.")
        new = dataclasses.replace(session, papers=tuple(x for x in session.papers if x is not paper),
                                  resources=tuple(x for x in session.resources if x is not resource))
        return replace_session(course, session, new)

    def describe(self, before: Course) -> str:
        return f"Removed from {_name(before, self.date)} on {short_date(self.date)}: “{self.title}”."

    def describe_undo(self, before: Course, after: Course) -> str:
        return f"“{self.title}” is a reading for {short_date(self.date)} again."

    def touches(self, before: Course) -> frozenset[str]:
        return session_keys(before, self.date)

    def summary(self) -> str:
        return f"remove reading “{self.title}” from {short_date(self.date)}"

    def to_params(self) -> Params:
        return {"date": self.date.isoformat(), "title": self.title}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> RemoveReading:
        return cls(dt.date.fromisoformat(params["date"]), str(params["title"]))


@register
@dataclass(frozen=True, slots=True)
class OfficeHoursNote(Edit):
    """/course officehours: a note shown above the weekly office hours; an empty text removes it."""

    text: str = ""
    kind: ClassVar[str] = "officehours"

    def apply(self, course: Course) -> Course:
        """The note as students read it, spacing collapsed; the announcement keeps the text as typed."""
        return dataclasses.replace(course, office_hours_notice=" ".join(self.text.split()) or None)

    def describe(self, before: Course) -> str:
        return f"Office hours update: {self.text}" if self.text.strip() else "The office hours note was removed."

    def describe_undo(self, before: Course, after: Course) -> str:
        note = after.office_hours_notice
        return f"Office hours update: {note}" if note else "The office hours note was withdrawn."

    def touches(self, before: Course) -> frozenset[str]:
        return frozenset({"office-hours"})

    def summary(self) -> str:
        return f"office hours note “{self.text}”" if self.text.strip() else "clear the office hours note"

    def to_params(self) -> Params:
        return {"text": self.text}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> OfficeHoursNote:
        return cls(str(params.get("text") or ""))


def reading_choices(course: Course, date_text: str, typed: str, now: dt.datetime, limit: int = 25) -> list[str]:
    """Titles of the readings of the class on `date_text` containing `typed` (remove-reading's autocomplete)."""
    try:
        session = course.session_on(resolve_day(course, date_text, now))
    except ChangeError:
        return []
    if session is None:
        return []
    needle = typed.lower()
    return [x.title for x in session.papers + session.resources if needle in x.title.lower()][:limit]
