"""A course service: everything the cogs need for one server's course, typed, opened before any cog exists.

`open_course` reads the server's settings stored with /setup, loads its course (uploaded, or schedule.yaml for
the server named by `guild_id`; a server without either has a service with no course yet, for /setup and
/course upload) and makes its reminder, events and feed services over the shared store, scheduler-per-course and
feed server. The cogs get the service of the server an interaction comes from (bot/courses.py) and never import
the bot. When the course changes, the service re-plans the reminders, syncs the Discord events, and tells its
listeners (the bot, which keeps the command tree in step).
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
from bot.web import CourseFeed, FeedRoutes

log = logging.getLogger(__name__)

Listener = Callable[[Course], Awaitable[None]]
EVENTS_SYNC_AT = dt.time(4, 0)  # the daily sync of Discord events, in the course's time zone: a quiet hour


class OpenError(Exception):
    """The course cannot be opened; the message is for the operator."""


@dataclass(eq=False)
class CourseService:
    """One server's course: its store (scoped to it), state, settings, reminders, events and feed, for the cogs."""

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
    started: bool = False

    @property
    def guild_id(self) -> int | None:
        """The course's server."""
        return self.config.guild_id

    @property
    def settings(self) -> Settings:
        """The settings in effect: the config file and environment, then what /setup stored for the course's server."""
        return self.config.effective

    @property
    def has_course(self) -> bool:
        """False in a server whose course is not uploaded yet."""
        return self.state.course is not None

    @property
    def course(self) -> Course:
        """The course as it stands: the file or the upload, plus the instructor's changes."""
        course = self.state.course
        if course is None:
            raise RuntimeError("this server has no course yet: check has_course first")
        return course

    async def start(self) -> None:
        """Plan and schedule the reminders, sync the events daily and serve the feed; nothing without a course."""
        if self.started or not self.has_course:
            return
        self.started = True
        await self.reminders.start(self.course)
        self.sync_daily()
        if self.feed is not None:
            await self.feed.start()

    def pause(self) -> None:
        """The bot left the course's server: no reminder wakes up and the feed stops; everything stored stays."""
        self.reminders.scheduler.pause()
        if self.feed is not None:
            self.feed.stop()

    async def resume(self) -> None:
        """Back in the course's server: reminders resume (those missed are posted late or skipped), the feed
        serves again and the events are brought in step."""
        if not self.started:
            await self.start()
        else:
            self.reminders.scheduler.resume()
            await self.reminders.replan(self.course)
            if self.feed is not None:
                await self.feed.start()
        if self.has_course:
            self.sync_events_soon()

    async def changed(self, course: Course) -> None:
        """The course changed (a change, an undo, a reload, an upload): re-plan, sync the events, tell listeners."""
        if not self.started:
            await self.start()  # the first upload in this server
        else:
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
            if not self.has_course:
                return
            try:
                await self.events.sync(self.course)
            except Exception:
                log.exception("scheduled events sync failed guild=%s", self.guild_id)

        self.events_task = asyncio.create_task(run(), name="scheduled-events-sync")
        return self.events_task

    async def stop(self) -> None:
        """Events in flight finish (bounded), then the reminders and the feed stop; the registry closes the store
        last, after the gateway (a command finishing may still write)."""
        if self.events_task is not None:
            await asyncio.wait([self.events_task], timeout=2.0)
        await self.reminders.close()
        if self.feed is not None:
            self.feed.stop()


async def open_course(client: discord.Client, config: ServerConfig, clock: Clock, store: Store,
                      schedule: str | None, routes: FeedRoutes | None) -> CourseService:
    """Open one server's course over the shared store (already scoped to it); raises `OpenError` with the
    operator's message when its course file cannot be loaded."""
    from bot.core.loader import ScheduleError

    await config.load(store)
    settings = config.effective
    service: CourseService | None = None

    async def changed(course: Course) -> None:
        if service is not None:
            await service.changed(course)

    state = CourseState(schedule, store, clock, changed, cutoff=settings.critique_cutoff)
    try:
        course = await state.load()
    except ScheduleError as exc:
        raise OpenError("The schedule has problems:\n  " + "\n  ".join(map(str, exc.problems))) from None
    feed = CourseFeed(lambda: config.effective, store, state, clock, routes) if routes is not None else None
    reminders = ReminderService(client, store, clock, settings.reminder_channel_id, settings.reminders,
                                course.timezone if course is not None else dt.timezone.utc)
    events = EventSync(client, store, clock, lambda: config.guild_id, lambda: config.effective)
    service = CourseService(client, config, clock, store, state, reminders, events, feed)
    return service
