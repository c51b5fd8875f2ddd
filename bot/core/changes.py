"""The instructor's changes: validated against the course as it stands, applied on top of schedule.yaml.

A change is plain data (kind + parameters). `apply_change` either returns the new
course or raises `ChangeError` with a sentence for the instructor, so the same
function validates a change before it is stored and replays the log at start-up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.core.dates import QueryError, parse_when, short_date
from bot.core.model import Course, Paper, Session, is_web_link

KINDS = ("cancel", "move", "add_reading", "remove_reading", "officehours")


class ChangeError(ValueError):
    """A change that cannot be made; the message says why, for the instructor."""


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the append-only change log."""

    kind: str  # one of KINDS, or "undo"
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    id: int | None = None
    author_id: int | None = None
    author: str | None = None
    created_at: dt.datetime | None = None
    undoes: int | None = None  # for an undo: the id of the change it reverts


@dataclass(frozen=True, slots=True)
class Applied:
    """The course with the log applied, and the stored changes that no longer apply (kept, reported)."""

    course: Course
    conflicts: tuple[tuple[Change, str], ...]


def label(session: Session) -> str:
    """'Class 7 (Self-supervised learning - Vision)'."""
    return f"Class {session.number}" + (f" ({session.topic})" if session.topic else "")


def resolve_day(course: Course, text: str, now: dt.datetime) -> dt.date:
    """A date the instructor typed, in any form students may use."""
    try:
        return parse_when(course, text, now).date
    except QueryError as exc:
        raise ChangeError(str(exc)) from None


def _session_at(course: Course, day: dt.date) -> Session:
    session = course.session_on(day)
    if session is None:
        raise ChangeError(f"There is no class on {short_date(day)}.")
    return session


def _replace_session(course: Course, old: Session, new: Session) -> Course:
    sessions = sorted((new if s is old else s for s in course.sessions), key=lambda s: s.date)
    return dataclasses.replace(course, sessions=tuple(sessions))


