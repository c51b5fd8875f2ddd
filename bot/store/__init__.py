"""The only package with SQL: the SQLite file, its migrations, and every read and write.

Migrations are numbered by `PRAGMA user_version` and applied in one transaction
each at open. A file that is not SQLite, or was written by a newer coursebot,
is refused and left untouched. Each table's methods live in the module named for
what it holds; `Store` is all of them on one connection.
"""

from __future__ import annotations

from bot.store.base import StoreError, cannot_write, is_storage_error
from bot.store.course import CourseTables, StoredUpload
from bot.store.events import EventRow, EventTables
from bot.store.ledger import FINAL_STATES, LedgerEntry, LedgerTable
from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION
from bot.store.students import StudentTables, Subscription

__all__ = ["FINAL_STATES", "MIGRATIONS", "SCHEMA_VERSION", "EventRow", "LedgerEntry", "Store", "StoreError",
           "StoredUpload", "Subscription", "cannot_write", "is_storage_error"]


class Store(LedgerTable, StudentTables, CourseTables, EventTables):
    """An open SQLite database with typed methods for each table."""
