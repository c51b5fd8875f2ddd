"""The connection: opening, checking and migrating the file, transactions, and the storage errors."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Self

import aiosqlite

from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""



STORAGE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")


def _error_family(exc: BaseException) -> str:
    """'SQLITE_IOERR_WRITE' → 'SQLITE_IOERR'."""
    return "_".join((getattr(exc, "sqlite_errorname", "") or "").split("_")[:2])


def is_storage_error(exc: BaseException) -> bool:
    """The disk is full, read-only or failing: not a bug in the bot, something the operator must fix."""
    return isinstance(exc, sqlite3.Error) and _error_family(exc) in STORAGE_ERRORS


def cannot_write(path: str, exc: BaseException) -> str:
    """An operator's message for a database that cannot be used, with the likely cause."""
    cause = {"SQLITE_FULL": "the disk is full", "SQLITE_READONLY": "the file or its folder is read-only",
             "SQLITE_CANTOPEN": "the file or its folder cannot be opened (missing or read-only?)",
             "SQLITE_PERM": "permission denied", "SQLITE_IOERR": "a disk error (is the disk full?)"}.get(
        _error_family(exc))
    return f"Cannot use the database {path}: {cause or exc} ({exc}). Nothing in it was changed."


def json_or_none(text: str) -> object:
    """A stored change's parameters; None when the text is not JSON (the change log reports the row)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


class Connection:
    """An open SQLite database (WAL, foreign keys on); the tables' methods are in the mixins of `Store`."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        self._write_lock = asyncio.Lock()  # one connection: transactions must not interleave

    @classmethod
    async def open(cls, path: str) -> Self:
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
        """Check the file is ours, not newer, and writable (changing nothing), then set it up and migrate."""
        try:
            version = (await self._one("PRAGMA user_version"))[0]
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
                raise StoreError(f"{self.path} is not a coursebot database ({exc}). Point the `database` setting "
                                 "at another file; this one was left untouched.") from None
            raise StoreError(cannot_write(self.path, exc)) from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer coursebot (schema {version}, this one knows "
                             f"{SCHEMA_VERSION}). Upgrade coursebot; the file was left untouched.")
        try:
            # SQLite opens an unwritable file read-only without a word: find out now, not at the first write.
            await self._db.execute("BEGIN IMMEDIATE")
            await self._db.execute(f"PRAGMA user_version = {version}")
            await self._db.execute("ROLLBACK")
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error as exc:
            raise StoreError(cannot_write(self.path, exc)) from None
        for number in range(version + 1, SCHEMA_VERSION + 1):
            await self._migrate(number)

    async def _migrate(self, number: int) -> None:
        """Apply one migration and bump user_version in the same transaction."""
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\nPRAGMA user_version = {number};\nCOMMIT;"
        try:
            async with self._write_lock:
                await self._db.executescript(script)
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                await self._db.execute("ROLLBACK")
            raise StoreError(f"Cannot update the database {self.path} to schema {number}: {exc}.") from None
        log.info("database migrated path=%s version=%d", self.path, number)

    async def _one(self, sql: str, params: tuple = ()) -> tuple:
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row else ()

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error: a write happens entirely or not at all."""
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    # --- housekeeping ---------------------------------------------------------------------

    async def schema_version(self) -> int:
        return (await self._one("PRAGMA user_version"))[0]

    async def integrity_ok(self) -> bool:
        return (await self._one("PRAGMA integrity_check"))[0] == "ok"

    async def close(self) -> None:
        await self._db.close()
