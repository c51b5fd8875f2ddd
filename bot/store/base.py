"""The connection the tables' methods share: opening either engine by the `database` setting, and transactions.

`database` is a SQLite file (bot/store/sqlite.py) or a `postgresql://`/`postgres://` URL (bot/store/postgres.py);
the tables' methods run the same SQL on both through `self._db.execute(sql, params)` with `?` placeholders.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from typing import Self

from bot.store.common import (
    Engine,
    StoreError,
    cannot_write,
    is_postgres_url,
    is_storage_error,
    iso,
    json_or_none,
    redacted,
)
from bot.store.postgres import PostgresEngine
from bot.store.sqlite import SqliteEngine

__all__ = ["Connection", "StoreError", "cannot_write", "is_postgres_url", "is_storage_error", "iso", "json_or_none",
           "redacted"]


class Connection:
    """An open database (a SQLite file or a PostgreSQL server); the tables' methods are in the mixins of `Store`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._db = engine.db  # aiosqlite's connection, or the same shape over asyncpg
        self.path = engine.name  # the file, or the URL without its password
        self._write_lock = asyncio.Lock()  # one connection: transactions must not interleave
        self.scope = 0  # whose course's rows the tables' methods read and write (see `scoped`)

    @classmethod
    async def open(cls, path: str) -> Self:
        """Open (creating a file and its folder if needed) and migrate; raise `StoreError` if unusable."""
        engine: Engine
        if is_postgres_url(path):
            engine = await PostgresEngine.open(path)
        else:
            engine = await SqliteEngine.open(path)
        return cls(engine)

    def scoped(self, scope: int) -> Self:
        """The same connection, reading and writing only one course's rows: a server's id, or 0 for the course
        of the server named by `guild_id` in the settings (the rows of the one course a bot ran before schema 9).
        Every course table's statement filters on it, so one course's code cannot reach another's rows."""
        view = copy.copy(self)
        view.scope = scope
        return view

    @property
    def engine(self) -> str:
        """'postgresql' or 'sqlite'."""
        return "postgresql" if isinstance(self._engine, PostgresEngine) else "sqlite"

    async def _one(self, sql: str, params: tuple = ()) -> tuple:
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row else ()

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """BEGIN (IMMEDIATE on SQLite) … COMMIT, rolled back on any error: a write happens entirely or not at all."""
        async with self._write_lock:
            await self._engine.begin()
            try:
                yield
            except BaseException:
                await self._engine.rollback()
                raise
            await self._engine.commit()

    # --- housekeeping ---------------------------------------------------------------------

    async def schema_version(self) -> int:
        return await self._engine.schema_version()

    async def integrity_ok(self) -> bool:
        return await self._engine.integrity_ok()

    async def close(self) -> None:
        await self._engine.close()
