"""`python -m bot import PAGE`: the draft is written only when asked, passes `check`, and the summary says so."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.__main__ import main

DATA = Path(__file__).resolve().parents[1] / "data" / "syllabi"


@pytest.mark.parametrize("page", ["ml_at_scale.txt", "consensus.md", "databases.html", "compilers_table.md",
                                  "networks_exams.html", "cognition_apa.md"])
def test_import_writes_a_draft_that_passes_check(run_bot, tmp_path: Path, page: str) -> None:
    """End to end, as an instructor runs it: import, then `python -m bot check` on the file."""
    out = tmp_path / "draft.yaml"
    made = run_bot("import", str(DATA / page), "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert f"Wrote {out}:" in made.stdout and "# check:" in made.stdout
    checked = run_bot("check", str(out))
    assert checked.returncode == 0, checked.stdout
    assert ": OK" in checked.stdout


def test_seed_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "draft.yaml"
    start = time.perf_counter()
    assert main(["import", str(DATA / "ml_at_scale.txt"), "-o", str(out)]) == 0
    assert time.perf_counter() - start < 1.0  # the budget for a 30-session page
    said = capsys.readouterr().out
    assert "29 classes (1 cancelled)" in said and "year 2024 from the weekdays on the page" in said


def test_an_existing_file_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schedule.yaml"
    out.write_text("mine", encoding="utf-8")
    assert main(["import", str(DATA / "consensus.md"), "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "mine"
    assert "add --force" in capsys.readouterr().err
    assert main(["import", str(DATA / "consensus.md"), "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# CS 452 Distributed Systems: a DRAFT")


def test_year_option_and_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(DATA / "ml_at_scale.txt"), "--year", "2024", "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert "date: 2024-11-20" in captured.out and "year 2024 as given" in captured.err


def test_a_page_without_dates_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page, out = tmp_path / "page.txt", tmp_path / "out.yaml"
    page.write_text("A course about things.\n", encoding="utf-8")
    assert main(["import", str(page), "-o", str(out)]) == 1
    assert not out.exists() and "No dated sessions" in capsys.readouterr().err


def test_a_missing_page_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "nope.html"), "-o", str(tmp_path / "out.yaml")]) == 1
    assert "Cannot read" in capsys.readouterr().err
