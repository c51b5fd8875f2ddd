"""Reminders end to end: the real bot, its scheduler and ledger, posting to the fake Discord.

The wall clock is moved with time-machine (asyncio's monotonic clock is left alone), so
APScheduler and the bot see the same instant; no test waits for real time to pass.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import sqlite3
import sys

import pytest
import time_machine

from bot.clock import system_clock
from bot.delivery import LATE_PREFIX, RETRY_DELAYS
from tests.harness import REMINDERS, REPO, at, running_bot, settings_for

pytestmark = pytest.mark.asyncio

EVE = "critique:2024-09-18:eve"
MESSAGES = rf"/channels/{REMINDERS}/messages"


def posts(fake, channel=REMINDERS):
    return [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{channel}/messages"]


def ledger_row(path, key):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT state, message_id, attempts, detail FROM reminder_ledger WHERE key = ?",
                          (key,)).fetchone()


async def settle(bot, key):
    """Wait for the delivery of `key` (if one is running) to finish."""
    await bot.reminders.deliver(key)


async def test_reminder_is_posted_at_its_instant(fake, tmp_path):
    """The evening-before reminder is scheduled for 18:00 and posted, with its exact text, when 18:00 comes."""
    settings = settings_for(fake, tmp_path)
    with time_machine.travel(at(2024, 9, 17, 17, 59), tick=False) as traveller:
        async with running_bot(fake, settings, system_clock) as bot:
            reminder = bot.reminders.plan[EVE]
            assert bot.reminders.scheduler.next_run(EVE) == at(2024, 9, 17, 18, 0)
            assert posts(fake) == []
            traveller.move_to(at(2024, 9, 17, 18, 0))
            bot.reminders.scheduler.wakeup()
            request = await fake.wait_for_request("POST", MESSAGES)
            await settle(bot, EVE)
    assert request.json["content"] == reminder.text
    assert "Wed Sep 18" in reminder.text and "Vision Transformers Need Registers" in reminder.text
    assert request.json["nonce"] == reminder.nonce and request.json["enforce_nonce"] is True
    assert request.json["allowed_mentions"] == {"parse": []}
    assert len(posts(fake)) == 1
    assert ledger_row(settings.database, EVE)[:2] == ("sent", int(request.response["id"]))


async def test_missed_reminder_posts_late_once_across_restarts(fake, tmp_path):
    """Started at 19:00 (after 18:00, before the critique deadline) the missed reminder posts once, marked late."""
    settings = settings_for(fake, tmp_path)
    with time_machine.travel(at(2024, 9, 17, 19, 0), tick=False):
        async with running_bot(fake, settings, system_clock) as bot:
            request = await fake.wait_for_request("POST", MESSAGES)
            await settle(bot, EVE)
        async with running_bot(fake, settings, system_clock) as bot:
            assert EVE not in bot.reminders.scheduler.keys()
            assert bot.reminders.scheduler.next_run("critique:2024-09-18:morning") == at(2024, 9, 18, 8, 0)
    assert request.json["content"].startswith(LATE_PREFIX)
    assert len(posts(fake)) == 1
    assert ledger_row(settings.database, EVE)[0] == "late"


async def test_missed_reminder_past_its_deadline_is_skipped(fake, tmp_path, caplog):
    """Started after the 9/18 noon cut-off, the 9/18 reminders are recorded as skipped and logged, not posted."""
    settings = settings_for(fake, tmp_path)
    caplog.set_level(logging.INFO, logger="bot.delivery")
    with time_machine.travel(at(2024, 9, 18, 13, 0), tick=False):
        async with running_bot(fake, settings, system_clock):
            pass
    assert posts(fake) == []
    assert ledger_row(settings.database, EVE)[0] == "skipped"
    assert ledger_row(settings.database, "critique:2024-09-18:morning")[0] == "skipped"
    assert any(EVE in r.message and "skipped" in r.message for r in caplog.records)


async def test_crash_after_post_before_mark_finds_the_post(fake, tmp_path):
    """A claim left behind by a crash after posting is resolved from the channel: no second message."""
    settings = settings_for(fake, tmp_path)
    with time_machine.travel(at(2024, 9, 17, 18, 0), tick=False) as traveller:
        async with running_bot(fake, settings, system_clock) as bot:
            await fake.wait_for_request("POST", MESSAGES)
            await settle(bot, EVE)
        first_id = ledger_row(settings.database, EVE)[1]
        with sqlite3.connect(settings.database) as db:  # the crash: the 'sent' mark never committed
            db.execute("UPDATE reminder_ledger SET state = 'claimed', message_id = NULL WHERE key = ?", (EVE,))
        traveller.move_to(at(2024, 9, 17, 18, 1))
        async with running_bot(fake, settings, system_clock) as bot:
            await settle(bot, EVE)
    assert len(posts(fake)) == 1
    assert ledger_row(settings.database, EVE)[:3] == ("sent", first_id, 2)


async def test_crash_without_history_access_relies_on_the_nonce(fake, tmp_path):
    """When the channel history cannot be read, the same nonce makes Discord return the first message."""
    settings = settings_for(fake, tmp_path)
    with time_machine.travel(at(2024, 9, 17, 18, 0), tick=False):
        async with running_bot(fake, settings, system_clock) as bot:
            await fake.wait_for_request("POST", MESSAGES)
            await settle(bot, EVE)
        first_id = ledger_row(settings.database, EVE)[1]
        with sqlite3.connect(settings.database) as db:
            db.execute("UPDATE reminder_ledger SET state = 'claimed', message_id = NULL WHERE key = ?", (EVE,))
        fake.inject("GET", MESSAGES, status=403, times=None, json={"message": "Missing Access", "code": 50001})
        async with running_bot(fake, settings, system_clock) as bot:
            await settle(bot, EVE)
    assert len(posts(fake)) == 2  # the second POST reached Discord ...
    assert len(fake.messages(REMINDERS)) == 1  # ... and Discord kept one message
    assert ledger_row(settings.database, EVE)[:2] == ("sent", first_id)


async def test_server_error_then_success_gives_one_message(fake, tmp_path):
    """A 503 (which discord.py does not retry) is retried by us after a backoff; one message results."""
    settings = settings_for(fake, tmp_path)
    fake.inject("POST", MESSAGES, status=503, times=1)
    with time_machine.travel(at(2024, 9, 17, 18, 0), tick=False) as traveller:
        async with running_bot(fake, settings, system_clock) as bot:
            await fake.wait_for_request("POST", MESSAGES)
            await settle(bot, EVE)
            assert ledger_row(settings.database, EVE)[0] == "failed"
            retry_at = at(2024, 9, 17, 18, 0) + RETRY_DELAYS[0]
            assert bot.reminders.scheduler.next_run(EVE) == retry_at
            traveller.move_to(retry_at)
            bot.reminders.scheduler.wakeup()
            await fake.wait_for_request("POST", MESSAGES, predicate=lambda r: r.status == 200)
            await settle(bot, EVE)
    assert len(fake.messages(REMINDERS)) == 1
    assert ledger_row(settings.database, EVE)[0] == "sent"


async def test_500_is_retried_by_discord_py_once_posted(fake, tmp_path):
    """A 500 is retried inside discord.py with the same nonce; one message results."""
    settings = settings_for(fake, tmp_path)
    fake.inject("POST", MESSAGES, status=500, times=1)
    with time_machine.travel(at(2024, 9, 17, 18, 0), tick=True):
        async with running_bot(fake, settings, system_clock) as bot:
            await fake.wait_for_request("POST", MESSAGES, predicate=lambda r: r.status == 200, timeout=10)
            await settle(bot, EVE)
    assert len(fake.messages(REMINDERS)) == 1
    assert ledger_row(settings.database, EVE)[0] == "sent"


async def test_missing_channel_is_logged_and_recorded(fake, tmp_path, caplog):
    """A reminder channel that does not exist: an error in the log and 'failed' with the reason in the ledger."""
    missing = 1130000000000000999
    settings = dataclasses.replace(settings_for(fake, tmp_path), reminder_channel_id=missing)
    caplog.set_level(logging.ERROR, logger="bot.delivery")
    with time_machine.travel(at(2024, 9, 17, 18, 0), tick=False):
        async with running_bot(fake, settings, system_clock) as bot:
            await settle(bot, EVE)
    state, _, _, detail = ledger_row(settings.database, EVE)
    assert state == "failed" and f"channel {missing} not found (404)" in detail
    assert any(EVE in r.message and "not found" in r.message for r in caplog.records)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSEBOT_")}
    env |= {"COURSEBOT_DATABASE": settings.database, "COURSEBOT_REMINDER_CHANNEL_ID": str(missing),
            "COURSEBOT_SCHEDULE": settings.schedule}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "reminders", "--from", "9/17", "--to", "9/17",
        env=env, cwd=REPO, stdout=asyncio.subprocess.PIPE)
    out = (await proc.communicate())[0].decode()
    assert f"{EVE}  [failed: channel {missing} not found (404): check reminder_channel_id]" in out


async def test_reminders_due_together_are_each_posted_once(fake, tmp_path):
    """Sunday 18:00 has the weekly digest and an evening-before reminder: both post, each once."""
    settings = settings_for(fake, tmp_path)
    keys = ("critique:2024-09-16:eve", "digest:2024-09-16")
    with time_machine.travel(at(2024, 9, 15, 17, 59), tick=False) as traveller:
        async with running_bot(fake, settings, system_clock) as bot:
            assert {bot.reminders.scheduler.next_run(k) for k in keys} == {at(2024, 9, 15, 18, 0)}
            traveller.move_to(at(2024, 9, 15, 18, 0))
            bot.reminders.scheduler.wakeup()
            outcomes = await asyncio.gather(*(bot.reminders.deliver(k) for k in keys))
    assert {o.state for o in outcomes} <= {"sent", "done"}
    contents = [m["content"] for m in fake.messages(REMINDERS)]
    assert len(contents) == 2
    assert any(c.startswith("**The week of Mon Sep 16**") for c in contents)
    assert all(ledger_row(settings.database, k)[0] == "sent" for k in keys)


async def test_a_course_without_a_reminder_channel_says_which_course_in_the_log(fake, tmp_path, caplog):
    """The warning names the course's scope (a server's id; 0 for guild_id's course): with many courses an operator
    must know which one posts to DMs only."""
    settings = settings_for(fake, tmp_path, reminder_channel_id=None)
    with time_machine.travel(at(2024, 9, 17, 9, 0), tick=False), caplog.at_level(logging.WARNING, "bot.delivery"):
        async with running_bot(fake, settings, system_clock):
            pass
    assert "reminder_channel_id is not set scope=0: reminders go only to direct-message subscribers" in caplog.text
