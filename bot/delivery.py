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
from dataclasses import dataclass

import aiohttp
import discord

from bot.clock import Clock
from bot.core.model import Course
from bot.core.planner import Reminder, ReminderSettings, nonce_for, plan
from bot.scheduler import ReminderScheduler
from bot.store import FINAL_STATES, HeldElsewhere, LedgerEntry, Store, Subscription

log = logging.getLogger(__name__)

LATE_AFTER = dt.timedelta(minutes=5)
EARLY_TOLERANCE = dt.timedelta(seconds=1)  # the scheduler and the clock are the same clock in production
RETRY_DELAYS = (dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10),
                dt.timedelta(minutes=30))
HELD_RETRY = dt.timedelta(seconds=20)  # another process holds a reminder: it posts in well under this
LATE_PREFIX = "⏰ *Late reminder: the bot was offline at the planned time.*\n"
HISTORY_LOOKBACK = 25
SHUTDOWN_GRACE = 3.0  # seconds: SIGTERM must exit within 5
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    state: str  # sent | late | skipped | failed | held (by another process) | done (final or unplanned) | early
    detail: str | None = None


LEGACY_ALL = ("critique", "project", "digest")  # what "all" meant before deadlines and exams had reminders


def wants(kinds: tuple[str, ...], kind: str) -> bool:
    """Whether a DM subscription covers a reminder kind; an old "all" covers the kinds added since."""
    return kind in kinds or tuple(kinds) == LEGACY_ALL


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
        # Who has a DM subscription (closed DMs included), as last read at a re-plan or a delivery: only they can
        # have a closed-DMs notice, so the check after every command asks the database about them alone.
        self.subscribers: frozenset[int] = frozenset()
        self._in_flight: dict[str, asyncio.Task[Outcome]] = {}

    async def start(self, course: Course) -> None:
        """Plan, schedule (missed reminders run at once), and start waking up."""
        if self._channel_id is None:
            log.warning("reminder_channel_id is not set scope=%s: reminders go only to direct-message subscribers",
                        self._store.scope)
        self.scheduler.start()
        await self.replan(course)

    async def replan(self, course: Course) -> None:
        """Re-plan after any change: jobs for what is still to post, none for what is done or removed."""
        self.plan = {r.key: r for r in plan(course, self._settings)}
        ledger = await self._store.ledger()
        subscribers = await self._open_subscriptions()
        now = self._clock()
        pending, missed = [], []
        for reminder in self.plan.values():
            targets = self._targets(reminder, subscribers)
            open_keys = [k for k, _ in targets if k not in ledger or ledger[k].state not in FINAL_STATES]
            if not open_keys:
                continue
            if now >= reminder.useful_until:
                missed += [(reminder, k, t) for k, t in targets if k in open_keys
                           and (k not in ledger or ledger[k].state != "failed")]
                continue
            pending.append((reminder.key, reminder.at))
        for reminder, key, target in missed:
            await self._store.mark_skipped(key, target, reminder.at, "its deadline passed while the bot was not "
                                           "running", now)
            log.info("reminder skipped key=%s: its deadline passed while the bot was not running", key)
        if missed:
            log.warning("reminders skipped count=%d first=%s last=%s: their deadlines passed while the bot was "
                        "not running", len(missed), missed[0][1], missed[-1][1])
        self.scheduler.sync(pending)

    async def _open_subscriptions(self) -> list[Subscription]:
        """The subscriptions DMs go to (not closed); `subscribers` is refreshed on the way."""
        everyone = await self._store.subscriptions()
        self.subscribers = frozenset(s.user_id for s in everyone)
        return [s for s in everyone if not s.dm_closed]

    def _targets(self, reminder: Reminder, subscribers: list[Subscription]) -> list[tuple[str, int]]:
        """(ledger key, channel or user id) of every post this reminder makes."""
        targets = [(reminder.key, self._channel_id)] if self._channel_id is not None else []
        targets += [(dm_key(reminder.key, s.user_id), s.user_id) for s in subscribers
                    if wants(s.kinds, reminder.kind) and s.subscribed_at <= reminder.at]
        return targets

    def post_in(self, channel_id: int | None) -> None:
        """Post from now on in this channel (/setup changed it); the caller re-plans."""
        log.info("reminder channel changed from=%s to=%s", self._channel_id, channel_id)
        self._channel_id = channel_id

    def pending_count(self) -> int:
        """Reminders scheduled and not yet posted."""
        return len(self.scheduler.keys())

    async def fire(self, key: str) -> None:
        """The scheduler's single callback."""
        await self.deliver(key)

    async def deliver(self, key: str) -> Outcome:
        """Post one reminder (channel, then DMs) once; concurrent calls for the same key share one attempt."""
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._deliver(key))
            self._in_flight[key] = task
            task.add_done_callback(lambda _: self._in_flight.pop(key, None))
        return await asyncio.shield(task)

    async def _deliver(self, key: str) -> Outcome:
        reminder = self.plan.get(key)
        if reminder is None:
            log.info("reminder no longer planned key=%s", key)
            return Outcome(key, "done", "no longer planned")
        now = self._clock()
        if now < reminder.at - EARLY_TOLERANCE:
            log.error("reminder woke up early key=%s at=%s now=%s: not posted", key, reminder.at, now)
            return Outcome(key, "early")
        subscribers = await self._open_subscriptions()
        outcome = Outcome(key, "done", "no reminder channel")
        retry = False
        for target_key, target in self._targets(reminder, subscribers):
            is_dm = target_key != key
            result = await self._post(reminder, target_key, target, is_dm)
            retry = retry or result.state in ("failed", "held")
            if not is_dm:
                outcome = result
        if not retry:
            self.scheduler.cancel_retry(key)
        return outcome

    async def _post(self, reminder: Reminder, key: str, target: int, is_dm: bool) -> Outcome:
        """Claim → send (nonce from the key) → mark, for one channel or one student's DMs."""
        now = self._clock()
        if now >= reminder.useful_until:
            await self._store.mark_skipped(key, target, reminder.at, "its deadline passed before it could be "
                                           "posted", now)
            log.warning("reminder skipped key=%s: its deadline passed before it could be posted", key)
            return Outcome(key, "skipped")
        try:
            entry = await self._store.claim(key, target, reminder.at, now)
        except HeldElsewhere:
            return self._held(reminder, key, now)
        if entry is None:
            return Outcome(key, "done")
        late = now - reminder.at > LATE_AFTER
        text = (LATE_PREFIX if late else "") + reminder.text
        try:
            if is_dm:
                user = self._client.get_user(target) or await self._client.fetch_user(target)
                message = await user.send(text, nonce=nonce_for(key), allowed_mentions=NO_MENTIONS)
            else:
                channel = self._client.get_partial_messageable(target)
                earlier = await self._earlier_post(channel, reminder) if entry.attempts > 1 else None
                message = earlier or await channel.send(text, nonce=nonce_for(key), allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as exc:
            if is_dm:
                await self._dms_closed(reminder, key, target, exc)
                return Outcome(key, "skipped", "direct messages closed")
            return await self._failed(reminder, key, target, entry.attempts, exc)
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
            return await self._failed(reminder, key, target, entry.attempts, exc)
        await self._store.mark_sent(key, message.id, late=late, now=self._clock())
        log.info("reminder posted key=%s target=%s message=%s late=%s attempt=%d",
                 key, target, message.id, late, entry.attempts)
        return Outcome(key, "late" if late else "sent")

    async def _dms_closed(self, reminder: Reminder, key: str, user_id: int, exc: discord.Forbidden) -> None:
        """Discord refused the DM: stop DMing this student until they turn reminders on again; tell them once."""
        await self._store.mark_skipped(key, user_id, reminder.at, f"direct messages closed (403, code {exc.code})",
                                       self._clock())
        await self._store.mark_dm_closed(user_id)
        log.warning("direct messages refused user=%s key=%s code=%s: DM reminders paused", user_id, key, exc.code)

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

    async def _failed(self, reminder: Reminder, key: str, target: int, attempts: int,
                      exc: BaseException) -> Outcome:
        detail = _describe(exc, target)
        now = self._clock()
        await self._store.mark_failed(key, detail, now)
        retry_at = now + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        if retry_at < reminder.useful_until:
            self.scheduler.retry(reminder.key, retry_at)
            log.error("reminder post failed key=%s target=%s attempt=%d: %s; retrying at %s",
                      key, target, attempts, detail, retry_at.isoformat())
        else:
            log.error("reminder post failed key=%s target=%s attempt=%d: %s; no retry: its deadline is near",
                      key, target, attempts, detail)
        return Outcome(key, "failed", detail)

    def _held(self, reminder: Reminder, key: str, now: dt.datetime) -> Outcome:
        """Another process is posting it: look again soon. By then it is done, or that process died and its hold
        went with its connection, and this one takes the reminder over."""
        retry_at = now + HELD_RETRY
        if retry_at < reminder.useful_until:
            self.scheduler.retry(reminder.key, retry_at)
        log.info("reminder held by another process key=%s: looking again at %s", key, retry_at.isoformat())
        return Outcome(key, "held")

    async def close(self) -> None:
        """Let posts in flight finish (they are claimed) for up to 3 s, then stop the scheduler."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=SHUTDOWN_GRACE)
        self.scheduler.shutdown()


def dm_key(key: str, user_id: int) -> str:
    """The ledger key of one student's DM copy of a reminder."""
    return f"{key}@dm:{user_id}"


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
