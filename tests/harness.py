"""Runs the real CourseBot in-process against the fake Discord, with a clock the test drives."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.app import CourseBot, make_bot
from bot.settings import Settings
from tests.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parent.parent
SCHEDULE = REPO / "tests" / "data" / "courses" / "ml_at_scale.yaml"  # the first course, frozen (never the live file)
NEW_YORK = ZoneInfo("America/New_York")
STUDENT = 1140000000000000001
INSTRUCTOR = 1140000000000000099
INSTRUCTOR_ROLE = 1150000000000000001
STUDENT_ROLE = 1150000000000000002
GENERAL = 1130000000000000001
ANNOUNCEMENTS = 1130000000000000002
REMINDERS = 1130000000000000003


class TestClock:
    """A clock the test sets and advances; the bot reads it instead of the wall clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, *args: int) -> None:
        self.now = dt.datetime(*args, tzinfo=NEW_YORK)


def at(*args: int) -> dt.datetime:
    """An instant in the course's time zone: at(2024, 9, 17, 9, 0)."""
    return dt.datetime(*args, tzinfo=NEW_YORK)


def make_fake(**extra: Any) -> FakeDiscord:
    """The fake Discord with the course's channels and roles; `extra` goes to FakeDiscord (e.g. token=)."""
    return FakeDiscord(
        **extra,
        channels=(
            {"id": GENERAL, "name": "general"},
            {"id": ANNOUNCEMENTS, "name": "announcements"},
            {"id": REMINDERS, "name": "reminders"},
        ),
        roles=({"id": INSTRUCTOR_ROLE, "name": "Instructor"}, {"id": STUDENT_ROLE, "name": "Students"}),
    )


def settings_for(fake: FakeDiscord, tmp_path: Path, **overrides: Any) -> Settings:
    base = Settings(
        guild_id=fake.guild_id,
        reminder_channel_id=REMINDERS,
        announce_channel_id=ANNOUNCEMENTS,
        instructor_role_id=INSTRUCTOR_ROLE,
        student_role_id=STUDENT_ROLE,
        database=str(tmp_path / "coursebot.sqlite3"),
        schedule=str(SCHEDULE),
        api_base=fake.base_url,
    )
    return dataclasses.replace(base, **overrides)


async def seed_server(settings: Settings, guild_id: int, schedule: Path | None = None,
                      values: Mapping[str, int | bool] | None = None,
                      at_: dt.datetime = dt.datetime(2024, 8, 1, tzinfo=dt.timezone.utc)) -> None:
    """Before the bot starts: what a server's admins leave with /setup (`values`, default the fake's channels and
    roles) and /course upload (`schedule`, stored as an announced upload) — a course without guild_id."""
    from bot.server_config import to_text
    from bot.store import Store, StoredUpload

    chosen = dict(values) if values is not None else {
        "reminder_channel_id": REMINDERS, "announce_channel_id": ANNOUNCEMENTS,
        "instructor_role_id": INSTRUCTOR_ROLE, "student_role_id": STUDENT_ROLE}
    store = await Store.open(settings.database)
    try:
        if chosen:
            await store.set_server_settings(guild_id, {k: to_text(k, v) for k, v in chosen.items()}, None, at_)
        if schedule is not None:
            scope = 0 if guild_id == settings.guild_id else guild_id
            scoped = store.scoped(scope)
            stored = await scoped.add_upload(StoredUpload(at_, None, "seed", schedule.name, schedule.read_text(), 0,
                                                          (), ("New course",)))
            assert stored.id is not None
            await scoped.mark_announced(stored.id)
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, settings: Settings, clock: TestClock,
                      prepare: Callable[[CourseBot], None] | None = None,
                      origins: Mapping[str, str] | None = None) -> AsyncIterator[CourseBot]:
    """Start the bot (after `prepare` sets any discord.py knob on it), wait for READY, yield it, close it cleanly.

    `origins` says which settings came from the config file (default: every one that is set)."""
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    bot = make_bot(settings, clock=clock, origins=origins)
    if prepare is not None:
        prepare(bot)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        shard = settings.shard_ids[0] if settings.shard_ids and len(settings.shard_ids) == 1 else None
        ready = asyncio.create_task(fake.wait_until_ready(timeout=10, shard_id=shard))
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises the start-up error
            raise RuntimeError("the bot stopped before it was ready")
        ready.result()
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


async def final_answer(fake: FakeDiscord, interaction: Any) -> dict[str, Any]:
    """The message an interaction was answered with: the callback's, or the follow-up after a defer."""
    callback = await fake.wait_for_callback(interaction)
    if callback.json["type"] == 5:
        followup = await fake.wait_for_request("POST", rf"/webhooks/\d+/{re.escape(interaction.token)}")
        return followup.json
    return callback.json.get("data") or {}
