"""The command line: `python -m bot check [PATH]`, `python -m bot reminders`, and `python -m bot` without a token."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import Store

RunBot = Callable[..., subprocess.CompletedProcess[str]]
SCHEDULE = Path(__file__).resolve().parents[1] / "schedule.yaml"


def test_check_real_schedule(run_bot: RunBot) -> None:
    """`check schedule.yaml` exits 0 with a one-line summary."""
    result = run_bot("check", "schedule.yaml")
    assert result.returncode == 0
    assert result.stdout == ("schedule.yaml: OK — Machine Learning at Scale, Fall 2024: 29 classes (1 cancelled), "
                             "86 papers, 2024-08-26 to 2024-12-09.\n")


def test_check_default_path(run_bot: RunBot) -> None:
    """`check` with no path validates the `schedule` setting (schedule.yaml) and the config."""
    result = run_bot("check")
    assert result.returncode == 0 and result.stdout.startswith("schedule.yaml: OK")


def test_check_broken_schedule(run_bot: RunBot, tmp_path: Path) -> None:
    """A broken file exits 1, printing one `file:line: message` line per problem and a count."""
    text = SCHEDULE.read_text(encoding="utf-8")
    text = text.replace("  timezone: America/New_York\n", "  timezone: Mars/Olympus\n")
    text = text.replace("    topic: Vision-Language Models\n", "    tpoic: Vision-Language Models\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    result = run_bot("check", str(broken))
    assert result.returncode == 1
    *problems, summary = result.stdout.splitlines()
    assert summary == "2 problems found."
    assert len(problems) == 2
    assert all(re.match(rf"{re.escape(str(broken))}:\d+: \S", line) for line in problems)
    assert "“Mars/Olympus” is not a time zone name" in problems[0]
    assert "Did you mean “topic”?" in problems[1]


def test_check_missing_file(run_bot: RunBot, tmp_path: Path) -> None:
    """A missing file exits 1 and names the file."""
    result = run_bot("check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and f"{tmp_path / 'nope.yaml'}: Cannot read the file" in result.stdout


def test_no_token_explains_how_to_run(run_bot: RunBot) -> None:
    """Without DISCORD_TOKEN, `python -m bot` exits 2 naming DISCORD_TOKEN and the offline console."""
    result = run_bot()
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and "python -m bot console" in result.stderr
    assert result.stdout == ""


def test_blank_token_is_no_token(run_bot: RunBot) -> None:
    """A DISCORD_TOKEN of spaces counts as unset."""
    result = run_bot(env={"DISCORD_TOKEN": "   "})
    assert result.returncode == 2 and "DISCORD_TOKEN is not set" in result.stderr


# `python -m bot reminders`

CHANNEL_ID = "1130000000000000003"
NOT_FOUND = "channel 1 not found (404): check reminder_channel_id"


def ledger_with_sent_and_failed(path: Path) -> None:
    """A database whose ledger has 9/18's eve reminder sent (message 555) and its morning reminder failed."""
    async def write() -> None:
        now = dt.datetime(2024, 9, 17, 22, 0, tzinfo=dt.timezone.utc)
        store = await Store.open(str(path))
        try:
            await store.claim("critique:2024-09-18:eve", int(CHANNEL_ID), now, now)
            await store.mark_sent("critique:2024-09-18:eve", 555, late=False, now=now)
            await store.claim("critique:2024-09-18:morning", int(CHANNEL_ID), now, now)
            await store.mark_failed("critique:2024-09-18:morning", NOT_FOUND, now)
        finally:
            await store.close()

    asyncio.run(write())


def test_reminders_prints_the_plan_in_range(run_bot: RunBot, tmp_path: Path) -> None:
    """`reminders --from 9/17 --to 9/18` prints 9/18's :eve and :morning reminders, their channel and texts."""
    result = run_bot("reminders", "--from", "9/17", "--to", "9/18",
                     env={"COURSEBOT_REMINDER_CHANNEL_ID": CHANNEL_ID,
                          "COURSEBOT_DATABASE": str(tmp_path / "none" / "coursebot.sqlite3")})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"2 reminders → channel {CHANNEL_ID}\n")
    assert "Tue Sep 17 18:00 EDT  critique:2024-09-18:eve  [" in out
    assert "Wed Sep 18 08:00 EDT  critique:2024-09-18:morning  [" in out
    assert "    **Tomorrow, Wed Sep 18 — Self-supervised learning - Vision** (class 7)" in out
    assert "    **Today, Wed Sep 18 — Self-supervised learning - Vision** (class 7)" in out
    assert out.count("Vision Transformers Need Registers") == 2
    assert "critique:2024-09-16" not in out and "digest:" not in out


def test_reminders_does_not_create_the_database(run_bot: RunBot, tmp_path: Path) -> None:
    """Printing the plan without a database creates neither the file nor its folder."""
    database = tmp_path / "none" / "coursebot.sqlite3"
    result = run_bot("reminders", "--from", "9/17", "--to", "9/18",
                     env={"COURSEBOT_REMINDER_CHANNEL_ID": CHANNEL_ID, "COURSEBOT_DATABASE": str(database)})
    assert result.returncode == 0, result.stderr
    assert not database.exists() and not database.parent.exists()


def test_reminders_without_a_channel_says_so(run_bot: RunBot, tmp_path: Path) -> None:
    """Without reminder_channel_id the plan is printed with a line saying nothing will be posted."""
    result = run_bot("reminders", "--from", "9/17", "--to", "9/18",
                     env={"COURSEBOT_DATABASE": str(tmp_path / "coursebot.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 reminders → no channel (reminder_channel_id is not set)\n"
                                    "Nothing will be posted until reminder_channel_id is set.\n")


@pytest.mark.parametrize("bad", ["13/45", "banana"])
def test_reminders_bad_date_exits_2(run_bot: RunBot, tmp_path: Path, bad: str) -> None:
    """A --from that is not a date exits 2 with the date error on stderr and nothing on stdout."""
    result = run_bot("reminders", "--from", bad, env={"COURSEBOT_DATABASE": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 2
    assert f"I couldn't read “{bad}” as a date" in result.stderr and "9/18" in result.stderr
    assert result.stdout == ""


def test_reminders_shows_ledger_states(run_bot: RunBot, tmp_path: Path) -> None:
    """With a ledger, the sent reminder shows 'sent' and its message, the failed one its detail."""
    database = tmp_path / "coursebot.sqlite3"
    ledger_with_sent_and_failed(database)
    result = run_bot("reminders", "--from", "9/17", "--to", "9/18",
                     env={"COURSEBOT_REMINDER_CHANNEL_ID": CHANNEL_ID, "COURSEBOT_DATABASE": str(database)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Tue Sep 17 18:00 EDT  critique:2024-09-18:eve  [sent, message 555]" in lines
    assert f"Wed Sep 18 08:00 EDT  critique:2024-09-18:morning  [failed: {NOT_FOUND}]" in lines
