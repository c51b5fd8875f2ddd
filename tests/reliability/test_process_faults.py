"""Process faults: `python -m bot` killed with SIGKILL at random points, and databases it cannot use.

The kill test runs the bot as a child process 51 times on one database and kills 50 of those lives at a
random (seeded) moment: during start-up and migration, while it posts the reminders that are due, and
while the instructor changes the course (/course add-reading, cancel, move, undo) and students log
critiques, one interaction at a time. After every kill and every restart the database is intact (SQLite's
`PRAGMA integrity_check`; on PostgreSQL its schema), and the change log, the critique trackers and the
reminder ledger hold exactly what was acknowledged (plus, at most, the one interaction in flight at the
kill), each once; the fake holds at most one message per reminder, and only for reminders the ledger
claimed first. It runs on both engines (the `database` fixture: SQLite, and PostgreSQL when
COURSEBOT_TEST_POSTGRES is set), and so does the test of a database from a newer coursebot.

Reminders are made due by the schedule, not by moving the clock: the test writes a copy of
the first course (its frozen copy, tests/data/courses/ml_at_scale.yaml) shifted by whole weeks to
around today (see `shifted_schedule`).

The other start-up tests are SQLite's alone: a file that is not a database, read-only and full disks
under the file. They need root for `mount -t tmpfs` (read-only and full disks) and `chattr +i` (a file
root cannot write); they skip, saying why, where that is not allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.core.changes import Change, apply_change, apply_log, in_effect
from bot.core.loader import load_course
from bot.core.model import Course
from bot.core.planner import nonce_for
from bot.store import SCHEMA_VERSION, is_postgres_url
from tests.harness import INSTRUCTOR, INSTRUCTOR_ROLE, NEW_YORK, REMINDERS, SCHEDULE, STUDENT, STUDENT_ROLE
from tests.reliability.botproc import BotProcess, answer_of, bot_env, wait_connected
from tests.reliability.stored import Peek, peek, snapshot

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

KILLS = 50
SEED = 20241007
# When each life is killed (seconds, seeded): most a random moment after the bot connected, amid changes and
# critiques; every fourth during start-up (import, migration, re-planning, command sync: ~0.3 s here); the first
# few also just after their first reminder post (~2 ms per post), while the due reminders are going out.
AFTER_CONNECT = (0.0, 0.8)
AFTER_SPAWN = (0.05, 0.5)
AFTER_FIRST_POST = (0.0, 0.06)
POSTING_LIVES = 5
ANSWER_TIMEOUT = 15
MIN_UPCOMING = 6  # cancels stop there, so there are always classes left to change
FINAL_STATES = ("sent", "late")
ANCHOR = dt.date(2024, 10, 7)  # a Monday mid-term: the proposal (10/16) and the final paper (12/9) are ahead
REMINDER_ENV = {
    # Critique reminders at 00:00 the day before and the day of a class, useful until 23:59 on its day:
    # a class today or tomorrow has reminders due now, whatever the hour the test runs at.
    "COURSEBOT_REMINDER_EVENING": "00:00",
    "COURSEBOT_REMINDER_MORNING": "00:00",
    "COURSEBOT_CRITIQUE_CUTOFF": "23:59",
    # Project reminders 10, 14, …, 126 days before each deadline: dozens are due (late) at the first start,
    # so the first kills land while they are being posted.
    "COURSEBOT_PROJECT_REMINDER_DAYS": ", ".join(str(d) for d in range(10, 130, 4)),
}


def shifted_schedule(dest: Path, today: dt.date) -> dt.timedelta:
    """The first course with every ISO date moved by whole weeks so that `today` falls in the week of Mon 7 Oct 2024.

    Whole weeks keep each weekday, so the Mon/Wed meeting days and office hours stay valid and only the
    dates change: the term runs around today, the proposal is 3-9 days ahead and the final paper 57-63.
    """
    shift = dt.timedelta(weeks=(today - ANCHOR).days // 7)
    text = re.sub(r"\b2024-\d\d-\d\d\b", lambda m: (dt.date.fromisoformat(m[0]) + shift).isoformat(),
                  SCHEDULE.read_text(encoding="utf-8"))
    dest.write_text(text, encoding="utf-8")
    return shift


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        yield db
    finally:
        db.close()


# --- the kill test's model of what must be stored ----------------------------------------------------------


@dataclass
class Op:
    """One interaction: an instructor's /course change or a student's /critique log."""

    kind: str  # cancel | move | add_reading | undo | critique
    options: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)  # the change log row it should make
    undoes: int | None = None
    pair: tuple[int, int] | None = None  # (student, class number) for a critique

    @property
    def subcommand(self) -> str:
        return {"add_reading": "add-reading", "critique": "log"}.get(self.kind, self.kind)


@dataclass
class Stats:
    ops: int = 0
    refused: int = 0
    kills_in_flight: int = 0
    stored_unacknowledged: int = 0
    kills_before_ready: int = 0
    answers: list[str] = field(default_factory=list)


class Model:
    """What the database must hold: the acknowledged changes and critiques, plus any in flight at a kill."""

    def __init__(self, base: Course, today: dt.date, rng: random.Random) -> None:
        self.base = base
        self.today = today
        self.rng = rng
        self.log: list[Change] = []
        self.course = base
        self.critiques: set[tuple[int, int]] = set()
        self.counter = 0
        self.stats = Stats()

    # choosing the next interaction

    def next_op(self) -> Op:
        """A student's critique (30%), or an instructor's undo, add-reading, move or cancel of an upcoming class."""
        self.counter += 1
        n = self.counter
        upcoming = [s for s in self.course.sessions if s.date >= self.today and not s.cancelled]
        roll = self.rng.random()
        if roll < 0.3 or not upcoming:
            session = self.rng.choice([s for s in self.course.sessions if s.papers and not s.cancelled])
            student = 1140000000000200000 + n
            return Op("critique", {"date": session.date.isoformat()}, pair=(student, session.number))
        if roll < 0.45 and (effective := self._effective()):
            return Op("undo", {}, undoes=effective[-1].id)
        session = self.rng.choice(upcoming)
        day = session.date.isoformat()
        taken = {s.date for s in self.course.sessions}
        free = [d for d in (self.today + dt.timedelta(days=i) for i in range(21))
                if d not in taken and d <= self.course.last_day]
        if roll < 0.65 and free:  # today and tomorrow are among the days: its reminders fall due at once
            params = {"date": day, "to": self.rng.choice(free).isoformat()}
            return Op("move", dict(params), params)
        if roll < 0.75 and len(upcoming) > MIN_UPCOMING:
            params = {"date": day, "reason": f"fault test {n}"}
            return Op("cancel", dict(params), params)
        params = {"date": day, "title": f"Fault-injection paper {n}"}
        return Op("add_reading", dict(params), params)

    def _effective(self) -> list[Change]:
        conflicts = {c.id for c, _ in apply_log(self.base, self.log).conflicts} if self._has_undo else set()
        return [c for c in in_effect(self.log) if c.id not in conflicts]

    @property
    def _has_undo(self) -> bool:
        return any(c.kind == "undo" for c in self.log)

    # recording what is stored

    def stored(self, op: Op, change_id: int | None = None) -> None:
        """The op's row is in the database (acknowledged, or found there after a kill)."""
        if op.kind == "critique":
            assert op.pair is not None
            self.critiques.add(op.pair)
            return
        kind = op.kind
        change = Change.from_row(kind, dict(op.params), op.undoes, id=change_id)
        self.log.append(change)
        if kind == "undo":
            self.course = apply_log(self.base, self.log).course
        else:
            self.course = apply_change(self.course, change)

    # checking the database against the model

    async def reconcile(self, db: Peek, in_flight: Op | None) -> None:
        """The change log and the trackers: everything acknowledged, at most the op in flight more, nothing twice."""
        assert await db.intact()
        version = await db.version()
        assert 0 <= version <= SCHEMA_VERSION
        if version < SCHEMA_VERSION:  # killed during the first migration: nothing can be stored yet
            assert not self.log and not self.critiques
            return
        rows = await db.rows("SELECT id, kind, params, undoes FROM course_changes ORDER BY id")
        critiques = await db.rows("SELECT user_id, class_number, count FROM critiques")
        assert all(count == 1 for *_, count in critiques), "a critique was counted twice"  # one op per pair
        pairs = {(user, number) for user, number, _ in critiques}
        known = [(c.id, *c.to_row()) for c in self.log]
        found = [(i, kind, json.loads(params), undoes) for i, kind, params, undoes in rows]
        assert found[:len(known)] == known, "an acknowledged change was lost or altered"
        extra = found[len(known):]
        assert len(extra) <= 1, f"changes stored that were never acknowledged: {extra}"
        if extra:
            change_id, kind, params, undoes = extra[0]
            assert in_flight is not None and (kind, params, undoes) == (in_flight.kind, in_flight.params,
                                                                          in_flight.undoes), extra
            self.stored(in_flight, change_id)
            self.stats.stored_unacknowledged += 1
        assert self.critiques <= pairs, f"acknowledged critiques lost: {self.critiques - pairs}"
        surplus = pairs - self.critiques
        assert len(surplus) <= 1 and (not surplus or in_flight is not None and surplus == {in_flight.pair}), surplus
        if surplus:
            assert in_flight is not None
            self.stored(in_flight)
            self.stats.stored_unacknowledged += 1


