"""The only module with SQL: the SQLite file, its migrations, and every read and write.

Migrations are numbered by `PRAGMA user_version` and applied in one transaction
each at open. A file that is not SQLite, or was written by a newer coursebot,
is refused and left untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.core.changes import Change
from bot.core.tracker import Logged

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
    # 2: the instructor's changes, append-only; an undo is a row that names the row it reverts.
    """
    CREATE TABLE course_changes (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  TEXT NOT NULL,            -- ISO 8601, UTC
        author_id   INTEGER,
        author      TEXT,
        kind        TEXT NOT NULL,
        params      TEXT NOT NULL,            -- JSON object
        undoes      INTEGER REFERENCES course_changes (id)
    );
    CREATE TRIGGER course_changes_append_only_update BEFORE UPDATE ON course_changes
    BEGIN SELECT RAISE(ABORT, 'course_changes is append-only'); END;
    CREATE TRIGGER course_changes_append_only_delete BEFORE DELETE ON course_changes
    BEGIN SELECT RAISE(ABORT, 'course_changes is append-only'); END;
    """,
    # 3: students' critique trackers and their direct-message reminder subscriptions.
    """
    CREATE TABLE critiques (
        user_id       INTEGER NOT NULL,
        class_number  INTEGER NOT NULL,
        class_date    TEXT NOT NULL,          -- the class's date when logged
        logged_at     TEXT NOT NULL,
        PRIMARY KEY (user_id, class_number)
    );
    CREATE TABLE dm_subscriptions (
        user_id         INTEGER PRIMARY KEY,
        kinds           TEXT NOT NULL,        -- comma-separated reminder kinds
        subscribed_at   TEXT NOT NULL,
        dm_closed       INTEGER NOT NULL DEFAULT 0,  -- Discord refused a DM (403): stop trying
        notice_pending  INTEGER NOT NULL DEFAULT 0   -- tell them once, next time they use the bot
    );
    """,
    # 4: a course may allow more than one critique per class (max_per_class): count them.
    """
    ALTER TABLE critiques ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
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


FINAL_STATES = ("sent", "late", "skipped")
SUBSCRIPTION_SELECT = "SELECT user_id, kinds, subscribed_at, dm_closed FROM dm_subscriptions"
LEDGER_SELECT = ("SELECT key, channel_id, due_at, state, message_id, attempts, detail, updated_at "
                 "FROM reminder_ledger")


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


