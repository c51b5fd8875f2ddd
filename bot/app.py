"""The discord.py Bot: opens the courses and loads the cogs in `setup_hook`; tears down in `close`."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, system_clock
from bot.cogs.common import COURSE, NO_COURSE_HERE, NO_COURSE_IN_DM, NO_MENTIONS, SETUP_COMMANDS, reply_error
from bot.cogs.upload import ExpiredPreview, Uploads
from bot.core.changes import ChangeError
from bot.core.dates import QueryError
from bot.core.model import Course
from bot.core.upload import UploadError
from bot.course_state import CourseState
from bot.courses import Courses
from bot.delivery import ReminderService
from bot.events import EventSync
from bot.server_config import ServerConfig, default_origins
from bot.service import CourseService, OpenError
from bot.settings import Settings
from bot.store import Store, cannot_write, is_storage_error
from bot.web import CalendarFeed, CourseFeed

log = logging.getLogger(__name__)

COGS = ("bot.cogs.students", "bot.cogs.calendar", "bot.cogs.reminders", "bot.cogs.instructor", "bot.cogs.setup")
SHUTDOWN_GRACE = 2.0  # seconds for commands in flight; SIGTERM must exit within 5


def _is_command_task(task: asyncio.Task) -> bool:
    """discord.py's task running an app command, or one of its app-command event listeners."""
    name = task.get_name()
    return name == "CommandTree-invoker" or name.startswith("discord.py: on_app_command")


class StartupError(Exception):
    """Start-up cannot go on; the message is for the operator."""


def point_at(api_base: str) -> None:
    """Send discord.py's REST and gateway traffic to another server (the fake Discord in tests)."""
    base = yarl.URL(api_base)
    discord.http.Route.BASE = str(base / "api" / "v10")
    scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme(scheme).with_path("/gateway")


