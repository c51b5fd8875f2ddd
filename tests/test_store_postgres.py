"""PostgreSQL's own store tests (the shared ones run on both engines in tests/test_store.py): claims across
processes, migrating under the advisory lock, refusing a newer schema, and connection errors without the password.
They need a server: COURSEBOT_TEST_POSTGRES (see tests/postgres.sh); the tests that need none always run."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION, HeldElsewhere, Store, StoreError, redacted
from bot.store.postgres import numbered
from tests.conftest import POSTGRES_URL, fresh_postgres_database

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 9, 17, 22, 0, tzinfo=UTC)
KEY = "critique:2024-09-18:eve"
CHANNEL = 1130000000000000003  # a Discord id: 64 bits
needs_server = pytest.mark.skipif(not POSTGRES_URL, reason="COURSEBOT_TEST_POSTGRES is not set")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A new database on the test server, dropped after."""
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


# --- no server needed ----------------------------------------------------------------------------------------


def test_placeholders_are_numbered_once_outside_quotes() -> None:
    assert numbered("UPDATE t SET a = ?, b = 'x?' WHERE k = ? AND c < ?") == (
        "UPDATE t SET a = $1, b = 'x?' WHERE k = $2 AND c < $3")


def test_a_url_is_printed_without_its_password() -> None:
    assert redacted("postgresql://bot:s3cret@db.example:5432/course") == "postgresql://bot:***@db.example:5432/course"
    assert redacted("postgres://bot@db/course") == "postgres://bot@db/course"
    assert redacted("data/coursebot.sqlite3") == "data/coursebot.sqlite3"


async def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    """Nothing listens on port 1: StoreError says it cannot connect, names the URL, and hides the password."""
    with pytest.raises(StoreError, match="Cannot connect to the PostgreSQL database") as caught:
        await Store.open("postgresql://bot:s3cret-pw@127.0.0.1:1/course")
    assert "s3cret-pw" not in str(caught.value) and "postgresql://bot:***@127.0.0.1:1/course" in str(caught.value)


def test_every_statement_sent_to_asyncpg_is_a_constant() -> None:
    """bot/store/postgres.py hands asyncpg only literals, `numbered(sql)` of a statement the tables' modules wrote
    as a literal (tests/reliability/test_hostile_input.py checks those), or a migration constant by number."""
    tree = ast.parse((Path(__file__).resolve().parents[1] / "bot/store/postgres.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr in {"execute", "executemany", "fetch", "fetchrow", "fetchval", "prepare"}
             and ast.unparse(n.func.value) != "prepared"]  # a prepared statement's fetch takes only the values
    allowed = {"numbered(sql)", "POSTGRES_MIGRATIONS[number - 1]"}
    seen = []
    for call in calls:
        sql = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "query")
        if not (isinstance(sql, ast.Constant) and isinstance(sql.value, str)):
            seen.append(ast.unparse(sql))
    assert len(calls) > 10 and set(seen) <= allowed, seen


# --- on a server --------------------------------------------------------------------------------------------


@needs_server
async def test_two_processes_claiming_one_key_at_once_one_wins(pg_url: str) -> None:
    """Two stores (two connections, as two bot processes) claim the same key concurrently: exactly one gets it;
    once it is sent, neither can claim it again."""
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        for round_ in range(5):
            key = f"{KEY}:{round_}"
            results = await asyncio.gather(first.claim(key, CHANNEL, NOW, NOW), second.claim(key, CHANNEL, NOW, NOW),
                                           return_exceptions=True)
            assert sum(isinstance(r, HeldElsewhere) for r in results) == 1, results
            results = [None if isinstance(r, HeldElsewhere) else r for r in results]
            winners = [(store, entry) for store, entry in zip((first, second), results, strict=True) if entry]
            assert len(winners) == 1, results
            winner, entry = winners[0]
            assert entry is not None and (entry.state, entry.attempts) == ("claimed", 1)
            with pytest.raises(HeldElsewhere):  # still held by the winner
                await (second if winner is first else first).claim(key, CHANNEL, NOW, NOW)
            await winner.mark_sent(key, 99, late=False, now=NOW)
            assert await first.claim(key, CHANNEL, NOW, NOW) is None
            assert await second.claim(key, CHANNEL, NOW, NOW) is None
    finally:
        await first.close()
        await second.close()


@needs_server
async def test_a_claim_left_by_a_dead_process_is_taken_over(pg_url: str) -> None:
    """A process that claimed and died (its connection closed) lets go: the next one claims with attempts 2."""
    crashed = await Store.open(pg_url)
    assert await crashed.claim(KEY, CHANNEL, NOW, NOW) is not None
    await crashed.close()
    survivor = await Store.open(pg_url)
    try:
        entry = await survivor.claim(KEY, CHANNEL, NOW, NOW + dt.timedelta(minutes=1))
        assert entry is not None and (entry.state, entry.attempts) == ("claimed", 2)
    finally:
        await survivor.close()


@needs_server
async def test_a_failed_claim_can_be_taken_by_the_other_process(pg_url: str) -> None:
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        assert await first.claim(KEY, CHANNEL, NOW, NOW) is not None
        await first.mark_failed(KEY, "Discord answered 500", NOW)
        entry = await second.claim(KEY, CHANNEL, NOW, NOW)
        assert entry is not None and entry.attempts == 2
    finally:
        await first.close()
        await second.close()