async def check_reminders(fake, db: Peek) -> tuple[int, int]:
    """Each reminder posted at most once, only after it was claimed, and each 'sent' one really in the channel.

    The bot claims a reminder before it posts it and marks it after, and may be running while this reads (the
    reads from PostgreSQL await): so the fake's messages are read before the ledger to be matched to its claims,
    and again after it to hold every message the ledger marked. Returns (posted, retried).
    """
    messages = fake.messages(REMINDERS)
    if await db.version() < 1:
        assert messages == []
        return 0, 0
    ledger = await db.rows("SELECT key, state, message_id, attempts FROM reminder_ledger")
    posted = fake.messages(REMINDERS)  # a superset of `messages`
    keys = [key for key, *_ in ledger]
    assert len(keys) == len(set(keys))
    nonces = Counter(m.get("nonce") for m in posted)
    assert None not in nonces, "a reminder was posted without its nonce"
    doubled = {n: c for n, c in nonces.items() if c > 1}
    assert not doubled, f"reminders posted more than once: {doubled}"
    by_nonce = {nonce_for(key): key for key in keys}
    unclaimed = {m.get("nonce") for m in messages} - set(by_nonce)
    assert not unclaimed, f"a message was posted for a reminder the ledger never claimed: {unclaimed}"
    by_id = {int(m["id"]): m for m in posted}
    for key, state, message_id, _ in ledger:
        if state in FINAL_STATES:
            assert message_id in by_id and by_id[message_id].get("nonce") == nonce_for(key), (key, state)
    return len(posted), sum(1 for *_, attempts in ledger if attempts > 1)


