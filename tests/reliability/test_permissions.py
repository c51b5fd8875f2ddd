"""Every instructor command (/course … and /announce) from someone who may not use it: refused, nothing changed.

Tried as a student, as a member without roles, from another guild (even with Manage Server there), and
from a DM. Discord itself hides these commands (default permissions Manage Server, guild-only, synced to
the course's guild); where the fake delivers them anyway, the bot must still refuse.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import CourseBot
from bot.cogs.common import NO_COURSE_IN_DM
from tests import harness
from tests.fake_discord import FakeDiscord
from tests.fake_discord.interactions import AUTOCOMPLETE
from tests.fake_discord.models import ALL_PERMISSIONS
from tests.harness import (
    ANNOUNCEMENTS,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    SCHEDULE,
    STUDENT_ROLE,
    at,
    make_fake,
    running_bot,
    settings_for,
)
from tests.reliability.quiesce import EPHEMERAL, settle

MANAGE_GUILD = 1 << 5
OTHER_GUILD = 1110000000000000777
STUDENT_USER = 1140000000000000201
NO_ROLES_USER = 1140000000000000202
OUTSIDER = 1140000000000000203
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
REFUSAL = "Only the instructor"
ELSEWHERE = "This server has no course yet"  # the answer in any server but the course's

# Every instructor command with options that would change the course if the caller were the instructor.
INSTRUCTOR_COMMANDS: list[tuple[str, str | None, dict[str, Any] | None]] = [
    ("course", "cancel", {"date": "9/18", "reason": "travel"}),
    ("course", "move", {"date": "9/18", "to": "9/19"}),
    ("course", "add-reading", {"date": "9/18", "title": "A New Paper", "authors": "Doe et al.",
                               "url": "https://example.org/paper"}),
    ("course", "remove-reading", {"date": "9/18", "title": "SimCLR slides"}),
    ("course", "officehours", {"text": "No office hours this week"}),
    ("course", "changes", None),
    ("course", "undo", None),
    ("course", "reload", None),
    ("announce", None, {"message": "Class is moved!", "ping": "everyone"}),
]
COMMAND_IDS = [f"{name} {sub}" if sub else name for name, sub, _ in INSTRUCTOR_COMMANDS]

# Who tries them from the course's guild (or says it is another guild).
GUILD_CALLERS: dict[str, dict[str, Any]] = {
    "student": {"user": STUDENT_USER, "roles": [STUDENT_ROLE]},
    "no roles": {"user": NO_ROLES_USER, "roles": []},
    "other guild, Manage Server there": {"user": OUTSIDER, "roles": [], "permissions": ALL_PERMISSIONS,
                                         "guild_id": OTHER_GUILD},
    "other guild, instructor role id": {"user": OUTSIDER + 1, "roles": [INSTRUCTOR_ROLE],
                                        "permissions": ALL_PERMISSIONS, "guild_id": OTHER_GUILD},
}


@dataclasses.dataclass
class Running:
    """A running bot with one change already made (so /course undo has something to undo) and a schedule.yaml
    edited on disk after start-up (so /course reload would change the course)."""

    fake: FakeDiscord
    bot: CourseBot


@pytest.fixture(scope="class")
def schedule_copy(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("schedule") / "schedule.yaml"
    shutil.copy(SCHEDULE, path)
    return path


async def _course(tmp_path_factory: pytest.TempPathFactory, schedule_copy: Path, *,
                  guild_sync: bool) -> AsyncIterator[Running]:
    fake = make_fake()
    await fake.start()
    try:
        settings = settings_for(fake, tmp_path_factory.mktemp("db"), reminder_channel_id=None,
                                schedule=str(schedule_copy), guild_id=fake.guild_id if guild_sync else None)
        if not guild_sync:  # no guild_id: the server's course is the one uploaded there, its roles set with /setup
            await harness.seed_server(settings, fake.guild_id, schedule_copy)
        async with running_bot(fake, settings, harness.TestClock(at(2024, 9, 17, 9, 0))) as bot:
            interaction = await fake.send_interaction(name="course", subcommand="officehours",
                                                      options={"text": "Thursday 2-3pm this week"}, **TEACHER)
            await fake.wait_for_callback(interaction)
            await settle()
            assert len(bot.state.log) == 1
            text = schedule_copy.read_text()
            edited = text.replace("title: Vision Transformers Need Registers",
                                  "title: Vision Transformers Need Registers (revised)")
            assert edited != text
            schedule_copy.write_text(edited)
            yield Running(fake, bot)
    finally:
        await fake.stop()


@pytest_asyncio.fixture(scope="class", loop_scope="class")
async def guild_course(tmp_path_factory, schedule_copy) -> AsyncIterator[Running]:
    """The bot as configured for the course: commands synced to the course's guild."""
    async for course in _course(tmp_path_factory, schedule_copy, guild_sync=True):
        yield course


@pytest_asyncio.fixture(scope="class", loop_scope="class")
async def global_course(tmp_path_factory, schedule_copy) -> AsyncIterator[Running]:
    """The bot without guild_id: commands synced globally, so Discord could offer them anywhere."""
    async for course in _course(tmp_path_factory, schedule_copy, guild_sync=False):
        yield course


