"""The command line: `python -m bot check [PATH]`, and `python -m bot` without a token."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

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
