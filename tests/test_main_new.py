"""`python -m bot new`: a skeleton or a rolled course written only when everything is right."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.loader import load_file

OPTIONS = ["--title", "Distributed Systems", "--term", "Spring 2026", "--first", "2026-01-20", "--last", "2026-04-30",
           "--timezone", "America/Los_Angeles", "--days", "Tue,Thu", "--start", "14:00", "--end", "15:15",
           "--break", "Spring break:2026-03-23:2026-03-27"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_new_writes_a_skeleton_that_passes_check(run_bot, tmp_path: Path) -> None:
    """The written file passes `python -m bot check`; the summary counts classes and skipped days."""
    out = tmp_path / "schedule.yaml"
    made = run_bot("new", "-o", str(out), *OPTIONS)
    assert made.returncode == 0, made.stderr
    assert "28 classes, 2 class days in breaks skipped" in made.stdout
    checked = run_bot("check", str(out))
    assert checked.returncode == 0, checked.stdout
    assert "OK — Distributed Systems, Spring 2026: 28 classes" in checked.stdout


def test_new_from_rolls_the_example_and_reports(run_bot, tmp_path: Path) -> None:
    """--from keeps the topics in order and prints what no longer fits; the result passes check."""
    out = tmp_path / "rolled.yaml"
    made = run_bot("new", "-o", str(out), "--from", "examples/distributed-systems.yaml", "--term", "Spring 2026",
                   "--first", "2026-01-20", "--last", "2026-04-16", "--break", "Spring break:2026-03-23:2026-03-27")
    assert made.returncode == 0, made.stderr
    assert "24 classes, 24 with last term's topics" in made.stdout
    assert "4 classes no longer fit" in made.stdout and "“Course wrap-up”" in made.stdout
    assert run_bot("check", str(out)).returncode == 0
    course = load_file(out).course
    assert course.sessions[0].topic == "Introduction: what makes a system distributed"
    assert course.sessions[-1].topic == "Failure detectors"


def test_missing_values_without_a_terminal_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No terminal to ask in: exit 2, every missing option named, nothing written."""
    out = tmp_path / "schedule.yaml"
    assert main(["new", "-o", str(out), "--title", "X"]) == 2
    err = capsys.readouterr().err
    for option in ("--term", "--first", "--last", "--timezone", "--days"):
        assert f"Missing {option}." in err
    assert "run in a terminal to be asked" in err and not out.exists()


@pytest.mark.parametrize("change, message", [
    (["--last", "2026-01-01"], "--last (2026-01-01) is before --first"),
    (["--days", "Tue,Thurs,Fry"], "“Fry” is not a day of the week"),
    (["--start", "2pm"], "--start: “2pm” should be a time"),
    (["--timezone", "Eastern"], "“Eastern” is not a time zone name"),
    (["--break", "Summer:2026-07-01:2026-07-10"], "is outside the term"),
])
def test_bad_values_write_nothing(change: list[str], message: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A bad value is a clear sentence on stderr, exit 2, and no file."""
    out = tmp_path / "schedule.yaml"
    assert main(["new", "-o", str(out), *OPTIONS, *change]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_existing_file_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing OUT stays as it was unless --force; with --force it is replaced."""
    out = tmp_path / "schedule.yaml"
    out.write_text("mine\n", encoding="utf-8")
    assert main(["new", "-o", str(out), *OPTIONS]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "mine\n"
    assert main(["new", "-o", str(out), "--force", *OPTIONS]) == 0
    assert load_file(out).course.term == "Spring 2026"


def test_a_bad_old_file_is_reported_and_nothing_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--from a file with problems: its problems with lines, exit 1, no file."""
    old, out = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text("course:\n  title: X\nsessions: []\n", encoding="utf-8")
    assert main(["new", "-o", str(out), "--from", str(old), "--term", "T", "--first", "2026-01-20",
                 "--last", "2026-04-30"]) == 1
    assert "old.yaml:2" in capsys.readouterr().err and not out.exists()


def test_missing_values_are_asked_in_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """In a terminal the missing values (and the optional ones, and breaks) are asked, then the file is written."""
    answers = iter(["Compilers", "", "Dr. Ng", "Fall 2026", "2026-09-01", "2026-12-10", "Europe/Berlin", "Mon,Wed",
                    "09:15", "10:45", "", "Autumn break:2026-10-26:2026-10-30", ""])  # in the options' order
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    out = tmp_path / "schedule.yaml"
    assert main(["new", "-o", str(out)]) == 0
    course = load_file(out).course
    assert course.title == "Compilers" and course.instructor == "Dr. Ng" and course.code is None
    assert course.meeting_days == (0, 2) and course.breaks[0].name == "Autumn break"
    assert "2 class days in breaks skipped" in capsys.readouterr().out


def test_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o - prints the file and puts the summary on stderr."""
    assert main(["new", "-o", "-", *OPTIONS]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Distributed Systems, Spring 2026") and "Wrote -" in captured.err
