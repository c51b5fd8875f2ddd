"""The course service: everything the cogs need, typed and opened before any cog exists.

`open_course` opens the store, reads the settings stored with /setup, loads the course, opens the feed and makes
the reminder and events services; the cogs get the `CourseService` and never import the bot. When the course
changes, the service re-plans the reminders, syncs the Discord events, and tells its listeners (the bot, which
keeps the command tree in step).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import discord

from bot.clock import Clock
from bot.core.model import Course
from bot.course_state import CourseState
from bot.delivery import ReminderService
from bot.events import EventSync
from bot.server_config import ServerConfig
from bot.settings import Settings
from bot.store import Store
from bot.web import CourseFeed, open_feed

log = logging.getLogger(__name__)

Listener = Callable[[Course], Awaitable[None]]
EVENTS_SYNC_AT = dt.time(4, 0)  # the daily sync of Discord events, in the course's time zone: a quiet hour


class OpenError(Exception):
    """The course cannot be opened; the message is for the operator."""


@dataclass(eq=False)
class CourseService:
    """The course's store, state, settings, reminders, events and feed, for the cogs."""

    client: discord.Client
    config: ServerConfig
    clock: Clock
    store: Store
    state: CourseState
    reminders: ReminderService
    events: EventSync
    feed: CourseFeed | None
    listeners: list[Listener] = field(default_factory=list)
    events_task: asyncio.Task[None] | None = None
    daily_zone: dt.tzinfo | None = None

    @property
    def settings(self) -> Settings:
        """The settings in effect: the config file and environment, then what /setup stored for the course's server."""
        return self.config.effective

    @property
    def course(self) -> Course:
        """The course as it stands: the file or the upload, plus the instructor's changes."""
        course = self.state.course
        if course is None:
            raise RuntimeError("the course is loaded by open_course")
        return course

    async def changed(self, course: Course) -> None:
        """The course changed (a change, an undo, a reload, an upload): re-plan, sync the events, tell listeners."""
        await self.reminders.replan(course)
        if course.timezone != self.daily_zone:
            self.sync_daily()
        self.sync_events_soon()
        for listener in self.listeners:
            await listener(course)

    def sync_daily(self) -> None:
        """Sync the Discord events every day at a quiet hour of the course's own time zone."""
        self.daily_zone = self.course.timezone
        self.reminders.scheduler.every_day("scheduled-events", self._daily_sync, EVENTS_SYNC_AT, self.daily_zone)

    async def _daily_sync(self) -> None:
        await self.sync_events_soon()

    def sync_events_soon(self) -> asyncio.Task[None]:
        """Bring the server's scheduled events in step with the course, in the background (one after another)."""
        previous = self.events_task

        async def run() -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)
            try:
                await self.events.sync(self.course)
            except Exception:
                log.exception("scheduled events sync failed guild=%s", self.config.course_guild)

        self.events_task = asyncio.create_task(run(), name="scheduled-events-sync")
        return self.events_task

    async def stop(self) -> None:
        """Events in flight finish (bounded), then the reminders and the feed stop; the caller closes the store
        last, after the gateway (a command finishing may still write)."""
        if self.events_task is not None:
            await asyncio.wait([self.events_task], timeout=2.0)
        await self.reminders.close()
        if self.feed is not None:
            await self.feed.stop()


async def open_course(client: discord.Client, config: ServerConfig, clock: Clock) -> CourseService:
    """Open everything the course needs (raises `OpenError` with the operator's message; nothing stays open)."""
    from bot.core.loader import ScheduleError
    from bot.store import StoreError

    settings = config.effective
    try:
        store = await Store.open(settings.database)
    except StoreError as exc:
        raise OpenError(str(exc)) from None
    try:
        await config.load(store)
        settings = config.effective
        service: CourseService | None = None

        async def changed(course: Course) -> None:
            if service is not None:
                await service.changed(course)

        state = CourseState(settings.schedule, store, clock, changed, cutoff=settings.critique_cutoff)
        try:
            course = await state.load()
        except ScheduleError as exc:
            raise OpenError("The schedule has problems:\n  " + "\n  ".join(map(str, exc.problems))) from None
        try:
            feed = await open_feed(lambda: config.effective, store, state, clock)
        except OSError as exc:
            raise OpenError(f"The calendar feed cannot listen on {settings.feed_host}:{settings.feed_port}: "
                            f"{exc.strerror or exc}") from None
        reminders = ReminderService(client, store, clock, settings.reminder_channel_id, settings.reminders,
                                    course.timezone)
        events = EventSync(client, store, clock, lambda: config.course_guild, lambda: config.effective)
        service = CourseService(client, config, clock, store, state, reminders, events, feed)
        return service
    except BaseException:
        await store.close()
        raise
