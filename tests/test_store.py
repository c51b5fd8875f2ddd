"""The store on each engine (a real SQLite file; PostgreSQL when COURSEBOT_TEST_POSTGRES is set): migrations,
refusing databases it cannot use, and the reminder ledger. Tests that read a SQLite file's bytes or PRAGMAs are
SQLite's own; PostgreSQL's own are in tests/test_store_postgres.py."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 9, 17, 22, 0, tzinfo=UTC)
DUE = dt.datetime(2024, 9, 17, 22, 0, tzinfo=UTC)
KEY = "critique:2024-09-18:eve"
CHANNEL = 1130000000000000003


def pragma(path: Path, name: str) -> object:
    """Read a PRAGMA straight from the file, without the store."""
    with sqlite3.connect(path) as connection:
        value = connection.execute(f"PRAGMA {name}").fetchone()[0]
    connection.close()
    return value


# --- opening and migrations ----------------------------------------------------------------


async def test_new_file_is_migrated_to_the_schema_version(db_path: Path) -> None:
    """Opening a new file (and its folder) creates it and sets user_version to SCHEMA_VERSION."""
    store = await Store.open(str(db_path))
    assert await store.schema_version() == SCHEMA_VERSION
    await store.close()
    assert pragma(db_path, "user_version") == SCHEMA_VERSION  # a missing file would read 0


async def test_new_database_is_migrated_to_the_schema_version(database: str) -> None:
    """A new database (either engine) is at SCHEMA_VERSION after open, and still is when opened again."""
    store = await Store.open(database)
    assert await store.schema_version() == SCHEMA_VERSION
    await store.close()
    store = await Store.open(database)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
    finally:
        await store.close()


async def test_reopening_does_not_migrate_again(database: str, caplog: pytest.LogCaptureFixture) -> None:
    """The second open of a migrated database applies no migration."""
    await (await Store.open(database)).close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.store"):
        store = await Store.open(database)
        try:
            assert await store.schema_version() == SCHEMA_VERSION
        finally:
            await store.close()
    assert not [r for r in caplog.records if "migrated" in r.getMessage()]


async def test_first_open_logs_each_migration(database: str, caplog: pytest.LogCaptureFixture) -> None:
    """A new database logs one 'database migrated' line per migration."""
    with caplog.at_level(logging.INFO, logger="bot.store"):
        await (await Store.open(database)).close()
    assert len([r for r in caplog.records if "database migrated" in r.getMessage()]) == SCHEMA_VERSION


async def test_wal_journal_mode_is_on(db_path: Path) -> None:
    """A SQLite database is in WAL journal mode."""
    await (await Store.open(str(db_path))).close()
    assert pragma(db_path, "journal_mode") == "wal"


async def test_integrity_check_is_ok(store: Store) -> None:
    """PRAGMA integrity_check reports ok after writes."""
    await store.claim(KEY, CHANNEL, DUE, NOW)
    await store.mark_sent(KEY, 42, late=False, now=NOW)
    assert await store.integrity_ok()


async def test_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    """A file of junk bytes raises StoreError naming it, and its bytes are unchanged."""
    path = tmp_path / "junk.sqlite3"
    junk = b"this is not a database, just some bytes\x00\xff" * 200
    path.write_bytes(junk)
    with pytest.raises(StoreError, match="is not a coursebot database") as caught:
        await Store.open(str(path))
    assert str(path) in str(caught.value)
    assert path.read_bytes() == junk


def newer_database(path: Path) -> bytes:
    """A SQLite file written by a 'newer coursebot' (user_version 99), and its bytes."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE future (x INTEGER)")
    connection.execute("PRAGMA user_version = 99")
    connection.commit()
    connection.close()
    return path.read_bytes()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A file with user_version above SCHEMA_VERSION raises StoreError saying to upgrade."""
    path = tmp_path / "newer.sqlite3"
    newer_database(path)
    with pytest.raises(StoreError, match=r"newer coursebot \(schema 99"):
        await Store.open(str(path))
    assert pragma(path, "user_version") == 99


async def test_newer_schema_file_is_left_untouched(tmp_path: Path) -> None:
    """Refusing a newer file leaves its bytes exactly as they were."""
    path = tmp_path / "newer.sqlite3"
    before = newer_database(path)
    with pytest.raises(StoreError):
        await Store.open(str(path))
    assert path.read_bytes() == before


async def test_a_folder_as_the_database_is_refused(tmp_path: Path) -> None:
    """A database path that is a folder raises StoreError, not sqlite3's exception."""
    with pytest.raises(StoreError, match="Cannot open the database"):
        await Store.open(str(tmp_path))


async def test_data_survives_close_and_reopen(database: str) -> None:
    """A ledger row written before close is read back after reopening."""
    store = await Store.open(database)
    await store.claim(KEY, CHANNEL, DUE, NOW)
    await store.mark_sent(KEY, 42, late=False, now=NOW)
    await store.close()
    store = await Store.open(database)
    try:
        entry = await store.ledger_entry(KEY)
    finally:
        await store.close()
    assert entry is not None and (entry.state, entry.message_id, entry.channel_id) == ("sent", 42, CHANNEL)


# --- the ledger ------------------------------------------------------------------------------


async def test_first_claim(store: Store) -> None:
    """A first claim records the key as 'claimed' with one attempt."""
    entry = await store.claim(KEY, CHANNEL, DUE, NOW)
    assert entry is not None
    assert (entry.key, entry.state, entry.attempts, entry.channel_id) == (KEY, "claimed", 1, CHANNEL)


