"""The offline console: commands piped into `python -m bot console --now …`, and its line parser."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from collections.abc import Callable

import pytest

from bot import console
from bot.core.model import Course

RunBot = Callable[..., subprocess.CompletedProcess[str]]
NOW = "2024-09-17 09:00"  # Tue Sep 17, the day before class 7

READINGS_9_18 = """\
Wed Sep 18 · Class 7 · Self-supervised learning - Vision  (tomorrow)
Critiques for these papers are due before class (printed) — tomorrow.

Papers
 1. A Simple Framework for Contrastive Learning of Visual Representations
    Chen et al. · ICLR 2020
 2. Emerging Properties in Self-Supervised Vision Transformers
    Caron et al. · ICCV 2021
 3. Vision Transformers Need Registers
    Darcet et al. · ICLR 2024

Also useful
 - SimCLR slides [slides]

Previous: Mon Sep 16 Vision Transformers · Next: Mon Sep 23 Vision-Language Models
"""

ANSWERS = [
    ("/readings 9/18", [READINGS_9_18]),
    ("/next", [READINGS_9_18]),
    ("/readings Sept 23", ["Mon Sep 23 · Class 8 · Vision-Language Models  (in 6 days)\n",
                           "CoCa: Contrastive Captioners are Image-Text Foundation Models\n    Yu et al. · TMLR 2022"]),
    ("/readings date:9/23", ["Mon Sep 23 · Class 8 · Vision-Language Models  (in 6 days)\n"]),
    ("/search flamingo visual", ["Results for “flamingo visual”\n"
                                 " 1. Flamingo: a Visual Language Model for Few-Shot Learning — Alayrac et al. · "
                                 "Neurips 2022\n    Mon Oct 14 · Class 14 · Multi-modal LLMs (paper)\n"]),
    ("/critique rules", ["Critiques: 10 in total, at most 1 per class, one page, printed.\n",
                         "Late critiques are not accepted.", " - Do not use LLMs to generate the critiques.\n"]),
    ("/readings 13/45", ["I couldn't read “13/45” as a date. Try 9/18, Sep 18, 2024-09-18, today, next, "
                         "or #7 (the class number).\n"]),
    ("/officehours", ["Prof. Jacobs: Wednesdays 10am–11am, Iribe 4240\n  Next: Wed Sep 18 10am (tomorrow)\n"]),
    ("/foo", ["There is no command /foo. Type /help for the list.\n"]),
    ("/redings 9/18", ["There is no command /redings. Did you mean /readings? Type /help for the list.\n"]),
]


@pytest.mark.parametrize(("line", "expected"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_piped_command(run_bot: RunBot, line: str, expected: list[str]) -> None:
    """One piped command prints the bot's answer, exits 0 and writes nothing to stderr."""
    result = run_bot("console", "--now", NOW, stdin=line + "\n")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(expected[0])
    for part in expected[1:]:
        assert part in result.stdout


def test_several_commands_in_order(run_bot: RunBot) -> None:
    """Several piped lines are answered in order, separated by a blank line; comments and blanks are skipped."""
    result = run_bot("console", "--now", NOW, stdin="# a comment\n\n/readings 9/18\n/readings #8\n")
    first, second = result.stdout.split("\n\nMon Sep 23 · Class 8")
    assert first + "\n" == READINGS_9_18
    assert second.startswith(" · Vision-Language Models")


def test_quit_stops_reading(run_bot: RunBot) -> None:
    """'quit' ends the session: later lines are not answered."""
    result = run_bot("console", "--now", NOW, stdin="quit\n/readings 9/18\n")
    assert (result.returncode, result.stdout) == (0, "")


def test_now_with_an_offset(run_bot: RunBot) -> None:
    """--now accepts ISO 8601 with an offset: 01:00 UTC on Sep 18 is still Sep 17 in New York."""
    result = run_bot("console", "--now", "2024-09-18T01:00:00+00:00", stdin="/readings today\n")
    assert result.stdout.startswith("There is no class on Tue Sep 17.")


def test_bad_now(run_bot: RunBot) -> None:
    """An unreadable --now exits 2 with a message on stderr."""
    result = run_bot("console", "--now", "yesterday-ish", stdin="")
    assert result.returncode == 2 and "--now “yesterday-ish” is not a date and time" in result.stderr


PARSED = [
    ("/readings 9/18", "readings", {"date": "9/18"}),
    ("readings 9/18", "readings", {"date": "9/18"}),
    ("/READINGS 9/18", "readings", {"date": "9/18"}),
    ("/readings date:9/23", "readings", {"date": "9/23"}),
    ("/readings date: 9/23", "readings", {"date": "9/23"}),
    ("/readings", "readings", {}),
    ("/critique rules", "critique rules", {}),
    ("/schedule week:next", "schedule", {"week": "next"}),
    ("/search flamingo visual", "search", {"query": "flamingo visual"}),
    ("/search BERT: Pre-training", "search", {"query": "BERT: Pre-training"}),
]


@pytest.mark.parametrize(("line", "name", "options"), PARSED, ids=[p[0] for p in PARSED])
def test_parse_line(line: str, name: str, options: dict[str, str]) -> None:
    """A console line becomes a command and its options, Discord style (`date:9/23`) or as plain text."""
    invocation = console.parse_line(line)
    assert (invocation.command.name, invocation.options) == (name, options)


USAGE_ERRORS = [
    ("", "Type a command, like /readings next or /help."),
    ("/critique", "/critique needs one of: rules, log, status, remove (e.g. /critique rules)."),
    ("/next now", "/next takes no options."),
    ("/readings when:9/18", "/readings has no option “when”; its options: date."),
]


@pytest.mark.parametrize(("line", "message"), USAGE_ERRORS, ids=[u[0] or "empty" for u in USAGE_ERRORS])
def test_parse_line_errors(line: str, message: str) -> None:
    """A line that is not a known command with known options is a UsageError that says what to type."""
    with pytest.raises(console.UsageError) as caught:
        console.parse_line(line)
    assert str(caught.value).startswith(message)


def test_missing_required_option(course: Course, at: Callable[..., dt.datetime]) -> None:
    """/search without a query answers with its usage, not an exception."""
    assert console.answer(course, "/search", at(2024, 9, 17, 9)) == "/search needs query: /search query"


def test_run_reads_until_end_of_input(course: Course, at: Callable[..., dt.datetime]) -> None:
    """run() answers each line from a non-interactive stream and returns 0 at end of input."""
    out = io.StringIO()
    assert console.run(course, lambda: at(2024, 9, 17, 9), io.StringIO("/help\n"), out) == 0
    assert out.getvalue().startswith("Machine Learning at Scale (Fall 2024) — what I can do:\n")


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-09-17 09:00", dt.datetime(2024, 9, 17, 13, 0, tzinfo=dt.timezone.utc)),
    ("2024-09-17T09:00-04:00", dt.datetime(2024, 9, 17, 13, 0, tzinfo=dt.timezone.utc)),
    ("2024-12-17 09:00", dt.datetime(2024, 12, 17, 14, 0, tzinfo=dt.timezone.utc)),
])
def test_parse_now(course: Course, value: str, expected: dt.datetime) -> None:
    """--now without an offset is New York wall time (EDT or EST by date)."""
    assert console.parse_now(value, course) == expected


def test_console_reminders_shows_the_plan(course, at, tmp_path):
    """/reminders in the console lists the reminders in range with their text and state, creating no database."""
    from bot.settings import Settings

    settings = Settings(reminder_channel_id=1130000000000000003, database=str(tmp_path / "db.sqlite3"))
    reply = console.answer(course, "/reminders from:9/17 to:9/18", at(2024, 9, 17, 9), settings)
    assert reply.startswith("2 reminders → channel 1130000000000000003")
    assert "critique:2024-09-18:eve  [pending]" in reply and "critique:2024-09-18:morning  [pending]" in reply
    assert "Vision Transformers Need Registers (Darcet et al.)" in reply
    assert not (tmp_path / "db.sqlite3").exists()
