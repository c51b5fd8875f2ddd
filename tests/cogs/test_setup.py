"""/setup end to end through the fake Discord: a new server's admin sets the channels and roles from Discord,
each value shown with where it comes from; the config file wins; bad choices are refused and nothing is stored;
settings take effect without a restart and survive one."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from bot.clock import system_clock
from bot.store import Store
from tests.cogs.test_students import EPHEMERAL, embed_text
from tests.harness import (
    ANNOUNCEMENTS,
    GENERAL,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    REMINDERS,
    STUDENT,
    STUDENT_ROLE,
    at,
    final_answer,
    running_bot,
    settings_for,
)

pytestmark = pytest.mark.asyncio

MANAGE_GUILD = 1 << 5
ADMIN = {"user": INSTRUCTOR, "permissions": MANAGE_GUILD | (1 << 11)}
OTHER_SERVER = 1120000000000000777


def blank(fake, tmp_path, **overrides):
    """A new server's deployment: the course file and the database, no channel or role in the settings."""
    unset = dict.fromkeys(("reminder_channel_id", "announce_channel_id", "instructor_role_id", "student_role_id"))
    return settings_for(fake, tmp_path, **(unset | overrides))


async def setup(fake, options=None, who=ADMIN, **kwargs):
    interaction = await fake.send_interaction(name="setup", options=options, **who, **kwargs)
    answer = await final_answer(fake, interaction)
    return answer, text_of(answer)


def text_of(answer):
    return embed_text(answer) if answer.get("embeds") else answer.get("content", "")


async def stored(bot):
    return await bot.store.server_settings(bot.config.guild_id)


@pytest.fixture
def clock(frozen):
    """The system clock, frozen at Tue Sep 17 2024 09:00: the bot's reminders run on it."""
    return system_clock


async def test_setup_is_for_server_managers_with_typed_options(fake, tmp_path, clock):
    async with running_bot(fake, blank(fake, tmp_path), clock):
        command = next(c for c in fake.commands(fake.guild_id) if c["name"] == "setup")
    assert command["default_member_permissions"] == str(MANAGE_GUILD)
    assert [(o["name"], o["type"], o.get("required", False)) for o in command["options"]] == [
        ("reminder_channel", 7, False), ("announce_channel", 7, False),
        ("instructor_role", 8, False), ("student_role", 8, False),
        ("calendar_feed", 5, False), ("scheduled_events", 5, False)]
    assert {0} <= set(command["options"][0]["channel_types"])  # text channels can be picked


async def test_a_new_server_sees_what_is_not_set(fake, tmp_path, clock):
    async with running_bot(fake, blank(fake, tmp_path), clock) as bot:
        answer, text = await setup(fake)
        assert answer["flags"] & EPHEMERAL
        assert text.count("not set") == 4
        assert "Calendar feed: on — the default" in text
        assert "Discord events: on when I have the Create Events permission — the default" in text
        assert "reminders go only to students who turned them on with /remind" in text
        assert bot.course.title in text
        assert await stored(bot) == {}


async def test_setup_stores_takes_effect_and_survives_a_restart(fake, tmp_path, clock):
    settings = blank(fake, tmp_path)
    async with running_bot(fake, settings, clock) as bot:
        _, text = await setup(fake, {"reminder_channel": REMINDERS, "announce_channel": ANNOUNCEMENTS,
                                     "instructor_role": INSTRUCTOR_ROLE, "student_role": STUDENT_ROLE})
        assert "Saved: Reminder channel, Announcement channel, Instructor role, Students' role" in text
        assert f"<#{REMINDERS}> — set here with /setup" in text
        assert (bot.settings.reminder_channel_id, bot.settings.announce_channel_id) == (REMINDERS, ANNOUNCEMENTS)
        assert await stored(bot) == {"reminder_channel_id": str(REMINDERS), "announce_channel_id": str(ANNOUNCEMENTS),
                                     "instructor_role_id": str(INSTRUCTOR_ROLE), "student_role_id": str(STUDENT_ROLE)}
        # At once, without a restart: a member with the instructor role (not Manage Server) changes the course,
        # and the change is announced in the channel just chosen.
        interaction = await fake.send_interaction(name="course", subcommand="cancel", options={"date": "9/18"},
                                                  user=INSTRUCTOR + 1, roles=[INSTRUCTOR_ROLE])
        answer = await final_answer(fake, interaction)
        assert "Announced in" in embed_text(answer)
        assert len(fake.messages(ANNOUNCEMENTS)) == 1
    async with running_bot(fake, settings, clock) as bot:
        assert bot.settings.reminder_channel_id == REMINDERS and bot.settings.student_role_id == STUDENT_ROLE
        _, text = await setup(fake)
        assert "not set" not in text