async def test_claim_left_by_a_crash_is_claimed_again(store: Store) -> None:
    """Claiming a key still 'claimed' (a crash before marking) claims it again with attempts 2."""
    await store.claim(KEY, CHANNEL, DUE, NOW)
    entry = await store.claim(KEY, CHANNEL, DUE, NOW + dt.timedelta(minutes=1))
    assert entry is not None and (entry.state, entry.attempts) == ("claimed", 2)


@pytest.mark.parametrize("late", [False, True], ids=["on time", "late"])
async def test_sent_is_never_claimed_again(store: Store, late: bool) -> None:
    """After mark_sent (on time or late), claim returns None and the row keeps its state and message id."""
    await store.claim(KEY, CHANNEL, DUE, NOW)
    await store.mark_sent(KEY, 1234, late=late, now=NOW)
    assert await store.claim(KEY, CHANNEL, DUE, NOW) is None
    entry = await store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.message_id) == ("late" if late else "sent", 1234)


async def test_failed_is_claimed_again(store: Store) -> None:
    """After mark_failed, claim works again and counts the attempt."""
    await store.claim(KEY, CHANNEL, DUE, NOW)
    await store.mark_failed(KEY, "Discord answered 500: no details", NOW)
    failed = await store.ledger_entry(KEY)
    assert failed is not None and (failed.state, failed.detail) == ("failed", "Discord answered 500: no details")
    entry = await store.claim(KEY, CHANNEL, DUE, NOW + dt.timedelta(seconds=30))
    assert entry is not None and (entry.state, entry.attempts) == ("claimed", 2)


@pytest.mark.parametrize("late", [False, True], ids=["sent", "late"])
async def test_skipped_does_not_overwrite_a_post(store: Store, late: bool) -> None:
    """mark_skipped on a reminder already posted leaves it 'sent' (or 'late') with its message id."""
    await store.claim(KEY, CHANNEL, DUE, NOW)
    await store.mark_sent(KEY, 77, late=late, now=NOW)
    await store.mark_skipped(KEY, CHANNEL, DUE, "its deadline passed", NOW)
    entry = await store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.message_id, entry.detail) == ("late" if late else "sent", 77,
                                                                                   None)


async def test_skipped_new_key_is_final(store: Store) -> None:
    """mark_skipped on an unknown key records it 'skipped' with its reason, and claim then returns None."""
    await store.mark_skipped(KEY, CHANNEL, DUE, "its deadline passed while the bot was not running", NOW)
    entry = await store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.detail) == (
        "skipped", "its deadline passed while the bot was not running")
    assert await store.claim(KEY, CHANNEL, DUE, NOW) is None


async def test_skipped_overwrites_a_failure(store: Store) -> None:
    """A failed reminder whose deadline passed becomes 'skipped'."""
    await store.claim(KEY, CHANNEL, DUE, NOW)
    await store.mark_failed(KEY, "network error", NOW)
    await store.mark_skipped(KEY, CHANNEL, DUE, "its deadline passed", NOW)
    entry = await store.ledger_entry(KEY)
    assert entry is not None and entry.state == "skipped"


async def test_ledger_has_aware_datetimes(store: Store) -> None:
    """ledger() returns every row by key with timezone-aware due_at and updated_at equal to what was written."""
    due = dt.datetime(2024, 9, 17, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    await store.claim(KEY, CHANNEL, due, NOW)
    await store.mark_skipped("critique:2024-09-18:morning", CHANNEL, DUE, "passed", NOW)
    ledger = await store.ledger()
    assert set(ledger) == {KEY, "critique:2024-09-18:morning"}
    entry = ledger[KEY]
    assert entry.due_at.tzinfo is not None and entry.updated_at.tzinfo is not None
    assert entry.due_at == due and entry.updated_at == NOW


async def test_ledger_of_a_new_database_is_empty(store: Store) -> None:
    """A new database has an empty ledger."""
    assert await store.ledger() == {}


async def test_critiques_per_class_up_to_the_limit(store: Store) -> None:
    """With two allowed per class, a student logs two for class 7; the third is refused; remove takes one off."""
    now = dt.datetime(2024, 9, 18, 9, tzinfo=dt.timezone.utc)
    day = dt.date(2024, 9, 18)
    assert await store.log_critique(1, 7, day, now, per_class=2)
    assert await store.log_critique(1, 7, day, now, per_class=2)
    assert not await store.log_critique(1, 7, day, now, per_class=2)
    assert [r.count for r in await store.critiques(1)] == [2]
    assert await store.remove_critique(1, 7) and [r.count for r in await store.critiques(1)] == [1]
    assert await store.remove_critique(1, 7) and await store.critiques(1) == []
    assert not await store.remove_critique(1, 7)


async def test_one_per_class_is_refused_the_second_time(store: Store) -> None:
    now = dt.datetime(2024, 9, 18, 9, tzinfo=dt.timezone.utc)
    assert await store.log_critique(1, 7, dt.date(2024, 9, 18), now)
    assert not await store.log_critique(1, 7, dt.date(2024, 9, 18), now)
    assert [r.count for r in await store.critiques(1)] == [1]


async def test_critiques_logged_before_the_count_column_keep_counting_one(db_path: Path) -> None:
    """A version-3 database (no count column) is migrated; its records count one each."""
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as db:
        for script in MIGRATIONS[:3]:
            db.executescript(script)
        db.execute("INSERT INTO critiques VALUES (1, 7, '2024-09-18', '2024-09-18T09:00:00+00:00')")
        db.execute("PRAGMA user_version = 3")
    opened = await Store.open(str(db_path))
    try:
        assert [(r.number, r.count) for r in await opened.critiques(1)] == [(7, 1)]
    finally:
        await opened.close()
