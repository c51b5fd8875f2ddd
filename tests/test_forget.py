"""`python -m bot forget-server`: an operator removes one server's course for good, on both engines.

It says what it would delete and deletes only with --yes; another server's course, the guards of the
append-only tables and schedule.yaml stay.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.changes import Change, OfficeHoursNote
from bot.store import Store, StoredUpload

HOME, OTHER, THIRD = 1110000000000000001, 1120000000000000002, 1130000000000000003
NOW = dt.datetime(2024, 9, 17, 13, 0, tzinfo=dt.timezone.utc)


async def _fill(database: str) -> None:
    """Rows in every course table for the configured server's course (scope 0) and two other servers."""
    store = await Store.open(database)
    try:
        for scope, guild in ((0, HOME), (OTHER, OTHER), (THIRD, THIRD)):
            course = store.scoped(scope)
            await course.add_change(Change(OfficeHoursNote(f"note {scope}"), author_id=1, created_at=NOW))
            await course.add_upload(StoredUpload(NOW, 1, "T", "s.yaml", "body", 0, (), ("New course",)))
            await course.claim("digest:2024-09-22", 5, NOW, NOW)
            await course.log_critique(7, 3, NOW.date(), NOW)
            await course.subscribe(7, ("deadline",), NOW)
            await course.set_secret("feed_token", f"token-{scope}", NOW)
            await course.save_event("class-3", 99, "live", "f", NOW)
            await store.set_server_settings(guild, {"announce_channel_id": "5"}, 1, NOW)
    finally:
        await store.close()


async def _rows(database: str, scope: int, guild: int) -> dict[str, int]:
    store = await Store.open(database)
    try:
        counts = await store.scoped(scope).course_rows()
        counts["server_settings"] = len(await store.server_settings(guild))
        return counts
    finally:
        await store.close()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str):
    config = tmp_path / "bot.yaml"
    config.write_text(f"guild_id: {HOME}\n")
    monkeypatch.setenv("COURSEBOT_CONFIG", str(config))
    monkeypatch.setenv("COURSEBOT_DATABASE", database)
    return database


def test_it_lists_then_deletes_one_servers_course_only(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_fill(cli))
    full = asyncio.run(_rows(cli, OTHER, OTHER))
    assert set(full.values()) == {1}
    assert main(["forget-server", str(OTHER)]) == 0
    said = capsys.readouterr().out
    assert f"Stored for server {OTHER}: 1 instructor changes, 1 uploaded course files" in said and "--yes" in said
    assert asyncio.run(_rows(cli, OTHER, OTHER)) == full  # nothing deleted without --yes
    assert main(["forget-server", str(OTHER), "--yes"]) == 0
    assert f"Deleted for server {OTHER}: 1 instructor changes" in capsys.readouterr().out
    assert set(asyncio.run(_rows(cli, OTHER, OTHER)).values()) == {0}
    assert asyncio.run(_rows(cli, THIRD, THIRD)) == full and asyncio.run(_rows(cli, 0, HOME)) == full
    assert main(["forget-server", str(OTHER)]) == 0
    assert f"Stored for server {OTHER}: nothing." in capsys.readouterr().out


def test_the_append_only_guards_stand_again_after(cli: str) -> None:
    asyncio.run(_fill(cli))
    assert main(["forget-server", str(OTHER), "--yes"]) == 0

    async def delete_anyway() -> None:
        opened = await Store.open(cli)  # the same statement on both engines, below the store's methods
        try:
            for table in ("course_changes", "course_uploads"):
                with pytest.raises(Exception, match="append-only"):
                    async with opened._transaction():
                        await opened._db.execute(f"DELETE FROM {table} WHERE guild_id = ?", (THIRD,))  # noqa: S608
        finally:
            await opened.close()

    asyncio.run(delete_anyway())
    assert asyncio.run(_rows(cli, THIRD, THIRD))["course_changes"] == 1


def test_the_configured_server_is_scope_zero_and_keeps_schedule_yaml(cli: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_fill(cli))
    assert main(["forget-server", str(HOME), "--yes"]) == 0
    assert "schedule.yaml itself was not touched" in capsys.readouterr().out
    assert set(asyncio.run(_rows(cli, 0, HOME)).values()) == {0}
    assert set(asyncio.run(_rows(cli, OTHER, OTHER)).values()) == {1}


@pytest.mark.parametrize("text", ["12", "abc", ""])
def test_a_bad_id_is_a_usage_error(cli: str, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forget-server", text, "--yes"]) == 2
    assert "should be a Discord id" in capsys.readouterr().out


def test_nothing_stored_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.sqlite3"
    monkeypatch.delenv("COURSEBOT_CONFIG", raising=False)
    monkeypatch.setenv("COURSEBOT_DATABASE", str(missing))
    monkeypatch.chdir(tmp_path)
    assert main(["forget-server", str(OTHER), "--yes"]) == 0
    assert "Nothing is stored yet" in capsys.readouterr().out and not missing.exists()