class CourseTree(app_commands.CommandTree):
    """Resolves each interaction's course from the server it comes from, and turns errors into friendly ephemeral
    replies (ours logged with ids)."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """The course of the interaction's server (a DM: the configured server's) goes into `interaction.extras`
        for the cogs: nothing of another server's course is reachable. A server without a course gets one
        sentence for every command but /setup and /course (which answer for themselves), and no autocomplete."""
        courses: Courses = self.client.courses  # type: ignore[attr-defined]
        service = courses.get(interaction.guild_id)
        name = interaction.data.get("name") if interaction.data else None
        if (service is None and interaction.guild_id is not None and name in SETUP_COMMANDS
                and self.client.get_guild(interaction.guild_id) is not None):  # a server of ours, not a forged id
            service = await courses.open_server(interaction.guild_id)
        if service is None or (not service.has_course and name not in SETUP_COMMANDS):
            if interaction.type is discord.InteractionType.application_command:
                await reply_error(interaction, NO_COURSE_HERE if interaction.guild_id is not None else NO_COURSE_IN_DM)
            return False
        interaction.extras[COURSE] = service
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, (QueryError, ChangeError, UploadError)):
            await reply_error(interaction, str(original))
            return
        if isinstance(error, app_commands.TransformerError):
            await reply_error(interaction, f"I could not find “{error.value}” in this server (is it a channel I can "
                                           "see, or a role of this server?). Nothing was changed.")
            return
        if isinstance(error, app_commands.CheckFailure):
            await reply_error(interaction, str(error) or "You cannot use this command.")
            return
        if is_storage_error(original):
            log.error("database write failed interaction=%s user=%s guild=%s: %s", interaction.id,
                      interaction.user.id, interaction.guild_id,
                      cannot_write(self.client.settings.database, original))  # type: ignore[attr-defined]
            await reply_error(interaction, "I could not save that: the bot's database cannot be written right now "
                                           "(the operator has been told in the log). Nothing was changed.")
            return
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command failed command=%s interaction=%s user=%s guild=%s",
                  command, interaction.id, interaction.user.id, interaction.guild_id, exc_info=original)
        await reply_error(interaction, "Sorry, something went wrong on my side. It has been logged; "
                                       "please try again in a moment.")


class CourseBot(commands.Bot):
    """The bot: the courses (store, feed, one service per server) are opened in `setup_hook`; no globals."""

    def __init__(self, settings: Settings, *, clock: Clock = system_clock,
                 origins: Mapping[str, str] | None = None, **sharding: Any) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # we never use voice
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, tree_cls=CourseTree,
                         allowed_mentions=NO_MENTIONS, help_command=None, **sharding)
        self.file_settings = settings
        self.origins = default_origins(settings) if origins is None else dict(origins)
        self.clock = clock
        if settings.api_base:
            point_at(settings.api_base)
            log.warning("using a non-Discord API base: %s (tests only)", settings.api_base)
        self._courses: Courses | None = None
        self.synced_count = 0
        self._ready_logged = False

    # --- the courses, and the configured server's course for the bot's own use and for tests -----------

    @property
    def courses(self) -> Courses:
        if self._courses is None:
            raise RuntimeError("the courses are opened in setup_hook")
        return self._courses

    @property
    def service(self) -> CourseService | None:
        """The configured server's course (`guild_id`), or the only course this process serves."""
        if self._courses is None:
            return None
        if self.file_settings.guild_id is not None:
            return self._courses.get(self.file_settings.guild_id)
        services = list(self._courses)
        return services[0] if len(services) == 1 else None

    def _service(self) -> CourseService:
        if self.service is None:
            raise RuntimeError("no single course: use bot.courses.get(guild_id)")
        return self.service

    @property
    def config(self) -> ServerConfig:
        return self._service().config

    @property
    def settings(self) -> Settings:
        """The settings in effect for the configured server's course (the file's when there is none)."""
        return self.service.settings if self.service is not None else self.file_settings

    @property
    def course(self) -> Course:
        return self._service().course

    @property
    def store(self) -> Store | None:
        return self.service.store if self.service else None

    @property
    def state(self) -> CourseState | None:
        return self.service.state if self.service else None

    @property
    def reminders(self) -> ReminderService | None:
        return self.service.reminders if self.service else None

    @property
    def events(self) -> EventSync | None:
        return self.service.events if self.service else None

    @property
    def events_task(self) -> asyncio.Task[None] | None:
        return self.service.events_task if self.service else None

    @property
    def feed(self) -> CourseFeed | None:
        return self.service.feed if self.service else None

    @property
    def feed_server(self) -> CalendarFeed | None:
        return self._courses.feed_server if self._courses is not None else None

    def sync_events_soon(self) -> asyncio.Task[None] | None:
        return self.service.sync_events_soon() if self.service else None

    # --- start-up and shut-down ---------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        gc.disable()  # start-up builds every course: ~1 million objects at 1,000 courses, and all of them live on
        try:
            await self._open_and_start()
        finally:
            gc.enable()
            gc.collect()
            gc.freeze()  # start-up objects live for ever: keep them out of the collector's way

    async def _open_and_start(self) -> None:
        try:
            courses = await Courses.open(self, self.file_settings, self.origins, self.clock)
        except OpenError as exc:
            raise StartupError(str(exc)) from None
        self._courses = courses
        for name in COGS:
            await self.load_extension(name)
        self.add_view(ExpiredPreview())
        home = self.service if self.file_settings.guild_id is not None else None
        if home is not None and home.has_course:
            home.listeners.append(self._course_changed)
            self._match_critique_commands(home.course)
        await self.sync_commands()
        if self.file_settings.guild_id is None:
            log.info("no guild_id: commands are global, and each server's course is the one uploaded there")
        await courses.start()
        for service in courses:
            if service.has_course:
                await Uploads(service).announce_missed()

    async def _course_changed(self, course: Course) -> None:
        if self._match_critique_commands(course):  # a reloaded file added or dropped the critiques
            await self.sync_commands()

    def _match_critique_commands(self, course: Course) -> bool:
        """With guild commands, /critique exists only in a course with critiques; True when the tree changed.

        With global commands the tree is every server's, so /critique stays and answers that there are none.
        """
        if self.file_settings.guild_id is None:
            return False
        group = self.get_cog("Students").critique  # type: ignore[union-attr]
        present = self.tree.get_command("critique") is not None
        if course.has_critiques and not present:
            self.tree.add_command(group)
        elif present and not course.has_critiques:
            self.tree.remove_command("critique")
        return present != course.has_critiques

    async def sync_commands(self) -> None:
        """Sync to the configured guild (instant) or globally when none is set."""
        if self.file_settings.guild_id:
            guild = discord.Object(self.file_settings.guild_id)
            self.tree.clear_commands(guild=guild)  # a command removed since the last copy goes too
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        self.synced_count = len(synced)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a course's server: its reminders, events and feed stop, and everything stored is kept (an
        operator removes it with `python -m bot forget-server`)."""
        service = self._courses.get(guild.id) if self._courses is not None and guild.id else None
        if service is not None:
            service.pause()
            log.warning("removed from a course's server guild=%s: reminders paused, data kept", guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Back in a course's server: reminders resume (those missed are posted late or skipped), the feed serves
        again and the events are brought in step."""
        service = self._courses.get(guild.id) if self._courses is not None else None
        if service is not None:
            await service.resume()
            log.info("back in a course's server guild=%s: reminders resumed", guild.id)

    async def on_ready(self) -> None:
        if self._courses is None:  # closing already
            return
        if self._ready_logged:
            log.info("reconnected session ready guild=%s", self.file_settings.guild_id)
            return
        self._ready_logged = True
        gc.freeze()  # discord.py's cache of every server is built by now: keep it out of the collector's way too
        for service in self.courses:
            if service.has_course:
                service.sync_events_soon()
        home = self.service
        log.info("ready user=%s guild=%s commands=%d courses=%d term=%s", self.user.id if self.user else "?",
                 self.file_settings.guild_id or "global", self.synced_count, len(self.courses),
                 home.course.term if home is not None and home.has_course else "-")

    async def close(self) -> None:
        """Commands and reminders in flight finish first (bounded), then the gateway and HTTP, the database last."""
        for _ in range(2):  # the commands, then the completion listeners they dispatched
            running = [t for t in asyncio.all_tasks() if _is_command_task(t) and t is not asyncio.current_task()]
            if running:
                await asyncio.wait(running, timeout=SHUTDOWN_GRACE / 2)
        courses, self._courses = self._courses, None
        if courses is not None:
            await courses.stop()
        await super().close()
        if courses is not None:
            await courses.close()


