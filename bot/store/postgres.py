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
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
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


Work = Callable[[asyncpg.Connection], Awaitable[Any]]
# The connection is gone (the server restarted, a failover, a network cut, an admin ended the session); asyncpg
# may first report the end of the session as its protocol being in the wrong state (InternalClientError).
CONNECTION_LOST = (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
                   asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CannotConnectNowError,
                   asyncpg.InternalClientError, ConnectionError, OSError)


class PgDatabase:
    """One asyncpg connection with aiosqlite's `execute`/`executemany`; one statement at a time on it.

    A lost connection is opened again before the next statement, and a statement outside a transaction that
    found it lost is run once more on the new one. Inside a transaction nothing is re-run: the transaction is
    gone with its connection, so the write fails as a whole (the caller rolls back, and the user is told)."""

    def __init__(self, connection: asyncpg.Connection, connect: Callable[[], Awaitable[asyncpg.Connection]],
                 name: str) -> None:
        self.connection = connection
        self._connect = connect
        self._name = name
        self.busy = asyncio.Lock()  # asyncpg refuses a second operation while one is in progress
        self.in_transaction = False
        self.reconnected: list[Callable[[], None]] = []  # told when a new connection replaced a lost one

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Pending:
        return _Pending(self._statement(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async def many(connection: asyncpg.Connection) -> None:
            prepared = await connection.prepare(numbered(sql))
            for params in rows:
                await prepared.fetch(*params)

        await self.run(many)

    async def _statement(self, sql: str, params: Sequence[Any]) -> PgCursor:
        async def one(connection: asyncpg.Connection) -> PgCursor:
            prepared = await connection.prepare(numbered(sql))
            rows = await prepared.fetch(*params)
            return PgCursor([tuple(row) for row in rows], prepared.get_statusmsg())

        result: PgCursor = await self.run(one)
        return result

    async def run(self, work: Work) -> Any:
        """`work(connection)`, on a live connection (see the class)."""
        async with self.busy:
            for attempt in (1, 2):
                if self.connection.is_closed():
                    if self.in_transaction:
                        raise asyncpg.ConnectionDoesNotExistError("the connection was lost during a transaction")
                    await self._reconnect()
                try:
                    return await work(self.connection)
                except CONNECTION_LOST:
                    if not self.connection.is_closed():
                        self.connection.terminate()
                    if self.in_transaction or attempt == 2:
                        raise
        raise AssertionError("unreachable")

    async def _reconnect(self) -> None:
        try:
            self.connection = await self._connect()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise asyncpg.ConnectionDoesNotExistError(f"cannot reconnect: {exc}") from None
        log.warning("database connection lost and opened again database=%s", self._name)
        for tell in self.reconnected:
            tell()


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
        self.name = redacted(url)
        self.db = PgDatabase(connection, lambda: asyncpg.connect(url, timeout=CONNECT_TIMEOUT), self.name)
        self._held: set[str] = set()  # reminder keys this process is posting (their advisory locks)
        self.db.reconnected.append(self._held.clear)  # a lost session's advisory locks went with it

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
        await self.db.run(lambda c: c.execute("BEGIN"))
        self.db.in_transaction = True

    async def commit(self) -> None:
        try:
            await self.db.run(lambda c: c.execute("COMMIT"))
        finally:
            self.db.in_transaction = False

    async def rollback(self) -> None:
        try:
            await self.db.run(lambda c: c.execute("ROLLBACK"))
        except CONNECTION_LOST:
            pass  # the transaction went with its connection: nothing of it was kept
        finally:
            self.db.in_transaction = False

    async def schema_version(self) -> int:
        async def read(connection: asyncpg.Connection) -> int:
            if await connection.fetchval("SELECT to_regclass('coursebot_schema') IS NULL"):
                return 0
            version: int = await connection.fetchval("SELECT version FROM coursebot_schema")
            return version

        result: int = await self.db.run(read)
        return result

    async def integrity_ok(self) -> bool:
        """PostgreSQL checks its own pages; here: the server answers and every table of the schema is there."""
        tables = ["reminder_ledger", "course_changes", "critiques", "dm_subscriptions", "server_settings",
                  "course_uploads", "course_secrets", "scheduled_events", "coursebot_schema"]
        missing = await self.db.run(lambda c: c.fetchval(
            "SELECT count(*) FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NULL", tables))
        return missing == 0

    async def hold(self, key: str) -> bool:
        """A session-level advisory lock on the key: a live process posting it keeps others out, and a process
        that dies lets go with its connection, so its claim can be taken over (crash recovery as in SQLite)."""
        if key in self._held:
            return True
        got = await self.db.run(lambda c: c.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key))
        if got:
            self._held.add(key)
        return bool(got)

    def holds(self, key: str) -> bool:
        return key in self._held

    async def let_go(self, key: str) -> None:
        if key not in self._held:
            return
        self._held.discard(key)
        await self.db.run(lambda c: c.fetchval("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key))

    async def suspend_guards(self) -> None:
        await self.db.run(lambda c: c.execute(
            "ALTER TABLE course_changes DISABLE TRIGGER course_changes_append_only_delete"))
        await self.db.run(lambda c: c.execute("ALTER TABLE course_uploads DISABLE TRIGGER course_uploads_keep"))

    async def restore_guards(self) -> None:
        await self.db.run(lambda c: c.execute(
            "ALTER TABLE course_changes ENABLE TRIGGER course_changes_append_only_delete"))
        await self.db.run(lambda c: c.execute("ALTER TABLE course_uploads ENABLE TRIGGER course_uploads_keep"))

    async def close(self) -> None:
        await self.db.connection.close()
