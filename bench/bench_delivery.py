"""From a reminder's planned instant to its message reaching the fake Discord.

Run: .venv/bin/python bench/bench_delivery.py
The real bot runs in-process against the fake Discord. For each reminder of the
term in turn, the wall clock is moved (time-machine, ticking) to 50 ms before its
instant; APScheduler then wakes up on its own, the bot claims, posts and marks it.
Latency = arrival at the fake − the planned instant, both on the monotonic clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import time_machine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.clock import system_clock  # noqa: E402
from tests.harness import REMINDERS, make_fake, running_bot, settings_for  # noqa: E402

LEAD = dt.timedelta(milliseconds=50)


async def main() -> None:
    fake = make_fake()
    await fake.start()
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(fake, Path(tmp))
        start = dt.datetime(2024, 8, 20, 12, 0, tzinfo=dt.timezone.utc)
        with time_machine.travel(start, tick=True) as traveller:
            async with running_bot(fake, settings, system_clock) as bot:
                instants = sorted({r.at for r in bot.reminders.plan.values()})
                for instant in instants:
                    due = [r.key for r in bot.reminders.plan.values() if r.at == instant]
                    seen = len(fake.requests)
                    traveller.move_to(instant - LEAD)
                    planned = time.monotonic() + LEAD.total_seconds()
                    bot.reminders.scheduler.wakeup()
                    for _ in due:  # several reminders can share an instant (Sunday 18:00)
                        request = await fake.wait_for_request("POST", rf"/channels/{REMINDERS}/messages",
                                                              since=seen, timeout=5)
                        seen = fake.requests.index(request) + 1
                        latencies.append((request.time - planned) * 1000)
                    for key in due:
                        await bot.reminders.deliver(key)
    await fake.stop()
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"| planned instant → message at the fake ({len(latencies)} reminders) | p50 "
          f"{statistics.median(latencies):.1f} ms / p99 {p99:.1f} ms / max {max(latencies):.1f} ms | p99 <= 1 s |")


if __name__ == "__main__":
    asyncio.run(main())
