"""Discord scheduled events we made: one row per occurrence, written before the event exists and completed after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.store.base import Connection, iso

EVENT_SELECT = "SELECT key, event_id, state, fingerprint, updated_at FROM scheduled_events"


@dataclass(frozen=True, slots=True)
class EventRow:
    key: str  # the occurrence: "class-7", "exam-final", "office-hours-0-2024-09-18"
    event_id: int | None  # None while being created (a crash there is adopted by the next sync)
    state: str  # creating, live, cancelled, removed, deleted_by_admin
    fingerprint: str | None  # what we last wrote, to tell a hand edit from our own
    updated_at: dt.datetime


def _row(row: tuple) -> EventRow:
    key, event_id, state, fingerprint, updated_at = row
    return EventRow(key, event_id, state, fingerprint, dt.datetime.fromisoformat(updated_at))


class EventTables(Connection):
    """The map from occurrences to Discord event ids (bot/events.py is the only writer)."""

    async def event_rows(self) -> dict[str, EventRow]:
        async with self._db.execute(EVENT_SELECT + " WHERE guild_id = ?", (self.scope,)) as cursor:
            return {row[0]: _row(tuple(row)) async for row in cursor}

    async def save_event(self, key: str, event_id: int | None, state: str, fingerprint: str | None,
                         now: dt.datetime) -> None:
        """Insert or replace an occurrence's row (one statement, so one transaction)."""
        async with self._transaction():
            await self._db.execute(
                "INSERT INTO scheduled_events (guild_id, key, event_id, state, fingerprint, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, key) DO UPDATE SET event_id = excluded.event_id, "
                "state = excluded.state, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at",
                (self.scope, key, event_id, state, fingerprint, iso(now)))
