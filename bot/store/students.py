"""Students' own rows: critique trackers and direct-message reminder subscriptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.tracker import Logged
from bot.store.base import Connection, iso

SUBSCRIPTION_SELECT = "SELECT user_id, kinds, subscribed_at, dm_closed FROM dm_subscriptions"


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



class StudentTables(Connection):
    """Each student's tracker and subscription, keyed by their user id."""

    # --- students' critique trackers -------------------------------------------------------

    async def log_critique(self, user_id: int, number: int, class_date: dt.date, now: dt.datetime,
                           per_class: int = 1) -> bool:
        """Record a critique; False when this student already logged `per_class` of them for that class."""
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT INTO critiques (guild_id, user_id, class_number, class_date, logged_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, class_number) DO UPDATE SET "
                "count = critiques.count + 1, logged_at = excluded.logged_at WHERE critiques.count < ?",
                (self.scope, user_id, number, class_date.isoformat(), iso(now), per_class))
            return cursor.rowcount == 1

    async def remove_critique(self, user_id: int, number: int) -> bool:
        """Take one critique off a class's record (the record goes with the last); False when there was none."""
        async with self._transaction():
            cursor = await self._db.execute(
                "UPDATE critiques SET count = count - 1 WHERE guild_id = ? AND user_id = ? AND class_number = ? "
                "AND count > 1", (self.scope, user_id, number))
            if cursor.rowcount == 1:
                return True
            cursor = await self._db.execute(
                "DELETE FROM critiques WHERE guild_id = ? AND user_id = ? AND class_number = ?",
                (self.scope, user_id, number))
            return cursor.rowcount == 1

    async def critiques(self, user_id: int) -> list[Logged]:
        async with self._db.execute(
                "SELECT class_number, class_date, logged_at, count FROM critiques WHERE guild_id = ? AND user_id = ? "
                "ORDER BY class_date", (self.scope, user_id)) as cursor:
            return [Logged(number, dt.date.fromisoformat(day), dt.datetime.fromisoformat(at), count)
                    async for number, day, at, count in cursor]

    # --- direct-message reminder subscriptions -----------------------------------------------

    async def subscribe(self, user_id: int, kinds: tuple[str, ...], now: dt.datetime) -> None:
        """Turn DM reminders on (again): a new subscription clears a closed-DMs mark."""
        async with self._transaction():
            await self._db.execute(
                "INSERT INTO dm_subscriptions (guild_id, user_id, kinds, subscribed_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET kinds = excluded.kinds, dm_closed = 0, "
                "notice_pending = 0", (self.scope, user_id, ",".join(kinds), iso(now)))

    async def unsubscribe(self, user_id: int) -> bool:
        async with self._transaction():
            cursor = await self._db.execute("DELETE FROM dm_subscriptions WHERE guild_id = ? AND user_id = ?",
                                            (self.scope, user_id))
            return cursor.rowcount == 1

    async def subscriptions(self) -> list[Subscription]:
        async with self._db.execute(SUBSCRIPTION_SELECT + " WHERE guild_id = ?", (self.scope,)) as cursor:
            return [_subscription(tuple(row)) async for row in cursor]

    async def subscription(self, user_id: int) -> Subscription | None:
        row = await self._one(SUBSCRIPTION_SELECT + " WHERE guild_id = ? AND user_id = ?", (self.scope, user_id))
        return _subscription(row) if row else None

    async def mark_dm_closed(self, user_id: int) -> None:
        """Discord refused a DM: stop sending, and tell the student once."""
        async with self._transaction():
            await self._db.execute(
                "UPDATE dm_subscriptions SET dm_closed = 1, notice_pending = 1 WHERE guild_id = ? AND user_id = ? "
                "AND dm_closed = 0", (self.scope, user_id))

    async def take_notice(self, user_id: int) -> bool:
        """True once after DMs to this user were refused (then the notice is cleared).

        Called after every command: it reads first and writes only when there is a notice to take.
        """
        row = await self._one("SELECT notice_pending FROM dm_subscriptions WHERE guild_id = ? AND user_id = ?",
                              (self.scope, user_id))
        if not row or not row[0]:
            return False
        async with self._transaction():
            cursor = await self._db.execute(
                "UPDATE dm_subscriptions SET notice_pending = 0 WHERE guild_id = ? AND user_id = ? "
                "AND notice_pending = 1", (self.scope, user_id))
            return cursor.rowcount == 1

