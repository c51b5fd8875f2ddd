"""Gateway faults: the real bot, in-process, against the fake Discord's gateway.

A dropped connection, Discord asking for a reconnect, an invalidated session and a zombied connection
(heartbeats no longer acknowledged) each end with the bot connected again and answering. Reminders go
over REST, so one that falls due while the gateway is away is still posted, once. Waits are on the
fake's events; the wall clock is moved with time-machine; nothing sleeps. Each test runs on both engines (the
`database` fixture: SQLite, and PostgreSQL when COURSEBOT_TEST_POSTGRES is set).
"""

from __future__ import annotations

import logging
import time

import pytest
import time_machine

from bot.clock import system_clock
from tests import harness
from tests.harness import REMINDERS, at, settings_for
from tests.reliability.inprocess import (
    EVE,
    MESSAGES,
    OK,
    accepted,
    ack_latency,
    ask,
    callbacks,
    channel_posts,
    ledger_row,
    started,
)

pytestmark = pytest.mark.asyncio

IDENTIFY, RESUME, INVALID_SESSION = 2, 6, 9


@pytest.fixture
def clock() -> harness.TestClock:
    return harness.TestClock(at(2024, 9, 17, 9, 0))


@pytest.fixture
async def bot(fake, tmp_path, database, clock, caplog):
    # Reminders off: these tests are about interactions, on a fixed clock.
    caplog.set_level(logging.WARNING)
    settings = settings_for(fake, tmp_path, database=database, reminder_channel_id=None)
    async with started(fake, settings, clock) as running:
        yield running
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], "a reconnection should log no error"


def sent_by_bot(fake, op, since):
    return [f for f in fake.gateway_frames[since:] if f.direction == "recv" and f.op == op]


async def answers_next(fake):
    """/next from a student is answered (2xx, inside Discord's 3 s) with Wednesday's class."""
    interaction = await ask(fake, "next")
    callback = await accepted(fake, interaction)
    assert ack_latency(callback, interaction) < 3.0
    assert "Class 7" in str(callback.json["data"]["embeds"])
    return callback


@pytest.mark.parametrize("code", [4000, 1001, 1011])
async def test_dropped_connection_is_resumed_and_answers(fake, bot, code):
    """A connection Discord closes is resumed (RESUME with its session, RESUMED), not re-identified; /next answers."""
    since, session, seq = len(fake.gateway_frames), fake.session_id, fake.gateway.current.seq
    await fake.drop_gateway(code)
    resume = await fake.wait_for_gateway(RESUME, since=since)
    await fake.wait_for_gateway(0, direction="send", event="RESUMED", since=since)
    await fake.wait_until_ready()
    assert resume.d["session_id"] == session and resume.d["seq"] == seq
    assert sent_by_bot(fake, IDENTIFY, since) == []
    await answers_next(fake)


async def test_interaction_sent_while_disconnected_is_answered_after_resume(fake, bot):
    """An interaction dispatched while the bot is away is replayed on RESUME and answered once."""
    fake.hold_gateway()
    await fake.drop_gateway()
    await fake.wait_for_held_connection()
    interaction = await ask(fake, "next")  # kept by the fake for the RESUME
    fake.hold_gateway(False)
    callback = await accepted(fake, interaction)
    assert ack_latency(callback, interaction) < 3.0
    assert len(callbacks(fake, interaction)) == 1


async def test_interaction_in_flight_when_connection_drops_is_answered_once(fake, bot):
    """A /deadlines (it reads the database) under way when the connection drops is answered exactly once."""
    since = len(fake.gateway_frames)
    interaction = await ask(fake, "deadlines")
    await fake.drop_gateway()
    callback = await accepted(fake, interaction)
    await fake.wait_for_gateway(0, direction="send", event="RESUMED", since=since)
    await fake.wait_until_ready()
    assert ack_latency(callback, interaction) < 3.0
    assert [r.status for r in callbacks(fake, interaction)] == [callback.status]
    await answers_next(fake)


async def test_reconnect_request_is_resumed_and_answers(fake, bot):
    """Discord's op 7 RECONNECT: the bot closes, resumes its session and answers /next."""
    since, session = len(fake.gateway_frames), fake.session_id
    await fake.request_reconnect()
    resume = await fake.wait_for_gateway(RESUME, since=since)
    await fake.wait_until_ready()
    assert resume.d["session_id"] == session
    assert sent_by_bot(fake, IDENTIFY, since) == []
    await answers_next(fake)


