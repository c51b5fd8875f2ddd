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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.core.changes import (
    Change,
    ChangeError,
    Undo,
    apply_change,
    apply_log,
    diff,
    in_effect,
    prepare,
    rebase,
    revisions,
)
from bot.core.dates import short_date
from bot.core.loader import ScheduleError, load_course, load_text
from bot.core.model import Course, Revision, Revisions
from bot.core.upload import Preview
from bot.core.upload import summary as upload_summary
from bot.store import Store, StoredUpload

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


def upload_floor(upload: StoredUpload | None) -> Revision | None:
    """Every event's revision after an upload: past any sequence shown before it (each change and each upload
    raises an event's sequence by at most one), as of the upload."""
    if upload is None or upload.id is None:
        return None
    return Revision(upload.last_change + upload.id, upload.uploaded_at)


@dataclass(frozen=True, slots=True)
class Stored:
    """A confirmed upload: what it did to the course, and the row that records it."""

    outcome: Outcome
    upload: StoredUpload


async def base_and_log(store: Store, schedule_path: str | None,
                       cutoff: dt.time | None) -> tuple[Course | None, list[Change], StoredUpload | None]:
    """The base course (the newest upload, else schedule.yaml; None for a server whose course is not uploaded
    yet) and the stored changes that apply on top of it."""
    changes = await store.changes()
    for upload in await store.uploads():
        try:
            base = with_cutoff(load_text(upload.body, f"the uploaded {upload.filename}").course, cutoff)
        except ScheduleError as exc:  # a newer coursebot may refuse what an older one accepted: keep running
            log.error("uploaded course no longer loads upload=%s file=%s: %s; using the one before it", upload.id,
                      upload.filename, "; ".join(str(p) for p in exc.problems[:3]))
            continue
        kept = set(upload.carried)
        return base, [c for c in changes if c.id in kept or (c.id or 0) > upload.last_change], upload
    if schedule_path is None:
        return None, changes, None
    return with_cutoff(load_course(schedule_path), cutoff), changes, None


class CourseState:
    """Owns the base schedule, the change log and the current course (None until a course without schedule.yaml
    is first uploaded)."""

    def __init__(self, schedule_path: str | None, store: Store, clock: Clock, replan: Replan, *,
                 cutoff: dt.time | None = None) -> None:
        self._path = schedule_path
        self._store = store
        self._clock = clock
        self._replan = replan
        self._cutoff = cutoff
        self._lock = asyncio.Lock()
        self._revisions: Revisions | None = None
        self.base: Course | None = None
        self.log: list[Change] = []
        self.course: Course | None = None
        self.conflicts: tuple[tuple[Change, str], ...] = ()
        self.upload: StoredUpload | None = None

    @property
    def revisions(self) -> Revisions:
        """How often, and when last, the log changed each calendar event (see `bot.core.changes.revisions`), above
        the floor an upload sets."""
        if self._revisions is None:
            self._revisions = Revisions(revisions(self._base(), self.log), upload_floor(self.upload))
        return self._revisions

    @property
    def source(self) -> str:
        """Where the base course comes from, in words: "schedule.yaml" or "the uploaded week3.yaml"."""
        return f"the uploaded {self.upload.filename}" if self.upload is not None else "schedule.yaml"

    async def load(self) -> Course | None:
        """The uploaded course, or schedule.yaml (raises ScheduleError), with the stored log applied; None when
        there is neither."""
        self.base, self.log, self.upload = await base_and_log(self._store, self._path, self._cutoff)
        if self.base is None:
            return None
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
                raise ChangeError(f"There is no change to undo: the course is as {self.source} describes it.")
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
        if self.upload is not None or self._path is None:
            assert self.upload is not None, "a course without schedule.yaml is uploaded"
            raise ChangeError(f"This course was uploaded with /course upload ({self.upload.filename}, "
                              f"{short_date(self.upload.uploaded_at.date())}), so schedule.yaml is no longer read. "
                              "To change the course, /course download it, edit it and /course upload it.")
        async with self._lock:
            before = self._current()
            base = self._read()
            applied = apply_log(base, self.log)
            self.base = base
            self._swap(applied.course, applied.conflicts)
            log.info("schedule reloaded path=%s conflicts=%d", self._path, len(applied.conflicts))
            await self._replan(applied.course)
        return Outcome(before, applied.course, None, applied.conflicts, differences=tuple(diff(before, applied.course)))

    async def replace(self, prev: Preview, expected: Course | None, author_id: int | None,
                      author: str | None) -> Stored:
        """Store an upload the instructor confirmed, as the new base, keeping the changes that still apply.

        `expected` is the course the preview was made against: if anything changed since (another upload, a
        change), nothing is stored. The upload is stored before it is announced (`StoredUpload.announced`).
        """
        async with self._lock:
            before = self.course
            if before is not expected:
                raise ChangeError("The course changed since this preview (another upload or change came first). "
                                  "Nothing was stored: upload the file again to see what it would change now.")
            base = with_cutoff(prev.base, self._cutoff)
            rebased = rebase(base, self.log)
            kept = [c for c in self.log if c.id in rebased.carried]
            upload = StoredUpload(self._clock(), author_id, author, prev.filename, prev.text,
                                  await self._store.last_change_id(), rebased.carried,
                                  tuple(upload_summary(prev)))
            stored = await self._store.add_upload(upload)
            self.base, self.log, self.upload = base, kept, stored
            self._swap(rebased.course, ())
            log.info("course uploaded id=%s file=%s author=%s carried=%d dropped=%d", stored.id, prev.filename,
                     author_id, len(rebased.carried), len(rebased.dropped))
            await self._replan(rebased.course)
        return Stored(Outcome(before or rebased.course, rebased.course, None, rebased.dropped), stored)

    async def replan(self) -> None:
        """Re-plan the reminders of the course as it stands (the reminder channel changed), in turn with changes."""
        async with self._lock:
            await self._replan(self._current())

    def _read(self) -> Course:
        assert self._path is not None
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
                                       cutoff: dt.time | None = None) -> tuple[Course, Mapping[str, Revision]]:
    """The course as `current_course` gives it, with the calendar's revisions (`python -m bot calendar`)."""
    if not exists:
        return with_cutoff(load_course(schedule_path), cutoff), {}
    store = await Store.open(database)
    try:
        base, stored, upload = await base_and_log(store, schedule_path, cutoff)
    finally:
        await store.close()
    assert base is not None  # schedule.yaml is read when nothing was uploaded
    return apply_log(base, stored).course, Revisions(revisions(base, stored), upload_floor(upload))
