"""Boundaries: the core stays pure, and only bot/clock.py reads the wall clock."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
IO_PACKAGES = {"discord", "aiosqlite", "apscheduler", "sqlite3", "aiohttp", "requests"}
# Dotted call names that read the wall clock (suffixes, so `dt.datetime.now` and `datetime.datetime.now` match).
CLOCK_CALLS = ("datetime.now", "datetime.utcnow", "datetime.today", "date.today", "utils.utcnow")
CLOCK_EXACT = {"time.time", "time.time_ns"}


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := dotted(node.value)):
        return f"{base}.{node.attr}"
    return None


def clock_reads(source: str) -> list[str]:
    """Calls in a module that read the wall clock, as 'line: name'."""
    reads = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (name := dotted(node.func)):
            if name in CLOCK_EXACT or any(name == c or name.endswith("." + c) for c in CLOCK_CALLS):
                reads.append(f"{node.lineno}: {name}")
    return reads


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", modules(BOT / "core"), ids=lambda p: p.name)
def test_core_imports_no_io(path: Path) -> None:
    """A bot/core module imports nothing from discord, aiosqlite, apscheduler or other I/O libraries."""
    assert not imported_packages(path.read_text(encoding="utf-8")) & IO_PACKAGES


def test_core_has_modules() -> None:
    """The walk finds the core's modules (the test above is not vacuous)."""
    assert {"model.py", "loader.py", "dates.py", "queries.py", "search.py"} <= {p.name for p in modules(BOT / "core")}


def test_only_the_clock_reads_the_wall_clock() -> None:
    """In bot/, only clock.py calls datetime.now/utcnow/today or time.time."""
    offenders = {str(p.relative_to(BOT)): reads for p in modules(BOT)
                 if p != BOT / "clock.py" and (reads := clock_reads(p.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_clock_py_does_read_the_clock() -> None:
    """clock.py itself is found reading the clock (the checker sees `dt.datetime.now`)."""
    assert clock_reads((BOT / "clock.py").read_text(encoding="utf-8")) != []


@pytest.mark.parametrize(("source", "found"), [
    ("import datetime as dt\nx = dt.datetime.now(dt.timezone.utc)\n", ["2: dt.datetime.now"]),
    ("from datetime import datetime\nx = datetime.utcnow()\n", ["2: datetime.utcnow"]),
    ("import time\nx = time.time()\n", ["2: time.time"]),
    ("import discord\nx = discord.utils.utcnow()\n", ["2: discord.utils.utcnow"]),
    ("import datetime\nx = datetime.date.today()\n", ["2: datetime.date.today"]),
    ("import datetime as dt\nx = dt.time(12, 0)\ny = now()\n", []),
])
def test_clock_checker(source: str, found: list[str]) -> None:
    """The checker flags wall-clock reads and ignores look-alikes such as dt.time(12, 0)."""
    assert clock_reads(source) == found


@pytest.mark.parametrize(("source", "found"), [
    ("import discord.ext.commands\n", {"discord"}),
    ("from aiosqlite import connect\n", {"aiosqlite"}),
    ("from .model import Course\n", set()),
])
def test_import_checker(source: str, found: set[str]) -> None:
    """The import walk sees plain and `from` imports, and skips relative ones."""
    assert imported_packages(source) == found


@pytest.mark.parametrize("path", modules(BOT / "cogs"), ids=lambda p: p.name)
def test_cogs_do_not_import_the_bot(path: Path) -> None:
    """Dependencies point down: a cog gets the typed course service, never bot/app.py (not even for typing)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "bot.app" not in imported


def test_the_bot_loads_its_cogs_by_name() -> None:
    """bot/app.py names the cog modules (load_extension) instead of importing their classes."""
    source = (BOT / "app.py").read_text(encoding="utf-8")
    assert "load_extension" in source
    assert not re.search(r"from bot\.cogs\.(students|calendar|reminders|instructor|setup) import", source)
