"""A course per server (schema 9): `store.scoped(scope)` reads and writes only that course's rows, on both engines.

Each course table is attacked from another scope (reading, marking, removing, claiming what belongs to another
course), the two unscoped look-ups answer across scopes, a schema-8 database (built by hand from the first eight
migrations) keeps every row as course 0, and on PostgreSQL two processes claim reminders per scope.
Tests that build or read a database by hand do it through the helpers below, so the `database` fixture still runs
them on PostgreSQL (it skips a test whose own source names the SQLite file)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.core.changes import Cancel, Change, Undo
from bot.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HeldElsewhere,
    LedgerEntry,
    Store,
    StoredUpload,
    is_postgres_url,
    is_storage_error,
)
from bot.store.migrations import POSTGRES_MIGRATIONS
from tests.conftest import POSTGRES_URL, fresh_postgres_database

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 9, 17, 22, 0, tzinfo=UTC)
LATER = NOW + dt.timedelta(hours=1)
DAY = dt.date(2024, 9, 18)
KEY = "critique:2024-09-18:eve"
CHANNEL = 1130000000000000003  # Discord ids are 64 bits: so are scopes
A = 1130000000000000001  # one server's course
B = 1130000000000000002  # another server's course
USER = 1130000000000000042
FEED = "calendar_feed_token"
# What a second course storing a secret value another course already has runs into (the unique index on
# (name, value)): the driver's integrity error, not a StoreError.
DUPLICATE_SECRET_ERRORS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)
SCOPED_TABLES = ("course_changes", "course_uploads", "reminder_ledger", "critiques", "dm_subscriptions",
                 "course_secrets", "scheduled_events")
needs_server = pytest.mark.skipif(not POSTGRES_URL, reason="COURSEBOT_TEST_POSTGRES is not set")


def cancel(day: dt.date = DAY, reason: str = "travel") -> Change:
    return Change(Cancel(day, reason), author_id=7, author="Prof. Jacobs", created_at=NOW)


def upload(body: str) -> StoredUpload:
    return StoredUpload(NOW, 7, "Prof. Jacobs", "schedule.yaml", body, 0, (), ("line",))


# --- isolation: every course table, written in A, attacked from B and from 0 -----------------------------------


async def test_the_store_itself_is_scope_0(store: Store) -> None:
    """`store` reads and writes scope 0: what it writes is scope 0's, and not A's."""
    assert store.scope == 0 and store.scoped(A).scope == A and store.scoped(A).scoped(0).scope == 0
    await store.subscribe(USER, ("critique",), NOW)
    assert [s.user_id for s in await store.scoped(0).subscriptions()] == [USER]
    assert await store.scoped(A).subscriptions() == []
    assert store.scope == 0  # making a view leaves the store's own scope alone


async def test_changes_are_per_course(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    first = await a.add_change(cancel())
    assert first.id is not None
    for other in (b, zero, store):
        assert await other.changes() == []
        assert await other.last_change_id() == 0
    assert [c.id for c in await a.changes()] == [first.id] and await a.last_change_id() == first.id

    # B's log starts with its own change; an undo stored in B that names A's change stays in B's log.
    theirs = await b.add_change(cancel(dt.date(2024, 9, 23), "snow"))
    undo = await b.add_change(Change(Undo(first.id), created_at=NOW))
    assert [c.id for c in await b.changes()] == [theirs.id, undo.id]
    assert await b.last_change_id() == undo.id
    assert [(c.id, c.kind, c.edit) for c in await a.changes()] == [(first.id, "cancel", Cancel(DAY, "travel"))]
    assert await a.last_change_id() == first.id
    assert await zero.changes() == [] and await zero.last_change_id() == 0


async def test_uploads_are_per_course_and_cannot_be_marked_from_another(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    mine = await a.add_upload(upload("A's course"))
    assert mine.id is not None
    for other in (b, zero, store):
        assert await other.uploads() == [] and await other.latest_upload() is None
        assert await other.unannounced_uploads() == []
        await other.mark_announced(mine.id)  # marking A's upload id through another course's view
    assert [u.id for u in await a.unannounced_uploads()] == [mine.id]
    latest = await a.latest_upload()
    assert latest is not None and (latest.id, latest.body, latest.announced) == (mine.id, "A's course", False)

    theirs = await b.add_upload(upload("B's course"))
    assert theirs.id is not None
    for view, own, body in ((a, mine.id, "A's course"), (b, theirs.id, "B's course")):
        assert [(u.id, u.body) for u in await view.uploads()] == [(own, body)]
        newest = await view.latest_upload()
        assert newest is not None and newest.body == body
    await a.mark_announced(mine.id)
    assert await a.unannounced_uploads() == []
    assert [u.id for u in await b.unannounced_uploads()] == [theirs.id]  # A's own mark reached only A's row
    assert await zero.uploads() == []


async def test_critiques_are_per_course(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    assert await a.log_critique(USER, 7, DAY, NOW, per_class=2)
    assert await a.log_critique(USER, 7, DAY, NOW, per_class=2)
    assert not await a.log_critique(USER, 7, DAY, NOW, per_class=2)  # A's own limit
    for other in (b, zero, store):
        assert await other.critiques(USER) == []
        assert not await other.remove_critique(USER, 7)  # nothing of theirs to remove, and A's stays
    assert [(r.number, r.count) for r in await a.critiques(USER)] == [(7, 2)]

    # The same student and class in B is another row: A's full count does not refuse it.
    assert await b.log_critique(USER, 7, DAY, LATER, per_class=1)
    assert not await b.log_critique(USER, 7, DAY, LATER, per_class=1)
    assert [(r.number, r.count, r.logged_at) for r in await b.critiques(USER)] == [(7, 1, LATER)]
    assert [(r.number, r.count, r.logged_at) for r in await a.critiques(USER)] == [(7, 2, NOW)]
    assert await b.remove_critique(USER, 7)
    assert await b.critiques(USER) == []
    assert [(r.number, r.count) for r in await a.critiques(USER)] == [(7, 2)]
    assert await zero.critiques(USER) == []


async def test_subscriptions_are_per_course(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    await a.subscribe(USER, ("critique",), NOW)
    for other in (b, zero, store):
        assert await other.subscriptions() == [] and await other.subscription(USER) is None
        assert not await other.unsubscribe(USER)
        await other.mark_dm_closed(USER)
        assert not await other.take_notice(USER)
        assert await other.subscription(USER) is None  # closing DMs wrote no row either
    mine = await a.subscription(USER)
    assert mine is not None and (mine.kinds, mine.dm_closed) == (("critique",), False)
    assert not await a.take_notice(USER)

    # The same student in B is another subscription, closed and noticed on its own.
    await b.subscribe(USER, ("deadline", "exam"), LATER)
    assert [(s.user_id, s.kinds) for s in await b.subscriptions()] == [(USER, ("deadline", "exam"))]
    assert [(s.user_id, s.kinds) for s in await a.subscriptions()] == [(USER, ("critique",))]
    await b.mark_dm_closed(USER)
    theirs, mine = await b.subscription(USER), await a.subscription(USER)
    assert theirs is not None and theirs.dm_closed and mine is not None and not mine.dm_closed
    assert not await a.take_notice(USER)
    assert await b.take_notice(USER) and not await b.take_notice(USER)
    # Both closed, both with a notice pending: B taking its notice leaves A's to take.
    await a.mark_dm_closed(USER)
    await b.subscribe(USER, ("deadline",), LATER)
    await b.mark_dm_closed(USER)
    assert await b.take_notice(USER)
    assert await a.take_notice(USER) and not await a.take_notice(USER)
    await a.subscribe(USER, ("critique",), LATER)  # subscribing again reopens A's DMs, not B's
    theirs = await b.subscription(USER)
    assert theirs is not None and theirs.dm_closed

    assert await b.unsubscribe(USER)
    assert await b.subscription(USER) is None
    mine = await a.subscription(USER)
    assert mine is not None and mine.kinds == ("critique",) and not mine.dm_closed
    assert await zero.subscriptions() == []


async def test_ledger_is_per_course_and_a_key_is_posted_once_in_each(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    claimed = await a.claim(KEY, CHANNEL, NOW, NOW)
    assert claimed is not None and (claimed.state, claimed.attempts) == ("claimed", 1)
    for other in (b, zero, store):
        assert await other.ledger() == {} and await other.ledger_entry(KEY) is None
    await a.mark_sent(KEY, 42, late=False, now=NOW)
    assert await a.claim(KEY, CHANNEL, NOW, NOW) is None  # posted in A: done there

    # A's sent key does not make B's (or 0's) claim of the same key return None: each course posts it once.
    for view, message_id in ((b, 43), (zero, 44)):
        entry = await view.claim(KEY, CHANNEL + 1, NOW, LATER)
        assert entry is not None and (entry.key, entry.state, entry.attempts, entry.channel_id) == (
            KEY, "claimed", 1, CHANNEL + 1)
        await view.mark_sent(KEY, message_id, late=True, now=LATER)
        assert await view.claim(KEY, CHANNEL, NOW, LATER) is None
    sent = {view.scope: await view.ledger_entry(KEY) for view in (a, b, zero)}
    assert {scope: (e.state, e.message_id, e.channel_id) for scope, e in sent.items() if e} == {
        A: ("sent", 42, CHANNEL), B: ("late", 43, CHANNEL + 1), 0: ("late", 44, CHANNEL + 1)}

    # Marking a key only A has, through B, changes nothing of A's and writes no row of B's for sent/failed.
    other_key = "deadline:2024-09-20:hw1"
    assert await a.claim(other_key, CHANNEL, NOW, NOW) is not None
    await b.mark_failed(other_key, "Discord answered 500", NOW)
    await b.mark_sent(other_key, 99, late=False, now=NOW)
    assert await b.ledger_entry(other_key) is None
    entry = await a.ledger_entry(other_key)
    assert entry is not None and (entry.state, entry.message_id, entry.detail) == ("claimed", None, None)
    # …and skipping it in B is B's own row: A's claim and A's sent key stay as they were.
    await b.mark_skipped(other_key, CHANNEL, NOW, "its deadline passed", LATER)
    await b.mark_skipped(KEY, CHANNEL, NOW, "its deadline passed", LATER)  # B's own is sent: stays sent
    skipped = await b.ledger_entry(other_key)
    assert skipped is not None and skipped.state == "skipped"
    entry = await a.ledger_entry(other_key)
    assert entry is not None and entry.state == "claimed"
    assert set(await a.ledger()) == {KEY, other_key}
    assert (await a.ledger())[KEY].state == "sent" and (await b.ledger())[KEY].state == "late"
    assert set(await zero.ledger()) == {KEY}
    await a.mark_failed(other_key, "gave up", LATER)


async def test_a_skipped_key_in_one_course_does_not_skip_it_in_another(store: Store) -> None:
    a, b = store.scoped(A), store.scoped(B)
    await a.mark_skipped(KEY, CHANNEL, NOW, "its deadline passed while the bot was not running", NOW)
    assert await a.claim(KEY, CHANNEL, NOW, NOW) is None
    entry = await b.claim(KEY, CHANNEL, NOW, NOW)
    assert entry is not None and entry.state == "claimed"
    await b.mark_sent(KEY, 5, late=False, now=NOW)


async def test_scheduled_events_are_per_course(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    await a.save_event("class-7", 111, "live", "fp-a", NOW)
    for other in (b, zero, store):
        assert await other.event_rows() == {}
    await b.save_event("class-7", None, "creating", None, LATER)
    await b.save_event("class-8", 222, "cancelled", "fp-b", LATER)
    assert {k: (r.event_id, r.state, r.fingerprint, r.updated_at) for k, r in (await a.event_rows()).items()} == {
        "class-7": (111, "live", "fp-a", NOW)}
    assert {k: (r.event_id, r.state) for k, r in (await b.event_rows()).items()} == {
        "class-7": (None, "creating"), "class-8": (222, "cancelled")}
    assert await zero.event_rows() == {}


async def test_secrets_are_per_course(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    await a.set_secret(FEED, "token-of-a", NOW)
    for other in (b, zero, store):
        assert await other.secret(FEED) is None
    await b.set_secret(FEED, "token-of-b", LATER)  # the same name in B: another row, A's is not replaced
    assert await a.secret(FEED) == "token-of-a" and await b.secret(FEED) == "token-of-b"
    await b.set_secret(FEED, "token-of-b-reset", LATER)
    assert await a.secret(FEED) == "token-of-a" and await b.secret(FEED) == "token-of-b-reset"
    assert await zero.secret(FEED) is None


async def test_views_writing_at_once_on_one_connection_do_not_interleave(store: Store) -> None:
    """Views share the connection: their transactions run one after another (one write lock), none fails, and each
    row lands in the scope that wrote it."""
    views = [store.scoped(scope) for scope in (0, A, B)]
    writes = []
    for view in views:
        for number in range(1, 6):
            writes += [view.log_critique(USER, number, DAY, NOW), view.subscribe(USER + number, ("critique",), NOW),
                       view.save_event(f"class-{number}", number, "live", None, NOW),
                       view.claim(f"{KEY}:{number}", CHANNEL, NOW, NOW), view.add_change(cancel())]
    results = await asyncio.gather(*writes)
    assert all(results[i] for i in range(0, len(results), 5))  # every critique was logged
    for view in views:
        assert [r.number for r in await view.critiques(USER)] == [1, 2, 3, 4, 5]
        assert len(await view.subscriptions()) == 5 and len(await view.event_rows()) == 5
        assert len(await view.ledger()) == 5 and len(await view.changes()) == 5


# --- across courses: which course uploaded, whose token is this -------------------------------------------------


async def test_uploaded_courses_lists_every_course_with_an_upload(store: Store) -> None:
    a, b = store.scoped(A), store.scoped(B)
    assert await store.uploaded_courses() == []
    await a.add_upload(upload("A 1"))
    await a.add_upload(upload("A 2"))
    await a.add_change(cancel())  # a change is not an upload
    await b.add_change(cancel())
    assert await store.uploaded_courses() == [A]
    await b.add_upload(upload("B 1"))
    await store.add_upload(upload("0 1"))
    assert await store.uploaded_courses() == [0, A, B]
    assert await b.uploaded_courses() == await a.uploaded_courses() == [0, A, B]  # any view: any scope


async def test_scope_of_secret_maps_a_token_to_its_course_only(store: Store) -> None:
    a, b, zero = store.scoped(A), store.scoped(B), store.scoped(0)
    await a.set_secret(FEED, "token-of-a", NOW)
    await b.set_secret(FEED, "token-of-b", NOW)
    await zero.set_secret(FEED, "token-of-0", NOW)
    for view in (store, a, b, zero):  # unscoped: the same answer through any view
        assert await view.scope_of_secret(FEED, "token-of-a") == A
        assert await view.scope_of_secret(FEED, "token-of-b") == B
        assert await view.scope_of_secret(FEED, "token-of-0") == 0
        assert await view.scope_of_secret(FEED, "no-such-token") is None
        assert await view.scope_of_secret(FEED, "") is None
        assert await view.scope_of_secret("another_secret", "token-of-a") is None  # the name counts too
    await a.set_secret(FEED, "token-of-a-reset", LATER)  # a reset: the old token maps to nobody at once
    assert await store.scope_of_secret(FEED, "token-of-a") is None
    assert await store.scope_of_secret(FEED, "token-of-a-reset") == A
    assert await store.scope_of_secret(FEED, "token-of-b") == B


async def test_two_courses_cannot_share_a_secret_value(store: Store) -> None:
    """The unique index on (name, value) refuses B the value A has (the driver's integrity error, not a storage
    error); nothing of A's, nor B's earlier token, is lost, and the store goes on working."""
    a, b = store.scoped(A), store.scoped(B)
    await a.set_secret(FEED, "shared-token", NOW)
    await a.set_secret(FEED, "shared-token", LATER)  # setting one's own value again is no conflict
    await b.set_secret(FEED, "token-of-b", NOW)
    for view in (b, store):
        with pytest.raises(DUPLICATE_SECRET_ERRORS) as caught:
            await view.set_secret(FEED, "shared-token", LATER)
        assert isinstance(caught.value, DUPLICATE_SECRET_ERRORS[0 if store.engine == "sqlite" else 1])
        assert not is_storage_error(caught.value)
    assert await a.secret(FEED) == "shared-token" and await b.secret(FEED) == "token-of-b"
    assert await store.secret(FEED) is None
    assert await store.scope_of_secret(FEED, "shared-token") == A
    assert await store.scope_of_secret(FEED, "token-of-b") == B
    # The failed write was rolled back: the next ones work, in both scopes.
    await b.set_secret(FEED, "token-of-b-reset", LATER)
    await b.set_secret("another_secret", "shared-token", LATER)  # another name may hold the same value
    assert await b.secret(FEED) == "token-of-b-reset" and await a.secret(FEED) == "shared-token"
    assert await store.scope_of_secret("another_secret", "shared-token") == B
    assert await store.scope_of_secret(FEED, "shared-token") == A


# --- schema 8 → 9: the one course the bot ran becomes course 0 -------------------------------------------------

UNDONE = Change(Cancel(DAY, "travel"))
OLD_ROWS = (  # the columns of schema 8 (no guild_id); literal SQL, the same on both engines
    "INSERT INTO reminder_ledger VALUES ('critique:2024-09-18:eve', 1130000000000000003, '2024-09-17T22:00:00+00:00', "
    "'sent', 42, 1, NULL, '2024-09-17T22:00:00+00:00')",
    "INSERT INTO reminder_ledger VALUES ('critique:2024-09-20:eve', 1130000000000000003, '2024-09-19T22:00:00+00:00', "
    "'failed', NULL, 2, 'Discord answered 500', '2024-09-19T22:00:00+00:00')",
    "INSERT INTO course_changes (created_at, author_id, author, kind, params, undoes) VALUES "
    f"('2024-09-17T22:00:00+00:00', 7, 'Prof. Jacobs', 'cancel', '{json.dumps(UNDONE.to_row()[1])}', NULL)",
    "INSERT INTO course_changes (created_at, author_id, author, kind, params, undoes) "
    "SELECT '2024-09-17T23:00:00+00:00', 7, 'Prof. Jacobs', 'undo', '{}', MIN(id) FROM course_changes",
    "INSERT INTO critiques VALUES (1130000000000000042, 7, '2024-09-18', '2024-09-18T09:00:00+00:00', 2)",
    "INSERT INTO dm_subscriptions VALUES (1130000000000000042, 'critique,deadline', '2024-09-01T00:00:00+00:00', 1, 1)",
    "INSERT INTO dm_subscriptions VALUES (1130000000000000043, 'exam', '2024-09-02T00:00:00+00:00', 0, 0)",
    "INSERT INTO course_uploads (uploaded_at, author_id, author, filename, body, last_change, carried, summary, "
    "announced) VALUES ('2024-09-10T00:00:00+00:00', 7, 'Prof. Jacobs', 'schedule.yaml', 'first', 0, '[]', "
    "'[\"a\"]', 1)",
    "INSERT INTO course_uploads (uploaded_at, author_id, author, filename, body, last_change, carried, summary, "
    "announced) VALUES ('2024-09-11T00:00:00+00:00', 7, 'Prof. Jacobs', 'schedule.yaml', 'second', 0, '[]', "
    "'[\"b\"]', 0)",
    "INSERT INTO course_secrets VALUES ('calendar_feed_token', 'token-of-0', '2024-09-01T00:00:00+00:00')",
    "INSERT INTO scheduled_events VALUES ('class-7', 555, 'live', 'fp', '2024-09-01T00:00:00+00:00')",
    "INSERT INTO scheduled_events VALUES ('class-8', NULL, 'creating', NULL, '2024-09-01T00:00:00+00:00')",
    "INSERT INTO server_settings VALUES (1130000000000000009, 'timezone', 'UTC', 7, '2024-09-01T00:00:00+00:00')",
)
OLD_COUNTS = {"reminder_ledger": 2, "course_changes": 2, "critiques": 1, "dm_subscriptions": 2,
              "course_uploads": 2, "course_secrets": 1, "scheduled_events": 2}
APPEND_ONLY = ("UPDATE course_changes SET kind = 'move'", "DELETE FROM course_changes",
               "UPDATE course_changes SET guild_id = 1130000000000000001", "DELETE FROM course_uploads")


async def build_schema_8(database: str) -> None:
    """A database as the bot left it at schema 8 (the first eight migrations, applied as each engine applies them),
    holding OLD_ROWS."""
    if is_postgres_url(database):
        connection = await asyncpg.connect(database)
        try:
            async with connection.transaction():
                await connection.execute("CREATE TABLE coursebot_schema (one INTEGER PRIMARY KEY CHECK (one = 1), "
                                         "version INTEGER NOT NULL)")
                await connection.execute("INSERT INTO coursebot_schema VALUES (1, 0)")
                for number, script in enumerate(POSTGRES_MIGRATIONS[:8], 1):
                    await connection.execute(script)
                    await connection.execute("UPDATE coursebot_schema SET version = $1", number)
                for statement in OLD_ROWS:
                    await connection.execute(statement)
        finally:
            await connection.close()
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        for number, script in enumerate(MIGRATIONS[:8], 1):
            connection.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        connection.executescript("BEGIN;\n" + ";\n".join(OLD_ROWS) + ";\nCOMMIT;")
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 8
    finally:
        connection.close()


async def raw_rows(database: str, sql: str) -> list[tuple]:
    """Rows of a query run beside the store, on its own connection."""
    if is_postgres_url(database):
        connection = await asyncpg.connect(database)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()
    with sqlite3.connect(database) as connection:
        rows = connection.execute(sql).fetchall()
    connection.close()
    return rows


async def refusal(database: str, statement: str) -> str:
    """The error a statement run beside the store ends with (the test fails if it succeeds)."""
    if is_postgres_url(database):
        connection = await asyncpg.connect(database)
        try:
            with pytest.raises(asyncpg.PostgresError) as caught:
                await connection.execute(statement)
        finally:
            await connection.close()
        return str(caught.value)
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        with pytest.raises(sqlite3.DatabaseError) as caught:
            connection.execute(statement)
    finally:
        connection.close()
    return str(caught.value)


async def test_schema_8_rows_become_course_0(database: str) -> None:
    """Every row written before schema 9 is scope 0's: seen through `store` and `store.scoped(0)`, not through A;
    its keys still count in scope 0 (a sent reminder stays sent, a subscription is updated, not doubled)."""
    await build_schema_8(database)
    store = await Store.open(database)
    try:
        assert await store.schema_version() == SCHEMA_VERSION == 9
        a = store.scoped(A)
        for zero in (store, store.scoped(0)):
            changes = await zero.changes()
            assert [(c.kind, c.author_id, c.created_at) for c in changes] == [
                ("cancel", 7, NOW), ("undo", 7, NOW + dt.timedelta(hours=1))]
            assert changes[0].edit == Cancel(DAY, "travel") and changes[1].undoes == changes[0].id
            assert await zero.last_change_id() == changes[1].id
            assert [(u.body, u.announced) for u in await zero.uploads()] == [("second", False), ("first", True)]
            assert [u.body for u in await zero.unannounced_uploads()] == ["second"]
            latest = await zero.latest_upload()
            assert latest is not None and (latest.body, latest.summary) == ("second", ("b",))
            assert [(r.number, r.class_date, r.count) for r in await zero.critiques(USER)] == [(7, DAY, 2)]
            subscriptions = {s.user_id: (s.kinds, s.dm_closed) for s in await zero.subscriptions()}
            assert subscriptions == {USER: (("critique", "deadline"), True), USER + 1: (("exam",), False)}
            ledger = await zero.ledger()
            assert {k: (e.state, e.message_id, e.attempts) for k, e in ledger.items()} == {
                KEY: ("sent", 42, 1), "critique:2024-09-20:eve": ("failed", None, 2)}
            entry = await zero.ledger_entry(KEY)
            assert entry is not None and entry.channel_id == CHANNEL
            assert {k: (r.event_id, r.state) for k, r in (await zero.event_rows()).items()} == {
                "class-7": (555, "live"), "class-8": (None, "creating")}
            assert await zero.secret(FEED) == "token-of-0"
        # …and none of it is another course's.
        assert await a.changes() == [] and await a.last_change_id() == 0
        assert await a.uploads() == [] and await a.latest_upload() is None and await a.unannounced_uploads() == []
        assert await a.critiques(USER) == [] and await a.subscriptions() == [] and await a.subscription(USER) is None
        assert not await a.take_notice(USER)
        assert await a.ledger() == {} and await a.ledger_entry(KEY) is None
        assert await a.event_rows() == {} and await a.secret(FEED) is None
        assert await store.uploaded_courses() == [0]
        assert await store.scope_of_secret(FEED, "token-of-0") == 0
        assert await store.server_settings(1130000000000000009) == {"timezone": "UTC"}  # not a course table

        # The old keys are scope 0's keys: the sent reminder is done there, and posted anew only in A.
        assert await store.claim(KEY, CHANNEL, NOW, LATER) is None
        retried = await store.claim("critique:2024-09-20:eve", CHANNEL, NOW, LATER)
        assert retried is not None and retried.attempts == 3
        fresh = await a.claim(KEY, CHANNEL, NOW, LATER)
        assert fresh is not None and fresh.attempts == 1
        assert not await store.log_critique(USER, 7, DAY, LATER, per_class=2)  # the old count of 2 is the limit
        assert await store.take_notice(USER) and not await store.take_notice(USER)
        await store.subscribe(USER, ("critique",), LATER)
        assert len(await store.subscriptions()) == 2
        await store.set_secret(FEED, "token-of-0-reset", LATER)
        assert await store.scope_of_secret(FEED, "token-of-0") is None
        added = await a.add_change(cancel())
        assert added.id is not None and added.id > changes[1].id  # ids go on after the old rows
    finally:
        await store.close()

    for table in SCOPED_TABLES:  # every old row is there once, as guild_id 0
        rows = await raw_rows(database, f"SELECT guild_id, count(*) FROM {table} GROUP BY guild_id ORDER BY guild_id")
        expected = [(0, OLD_COUNTS[table])]
        if table in ("course_changes", "reminder_ledger"):
            expected.append((A, 1))  # written in A just above
        assert rows == expected, table

    # The append-only triggers of migrations 2 and 6 survive migration 9, for old rows and new ones.
    for statement in APPEND_ONLY:
        assert "append-only" in await refusal(database, statement), statement
    assert "append-only" in await refusal(database, f"DELETE FROM course_changes WHERE guild_id = {A}")
    assert await raw_rows(database, "SELECT count(*) FROM course_changes") == [(3,)]
    assert await raw_rows(database, "SELECT count(*) FROM course_uploads") == [(2,)]
    assert await raw_rows(database, "SELECT kind FROM course_changes ORDER BY id") == [("cancel",), ("undo",),
                                                                                       ("cancel",)]


# --- PostgreSQL: two processes claiming per course ---------------------------------------------------------------


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A new database on the test server, dropped after."""
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


