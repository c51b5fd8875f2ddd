"""Two `python -m bot` processes on one PostgreSQL database, one SIGKILLed at random: no reminder is posted twice.

docs/scaling.md, "What fails over": when two processes run the same shard (a rolling deploy, a supervisor that
started a second copy) both plan the same reminders, and the ledger decides: a claim holds a PostgreSQL advisory
lock on the reminder's key until it is marked, so exactly one process posts it.

The scenario: two bots with the same settings (unsharded: both serve the course and both IDENTIFY as shard 0 of 1
with the same token), the same course and the same PostgreSQL database, against one fake Discord. The course is the
first one shifted to around today (as in test_process_faults.py) with project reminders 0-399 days before each
milestone: some 740 reminders are past their time and still useful, so both bots post them (late) as soon as they
start, racing each other key by key. Meanwhile ROUNDS times one of them is SIGKILLed and restarted: mostly the bot
that posts next, 0-30 ms after that post (its other claims in flight), else either bot at a random moment within a
second (a bot just restarted is then killed during start-up: import, migration, planning). Choices are seeded;
where a kill lands also depends on timing. Once every due reminder is posted and marked, both get SIGTERM.

What is counted is every POST of a reminder to the channel, not only the channel's messages: discord.py sends each
with `enforce_nonce`, and the fake deduplicates a nonce for ever, so it would absorb a second post that Discord
(which remembers a nonce for a few minutes) would show. By design a reminder is POSTed again only after the bot
that claimed and POSTed it died before marking it: the next claim re-sends it with the same nonce. To tell which
process made each request, each life of a bot reaches the fake through its own TCP relay (its own port, so the
Host header names the life); nothing else differs between the bots. To wait for the marks without sleeping, the
test adds a trigger of its own to the ledger table that NOTIFYs each change of a row.

The controls run the same scenario where nothing makes the claim exclusive: with the advisory lock bypassed (the
bots run with `PostgresEngine.hold` granting every key) and on two SQLite files (two ledgers); the same check finds
reminders POSTed by both live bots, so the main test can fail. Their bots are SIGKILLed at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from bot.core.loader import load_course
from bot.core.planner import Reminder, nonce_for, plan
from bot.settings import load_settings
from tests.conftest import POSTGRES_URL, fresh_postgres_database
from tests.fake_discord import FakeDiscord, RecordedRequest
from tests.harness import NEW_YORK, REMINDERS, REPO
from tests.reliability.botproc import BotProcess, bot_env
from tests.reliability.stored import peek
from tests.reliability.test_process_faults import shifted_schedule

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

SEED = 20250315
ROUNDS = 8
PROJECT_DAYS = range(0, 400)  # two milestones ahead: ~740 reminders due at the first start
REMINDER_ENV = {
    "COURSEBOT_REMINDER_EVENING": "00:00",
    "COURSEBOT_REMINDER_MORNING": "00:00",
    "COURSEBOT_CRITIQUE_CUTOFF": "23:59",
    "COURSEBOT_PROJECT_REMINDER_DAYS": ", ".join(str(d) for d in PROJECT_DAYS),
}
AFTER_POST = (0.0, 0.03)  # seconds after one of the victim's posts (its other claims are in flight)
AT_RANDOM = (0.0, 1.0)  # seconds from now: a restarted bot starts up for ~0.4 s, then claims and posts
AFTER_POST_SHARE = 0.7  # with SEED: rounds 1, 4, 5, 6 and 8
POST_WAIT = 2.0  # how long a kill "after its next post" waits for a post before killing at random instead
POSTED_TIMEOUT = 40.0
STARTED_TIMEOUT = 30.0
FINAL_TIMEOUT = 20.0
FINAL_STATES = ("sent", "late")
CHANNEL_POSTS = rf"/channels/{REMINDERS}/messages"
# The control: the bot as `python -m bot`, with the claim's advisory lock always granted.
NO_LOCK = """\
import sys
from bot.store.postgres import PostgresEngine