async def test_the_config_file_wins_and_says_so(fake, tmp_path, clock):
    settings = blank(fake, tmp_path, announce_channel_id=ANNOUNCEMENTS)
    origins = {"announce_channel_id": "config/bot.yaml", "guild_id": "config/bot.yaml"}
    async with running_bot(fake, settings, clock, origins=origins) as bot:
        _, text = await setup(fake, {"announce_channel": GENERAL, "reminder_channel": REMINDERS})
        assert "Announcement channel was not changed: it is set in config/bot.yaml, which wins over /setup" in text
        assert f"<#{ANNOUNCEMENTS}> — from config/bot.yaml (wins over /setup)" in text
        assert "Saved: Reminder channel." in text
        assert bot.settings.announce_channel_id == ANNOUNCEMENTS
        assert await stored(bot) == {"reminder_channel_id": str(REMINDERS)}


@pytest.mark.parametrize(("options", "said"), [
    ({"instructor_role": "everyone"}, "@everyone cannot be the instructor role"),
    ({"student_role": "everyone", "reminder_channel": REMINDERS}, "@everyone is not a students' role"),
])
async def test_everyone_is_refused_as_a_role_and_nothing_is_stored(fake, tmp_path, clock, options, said):
    options = {k: fake.guild_id if v == "everyone" else v for k, v in options.items()}  # @everyone's id is the guild's
    async with running_bot(fake, blank(fake, tmp_path), clock) as bot:
        _, text = await setup(fake, options)
        assert said in text and "Nothing was stored." in text
        assert await stored(bot) == {} and bot.settings.reminder_channel_id is None


@pytest.mark.parametrize("who", [{"user": STUDENT, "roles": [STUDENT_ROLE]},
                                 {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}])
async def test_only_manage_server_may_use_setup(fake, tmp_path, clock, who):
    async with running_bot(fake, settings_for(fake, tmp_path, reminder_channel_id=None), clock, origins={}) as bot:
        _, text = await setup(fake, {"reminder_channel": GENERAL}, who={**who, "permissions": 1 << 11})
        assert "Only members with Manage Server can use /setup" in text
        assert await stored(bot) == {} and bot.settings.reminder_channel_id is None


async def test_a_new_reminder_channel_gets_the_reminders_at_once(fake, tmp_path, clock, frozen):
    """Set mid-term: the plan is re-made for the new channel and the next reminder is posted there."""
    async with running_bot(fake, blank(fake, tmp_path), clock) as bot:
        assert bot.reminders.pending_count() == 0
        _, text = await setup(fake, {"reminder_channel": GENERAL})
        assert f"Reminders re-planned for <#{GENERAL}>" in text
        assert bot.reminders.pending_count() > 0
        key = min(bot.reminders.scheduler.keys(), key=lambda k: bot.reminders.plan[k].at)
        frozen.move_to(bot.reminders.plan[key].at)
        await bot.reminders.deliver(key)
        entry = await bot.store.ledger_entry(key)
        assert (entry.channel_id, entry.state) == (GENERAL, "sent")
        assert any(m["id"] == str(entry.message_id) for m in fake.messages(GENERAL))
        assert fake.messages(REMINDERS) == []


