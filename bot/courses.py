"""Every server's course in this process: one `CourseService` per server, over one store and one feed server.

A server's course is the one uploaded there with /course upload, or, for the server named by `guild_id` in the
settings, schedule.yaml (with its uploads and changes). The store keeps each course's rows under its scope: the
server's id, or 0 for the configured server's course (the rows of the one course a bot ran before schema 9).
With `shard_count`/`shard_ids`, a process opens only the courses of the servers on its shards: it plans, posts
and syncs nothing of any other server's course.

The command tree asks `for_interaction` which course an interaction is about, and only ever from the server it
comes from: one course's commands cannot reach another's rows, reminders, events or feed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping

import discord

from bot.clock import Clock
from bot.server_config import ServerConfig
from bot.service import CourseService, OpenError, open_course
from bot.settings import Settings
from bot.store import Store, StoreError
from bot.web import CalendarFeed, FeedRoutes, open_feed_server

log = logging.getLogger(__name__)

HOME = 0  # the store's scope of the configured server's course


class Courses:
    """The courses this process serves, by server id, and the store and feed server they share."""

    def __init__(self, client: discord.Client, settings: Settings, origins: Mapping[str, str], clock: Clock,
                 store: Store, feed: tuple[CalendarFeed, FeedRoutes] | None) -> None:
        self.client = client
        self.settings = settings
        self.origins = dict(origins)
        self.clock = clock
        self.store = store
        self.feed_server: CalendarFeed | None = feed[0] if feed is not None else None
        self.routes: FeedRoutes | None = feed[1] if feed is not None else None
        self._services: dict[int, CourseService] = {}
        self._opening: dict[int, asyncio.Lock] = {}

    @classmethod
    async def open(cls, client: discord.Client, settings: Settings, origins: Mapping[str, str],
                   clock: Clock) -> Courses:
        """Open the store and the feed server, then every course of this process's servers (raises `OpenError`
        with the operator's message; nothing stays open)."""
        try:
            store = await Store.open(settings.database)
        except StoreError as exc:
            raise OpenError(str(exc)) from None
        feed = None
        try:
            try:
                feed = await open_feed_server(settings)
            except OSError as exc:
                raise OpenError(f"The calendar feed cannot listen on {settings.feed_host}:{settings.feed_port}: "
                                f"{exc.strerror or exc}") from None
            courses = cls(client, settings, origins, clock, store, feed)
            await courses._open_stored()
            return courses
        except BaseException:
            if feed is not None:
                await feed[0].stop()
            await store.close()
            raise

    async def _open_stored(self) -> None:
        """The configured server's course (schedule.yaml) and every uploaded one of this process's servers."""
        home = self.settings.guild_id
        if home is not None and self.settings.owns(home):
            await self.open_server(home)
        for scope in await self.store.uploaded_courses():
            guild_id = self.guild_of(scope)
            if guild_id is None:
                log.warning("an uploaded course is stored for the configured server, but guild_id is not set: "
                            "set guild_id to serve it")
            elif self.settings.owns(guild_id) and guild_id not in self._services:
                await self.open_server(guild_id)
        log.info("courses opened count=%d with_course=%d", len(self._services),
                 sum(s.has_course for s in self._services.values()))

    # --- which course ---------------------------------------------------------------------------------

    def scope_of(self, guild_id: int) -> int:
        """The store's scope of a server's course."""
        return HOME if guild_id == self.settings.guild_id else guild_id

    def guild_of(self, scope: int) -> int | None:
        """The server of a stored course (None: the configured server's, while guild_id is unset)."""
        return self.settings.guild_id if scope == HOME else scope

    def get(self, guild_id: int | None) -> CourseService | None:
        """The course of a server (a direct message is the configured server's), or None when it has none."""
        if guild_id is None:
            guild_id = self.settings.guild_id
        return self._services.get(guild_id) if guild_id is not None else None

    def __iter__(self) -> Iterator[CourseService]:
        return iter(list(self._services.values()))

    def __len__(self) -> int:
        return len(self._services)

    async def open_server(self, guild_id: int) -> CourseService:
        """The server's course service, opened once (a server without a course gets one without, for /setup and
        /course upload); raises `OpenError` when the configured server's schedule.yaml cannot be loaded."""
        service = self._services.get(guild_id)
        if service is not None:
            return service
        lock = self._opening.setdefault(guild_id, asyncio.Lock())
        async with lock:
            service = self._services.get(guild_id)
            if service is None:
                home = guild_id == self.settings.guild_id
                config = ServerConfig.for_server(self.settings, self.origins, guild_id)
                service = await open_course(self.client, config, self.clock,
                                            self.store.scoped(self.scope_of(guild_id)),
                                            self.settings.schedule if home else None, self.routes)
                self._services[guild_id] = service
                log.info("course opened guild=%s course=%s", guild_id,
                         service.course.term if service.has_course else "none yet")
        return service

    # --- life cycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Plan and schedule every course's reminders, sync events daily, and serve the feeds."""
        for service in self:
            await service.start()

    async def stop(self) -> None:
        """Every course stops (events in flight finish, bounded), then the feed server; the store stays open until
        `close` (the gateway closes in between)."""
        await asyncio.gather(*(service.stop() for service in self), return_exceptions=True)
        if self.feed_server is not None:
            await self.feed_server.stop()

    async def close(self) -> None:
        await self.store.close()
