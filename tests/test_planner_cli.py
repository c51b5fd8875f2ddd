"""`python -m bot reminders [--from DATE] [--to DATE] [--now INSTANT]`: the plan of the course that is loaded, each
reminder's state as seen at --now (in the course's time zone, or ISO 8601 with an offset); a bad --now exits 2."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import Store

RunBot = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTED_SYSTEMS = str(ROOT / "tests" / "data" / "courses" / "distributed_systems.yaml")
CHANNEL_ID = "1130000000000000003"
HW3_2H = "deadline:hw3:2025-02-14T23:59:2h"  # Fri Feb 14 21:59 Los Angeles (05:59 UTC on the 15th)


def ds_env(database: Path) -> dict[str, str]:
    return {"COURSEBOT_SCHEDULE": DISTRIBUTED_SYSTEMS, "COURSEBOT_DATABASE": str(database),
            "COURSEBOT_REMINDER_CHANNEL_ID": CHANNEL_ID}


def state_of(stdout: str, key: str) -> str:
    """The [state] printed after a key."""
    (line,) = [line for line in stdout.splitlines() if f"  {key}  [" in line]
    return line.split("  [", 1)[1].rstrip("]")


@pytest.mark.parametrize(("now", "state"), [
    ("2025-02-14 21:00", "pending"),
    ("2025-02-15T05:00:00+00:00", "pending"),  # the same instant, in UTC
    ("2025-02-14 22:30", "missed: posts late when the bot starts"),
    ("2025-02-15T06:30:00Z", "missed: posts late when the bot starts"),
    ("2025-02-15 00:00", "missed: will be recorded as skipped (its deadline passed)"),
], ids=["local before", "UTC before", "local after", "UTC after", "after the deadline"])
def test_now_decides_each_reminders_state(run_bot: RunBot, tmp_path: Path, now: str, state: str) -> None:
    """The 2 h homework reminder (21:59 in Los Angeles) is pending, missed or past its deadline as seen at --now."""
    result = run_bot("reminders", "--from", "2025-02-14", "--to", "2025-02-14", "--now", now,
                     env=ds_env(tmp_path / "none" / "coursebot.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"1 reminder → channel {CHANNEL_ID}\n")
    assert "Fri Feb 14 21:59 PST  " in result.stdout
    assert state_of(result.stdout, HW3_2H) == state
    assert "**In 2 hours: Homework 3 (primary-backup) due Fri Feb 14, 11:59pm**" in result.stdout


def test_relative_dates_are_read_at_now(run_bot: RunBot, tmp_path: Path) -> None:
    """--from today --to tomorrow, as seen on Mon Mar 3 2025: the midterm's 1-day and morning reminders."""
    result = run_bot("reminders", "--from", "today", "--to", "tomorrow", "--now", "2025-03-03 10:00",
                     env=ds_env(tmp_path / "coursebot.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert state_of(result.stdout, "exam:class-13:2025-03-04T14:00:1d") == "pending"
    assert "**Tomorrow: Midterm exam (in class) — Tue Mar 4, 2pm–3:15pm, Gates Center G20**" in result.stdout
    assert "critique" not in result.stdout


def test_a_course_without_critiques_prints_none(run_bot: RunBot, tmp_path: Path) -> None:
    """The whole plan of Distributed Systems: homework, project, exams and digests, no critique."""
    result = run_bot("reminders", "--now", "2025-01-01 00:00", env=ds_env(tmp_path / "coursebot.sqlite3"))
    assert result.returncode == 0, result.stderr
    for kind in ("deadline:", "project:", "exam:", "digest:"):
        assert f"  {kind}" in result.stdout
    assert "critique" not in result.stdout.lower()


@pytest.mark.parametrize("bad", ["tomorrow", "2025-02-30 10:00", "14/02/2025 21:00", "soon"])
def test_a_bad_now_exits_2(run_bot: RunBot, tmp_path: Path, bad: str) -> None:
    """A --now that is not an instant exits 2 with a message saying the accepted forms, from the loaded course."""
    result = run_bot("reminders", "--now", bad, env=ds_env(tmp_path / "coursebot.sqlite3"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"--now “{bad}” is not a date and time" in result.stderr
    assert '"2025-01-21 09:00" (in the course\'s time zone, America/Los_Angeles)' in result.stderr
    assert "2024" not in result.stderr  # no example borrowed from the first course
    assert "Traceback" not in result.stderr


def sent_at(path: Path, key: str, when: dt.datetime) -> None:
    """A ledger in which `key` was posted (message 777) at `when`."""
    async def write() -> None:
        store = await Store.open(str(path))
        try:
            await store.claim(key, int(CHANNEL_ID), when, when)
            await store.mark_sent(key, 777, late=False, now=when)
        finally:
            await store.close()

    asyncio.run(write())


@pytest.mark.parametrize(("now", "state"), [
    ("2025-02-14 21:30", "pending"),  # before the post: the ledger's row is from the future
    ("2025-02-14 22:30", "sent, message 777"),
], ids=["before the post", "after the post"])
def test_ledger_states_as_seen_at_now(run_bot: RunBot, tmp_path: Path, now: str, state: str) -> None:
    """A reminder posted at 21:59 shows 'sent' at 22:30 but was still pending at 21:30."""
    database = tmp_path / "coursebot.sqlite3"
    posted = dt.datetime(2025, 2, 15, 5, 59, 30, tzinfo=dt.timezone.utc)  # 21:59:30 in Los Angeles
    sent_at(database, HW3_2H, posted)
    result = run_bot("reminders", "--from", "2025-02-14", "--to", "2025-02-14", "--now", now, env=ds_env(database))
    assert result.returncode == 0, result.stderr
    assert state_of(result.stdout, HW3_2H) == state
