"""Shared fixtures: the real course (loaded once), aware instants in its time zone, `python -m bot` in a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from bot.core.loader import load_course
from bot.core.model import Course
from bot.store import Store

# CI draws the same hypothesis examples on every run (a red run must be reproducible, not a lottery); a
# developer's ./test.sh draws new ones each time, which is how the bugs they catch are found.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parents[1]
SCHEDULE = ROOT / "schedule.yaml"
NEW_YORK = ZoneInfo("America/New_York")

At = Callable[..., dt.datetime]


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant on the course's wall clock (America/New_York)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture(scope="session")
def course() -> Course:
    """The real schedule.yaml, validated once for the whole run."""
    return load_course(SCHEDULE)


@pytest.fixture(scope="session")
def at() -> At:
    """`at(2024, 9, 17, 9)`: 9:00 on Sep 17 2024 in New York (session-scoped, so hypothesis tests may use it)."""
    return new_york


def clean_env() -> dict[str, str]:
    """The environment without a Discord token or any COURSEBOT_ setting: the defaults and config/bot.yaml apply."""
    return {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN" and not k.startswith("COURSEBOT_")}


@pytest.fixture(scope="session")
def run_bot(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_bot("console", "--now", "…", stdin="/next\\n", env={...})`: `python -m bot` run from the repo root.

    The environment is `clean_env()` with the database in a temporary folder, plus `env`: no token and no
    other COURSEBOT_ overrides unless a test adds them.
    """
    database = tmp_path_factory.mktemp("store") / "coursebot.sqlite3"

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                              cwd=ROOT, env={**clean_env(), "COURSEBOT_DATABASE": str(database), **(env or {})},
                              timeout=60, check=False)

    return run


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the store lives in a test: a fresh, not yet created file, as on a first run."""
    return tmp_path / "data" / "coursebot.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    """The real SQLite store at db_path, migrated, closed after the test."""
    opened = await Store.open(str(db_path))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def fake():
    """A fake Discord on 127.0.0.1 with the course's channels and roles, for end-to-end tests."""
    from tests.harness import make_fake

    async with make_fake() as server:
        yield server