async def test_invalid_session_identifies_again_and_answers(fake, bot):
    """A non-resumable INVALID_SESSION: the bot identifies again (new session, no RESUME) and answers /next."""
    since, old_session = len(fake.gateway_frames), fake.session_id
    await fake.invalidate_session(resumable=False)
    await fake.wait_for_gateway(IDENTIFY, since=since)
    await fake.wait_for_gateway(0, direction="send", event="GUILD_CREATE", since=since)
    await fake.wait_until_ready()
    assert fake.session_id != old_session
    assert sent_by_bot(fake, RESUME, since) == []
    await answers_next(fake)


async def test_resumable_invalid_session_is_resumed_and_answers(fake, bot):
    """A resumable INVALID_SESSION (d: true): the bot resumes the same session and answers /next."""
    since, session = len(fake.gateway_frames), fake.session_id
    await fake.invalidate_session(resumable=True)
    resume = await fake.wait_for_gateway(RESUME, since=since)
    await fake.wait_until_ready()
    assert resume.d["session_id"] == session == fake.session_id
    assert sent_by_bot(fake, IDENTIFY, since) == []
    await answers_next(fake)


async def test_unacknowledged_heartbeats_make_the_bot_reconnect_and_answer(fake, tmp_path, database, clock):
    """When the gateway stops acknowledging heartbeats, the bot closes the zombie connection, resumes, answers."""
    # discord.py (2.7.1) does not count missed ACKs: its KeepAliveHandler closes a connection (code 4000) that
    # has received nothing for `heartbeat_timeout` seconds (60 by default), and then resumes. The fake beats
    # every 100 ms and the bot gives up after 0.5 s of silence, so the test takes well under a second.
    fake.heartbeat_interval = 100
    settings = settings_for(fake, tmp_path, database=database, reminder_channel_id=None)
    async with started(fake, settings, clock, heartbeat_timeout=0.5):
        since, session = len(fake.gateway_frames), fake.session_id
        fake.set_heartbeat_acks(False)
        silent_from = time.monotonic()
        await fake.wait_for_gateway(1, since=since)  # still beating, unanswered
        resume = await fake.wait_for_gateway(RESUME, since=since)
        fake.set_heartbeat_acks(True)
        await fake.wait_until_ready()
        assert resume.d["session_id"] == session
        assert 0.3 < resume.time - silent_from < 3.0  # heartbeat_timeout after the last frame it received
        await answers_next(fake)


async def test_reminder_due_while_disconnected_is_posted_once(fake, tmp_path, database):
    """The 18:00 reminder falls due with the gateway away: posted once over REST, and not again on reconnecting."""
    settings = settings_for(fake, tmp_path, database=database)
    with time_machine.travel(at(2024, 9, 17, 17, 59), tick=False) as traveller:
        async with started(fake, settings, system_clock) as bot:
            fake.hold_gateway()
            await fake.drop_gateway()
            await fake.wait_for_held_connection()  # the bot is trying to reconnect and getting no HELLO
            traveller.move_to(at(2024, 9, 17, 18, 0))
            bot.reminders.scheduler.wakeup()
            request = await fake.wait_for_request("POST", MESSAGES, answered=True)
            assert (await bot.reminders.deliver(EVE)).state == "sent"
            assert fake.gateway.held == 1  # posted while still disconnected

            since = len(fake.gateway_frames)
            fake.hold_gateway(False)  # reconnect by RESUME ...
            await fake.wait_for_gateway(0, direction="send", event="RESUMED", since=since)
            await fake.wait_until_ready()
            await fake.invalidate_session(resumable=False)  # ... and by a fresh IDENTIFY (on_ready again)
            await fake.wait_for_gateway(0, direction="send", event="GUILD_CREATE", since=since)
            await fake.wait_until_ready()
            assert (await bot.reminders.deliver(EVE)).state == "done"  # what any later wake-up would do
            await answers_next(fake)
    assert request.status in OK
    assert len(channel_posts(fake)) == 1
    assert [m["content"] for m in fake.messages(REMINDERS)] == [request.json["content"]]
    assert (await ledger_row(settings.database, EVE))[:2] == ("sent", int(request.response["id"]))
