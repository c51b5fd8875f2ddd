"""The course's own rows: the instructor's change log, uploaded course files and the server's settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from bot.core.changes import Change
from bot.store.base import Connection, iso, json_or_none

# The tables whose rows belong to one server's course (`guild_id`), and their rows of one course, counted.
COURSE_TABLES = ("course_changes", "course_uploads", "reminder_ledger", "critiques", "dm_subscriptions",
                 "course_secrets", "scheduled_events")
COUNT_COURSE_ROWS = ("SELECT (SELECT COUNT(*) FROM course_changes WHERE guild_id = ?), "
                     "(SELECT COUNT(*) FROM course_uploads WHERE guild_id = ?), "
                     "(SELECT COUNT(*) FROM reminder_ledger WHERE guild_id = ?), "
                     "(SELECT COUNT(*) FROM critiques WHERE guild_id = ?), "
                     "(SELECT COUNT(*) FROM dm_subscriptions WHERE guild_id = ?), "
                     "(SELECT COUNT(*) FROM course_secrets WHERE guild_id = ?), "
                     "(SELECT COUNT(*) FROM scheduled_events WHERE guild_id = ?)")
UPLOAD_SELECT = ("SELECT id, uploaded_at, author_id, author, filename, body, last_change, carried, summary, announced "
                 "FROM course_uploads")


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """A confirmed /course upload: the file as sent, which earlier changes it keeps, and what was announced."""

    uploaded_at: dt.datetime
    author_id: int | None
    author: str | None
    filename: str
    body: str
    last_change: int
    carried: tuple[int, ...]
    summary: tuple[str, ...]
    announced: bool = False
    id: int | None = None


def _upload(row: tuple) -> StoredUpload:
    upload_id, at, author_id, author, filename, body, last_change, carried, summary, announced = row
    return StoredUpload(dt.datetime.fromisoformat(at), author_id, author, filename, body, last_change,
                        tuple(json.loads(carried)), tuple(json.loads(summary)), bool(announced), upload_id)


class CourseTables(Connection):
    """What instructors and admins stored: append-only where history matters."""

    async def add_change(self, change: Change) -> Change:
        """Append a change (its `created_at` set by the caller's clock); returns it with its id."""
        created = change.created_at
        if created is None:
            raise ValueError("a change needs its created_at")
        kind, params, undoes = change.to_row()
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT INTO course_changes (guild_id, created_at, author_id, author, kind, params, undoes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (self.scope, iso(created), change.author_id, change.author, kind, json.dumps(params, sort_keys=True),
                 undoes))
            (change_id,) = await cursor.fetchone()
        return dataclasses.replace(change, id=change_id, created_at=created)

    async def changes(self) -> list[Change]:
        """The whole log, oldest first; a row this version cannot read comes back as an unreadable change."""
        async with self._db.execute(
                "SELECT id, created_at, author_id, author, kind, params, undoes FROM course_changes WHERE guild_id = ? "
                "ORDER BY id", (self.scope,)) as cursor:
            return [Change.from_row(kind, json_or_none(params), undoes, id=cid, author_id=author_id, author=author,
                                    created_at=dt.datetime.fromisoformat(created))
                    async for cid, created, author_id, author, kind, params, undoes in cursor]


    async def last_change_id(self) -> int:
        """The newest change's id (0 when there is none): an upload keeps no change older than it unless carried."""
        return (await self._one("SELECT COALESCE(MAX(id), 0) FROM course_changes WHERE guild_id = ?",
                                (self.scope,)))[0]

    # --- course files uploaded with /course upload ------------------------------------------

    async def add_upload(self, upload: StoredUpload) -> StoredUpload:
        """Store a confirmed upload (not yet announced); returns it with its id."""
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT INTO course_uploads (guild_id, uploaded_at, author_id, author, filename, body, last_change, "
                "carried, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (self.scope, iso(upload.uploaded_at), upload.author_id, upload.author, upload.filename, upload.body,
                 upload.last_change, json.dumps(list(upload.carried)), json.dumps(list(upload.summary))))
            (upload_id,) = await cursor.fetchone()
        return dataclasses.replace(upload, id=upload_id)

    async def latest_upload(self) -> StoredUpload | None:
        """The course as last uploaded, or None while the course is schedule.yaml."""
        row = await self._one(UPLOAD_SELECT + " WHERE guild_id = ? ORDER BY id DESC LIMIT 1", (self.scope,))
        return _upload(row) if row else None

    async def uploads(self) -> list[StoredUpload]:
        """Every upload, newest first."""
        async with self._db.execute(UPLOAD_SELECT + " WHERE guild_id = ? ORDER BY id DESC", (self.scope,)) as cursor:
            return [_upload(tuple(row)) async for row in cursor]

    async def unannounced_uploads(self) -> list[StoredUpload]:
        """Uploads stored but whose announcement was not (known to be) posted: a crash came in between."""
        async with self._db.execute(UPLOAD_SELECT + " WHERE guild_id = ? AND announced = 0 ORDER BY id",
                                    (self.scope,)) as cursor:
            return [_upload(tuple(row)) async for row in cursor]

    async def mark_announced(self, upload_id: int) -> None:
        async with self._transaction():
            await self._db.execute("UPDATE course_uploads SET announced = 1 WHERE guild_id = ? AND id = ?",
                                   (self.scope, upload_id))

    # --- the server's settings, set with /setup ---------------------------------------------

    async def server_settings(self, guild_id: int) -> dict[str, str]:
        """The values an admin set for this server, by key (as stored text)."""
        async with self._db.execute("SELECT key, value FROM server_settings WHERE guild_id = ?",
                                    (guild_id,)) as cursor:
            return {key: value async for key, value in cursor}

    async def set_server_settings(self, guild_id: int, values: dict[str, str], set_by: int | None,
                                  now: dt.datetime) -> None:
        """Set several values at once: all of them are stored or none."""
        async with self._transaction():
            await self._db.executemany(
                "INSERT INTO server_settings (guild_id, key, value, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, "
                "set_at = excluded.set_at",
                [(guild_id, key, value, set_by, iso(now)) for key, value in values.items()])

    async def uploaded_courses(self) -> list[int]:
        """The courses with an uploaded file (their servers' ids; 0 is the configured server's), any scope."""
        async with self._db.execute("SELECT DISTINCT guild_id FROM course_uploads ORDER BY guild_id") as cursor:
            return [guild_id async for (guild_id,) in cursor]

    async def servers_with_settings(self) -> list[int]:
        """Servers where /setup stored something, oldest first."""
        async with self._db.execute(
                "SELECT guild_id FROM server_settings GROUP BY guild_id ORDER BY MIN(set_at), guild_id") as cursor:
            return [guild_id async for (guild_id,) in cursor]

    # --- the course's secrets (the calendar feed's token) ------------------------------------

    async def secret(self, name: str) -> str | None:
        row = await self._one("SELECT value FROM course_secrets WHERE guild_id = ? AND name = ?", (self.scope, name))
        return row[0] if row else None

    async def scope_of_secret(self, name: str, value: str) -> int | None:
        """Whose course has this secret (a feed token in a request), any scope; None when no course has it."""
        row = await self._one("SELECT guild_id FROM course_secrets WHERE name = ? AND value = ?", (name, value))
        return row[0] if row else None

    async def set_secret(self, name: str, value: str, now: dt.datetime) -> None:
        """Make or replace a secret: the old value stops working at once."""
        async with self._transaction():
            await self._db.execute(
                "INSERT INTO course_secrets (guild_id, name, value, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
                (self.scope, name, value, iso(now)))

    # --- forgetting a server (the operator's `python -m bot forget-server`) ----------------------------

    async def course_rows(self) -> dict[str, int]:
        """How many rows this course has in each course table (what `forget` would delete)."""
        row = await self._one(COUNT_COURSE_ROWS, (self.scope,) * len(COURSE_TABLES))
        return dict(zip(COURSE_TABLES, row, strict=True))

    async def forget(self, guild_id: int) -> dict[str, int]:
        """Delete every row of this course and the server's /setup values, all at once or nothing: the one
        deletion from the append-only tables, whose guards stand aside for this transaction only."""
        async with self._transaction():
            await self._engine.suspend_guards()
            deleted = {
                "course_changes": await self._deleted("DELETE FROM course_changes WHERE guild_id = ?"),
                "course_uploads": await self._deleted("DELETE FROM course_uploads WHERE guild_id = ?"),
                "reminder_ledger": await self._deleted("DELETE FROM reminder_ledger WHERE guild_id = ?"),
                "critiques": await self._deleted("DELETE FROM critiques WHERE guild_id = ?"),
                "dm_subscriptions": await self._deleted("DELETE FROM dm_subscriptions WHERE guild_id = ?"),
                "course_secrets": await self._deleted("DELETE FROM course_secrets WHERE guild_id = ?"),
                "scheduled_events": await self._deleted("DELETE FROM scheduled_events WHERE guild_id = ?"),
            }
            cursor = await self._db.execute("DELETE FROM server_settings WHERE guild_id = ?", (guild_id,))
            deleted["server_settings"] = cursor.rowcount
            await self._engine.restore_guards()
        return deleted

    async def _deleted(self, sql: str) -> int:
        cursor = await self._db.execute(sql, (self.scope,))
        return cursor.rowcount
