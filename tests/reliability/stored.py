"""What the bot stored, read from outside the bot on either engine (the `database` setting: a file or a URL).

The fault tests check the database a killed or stopped bot left behind. Opening a `Store` would migrate it (and
so hide a migration cut short by a kill), so `peek` reads it as it is: a SQLite file with the sqlite3 module (a
missing file is not created), a PostgreSQL database with asyncpg. Queries take `?` placeholders on both.
`snapshot` is all of it, to compare; `ledger_row` reads the reminder ledger through the store; `write_locked` holds
the database's write lock from another connection, as a second process would.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg

from bot.store import SCHEMA_VERSION, Store, is_postgres_url
from bot.store.postgres import numbered

BOT_TABLES = ("reminder_ledger", "course_changes", "critiques", "dm_subscriptions", "server_settings",
              "course_uploads", "course_secrets", "scheduled_events")  # every table of the schema, at its version


class Peek:
    """One read-only look at a database: its schema version, whether it is intact, and rows by SQL."""

    def __init__(self, database: str, sqlite: sqlite3.Connection | None, postgres: asyncpg.Connection | None) -> None:
        self.database = database
        self._sqlite = sqlite
        self._postgres = postgres

    @property
    def exists(self) -> bool:
        return self._sqlite is not None or self._postgres is not None

    async def version(self) -> int:
        """The schema version (0 when the bot has not created the database, or not finished its first migration)."""
        if self._sqlite is not None:
            return int(self._sqlite.execute("PRAGMA user_version").fetchone()[0])
        if self._postgres is not None:
            if await self._postgres.fetchval("SELECT to_regclass('coursebot_schema') IS NULL"):
                return 0
            return int(await self._postgres.fetchval("SELECT version FROM coursebot_schema"))
        return 0

    async def intact(self) -> bool:
        """SQLite: `PRAGMA integrity_check` passes. PostgreSQL (which keeps its own pages whole, whoever dies): one
        schema-version row, and at the current version every table of the schema is there."""
        if self._sqlite is not None:
            return self._sqlite.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if self._postgres is not None:
            version = await self.version()
            if version and await self._postgres.fetchval("SELECT count(*) FROM coursebot_schema") != 1:
                return False
            if version == SCHEMA_VERSION:
                missing = await self._postgres.fetchval(
                    "SELECT count(*) FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NULL",
                    list(BOT_TABLES))
                return bool(missing == 0)
        return True

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._sqlite is not None:
            return [tuple(row) for row in self._sqlite.execute(sql, tuple(params))]
        if self._postgres is not None:
            return [tuple(row) for row in await self._postgres.fetch(numbered(sql), *params)]
        return []


@contextlib.asynccontextmanager
async def peek(database: str) -> AsyncIterator[Peek]:
    """A read-only look at `database` as the bot left it (no migration, and a missing SQLite file stays missing)."""
    if is_postgres_url(database):
        connection = await asyncpg.connect(database)
        try:
            yield Peek(database, None, connection)
        finally:
            await connection.close()
        return
    if not Path(database).exists():
        yield Peek(database, None, None)
        return
    db = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    try:
        yield Peek(database, db, None)
    finally:
        db.close()


async def snapshot(database: str) -> dict[str, Any]:
    """Everything stored, to compare before and after: a SQLite file's folder byte for byte (its -wal and -shm files
    too), or every table of a PostgreSQL database with all its rows."""
    if not is_postgres_url(database):
        return {p.name: p.read_bytes() for p in sorted(Path(database).parent.iterdir())}
    async with peek(database) as db:
        tables = [t for (t,) in await db.rows(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]
        return {t: sorted(await db.rows(f'SELECT * FROM "{t}"'), key=repr) for t in tables}


async def ledger_row(database: str, key: str) -> tuple[str, int | None, int] | None:
    """(state, message_id, attempts) of a reminder in the ledger, through the store (the bot's course's rows)."""
    store = await Store.open(database)
    try:
        entry = await store.ledger_entry(key)
    finally:
        await store.close()
    return (entry.state, entry.message_id, entry.attempts) if entry is not None else None


@contextlib.asynccontextmanager
async def write_locked(database: str) -> AsyncIterator[None]:
    """Another connection holds the database's write lock until the block ends (e.g. `python -m bot console`
    mid-write): SQLite's BEGIN IMMEDIATE on the file; on PostgreSQL every table of the database locked EXCLUSIVE (reads
    go on, writes wait)."""
    if is_postgres_url(database):
        connection = await asyncpg.connect(database)
        try:
            async with connection.transaction():
                tables = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                assert tables, f"{database} has no tables yet"
                names = ", ".join(f'"{name}"' for (name,) in tables)
                await connection.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
                yield
        finally:
            await connection.close()
        return
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.close()  # releases the lock
