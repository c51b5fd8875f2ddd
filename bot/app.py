"""The discord.py Bot: wires settings, store, course and cogs in `setup_hook`; tears down in `close`."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import signal
from collections.abc import Mapping
from pathlib import Path

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, system_clock
from bot.core.changes import ChangeError
from bot.core.dates import QueryError
from bot.core.loader import ScheduleError
from bot.core.model import Course
from bot.core.upload import UploadError
from bot.course_state import CourseState
from bot.delivery import ReminderService
from bot.events import EventSync
from bot.server_config import ServerConfig, default_origins
from bot.settings import Settings
from bot.store import Store, StoreError, cannot_write, is_storage_error
from bot.web import CourseFeed, open_feed

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
EVENTS_SYNC_AT = dt.time(4, 0)  # the daily sync of Discord events, course time: a quiet hour
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


NO_COURSE_HERE = "This server has no course yet: an instructor can set it up with /setup and /course upload."


class CourseTree(app_commands.CommandTree):
    """One place that turns errors into friendly ephemeral replies and logs ours with ids."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """In a server that is not the course's, nothing of the course is shown: /setup answers for itself
        (it says whose the course is), every other command gets one sentence, and autocomplete nothing."""
        home = self.client.config.course_guild  # type: ignore[attr-defined]
        if home is None or interaction.guild_id in (None, home):
            return True
        name = interaction.data.get("name") if interaction.data else None
        if name == "setup":
            return True
        if interaction.type is discord.InteractionType.application_command:
            await reply_error(interaction, NO_COURSE_HERE)
        return False

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
            log.error("database write failed interaction=%s user=%s: %s", interaction.id, interaction.user.id,
                      cannot_write(self.client.settings.database, original))  # type: ignore[attr-defined]
            await reply_error(interaction, "I could not save that: the bot's database cannot be written right now "
                                           "(the operator has been told in the log). Nothing was changed.")
            return
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command failed command=%s interaction=%s user=%s guild=%s",
                  command, interaction.id, interaction.user.id, interaction.guild_id, exc_info=original)
        await reply_error(interaction, "Sorry, something went wrong on my side. It has been logged; "
                                       "please try again in a moment.")


async def reply_error(interaction: discord.Interaction, message: str) -> None:
    """An ephemeral plain-text answer, whether or not the interaction was already acknowledged."""
    text = message[:2000]
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except Exception as exc:  # the reply is best effort: the error itself is already handled
        log.error("could not send an error reply interaction=%s: %s", interaction.id, exc)


class CourseBot(commands.Bot):
    """The bot: resources are handed in or opened in `setup_hook`; nothing lives in globals."""

    def __init__(self, settings: Settings, *, clock: Clock = system_clock,
                 origins: Mapping[str, str] | None = None) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # we never use voice
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, tree_cls=CourseTree,
                         allowed_mentions=NO_MENTIONS, help_command=None)
        self.config = ServerConfig(settings, default_origins(settings) if origins is None else origins)
        self.clock = clock
        if settings.api_base:
            point_at(settings.api_base)
            log.warning("using a non-Discord API base: %s (tests only)", settings.api_base)
        self.store: Store | None = None
        self.reminders: ReminderService | None = None
        self.events: EventSync | None = None
        self.events_task: asyncio.Task[None] | None = None
        self.state: CourseState | None = None
        self.feed: CourseFeed | None = None  # the live calendar feed, when feed_port is set
        self.synced_count = 0
        self._ready_logged = False

    @property
    def settings(self) -> Settings:
        """The settings in effect: the config file and environment, then what /setup stored for the course's server."""
        return self.config.effective

    @property
    def course(self) -> Course:
        """The course as it stands: schedule.yaml plus the instructor's changes."""
        if self.state is None or self.state.course is None:
            raise RuntimeError("the course is loaded in setup_hook")
        return self.state.course

    async def setup_hook(self) -> None:
        try:
            self.store = await Store.open(self.settings.database)
        except StoreError as exc:
            raise StartupError(str(exc)) from None
        await self.config.load(self.store)
        self.state = CourseState(self.settings.schedule, self.store, self.clock, self._replan,
                                 cutoff=self.settings.critique_cutoff)
        try:
            course = await self.state.load()
        except ScheduleError as exc:
            raise StartupError("The schedule has problems:\n  " + "\n  ".join(map(str, exc.problems))) from None
        try:
            self.feed = await open_feed(lambda: self.settings, self.store, self.state, self.clock)
        except OSError as exc:
            raise StartupError(f"The calendar feed cannot listen on {self.settings.feed_host}:"
                               f"{self.settings.feed_port}: {exc.strerror or exc}") from None
        from bot.cogs.calendar import Calendar
        from bot.cogs.instructor import Instructor
        from bot.cogs.reminders import Reminders
        from bot.cogs.setup import Setup
        from bot.cogs.students import Students
        from bot.cogs.upload import ExpiredPreview

        await self.add_cog(Students(self))
        await self.add_cog(Calendar(self))
        await self.add_cog(Reminders(self))
        instructor = Instructor(self)
        await self.add_cog(instructor)
        self.add_view(ExpiredPreview())
        await self.add_cog(Setup(self))
        self._match_critique_commands(course)
        await self.sync_commands()
        if self.config.course_guild is None and self.settings.instructor_role_id is None:
            log.warning("no guild_id, instructor_role_id or /setup yet: nobody can use the /course commands until "
                        "a server admin runs /setup")
        self.reminders = ReminderService(self, self.store, self.clock, self.settings.reminder_channel_id,
                                         self.settings.reminders, course.timezone)
        await self.reminders.start(course)
        self.events = EventSync(self, self.store, self.clock, lambda: self.config.course_guild, lambda: self.settings)
        self.reminders.scheduler.every_day("scheduled-events", self._sync_events_daily, EVENTS_SYNC_AT)
        await instructor.uploads.announce_missed()
        gc.freeze()  # start-up objects live for ever: keep them out of the collector's way

    async def _replan(self, course: Course) -> None:
        if self.reminders is not None:
            await self.reminders.replan(course)
        self.sync_events_soon()
        if self._match_critique_commands(course):  # a reloaded file added or dropped the critiques
            await self.sync_commands()

    def sync_events_soon(self) -> asyncio.Task[None] | None:
        """Bring the server's scheduled events in step with the course, in the background (one after another)."""
        if self.events is None or self.state is None or self.state.course is None:
            return None
        previous, course = self.events_task, self.state.course

        async def run() -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)
            try:
                assert self.events is not None
                await self.events.sync(self.state.course if self.state and self.state.course else course)
            except Exception:
                log.exception("scheduled events sync failed guild=%s", self.config.course_guild)

        self.events_task = asyncio.create_task(run(), name="scheduled-events-sync")
        return self.events_task

    async def _sync_events_daily(self) -> None:
        task = self.sync_events_soon()
        if task is not None:
            await task

    def _match_critique_commands(self, course: Course) -> bool:
        """With guild commands, /critique exists only in a course with critiques; True when the tree changed.

        With global commands the tree is every server's, so /critique stays and answers that there are none.
        """
        if self.settings.guild_id is None:
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
        if self.settings.guild_id:
            guild = discord.Object(self.settings.guild_id)
            self.tree.clear_commands(guild=guild)  # a command removed since the last copy goes too
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        self.synced_count = len(synced)

    async def on_ready(self) -> None:
        if self._ready_logged:
            log.info("reconnected session ready guild=%s", self.settings.guild_id)
            return
        self._ready_logged = True
        self.sync_events_soon()
        log.info("ready user=%s guild=%s commands=%d term=%s", self.user.id if self.user else "?",
                 self.settings.guild_id or "global", self.synced_count, self.course.term)

    async def close(self) -> None:
        """Commands and reminders in flight finish first (bounded), then the gateway and HTTP, the database last."""
        for _ in range(2):  # the commands, then the completion listeners they dispatched
            running = [t for t in asyncio.all_tasks() if _is_command_task(t) and t is not asyncio.current_task()]
            if running:
                await asyncio.wait(running, timeout=SHUTDOWN_GRACE / 2)
        if self.events_task is not None:
            await asyncio.wait([self.events_task], timeout=SHUTDOWN_GRACE)
        if self.reminders is not None:
            await self.reminders.close()
            self.reminders = None
        if self.feed is not None:
            await self.feed.stop()
            self.feed = None
        await super().close()
        if self.store is not None:
            await self.store.close()
            self.store = None


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
    log.info("starting in %s", workdir)
    return asyncio.run(serve(CourseBot(settings, origins=origins), token))
