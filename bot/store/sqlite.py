"""The SQLite engine: opening, checking and migrating the file (PRAGMA user_version), BEGIN IMMEDIATE."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import aiosqlite

from bot.store.common import Engine, StoreError, cannot_write
from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


class SqliteEngine(Engine):
    """An open SQLite file (WAL, foreign keys on) through aiosqlite, in autocommit outside transactions."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._suspended: dict[str, str] = {}  # triggers dropped for the transaction, by name: their SQL
        self.db = db
        self.name = path

    @classmethod
    async def open(cls, path: str) -> SqliteEngine:
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
        engine = cls(db, path)
        try:
            await engine._prepare()
        except BaseException:
            await db.close()
            raise
        return engine

    async def _prepare(self) -> None:
        """Check the file is ours, not newer, and writable (changing nothing), then set it up and migrate."""
        try:
            version = (await self._one("PRAGMA user_version"))[0]
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
                raise StoreError(f"{self.name} is not a coursebot database ({exc}). Point the `database` setting "
                                 "at another file; this one was left untouched.") from None
            raise StoreError(cannot_write(self.name, exc)) from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.name} was written by a newer coursebot (schema {version}, this one knows "
                             f"{SCHEMA_VERSION}). Upgrade coursebot; the file was left untouched.")
        try:
            # SQLite opens an unwritable file read-only without a word: find out now, not at the first write.
            await self.db.execute("BEGIN IMMEDIATE")
            await self.db.execute(f"PRAGMA user_version = {version}")
            await self.db.execute("ROLLBACK")
            await self.db.execute("PRAGMA journal_mode=WAL")
            await self.db.execute("PRAGMA foreign_keys=ON")
            await self.db.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error as exc:
            raise StoreError(cannot_write(self.name, exc)) from None
        for number in range(version + 1, SCHEMA_VERSION + 1):
            await self._migrate(number)

    async def _migrate(self, number: int) -> None:
        """Apply one migration and bump user_version in the same transaction."""
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\nPRAGMA user_version = {number};\nCOMMIT;"
        try:
            await self.db.executescript(script)
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                await self.db.execute("ROLLBACK")
            raise StoreError(f"Cannot update the database {self.name} to schema {number}: {exc}.") from None
        log.info("database migrated path=%s version=%d", self.name, number)

    async def _one(self, sql: str) -> tuple:
        async with self.db.execute(sql) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row else ()

    async def begin(self) -> None:
        await self.db.execute("BEGIN IMMEDIATE")

    async def commit(self) -> None:
        await self.db.execute("COMMIT")

    async def rollback(self) -> None:
        await self.db.execute("ROLLBACK")

    async def schema_version(self) -> int:
        return (await self._one("PRAGMA user_version"))[0]

    async def integrity_ok(self) -> bool:
        return (await self._one("PRAGMA integrity_check"))[0] == "ok"

    async def suspend_trigger(self, table: str, trigger: str) -> None:
        """SQLite cannot disable a trigger: drop it, keeping its SQL to create it again in the same transaction."""
        async with self.db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                   (trigger,)) as cursor:
            row = await cursor.fetchone()
        if not row:
            raise StoreError(f"{self.name} has no trigger {trigger}: the database is not as coursebot left it.")
        self._suspended[trigger] = row[0]
        await self.db.execute(f"DROP TRIGGER {trigger}")

    async def restore_trigger(self, table: str, trigger: str) -> None:
        await self.db.execute(self._suspended.pop(trigger))

    async def close(self) -> None:
        await self.db.close()