class ShardedCourseBot(CourseBot, commands.AutoShardedBot):
    """The bot over discord.py's shards (`shard_count`, `shard_ids`): each process opens, plans and posts only
    the courses of the servers on its shards."""


def make_bot(settings: Settings, *, clock: Clock = system_clock,
             origins: Mapping[str, str] | None = None) -> CourseBot:
    if settings.shard_count is None:
        return CourseBot(settings, clock=clock, origins=origins)
    return ShardedCourseBot(settings, clock=clock, origins=origins, shard_count=settings.shard_count,
                            shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None)


async def serve(bot: CourseBot, token: str) -> int:
    loop = asyncio.get_running_loop()
    def stop(sig: signal.Signals) -> None:
        log.info("signal %s: shutting down", sig.name)
        asyncio.ensure_future(bot.close())

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error("Discord rejected the token (HTTP 401). Check DISCORD_TOKEN: Developer Portal → your "
                  "application → Bot → Reset Token.")
        return 1
    except StartupError as exc:
        log.error("%s", exc)
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the requested gateway intents.")
        return 1
    log.info("stopped")
    return 0


def run_bot(settings: Settings, token: str, workdir: Path, origins: Mapping[str, str] | None = None) -> int:
    """Run until SIGTERM/SIGINT (exit 0) or a fatal start-up problem (exit 1)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job: 45,000 at 1,000 courses; ours log
    log.info("starting in %s", workdir)
    return asyncio.run(serve(make_bot(settings, origins=origins), token))
