"""The course as it stands: schedule.yaml plus the stored change log, and the ways it changes.

Every transition validates first, then stores, then swaps the current course and
re-plans the reminders; a refused change leaves everything as it was.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.core.changes import Change, ChangeError, apply_change, apply_log, diff, in_effect, prepare
from bot.core.loader import load_course
from bot.core.model import Course
from bot.store import Store

log = logging.getLogger(__name__)

Replan = Callable[[Course], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a transition did: the course before and after, the stored change, and what no longer applies."""

    before: Course
    after: Course
    change: Change | None
    conflicts: tuple[tuple[Change, str], ...] = ()
    undone: Change | None = None
    differences: tuple[str, ...] = ()


class CourseState:
    """Owns the base schedule, the change log and the current course."""

    def __init__(self, schedule_path: str, store: Store, clock: Clock, replan: Replan) -> None:
        self._path = schedule_path
        self._store = store
        self._clock = clock
        self._replan = replan
        self.base: Course | None = None
        self.log: list[Change] = []
        self.course: Course | None = None
        self.conflicts: tuple[tuple[Change, str], ...] = ()

    async def load(self) -> Course:
        """schedule.yaml (raises ScheduleError) with the stored log applied."""
        self.base = load_course(self._path)
        self.log = await self._store.changes()
        applied = apply_log(self.base, self.log)
        self.course, self.conflicts = applied.course, applied.conflicts
        for change, why in self.conflicts:
            log.warning("stored change no longer applies id=%s kind=%s: %s", change.id, change.kind, why)
        return self.course

    async def record(self, change: Change) -> Outcome:
        """Validate, store, apply and re-plan one change; `ChangeError` leaves everything untouched."""
        before = self._current()
        change = prepare(before, change)
        after = apply_change(before, change)
        stored = await self._store.add_change(dataclasses.replace(change, created_at=self._clock()))
        self.log.append(stored)
        self.course = after
        log.info("course change id=%s kind=%s author=%s params=%s", stored.id, stored.kind, stored.author_id,
                 stored.params)
        await self._replan(after)
        return Outcome(before, after, stored)

    async def undo(self, author_id: int | None, author: str | None) -> Outcome:
        """Revert the newest change still in effect; the undo is itself logged."""
        conflicting = {c.id for c, _ in self.conflicts}
        effective = [c for c in in_effect(self.log) if c.id not in conflicting]
        if not effective:
            raise ChangeError("There is no change to undo: the course is as schedule.yaml describes it.")
        target = effective[-1]
        before = self._current()
        undo = Change("undo", {}, author_id=author_id, author=author, undoes=target.id, created_at=self._clock())
        assert self.base is not None
        applied = apply_log(self.base, [*self.log, undo])
        stored = await self._store.add_change(undo)
        self.log.append(stored)
        self.course, self.conflicts = applied.course, applied.conflicts
        log.info("course change undone id=%s undoes=%s author=%s", stored.id, target.id, author_id)
        await self._replan(applied.course)
        return Outcome(before, applied.course, stored, applied.conflicts, undone=target)

    async def reload(self) -> Outcome:
        """Re-read schedule.yaml (raises ScheduleError and keeps the running course) and re-apply the log."""
        before = self._current()
        base = load_course(self._path)
        applied = apply_log(base, self.log)
        self.base, self.course, self.conflicts = base, applied.course, applied.conflicts
        log.info("schedule reloaded path=%s conflicts=%d", self._path, len(applied.conflicts))
        await self._replan(applied.course)
        return Outcome(before, applied.course, None, applied.conflicts, differences=tuple(diff(before, applied.course)))

    def _current(self) -> Course:
        if self.course is None:
            raise RuntimeError("load() first")
        return self.course


async def current_course(schedule_path: str, database: str, exists: bool) -> Course:
    """schedule.yaml with the stored changes applied, for the command line (creates no database)."""
    base = load_course(schedule_path)
    if not exists:
        return base
    store = await Store.open(database)
    try:
        return apply_log(base, await store.changes()).course
    finally:
        await store.close()
