"""`python -m bot` as a child process against the fake Discord, and a load driver for it.

Shared by tests/reliability/test_load.py, test_process_faults.py and bench/bench_load.py. The bot's
log goes to a file (a pipe nobody reads would block it); answers are matched by one collector that
walks `fake.requests` once, so 10,000 interactions cost no more to watch than 10.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fake_discord import FakeDiscord, InteractionRecord, RecordedRequest
from tests.harness import ANNOUNCEMENTS, INSTRUCTOR_ROLE, REMINDERS, REPO, SCHEDULE, STUDENT_ROLE

ANSWERS = r"/interactions/(?P<id>\d+)/[^/]+/callback|/webhooks/\d+/(?P<token>[\w-]+)"
_ANSWERS = re.compile(ANSWERS)


def bot_env(fake: FakeDiscord, database: str | Path, **extra: str) -> dict[str, str]:
    """The environment of a bot pointed at the fake: every channel and role set, no other COURSEBOT_ setting.

    `database` is the `database` setting: a SQLite file, or a PostgreSQL URL (the `database` fixture gives either)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEBOT_", "DISCORD_"))}
    env.update({
        "DISCORD_TOKEN": fake.token,
        "COURSEBOT_API_BASE": fake.base_url,
        "COURSEBOT_GUILD_ID": str(fake.guild_id),
        "COURSEBOT_REMINDER_CHANNEL_ID": str(REMINDERS),
        "COURSEBOT_ANNOUNCE_CHANNEL_ID": str(ANNOUNCEMENTS),
        "COURSEBOT_INSTRUCTOR_ROLE_ID": str(INSTRUCTOR_ROLE),
        "COURSEBOT_STUDENT_ROLE_ID": str(STUDENT_ROLE),
        "COURSEBOT_DATABASE": str(database),
        "COURSEBOT_SCHEDULE": str(SCHEDULE),  # the frozen first course, never the live schedule.yaml
        "COURSEBOT_CONFIG": os.devnull,  # an empty settings file: only the variables above apply
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


@dataclass
class BotProcess:
    """One `python -m bot` child; its stderr is appended to `log`."""

    proc: asyncio.subprocess.Process
    log: Path

    @classmethod
    async def start(cls, env: Mapping[str, str], log: Path) -> BotProcess:
        with log.open("ab") as sink:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=REPO, env=dict(env),
                stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
            )
        return cls(proc, log)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_kb(self) -> int:
        """VmRSS from /proc/<pid>/status, in kB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for pid {self.pid}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def wait(self, timeout: float = 10) -> int:  # noqa: ASYNC109
        """Exit status once it has exited (waits on the process, never on the clock)."""
        return await asyncio.wait_for(self.proc.wait(), timeout)

    def kill(self) -> None:
        """SIGKILL, unless it has already exited."""
        if self.proc.returncode is None:
            try:
                self.proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def stop(self, timeout: float = 10) -> int:  # noqa: ASYNC109
        """SIGTERM and wait for the exit (SIGKILL if it does not come)."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await self.wait(timeout)
        except TimeoutError:
            self.kill()
            return await self.wait(timeout)


async def wait_connected(fake: FakeDiscord, since: int, timeout: float = 30) -> None:  # noqa: ASYNC109
    """Until a bot that identified after gateway frame `since` has been sent READY (a new process, not the last one)."""
    await fake.wait_for_gateway(2, since=since, timeout=timeout)  # IDENTIFY
    await fake.wait_for_gateway(0, direction="send", event="GUILD_CREATE", since=since, timeout=timeout)
    await fake.wait_until_ready(timeout=timeout)


@dataclass(frozen=True)
class Answer:
    """How an interaction was answered: `ack` is the initial callback, `final` the message with the answer
    (the callback itself, or the first follow-up after a deferral, type 5)."""

    ack: RecordedRequest
    final: RecordedRequest

    @property
    def ok(self) -> bool:
        return self.ack.status in (200, 204) and self.final.status in (200, 204)

    @property
    def data(self) -> dict[str, Any]:
        body = self.final.json or {}
        return (body.get("data") or {}) if self.final is self.ack else body


def _deferred(callback: RecordedRequest) -> bool:
    return callback.status in (200, 204) and isinstance(callback.json, dict) and callback.json.get("type") == 5


async def answer_of(fake: FakeDiscord, interaction: InteractionRecord, since: int,
                    timeout: float = 15) -> Answer:  # noqa: ASYNC109
    """The answer to one interaction sent after request `since` (waits for the follow-up of a deferral)."""
    callback = await fake.wait_for_request("POST", rf"/interactions/{interaction.id}/[^/]+/callback", since=since,
                                           answered=True, timeout=timeout)
    if not _deferred(callback):
        return Answer(callback, callback)
    followup = await fake.wait_for_request("POST", rf"/webhooks/\d+/{re.escape(interaction.token)}", since=since,
                                           answered=True, timeout=timeout)
    return Answer(callback, followup)


@dataclass
class _Pending:
    interaction: InteractionRecord
    future: asyncio.Future[Answer]
    ack: RecordedRequest | None = None


class Answers:
    """Matches answered callbacks and follow-ups to the interactions waiting for them, for many at once.

    One task walks `fake.requests` forward from where it started (waiting on the fake's own events),
    so each request is looked at a bounded number of times however many interactions are in flight.
    """

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.index = len(fake.requests)
        self._pending: dict[int, _Pending] = {}
        self._by_token: dict[str, int] = {}
        self._early_callbacks: dict[int, RecordedRequest] = {}
        self._early_followups: dict[str, RecordedRequest] = {}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Answers:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def expect(self, interaction: InteractionRecord) -> asyncio.Future[Answer]:
        """A future for the answer to this interaction (call right after sending it)."""
        pending = _Pending(interaction, asyncio.get_running_loop().create_future())
        self._pending[interaction.id] = pending
        self._by_token[interaction.token] = interaction.id
        if (callback := self._early_callbacks.pop(interaction.id, None)) is not None:
            self._on_callback(interaction.id, callback)
        if (followup := self._early_followups.pop(interaction.token, None)) is not None:
            self._on_followup(interaction.token, followup)
        return pending.future

    def _finish(self, interaction_id: int, answer: Answer) -> None:
        pending = self._pending.pop(interaction_id)
        self._by_token.pop(pending.interaction.token, None)
        if not pending.future.done():
            pending.future.set_result(answer)

    def _on_callback(self, interaction_id: int, request: RecordedRequest) -> None:
        pending = self._pending.get(interaction_id)
        if pending is None:
            self._early_callbacks[interaction_id] = request
        elif _deferred(request):
            pending.ack = request
            if (followup := self._early_followups.pop(pending.interaction.token, None)) is not None:
                self._finish(interaction_id, Answer(request, followup))
        else:
            self._finish(interaction_id, Answer(request, request))

    def _on_followup(self, token: str, request: RecordedRequest) -> None:
        interaction_id = self._by_token.get(token)
        pending = self._pending.get(interaction_id) if interaction_id is not None else None
        if pending is None or pending.ack is None:
            self._early_followups.setdefault(token, request)  # the first follow-up is the answer
        else:
            self._finish(pending.interaction.id, Answer(pending.ack, request))

    async def _run(self) -> None:
        requests = self.fake.requests
        while True:
            request = await self.fake.wait_for_request("POST", ANSWERS, since=self.index, timeout=3600)
            position = requests.index(request, self.index)  # identity first: cheap
            self.index = position + 1
            if request.status is None:  # arrived, not yet answered: wait for this one only
                await self.fake.wait_for_request("POST", re.escape(request.path), since=position, answered=True,
                                                 timeout=60)
            match = _ANSWERS.fullmatch(request.path)
            assert match is not None
            if match["id"]:
                self._on_callback(int(match["id"]), request)
            else:
                self._on_followup(match["token"], request)


@dataclass(frozen=True)
class Call:
    """One slash command as a student sends it."""

    name: str
    options: Mapping[str, Any] | None = None
    subcommand: str = ""

    @property
    def command(self) -> str:
        return f"/{self.name} {self.subcommand}".strip()

    def __str__(self) -> str:
        opts = " ".join(f"{k}:{v}" for k, v in (self.options or {}).items())
        return f"/{self.name} {self.subcommand} {opts}".replace("  ", " ").strip()


READING_DATES = ("9/18", "10/2", "Sep 23", "2024-11-04", "#13", "next", "last", "tomorrow", "wed", "12/9",
                 "Oct 14", "8/28", "13/45")  # the last is an error: it is answered too (ephemerally)
SEARCHES = ("flamingo", "transformer", "scaling laws", "chinchila", "Chen et al.", "CLIP", "data curation")
CRITIQUE_DATES = ("9/18", "#13", "10/2", "Nov 4", "9/23")


def student_mix(n: int, *, students: Sequence[int]) -> list[tuple[Call, int]]:
    """`n` (command, student) pairs cycling through every read-only student command and the critique tracker."""
    calls: list[Call] = [Call("readings", {"date": d}) for d in READING_DATES] + [Call("readings")]
    calls += [Call("next"), Call("schedule"), Call("schedule", {"week": "next"}), Call("schedule", {"week": "3"}),
              Call("schedule", {"week": "all"}), Call("officehours"), Call("deadlines"), Call("help"),
              Call("critique", subcommand="rules"), Call("critique", subcommand="status")]
    calls += [Call("search", {"query": q}) for q in SEARCHES]
    calls += [Call("critique", {"date": d}, subcommand="log") for d in CRITIQUE_DATES]
    # Stride through the table and the students with different periods, so pairs vary.
    return [(calls[(i * 7) % len(calls)], students[(i * 3) % len(students)]) for i in range(n)]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection in this (the fake's) process for a while.

    The fake keeps every request it saw; at 10,000 interactions a full collection walks them all
    for 100–300 ms, stalling the fake, and that pause would be counted as the bot's latency.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class LoadResult:
    """Latency from the fake sending INTERACTION_CREATE to it receiving the answer."""

    latencies_ms: list[float] = field(default_factory=list)  # to the answer (the follow-up after a deferral)
    ack_ms: list[float] = field(default_factory=list)  # to the initial callback (Discord's 3 s window)
    by_command: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def answered(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    @property
    def throughput(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def record(self, call: Call, interaction: InteractionRecord, answer: Answer) -> None:
        if answer.ok:
            latency = (answer.final.time - interaction.created) * 1000
            self.latencies_ms.append(latency)
            self.ack_ms.append((answer.ack.time - interaction.created) * 1000)
            self.by_command.setdefault(call.command, []).append(latency)
        else:
            failed = answer.ack if answer.ack.status not in (200, 204) else answer.final
            self.failures.append(f"{call}: {failed.path.split('/')[1]} answered {failed.status} {failed.response}")


async def send(fake: FakeDiscord, call: Call, student: int) -> InteractionRecord:
    return await fake.send_interaction(name=call.name, options=call.options, subcommand=call.subcommand,
                                       user=student, roles=[STUDENT_ROLE])


async def drive(fake: FakeDiscord, work: Iterable[tuple[Call, int]], *, concurrency: int,
                seconds: float | None = None, answer_timeout: float = 10) -> LoadResult:
    """Send every call, at most `concurrency` unanswered at a time; with `seconds`, call i is not sent before
    start + i × seconds / n (loop.call_at), so the run is spread over that long if the bot keeps up."""
    work = list(work)
    result = LoadResult()
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(concurrency)
    tasks: set[asyncio.Task[None]] = set()

    async def one(call: Call, student: int, answers: Answers) -> None:
        try:
            interaction = await send(fake, call, student)
            answer = await asyncio.wait_for(answers.expect(interaction), answer_timeout)
            result.record(call, interaction, answer)
        except TimeoutError:
            result.failures.append(f"{call}: no answer within {answer_timeout} s")
        finally:
            slots.release()

    start = loop.time()
    async with Answers(fake) as answers:
        for i, (call, student) in enumerate(work):
            if seconds is not None:
                due = loop.create_future()
                loop.call_at(start + i * seconds / len(work), due.set_result, None)
                await due
            await slots.acquire()
            task = asyncio.create_task(one(call, student, answers))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
    result.seconds = loop.time() - start
    return result


async def burst(fake: FakeDiscord, work: Sequence[tuple[Call, int]], *,
                answer_timeout: float = 30) -> LoadResult:
    """Send every call back to back without waiting for any answer, then wait for all the answers."""
    result = LoadResult()
    started = time.monotonic()
    async with Answers(fake) as answers:
        pending = []
        for call, student in work:
            interaction = await send(fake, call, student)
            pending.append((call, interaction, answers.expect(interaction)))
        done, _ = await asyncio.wait([f for _, _, f in pending], timeout=answer_timeout)
        for call, interaction, future in pending:
            if future not in done:
                result.failures.append(f"{call}: no answer within {answer_timeout} s")
                continue
            result.record(call, interaction, future.result())
    result.seconds = time.monotonic() - started
    return result
