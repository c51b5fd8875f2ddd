"""The PostgreSQL engine (asyncpg): connecting, migrating under an advisory lock, and aiosqlite's shape over asyncpg.

The tables' methods are written once, with `?` placeholders, for aiosqlite: `numbered` turns them into asyncpg's
`$1, $2…` here and nowhere else. Rows come back as tuples, `rowcount` from the command's status ("UPDATE 1").
Timestamps stay ISO text columns, as in SQLite; every instant comes from the bot's clock, never from now().
"""

from __future__ import annotations

import asyncio
import functools
import logging
import urllib.parse
from collections.abc import Generator, Iterable, Sequence
from typing import Any

import asyncpg

from bot.store.common import Engine, StoreError, redacted
from bot.store.migrations import POSTGRES_MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

LOCK_CLASS = 0x0C0B  # advisory locks: (LOCK_CLASS, 1) while migrating; a reminder key's own 64-bit hash while posting
CONNECT_TIMEOUT = 10.0  # seconds


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`… WHERE a = ? AND b = ?` → `… WHERE a = $1 AND b = $2` (a `?` inside a quoted string is left alone)."""
    out: list[str] = []
    count = 0
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "?" and not quoted:
            count += 1
            out.append(f"${count}")
        else:
            out.append(char)
    return "".join(out)


class PgCursor:
    """The rows and row count of one statement, read like an aiosqlite cursor."""

    def __init__(self, rows: list[tuple], status: str | None) -> None:
        self._rows = rows
        self._next = 0
        last = (status or "").rpartition(" ")[2]
        self.rowcount = int(last) if last.isdigit() else -1

    async def fetchone(self) -> tuple | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[tuple]:
        rows, self._next = self._rows[self._next:], len(self._rows)
        return rows

    def __aiter__(self) -> PgCursor:
        return self

    async def __anext__(self) -> tuple:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _Pending:
    """`db.execute(…)` as aiosqlite returns it: awaited, or entered with `async with … as cursor`."""

    def __init__(self, run: Any) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._run.__await__()

    async def __aenter__(self) -> PgCursor:
        cursor: PgCursor = await self._run
        return cursor

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgDatabase:
    """One asyncpg connection with aiosqlite's `execute`/`executemany`; one statement at a time on it."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.busy = asyncio.Lock()  # asyncpg refuses a second operation while one is in progress

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Pending:
        return _Pending(self._statement(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.busy:
            prepared = await self.connection.prepare(numbered(sql))
            for params in rows:
                await prepared.fetch(*params)

    async def _statement(self, sql: str, params: Sequence[Any]) -> PgCursor:
        async with self.busy:
            prepared = await self.connection.prepare(numbered(sql))
            rows = await prepared.fetch(*params)
            return PgCursor([tuple(row) for row in rows], prepared.get_statusmsg())


def _reason(exc: BaseException, url: str) -> str:
    """Why the server could not be used, in words, with the URL's password (if any) taken out."""
    text = str(exc) or type(exc).__name__
    try:
        password = urllib.parse.urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


class PostgresEngine(Engine):
    """A PostgreSQL database: the tables in the connection's search_path, the schema version in `coursebot_schema`."""

    def __init__(self, connection: asyncpg.Connection, url: str) -> None:
        self.db = PgDatabase(connection)
        self.name = redacted(url)
        self._held: set[str] = set()  # reminder keys this process is posting (their advisory locks)

    @classmethod
    async def open(cls, url: str) -> PostgresEngine:
        """Connect and migrate; a server that cannot be reached or refuses the login raises `StoreError`."""
        try:
            connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise StoreError(
                f"Cannot connect to the PostgreSQL database {redacted(url)}: {_reason(exc, url)}. Check that the "
                "server is running and reachable, and the user, password and database name in the `database` "
                "setting (COURSEBOT_DATABASE).") from None
        engine = cls(connection, url)
        try:
            await engine._prepare()
        except BaseException:
            await connection.close()
            raise
        return engine

    async def _prepare(self) -> None:
        """Refuse a newer schema (changing nothing), then apply the missing migrations, one transaction each."""
        try:
            version = await self.schema_version()
        except asyncpg.PostgresError as exc:
            raise StoreError(f"Cannot read the database {self.name}: {exc}.") from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.name} was written by a newer coursebot (schema {version}, this one knows "
                             f"{SCHEMA_VERSION}). Upgrade coursebot; the database was left untouched.")
        while version < SCHEMA_VERSION:
            version = await self._migrate_next()

    async def _migrate_next(self) -> int:
        """Under a transaction-level advisory lock (so two processes starting at once do not both migrate),
        re-read the version and apply the next migration with its version bump in the same transaction."""
        connection = self.db.connection
        try:
            async with connection.transaction():
                await connection.fetchval("SELECT pg_advisory_xact_lock($1, 1)", LOCK_CLASS)
                await connection.execute(
                    "CREATE TABLE IF NOT EXISTS coursebot_schema (one INTEGER PRIMARY KEY CHECK (one = 1), "
                    "version INTEGER NOT NULL)")
                await connection.execute("INSERT INTO coursebot_schema VALUES (1, 0) ON CONFLICT (one) DO NOTHING")
                version: int = await connection.fetchval("SELECT version FROM coursebot_schema FOR UPDATE")
                if version >= SCHEMA_VERSION:
                    return version  # another process migrated while this one waited for the lock
                number = version + 1
                # PostgreSQL's simple query protocol runs a migration's several statements; the script is a
                # module constant of migrations.py (tests/test_store_sql.py checks every statement here is).
                await connection.execute(query=POSTGRES_MIGRATIONS[number - 1])
                await connection.execute("UPDATE coursebot_schema SET version = $1", number)
        except asyncpg.PostgresError as exc:
            raise StoreError(f"Cannot update the database {self.name} to schema {version + 1}: {exc}.") from None
        log.info("database migrated path=%s version=%d", self.name, number)
        return number

    async def begin(self) -> None:
        async with self.db.busy:
            await self.db.connection.execute("BEGIN")

    async def commit(self) -> None:
        async with self.db.busy:
            await self.db.connection.execute("COMMIT")

    async def rollback(self) -> None:
        async with self.db.busy:
            await self.db.connection.execute("ROLLBACK")

    async def schema_version(self) -> int:
        async with self.db.busy:
            if await self.db.connection.fetchval("SELECT to_regclass('coursebot_schema') IS NULL"):
                return 0
            version: int = await self.db.connection.fetchval("SELECT version FROM coursebot_schema")
            return version

    async def integrity_ok(self) -> bool:
        """PostgreSQL checks its own pages; here: the server answers and every table of the schema is there."""
        async with self.db.busy:
            missing = await self.db.connection.fetchval(
                "SELECT count(*) FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NULL",
                ["reminder_ledger", "course_changes", "critiques", "dm_subscriptions", "server_settings",
                 "course_uploads", "course_secrets", "scheduled_events", "coursebot_schema"])
        return missing == 0

    async def hold(self, key: str) -> bool:
        """A session-level advisory lock on the key: a live process posting it keeps others out, and a process
        that dies lets go with its connection, so its claim can be taken over (crash recovery as in SQLite)."""
        if key in self._held:
            return True
        async with self.db.busy:
            got = await self.db.connection.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key)
        if got:
            self._held.add(key)
        return bool(got)

    async def let_go(self, key: str) -> None:
        if key not in self._held:
            return
        self._held.discard(key)
        async with self.db.busy:
            await self.db.connection.fetchval("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)

    async def suspend_trigger(self, table: str, trigger: str) -> None:
        async with self.db.busy:
            await self.db.connection.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")

    async def restore_trigger(self, table: str, trigger: str) -> None:
        async with self.db.busy:
            await self.db.connection.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")

    async def close(self) -> None:
        await self.db.connection.close()
