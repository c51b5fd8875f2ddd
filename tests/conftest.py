"""Shared fixtures: the test courses (each loaded once), aware instants in a course's time zone, `python -m bot`
in a subprocess.

No test reads the live `schedule.yaml` (next term's file, edited by hand): the first course is a frozen copy
under tests/data/courses/, beside two synthetic courses of other shapes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import os
import re
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from bot.core.loader import load_course
from bot.core.model import Course

if TYPE_CHECKING:  # the store is imported by the fixture that opens it: core tests need no database code
    from bot.store import Store

# CI draws the same hypothesis examples on every run (a red run must be reproducible, not a lottery); a
# developer's ./test.sh draws new ones each time, which is how the bugs they catch are found.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parents[1]
COURSES = ROOT / "tests" / "data" / "courses"
SCHEDULE = COURSES / "ml_at_scale.yaml"  # the first course (Machine Learning at Scale, Fall 2024), frozen
DS_SCHEDULE = COURSES / "distributed_systems.yaml"  # Tue/Thu, homework and exams, no critiques, Los Angeles
DA_SCHEDULE = COURSES / "data_analysis.yaml"  # lectures and a Friday section, quizzes, a make-up class, London
COURSE_FILES = {"ml_at_scale": SCHEDULE, "distributed_systems": DS_SCHEDULE, "data_analysis": DA_SCHEDULE}
NEW_YORK = ZoneInfo("America/New_York")

At = Callable[..., dt.datetime]
CourseAt = Callable[..., dt.datetime]


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant on the course's wall clock (America/New_York)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def course_at(course: Course, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant on that course's wall clock: `course_at(ds_course, 2025, 2, 14, 22)` is 10pm in Los Angeles."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=course.timezone)


def line_of(text: str, snippet: str) -> int:
    """The line of `text` on which `snippet` starts; it must occur exactly once (so the test cannot point elsewhere)."""
    assert text.count(snippet) == 1, f"the text contains {snippet!r} {text.count(snippet)} times, not once"
    return text[: text.index(snippet)].count("\n") + 1


def edited(text: str, *substitutions: tuple[str, str]) -> str:
    """`text` with each (old, new) substituted; each `old` must occur exactly once."""
    for old, new in substitutions:
        line_of(text, old)
        text = text.replace(old, new)
    return text


@cache
def load_test_course(name: str) -> Course:
    """One of the test courses by name (a key of COURSE_FILES), loaded once per run."""
    return load_course(COURSE_FILES[name])


@pytest.fixture(scope="session")
def course() -> Course:
    """The first course (Machine Learning at Scale, Fall 2024, Mon/Wed, critiques), from its frozen copy."""
    return load_test_course("ml_at_scale")


@pytest.fixture(scope="session")
def ds_course() -> Course:
    """Distributed Systems (Spring 2025): Tue/Thu 2pm in a room, homework Fridays 11:59pm, exams, no critiques."""
    return load_test_course("distributed_systems")


@pytest.fixture(scope="session")
def da_course() -> Course:
    """Data Analysis in Practice (Autumn 2025, London): a Friday section, quizzes, a make-up class, no office hours."""
    return load_test_course("data_analysis")


@pytest.fixture(scope="session", params=list(COURSE_FILES))
def any_course(request: pytest.FixtureRequest) -> Course:
    """Each test course in turn (the test runs once per course, with the course's name as its id)."""
    return load_test_course(request.param)


@pytest.fixture(scope="session")
def at() -> At:
    """`at(2024, 9, 17, 9)`: 9:00 on Sep 17 2024 in New York (session-scoped, so hypothesis tests may use it)."""
    return new_york


@pytest.fixture(scope="session", name="course_at")
def course_at_fixture() -> CourseAt:
    """`course_at(any_course, 2025, 3, 9, 2, 30)`: an aware instant in that course's own time zone."""
    return course_at


FROZEN_SCHEDULE = str(SCHEDULE.relative_to(ROOT))  # as `python -m bot`, run from ROOT, is given it


def clean_env() -> dict[str, str]:
    """The environment without a Discord token or any COURSEBOT_ setting: the defaults and config/bot.yaml apply."""
    return {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN" and not k.startswith("COURSEBOT_")}


@pytest.fixture(scope="session")
def run_bot(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_bot("console", "--now", "…", stdin="/next\\n", env={...})`: `python -m bot` run from the repo root.

    The environment is `clean_env()` with the database in a temporary folder and the schedule set to the frozen
    first course (never the live schedule.yaml), plus `env`: no token and no other COURSEBOT_ overrides unless a
    test adds them.
    """
    database = tmp_path_factory.mktemp("store") / "coursebot.sqlite3"

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = {**clean_env(), "COURSEBOT_DATABASE": str(database), "COURSEBOT_SCHEDULE": FROZEN_SCHEDULE,
                    **(env or {})}
        return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                              cwd=ROOT, env=full_env, timeout=60, check=False)

    return run


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the store lives in a test: a fresh, not yet created file, as on a first run."""
    return tmp_path / "data" / "coursebot.sqlite3"


POSTGRES_URL = os.environ.get("COURSEBOT_TEST_POSTGRES", "")  # e.g. the URL `tests/postgres.sh start` prints
SQLITE_ONLY = re.compile(r"\bdb_path\b|\bstore\.path\b|\bsqlite3\b|\bstore\._db\b")  # such a test is SQLite's
ENGINES = [pytest.param("sqlite", id="sqlite"),
           pytest.param("postgresql", id="postgresql",
                        marks=pytest.mark.skipif(not POSTGRES_URL, reason="COURSEBOT_TEST_POSTGRES is not set"))]


@contextlib.asynccontextmanager
async def fresh_postgres_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the test server (its URL), dropped after: each test starts from nothing."""
    import asyncpg

    name = f"coursebot_test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield urllib.parse.urlunsplit(urllib.parse.urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(params=ENGINES)
async def database(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[str]:
    """The `database` setting for a fresh store, once per engine: the SQLite file at db_path (not yet created), and,
    when COURSEBOT_TEST_POSTGRES holds a server's URL, a new PostgreSQL database on it (dropped after the test).

    The bots of the fault tests take it too (`settings_for(..., database=database)`, or COURSEBOT_DATABASE for a
    child process). A test marked `@pytest.mark.sqlite_only("why")` runs on SQLite alone: its PostgreSQL run is
    skipped with that reason."""
    if request.param == "sqlite":
        yield str(db_path)
        return
    if (mark := request.node.get_closest_marker("sqlite_only")) is not None:
        pytest.skip(f"SQLite only: {mark.args[0]}")
    if SQLITE_ONLY.search(inspect.getsource(request.function)):
        pytest.skip("the test reaches past the store into the SQLite file (db_path, store.path, sqlite3)")
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


@pytest.fixture
async def store(database: str) -> AsyncIterator[Store]:
    """The real store on each engine (see `database`), migrated, closed after the test."""
    from bot.store import Store

    opened = await Store.open(database)
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