@needs_server
async def test_two_processes_claiming_one_key_in_one_course_one_wins(pg_url: str) -> None:
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        for scope in (0, A):
            for round_ in range(5):
                key = f"{KEY}:{round_}"
                one, two = first.scoped(scope), second.scoped(scope)
                results = await asyncio.gather(one.claim(key, CHANNEL, NOW, NOW), two.claim(key, CHANNEL, NOW, NOW),
                                               return_exceptions=True)
                assert sum(isinstance(r, HeldElsewhere) for r in results) == 1, results
                winners = [(view, entry) for view, entry in zip((one, two), results, strict=True)
                           if isinstance(entry, LedgerEntry)]
                assert len(winners) == 1, (scope, round_, results)
                winner, entry = winners[0]
                assert entry is not None and (entry.state, entry.attempts) == ("claimed", 1)
                loser = two if winner is one else one
                with pytest.raises(HeldElsewhere):  # still held by the winner
                    await loser.claim(key, CHANNEL, NOW, NOW)
                await winner.mark_sent(key, 99, late=False, now=NOW)
                assert await one.claim(key, CHANNEL, NOW, NOW) is None
                assert await two.claim(key, CHANNEL, NOW, NOW) is None
    finally:
        await first.close()
        await second.close()


@needs_server
async def test_two_processes_claiming_one_key_in_two_courses_both_win(pg_url: str) -> None:
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        for round_, (left, right) in enumerate(((A, B), (0, A), (B, 0))):
            key = f"{KEY}:{round_}"
            one, two = first.scoped(left), second.scoped(right)
            results = await asyncio.gather(one.claim(key, CHANNEL, NOW, NOW), two.claim(key, CHANNEL, NOW, NOW))
            assert all(e is not None and (e.state, e.attempts) == ("claimed", 1) for e in results), results
            # Each holds its own course's key: the other process is kept out of that course only.
            for other, view in ((second, left), (first, right)):
                with pytest.raises(HeldElsewhere):
                    await other.scoped(view).claim(key, CHANNEL, NOW, NOW)
            await one.mark_sent(key, 1, late=False, now=NOW)
            assert await second.scoped(left).claim(key, CHANNEL, NOW, NOW) is None  # sent: done
            # Marking A's lets go of A's key only: B's is still held by the other process.
            with pytest.raises(HeldElsewhere):
                await first.scoped(right).claim(key, CHANNEL, NOW, NOW)
            await two.mark_sent(key, 2, late=False, now=NOW)
            entries = [await view.ledger_entry(key) for view in (one, two)]
            assert [(e.state, e.message_id) if e else None for e in entries] == [("sent", 1), ("sent", 2)]
    finally:
        await first.close()
        await second.close()