@needs_server
async def test_two_processes_opening_a_new_database_at_once_migrate_it_once(pg_url: str,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.store"):
        stores = await asyncio.gather(*(Store.open(pg_url) for _ in range(3)))
    try:
        assert [await s.schema_version() for s in stores] == [SCHEMA_VERSION] * 3
        assert len([r for r in caplog.records if "database migrated" in r.getMessage()]) == SCHEMA_VERSION
    finally:
        for store in stores:
            await store.close()


@needs_server
async def test_newer_schema_is_refused_untouched(pg_url: str) -> None:
    import asyncpg

    store = await Store.open(pg_url)
    await store.close()
    connection = await asyncpg.connect(pg_url)
    try:
        await connection.execute("UPDATE coursebot_schema SET version = 99")
        with pytest.raises(StoreError, match=r"newer coursebot \(schema 99"):
            await Store.open(pg_url)
        assert await connection.fetchval("SELECT version FROM coursebot_schema") == 99
    finally:
        await connection.close()


@needs_server
async def test_a_database_that_does_not_exist_is_a_clear_store_error() -> None:
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/coursebot_no_such_database"
    with pytest.raises(StoreError, match="Cannot connect to the PostgreSQL database.*does not exist"):
        await Store.open(url)


@needs_server
async def test_course_changes_are_append_only(pg_url: str) -> None:
    """The triggers of migrations 2 and 6 refuse to rewrite history on PostgreSQL too."""
    import asyncpg

    store = await Store.open(pg_url)
    await store.close()
    connection = await asyncpg.connect(pg_url)
    try:
        await connection.execute("INSERT INTO course_changes (created_at, kind, params) VALUES ('x', 'cancel', '{}')")
        await connection.execute("INSERT INTO course_uploads (uploaded_at, filename, body, last_change, carried, "
                                 "summary) VALUES ('x', 'schedule.yaml', '', 0, '[]', '[]')")
        for statement in ("UPDATE course_changes SET kind = 'move'", "DELETE FROM course_changes",
                          "DELETE FROM course_uploads"):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await connection.execute(statement)
    finally:
        await connection.close()


async def _end_session(url: str, store: Store) -> None:
    """What a server restart or a failover does to the store's session: an admin ends it."""
    import asyncpg

    pid = store._engine.db.connection.get_server_pid()  # type: ignore[attr-defined]
    admin = await asyncpg.connect(url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


@needs_server
async def test_a_lost_connection_is_opened_again(pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """After the server ended the session, a read is answered on a new connection (logged once), and a write
    goes through; what was stored before is all there."""
    store = await Store.open(pg_url)
    try:
        await store.subscribe(7, ("deadline",), NOW)
        await _end_session(pg_url, store)
        with caplog.at_level(logging.WARNING):
            assert (await store.subscription(7)) is not None
        assert [r.message for r in caplog.records].count(
            f"database connection lost and opened again database={redacted(pg_url)}") == 1
        await store.subscribe(8, ("exam",), NOW)
        assert {s.user_id for s in await store.subscriptions()} == {7, 8}
    finally:
        await store.close()


@needs_server
async def test_a_transaction_cut_by_a_lost_connection_keeps_nothing(pg_url: str) -> None:
    """The connection dies inside a write: the write fails as a storage error, nothing of it is kept, and the next
    write works on a new connection."""
    from bot.store import is_storage_error

    store = await Store.open(pg_url)
    try:
        with pytest.raises(Exception) as caught:
            async with store._transaction():
                await store._db.execute("INSERT INTO critiques (guild_id, user_id, class_number, class_date, "
                                        "logged_at) VALUES (0, 7, 3, '2024-09-18', 'x')")
                await _end_session(pg_url, store)
                await store._db.execute("INSERT INTO critiques (guild_id, user_id, class_number, class_date, "
                                        "logged_at) VALUES (0, 7, 4, '2024-09-20', 'x')")
        assert is_storage_error(caught.value), caught.value
        assert await store.critiques(7) == []
        assert await store.log_critique(7, 5, dt.date(2024, 9, 23), NOW)
        assert [c.number for c in await store.critiques(7)] == [5]
    finally:
        await store.close()


@needs_server
async def test_a_claim_whose_hold_was_lost_is_refused_and_another_process_may_take_it(pg_url: str) -> None:
    """A reminder key held, then the session ends (its advisory lock with it): the claim on the new connection is
    refused as a storage error rather than made without the lock; another process claims it; exactly one claim."""
    from bot.store import is_storage_error

    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        assert await first._engine.hold("0/digest:2024-09-22")
        await _end_session(pg_url, first)
        with pytest.raises(Exception) as caught:
            await first.claim("digest:2024-09-22", 5, NOW, NOW)
        assert is_storage_error(caught.value), caught.value
        taken = await second.claim("digest:2024-09-22", 5, NOW, NOW)
        assert taken is not None and taken.attempts == 1
        with pytest.raises(HeldElsewhere):  # held by the second, live
            await first.claim("digest:2024-09-22", 5, NOW, NOW)
    finally:
        await first.close()
        await second.close()
