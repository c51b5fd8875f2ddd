"""bot/scheduler.py on the real APScheduler: every planned reminder wakes the bot once, at or after its instant, though
only the coming HORIZON's reminders hold a job.

The wall clock is moved with time-machine (APScheduler runs by it); no test waits for real time to pass. A wake-up
is awaited from a queue, with a timeout that only bounds a broken run.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.scheduler import HORIZON, RETRY_PREFIX, ReminderScheduler

Traveller = time_machine.Traveller

pytestmark = pytest.mark.asyncio

ZONE = ZoneInfo("America/New_York")
T0 = dt.datetime(2025, 1, 13, 9, 0, tzinfo=ZONE)
PLAN = {"soon": T0 + dt.timedelta(hours=1), "in-3-days": T0 + dt.timedelta(days=3),
        "in-10-days": T0 + dt.timedelta(days=10), "in-40-days": T0 + dt.timedelta(days=40, hours=5)}


class Woken:
    """The scheduler's callback: records each key with the wall-clock instant it was woken at."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, dt.datetime]] = asyncio.Queue()

    async def wake(self, key: str) -> None:
        self.queue.put_nowait((key, dt.datetime.now(ZONE)))

    async def next(self) -> tuple[str, dt.datetime]:
        return await asyncio.wait_for(self.queue.get(), 5)


async def drain() -> None:
    """Let the loop run everything already due (APScheduler's wake-up, the jobs' tasks, what they schedule): no
    timer is involved, so a bounded number of turns is enough, and no real time passes."""
    for _ in range(50):
        await asyncio.sleep(0)


@contextlib.asynccontextmanager
async def scheduler_at(plan: dict[str, dt.datetime]) -> AsyncIterator[tuple[ReminderScheduler, Woken, Traveller]]:
    """A started scheduler synced to `plan`, with the wall clock stopped at T0."""
    with time_machine.travel(T0, tick=False) as traveller:
        woken = Woken()
        scheduler = ReminderScheduler(woken.wake, ZONE)
        scheduler.start()
        scheduler.sync(plan.items())
        try:
            yield scheduler, woken, traveller
        finally:
            scheduler.shutdown()


async def test_only_the_horizon_holds_jobs_and_every_reminder_still_wakes_once_in_order():
    async with scheduler_at(PLAN) as (scheduler, woken, traveller):
        assert scheduler.job_count() == 2  # "soon", and the horizon job for "in-3-days"
        assert scheduler.keys() == set(PLAN)
        assert {key: scheduler.next_run(key) for key in PLAN} == PLAN
        for key, instant in sorted(PLAN.items(), key=lambda item: item[1]):
            traveller.move_to(instant - dt.timedelta(seconds=1))
            scheduler.wakeup()
            await drain()
            assert woken.queue.empty() and scheduler.next_run(key) == instant
            traveller.move_to(instant)
            scheduler.wakeup()
            assert await woken.next() == (key, instant)
            assert key not in scheduler.keys()
        assert woken.queue.empty()
        assert scheduler.keys() == set() and scheduler.job_count() == 0


async def test_a_machine_that_slept_through_several_reminders_wakes_for_each_once():
    async with scheduler_at(PLAN) as (scheduler, woken, traveller):
        late = PLAN["in-10-days"] + dt.timedelta(hours=2)
        traveller.move_to(late)
        scheduler.wakeup()
        got = [await woken.next() for _ in range(3)]
        assert sorted(key for key, _ in got) == ["in-10-days", "in-3-days", "soon"]
        assert all(when == late for _, when in got)
        assert scheduler.keys() == {"in-40-days"} and scheduler.job_count() == 1  # the horizon job
        traveller.move_to(PLAN["in-40-days"])
        scheduler.wakeup()
        assert await woken.next() == ("in-40-days", PLAN["in-40-days"])
        assert woken.queue.empty()


async def test_a_re_plan_moves_reminders_across_the_horizon_and_drops_removed_ones():
    async with scheduler_at(PLAN) as (scheduler, woken, traveller):
        moved = {"soon": T0 + dt.timedelta(days=20), "in-3-days": T0 + dt.timedelta(hours=2),
                 "in-40-days": PLAN["in-40-days"]}
        assert scheduler.sync(moved.items()) == (2, 1)  # two moved, "in-10-days" removed
        assert scheduler.keys() == set(moved)
        assert scheduler.job_count() == 2  # "in-3-days" now within the horizon, and the horizon job
        assert scheduler.next_run("in-10-days") is None
        assert scheduler.sync(moved.items()) == (0, 0)
        for key in ("in-3-days", "soon", "in-40-days"):
            traveller.move_to(moved[key])
            scheduler.wakeup()
            assert await woken.next() == (key, moved[key])
        assert woken.queue.empty()


async def test_while_paused_nothing_wakes_and_resuming_wakes_what_fell_due():
    async with scheduler_at(PLAN) as (scheduler, woken, traveller):
        scheduler.pause()
        traveller.move_to(PLAN["in-3-days"] + dt.timedelta(minutes=1))
        scheduler.wakeup()
        await drain()
        assert woken.queue.empty() and scheduler.paused
        scheduler.resume()
        got = sorted([await woken.next(), await woken.next()])
        assert [key for key, _ in got] == ["in-3-days", "soon"]


async def test_a_retry_is_a_job_of_its_own_and_counts_as_a_key():
    async with scheduler_at({}) as (scheduler, woken, traveller):
        retry_at = T0 + HORIZON * 3  # a retry is never held back by the horizon
        scheduler.retry("posted-late", retry_at)
        assert scheduler.keys() == {RETRY_PREFIX + "posted-late"}
        assert scheduler.next_run("posted-late") == retry_at
        traveller.move_to(retry_at)
        scheduler.wakeup()
        assert await woken.next() == ("posted-late", retry_at)