async def hold(self, key):  # granted without pg_try_advisory_lock, and recorded as held (see PostgresEngine)
    self._held.add(key)
    return True

PostgresEngine.hold = hold
from bot.__main__ import main
sys.exit(main([]))
"""

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="COURSEBOT_TEST_POSTGRES is not set")


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    """A new PostgreSQL database on the test server, dropped after the test."""
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


# --- telling the two bots apart ------------------------------------------------------------------------------


class Relay:
    """A TCP relay on its own port to the fake: what one bot life sends comes with Host 127.0.0.1:<port>."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = 0
        self.gateway = asyncio.Event()  # the bot opened its gateway connection: its start-up is over
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> Relay:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        pipes = [asyncio.create_task(self._pipe(reader, up_writer, self.gateway)),
                 asyncio.create_task(self._pipe(up_reader, writer))]
        self._pipes.update(pipes)
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)  # one side closed: close both
        for pipe in pipes:
            pipe.cancel()
        for w in (writer, up_writer):
            w.close()
        self._pipes.difference_update(pipes)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    gateway: asyncio.Event | None = None) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(1 << 16):
                if gateway is not None and data.startswith(b"GET /gateway"):
                    gateway.set()
                writer.write(data)
                await writer.drain()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pipe


@dataclass
class Life:
    """One bot process of a slot (0 or 1) between its start and its death."""

    slot: int
    number: int  # in start order, over both slots
    relay: Relay
    proc: BotProcess
    spawned: float  # time.monotonic(), as the fake's RecordedRequest.time
    killed: float | None = None  # when the SIGKILL was sent

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.relay.port}"