def _find_title(items: tuple[Any, ...], title: str) -> Any | None:
    """The item with this title (case and spacing ignored), or the only one it starts (autocomplete cuts at 100)."""
    wanted = " ".join(title.lower().split()).rstrip("…")
    exact = [i for i in items if " ".join(i.title.lower().split()) == wanted]
    if exact:
        return exact[0]
    starts = [i for i in items if len(wanted) >= 20 and " ".join(i.title.lower().split()).startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


def prepare(course: Course, change: Change) -> Change:
    """The change as it will be stored: titles as the course spells them, spacing collapsed."""
    p = dict(change.params)
    if change.kind in ("add_reading", "remove_reading") and "title" in p:
        p["title"] = " ".join(str(p["title"]).split())
    if change.kind == "remove_reading" and "date" in p:
        session = course.session_on(dt.date.fromisoformat(p["date"]))
        found = _find_title(session.papers + session.resources, p["title"]) if session else None
        if found is not None:
            p["title"] = found.title
    return dataclasses.replace(change, params=p)


def apply_change(course: Course, change: Change) -> Course:
    """The course after one change; `ChangeError` if it does not apply to this course."""
    p = change.params
    if change.kind == "cancel":
        session = _session_at(course, dt.date.fromisoformat(p["date"]))
        if session.cancelled:
            raise ChangeError(f"{label(session)} on {short_date(session.date)} is already cancelled.")
        reason = p.get("reason") or None
        return _replace_session(course, session, dataclasses.replace(session, cancelled=True, reason=reason))
    if change.kind == "move":
        session = _session_at(course, dt.date.fromisoformat(p["date"]))
        target = dt.date.fromisoformat(p["to"])
        if target == session.date:
            raise ChangeError(f"{label(session)} is already on {short_date(target)}.")
        if (other := course.session_on(target)) is not None:
            raise ChangeError(f"{short_date(target)} already has {label(other)}; pick a free day.")
        if not course.first_day <= target <= course.last_day:
            raise ChangeError(f"{short_date(target)}, {target.year} is outside the term "
                              f"({short_date(course.first_day)} to {short_date(course.last_day)}).")
        return _replace_session(course, session, dataclasses.replace(session, date=target))
    if change.kind == "add_reading":
        session = _session_at(course, dt.date.fromisoformat(p["date"]))
        if session.cancelled:
            raise ChangeError(f"{label(session)} on {short_date(session.date)} is cancelled; "
                              "move it or add the reading to another class.")
        title = " ".join(str(p["title"]).split())
        if not title:
            raise ChangeError("The reading needs a title.")
        if _find_title(session.papers + session.resources, title):
            raise ChangeError(f"“{title}” is already a reading of {label(session)}.")
        url = p.get("url") or None
        if url is not None and not is_web_link(url):
            raise ChangeError(f"“{url[:100]}” is not a web link; give the paper's address, like "
                              "https://arxiv.org/abs/2111.06377 (no spaces, no user name before the site).")
        paper = Paper(title=title, authors=p.get("authors") or None, url=url)
        return _replace_session(course, session, dataclasses.replace(session, papers=session.papers + (paper,)))
    if change.kind == "remove_reading":
        session = _session_at(course, dt.date.fromisoformat(p["date"]))
        paper = _find_title(session.papers, p["title"])
        resource = None if paper else _find_title(session.resources, p["title"])
        if paper is None and resource is None:
            titles = "; ".join(x.title for x in session.papers + session.resources) or "none"
            raise ChangeError(f"{label(session)} on {short_date(session.date)} has no reading “{p['title']}”. "
                              f"Its readings: {titles}.")
        new = dataclasses.replace(session, papers=tuple(x for x in session.papers if x is not paper),
                                  resources=tuple(x for x in session.resources if x is not resource))
        return _replace_session(course, session, new)
    if change.kind == "officehours":
        text = " ".join(str(p.get("text", "")).split())
        return dataclasses.replace(course, office_hours_notice=text or None)
    raise ChangeError(f"Unknown change “{change.kind}”.")


def in_effect(log: list[Change]) -> list[Change]:
    """The changes not reverted by an undo, oldest first."""
    undone = {c.undoes for c in log if c.kind == "undo"}
    return [c for c in log if c.kind != "undo" and c.id not in undone]


def apply_log(base: Course, log: list[Change]) -> Applied:
    """Replay the log on schedule.yaml's course; a change that no longer applies is kept aside, not dropped."""
    course = base
    conflicts = []
    for change in in_effect(log):
        try:
            course = apply_change(course, change)
        except (ChangeError, KeyError, ValueError) as exc:
            conflicts.append((change, str(exc)))
    return Applied(course, tuple(conflicts))


def describe(change: Change, before: Course) -> str:
    """The announcement of a change, written against the course as it was before it."""
    p = change.params
    if change.kind == "officehours":
        text = p.get("text") or ""
        return f"Office hours update: {text}" if text.strip() else "The office hours note was removed."
    session = before.session_on(dt.date.fromisoformat(p["date"])) if "date" in p else None
    name = label(session) if session else "The class"
    day = short_date(dt.date.fromisoformat(p["date"])) if "date" in p else ""
    if change.kind == "cancel":
        reason = p.get("reason") or ""
        reason = f" Reason: {reason}" + ("" if reason[-1:] in ".!?" else ".") if reason else ""
        return f"{name} on {day} is cancelled.{reason}"
    if change.kind == "move":
        return f"{name} moved from {day} to {short_date(dt.date.fromisoformat(p['to']))}."
    if change.kind == "add_reading":
        by = f" ({p['authors']})" if p.get("authors") else ""
        return f"New reading for {name} on {day}: “{p['title']}”{by}."
    if change.kind == "remove_reading":
        return f"Removed from {name} on {day}: “{p['title']}”."
    return f"Change: {change.kind}"


def describe_undo(undone: Change, before: Course, after: Course) -> str:
    """What undoing a change means for students, in the same words as an announcement."""
    p = undone.params
    if undone.kind == "cancel":
        session = after.session_on(dt.date.fromisoformat(p["date"]))
        name = label(session) if session else "The class"
        return f"{name} on {short_date(dt.date.fromisoformat(p['date']))} is back on: it is no longer cancelled."
    if undone.kind == "move":
        session = after.session_on(dt.date.fromisoformat(p["date"]))
        name = label(session) if session else "The class"
        return (f"{name} moved back from {short_date(dt.date.fromisoformat(p['to']))} "
                f"to {short_date(dt.date.fromisoformat(p['date']))}.")
    if undone.kind == "add_reading":
        return f"“{p['title']}” is no longer a reading for {short_date(dt.date.fromisoformat(p['date']))}."
    if undone.kind == "remove_reading":
        return f"“{p['title']}” is a reading for {short_date(dt.date.fromisoformat(p['date']))} again."
    if undone.kind == "officehours":
        note = after.office_hours_notice
        return f"Office hours update: {note}" if note else "The office hours note was withdrawn."
    return f"Undone: {undone.kind}"


def diff(old: Course, new: Course) -> list[str]:
    """What changed between two versions of the course (for /course reload), one line each."""
    lines = []
    old_by_number = {s.number: s for s in old.sessions}
    new_by_number = {s.number: s for s in new.sessions}
    for number in sorted(old_by_number.keys() - new_by_number.keys()):
        s = old_by_number[number]
        lines.append(f"Removed: {label(s)} on {short_date(s.date)}.")
    for number in sorted(new_by_number.keys() - old_by_number.keys()):
        s = new_by_number[number]
        lines.append(f"Added: {label(s)} on {short_date(s.date)}.")
    for number in sorted(old_by_number.keys() & new_by_number.keys()):
        a, b = old_by_number[number], new_by_number[number]
        if a.date != b.date:
            lines.append(f"{label(b)} moved from {short_date(a.date)} to {short_date(b.date)}.")
        if a.topic != b.topic:
            lines.append(f"Class {number} on {short_date(b.date)} renamed: “{a.title}” → “{b.title}”.")
        if a.cancelled != b.cancelled:
            lines.append(f"{label(b)} on {short_date(b.date)} is " + ("cancelled." if b.cancelled else "back on."))
        old_titles = [x.title for x in a.papers + a.resources]
        new_titles = [x.title for x in b.papers + b.resources]
        lines += [f"New reading for {label(b)} on {short_date(b.date)}: “{t}”." for t in new_titles
                  if t not in old_titles]
        lines += [f"Removed from {label(b)} on {short_date(b.date)}: “{t}”." for t in old_titles
                  if t not in new_titles]
    if old.office_hours != new.office_hours or old.office_hours_notice != new.office_hours_notice:
        lines.append("Office hours changed: /officehours for the details.")
    if old.project.deadlines != new.project.deadlines:
        lines.append("Project deadlines changed: /deadlines for the details.")
    return lines


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
