"""Stopping the bot (what SIGTERM does: `bot.close()`) while a command is still being answered.

Commands acknowledge first (a deferred "thinking…"), then store, announce and answer; a shutdown in between
should let the command finish (bounded), not cut its HTTP session and log the failure. Each test runs on both
engines (the `database` fixture: SQLite, and PostgreSQL when COURSEBOT_TEST_POSTGRES is set).
"""

from __future__ import annotations

import logging

import pytest

from tests import harness
from tests.harness import ANNOUNCEMENTS, INSTRUCTOR, INSTRUCTOR_ROLE, STUDENT, at, running_bot, settings_for
from tests.reliability.stored import peek

TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
SLOW = 0.5  # seconds the fake takes to answer the request the command is waiting on (the server sleeps, not us)

IN_FLIGHT = [  # the command, who sends it, the request it waits on at the shutdown, and the table it writes
    pytest.param("course", "officehours", {"text": "Thursday 2-3pm"}, TEACHER, rf"/channels/{ANNOUNCEMENTS}/messages",
                 "course_changes", id="instructor change, its announcement in flight"),
    pytest.param("critique", "log", {"date": "9/16"}, {"user": STUDENT}, r"/webhooks/\d+/[^/]+", "critiques",
                 id="critique log, its answer in flight"),
]


@pytest.mark.parametrize(("name", "sub", "options", "caller", "waiting_on", "table"), IN_FLIGHT)
async def test_close_lets_a_command_in_flight_finish(fake, tmp_path, database, caplog, name, sub, options, caller,
                                                     waiting_on, table):
    """A shutdown while a command waits on Discord: the command still finishes, what it wrote is kept (once), and
    nothing is logged as an error."""
    caplog.set_level(logging.WARNING)
    settings = settings_for(fake, tmp_path, database=database, reminder_channel_id=None)
    async with running_bot(fake, settings, harness.TestClock(at(2024, 9, 17, 9, 0))) as bot:
        since = len(fake.requests)
        fake.inject("POST", waiting_on, status=None, delay=SLOW)
        interaction = await fake.send_interaction(name=name, subcommand=sub, options=options, **caller)
        await fake.wait_for_request("POST", waiting_on, since=since)  # the command is now waiting on it
        await bot.close()
    answers = [r for r in fake.requests[since:] if interaction.token in r.path]
    assert interaction.responded and len(answers) == 2  # the deferral, then the answer
    assert all(r.status == 200 for r in fake.requests[since:])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    async with peek(database) as stored:
        assert await stored.rows(f"SELECT count(*) FROM {table}") == [(1,)]
