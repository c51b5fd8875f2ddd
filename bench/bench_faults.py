"""Figures for the README's "Reliability" section: recovery times and latencies under injected faults.

Run: .venv/bin/python bench/bench_faults.py [--rounds 5]
The real bot runs in-process against the fake Discord (tests/reliability/inprocess.py), which injects
the faults and records when each frame and request arrives (monotonic clock). Gateway figures are
from the fault to the recovery frame; interaction figures from the fake dispatching INTERACTION_CREATE
to the callback arriving (what Discord's 3 s deadline measures); reminder figures from the planned
instant (the wall clock, moved with time-machine) to the post arriving.

Two discord.py delays are taken out, as in the tests, and reported beside the figures: the 5 s it
sleeps before a re-IDENTIFY, and its 60 s heartbeat_timeout (here 0.5 s, the fake beating every 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

import time_machine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.clock import system_clock  # noqa: E402
from tests.harness import (  # noqa: E402
    ANNOUNCEMENTS,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    REMINDERS,
    TestClock,
    at,
    make_fake,
    settings_for,
)
from tests.reliability.inprocess import (  # noqa: E402
    CALLBACK,
    EVE,
    MESSAGES,
    OK,
    STUDENT_COMMANDS,
    accepted,
    ack_latency,
    ask,
    commands_done,
    started,
)

SLOW_API = r"/(interactions|webhooks|channels)/.*|/users/@me/channels"
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
INSTRUCTOR_COMMANDS = [  # both post to the announcement channel, so they can be repeated
    {"name": "announce", "options": {"message": "Room change: Thursday's class is in 204."}},
    {"name": "course", "subcommand": "officehours", "options": {"text": "No office hours this Friday."}},
]
Rows = list[tuple[str, str, str]]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def spread(values: list[float]) -> str:
    return f"{ms(statistics.median(values))} / {ms(max(values))}"


async def with_bot(scenario: Callable[..., Awaitable[None]], *, reminders: bool = False,
                   heartbeat_interval: int | None = None, heartbeat_timeout: float | None = None) -> None:
    fake = make_fake()
    if heartbeat_interval is not None:
        fake.heartbeat_interval = heartbeat_interval
    await fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            overrides = {} if reminders else {"reminder_channel_id": None}
            settings = settings_for(fake, Path(tmp), **overrides)
            clock = TestClock(at(2024, 9, 17, 9, 0))
            async with started(fake, settings, clock, heartbeat_timeout=heartbeat_timeout) as bot:
                await scenario(fake, bot)
    finally:
        await fake.stop()


async def answered_after(fake) -> float:
    interaction = await ask(fake, "next")
    return ack_latency(await accepted(fake, interaction), interaction)


async def gateway_figures(rounds: int) -> Rows:
    resume, resume_answer, reconnect, identify, zombie = [], [], [], [], []

    async def drops(fake, bot) -> None:
        for _ in range(rounds):
            since = len(fake.gateway_frames)
            t0 = time.monotonic()
            await fake.drop_gateway(4000)
            frame = await fake.wait_for_gateway(0, direction="send", event="RESUMED", since=since)
            await fake.wait_until_ready()
            resume.append(frame.time - t0)
            resume_answer.append(await answered_after(fake))
        for _ in range(rounds):
            since = len(fake.gateway_frames)
            t0 = time.monotonic()
            await fake.request_reconnect()
            frame = await fake.wait_for_gateway(0, direction="send", event="RESUMED", since=since)
            await fake.wait_until_ready()
            reconnect.append(frame.time - t0)
        for _ in range(rounds):
            since = len(fake.gateway_frames)
            t0 = time.monotonic()
            await fake.invalidate_session(resumable=False)
            frame = await fake.wait_for_gateway(0, direction="send", event="GUILD_CREATE", since=since)
            await fake.wait_until_ready()
            identify.append(frame.time - t0)

    async def zombies(fake, bot) -> None:
        for _ in range(rounds):
            since = len(fake.gateway_frames)
            fake.set_heartbeat_acks(False)
            t0 = time.monotonic()
            frame = await fake.wait_for_gateway(6, since=since)
            fake.set_heartbeat_acks(True)
            await fake.wait_until_ready()
            zombie.append(frame.time - t0)

    await with_bot(drops)
    await with_bot(zombies, heartbeat_interval=100, heartbeat_timeout=0.5)
    return [
        ("connection dropped (4000) → RESUMED, median / max", spread(resume), "discord.py resumes at once"),
        ("… then /next acknowledged, median / max", spread(resume_answer), "< 3 s"),
        ("op 7 RECONNECT → RESUMED, median / max", spread(reconnect), ""),
        ("INVALID_SESSION → READY + GUILD_CREATE, median / max", spread(identify),
         "+ 5 s discord.py identify pause in production"),
        ("heartbeats unacknowledged → RESUME (timeout 0.5 s, beat 100 ms)", spread(zombie),
         "production: 60 s of silence (heartbeat_timeout)"),
    ]


async def interaction_figures(rounds: int) -> Rows:
    limited: list[float] = []
    students: list[float] = []
    teachers: list[float] = []
    teacher_done: list[float] = []

    async def rate_limited(fake, bot) -> None:
        for _ in range(rounds):
            fake.inject("POST", CALLBACK, status=429, retry_after=0.2)
            limited.append(await answered_after(fake))

    async def slow_api(fake, bot) -> None:
        fake.inject("*", SLOW_API, status=None, delay=2.0, times=None)
        for _ in range(rounds):
            sent = [await ask(fake, **c) for c in STUDENT_COMMANDS]
            sent += [await ask(fake, **c, **TEACHER) for c in INSTRUCTOR_COMMANDS]
            acks = [await accepted(fake, i, timeout=10) for i in sent]
            latencies = [ack_latency(a, i) for a, i in zip(acks, sent, strict=True)]
            students.extend(latencies[:len(STUDENT_COMMANDS)])
            teachers.extend(latencies[len(STUDENT_COMMANDS):])
            await commands_done(timeout=30)
            for interaction in sent[len(STUDENT_COMMANDS):]:
                last = [r for r in fake.requests if r.path.endswith(f"/{interaction.token}") and r.status in OK][-1]
                teacher_done.append(last.time - interaction.created)

    await with_bot(rate_limited)
    await with_bot(slow_api)
    return [
        ("callback 429 (retry_after 0.2 s) → callback accepted, median / max", spread(limited), "< 3 s"),
        (f"REST answering in 2 s: {len(STUDENT_COMMANDS)} student commands at once, ack median / max",
         spread(students), "< 3 s"),
        ("REST answering in 2 s: /announce + /course officehours at once, ack (defer) median / max",
         spread(teachers),
         "< 3 s"),
        ("… their answer (follow-up after the announcement) arrives, median / max", spread(teacher_done), "15 min"),
    ]


async def reminder_figures() -> Rows:
    """One reminder (Tue 17 Sep 18:00) per fault: from its instant to Discord having stored the message."""
    rows: Rows = []
    start = at(2024, 9, 17, 18, 0)
    cases: list[tuple[str, list[dict[str, object]]]] = [
        ("REST answering in 2 s", [{"status": None, "delay": 2.0, "times": None}]),
        ("429, retry_after 0.2 s", [{"status": 429, "retry_after": 0.2}]),
        ("500 then 502 (discord.py retries after 1 s, 3 s)", [{"status": 500}, {"status": 502}]),
        ("gateway down (held) at the instant", []),
    ]
    for label, faults in cases:
        fake = make_fake()
        await fake.start()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                settings = settings_for(fake, Path(tmp))
                with time_machine.travel(start - dt.timedelta(minutes=1), tick=False) as traveller:
                    async with started(fake, settings, system_clock) as bot:
                        if not faults:
                            fake.hold_gateway()
                            await fake.drop_gateway()
                            await fake.wait_for_held_connection()
                        for fault in faults:
                            fake.inject("POST", MESSAGES, **fault)  # type: ignore[arg-type]
                        traveller.move_to(start)
                        due = time.monotonic()
                        bot.reminders.scheduler.wakeup()
                        await fake.wait_for_request("POST", MESSAGES, timeout=15, predicate=lambda r: r.status in OK)
                        stored = time.monotonic() - due
                        outcome = await bot.reminders.deliver(EVE)
                        if not faults:
                            fake.hold_gateway(False)
                            await fake.wait_until_ready()
            count = len(fake.messages(REMINDERS))
            rows.append((f"reminder post, {label}: instant → stored", ms(stored),
                         f"{count} message, ledger '{outcome.state}'"))
        finally:
            await fake.stop()
    return rows


async def main(rounds: int) -> None:
    logging.disable(logging.CRITICAL)  # faults make the bot log on purpose
    # discord.py dispatches on_ready 2 s after READY (guild_ready_timeout); a scenario that closes the bot
    # sooner leaves that dispatch un-awaited at exit, which is harmless.
    warnings.filterwarnings("ignore", "coroutine 'Client._run_event' was never awaited", RuntimeWarning)
    rows = await gateway_figures(rounds) + await interaction_figures(rounds) + await reminder_figures()
    print("| measure | figure | note |")
    print("|---|---:|---|")
    for measure, figure, note in rows:
        print(f"| {measure} | {figure} | {note} |")
    print(f"\n({rounds} rounds each; announcement channel {ANNOUNCEMENTS}; REST delays are the fake's)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args().rounds))
