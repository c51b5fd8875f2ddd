"""The bot token never shows up in logs, error messages or console output.

The bot runs in-process (every logger captured at DEBUG, discord.py's included, plus the process's own stdout
and stderr) and as a child process (`python -m bot`, its stdout and stderr kept), through a start, some
commands, commands that fail (a 500 on the interaction callback, a channel the bot may not post in) and a
shutdown; the offline commands run with DISCORD_TOKEN set; a wrong token is rejected without being echoed.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
import os
import re
import signal
import subprocess
import sys

import discord
import pytest

from bot.app import CourseBot, serve
from tests.fake_discord import FakeDiscord
from tests.harness import (
    ANNOUNCEMENTS,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    REPO,
    SCHEDULE,
    STUDENT,
    STUDENT_ROLE,
    at,
    make_fake,
    running_bot,
    settings_for,
)
from tests.reliability.quiesce import settle

TOKEN = "MTAx.secret-token-value.XYZ"
WRONG = "MTAx.wrong-token-value.ABC"
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
LOGGERS = ("", "discord", "bot", "aiohttp", "asyncio", "apscheduler", "aiosqlite")


def secret_forms(token: str) -> list[str]:
    """The token, its secret parts (the first is only the bot's id, in base64), and the token in base64."""
    _, timestamp, hmac = token.split(".")
    forms = [token, timestamp, f"{timestamp}.{hmac}"]
    for offset in range(3):  # the token base64-encoded inside a longer text, at each of the 3 alignments
        encoded = base64.b64encode(b"\0" * offset + token.encode()).decode()
        forms.append(encoded[4:-4])  # the characters that depend on the token's bytes only
    return forms


def leaks(text: str, token: str = TOKEN) -> list[str]:
    return [form for form in secret_forms(token) if form in text]


@pytest.fixture
async def fake():
    """The shared fake, logging in only with TOKEN."""
    async with make_fake(token=TOKEN) as server:
        yield server


@pytest.fixture
def everything(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger, DEBUG and up (discord.py's own debug output included)."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_leak_check_sees_the_token() -> None:
    """Control: the check finds the token, its secret part and its base64 form wherever they are."""
    assert leaks(f"Authorization: Bot {TOKEN}") and leaks("part secret-token-value here")
    assert leaks(base64.b64encode(f"Bot {TOKEN}".encode()).decode())
    assert leaks("Bot MTAx.other-token-value.ABC") == [] and leaks("1100000000000000001 MTAx") == []


async def _session(fake: FakeDiscord) -> None:
    """Commands that work, a command whose answer Discord refuses, and commands whose post is forbidden."""

    async def ask(name: str, options=None, sub=(), caller=None) -> None:
        interaction = await fake.send_interaction(name=name, options=options, subcommand=sub,
                                                  **(caller or {"user": STUDENT}))
        await fake.wait_for_callback(interaction)
        await settle()

    await ask("readings", {"date": "9/18"})
    await ask("help")
    await ask("course", {"text": "Thursday 2-3pm"}, "officehours", TEACHER)
    # discord.py retries a 5xx (after sleeping), so the answer is refused for good: the interaction is unknown.
    fake.inject("POST", r"/interactions/\d+/[^/]+/callback", status=404, times=1,
                json={"message": "Unknown interaction", "code": 10062})
    await ask("readings", {"date": "9/18"})  # the answer fails: logged with its traceback, an apology sent
    fake.restrict_channel(ANNOUNCEMENTS)
    await ask("announce", {"message": "Room change"}, caller=TEACHER)  # 403 on the post: the command fails
    await ask("course", {"text": "back to normal"}, "officehours", TEACHER)  # 403: "could not be posted"
    fake.restrict_channel(ANNOUNCEMENTS, None)


async def test_in_process_logs_and_output_never_show_the_token(fake, tmp_path, everything, capfd):
    """Start, commands, failing commands and shutdown in-process: no log record or output holds the token."""
    async with running_bot(fake, settings_for(fake, tmp_path, reminder_channel_id=None),
                           lambda: at(2024, 9, 17, 9, 0)):
        await _session(fake)
    out, err = capfd.readouterr()
    records = everything.records
    text = "\n".join([everything.text, out, err, *(str(r.exc_info[1]) for r in records if r.exc_info)])
    assert any(r.name.startswith("discord.") and r.levelno == logging.DEBUG for r in records)  # really captured
    assert "command failed command=readings" in text and "command failed command=announce" in text
    assert "announcement failed" in text and "Traceback" in text
    assert leaks(text) == []


async def test_child_process_output_never_shows_the_token(fake, tmp_path):
    """`python -m bot` with the token in DISCORD_TOKEN: its stdout and stderr never show it, start to stop."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEBOT_", "DISCORD_"))}
    env.update({"DISCORD_TOKEN": TOKEN, "COURSEBOT_API_BASE": fake.base_url, "COURSEBOT_CONFIG": os.devnull,
                "COURSEBOT_GUILD_ID": str(fake.guild_id), "COURSEBOT_ANNOUNCE_CHANNEL_ID": str(ANNOUNCEMENTS),
                "COURSEBOT_INSTRUCTOR_ROLE_ID": str(INSTRUCTOR_ROLE), "COURSEBOT_STUDENT_ROLE_ID": str(STUDENT_ROLE),
                "COURSEBOT_DATABASE": str(tmp_path / "bot.sqlite3"), "COURSEBOT_SCHEDULE": str(SCHEDULE),
                "PYTHONUNBUFFERED": "1"})
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=REPO, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    lines: list[str] = []
    ready = asyncio.Event()

    async def pump(stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            lines.append(line.decode())
            if " ready " in lines[-1]:
                ready.set()

    readers = asyncio.gather(pump(proc.stdout), pump(proc.stderr))
    started = asyncio.ensure_future(ready.wait())
    try:
        await asyncio.wait({started, readers}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        assert ready.is_set(), "".join(lines)
        await _session(fake)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 10)
        await asyncio.wait_for(readers, 10)
    finally:
        started.cancel()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    output = "".join(lines)
    assert code == 0, output
    assert " ready " in output and "command failed command=readings" in output and "stopped" in output
    assert leaks(output) == []


@pytest.mark.parametrize(("args", "stdin"), [
    (["console", "--now", "2024-09-17 09:00"],
     "/help\n/readings 9/18\n/readings @everyone\n/critique status\n/remind on\n/reminders\n/nonsense\n"),
    (["console", "--now", "not a time"], ""),
    (["check"], ""),
    (["check", "/nonexistent/schedule.yaml"], ""),
    (["reminders", "--from", "9/16", "--to", "9/18"], ""),
    (["calendar", "-o", "-"], ""),
], ids=["console", "console bad --now", "check", "check missing file", "reminders", "calendar"])
def test_offline_commands_never_print_the_token(run_bot, args, stdin):
    """The console and the offline commands, with DISCORD_TOKEN set, never print it."""
    result = run_bot(*args, stdin=stdin, env={"DISCORD_TOKEN": TOKEN})
    assert result.stdout or result.stderr
    assert leaks(result.stdout + result.stderr) == []


def test_check_with_bad_settings_never_prints_the_token(run_bot, tmp_path):
    """`python -m bot check` reporting settings problems names the bad values, never the token."""
    result = run_bot("check", env={"DISCORD_TOKEN": TOKEN, "COURSEBOT_GUILD_ID": "not-an-id",
                                   "COURSEBOT_API_BASE": "nowhere"})
    assert result.returncode == 1 and "not-an-id" in result.stdout
    assert leaks(result.stdout + result.stderr) == []


async def test_wrong_token_is_not_echoed(fake, tmp_path, everything, capfd):
    """A token Discord rejects: exit code 1, a message saying so, and neither the message nor any log shows it."""
    settings = dataclasses.replace(settings_for(fake, tmp_path), reminder_channel_id=None)
    code = await serve(CourseBot(settings), WRONG)
    out, err = capfd.readouterr()
    text = "\n".join([everything.text, out, err])
    assert code == 1 and "rejected the token" in text
    assert leaks(text, WRONG) == [] and leaks(text) == []


async def test_login_failure_message_does_not_echo_the_token(fake, tmp_path):
    """The exception discord.py raises for a rejected token does not contain it."""
    bot = CourseBot(dataclasses.replace(settings_for(fake, tmp_path), reminder_channel_id=None))
    try:
        with pytest.raises(discord.LoginFailure) as failure:
            await bot.login(WRONG)
    finally:
        await bot.close()
    assert leaks(str(failure.value) + repr(failure.value), WRONG) == []


async def test_child_process_with_a_wrong_token_never_prints_it(fake, tmp_path):
    """`python -m bot` with a rejected token: exit 1, and neither stdout nor stderr shows the token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEBOT_", "DISCORD_"))}
    env.update({"DISCORD_TOKEN": WRONG, "COURSEBOT_API_BASE": fake.base_url, "COURSEBOT_CONFIG": os.devnull,
                "COURSEBOT_DATABASE": str(tmp_path / "bot.sqlite3"), "COURSEBOT_SCHEDULE": str(SCHEDULE)})
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=REPO, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    output = out.decode() + err.decode()
    assert proc.returncode == 1 and "rejected the token" in output
    assert leaks(output, WRONG) == []


def test_no_token_anywhere_in_the_repository() -> None:
    """No file the repository tracks carries something shaped like a real bot token."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    shaped = re.compile(rb"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}")
    found = [name for name in tracked.decode().split("\0") if name and (REPO / name).is_file()
             and shaped.search((REPO / name).read_bytes())]
    assert found == []
