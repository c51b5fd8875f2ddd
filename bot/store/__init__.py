"""The only package with SQL: the database (a SQLite file or a PostgreSQL server), its migrations, every read and write.

`Store.open(database)` opens PostgreSQL for a `postgresql://` or `postgres://` URL (bot/store/postgres.py) and a
SQLite file otherwise (bot/store/sqlite.py). Migrations are numbered (SQLite's `PRAGMA user_version`,
PostgreSQL's `coursebot_schema` table) and applied in one transaction each at open. A file that is not SQLite, or a
database written by a newer coursebot, is refused and left untouched. Each table's methods live in the module named
for what it holds, with the same SQL on both engines; `Store` is all of them on one connection.
"""

from __future__ import annotations

from bot.store.common import StoreError, cannot_write, database_exists, is_postgres_url, is_storage_error, redacted
from bot.store.course import CourseTables, StoredUpload
from bot.store.events import EventRow, EventTables
from bot.store.ledger import FINAL_STATES, HeldElsewhere, LedgerEntry, LedgerTable
from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION
from bot.store.students import StudentTables, Subscription

__all__ = ["FINAL_STATES", "MIGRATIONS", "SCHEMA_VERSION", "EventRow", "HeldElsewhere", "LedgerEntry", "Store",
           "StoreError", "StoredUpload", "Subscription", "cannot_write", "database_exists", "is_postgres_url",
           "is_storage_error", "redacted"]


class Store(LedgerTable, StudentTables, CourseTables, EventTables):
    """An open database (SQLite or PostgreSQL) with typed methods for each table."""
