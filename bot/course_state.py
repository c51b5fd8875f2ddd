"""The course as it stands: schedule.yaml plus the stored change log, and the ways it changes.

Every transition validates first, then stores, then swaps the current course and re-plans the reminders; a
refused change leaves everything as it was. Transitions run one at a time, so two instructors changing the
course at once cannot lose each other's change.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.core.changes import Change, ChangeError, Undo, apply_change, apply_log, diff, in_effect, prepare, revisions
from bot.core.loader import load_course
from bot.core.model import Course, Revision
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


def with_cutoff(course: Course, cutoff: dt.time | None) -> Course:
    """The course with the deployment's critique cut-off where the course sets none of its own."""
    if cutoff is None or course.critique_cutoff is not None:
        return course
    return dataclasses.replace(course, critique_cutoff=cutoff)


class CourseState:
    """Owns the base schedule, the change log and the current course."""

    def __init__(self, schedule_path: str, store: Store, clock: Clock, replan: Replan, *,
                 cutoff: dt.time | None = None) -> None:
        self._path = schedule_path
        self._store = store
        self._clock = clock
        self._replan = replan
        self._cutoff = cutoff
        self._lock = asyncio.Lock()
        self._revisions: dict[str, Revision] | None = None
        self.base: Course | None = None
        self.log: list[Change] = []
        self.course: Course | None = None
        self.conflicts: tuple[tuple[Change, str], ...] = ()

    @property
    def revisions(self) -> dict[str, Revision]:
        """How often, and when last, the log changed each calendar event (see `bot.core.changes.revisions`)."""
        if self._revisions is None:
            self._revisions = revisions(self._base(), self.log)
        return self._revisions

    async def load(self) -> Course:
        """schedule.yaml (raises ScheduleError) with the stored log applied."""
        self.base = self._read()
        self.log = await self._store.changes()
        applied = apply_log(self.base, self.log)
        self._swap(applied.course, applied.conflicts)
        for change, why in self.conflicts:
            log.warning("stored change no longer applies id=%s kind=%s: %s", change.id, change.kind, why)
        return applied.course

    async def record(self, change: Change) -> Outcome:
        """Validate, store, apply and re-plan one change; `ChangeError` leaves everything untouched."""
        async with self._lock:
            before = self._current()
            change = prepare(before, change)
            after = apply_change(before, change)
            if not isinstance(change.edit, Undo):
                change.edit.check(before, self._clock())
            stored = await self._store.add_change(dataclasses.replace(change, created_at=self._clock()))
            self.log.append(stored)
            self._swap(after, self.conflicts)
            log.info("course change id=%s kind=%s author=%s change=%s", stored.id, stored.kind, stored.author_id,
                     stored.edit)
            await self._replan(after)  # inside the lock: plans are made in the order the changes were
        return Outcome(before, after, stored)

    async def undo(self, author_id: int | None, author: str | None) -> Outcome:
        """Revert the newest change still in effect; the undo is itself logged."""
        async with self._lock:
            conflicting = {c.id for c, _ in self.conflicts}
            effective = [c for c in in_effect(self.log) if c.id not in conflicting]
            if not effective:
                raise ChangeError("There is no change to undo: the course is as schedule.yaml describes it.")
            target = effective[-1]
            before = self._current()
            assert target.id is not None
            undo = Change(Undo(target.id), author_id=author_id, author=author, created_at=self._clock())
            applied = apply_log(self._base(), [*self.log, undo])
            stored = await self._store.add_change(undo)
            self.log.append(stored)
            self._swap(applied.course, applied.conflicts)
            log.info("course change undone id=%s undoes=%s author=%s", stored.id, target.id, author_id)
            await self._replan(applied.course)
        return Outcome(before, applied.course, stored, applied.conflicts, undone=target)

    async def reload(self) -> Outcome:
        """Re-read schedule.yaml (raises ScheduleError and keeps the running course) and re-apply the log."""
        async with self._lock:
            before = self._current()
            base = self._read()
            applied = apply_log(base, self.log)
            self.base = base
            self._swap(applied.course, applied.conflicts)
            log.info("schedule reloaded path=%s conflicts=%d", self._path, len(applied.conflicts))
            await self._replan(applied.course)
        return Outcome(before, applied.course, None, applied.conflicts, differences=tuple(diff(before, applied.course)))

    def _read(self) -> Course:
        return with_cutoff(load_course(self._path), self._cutoff)

    def _swap(self, course: Course, conflicts: tuple[tuple[Change, str], ...]) -> None:
        self.course, self.conflicts, self._revisions = course, conflicts, None

    def _current(self) -> Course:
        if self.course is None:
            raise RuntimeError("load() first")
        return self.course

    def _base(self) -> Course:
        if self.base is None:
            raise RuntimeError("load() first")
        return self.base


async def current_course(schedule_path: str, database: str, exists: bool, cutoff: dt.time | None = None) -> Course:
    """schedule.yaml with the stored changes applied, for the command line (creates no database)."""
    return (await current_course_and_revisions(schedule_path, database, exists, cutoff))[0]


async def current_course_and_revisions(schedule_path: str, database: str, exists: bool,
                                       cutoff: dt.time | None = None) -> tuple[Course, dict[str, Revision]]:
    """The course as `current_course` gives it, with the calendar's revisions (`python -m bot calendar`)."""
    base = with_cutoff(load_course(schedule_path), cutoff)
    if not exists:
        return base, {}
    store = await Store.open(database)
    try:
        stored = await store.changes()
    finally:
        await store.close()
    return apply_log(base, stored).course, revisions(base, stored)