@needs_server
async def test_one_process_holding_a_key_in_two_courses_lets_go_of_each_on_its_own(pg_url: str) -> None:
    """In one process, claiming the same key in A and B holds two locks; marking A's releases A's only."""
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        assert await first.scoped(A).claim(KEY, CHANNEL, NOW, NOW) is not None
        assert await first.scoped(B).claim(KEY, CHANNEL, NOW, NOW) is not None
        await first.scoped(A).mark_failed(KEY, "Discord answered 500", NOW)
        taken = await second.scoped(A).claim(KEY, CHANNEL, NOW, LATER)
        assert taken is not None and taken.attempts == 2  # A's was let go, and taken over
        with pytest.raises(HeldElsewhere):  # B's is still held by `first`
            await second.scoped(B).claim(KEY, CHANNEL, NOW, LATER)
    finally:
        await first.close()
        await second.close()


@needs_server
async def test_marking_a_claim_in_any_course_lets_go_of_its_lock(pg_url: str) -> None:
    """Held from the claim until it is marked: once every claim in every course is marked (sent, late, failed,
    skipped), the process holds no advisory lock."""
    store = await Store.open(pg_url)
    watcher = await asyncpg.connect(pg_url)
    held = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
    try:
        for scope in (0, A, B):
            view = store.scoped(scope)
            for number in range(4):
                assert await view.claim(f"{KEY}:{number}", CHANNEL, NOW, NOW) is not None
        assert await watcher.fetchval(held) == 12
        for scope in (0, A, B):
            view = store.scoped(scope)
            await view.mark_sent(f"{KEY}:0", 1, late=False, now=NOW)
            await view.mark_sent(f"{KEY}:1", 2, late=True, now=NOW)
            await view.mark_failed(f"{KEY}:2", "Discord answered 500", NOW)
            await view.mark_skipped(f"{KEY}:3", CHANNEL, NOW, "its deadline passed", NOW)
        assert await watcher.fetchval(held) == 0
    finally:
        await watcher.close()
        await store.close()
