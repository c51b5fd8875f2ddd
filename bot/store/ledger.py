"""The reminder ledger: one row per reminder key, claimed before posting and marked after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.store.base import Connection, iso
from bot.store.common import ConnectionLost


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

LEDGER_SELECT = ("SELECT key, channel_id, due_at, state, message_id, attempts, detail, updated_at "
                 "FROM reminder_ledger")



def _entry(row: tuple) -> LedgerEntry:
    key, channel_id, due_at, state, message_id, attempts, detail, updated_at = row
    return LedgerEntry(key, channel_id, dt.datetime.fromisoformat(due_at), state, message_id, attempts, detail,
                       dt.datetime.fromisoformat(updated_at))



class HeldElsewhere(Exception):
    """Another live process holds the reminder (it is posting it now). If that process dies, its hold goes with
    its connection, so asking again later either finds the reminder done or takes it over."""


class LedgerTable(Connection):
    """Claim, mark and read reminders (bot/delivery.py is the only writer)."""

    async def ledger(self) -> dict[str, LedgerEntry]:
        """Every ledger row by key."""
        async with self._db.execute(LEDGER_SELECT + " WHERE guild_id = ?", (self.scope,)) as cursor:
            return {row[0]: _entry(tuple(row)) async for row in cursor}

    async def ledger_entry(self, key: str) -> LedgerEntry | None:
        row = await self._one(LEDGER_SELECT + " WHERE guild_id = ? AND key = ?", (self.scope, key))
        return _entry(row) if row else None

    async def claim(self, key: str, channel_id: int, due_at: dt.datetime, now: dt.datetime) -> LedgerEntry | None:
        """Claim a reminder before posting it; None when it is already done (sent, late or skipped), and
        `HeldElsewhere` while another live process holds it.

        A row left 'claimed' by a crash, or 'failed', is claimed again (attempts counts them):
        the caller then makes sure the earlier attempt did not post after all.

        Exactly once across processes: on PostgreSQL the key is held (a session advisory lock) from the claim
        until it is marked, so a second live process claiming it at the same time gets `HeldElsewhere`; a process
        that died lets go with its connection. On SQLite, BEGIN IMMEDIATE serializes claims in one file.
        """
        held = f"{self.scope}/{key}"
        if not await self._engine.hold(held):
            raise HeldElsewhere(key)  # another live process is posting it right now: ask again later
        try:
            async with self._transaction():
                if not self._engine.holds(held):  # the connection was replaced since: its lock went with it
                    raise ConnectionLost(f"the hold on reminder {key} was lost with the database connection")
                row = await self._one("SELECT state FROM reminder_ledger WHERE guild_id = ? AND key = ?",
                                      (self.scope, key))
                if row and row[0] in FINAL_STATES:
                    await self._engine.let_go(held)
                    return None
                await self._db.execute(
                    "INSERT INTO reminder_ledger (guild_id, key, channel_id, due_at, state, attempts, updated_at) "
                    "VALUES (?, ?, ?, ?, 'claimed', 1, ?) ON CONFLICT (guild_id, key) DO UPDATE SET "
                    "state = 'claimed', attempts = reminder_ledger.attempts + 1, channel_id = excluded.channel_id, "
                    "updated_at = excluded.updated_at",
                    (self.scope, key, channel_id, iso(due_at), iso(now)))
        except BaseException:
            await self._engine.let_go(held)
            raise
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
                "INSERT INTO reminder_ledger (guild_id, key, channel_id, due_at, state, detail, updated_at) "
                "VALUES (?, ?, ?, ?, 'skipped', ?, ?) ON CONFLICT (guild_id, key) DO UPDATE SET state = 'skipped', "
                "detail = excluded.detail, updated_at = excluded.updated_at "
                "WHERE reminder_ledger.state NOT IN ('sent', 'late')",
                (self.scope, key, channel_id, iso(due_at), detail, iso(now)))
        await self._engine.let_go(f"{self.scope}/{key}")

    async def _set_state(self, key: str, state: str, now: dt.datetime, *, message_id: int | None = None,
                         detail: str | None = None) -> None:
        async with self._transaction():
            await self._db.execute(
                "UPDATE reminder_ledger SET state = ?, message_id = COALESCE(?, message_id), detail = ?, "
                "updated_at = ? WHERE guild_id = ? AND key = ?", (state, message_id, detail, iso(now), self.scope, key))
        await self._engine.let_go(f"{self.scope}/{key}")