async def attempt(running: Running, name: str, sub: str | None, options: dict[str, Any] | None,
                  caller: dict[str, Any], command_guild_id: Any = ...) -> dict[str, Any]:
    """Send the command as `caller`, check that it was refused and nothing changed; return the answer."""
    fake, bot = running.fake, running.bot
    log, current = list(bot.state.log), bot.course
    stored = await bot.store.changes()
    announced = len(fake.messages(ANNOUNCEMENTS))
    since = len(fake.requests)
    interaction = await fake.send_interaction(name=name, subcommand=sub or (), options=options, **caller,
                                              command_guild_id=command_guild_id)
    callback = await fake.wait_for_callback(interaction)
    await settle()
    data = callback.json.get("data") or {}
    assert callback.status == 200 and callback.json["type"] == 4, callback.json
    assert data["flags"] & EPHEMERAL
    guild = caller.get("guild_id", fake.guild_id)
    if guild is None and bot.file_settings.guild_id is None:  # a DM, and no configured server whose course it is
        assert data["content"] == NO_COURSE_IN_DM
    elif guild not in (None, fake.guild_id):
        assert data["content"].startswith(ELSEWHERE)
    else:
        assert REFUSAL in data["content"] and "Nothing was changed" in data["content"]
    assert not data.get("embeds") and not data.get("components")
    assert data["allowed_mentions"] == {"parse": []}
    assert [r.path for r in fake.requests[since:]] == [callback.path]  # no follow-up, no post anywhere
    assert bot.state.log == log and bot.course is current
    assert await bot.store.changes() == stored
    assert len(fake.messages(ANNOUNCEMENTS)) == announced
    return data


@pytest.mark.asyncio(loop_scope="class")
class TestGuildSynced:
    """Commands synced to the course's guild, as in production."""

    async def test_commands_are_hidden_by_default(self, guild_course):
        """Discord shows /course and /announce only to Manage Server members, and only in the course's guild."""
        synced = {c["name"]: c for c in guild_course.fake.commands(guild_course.fake.guild_id)}
        for name in ("course", "announce"):
            assert synced[name]["default_member_permissions"] == str(MANAGE_GUILD)
        assert guild_course.fake.commands(None) == []

    @pytest.mark.parametrize("caller", list(GUILD_CALLERS), ids=list(GUILD_CALLERS))
    @pytest.mark.parametrize(("name", "sub", "options"), INSTRUCTOR_COMMANDS, ids=COMMAND_IDS)
    async def test_refused(self, guild_course, name, sub, options, caller):
        """A non-instructor (or anyone in another guild) is refused ephemerally and nothing changes."""
        who = GUILD_CALLERS[caller]
        scope = guild_course.fake.guild_id if "guild_id" in who else ...
        await attempt(guild_course, name, sub, options, who, command_guild_id=scope)

    @pytest.mark.parametrize(("name", "sub", "options"), INSTRUCTOR_COMMANDS, ids=COMMAND_IDS)
    async def test_not_offered_in_dms(self, guild_course, name, sub, options):
        """Guild commands do not exist in DMs: Discord cannot deliver them there."""
        with pytest.raises(LookupError):
            await guild_course.fake.send_interaction(name=name, subcommand=sub or (), options=options,
                                                     user=INSTRUCTOR, guild_id=None)

    @pytest.mark.parametrize(("sub", "options", "focused"), [
        ("remove-reading", {"date": "9/18", "title": ""}, "title"),
        ("cancel", {"date": "9/1"}, "date"),
    ], ids=["remove-reading title", "cancel date"])
    async def test_autocomplete_gives_students_nothing(self, guild_course, sub, options, focused):
        """Autocomplete of an instructor option lists no classes or readings to a student."""
        fake = guild_course.fake
        interaction = await fake.send_interaction(name="course", subcommand=sub, options=options, focused=focused,
                                                  type=AUTOCOMPLETE, **GUILD_CALLERS["student"])
        callback = await fake.wait_for_callback(interaction)
        assert callback.json["data"]["choices"] == []

    async def test_instructor_is_not_refused(self, guild_course):
        """Control: the same fixture lets the instructor in (so the refusals above are about the caller)."""
        fake = guild_course.fake
        interaction = await fake.send_interaction(name="course", subcommand="changes", **TEACHER)
        data = (await fake.wait_for_callback(interaction)).json["data"]
        await settle()
        assert REFUSAL not in (data.get("content") or "") and data["embeds"]


@pytest.mark.asyncio(loop_scope="class")
class TestGlobalSynced:
    """Commands synced globally (guild_id unset): Discord may offer them in DMs and other guilds."""

    async def test_commands_are_guild_only_and_hidden(self, global_course):
        """Globally synced, /course and /announce are still Manage Server only and not allowed in DMs."""
        synced = {c["name"]: c for c in global_course.fake.commands(None)}
        for name in ("course", "announce"):
            assert synced[name]["default_member_permissions"] == str(MANAGE_GUILD)
            assert synced[name]["dm_permission"] is False or synced[name]["contexts"] == [0]

    @pytest.mark.parametrize(("name", "sub", "options"), INSTRUCTOR_COMMANDS, ids=COMMAND_IDS)
    async def test_refused_in_dms(self, global_course, name, sub, options):
        """Delivered from a DM anyway, even the instructor's own account is refused and nothing changes."""
        await attempt(global_course, name, sub, options, {"user": INSTRUCTOR, "guild_id": None})

    @pytest.mark.parametrize(("name", "sub", "options"), INSTRUCTOR_COMMANDS, ids=COMMAND_IDS)
    async def test_refused_as_student(self, global_course, name, sub, options):
        """A student in a guild is refused and nothing changes."""
        await attempt(global_course, name, sub, options, GUILD_CALLERS["student"])

    @pytest.mark.parametrize(("name", "sub", "options"), INSTRUCTOR_COMMANDS, ids=COMMAND_IDS)
    async def test_refused_from_another_guild(self, global_course, name, sub, options):
        """The owner of another guild the bot was added to is refused and nothing changes."""
        await attempt(global_course, name, sub, options, GUILD_CALLERS["other guild, Manage Server there"])
