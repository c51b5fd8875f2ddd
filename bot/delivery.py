"""Reminders, exactly once: plan → schedule → claim in the ledger → post (nonce) → mark sent.

A reminder is claimed in SQLite before it is posted and marked after. A crash in
between leaves it 'claimed': the next attempt first looks for the message in the
channel and sends with the same nonce (derived from the key), so Discord returns
the earlier message rather than a second one. Failures are retried with backoff
until the reminder's deadline; every outcome is logged and kept in the ledger.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import discord

from bot.clock import Clock
from bot.core.model import Course
from bot.core.planner import Reminder, ReminderSettings, plan
from bot.scheduler import ReminderScheduler
from bot.store import FINAL_STATES, LedgerEntry, Store

log = logging.getLogger(__name__)

LATE_AFTER = dt.timedelta(minutes=5)
EARLY_TOLERANCE = dt.timedelta(seconds=1)  # the scheduler and the clock are the same clock in production
RETRY_DELAYS = (dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10),
                dt.timedelta(minutes=30))
LATE_PREFIX = "⏰ *Late reminder: the bot was offline at the planned time.*\n"
HISTORY_LOOKBACK = 25
SHUTDOWN_GRACE = 3.0  # seconds: SIGTERM must exit within 5
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    state: str  # sent | late | skipped | failed | done (already final or unplanned) | early
    detail: str | None = None


class ReminderService:
    """Owns the current plan and turns scheduler wake-ups into posts recorded in the ledger."""

    def __init__(self, client: discord.Client, store: Store, clock: Clock, channel_id: int | None,
                 settings: ReminderSettings, timezone: dt.tzinfo) -> None:
        self._client = client
        self._store = store
        self._clock = clock
        self._channel_id = channel_id
        self._settings = settings
        self.scheduler = ReminderScheduler(self.fire, timezone)
        self.plan: dict[str, Reminder] = {}
        self._in_flight: dict[str, asyncio.Task[Outcome]] = {}
        self.on_outcome: Callable[[Outcome], None] | None = None  # tests and metrics watch outcomes

    async def start(self, course: Course) -> None:
        """Plan, schedule (missed reminders run at once), and start waking up."""
        self.scheduler.start()
        await self.replan(course)

    async def replan(self, course: Course) -> None:
        """Re-plan after any change: jobs for what is still to post, none for what is done or removed."""
        if self._channel_id is None:
            log.warning("reminder_channel_id is not set: no reminders will be posted")
            self.plan = {}
            self.scheduler.sync(())
            return
        self.plan = {r.key: r for r in plan(course, self._settings)}
        ledger = await self._store.ledger()
        now = self._clock()
        pending, missed = [], []
        for reminder in self.plan.values():
            entry = ledger.get(reminder.key)
            if entry is not None and entry.state in FINAL_STATES:
                continue
            if now >= reminder.useful_until:
                if entry is None or entry.state != "failed":
                    missed.append(reminder)
                continue
            pending.append((reminder.key, reminder.at))
        for reminder in missed:
            await self._skip(reminder, "its deadline passed while the bot was not running", quiet=True)
        if missed:
            log.warning("reminders skipped count=%d first=%s last=%s: their deadlines passed while the bot was "
                        "not running", len(missed), missed[0].key, missed[-1].key)
        self.scheduler.sync(pending)

    def pending_count(self) -> int:
        """Reminders scheduled and not yet posted."""
        return len(self.scheduler.keys())

    async def fire(self, key: str) -> None:
        """The scheduler's single callback."""
        await self.deliver(key)

    async def deliver(self, key: str) -> Outcome:
        """Post one reminder once; concurrent calls for the same key share one attempt."""
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._deliver(key))
            self._in_flight[key] = task
            task.add_done_callback(lambda _: self._in_flight.pop(key, None))
        outcome = await asyncio.shield(task)
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    async def _deliver(self, key: str) -> Outcome:
        reminder = self.plan.get(key)
        if reminder is None or self._channel_id is None:
            log.info("reminder no longer planned key=%s", key)
            return Outcome(key, "done", "no longer planned")
        now = self._clock()
        if now < reminder.at - EARLY_TOLERANCE:
            log.error("reminder woke up early key=%s at=%s now=%s: not posted", key, reminder.at, now)
            return Outcome(key, "early")
        if now >= reminder.useful_until:
            await self._skip(reminder, "its deadline passed before it could be posted")
            return Outcome(key, "skipped")
        entry = await self._store.claim(key, self._channel_id, reminder.at, now)
        if entry is None:
            return Outcome(key, "done")
        late = now - reminder.at > LATE_AFTER
        channel = self._client.get_partial_messageable(self._channel_id)
        try:
            message = await self._earlier_post(channel, reminder) if entry.attempts > 1 else None
            if message is None:
                text = (LATE_PREFIX if late else "") + reminder.text
                message = await channel.send(text, nonce=reminder.nonce, allowed_mentions=NO_MENTIONS)
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
            return await self._failed(reminder, entry.attempts, exc)
        await self._store.mark_sent(key, message.id, late=late, now=self._clock())
        self.scheduler.cancel_retry(key)
        log.info("reminder posted key=%s channel=%s message=%s late=%s attempt=%d",
                 key, self._channel_id, message.id, late, entry.attempts)
        return Outcome(key, "late" if late else "sent")

    async def _earlier_post(self, channel: discord.PartialMessageable, reminder: Reminder) -> discord.Message | None:
        """After a crash between claim and mark: the post, if the earlier attempt made it."""
        me = self._client.user
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                if me and message.author.id == me.id and message.content.endswith(reminder.text):
                    log.info("reminder found already posted key=%s message=%s", reminder.key, message.id)
                    return message
        except discord.HTTPException as exc:
            log.info("cannot read channel history key=%s status=%s: relying on the nonce", reminder.key,
                     exc.status)
        return None

    async def _failed(self, reminder: Reminder, attempts: int, exc: BaseException) -> Outcome:
        detail = _describe(exc, self._channel_id)
        now = self._clock()
        await self._store.mark_failed(reminder.key, detail, now)
        retry_at = now + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        if retry_at < reminder.useful_until:
            self.scheduler.retry(reminder.key, retry_at)
            log.error("reminder post failed key=%s channel=%s attempt=%d: %s; retrying at %s",
                      reminder.key, self._channel_id, attempts, detail, retry_at.isoformat())
        else:
            log.error("reminder post failed key=%s channel=%s attempt=%d: %s; no retry: its deadline is near",
                      reminder.key, self._channel_id, attempts, detail)
        return Outcome(reminder.key, "failed", detail)

    async def _skip(self, reminder: Reminder, why: str, *, quiet: bool = False) -> None:
        assert self._channel_id is not None
        await self._store.mark_skipped(reminder.key, self._channel_id, reminder.at, why, self._clock())
        log.log(logging.INFO if quiet else logging.WARNING, "reminder skipped key=%s: %s", reminder.key, why)

    async def close(self) -> None:
        """Let posts in flight finish (they are claimed) for up to 3 s, then stop the scheduler."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=SHUTDOWN_GRACE)
        self.scheduler.shutdown()


def _describe(exc: BaseException, channel_id: int | None) -> str:
    if isinstance(exc, discord.NotFound):
        return f"channel {channel_id} not found (404): check reminder_channel_id"
    if isinstance(exc, discord.Forbidden):
        return f"no permission to post in channel {channel_id} (403): give the bot View Channel and Send Messages"
    if isinstance(exc, discord.HTTPException):
        return f"Discord answered {exc.status}: {exc.text[:200] if exc.text else 'no details'}"
    if isinstance(exc, asyncio.TimeoutError):
        return "Discord did not answer in time"
    return f"network error: {exc}"


async def plan_with_states(course: Course, settings: ReminderSettings, database: str,
                           exists: bool) -> list[tuple[Reminder, LedgerEntry | None]]:
    """The whole plan with each reminder's ledger row (None: not attempted yet), for `python -m bot reminders`.

    A database that does not exist yet is not created: nothing has been posted.
    """
    ledger: dict[str, LedgerEntry] = {}
    if exists:
        store = await Store.open(database)
        try:
            ledger = await store.ledger()
        finally:
            await store.close()
    return [(r, ledger.get(r.key)) for r in plan(course, settings)]
