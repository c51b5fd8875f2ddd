"""Many courses in one bot process: start-up and memory, a minute when every server's reminder falls due, and
/readings latency at 1,000 courses against 1 course and a bare discord.py bot.

Run: .venv/bin/python bench/bench_many.py [--courses 1000] [--engine sqlite|postgresql|both]
         [--only startup,reminders,latency] [--reps 3] [--lead 60] [--n 500] [--rounds 7] [--profile DIR]
PostgreSQL needs COURSEBOT_TEST_POSTGRES (a server URL; a fresh database is made and dropped per run). Start-up is
measured at 1, 100 and --courses courses; --profile DIR adds one cProfile'd start-up (setup_hook) and prints its
hot spots; BENCH_MANY_LOGS=DIR keeps the bots' logs. Each run also says how many CPUs' worth of other work the
machine did meanwhile ([in brackets], from /proc/stat less the bots' and this process's CPU): on a shared 2-core
machine that is what moves the figures.

The setting: N servers of the fake Discord (tests/fake_discord), each with #general, #announcements and
#reminders, two roles and the bot allowed to make Discord events, and N synthetic courses (bench/many_courses.py:
the three test courses varied, every one different, terms starting 9 to 37 days from today), one uploaded per
server, with its /setup values, written through bot.store's API before the bot starts (as
tests/harness.seed_server does, on one connection). No guild_id: global commands, as a bot serving many servers
runs.

The bot runs as a child process (bench/many_bot.py: bot.app.CourseBot, unmodified, logging as run_bot sets it)
against the fake Discord in this process, as in bench_discord.py: its CPU time and its RSS are its own. Figures:

1. start-up: seconds from `bot.start` to on_ready (READY plus every guild's GUILD_CREATE, so including
   discord.py's guild_ready_timeout of 2 s after the last one), of which `setup_hook` (store, courses, plans,
   command sync; a breakdown by step follows the table), and the bot's CPU seconds meanwhile; RSS = VmRSS from
   /proc/<bot>/status at on_ready (VmHWM, the peak, beside it). The fake's own share is measured apart: VmRSS of
   a fresh process before and after it makes and starts the fake with N guilds (what the one process would also
   hold if the fake ran inside it).
2. reminders: each course gets a homework deadline whose 24-hour reminder falls due at the same whole minute
   T0, a little after the bot will be ready; the bot runs on the wall clock (system_clock), so APScheduler wakes
   every course's job at T0 itself. The fake counts the posts; after the bot stops, each server's reminder channel
   must hold exactly one message and each course's ledger one row for that key, 'sent', with the message's id.
   Time = from T0 to the last post reaching the fake. Discord events are switched off and the weekly digest too
   for this run (so that nothing else is posted in that minute). The fake enforces no rate limit (only injected
   429s): the figure is the time without Discord's global limit of 50 requests/s, which alone makes 1,000 posts
   take >= 20 s.
3. latency: four bots at once, each on its own fake, asked in turn (one request at a time, as in bench_discord.py;
   which bot is asked first rotates): CourseBot with N courses, CourseBot with 1 course (the same course 0), and
   the floor, a bare discord.py bot (one app command answering each date with the very message the course bot
   sent for it, prepared once), with one guild and with N guilds. Latency = from the fake sending
   INTERACTION_CREATE to the fake receiving the callback. Interactions come from server 0; the course bots are
   measured once every course's Discord-events sync is done. A ratio is the median over the rounds of that
   round's ratio. The bots also report their CPU time per request and the garbage collector's pauses.
Every figure is the median over the repetitions (latency: over the rounds of each round's p50/p99).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from many_courses import course_text, planted_key  # noqa: E402

from bot.core.loader import load_text  # noqa: E402
from bot.server_config import to_text  # noqa: E402
from bot.store import Store, StoredUpload  # noqa: E402
from tests.conftest import fresh_postgres_database  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402
from tests.fake_discord.models import DEFAULT_BOT_PERMISSIONS  # noqa: E402
from tests.fake_discord.permissions import CREATE_EVENTS, MANAGE_EVENTS  # noqa: E402
from tests.harness import ANNOUNCEMENTS, GENERAL, INSTRUCTOR_ROLE, REMINDERS, STUDENT_ROLE, make_fake  # noqa: E402

POSTGRES_URL = os.environ.get("COURSEBOT_TEST_POSTGRES", "")
LOGS = Path(os.environ.get("BENCH_MANY_LOGS", "")) if os.environ.get("BENCH_MANY_LOGS") else None  # keep bot logs
BOT_PERMISSIONS = DEFAULT_BOT_PERMISSIONS | CREATE_EVENTS | MANAGE_EVENTS
SEEDED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


# --- the world: fake guilds, databases, seeded courses ---------------------------------------------------------

@dataclass(frozen=True)
class Server:
    guild_id: int
    reminders: int
    announcements: int
    instructor_role: int
    student_role: int


def build_fake(servers: int) -> tuple[FakeDiscord, list[Server]]:
    """The fake with `servers` guilds (at least the default one), each with the channels and roles of a course; the
    bot may create Discord events there (as a course's admins allow it to)."""
    fake = make_fake(bot_permissions=BOT_PERMISSIONS)
    found = [Server(fake.guild_id, REMINDERS, ANNOUNCEMENTS, INSTRUCTOR_ROLE, STUDENT_ROLE)]
    for i in range(1, servers):
        ids = [fake.world.snowflake() for _ in range(5)]
        gid = fake.add_guild(f"Course server {i + 1}",
                             channels=[{"id": ids[0], "name": "general"}, {"id": ids[1], "name": "announcements"},
                                       {"id": ids[2], "name": "reminders"}],
                             roles=[{"id": ids[3], "name": "Instructor"}, {"id": ids[4], "name": "Students"}],
                             bot_permissions=BOT_PERMISSIONS)
        found.append(Server(gid, ids[2], ids[1], ids[3], ids[4]))
    assert GENERAL in fake.channel_ids
    return fake, found


@contextlib.asynccontextmanager
async def fresh_database(engine: str, tmp: Path) -> AsyncIterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database on COURSEBOT_TEST_POSTGRES dropped after."""
    if engine == "sqlite":
        yield str(tmp / f"many-{uuid.uuid4().hex[:8]}.sqlite3")
        return
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


async def seed(database: str, servers: list[Server], texts: list[str]) -> None:
    """What each server's admins leave with /setup and /course upload (announced), on one connection."""
    store = await Store.open(database)
    try:
        for i, (server, text) in enumerate(zip(servers, texts, strict=True)):
            values = {"reminder_channel_id": server.reminders, "announce_channel_id": server.announcements,
                      "instructor_role_id": server.instructor_role, "student_role_id": server.student_role}
            await store.set_server_settings(server.guild_id, {k: to_text(k, v) for k, v in values.items()}, None,
                                            SEEDED_AT)
            scoped = store.scoped(server.guild_id)
            upload = await scoped.add_upload(StoredUpload(SEEDED_AT, None, "seed", f"course{i + 1}.yaml", text, 0, (),
                                                          ("New course",), announced=True))
            assert upload.id is not None
            await scoped.mark_announced(upload.id)
    finally:
        await store.close()


# --- the bot process -------------------------------------------------------------------------------------------

class BotProcess:
    """bench/many_bot.py as a child process; its JSON lines by key."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log
        self.lines: dict[str, dict[str, Any]] = {}
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, config: dict[str, Any], log: Path) -> BotProcess:
        if LOGS is not None:
            LOGS.mkdir(parents=True, exist_ok=True)
            log = LOGS / f"{time.strftime('%H%M%S')}-{log.name}"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(sys.executable, str(REPO / "bench" / "many_bot.py"),
                                                        json.dumps(config), cwd=REPO, env=env,
                                                        stdout=asyncio.subprocess.PIPE, stderr=err)
        return cls(proc, log)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.lines.update(json.loads(raw))
                self._changed.set()
        self._changed.set()

    async def wait_for(self, key: str, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        async def until() -> dict[str, Any]:
            while key not in self.lines:
                if self.proc.returncode is not None or self._reader.done():
                    raise RuntimeError(f"the bot exited before {key!r}:\n{self.log.read_text()[-3000:]}")
                self._changed.clear()
                await self._changed.wait()
            return self.lines[key]

        return await asyncio.wait_for(until(), timeout)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.terminate()
        try:
            code = await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            code = await self.proc.wait()
        await self._reader
        return code


def course_config(fake: FakeDiscord, database: str, profile: str | None = None, out: str = "",
                  breakdown: bool = False, **settings: Any) -> dict[str, Any]:
    return {"mode": "course", "token": fake.token, "profile": profile, "profile_out": out, "breakdown": breakdown,
            "settings": {"database": database, "api_base": fake.base_url, **settings}}


def fake_rss(servers: int) -> tuple[float, float]:
    """VmRSS (MB) of a fresh process before and after it makes and starts the fake Discord with `servers` guilds."""
    import subprocess

    out = subprocess.run([sys.executable, __file__, "--fake-rss", str(servers)], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    before, after = map(float, out.strip().splitlines()[-1].split())
    return before, after


def _vmrss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _fake_rss_main(servers: int) -> None:
    before = _vmrss_mb()  # the interpreter and the imports (discord.py, aiohttp, the bot's modules)
    fake, _ = build_fake(servers)
    await fake.start()
    print(before, _vmrss_mb())
    await fake.stop()


# --- how busy the machine was with other work -----------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _busy() -> float:
    """CPU seconds the whole machine has been busy (every CPU; /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


class OtherLoad:
    """CPUs' worth of work done by processes other than the bot and this bench between `__init__` and `stop` (a
    machine shared with other jobs slows the bot down; on PostgreSQL its server's work counts here too)."""

    def __init__(self, *pids: int) -> None:
        self.pids = pids
        self.start = (time.monotonic(), _busy(), sum(map(_cpu_of, pids)), sum(os.times()[:2]))

    def stop(self) -> float:
        wall, busy, bots, me = self.start
        ours = sum(map(_cpu_of, self.pids)) - bots + sum(os.times()[:2]) - me
        return ((_busy() - busy) - ours) / (time.monotonic() - wall)


# --- 1. start-up -----------------------------------------------------------------------------------------------

async def startup_once(courses: int, engine: str, tmp: Path, profile: str | None = None) -> dict[str, Any]:
    today = dt.datetime.now(dt.timezone.utc).date()
    fake, servers = build_fake(courses)
    await fake.start()
    try:
        async with fresh_database(engine, tmp) as database:
            await seed(database, servers, [course_text(i, today) for i in range(courses)])
            bot = await BotProcess.start(course_config(fake, database, "startup" if profile else None,
                                                       profile or "", breakdown=not profile), tmp / "startup.log")
            others = OtherLoad(bot.proc.pid)
            try:
                ready = await bot.wait_for("ready", 300)
                ready["others"] = others.stop()
                quiet = await bot.wait_for("quiet", 300)
            finally:
                code = await bot.stop()
            assert code == 0, bot.log.read_text()[-3000:]
            assert ready["guilds"] == courses and ready["with_course"] == courses, ready
            assert not fake.unknown_requests, fake.unknown_requests[:3]
            return {"ready": ready, "quiet": quiet, "events": sum(len(g.scheduled_events)
                                                                   for g in fake.world.guilds.values())}
    finally:
        await fake.stop()


# --- 2. reminders due in the same minute -----------------------------------------------------------------------

async def reminders_once(courses: int, engine: str, tmp: Path, lead: float) -> dict[str, Any]:
    now = dt.datetime.now(dt.timezone.utc)
    t0 = (now + dt.timedelta(seconds=lead + 59)).replace(second=0, microsecond=0)
    texts = [course_text(i, now.date(), t0) for i in range(courses)]
    keys = []
    for i, text in enumerate(texts):
        course = load_text(text, f"course{i + 1}.yaml").course
        due = course.due_at(next(d for d in course.deadlines if d.id == "bench-due"))
        keys.append(planted_key(due.astimezone(course.timezone)))
    fake, servers = build_fake(courses)
    channel_of = {s.reminders: s for s in servers}
    await fake.start()
    try:
        async with fresh_database(engine, tmp) as database:
            await seed(database, servers, texts)
            bot = await BotProcess.start(course_config(fake, database, scheduled_events=False, weekly_digest=False),
                                         tmp / "reminders.log")
            try:
                ready = await bot.wait_for("ready", lead + 60)
                t0_mono = time.monotonic() + (t0.timestamp() - time.time())
                ready_margin = t0_mono - time.monotonic()
                posts: list[float] = []  # when each post to a reminder channel reached the fake
                deadline = t0_mono + 180
                others: OtherLoad | None = None
                while len(posts) < courses and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                    if others is None and time.monotonic() >= t0_mono:
                        others = OtherLoad(bot.proc.pid)
                    posts = [r.time for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")
                             and int(r.path.split("/")[2]) in channel_of]
                other_load = others.stop() if others is not None else float("nan")
                await asyncio.sleep(3)  # a second post would come now
            finally:
                code = await bot.stop()
            assert code == 0, bot.log.read_text()[-3000:]
            messages = {s.guild_id: fake.messages(s.reminders) for s in servers}
            store = await Store.open(database)
            try:
                rows_ok = extra_rows = 0
                for server, key in zip(servers, keys, strict=True):
                    scoped = store.scoped(server.guild_id)
                    ledger = await scoped.ledger()
                    entry = ledger.get(key)
                    sent = messages[server.guild_id]
                    if entry is not None and entry.state == "sent" and len(sent) == 1 \
                            and entry.message_id == int(sent[0]["id"]):
                        rows_ok += 1
                    extra_rows += len(ledger) - (key in ledger)
            finally:
                await store.close()
    finally:
        await fake.stop()
    times = sorted(posts)
    logged = [dt.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()  # asctime: local time, in ms
              for line in bot.log.read_text().splitlines() if "reminder posted key=deadline:bench-due" in line]
    return {"ready_margin": ready_margin, "ready": ready["seconds"], "others": other_load,
            "posted_once": sum(len(m) == 1 for m in messages.values()),
            "duplicates": sum(max(0, len(m) - 1) for m in messages.values()),
            "missing": sum(not m for m in messages.values()), "ledger_ok": rows_ok, "other_rows": extra_rows,
            "first": times[0] - t0_mono if times else float("nan"),
            "last": times[-1] - t0_mono if times else float("nan"),
            "marked": max(logged) - t0.timestamp() if logged else float("nan"),
            "late_prefix": sum("Late reminder" in m[0]["content"] for m in messages.values() if m)}


# --- 3. /readings latency --------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Target:
    name: str
    fake: FakeDiscord
    guild_id: int
    bot: BotProcess | None = None
    times: list[list[float]] = field(default_factory=list)
    asked: int = 0  # interactions sent after the bot was quiet

    async def ask(self, date: str | None) -> tuple[float, Any]:
        self.asked += 1
        since = len(self.fake.requests)
        options = {"date": date} if date is not None else None
        interaction = await self.fake.send_interaction(name="readings", options=options, guild_id=self.guild_id)
        path = rf"/interactions/{interaction.id}/{re.escape(interaction.token)}/callback"
        callback = await self.fake.wait_for_request("POST", path, since=since, answered=True, timeout=10)
        assert callback.status in (200, 204), (self.name, callback.status, callback.response)
        return (callback.time - interaction.created) * 1000, callback.json


async def latency(courses: int, engine: str, tmp: Path, n: int, rounds: int,
                  profile: str | None = None) -> dict[str, Any]:
    today = dt.datetime.now(dt.timezone.utc).date()
    texts = [course_text(i, today) for i in range(courses)]
    course0 = load_text(texts[0], "course1.yaml").course
    held = [s for s in course0.sessions if not s.cancelled]
    dates = ["next", "#3", "#13", *(f"{s.date.month}/{s.date.day}" for s in held[1:len(held):5]), None]
    targets: list[Target] = []
    async with contextlib.AsyncExitStack() as stack:
        for name, servers, with_courses in ((f"CourseBot, {courses:,} courses", courses, True),
                                            ("CourseBot, 1 course", 1, True),
                                            ("bare discord.py bot, 1 guild", 1, False),
                                            (f"bare discord.py bot, {courses:,} guilds", courses, False)):
            fake, found = build_fake(servers)
            await fake.start()
            stack.push_async_callback(fake.stop)
            targets.append(Target(name, fake, found[0].guild_id))
            if with_courses:
                database = await stack.enter_async_context(fresh_database(engine, tmp))
                await seed(database, found, texts[:servers])
                bot = await BotProcess.start(
                    course_config(fake, database, "steady" if profile and servers == courses else None,
                                  profile or ""), tmp / f"latency-{servers}.log")
                stack.push_async_callback(bot.stop)
                targets[-1].bot = bot
        for target in targets[:2]:
            assert target.bot is not None
            await target.bot.wait_for("quiet", 300)
        answers = {}
        for date in dates:  # the course bots answer alike (the same course 0)
            answers[date] = [(await t.ask(date))[1] for t in targets[:2]]
            assert answers[date][0] == answers[date][1], date
        sizes = sorted(len(json.dumps(a[0]["data"])) for a in answers.values())
        for target in targets[2:]:
            target.bot = await BotProcess.start({"mode": "floor", "token": target.fake.token,
                                                 "api_base": target.fake.base_url,
                                                 "answers": {json.dumps(d): a[0]["data"] for d, a in answers.items()}},
                                                tmp / f"floor-{len(target.fake.guild_ids)}.log")
            stack.push_async_callback(target.bot.stop)
            await target.bot.wait_for("ready", 120)
            await target.fake.wait_for_request("PUT", r"/applications/\d+/commands", timeout=30)
        for _ in range(20):  # warm-up
            for target in targets:
                await target.ask(dates[0])
        others = OtherLoad(*(t.bot.proc.pid for t in targets if t.bot is not None))
        for _ in range(rounds):
            per = [[] for _ in targets]
            for i in range(n):
                for j in range(len(targets)):  # each bot in turn, starting with another one each time
                    k = (i + j) % len(targets)
                    per[k].append((await targets[k].ask(dates[i % len(dates)]))[0])
            for k, target in enumerate(targets):
                target.times.append(per[k])
        other_load = others.stop()
        rss = {t.name: t.bot.rss_mb() for t in targets if t.bot is not None}
        for t in targets:
            assert t.bot is not None
            await t.bot.stop()
        collector = {t.name: t.bot.lines.get("gc", {}) for t in targets if t.bot is not None}
        cpu = {t.name: t.bot.lines.get("cpu_after_quiet", float("nan")) / t.asked * 1000 for t in targets
               if t.bot is not None}
    def paired(a: Target, b: Target, p: float) -> tuple[float, list[float]]:
        """a's percentile over b's, round by round (both measured under the same load); the median and each."""
        each = [percentile(x, p) / percentile(y, p) for x, y in zip(a.times, b.times, strict=True)]
        return statistics.median(each), each

    many, one, floor, floor_many = targets
    ratios = {label: (paired(a, b, 50), paired(a, b, 99)) for label, a, b in (
        (f"{courses:,} courses / 1 course", many, one), ("1 course / floor (1 guild)", one, floor),
        (f"floor {courses:,} guilds / floor 1 guild (the fake's own share)", floor_many, floor),
        (f"{courses:,} courses / floor {courses:,} guilds", many, floor_many))}
    return {"targets": [(t.name, statistics.median(statistics.median(r) for r in t.times),
                         statistics.median(percentile(r, 99) for r in t.times), rss[t.name]) for t in targets],
            "ratios": ratios, "gc": collector, "cpu_ms": cpu, "sizes": sizes, "others": other_load}


# --- the report ------------------------------------------------------------------------------------------------

def print_profile(path: Path, limit: int = 20) -> None:
    """The functions with the most time of their own, as file:function, with their share of the total."""
    import pstats

    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:limit]  # type: ignore[attr-defined]
    print("| function (file:line function) | own time | share | with callees |\n|---|---:|---:|---:|")
    for (file, line, name), (_, calls, own, cumulative, _) in rows:
        where = file.replace(str(REPO) + "/", "").split("site-packages/")[-1]
        print(f"| {where}:{line} {name} ({calls:,} calls) | {own:.2f} s | {100 * own / total:.1f} % | "
              f"{cumulative:.2f} s |")
    print()


def med(values: list[float]) -> float:
    return statistics.median(values)


async def main(args: argparse.Namespace) -> None:
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines and not POSTGRES_URL:
        sys.exit("PostgreSQL: set COURSEBOT_TEST_POSTGRES to a server URL")
    only = set(args.only.split(","))
    sizes = sorted({1, min(100, args.courses), args.courses})
    print(f"Machine: {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.system()} "
          f"{platform.release()}; {args.reps} repetitions, medians shown; load average at start "
          f"{os.getloadavg()[0]:.2f}.\n", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "startup" in only:
            print("1. Start-up (bot.start → on_ready with every guild, discord.py's 2 s guild_ready_timeout included) "
                  "and memory (VmRSS of the bot process from /proc; VmHWM = its peak)\n")
            print("Each run's figure is in brackets with [the CPUs' worth of other work on the machine meanwhile].\n")
            print("| engine | courses | bot.start → READY (runs) | of which setup_hook | bot's CPU time to READY | "
                  "RSS at ready (peak) | RSS once Discord events synced | fake Discord: its N guilds (its whole "
                  "process) | target |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
            breakdowns = {}
            for engine in engines:
                for size in sizes:
                    runs = [await startup_once(size, engine, tmp) for _ in range(args.reps)]
                    fakes = [fake_rss(size) for _ in range(min(args.reps, 3))]
                    fake_mb = med([after - before for before, after in fakes])
                    fake_all = med([after for _, after in fakes])
                    seconds = med([r["ready"]["seconds"] for r in runs])
                    rss = med([r["ready"]["VmRSS"] for r in runs])
                    target = ""
                    if size == 1000:
                        target = (f"≤ 15 s: {'met' if seconds <= 15 else 'MISSED'}; ≤ 400 MB: "
                                  f"{'met' if rss <= 400 else 'MISSED'}")
                    spread = ", ".join(f"{r['ready']['seconds']:.1f} [{r['ready']['others']:.1f}]" for r in runs)
                    print(f"| {engine} | {size:,} | {seconds:.2f} s ({spread}) | "
                          f"{med([r['ready']['setup_seconds'] for r in runs]):.2f} s | "
                          f"{med([r['ready']['cpu'] for r in runs]):.2f} s | "
                          f"{rss:.0f} MB ({med([r['ready']['VmHWM'] for r in runs]):.0f} MB) | "
                          f"{med([r['quiet']['VmRSS'] for r in runs]):.0f} MB | "
                          f"+{fake_mb:.0f} MB ({fake_all:.0f} MB) | {target} |", flush=True)
                    breakdowns[engine, size] = runs
            print()
            for engine in engines:
                runs = breakdowns[engine, max(sizes)]
                setup = med([r["ready"]["setup_seconds"] for r in runs])
                print(f"Where setup_hook's {setup:.1f} s go at {max(sizes):,} courses on {engine} (median of "
                      f"{len(runs)}; {med([r['ready']['reminders'] for r in runs]):,.0f} reminders planned, "
                      f"{med([r['ready']['jobs'] for r in runs]):,.0f} APScheduler jobs, "
                      f"{med([r['events'] for r in runs]):,.0f} Discord events made after ready):\n")
                print("| step | seconds | share of setup_hook |\n|---|---:|---:|")
                for label in runs[0]["ready"]["breakdown"]:
                    value = med([r["ready"]["breakdown"][label] for r in runs])
                    print(f"| {label} | {value:.2f} | {100 * value / setup:.0f} % |")
                print()
            if args.profile:
                out = Path(args.profile) / f"startup-{engines[0]}.prof"
                await startup_once(args.courses, engines[0], tmp, profile=str(out))
                print(f"cProfile of one start-up ({engines[0]}, {args.courses:,} courses; main thread only, the "
                      f"profiler slows it down), setup_hook only: {out}\n")
                print_profile(out)
        if "reminders" in only:
            print(f"(load average {os.getloadavg()[0]:.2f})\n")
            print(f"2. {args.courses:,} servers whose reminders fall due in the same minute (the bot on the wall "
                  "clock; APScheduler wakes each course's job at T0)\n")
            print("| engine | posted exactly once | duplicates / missing | ledger 'sent' with that message | "
                  "first post after T0 | last post after T0 (runs [other work, CPUs]) | "
                  "last marked 'sent' (its log line) | Discord's global limit (50/s) |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for engine in engines:
                runs = []
                for _ in range(args.reps):
                    runs.append(await reminders_once(args.courses, engine, tmp, args.lead))
                    r = runs[-1]
                    if r["ready_margin"] < 1 or r["other_rows"] or r["late_prefix"]:
                        print(f"  (run: ready {r['ready_margin']:.1f} s before T0, other ledger rows "
                              f"{r['other_rows']}, late {r['late_prefix']})")
                lasts = ", ".join(f"{r['last']:.2f} [{r['others']:.1f}]" for r in runs)
                print(f"| {engine} | {min(r['posted_once'] for r in runs):,} / {args.courses:,} | "
                      f"{max(r['duplicates'] for r in runs)} / {max(r['missing'] for r in runs)} | "
                      f"{min(r['ledger_ok'] for r in runs):,} / {args.courses:,} | "
                      f"{med([r['first'] for r in runs]):.2f} s | {med([r['last'] for r in runs]):.2f} s "
                      f"({lasts}) | "
                      f"{med([r['marked'] for r in runs]):.2f} s | "
                      f"≥ {args.courses / 50:.1f} s |", flush=True)
            print()
        if "latency" in only:
            print(f"(load average {os.getloadavg()[0]:.2f})\n")
            engine = engines[0]
            result = await latency(args.courses, engine, tmp, args.n, args.rounds)
            rows = {name: (p50, p99, rss) for name, p50, p99, rss in result["targets"]}
            names = [name for name, *_ in result["targets"]]
            print(f"3. /readings latency ({engine}; {args.rounds} rounds of {args.n} calls to each bot, "
                  f"interleaved; {len(result['sizes'])} dates asked in turn, answers of {result['sizes'][0]:,} to "
                  f"{result['sizes'][-1]:,} bytes of JSON, the floor's the same for each date; other work on the "
                  f"machine meanwhile: {result['others']:.1f} CPUs)\n")
            print("| bot | p50 | p99 | bot's CPU per request | RSS after | gc pauses during the run: gen 0 / 1 / 2 "
                  "count (longest) |\n|---|---:|---:|---:|---:|---|")
            for name in names:
                p50, p99, rss = rows[name]
                pauses = " / ".join(f"{g['count']} ({g['max_ms']:.1f} ms)" for g in result["gc"][name].values())
                print(f"| {name} | {p50:.2f} ms | {p99:.2f} ms | {result['cpu_ms'][name]:.2f} ms | {rss:.0f} MB | "
                      f"{pauses} |")
            print("\nRatios: the median over the rounds of each round's ratio (the four bots are asked in turn, so a "
                  "round's figures share the machine's load); each round's in brackets.\n")
            print("| ratio | p50 | p99 | target |\n|---|---:|---:|---|")
            targets = {0: 1.2, 1: 1.1}
            for k, (label, ((r50, each50), (r99, each99))) in enumerate(result["ratios"].items()):
                verdict = ""
                if k in targets:
                    verdict = f"≤ {targets[k]}×: {'met' if max(r50, r99) <= targets[k] else 'MISSED'}"
                print(f"| {label} | {r50:.2f}× ({', '.join(f'{x:.2f}' for x in each50)}) | {r99:.2f}× "
                      f"({', '.join(f'{x:.2f}' for x in each99)}) | {verdict} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--only", default="startup,reminders,latency")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the start-up and reminder runs")
    parser.add_argument("--lead", type=float, default=60.0,
                        help="seconds from seeding to the reminders' minute (at least; then to the whole minute)")
    parser.add_argument("--n", type=int, default=2000,
                        help="/readings calls per bot per round (their p99 is then the 20th slowest)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", metavar="DIR", help="also profile one start-up with cProfile into DIR")
    parser.add_argument("--fake-rss", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake_rss is not None:
        asyncio.run(_fake_rss_main(args.fake_rss))
    else:
        asyncio.run(main(args))
