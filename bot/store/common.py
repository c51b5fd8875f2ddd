"""What both engines share: the storage errors, the operator's messages, and the engine interface."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import asyncpg


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


class ConnectionLost(ConnectionError):
    """The database connection was replaced in the middle of something that needed the old one."""


STORAGE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")
POSTGRES_STORAGE_ERRORS = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError,
                           asyncpg.InternalClientError, asyncpg.exceptions.AdminShutdownError,
                           asyncpg.exceptions.InsufficientResourcesError,
                           asyncpg.exceptions.ReadOnlySQLTransactionError,
                           asyncpg.exceptions.InsufficientPrivilegeError)


def is_postgres_url(database: str) -> bool:
    """`postgresql://…` or `postgres://…` is a PostgreSQL server; anything else is a SQLite file."""
    return database.startswith(("postgresql://", "postgres://"))


def database_exists(database: str) -> bool:
    """Whether there is stored data to read: a PostgreSQL server always counts; a SQLite file when it is there
    (the command line reads without creating one)."""
    return is_postgres_url(database) or Path(database).exists()


def redacted(database: str) -> str:
    """The `database` setting fit to print: a URL's password becomes '***' (a file path is unchanged)."""
    if not is_postgres_url(database):
        return database
    parts = urllib.parse.urlsplit(database)
    if parts.password is None:
        return database
    netloc = f"{parts.username or ''}:***@{parts.netloc.rpartition('@')[2]}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _error_family(exc: BaseException) -> str:
    """'SQLITE_IOERR_WRITE' → 'SQLITE_IOERR'."""
    return "_".join((getattr(exc, "sqlite_errorname", "") or "").split("_")[:2])


def is_storage_error(exc: BaseException) -> bool:
    """The disk is full, read-only or failing, or the server is gone: something the operator must fix."""
    if isinstance(exc, POSTGRES_STORAGE_ERRORS):
        return True
    return isinstance(exc, sqlite3.Error) and _error_family(exc) in STORAGE_ERRORS


def cannot_write(path: str, exc: BaseException) -> str:
    """An operator's message for a database that cannot be used, with the likely cause (never a password)."""
    cause = {"SQLITE_FULL": "the disk is full", "SQLITE_READONLY": "the file or its folder is read-only",
             "SQLITE_CANTOPEN": "the file or its folder cannot be opened (missing or read-only?)",
             "SQLITE_PERM": "permission denied", "SQLITE_IOERR": "a disk error (is the disk full?)"}.get(
        _error_family(exc))
    if isinstance(exc, POSTGRES_STORAGE_ERRORS):
        cause = "the PostgreSQL server is unreachable, full, read-only or refused the write"
    return f"Cannot use the database {redacted(path)}: {cause or exc} ({exc}). Nothing in it was changed."


def json_or_none(text: str) -> object:
    """A stored change's parameters; None when the text is not JSON (the change log reports the row)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


class Engine:
    """One open database of either kind: its statements (`db`), transactions and housekeeping.

    `db.execute(sql, params)` is aiosqlite's (or the same shape over asyncpg): awaited it gives a cursor with
    `rowcount` and `fetchone()`, and it can be used with `async with … as cursor` and `async for row in cursor`.
    """

    name: str  # what to call it in messages: the file, or the URL without its password
    db: Any

    async def begin(self) -> None:
        raise NotImplementedError

    async def commit(self) -> None:
        raise NotImplementedError

    async def rollback(self) -> None:
        raise NotImplementedError

    async def schema_version(self) -> int:
        raise NotImplementedError

    async def integrity_ok(self) -> bool:
        raise NotImplementedError

    async def hold(self, key: str) -> bool:
        """Hold a reminder key while it is being posted; False when another live process holds it."""
        return True

    def holds(self, key: str) -> bool:
        """Still held on the connection in use (a lost PostgreSQL session's locks went with it)."""
        return True

    async def let_go(self, key: str) -> None:
        """Release a key held by `hold` (a no-op when it is not held)."""

    async def suspend_guards(self) -> None:
        """Inside a transaction: the append-only tables' delete guards stand aside until `restore_guards`, for the
        operator's `forget-server` only."""
        raise NotImplementedError

    async def restore_guards(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError
