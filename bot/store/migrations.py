"""The schema, as numbered migrations: `PRAGMA user_version` says how many a database has had."""

from __future__ import annotations

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
    # 5: settings an admin set with /setup, per server; the config file and environment still win.
    """
    CREATE TABLE server_settings (
        guild_id    INTEGER NOT NULL,
        key         TEXT NOT NULL,
        value       TEXT NOT NULL,
        set_by      INTEGER,
        set_at      TEXT NOT NULL,            -- ISO 8601, UTC
        PRIMARY KEY (guild_id, key)
    );
    """,
    # 6: course files uploaded with /course upload, append-only; the newest is the course. `carried` lists the
    # ids of the earlier changes still applied on top of it; `announced` is set once its announcement is posted.
    """
    CREATE TABLE course_uploads (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        uploaded_at   TEXT NOT NULL,          -- ISO 8601, UTC
        author_id     INTEGER,
        author        TEXT,
        filename      TEXT NOT NULL,
        body          TEXT NOT NULL,          -- the schedule.yaml text as uploaded
        last_change   INTEGER NOT NULL,       -- the newest change id when it was confirmed (0: none)
        carried       TEXT NOT NULL,          -- JSON list of change ids kept from before it
        summary       TEXT NOT NULL,          -- JSON list of the announcement's lines
        announced     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TRIGGER course_uploads_keep BEFORE DELETE ON course_uploads
    BEGIN SELECT RAISE(ABORT, 'course_uploads is append-only'); END;
    """,
    # 7: the course's secrets by name (the calendar feed's token), made on first start, replaced on reset.
    """
    CREATE TABLE course_secrets (
        name        TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        created_at  TEXT NOT NULL             -- ISO 8601, UTC
    );
    """,
    # 8: Discord scheduled events: one row per occurrence key (a class, an exam, an office hour on a day),
    # written before the event is created and completed with its id after, so a crash never duplicates one.
    """
    CREATE TABLE scheduled_events (
        key          TEXT PRIMARY KEY,
        event_id     INTEGER,                 -- NULL while being created
        state        TEXT NOT NULL CHECK (state IN ('creating', 'live', 'cancelled', 'removed', 'deleted_by_admin')),
        fingerprint  TEXT,                    -- what we last wrote (name, times, location), to notice a hand edit
        updated_at   TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