@dataclass
class Run:
    """Two bot slots, each a sequence of lives, against one fake."""

    fake: FakeDiscord
    env: list[dict[str, str]]
    tmp_path: Path
    bypass_lock: bool = False
    lives: list[Life] = field(default_factory=list)
    current: list[Life] = field(default_factory=list)
    kills_in_startup: int = 0  # before the bot opened the gateway (import, migration, planning, first claims)
    kills_posting: int = 0  # of a bot that had posted reminders (the others were still claiming)

    async def start(self, slot: int) -> Life:
        relay = await Relay(int(self.fake.base_url.rsplit(":", 1)[1])).start()
        env = {**self.env[slot], "COURSEBOT_API_BASE": f"http://127.0.0.1:{relay.port}"}
        log = self.tmp_path / f"bot-{slot}.log"
        if self.bypass_lock:
            with log.open("ab") as sink:
                proc = BotProcess(await asyncio.create_subprocess_exec(
                    sys.executable, "-c", NO_LOCK, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                    stderr=sink), log)
        else:
            proc = await BotProcess.start(env, log)
        life = Life(slot, len(self.lives), relay, proc, time.monotonic())
        self.lives.append(life)
        if slot < len(self.current):
            self.current[slot] = life
        else:
            self.current.append(life)
        return life

    def by_host(self) -> dict[str, Life]:
        return {life.host: life for life in self.lives}

    async def next_poster(self) -> Life | None:
        """The bot that POSTs the next reminder (None: no post within POST_WAIT s, the posting is over)."""
        hosts = {life.host: life for life in self.current}
        try:
            request = await self.fake.wait_for_request("POST", CHANNEL_POSTS, since=len(self.fake.requests),
                                                       timeout=POST_WAIT,
                                                       predicate=lambda r: r.headers.get("Host") in hosts)
        except TimeoutError:
            return None
        return hosts[request.headers["Host"]]

    async def kill_and_restart(self, life: Life, delay: float) -> None:
        """SIGKILL `life` in `delay` s, then start its slot again."""
        exited = asyncio.ensure_future(life.proc.proc.wait())
        timer = asyncio.get_running_loop().call_later(delay, self._kill, life)
        try:
            code = await asyncio.wait_for(exited, delay + 30)
        finally:
            timer.cancel()
        assert code == -signal.SIGKILL, f"bot {life.slot} exited by itself ({code}):\n{self.output(life.slot)}"
        if not life.relay.gateway.is_set():
            self.kills_in_startup += 1
        if any(r.headers.get("Host") == life.host for r in self.fake.requests if r.path == CHANNEL_POSTS):
            self.kills_posting += 1
        self.log_round(f"killed bot {life.slot} (life {life.number}) {delay:.3f} s after")
        await self.start(life.slot)

    def log_round(self, what: str) -> None:
        posted = len({(r.json or {}).get("nonce") for r in self.fake.requests if r.path == CHANNEL_POSTS})
        print(f"  {time.monotonic() - self.lives[0].spawned:6.2f} s {what}: {posted} reminders POSTed so far")

    async def started_up(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until both current bots have finished starting (opened the gateway), so SIGTERM finds them running."""
        await asyncio.wait_for(asyncio.gather(*(life.relay.gateway.wait() for life in self.current)), timeout)

    @staticmethod
    def _kill(life: Life) -> None:
        life.killed = time.monotonic()
        life.proc.kill()

    async def stop(self) -> list[int]:
        return list(await asyncio.gather(*(life.proc.stop() for life in self.current)))

    async def close(self) -> None:
        for life in self.lives:
            life.proc.kill()
            await life.proc.wait()
            await life.relay.close()

    def output(self, slot: int) -> str:
        return (self.tmp_path / f"bot-{slot}.log").read_text(errors="replace")[-3000:]


# --- the scenario ---------------------------------------------------------------------------------------------


def due_reminders(env: Mapping[str, str], schedule: Path, now: dt.datetime) -> dict[str, Reminder]:
    """The plan's reminders past their time at `now` and still useful: the bots post them as soon as they start."""
    reminders = plan(load_course(schedule), load_settings(env).reminders)
    return {r.key: r for r in reminders if r.at <= now < r.useful_until}


async def until_posted(run: Run, due: Mapping[str, Reminder], timeout: float) -> None:  # noqa: ASYNC109
    """Until a POST of each due reminder to the channel was answered 200 (walks the fake's requests forward once,
    waiting on its own events)."""
    fake = run.fake
    deadline = time.monotonic() + timeout
    requests, index, missing = fake.requests, 0, {nonce_for(key): key for key in due}
    try:
        while missing:
            request = await fake.wait_for_request("POST", CHANNEL_POSTS, since=index,
                                                  timeout=max(deadline - time.monotonic(), 0.01))
            position = requests.index(request, index)
            if request.status is None:
                await fake.wait_for_request("POST", CHANNEL_POSTS, since=position, answered=True,
                                            predicate=lambda r, request=request: r is request,
                                            timeout=max(deadline - time.monotonic(), 0.01))
            index = position + 1
            if request.status == 200:
                missing.pop((request.json or {}).get("nonce"), None)
    except TimeoutError:
        pytest.fail(f"{len(missing)} of {len(due)} due reminders not posted within {timeout} s, e.g. "
                    f"{sorted(missing.values())[:3]}\n{run.output(0)}\n{run.output(1)}")


LEDGER_NOTIFY = """
CREATE OR REPLACE FUNCTION test_ledger_changed() RETURNS trigger AS $$
BEGIN PERFORM pg_notify('test_ledger_changed', NEW.key); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER test_ledger_changed AFTER INSERT OR UPDATE ON reminder_ledger
FOR EACH ROW EXECUTE FUNCTION test_ledger_changed();
"""


async def until_final(database: str, keys: list[str], timeout: float) -> None:  # noqa: ASYNC109
    """Until every key is sent or late in the ledger (a trigger of the test's own NOTIFYs each change of a row);
    on timeout, return: the check says what is missing."""
    connection = await asyncpg.connect(database)
    changed = asyncio.Event()
    try:
        await connection.add_listener("test_ledger_changed", lambda *_: changed.set())
        await connection.execute(LEDGER_NOTIFY)
        async with asyncio.timeout(timeout):
            while True:
                changed.clear()
                done = await connection.fetchval("SELECT count(*) FROM reminder_ledger WHERE key = ANY($1) AND state "
                                                 "IN ('sent', 'late')", keys)
                if done == len(keys):
                    return
                await changed.wait()
    except TimeoutError:
        return
    finally:
        await connection.close()


async def two_bots(fake: FakeDiscord, tmp_path: Path, databases: tuple[str, str], rounds: int, rng: random.Random,
                   *, bypass_lock: bool = False) -> tuple[Run, dict[str, Reminder]]:
    """Start two bots at once; `rounds` times SIGKILL one of them (seeded) and restart it; once every due reminder
    is posted and marked, stop both with SIGTERM (each must exit 0). The controls' bots are SIGKILLed at the end."""
    schedule = tmp_path / "schedule.yaml"
    shifted_schedule(schedule, dt.datetime.now(NEW_YORK).date())
    env = [bot_env(fake, database, COURSEBOT_SCHEDULE=str(schedule), **REMINDER_ENV) for database in databases]
    due = due_reminders(env[0], schedule, dt.datetime.now(NEW_YORK))
    run = Run(fake, env, tmp_path, bypass_lock)
    try:
        for slot in (0, 1):
            await run.start(slot)
        for _ in range(rounds):
            # Mostly the bot that posts next, just after that post (it has more claims in flight); else either
            # bot at a random moment (a bot just restarted is then killed during its start-up).
            victim = await run.next_poster() if rng.random() < AFTER_POST_SHARE else None
            if victim is not None:
                await run.kill_and_restart(victim, rng.uniform(*AFTER_POST))
            else:
                await run.kill_and_restart(run.current[rng.randrange(2)], rng.uniform(*AT_RANDOM))
        await until_posted(run, due, POSTED_TIMEOUT)
        run.log_round("all posted")
        if not bypass_lock and databases[0] == databases[1]:  # the controls are killed: only their POSTs count
            await run.started_up(STARTED_TIMEOUT)
            await until_final(databases[0], sorted(due), FINAL_TIMEOUT)
            run.log_round("all marked")
            codes = await run.stop()
            assert codes == [0, 0], f"{codes}\n{run.output(0)}\n{run.output(1)}"
    finally:
        await run.close()
    return run, due


# --- the check --------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the check counted."""

    due: int = 0
    posts: int = 0  # POSTs of due reminders to the channel
    resent: int = 0  # reminders POSTed again after the bot that POSTed them was killed
    reclaimed: int = 0  # reminders claimed more than once (a kill between claim and mark)
    problems: list[str] = field(default_factory=list)


async def check(run: Run, due: Mapping[str, Reminder], database: str) -> Tally:
    """Every due reminder in the channel once, marked in the ledger with that message, and POSTed a second time only
    after the bot that POSTed it first was killed (never by two live bots). Problems are listed, not raised."""
    tally = Tally(due=len(due))
    messages = run.fake.messages(REMINDERS)
    in_channel = Counter(m.get("nonce") for m in messages)
    async with peek(database) as db:
        ledger = {key: (state, message_id, attempts) for key, state, message_id, attempts in await db.rows(
            "SELECT key, state, message_id, attempts FROM reminder_ledger")}
    lives = run.by_host()
    sends: dict[str | None, list[RecordedRequest]] = {}
    for request in run.fake.requests:
        if request.method == "POST" and request.path == CHANNEL_POSTS:
            sends.setdefault((request.json or {}).get("nonce"), []).append(request)
    for key in sorted(due):
        nonce = nonce_for(key)
        posts = sends.get(nonce, [])
        tally.posts += len(posts)
        state, message_id, attempts = ledger.get(key, (None, None, 0))
        tally.reclaimed += attempts > 1
        tally.resent += len(posts) > 1
        if in_channel[nonce] != 1:
            tally.problems.append(f"{key}: {in_channel[nonce]} messages in the channel")
        answered = {int(r.response["id"]) for r in posts if r.status == 200}
        if state not in FINAL_STATES or answered != {message_id}:
            tally.problems.append(f"{key}: ledger {state} message {message_id}, POSTs answered with {sorted(answered)}")
        if len(posts) > attempts:
            tally.problems.append(f"{key}: POSTed {len(posts)} times, claimed {attempts} times")
        for earlier, later in zip(posts, posts[1:], strict=False):
            first, second = lives[earlier.headers["Host"]], lives[later.headers["Host"]]
            if first.killed is None or first.killed > later.time or first is second:
                tally.problems.append(
                    f"{key}: POSTed by bot {first.slot} (life {first.number}) and again {later.time - earlier.time:.3f}"
                    f" s later by bot {second.slot} (life {second.number}) while the first was alive")
    stray = [n for n in in_channel if n not in {nonce_for(key) for key in ledger}]
    if stray:
        tally.problems.append(f"{len(stray)} messages for reminders the ledger never claimed: {stray[:3]}")
    return tally


# --- the tests --------------------------------------------------------------------------------------------------


@needs_postgres
async def test_two_bots_on_one_postgres_post_each_reminder_once_through_kills(fake, tmp_path, postgres):
    """Two bots on one PostgreSQL database, one SIGKILLed and restarted ROUNDS times: every due reminder is in the
    channel once, marked in the ledger with that message, and never POSTed by two live bots."""
    started = time.monotonic()
    run, due = await two_bots(fake, tmp_path, (postgres, postgres), ROUNDS, random.Random(SEED))
    tally = await check(run, due, postgres)
    print(f"\n{tally.due} reminders due, {tally.posts} POSTs of them; {ROUNDS} kills ({run.kills_posting} of a bot "
          f"that had posted, {run.kills_in_startup} during start-up); {tally.reclaimed} re-claimed after a kill, "
          f"{tally.resent} of them re-sent (same nonce); {time.monotonic() - started:.1f} s")
    assert tally.problems == [], "\n".join(tally.problems[:20])
    assert tally.due >= 500, "the shifted schedule should make hundreds of reminders due"
    assert tally.reclaimed > 0, "some kills should land between a claim and its mark"
    assert run.kills_posting >= 3, "most kills should land while the bot is posting"


def doubled(tally: Tally) -> list[str]:
    return [p for p in tally.problems if "while the first was alive" in p]


@needs_postgres
async def test_control_without_the_advisory_lock_the_check_finds_double_posts(fake, tmp_path, postgres):
    """The same scenario with the claim's advisory lock bypassed in both bots, without kills: the check finds
    reminders POSTed by both live bots (so the main test's passing means something)."""
    run, due = await two_bots(fake, tmp_path, (postgres, postgres), 0, random.Random(SEED), bypass_lock=True)
    tally = await check(run, due, postgres)
    print(f"\nwithout the lock: {len(doubled(tally))} of {tally.due} reminders POSTed by both bots")
    assert len(doubled(tally)) >= 100, tally.problems[:5]


async def test_control_two_sqlite_files_the_check_finds_double_posts(fake, tmp_path):
    """The same scenario on two SQLite files (two ledgers: nothing makes the claim exclusive), without kills: the
    check finds reminders POSTed by both live bots."""
    databases = (str(tmp_path / "a" / "coursebot.sqlite3"), str(tmp_path / "b" / "coursebot.sqlite3"))
    run, due = await two_bots(fake, tmp_path, databases, 0, random.Random(SEED))
    for database in databases:
        tally = await check(run, due, database)
        print(f"\ntwo ledgers ({Path(database).parent.name}): {len(doubled(tally))} of {tally.due} reminders POSTed "
              "by both bots")
        assert len(doubled(tally)) >= 100, tally.problems[:5]
