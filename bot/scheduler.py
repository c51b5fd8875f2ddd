"""The only module that imports APScheduler: one date job per reminder key, synced to the plan.

Jobs only wake the bot up; whether a reminder is posted, late or skipped is the
ledger's decision (bot/delivery.py). So misfires never drop a job: a job that
wakes late still runs (misfire_grace_time=None) and the ledger decides.

Only the reminders of the coming `HORIZON` get a job; the rest of the term waits in `planned`, and one more job
wakes when the next of them enters the horizon. A term has ~45 reminders, so a process of 1,000 courses starts
with ~2,000 jobs (each course's horizon job and daily events job) instead of ~45,000 (adding a job costs
APScheduler ~50 µs: 2 to 3 s of start-up). The horizon is
measured on the wall clock because that is the clock APScheduler runs its jobs by.
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

from bot.clock import system_clock

log = logging.getLogger(__name__)

RETRY_PREFIX = "retry:"
HORIZON = dt.timedelta(hours=36)
HORIZON_JOB = "reminders-horizon"

Fire = Callable[[str], Awaitable[None]]


class ReminderScheduler:
    """Wakes `fire(key)` at each planned instant (and at each retry)."""

    def __init__(self, fire: Fire, timezone: dt.tzinfo) -> None:
        self._fire = fire
        self._daily: set[str] = set()
        self._planned: dict[str, dt.datetime] = {}  # every reminder key still to wake for → its instant
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
        """Make the planned reminders exactly the given (key, instant) pairs; returns (added or moved, removed)."""
        wanted = dict(planned)
        removed = sum(key not in wanted for key in self._planned)
        changed = sum(self._planned.get(key) != at for key, at in wanted.items())
        self._planned = wanted
        self._schedule_horizon()
        if changed or removed:
            log.info("reminder jobs synced scheduled=%d changed=%d removed=%d", len(wanted), changed, removed)
        return changed, removed

    def _schedule_horizon(self) -> None:
        """A job for each planned reminder due within the horizon (none for the others), and the horizon job at the
        instant the next of the others enters it."""
        edge = system_clock() + HORIZON
        for job in self._scheduler.get_jobs():
            if job.id.startswith(RETRY_PREFIX) or job.id in self._daily or job.id == HORIZON_JOB:
                continue
            at = self._planned.get(job.id)
            if at is None or at > edge:
                job.remove()
        next_edge: dt.datetime | None = None
        for key, at in self._planned.items():
            if at > edge:
                next_edge = at if next_edge is None else min(next_edge, at)
                continue
            job = self._scheduler.get_job(key)
            if job is not None and job.trigger.run_date == at:
                continue
            self._scheduler.add_job(self._wake, DateTrigger(run_date=at), args=[key], id=key, name=key,
                                    replace_existing=True)
        if next_edge is not None:
            self._scheduler.add_job(self._horizon_moved, DateTrigger(run_date=next_edge - HORIZON), id=HORIZON_JOB,
                                    name=HORIZON_JOB, replace_existing=True)
        elif self._scheduler.get_job(HORIZON_JOB) is not None:
            self._scheduler.remove_job(HORIZON_JOB)

    async def _horizon_moved(self) -> None:
        self._schedule_horizon()

    async def _wake(self, key: str) -> None:
        if self._scheduler.get_job(key) is None:  # the job is done (a re-plan since may have made a new one)
            self._planned.pop(key, None)
        await self._fire(key)

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
        """When `key` will wake the bot (tests assert this instead of waiting): its job's next run, or for a reminder
        beyond the horizon, its planned instant."""
        job = self._scheduler.get_job(key) or self._scheduler.get_job(RETRY_PREFIX + key)
        return job.next_run_time if job else self._planned.get(key)

    def keys(self) -> set[str]:
        """The reminder keys still to wake for, and the retries (prefixed): the daily jobs are not reminders."""
        return set(self._planned) | {job.id for job in self._scheduler.get_jobs() if job.id.startswith(RETRY_PREFIX)}

    def job_count(self) -> int:
        """APScheduler jobs held: the reminders within the horizon, retries, the horizon and daily jobs."""
        return len(self._scheduler.get_jobs())

    def wakeup(self) -> None:
        """Look at the jobs now (after the clock was moved in a test, or the plan changed)."""
        self._scheduler.wakeup()
