"""The only module that imports APScheduler: one date job per reminder key, synced to the plan.

Jobs only wake the bot up; whether a reminder is posted, late or skipped is the
ledger's decision (bot/delivery.py). So misfires never drop a job: a job that
wakes late still runs (misfire_grace_time=None) and the ledger decides.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

RETRY_PREFIX = "retry:"

Fire = Callable[[str], Awaitable[None]]


class ReminderScheduler:
    """Wakes `fire(key)` at each planned instant (and at each retry)."""

    def __init__(self, fire: Fire, timezone: dt.tzinfo) -> None:
        self._fire = fire
        self._daily: set[str] = set()
        self._scheduler = AsyncIOScheduler(
            timezone=timezone,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    def start(self, *, paused: bool = False) -> None:
        """Needs the running event loop: call from setup_hook."""
        self._scheduler.start(paused=paused)

    def pause(self) -> None:
        """Stop waking up (the bot left the course's server); jobs due meanwhile run at `resume`, and the ledger
        decides whether each is still worth posting."""
        if self._scheduler.running:
            self._scheduler.pause()

    def resume(self) -> None:
        if self._scheduler.running:
            self._scheduler.resume()

    @property
    def paused(self) -> bool:
        return self._scheduler.state == STATE_PAUSED

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def sync(self, planned: Iterable[tuple[str, dt.datetime]]) -> tuple[int, int]:
        """Make the jobs exactly the given (key, instant) pairs; returns (added or moved, removed)."""
        wanted = dict(planned)
        removed = 0
        for job in self._scheduler.get_jobs():
            if job.id.startswith(RETRY_PREFIX) or job.id in self._daily:
                continue
            if job.id not in wanted:
                job.remove()
                removed += 1
        changed = 0
        for key, at in wanted.items():
            job = self._scheduler.get_job(key)
            if job is not None and job.trigger.run_date == at:
                continue
            self._scheduler.add_job(self._fire, DateTrigger(run_date=at), args=[key], id=key, name=key,
                                    replace_existing=True)
            changed += 1
        if changed or removed:
            log.info("reminder jobs synced scheduled=%d changed=%d removed=%d", len(wanted), changed, removed)
        return changed, removed

    def every_day(self, job_id: str, wake: Callable[[], Awaitable[None]], at: dt.time,
                  timezone: dt.tzinfo | None = None) -> None:
        """Wake `wake()` every day at `at` in `timezone` (default the scheduler's): the daily Discord events sync.
        Called again with the same id, it replaces the job (an uploaded course in another time zone)."""
        self._daily.add(job_id)
        trigger = CronTrigger(hour=at.hour, minute=at.minute, timezone=timezone or self._scheduler.timezone)
        self._scheduler.add_job(wake, trigger, id=job_id, name=job_id, replace_existing=True)

    def retry(self, key: str, at: dt.datetime) -> None:
        """One more attempt for a failed post, at `at`."""
        self._scheduler.add_job(self._fire, DateTrigger(run_date=at), args=[key], id=RETRY_PREFIX + key,
                                name=RETRY_PREFIX + key, replace_existing=True)

    def cancel_retry(self, key: str) -> None:
        try:
            self._scheduler.remove_job(RETRY_PREFIX + key)
        except JobLookupError:
            pass

    def next_run(self, key: str) -> dt.datetime | None:
        """When the job for `key` will run (tests assert this instead of waiting)."""
        job = self._scheduler.get_job(key) or self._scheduler.get_job(RETRY_PREFIX + key)
        return job.next_run_time if job else None

    def keys(self) -> set[str]:
        """The reminder keys with a job (retries included; the daily jobs are not reminders)."""
        return {job.id for job in self._scheduler.get_jobs() if job.id not in self._daily}

    def wakeup(self) -> None:
        """Look at the jobs now (after the clock was moved in a test, or the plan changed)."""
        self._scheduler.wakeup()
