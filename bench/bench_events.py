"""From an instructor's /course move to the Discord event's edit at the fake, and the cost of a full sync.

Run: .venv/bin/python bench/bench_events.py [--n 40]
The real bot runs in this process against the fake Discord, on the Distributed Systems course, with the
wall clock frozen on Mon Feb 10 2025 (time-machine). Each round moves class 8 to the next day and back; the
time is from the fake sending the interaction to the fake receiving the PATCH of the class's event.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.clock import system_clock  # noqa: E402
from tests.fake_discord import permissions  # noqa: E402
from tests.fake_discord.models import DEFAULT_BOT_PERMISSIONS  # noqa: E402
from tests.harness import INSTRUCTOR, INSTRUCTOR_ROLE, make_fake, running_bot, settings_for  # noqa: E402

DS = REPO / "tests" / "data" / "courses" / "distributed_systems.yaml"
MONDAY = dt.datetime(2025, 2, 10, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(n: int) -> None:
    with time_machine.travel(MONDAY, tick=True), tempfile.TemporaryDirectory() as tmp:
        async with make_fake(bot_permissions=DEFAULT_BOT_PERMISSIONS | permissions.CREATE_EVENTS) as fake:
            settings = settings_for(fake, Path(tmp), schedule=str(DS), reminder_channel_id=None)
            async with running_bot(fake, settings, system_clock) as bot:
                started = time.perf_counter()
                report = await bot.events.sync(bot.course)
                first_sync = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                await bot.events.sync(bot.course)
                idle_sync = (time.perf_counter() - started) * 1000
                latencies = []
                for i in range(n):
                    move = {"date": "2/13", "to": "2/14"} if i % 2 == 0 else {"date": "2/14", "to": "2/13"}
                    since = len(fake.requests)
                    interaction = await fake.send_interaction(name="course", subcommand="move", options=move,
                                                              **TEACHER)
                    patch = await fake.wait_for_request("PATCH", r"/guilds/\d+/scheduled-events/\d+", timeout=10,
                                                        since=since)
                    latencies.append((patch.time - interaction.created) * 1000)
                    await bot.events_task
    print(f"first sync: {report.created} events created in {first_sync:.0f} ms; a sync with nothing to do: "
          f"{idle_sync:.1f} ms")
    print(f"/course move → event edited at the fake, {n} moves: median {statistics.median(latencies):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    asyncio.run(main(parser.parse_args().n))