# --- driving the bot -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """When to SIGKILL one life: whichever comes first (seconds after the event)."""

    after_connect: float
    after_spawn: float | None = None
    after_first_post: float | None = None

    @classmethod
    def draw(cls, life: int, rng: random.Random) -> Kill:
        return cls(rng.uniform(*AFTER_CONNECT),
                   rng.uniform(*AFTER_SPAWN) if life % 4 == 3 else None,
                   rng.uniform(*AFTER_FIRST_POST) if life < POSTING_LIVES else None)


class KillRun:
    """50 × (start the bot, act on it one interaction at a time, SIGKILL it at a random moment, check)."""

    def __init__(self, fake, tmp_path: Path, database: str, rng: random.Random) -> None:
        now = dt.datetime.now(NEW_YORK)
        self.today = now.date()
        schedule = tmp_path / "schedule.yaml"
        shifted_schedule(schedule, self.today)
        self.fake = fake
        self.database = database
        self.log = tmp_path / "bot.log"
        self.env = bot_env(fake, database, COURSEBOT_SCHEDULE=str(schedule), **REMINDER_ENV)
        self.model = Model(load_course(schedule), self.today, rng)
        self.in_flight: Op | None = None
        self.connected = False
        self.timers: list[asyncio.TimerHandle] = []

    async def perform(self, op: Op) -> None:
        """Send one interaction and record what its answer acknowledges."""
        self.in_flight = op
        since = len(self.fake.requests)
        if op.kind == "critique":
            assert op.pair is not None
            interaction = await self.fake.send_interaction(name="critique", subcommand="log", options=op.options,
                                                           user=op.pair[0], roles=[STUDENT_ROLE])
        else:
            interaction = await self.fake.send_interaction(name="course", subcommand=op.subcommand,
                                                           options=op.options or None, user=INSTRUCTOR,
                                                           roles=[INSTRUCTOR_ROLE])
        answer = await answer_of(self.fake, interaction, since, ANSWER_TIMEOUT)
        assert answer.ok, f"{op}: the answer was refused: {answer.ack.response} {answer.final.response}"
        data = answer.data
        text = json.dumps(data)
        self.model.stats.ops += 1
        if op.kind == "critique":
            if "Logged your critique" in text:
                self.model.stored(op)
            else:
                self.model.stats.refused += 1
                self.model.stats.answers.append(text[:200])
        else:
            embeds = data.get("embeds") or [{}]
            saved = re.search(r"Saved as change #(\d+)", text)
            if embeds[0].get("title") == "Done" and saved:
                self.model.stored(op, int(saved[1]))
            else:
                self.model.stats.refused += 1
                self.model.stats.answers.append(text[:200])
        self.in_flight = None

    async def act(self, frames: int, proc: BotProcess, kill: Kill) -> None:
        """Once connected: check the restarted bot's database, then one interaction after another until killed."""
        await wait_connected(self.fake, frames)
        self.connected = True
        self.timers.append(asyncio.get_running_loop().call_later(kill.after_connect, proc.kill))
        await self.check(in_flight=None)
        while True:
            await self.perform(self.model.next_op())

    async def check(self, in_flight: Op | None) -> tuple[int, int]:
        async with peek(self.database) as db:
            await self.model.reconcile(db, in_flight)
            return await check_reminders(self.fake, db)

    async def one_life(self, kill: Kill) -> int:
        """Start the bot, act on it, and SIGKILL it as `kill` says; returns its exit status."""
        frames = len(self.fake.gateway_frames)
        since = len(self.fake.requests)
        self.connected = False
        proc = await BotProcess.start(self.env, self.log)
        loop = asyncio.get_running_loop()
        if kill.after_spawn is not None:
            self.timers.append(loop.call_later(kill.after_spawn, proc.kill))

        async def after_first_post(delay: float) -> None:
            await self.fake.wait_for_request("POST", rf"/channels/{REMINDERS}/messages", since=since, timeout=60)
            self.timers.append(loop.call_later(delay, proc.kill))

        watchers = [asyncio.create_task(self.act(frames, proc, kill))]
        if kill.after_first_post is not None:
            watchers.append(asyncio.create_task(after_first_post(kill.after_first_post)))
        exited = asyncio.create_task(proc.proc.wait())
        try:
            done, _ = await asyncio.wait({watchers[0], exited}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
            if watchers[0] in done:
                watchers[0].result()  # an assertion from the driver
            code = await asyncio.wait_for(exited, 30)
        finally:
            for timer in self.timers:
                timer.cancel()
            self.timers.clear()
            proc.kill()
            for task in watchers:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await task
        if not self.connected:
            self.model.stats.kills_before_ready += 1
        return code

    async def last_life(self) -> int:
        """Start the bot, check it once connected, and stop it with SIGTERM."""
        frames = len(self.fake.gateway_frames)
        proc = await BotProcess.start(self.env, self.log)
        try:
            await wait_connected(self.fake, frames)
            await self.check(in_flight=None)
        finally:
            code = await proc.stop()
        return code


async def test_sigkill_fifty_times_loses_and_doubles_nothing(fake, tmp_path, database):
    """50 SIGKILLs at random moments: the database stays intact; acknowledged changes, critiques and reminders
    are stored exactly once, and nothing else is but the interaction in flight at a kill."""
    rng = random.Random(SEED)
    run = KillRun(fake, tmp_path, database, rng)
    for life in range(KILLS):
        code = await run.one_life(Kill.draw(life, rng))
        assert code == -signal.SIGKILL, f"the bot exited by itself ({code}):\n{run.log.read_text()[-3000:]}"
        in_flight, run.in_flight = run.in_flight, None
        run.model.stats.kills_in_flight += in_flight is not None
        await run.check(in_flight)
    code = await run.last_life()
    assert code == 0, run.log.read_text()[-3000:]
    posted, retried = await run.check(in_flight=None)
    stats = run.model.stats
    print(f"\n{KILLS} kills: {stats.ops} interactions answered ({stats.refused} refused), "
          f"{len(run.model.log)} changes and {len(run.model.critiques)} critiques stored, "
          f"{stats.kills_in_flight} kills with an interaction in flight ({stats.stored_unacknowledged} of them "
          f"stored), {stats.kills_before_ready} before the gateway; {posted} reminders posted, {retried} re-claimed "
          f"after a kill")
    assert posted >= 20, "the shifted schedule should make dozens of reminders due"
    assert stats.kills_in_flight >= KILLS // 4, "most kills should land while an interaction is in flight"
    assert stats.refused <= stats.ops // 10, stats.answers[:5]


# --- databases the bot cannot use ----------------------------------------------------------------------
# A newer coursebot's database, on both engines; the rest is SQLite's own: the file and the disk under it (a
# PostgreSQL server's disk is the server's to manage, and the store's tests cover a server that refuses).


async def start_until_settled(fake, database: str | Path, log: Path) -> tuple[BotProcess, int | None]:
    """Start the bot; return once it has exited (its code) or connected to the gateway (None: still running)."""
    frames = len(fake.gateway_frames)
    proc = await BotProcess.start(bot_env(fake, database), log)
    exited = asyncio.create_task(proc.proc.wait())
    connected = asyncio.create_task(wait_connected(fake, frames))
    done, _ = await asyncio.wait({exited, connected}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    for task in (exited, connected):
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        await connected
    if exited in done:
        return proc, exited.result()
    if connected not in done:
        proc.kill()
        await proc.wait()
        pytest.fail(f"the bot neither exited nor connected within 30 s:\n{proc.output()[-2000:]}")
    return proc, None


async def refused_start(fake, database: str | Path, tmp_path: Path) -> str:
    """Start the bot on `database`; assert it stops by itself with exit 1; return what it logged."""
    proc, code = await start_until_settled(fake, database, tmp_path / "refused.log")
    if code is None:
        await proc.stop()
        pytest.fail(f"start-up went on with {database}:\n{proc.output()[-2000:]}")
    assert code == 1, proc.output()
    return proc.output()


async def create_database(fake, database: Path, tmp_path: Path) -> None:
    """Let the bot create and migrate `database`, then stop it cleanly."""
    proc, code = await start_until_settled(fake, database, tmp_path / "create.log")
    assert code is None, proc.output()
    assert await proc.stop() == 0, proc.output()


def store_some_data(database: Path) -> list[tuple[Any, ...]]:
    """A critique and a course change, as a student and the instructor would have left them; returns a dump."""
    with connect(database) as db:
        db.execute("INSERT INTO critiques (user_id, class_number, class_date, logged_at) "
                   "VALUES (?, 7, '2024-09-18', '2024-09-17T13:00:00+00:00')", (STUDENT,))
        db.execute("INSERT INTO course_changes (created_at, author_id, author, kind, params) VALUES "
                   "('2024-09-17T13:00:00+00:00', ?, 'Prof', 'cancel', '{\"date\": \"2024-09-23\"}')", (INSTRUCTOR,))
    return dump(database)


def dump(database: Path) -> list[tuple[Any, ...]]:
    with connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [*db.execute("SELECT * FROM critiques ORDER BY user_id, class_number"),
                *db.execute("SELECT * FROM course_changes ORDER BY id"),
                *db.execute("SELECT key, state, message_id FROM reminder_ledger ORDER BY key")]


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@contextlib.contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at `mountpoint` for the test (skips when this process may not mount)."""
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, check=False)


def remount(mountpoint: Path, mode: str) -> None:
    """`mode` "ro" or "rw"."""
    done = subprocess.run(["mount", "-o", f"remount,{mode}", str(mountpoint)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot remount {mode}: {done.stderr.strip()}")


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """`chattr +i`: the one way to make a file unwritable for root (chmod does not stop root)."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Write zeros into `folder` until its file system is full; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError as exc:
        assert exc.errno == 28, exc  # ENOSPC
    finally:
        os.close(fd)
    return filler


async def test_file_that_is_not_sqlite_stops_startup_and_is_left_untouched(fake, tmp_path):
    """A database file that is not SQLite: exit 1, a message naming the file, no traceback, the bytes unchanged."""
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "coursebot.sqlite3"
    database.write_bytes(b"Course notes, not a database.\n" * 200)
    before = files_in(folder)
    err = await refused_start(fake, database, tmp_path)
    assert f"{database} is not a coursebot database" in err and "left untouched" in err
    assert "Traceback" not in err
    assert files_in(folder) == before


async def newer_schema(database: str) -> None:
    """Make `database` one a newer coursebot wrote: schema 99, with a table this one does not know."""
    if is_postgres_url(database):
        connection = await asyncpg.connect(database)
        try:
            await connection.execute(
                "CREATE TABLE coursebot_schema (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL);"
                "INSERT INTO coursebot_schema VALUES (1, 99);"
                "CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('from coursebot 9')")
        finally:
            await connection.close()
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    with connect(Path(database)) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute("INSERT INTO future VALUES ('from coursebot 9')")
        db.execute("PRAGMA user_version = 99")


async def test_database_from_a_newer_schema_stops_startup_and_is_left_untouched(fake, tmp_path, database):
    """A database at schema 99: exit 1, a message asking for an upgrade, no traceback, the database unchanged."""
    await newer_schema(database)
    before = await snapshot(database)
    err = await refused_start(fake, database, tmp_path)
    assert "newer coursebot (schema 99" in err and "left untouched" in err
    assert "Traceback" not in err
    assert await snapshot(database) == before
    assert before  # the comparison saw the database


async def test_database_in_a_read_only_folder_stops_startup(fake, tmp_path):
    """A database on a read-only mount: exit 1 without a traceback, and its data intact."""
    with tmpfs(tmp_path / "ro", "1m") as folder:
        database = folder / "coursebot.sqlite3"
        await create_database(fake, database, tmp_path)
        before = store_some_data(database)
        remount(folder, "ro")
        err = await refused_start(fake, database, tmp_path)
        assert str(database) in err and "Traceback" not in err
        remount(folder, "rw")  # SQLite cannot read a WAL database where it cannot create its -shm file
        assert dump(database) == before


async def test_database_in_a_read_only_folder_is_reported_as_read_only(fake, tmp_path):
    """The start-up message for a database on a read-only mount says it cannot be written, not that it is not ours."""
    with tmpfs(tmp_path / "ro", "1m") as folder:
        database = folder / "coursebot.sqlite3"
        await create_database(fake, database, tmp_path)
        remount(folder, "ro")
        err = await refused_start(fake, database, tmp_path)
    assert "not a coursebot database" not in err
    assert re.search(r"read-only|not writable|cannot be written", err, re.IGNORECASE), err


async def test_read_only_database_file_stops_startup(fake, tmp_path):
    """An unwritable database file (chattr +i: root ignores chmod) stops start-up with exit 1 and a clear message."""
    database = tmp_path / "coursebot.sqlite3"
    await create_database(fake, database, tmp_path)
    before = store_some_data(database)
    with immutable(database):
        err = await refused_start(fake, database, tmp_path)
    assert "Traceback" not in err
    assert re.search(r"read-only|not writable|cannot be written", err, re.IGNORECASE), err
    assert dump(database) == before


async def test_full_disk_at_first_start_is_a_clear_error(fake, tmp_path):
    """A new database on a 64 kB disk: exit 1 saying the disk is full, no traceback, what was migrated is intact."""
    with tmpfs(tmp_path / "full", "64k") as folder:
        database = folder / "coursebot.sqlite3"
        err = await refused_start(fake, database, tmp_path)
        assert "disk is full" in err and str(database) in err
        assert "Traceback" not in err
        with connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    expected = [set(), {"reminder_ledger"}, {"reminder_ledger", "course_changes"}][version]
    assert version < SCHEMA_VERSION and expected <= tables - {"sqlite_sequence"} <= expected


async def test_full_disk_at_start_leaves_stored_data_intact(fake, tmp_path):
    """Started on a full disk, the bot stops (exit 1, no traceback) and the data already stored is unchanged."""
    with tmpfs(tmp_path / "full", "1m") as folder:
        database = folder / "coursebot.sqlite3"
        await create_database(fake, database, tmp_path)
        before = store_some_data(database)
        filler = fill(folder)
        err = await refused_start(fake, database, tmp_path)
        assert "Traceback" not in err
        filler.unlink()
        assert dump(database) == before


async def test_full_disk_at_start_is_reported_as_a_full_disk(fake, tmp_path):
    """On a full disk the start-up message says so (or names the I/O error), not that the file is not ours."""
    with tmpfs(tmp_path / "full", "1m") as folder:
        database = folder / "coursebot.sqlite3"
        await create_database(fake, database, tmp_path)
        fill(folder)
        err = await refused_start(fake, database, tmp_path)
    assert "not a coursebot database" not in err
    assert re.search(r"disk is full|no space|disk I/O error", err, re.IGNORECASE), err


async def log_critique(fake, date: str) -> str:
    """A student's /critique log; returns the text of the answer (which must come, ephemeral)."""
    since = len(fake.requests)
    interaction = await fake.send_interaction(name="critique", subcommand="log", options={"date": date},
                                              user=STUDENT, roles=[STUDENT_ROLE])
    answer = await answer_of(fake, interaction, since, ANSWER_TIMEOUT)
    assert answer.ok, (answer.ack.response, answer.final.response)
    assert answer.data["flags"] & 64, answer.data  # ephemeral
    return json.dumps(answer.data)


async def disk_fills_while_running(fake, tmp_path: Path) -> tuple[list[str], str, set[tuple[int, int]]]:
    """Log a critique, fill the disk, log another, free the disk, log a third, stop: (answers, log, stored pairs)."""
    with tmpfs(tmp_path / "full", "1m") as folder:
        database = folder / "coursebot.sqlite3"
        proc, code = await start_until_settled(fake, database, tmp_path / "bot.log")
        assert code is None, proc.output()
        try:
            answers = [await log_critique(fake, "9/18")]
            filler = fill(folder)
            answers.append(await log_critique(fake, "9/23"))
            filler.unlink()
            answers.append(await log_critique(fake, "9/30"))
        finally:
            assert await proc.stop() == 0, proc.output()
        with connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            pairs = set(db.execute("SELECT user_id, class_number FROM critiques"))
    return answers, proc.output(), pairs


async def test_full_disk_while_running_refuses_the_write_and_keeps_the_rest(fake, tmp_path):
    """A write on a full disk is answered, stores nothing and breaks nothing; once space is back writes work again."""
    answers, _, pairs = await disk_fills_while_running(fake, tmp_path)
    assert "Logged your critique for class 7" in answers[0]
    assert "Logged your critique" not in answers[1]
    assert "Logged your critique for class 10" in answers[2]
    assert pairs == {(STUDENT, 7), (STUDENT, 10)}


async def test_full_disk_while_running_is_logged_as_one_clear_line(fake, tmp_path):
    """The operator sees one line saying the disk is full (no traceback); the student is told nothing was saved."""
    answers, log, _ = await disk_fills_while_running(fake, tmp_path)
    assert "Traceback" not in log
    assert re.search(r"disk is full|no space", log, re.IGNORECASE), log[-2000:]
    assert re.search(r"not saved|could not (be )?sav|nothing was (saved|recorded)", answers[1], re.IGNORECASE)
