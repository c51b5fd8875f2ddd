"""Discord scheduled events kept in step with the course: created ahead, edited, cancelled, never duplicated.

Each sync compares three things: the plan (`bot.core.events`), the rows of what we made (`scheduled_events`),
and the server's events as Discord has them now. A row is written before an event is created and completed
with its id after, so after a crash in between the next sync adopts the event it finds (ours, same name and
start) instead of making a second. An event an admin deleted is recorded and not made again; one an admin
edited (it matches neither the plan nor what we last wrote) is left alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import discord

from bot.clock import Clock
from bot.core.events import EventPlan, class_events, exam_events, fingerprint, office_hour_events, wanted_events
from bot.core.ics import course_slug
from bot.core.model import Course
from bot.settings import Settings
from bot.store import EventRow, Store

log = logging.getLogger(__name__)

MAX_EVENTS_REACHED = 30038  # Discord: the server already has 100 scheduled events


@dataclass
class SyncReport:
    """What one sync did, for the log and /setup."""

    created: int = 0
    edited: int = 0
    cancelled: int = 0
    deleted: int = 0
    adopted: int = 0
    left_alone: list[str] = field(default_factory=list)  # keys an admin edited by hand
    left_alone_names: list[str] = field(default_factory=list)
    problem: str | None = None  # why events are off or stopped, in words for /setup


def fingerprint_of(event: discord.ScheduledEvent) -> str:
    """The same fingerprint as `EventPlan.fingerprint`, from what Discord has now."""
    return fingerprint(event.name, event.start_time, event.end_time, event.location, event.description)


def _same_instant(plan: EventPlan, event: discord.ScheduledEvent) -> bool:
    return event.start_time == plan.start and event.name == plan.name


class EventSync:
    """Owns the scheduled events of the course's server; one sync at a time."""

    def __init__(self, client: discord.Client, store: Store, clock: Clock, guild_id: Callable[[], int | None],
                 settings: Callable[[], Settings]) -> None:
        self._client = client
        self._store = store
        self._clock = clock
        self._guild_id = guild_id
        self._settings = settings
        self._lock = asyncio.Lock()
        self.last: SyncReport | None = None
        self._warned: str | None = None

    def status(self) -> str | None:
        """A line for /setup when there is something to say about the events (the setting's own line says on/off)."""
        if self._settings().scheduled_events is False:
            return None
        if self.last is None:
            return "Discord events: not made yet (the bot makes them once it is connected to the server)."
        if self.last.problem:
            return f"⚠ Discord events: {self.last.problem}"
        if self.last.left_alone:
            names = ", ".join(self.last.left_alone_names[:5])
            return (f"Discord events edited by hand are left as they are (move them yourself if their class "
                    f"moves): {names}.")
        return None

    async def sync(self, course: Course) -> SyncReport:
        async with self._lock:
            report = await self._sync(course)
            self.last = report
            if report.problem and report.problem != self._warned:
                log.warning("scheduled events: %s", report.problem)
            self._warned = report.problem
            if report.created or report.edited or report.cancelled or report.deleted or report.adopted:
                log.info("scheduled events synced created=%d edited=%d cancelled=%d deleted=%d adopted=%d "
                         "left_alone=%d", report.created, report.edited, report.cancelled, report.deleted,
                         report.adopted, len(report.left_alone))
            return report

    async def _sync(self, course: Course) -> SyncReport:
        report = SyncReport()
        settings = self._settings()
        guild_id = self._guild_id()
        guild = self._client.get_guild(guild_id) if guild_id is not None else None
        if settings.scheduled_events is False:
            if guild is not None:
                await self._withdraw(guild, report)
            return report
        if guild is None or guild.me is None:
            report.problem = "off until the bot is in the course's server (set guild_id or use /setup there)."
            return report
        granted = guild.me.guild_permissions
        if not (granted.create_events or granted.manage_events):
            report.problem = "off: the bot lacks the Create Events permission (Server Settings → Roles)."
            return report
        now = self._clock()
        prefix = f"{course_slug(course)}/"  # next term's class 7 is another event than this term's
        wanted = [dataclasses.replace(p, key=prefix + p.key) for p in wanted_events(course, now, settings.events_days)]
        everything = {prefix + p.key: dataclasses.replace(p, key=prefix + p.key)
                      for p in (*class_events(course), *exam_events(course),
                                *office_hour_events(course, course.first_day, course.last_day))}
        existing = {e.id: e for e in await guild.fetch_scheduled_events()}
        rows = await self._store.event_rows()
        mine = guild.me.id
        try:
            for plan in wanted:
                await self._one(guild, plan, rows.get(plan.key), existing, mine, report)
            await self._drop_duplicates(wanted, existing, mine, report)
            seen = {p.key for p in wanted}
            rows = await self._store.event_rows()
            taken = {row.event_id for key, row in rows.items() if key in seen and row.state == "live"}
            for key, row in rows.items():
                if (key not in seen and key.startswith(prefix) and row.state == "live" and row.event_id in existing
                        and row.event_id not in taken):
                    await self._outside(key, row, everything.get(key), existing[row.event_id], now, report)
        except discord.HTTPException as exc:
            if exc.code == MAX_EVENTS_REACHED:
                report.problem = "the server has 100 events, Discord's limit; the rest will be made as room frees up."
            elif isinstance(exc, discord.Forbidden):
                report.problem = f"stopped: Discord refused ({exc.status} {exc.code}); check Create Events."
            else:
                raise
        return report

    async def _drop_duplicates(self, wanted: list[EventPlan], existing: dict[int, discord.ScheduledEvent], mine: int,
                               report: SyncReport) -> None:
        """Delete an event of ours that repeats a recorded one (a create Discord applied twice: its answer was lost
        and the request retried)."""
        recorded = {row.event_id for row in (await self._store.event_rows()).values() if row.event_id}
        planned = {(p.name, p.start) for p in wanted if not p.cancelled}
        for event in list(existing.values()):
            if (event.creator_id == mine and event.id not in recorded and event.status is discord.EventStatus.scheduled
                    and (event.name, event.start_time) in planned):
                await event.delete()
                del existing[event.id]
                report.deleted += 1
                log.warning("scheduled event duplicate deleted event=%s name=%s", event.id, event.name)

    async def _save(self, key: str, event_id: int | None, state: str, fingerprint: str | None) -> None:
        await self._store.save_event(key, event_id, state, fingerprint, self._clock())

    async def _one(self, guild: discord.Guild, plan: EventPlan, row: EventRow | None,
                   existing: dict[int, discord.ScheduledEvent], mine: int, report: SyncReport) -> None:
        event = existing.get(row.event_id) if row and row.event_id else None
        if plan.cancelled:
            if row and event and row.state == "live" and event.status is discord.EventStatus.scheduled:
                await event.cancel()
                await self._save(plan.key, event.id, "cancelled", row.fingerprint)
                report.cancelled += 1
            return
        if row and row.state == "deleted_by_admin":
            return
        if row and row.state == "live" and row.event_id:
            if event is None or event.status is not discord.EventStatus.scheduled:
                await self._save(plan.key, row.event_id, "deleted_by_admin", row.fingerprint)
                return
            await self._update(plan, row, event, report)
            return
        # No event yet (or we cancelled it and the class is back, or a crash left a 'creating' row): adopt or make.
        # A crash after Discord made the event leaves a 'creating' row with what we sent: find that event even if
        # the class has moved since, or the one the plan describes now.
        ours = [e for e in existing.values() if e.creator_id == mine and e.status is discord.EventStatus.scheduled]
        crashed = row.fingerprint if row and row.state == "creating" else None
        found = next((e for e in ours if crashed and fingerprint_of(e) == crashed), None) or next(
            (e for e in ours if _same_instant(plan, e)), None)
        if found is not None:
            await self._save(plan.key, found.id, "live", fingerprint_of(found))
            report.adopted += 1
            await self._update(plan, await self._row(plan.key), found, report)
            return
        await self._save(plan.key, None, "creating", plan.fingerprint)
        created = await guild.create_scheduled_event(
            name=plan.name, start_time=plan.start, end_time=plan.end, location=plan.location,
            description=plan.description or discord.utils.MISSING, entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only)
        await self._save(plan.key, created.id, "live", plan.fingerprint)
        existing[created.id] = created
        report.created += 1

    async def _withdraw(self, guild: discord.Guild, report: SyncReport) -> None:
        """Events were turned off: cancel the coming ones we made, which would no longer follow the course."""
        rows = {row.event_id: key for key, row in (await self._store.event_rows()).items()
                if row.state == "live" and row.event_id}
        if not rows:
            return
        now = self._clock()
        for event in await guild.fetch_scheduled_events():
            key = rows.get(event.id)
            if key is not None and event.status is discord.EventStatus.scheduled and event.start_time > now:
                await event.cancel()
                await self._save(key, event.id, "cancelled", None)
                report.cancelled += 1

    async def _row(self, key: str) -> EventRow:
        return (await self._store.event_rows())[key]

    async def _update(self, plan: EventPlan, row: EventRow, event: discord.ScheduledEvent,
                      report: SyncReport) -> None:
        """Edit our event to the plan, unless an admin changed it by hand since we last wrote it."""
        current = fingerprint_of(event)
        if current == plan.fingerprint:
            if row.fingerprint != current:
                await self._save(plan.key, event.id, "live", current)
            return
        if row.fingerprint is not None and current != row.fingerprint:
            report.left_alone.append(plan.key)
            report.left_alone_names.append(event.name)
            if event.start_time != plan.start:
                log.warning("scheduled event edited by hand, left alone though its class moved key=%s event=%s",
                            plan.key, event.id)
            return
        await event.edit(name=plan.name, start_time=plan.start, end_time=plan.end, location=plan.location,
                         description=plan.description, entity_type=discord.EntityType.external,
                         privacy_level=discord.PrivacyLevel.guild_only)
        await self._save(plan.key, event.id, "live", plan.fingerprint)
        report.edited += 1

    async def _outside(self, key: str, row: EventRow, plan: EventPlan | None, event: discord.ScheduledEvent,
                       now: dt.datetime, report: SyncReport) -> None:
        """One of ours no longer in the window: gone from the course (delete), cancelled, or moved further off."""
        if event.status is not discord.EventStatus.scheduled or event.start_time <= now:
            return
        if plan is None:
            await event.delete()
            await self._save(key, event.id, "removed", row.fingerprint)
            report.deleted += 1
        elif plan.cancelled:
            await event.cancel()
            await self._save(key, event.id, "cancelled", row.fingerprint)
            report.cancelled += 1
        elif plan.start > now:
            await self._update(plan, row, event, report)
