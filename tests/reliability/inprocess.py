"""The bot in-process for the fault tests (and bench/bench_faults.py): started for faults, and waits on the fake.

Nothing here replaces code of the bot. Two discord.py knobs are set on the bot instance:
`before_identify_hook` (discord.py sleeps 5 s before every re-IDENTIFY, an identify rate-limit courtesy
the fake does not need) and, when asked, `heartbeat_timeout` (a discord.py Client option, 60 s by
default: how long a silent connection is kept before discord.py closes it and resumes).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import discord

from bot.app import CourseBot
from bot.settings import Settings
from tests.fake_discord import FakeDiscord, InteractionRecord, RecordedRequest
from tests.harness import REMINDERS, STUDENT, TestClock, running_bot
from tests.reliability.stored import ledger_row

CALLBACK = r"/interactions/\d+/[^/]+/callback"
EVE = "critique:2024-09-18:eve"  # posted at Tue Sep 17 18:00 in #reminders
MESSAGES = rf"/channels/{REMINDERS}/messages"
ACK_DEADLINE = 3.0  # seconds Discord gives a bot to acknowledge an interaction
OK = (200, 204)

# Every student command, as a student types it.
STUDENT_COMMANDS: list[dict[str, Any]] = [
    {"name": "readings", "options": {"date": "9/18"}},
    {"name": "next"},
    {"name": "schedule"},
    {"name": "officehours"},
    {"name": "deadlines"},
    {"name": "search", "options": {"query": "flamingo"}},
    {"name": "critique", "subcommand": "rules"},
    {"name": "critique", "subcommand": "log", "options": {"date": "9/16"}},
    {"name": "critique", "subcommand": "status"},
    {"name": "remind", "subcommand": "status"},
    {"name": "calendar"},
    {"name": "help"},
]


async def _no_identify_pause(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py's default sleeps 5 s before a re-IDENTIFY; against the fake there is no identify rate limit."""


@contextlib.asynccontextmanager
async def started(fake: FakeDiscord, settings: Settings, clock: Any, *,
                  heartbeat_timeout: float | None = None) -> AsyncIterator[CourseBot]:
    """tests.harness.running_bot, with the re-IDENTIFY pause removed and an optional heartbeat_timeout; on the
    way out, commands still running are given 5 s to finish."""

    def knobs(bot: CourseBot) -> None:
        bot.before_identify_hook = _no_identify_pause  # type: ignore[method-assign]
        if heartbeat_timeout is not None:
            bot._connection.heartbeat_timeout = heartbeat_timeout  # read by every new DiscordWebSocket

    async with running_bot(fake, settings, clock, prepare=knobs) as bot:
        try:
            yield bot
        finally:
            with contextlib.suppress(TimeoutError):
                await commands_done(timeout=5)


async def commands_done(timeout: float = 10.0) -> None:
    """Until no command, and no listener of a command's completion or error, is running on this loop.

    An answered callback does not mean the bot is done: follow-ups and the /remind cog's completion listener
    (which writes the database) come after it. discord.py names those tasks, so they can be waited for.
    """
    me = asyncio.current_task()

    def running() -> set[asyncio.Task[Any]]:
        return {t for t in asyncio.all_tasks() if t is not me and not t.done()
                and t.get_name().startswith(("CommandTree-invoker", "discord.py: on_app_command"))}

    async def drain() -> None:
        while tasks := running():
            await asyncio.wait(tasks)

    await asyncio.wait_for(drain(), timeout)


async def ask(fake: FakeDiscord, name: str, *, subcommand: str = "", options: dict[str, Any] | None = None,
              user: int = STUDENT, **kwargs: Any) -> InteractionRecord:
    """Dispatch a command as `user` (a student unless told) and return the interaction the fake keeps."""
    return await fake.send_interaction(name=name, subcommand=subcommand, options=options, user=user, **kwargs)


def callbacks(fake: FakeDiscord, interaction: InteractionRecord) -> list[RecordedRequest]:
    """Every initial-response request the bot made for this interaction, in order."""
    path = f"/interactions/{interaction.id}/{interaction.token}/callback"
    return [r for r in fake.requests if r.method == "POST" and r.path == path]


async def first_answer(fake: FakeDiscord, interaction: InteractionRecord, timeout: float = 5.0) -> RecordedRequest:
    """The first callback of this interaction that the fake has answered, whatever the status."""
    path = rf"/interactions/{interaction.id}/{re.escape(interaction.token)}/callback"
    return await fake.wait_for_request("POST", path, timeout=timeout, answered=True,
                                       predicate=lambda r: not r.injected)


async def accepted(fake: FakeDiscord, interaction: InteractionRecord, timeout: float = 5.0) -> RecordedRequest:
    """The callback the fake accepted (2xx) for this interaction."""
    path = rf"/interactions/{interaction.id}/{re.escape(interaction.token)}/callback"
    return await fake.wait_for_request("POST", path, timeout=timeout, answered=True,
                                       predicate=lambda r: r.status in OK)


def ack_latency(callback: RecordedRequest, interaction: InteractionRecord) -> float:
    """Seconds from the fake dispatching INTERACTION_CREATE to the callback arriving (what Discord times)."""
    return callback.time - interaction.created


def channel_posts(fake: FakeDiscord, channel: int = REMINDERS) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{channel}/messages"]


class Finished:
    """Counts app commands that ran to their end (discord.py's `app_command_completion` event)."""

    def __init__(self, bot: CourseBot) -> None:
        self.count = 0
        self._changed = asyncio.Event()
        bot.add_listener(self._completed, "on_app_command_completion")

    async def _completed(self, interaction: discord.Interaction, command: object) -> None:
        self.count += 1
        self._changed.set()

    async def wait(self, count: int, timeout: float = 10.0) -> None:
        async def until() -> None:
            while self.count < count:
                self._changed = asyncio.Event()
                await self._changed.wait()

        await asyncio.wait_for(until(), timeout)


__all__ = ["ACK_DEADLINE", "CALLBACK", "EVE", "MESSAGES", "OK", "STUDENT_COMMANDS", "Finished", "TestClock",
           "accepted", "ack_latency", "ask", "callbacks", "channel_posts", "commands_done", "first_answer",
           "ledger_row", "started"]