async def test_without_guild_id_a_server_sets_itself_up_and_uploads_its_own_course(fake, tmp_path, clock):
    """SPEC "Many courses, one bot": without guild_id schedule.yaml is no server's course. A new server gets the
    one-line answer until its admin runs /setup and uploads a course; then it has its course, after a restart too."""
    from tests.cogs.test_upload import FIRST, click, upload

    settings = dataclasses.replace(blank(fake, tmp_path), guild_id=None)
    no_course = "This server has no course yet: an instructor can set it up with /setup and /course upload."
    async with running_bot(fake, settings, clock) as bot:
        assert len(bot.courses) == 0
        for name in ("deadlines", "readings", "calendar"):
            answer = await final_answer(fake, await fake.send_interaction(name=name, user=STUDENT))
            assert answer["content"] == no_course and answer["flags"] & EPHEMERAL
        for sub in ("undo", "download", "changes"):
            interaction = await fake.send_interaction(name="course", subcommand=sub, **ADMIN)
            assert text_of(await final_answer(fake, interaction)) == no_course
        _, text = await setup(fake, {"announce_channel": ANNOUNCEMENTS, "instructor_role": INSTRUCTOR_ROLE})
        assert "Saved: Announcement channel, Instructor role." in text and "Course: none yet" in text
        preview, _ = await upload(fake, FIRST.encode())
        assert "New course: Machine Learning at Scale" in text_of(preview)
        done = await click(fake, preview, "Confirm")
        assert "is now the course" in text_of(done)
        answer = await final_answer(fake, await fake.send_interaction(name="deadlines", user=STUDENT))
        assert answer.get("embeds")
        # Another server (a forged id the bot is not in) sees nothing of it, and opens no course.
        for name in ("deadlines", "readings", "setup"):
            other = await fake.send_interaction(name=name, user=STUDENT, guild_id=OTHER_SERVER)
            assert (await final_answer(fake, other))["content"] == no_course
        assert [s.guild_id for s in bot.courses] == [fake.guild_id]
    async with running_bot(fake, settings, clock) as bot:
        assert bot.service is not None and bot.service.guild_id == fake.guild_id
        assert bot.course.name == "Machine Learning at Scale"
        assert bot.settings.announce_channel_id == ANNOUNCEMENTS


async def test_setup_survives_an_unreadable_store(tmp_path):
    """A server's values are kept as text; the store hands back exactly what was set."""
    store = await Store.open(str(tmp_path / "s.sqlite3"))
    try:
        await store.set_server_settings(1, {"a": "1", "b": "2"}, 5, at(2024, 9, 1, 9, 0))
        await store.set_server_settings(1, {"a": "3"}, 6, at(2024, 9, 2, 9, 0))
        await store.set_server_settings(2, {"a": "4"}, 6, at(2024, 9, 3, 9, 0))
        assert await store.server_settings(1) == {"a": "3", "b": "2"}
        assert await store.servers_with_settings() == [1, 2]
    finally:
        await store.close()


async def test_without_guild_id_the_configured_ids_are_no_servers(fake, tmp_path, clock):
    """Without guild_id the config's channels and roles name no server's: each server sets its own with /setup."""
    settings = dataclasses.replace(blank(fake, tmp_path), guild_id=None, instructor_role_id=INSTRUCTOR_ROLE)
    async with running_bot(fake, settings, clock) as bot:
        _, text = await setup(fake, {"scheduled_events": False})
        assert "Instructor role: not set" in text and "Course: none yet" in text
        assert await bot.store.servers_with_settings() == [fake.guild_id]


async def test_leaving_the_courses_server_pauses_reminders_and_rejoining_resumes_them(fake, tmp_path, clock):
    """Kicked from the course's server, the bot stops waking for its reminders and keeps every stored row;
    invited back, it resumes."""
    settings = settings_for(fake, tmp_path)
    ready, removed, joined = asyncio.Event(), asyncio.Event(), asyncio.Event()

    def listen(bot) -> None:
        bot._connection.guild_ready_timeout = 0.05  # discord.py waits 2 s for more guilds before on_ready
        bot.add_listener(_setter(ready), "on_ready")
        bot.add_listener(_setter(removed), "on_guild_remove")
        bot.add_listener(_setter(joined), "on_guild_join")

    async with running_bot(fake, settings, clock, prepare=listen) as bot:
        await asyncio.wait_for(ready.wait(), 5)
        stored = await bot.store.changes(), await bot.store.ledger()
        await fake.dispatch("GUILD_DELETE", {"id": str(fake.guild_id)})
        await asyncio.wait_for(removed.wait(), 5)
        await asyncio.sleep(0)  # the bot's own handler runs beside the listener
        assert bot.reminders.scheduler.paused
        assert (await bot.store.changes(), await bot.store.ledger()) == stored
        invited = fake.world.guild_create_payload()
        invited.pop("unavailable", None)  # as Discord sends it for a server the bot joins (not one coming back)
        await fake.dispatch("GUILD_CREATE", invited)
        await asyncio.wait_for(joined.wait(), 5)
        await asyncio.sleep(0)
        assert not bot.reminders.scheduler.paused and bot.reminders.pending_count() > 0


def _setter(event: asyncio.Event):
    async def listener(*_) -> None:
        event.set()
    return listener