def _json(text: str) -> object:
    """A stored change's parameters; None when the text is not JSON (the change log reports the row)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Subscription:
    user_id: int
    kinds: tuple[str, ...]
    subscribed_at: dt.datetime
    dm_closed: bool


def _subscription(row: tuple) -> Subscription:
    user_id, kinds, subscribed_at, closed = row
    return Subscription(user_id, tuple(k for k in kinds.split(",") if k), dt.datetime.fromisoformat(subscribed_at),
                        bool(closed))


def _entry(row: tuple) -> LedgerEntry:
    key, channel_id, due_at, state, message_id, attempts, detail, updated_at = row
    return LedgerEntry(key, channel_id, dt.datetime.fromisoformat(due_at), state, message_id, attempts, detail,
                       dt.datetime.fromisoformat(updated_at))


class Store:
    """An open SQLite database (WAL, foreign keys on), with typed methods for each table."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        self._write_lock = asyncio.Lock()  # one connection: transactions must not interleave

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

    # --- the reminder ledger -------------------------------------------------------------

    async def ledger(self) -> dict[str, LedgerEntry]:
        """Every ledger row by key."""
        async with self._db.execute(LEDGER_SELECT) as cursor:
            return {row[0]: _entry(row) async for row in cursor}

    async def ledger_entry(self, key: str) -> LedgerEntry | None:
        row = await self._one(LEDGER_SELECT + " WHERE key = ?", (key,))
        return _entry(row) if row else None

    async def claim(self, key: str, channel_id: int, due_at: dt.datetime, now: dt.datetime) -> LedgerEntry | None:
        """Claim a reminder before posting it; None when it is already done (sent, late or skipped).

        A row left 'claimed' by a crash, or 'failed', is claimed again (attempts counts them):
        the caller then makes sure the earlier attempt did not post after all.
        """
        async with self._transaction():
            row = await self._one("SELECT state FROM reminder_ledger WHERE key = ?", (key,))
            if row and row[0] in FINAL_STATES:
                return None
            await self._db.execute(
                "INSERT INTO reminder_ledger (key, channel_id, due_at, state, attempts, updated_at) "
                "VALUES (?, ?, ?, 'claimed', 1, ?) ON CONFLICT (key) DO UPDATE SET state = 'claimed', "
                "attempts = attempts + 1, channel_id = excluded.channel_id, updated_at = excluded.updated_at",
                (key, channel_id, _iso(due_at), _iso(now)))
        return await self.ledger_entry(key)

    async def mark_sent(self, key: str, message_id: int, *, late: bool, now: dt.datetime) -> None:
        await self._set_state(key, "late" if late else "sent", now, message_id=message_id)

    async def mark_failed(self, key: str, detail: str, now: dt.datetime) -> None:
        await self._set_state(key, "failed", now, detail=detail)

    async def mark_skipped(self, key: str, channel_id: int, due_at: dt.datetime, detail: str,
                           now: dt.datetime) -> None:
        """Record a reminder that will never be posted (its deadline passed), unless it was posted already."""
        async with self._transaction():
            await self._db.execute(
                "INSERT INTO reminder_ledger (key, channel_id, due_at, state, detail, updated_at) "
                "VALUES (?, ?, ?, 'skipped', ?, ?) ON CONFLICT (key) DO UPDATE SET state = 'skipped', "
                "detail = excluded.detail, updated_at = excluded.updated_at "
                "WHERE reminder_ledger.state NOT IN ('sent', 'late')",
                (key, channel_id, _iso(due_at), detail, _iso(now)))

    async def _set_state(self, key: str, state: str, now: dt.datetime, *, message_id: int | None = None,
                         detail: str | None = None) -> None:
        async with self._transaction():
            await self._db.execute(
                "UPDATE reminder_ledger SET state = ?, message_id = COALESCE(?, message_id), detail = ?, "
                "updated_at = ? WHERE key = ?", (state, message_id, detail, _iso(now), key))

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

    # --- the instructor's change log ---------------------------------------------------------

    async def add_change(self, change: Change) -> Change:
        """Append a change (its `created_at` set by the caller's clock); returns it with its id."""
        created = change.created_at
        if created is None:
            raise ValueError("a change needs its created_at")
        kind, params, undoes = change.to_row()
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT INTO course_changes (created_at, author_id, author, kind, params, undoes) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (_iso(created), change.author_id, change.author, kind, json.dumps(params, sort_keys=True), undoes))
            change_id = cursor.lastrowid
        return dataclasses.replace(change, id=change_id, created_at=created)

    async def changes(self) -> list[Change]:
        """The whole log, oldest first; a row this version cannot read comes back as an unreadable change."""
        async with self._db.execute(
                "SELECT id, created_at, author_id, author, kind, params, undoes FROM course_changes ORDER BY id"
        ) as cursor:
            return [Change.from_row(kind, _json(params), undoes, id=cid, author_id=author_id, author=author,
                                    created_at=dt.datetime.fromisoformat(created))
                    async for cid, created, author_id, author, kind, params, undoes in cursor]

    # --- students' critique trackers -------------------------------------------------------

    async def log_critique(self, user_id: int, number: int, class_date: dt.date, now: dt.datetime,
                           per_class: int = 1) -> bool:
        """Record a critique; False when this student already logged `per_class` of them for that class."""
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT INTO critiques (user_id, class_number, class_date, logged_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id, class_number) DO UPDATE SET count = count + 1, logged_at = excluded.logged_at "
                "WHERE count < ?",
                (user_id, number, class_date.isoformat(), _iso(now), per_class))
            return cursor.rowcount == 1

    async def remove_critique(self, user_id: int, number: int) -> bool:
        """Take one critique off a class's record (the record goes with the last); False when there was none."""
        async with self._transaction():
            cursor = await self._db.execute(
                "UPDATE critiques SET count = count - 1 WHERE user_id = ? AND class_number = ? AND count > 1",
                (user_id, number))
            if cursor.rowcount == 1:
                return True
            cursor = await self._db.execute("DELETE FROM critiques WHERE user_id = ? AND class_number = ?",
                                            (user_id, number))
            return cursor.rowcount == 1

    async def critiques(self, user_id: int) -> list[Logged]:
        async with self._db.execute(
                "SELECT class_number, class_date, logged_at, count FROM critiques WHERE user_id = ? "
                "ORDER BY class_date", (user_id,)) as cursor:
            return [Logged(number, dt.date.fromisoformat(day), dt.datetime.fromisoformat(at), count)
                    async for number, day, at, count in cursor]

    # --- direct-message reminder subscriptions -----------------------------------------------

    async def subscribe(self, user_id: int, kinds: tuple[str, ...], now: dt.datetime) -> None:
        """Turn DM reminders on (again): a new subscription clears a closed-DMs mark."""
        async with self._transaction():
            await self._db.execute(
                "INSERT INTO dm_subscriptions (user_id, kinds, subscribed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET kinds = excluded.kinds, dm_closed = 0, notice_pending = 0",
                (user_id, ",".join(kinds), _iso(now)))

    async def unsubscribe(self, user_id: int) -> bool:
        async with self._transaction():
            cursor = await self._db.execute("DELETE FROM dm_subscriptions WHERE user_id = ?", (user_id,))
            return cursor.rowcount == 1

    async def subscriptions(self) -> list[Subscription]:
        async with self._db.execute(SUBSCRIPTION_SELECT) as cursor:
            return [_subscription(row) async for row in cursor]

    async def subscription(self, user_id: int) -> Subscription | None:
        row = await self._one(SUBSCRIPTION_SELECT + " WHERE user_id = ?", (user_id,))
        return _subscription(row) if row else None

    async def mark_dm_closed(self, user_id: int) -> None:
        """Discord refused a DM: stop sending, and tell the student once."""
        async with self._transaction():
            await self._db.execute(
                "UPDATE dm_subscriptions SET dm_closed = 1, notice_pending = 1 WHERE user_id = ? AND dm_closed = 0",
                (user_id,))

    async def take_notice(self, user_id: int) -> bool:
        """True once after DMs to this user were refused (then the notice is cleared).

        Called after every command: it reads first and writes only when there is a notice to take.
        """
        row = await self._one("SELECT notice_pending FROM dm_subscriptions WHERE user_id = ?", (user_id,))
        if not row or not row[0]:
            return False
        async with self._transaction():
            cursor = await self._db.execute(
                "UPDATE dm_subscriptions SET notice_pending = 0 WHERE user_id = ? AND notice_pending = 1", (user_id,))
            return cursor.rowcount == 1

    # --- housekeeping ---------------------------------------------------------------------

    async def schema_version(self) -> int:
        return (await self._one("PRAGMA user_version"))[0]

    async def integrity_ok(self) -> bool:
        return (await self._one("PRAGMA integrity_check"))[0] == "ok"

    async def close(self) -> None:
        await self._db.close()
