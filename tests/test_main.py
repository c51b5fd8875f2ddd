"""The command line: `python -m bot check [PATH]`, `python -m bot reminders`, and `python -m bot` without a token."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.loader import load_course
from bot.store import Store
from tests.conftest import DS_SCHEDULE, FROZEN_SCHEDULE, ROOT, SCHEDULE, edited, line_of

RunBot = Callable[..., subprocess.CompletedProcess[str]]
EXAMPLES = ROOT / "examples"


def test_check_first_course(run_bot: RunBot) -> None:
    """`check PATH` on the first course exits 0 with a one-line summary of what the course has."""
    result = run_bot("check", FROZEN_SCHEDULE)
    assert result.returncode == 0, result.stdout
    assert result.stdout == (f"{FROZEN_SCHEDULE}: OK — Machine Learning at Scale, Fall 2024: 29 classes (1 cancelled), "
                             "no exams, 2 deadlines, 86 papers, 2024-08-26 to 2024-12-09.\n")


def test_check_summary_of_another_shape(run_bot: RunBot) -> None:
    """The summary counts exams (those held in class too) and deadlines, and runs to the end of exams."""
    result = run_bot("check", str(DS_SCHEDULE))
    assert result.returncode == 0, result.stdout
    assert result.stdout == (f"{DS_SCHEDULE}: OK — CS 452 Distributed Systems, Spring 2025: 28 classes (1 cancelled), "
                             "2 exams (1 in class), 9 deadlines, 20 papers, 2025-01-21 to 2025-05-09.\n")


def test_check_default_path(run_bot: RunBot) -> None:
    """`check` with no path validates the `schedule` setting (here COURSEBOT_SCHEDULE) and the config."""
    result = run_bot("check")
    assert result.returncode == 0 and result.stdout.startswith(f"{FROZEN_SCHEDULE}: OK — Machine Learning")


def test_check_prints_warnings_and_passes(run_bot: RunBot, tmp_path: Path) -> None:
    """Warnings are printed as `file:line: warning: …` before the summary, and `check` still exits 0."""
    text = edited(DS_SCHEDULE.read_text(encoding="utf-8"),
                  ("    date: 2025-04-01\n", "    date: 2025-03-27\n"),  # session 19 in spring break
                  ("    date: 2025-04-03\n", "    date: 2025-04-04\n"))  # session 20 on a Friday
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_bot("check", str(path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [
        f"{path}:{line_of(text, '  - number: 19')}: warning: Session 19 (Thu Mar 27) falls in Spring break; "
        "fine for a make-up class, otherwise check the date.",
        f"{path}:{line_of(text, '  - number: 20')}: warning: Session 20 (Fri Apr 4) is not on a meeting day "
        "(Tue, Thu); give a make-up class its own start and end, otherwise check the date.",
        f"{path}: OK with 2 warnings — CS 452 Distributed Systems, Spring 2025: 28 classes (1 cancelled), "
        "2 exams (1 in class), 9 deadlines, 20 papers, 2025-01-21 to 2025-05-09.",
    ]


def test_check_with_problems_exits_1_without_a_summary(run_bot: RunBot, tmp_path: Path) -> None:
    """Problems in a course that also has warnings: only the problems are listed, and the exit code is 1."""
    text = edited(DS_SCHEDULE.read_text(encoding="utf-8"), ("    date: 2025-04-01\n", "    date: 2025-03-27\n"),
                  ("    skip: [2025-02-17]", "    skip: [2025-02-18]"))
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_bot("check", str(path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{path}:{line_of(text, '    skip:')}: Office hours entry 1: the skipped date 2025-02-18 is a Tuesday, "
        "but these office hours are on Mondays.",
        "1 problem found.",
    ]


@pytest.mark.parametrize("name", ["ml-at-scale.yaml", "distributed-systems.yaml"])
def test_each_example_passes_check(run_bot: RunBot, name: str) -> None:
    """The example course files in examples/ pass `python -m bot check` without a warning."""
    result = run_bot("check", f"examples/{name}")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(f"examples/{name}: OK — ") and "warning" not in result.stdout


def test_the_guide_shows_what_check_prints(run_bot: RunBot) -> None:
    """docs/instructors.md shows the very line `check` prints for the first course's example."""
    result = run_bot("check", "examples/ml-at-scale.yaml")
    assert result.stdout in (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")


def test_the_first_course_example_is_the_first_course() -> None:
    """examples/ml-at-scale.yaml describes the same course as the frozen copy the tests use."""
    assert load_course(EXAMPLES / "ml-at-scale.yaml") == load_course(SCHEDULE)


def test_the_second_example_has_every_feature_it_shows() -> None:
    """The Tue/Thu example has no critiques, and has staff, a break, office hours with a link and a skip, timed
    deadlines of several kinds, an exam in class and one outside, links and term_end."""
    course = load_course(EXAMPLES / "distributed-systems.yaml")
    assert not course.has_critiques and course.meeting_days == (1, 3) and course.class_start is not None
    assert course.staff and course.breaks and course.links and course.term_end is not None
    assert any(h.link for h in course.office_hours) and any(h.skip for h in course.office_hours)
    assert {d.kind for d in course.deadlines} == {"homework", "quiz", "project", "other"}
    assert any(d.time is not None for d in course.deadlines)
    assert [e.session is not None for e in course.all_exams()] == [True, False]
    assert any(s.cancelled for s in course.sessions) and any(s.start is not None for s in course.sessions)


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
