"""The append-only log: which entries are in effect, the course they make, and how often each event changed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.core.changes.base import Change, ChangeError, Undo
from bot.core.model import Course, Revision


@dataclass(frozen=True, slots=True)
class Applied:
    """The course with the log applied, and the stored changes that no longer apply (kept, reported)."""

    course: Course
    conflicts: tuple[tuple[Change, str], ...]


def prepare(course: Course, change: Change) -> Change:
    """The entry as it will be stored (see `Edit.prepare`)."""
    if isinstance(change.edit, Undo):
        return change
    return dataclasses.replace(change, edit=change.edit.prepare(course))


def apply_change(course: Course, change: Change) -> Course:
    """The course after one change; `ChangeError` if it does not apply to this course."""
    if isinstance(change.edit, Undo):
        raise ChangeError("An undo is applied by replaying the log (apply_log), not on its own.")
    return change.edit.apply(course)


def in_effect(log: list[Change]) -> list[Change]:
    """The changes not reverted by an undo, oldest first."""
    undone = {c.undoes for c in log if c.undoes is not None}
    return [c for c in log if not isinstance(c.edit, Undo) and c.id not in undone]


def _try(course: Course, change: Change) -> Course | str:
    """The course after the change, or why it does not apply (a replay never raises on a stored row)."""
    try:
        return apply_change(course, change)
    except (ChangeError, KeyError, ValueError) as exc:
        return str(exc)


def apply_log(base: Course, log: list[Change]) -> Applied:
    """Replay the log on schedule.yaml's course; a change that no longer applies is kept aside, not dropped."""
    course = base
    conflicts = []
    for change in in_effect(log):
        result = _try(course, change)
        if isinstance(result, str):
            conflicts.append((change, result))
        else:
            course = result
    return Applied(course, tuple(conflicts))


@dataclass(frozen=True, slots=True)
class Rebased:
    """A new base course (an upload) with the earlier changes that still mean something on it."""

    course: Course
    carried: tuple[int, ...]  # ids of the changes kept, oldest first
    dropped: tuple[tuple[Change, str], ...]  # the others, each with why


def rebase(base: Course, log: list[Change]) -> Rebased:
    """Replay the changes in effect on a new base: one that no longer applies, or that the new base already
    contains (a file downloaded with the change and uploaded again), is dropped and reported, never applied twice."""
    course, carried, dropped = base, [], []
    for change in in_effect(log):
        result = _try(course, change)
        if isinstance(result, str):
            dropped.append((change, f"it no longer applies: {result}"))
        elif result == course:
            dropped.append((change, "the uploaded file already has it"))
        else:
            course = result
            assert change.id is not None
            carried.append(change.id)
    return Rebased(course, tuple(carried), tuple(dropped))


def describe(change: Change, before: Course) -> str:
    """The announcement of a change, written against the course as it was before it."""
    if isinstance(change.edit, Undo):
        raise ValueError("an undo is described by describe_undo, with the entry it reverts")
    return change.edit.describe(before)


def describe_undo(undone: Change, before: Course, after: Course) -> str:
    """What undoing `undone` means for students: `before` still has it, `after` no longer does."""
    if isinstance(undone.edit, Undo):
        raise ValueError("an undo cannot itself be undone")
    return undone.edit.describe_undo(before, after)


def revisions(base: Course, log: list[Change]) -> dict[str, Revision]:
    """For each calendar event the log touched: how many times (SEQUENCE) and when last (LAST-MODIFIED).

    The log is replayed as it happened: each change that applied counts once for the events it touched, and an
    undo counts once more for the events of the change it reverted. So a sequence never goes down (calendar
    apps ignore an event whose SEQUENCE is lower than the one they have), and an unchanged log gives the same
    numbers. Stored changes that do not apply to the course as it is now count for nothing.
    """
    course = base
    touched: dict[int | None, frozenset[str]] = {}
    counts: dict[str, int] = {}
    newest: dict[str, Revision] = {}
    for i, change in enumerate(log):
        if isinstance(change.edit, Undo):
            keys = touched.get(change.edit.target, frozenset())
            course = apply_log(base, log[:i + 1]).course
        else:
            result = _try(course, change)
            if isinstance(result, str):
                continue
            keys = change.edit.touches(course)
            touched[change.id] = keys
            course = result
        if change.created_at is None:  # not stored yet: not a revision anyone has seen
            continue
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
            newest[key] = Revision(counts[key], change.created_at)
    return newest
