"""The only module with SQL: the SQLite file, its migrations, and every read and write.

Migrations are numbered by `PRAGMA user_version` and applied in one transaction
each at open. A file that is not SQLite, or was written by a newer coursebot,
is refused and left untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    # 1: the reminder ledger: one row per reminder key, claimed before posting, marked after.
    """
    CREATE TABLE reminder_ledger (
        key         TEXT PRIMARY KEY,
        channel_id  INTEGER NOT NULL,
        due_at      TEXT NOT NULL,            -- ISO 8601, UTC
        state       TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'late', 'skipped', 'failed')),
        message_id  INTEGER,
        attempts    INTEGER NOT NULL DEFAULT 0,
        detail      TEXT,
        updated_at  TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    key: str
    channel_id: int
    due_at: dt.datetime
    state: str
    message_id: int | None
    attempts: int
    detail: str | None
    updated_at: dt.datetime


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


class Store:
    """An open SQLite database (WAL, foreign keys on), with typed methods for each table."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path

    @classmethod
    async def open(cls, path: str) -> Store:
        """Open (creating it and its folder if needed) and migrate; raise `StoreError` if unusable."""
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"Cannot create the folder for the database {path}: {exc.strerror}.") from None
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database {path}: {exc}.") from None
        store = cls(db, path)
        try:
            await store._prepare()
        except BaseException:
            await db.close()
            raise
        return store

    async def _prepare(self) -> None:
        try:
            version = (await self._one("PRAGMA user_version"))[0]
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=5000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a coursebot database ({exc}). "
                             "Point the `database` setting at another file; this one was left untouched.") from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer coursebot (schema {version}, this one knows "
                             f"{SCHEMA_VERSION}). Upgrade coursebot; the file was left untouched.")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            await self._migrate(number)

    async def _migrate(self, number: int) -> None:
        """Apply one migration and bump user_version in the same transaction."""
        try:
            await self._db.execute("BEGIN IMMEDIATE")
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip():
                    await self._db.execute(statement)
            await self._db.execute(f"PRAGMA user_version = {number}")
            await self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            await self._db.execute("ROLLBACK")
            raise StoreError(f"Cannot update the database {self.path} to schema {number}: {exc}.") from None
        log.info("database migrated path=%s version=%d", self.path, number)

    async def _one(self, sql: str, params: tuple = ()) -> tuple:
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row else ()

    async def schema_version(self) -> int:
        return (await self._one("PRAGMA user_version"))[0]

    async def integrity_ok(self) -> bool:
        return (await self._one("PRAGMA integrity_check"))[0] == "ok"

    async def close(self) -> None:
        await self._db.close()
