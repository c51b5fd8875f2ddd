"""The SQLite engine: opening, checking and migrating the file (PRAGMA user_version), BEGIN IMMEDIATE."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import aiosqlite

from bot.store.common import Engine, StoreError, cannot_write
from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

# The append-only tables' delete guards as SQLite creates them (migrations 2 and 6), for `forget-server` to put
# back after it stood them aside (below).
CHANGES_DELETE_GUARD = """CREATE TRIGGER course_changes_append_only_delete BEFORE DELETE ON course_changes
        BEGIN SELECT RAISE(ABORT, 'course_changes is append-only'); END"""
UPLOADS_DELETE_GUARD = """CREATE TRIGGER course_uploads_keep BEFORE DELETE ON course_uploads
        BEGIN SELECT RAISE(ABORT, 'course_uploads is append-only'); END"""


class SqliteEngine(Engine):
    """An open SQLite file (WAL, foreign keys on) through aiosqlite, in autocommit outside transactions."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
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

    async def suspend_guards(self) -> None:
        """SQLite cannot disable a trigger: drop the guards, to create them again in the same transaction."""
        await self.db.execute("DROP TRIGGER course_changes_append_only_delete")
        await self.db.execute("DROP TRIGGER course_uploads_keep")

    async def restore_guards(self) -> None:
        await self.db.execute(CHANGES_DELETE_GUARD)
        await self.db.execute(UPLOADS_DELETE_GUARD)

    async def close(self) -> None:
        await self.db.close()
