"""End-to-end latency, memory and start-up of the bot process against the fake Discord.

Run: .venv/bin/python bench/bench_discord.py [--n 500]
The bot runs as a child process (bench/echo_bot.py: the real bot plus /echo);
the fake Discord runs here. Latency is from the fake sending INTERACTION_CREATE
to the fake receiving the interaction callback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.harness import make_fake  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def timed(fake, name: str, options: dict) -> float:
    interaction = await fake.send_interaction(name=name, options=options)
    callback = await fake.wait_for_callback(interaction)
    return (callback.time - interaction.created) * 1000


async def main(n: int, rounds_count: int) -> None:
    fake = make_fake()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DISCORD_TOKEN": fake.token, "COURSEBOT_API_BASE": fake.base_url,
               "COURSEBOT_GUILD_ID": str(fake.guild_id), "COURSEBOT_DATABASE": f"{tmp}/bench.sqlite3",
               "PYTHONPATH": str(REPO)}
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(sys.executable, str(REPO / "bench" / "echo_bot.py"), cwd=REPO,
                                                    env=env, stderr=asyncio.subprocess.DEVNULL)
        try:
            await fake.wait_until_ready(timeout=30)
            await fake.wait_for_request("PUT", r"/applications/\d+/guilds/\d+/commands", timeout=30)
            first = await fake.send_interaction(name="readings", options={"date": "9/18"})
            first_answer = (await fake.wait_for_callback(first)).time - started
            rss_ready = rss_mb(proc.pid)
            dates = ["9/18", "10/2", "10/14", "next", "#13", "9/2", "Sep 23", "tomorrow"]
            for _ in range(20):  # warm-up
                await timed(fake, "echo", {"text": "hi"})
                await timed(fake, "readings", {"date": "10/2"})
            rounds = []
            for _ in range(rounds_count):
                echo, readings = [], []
                for i in range(n):  # interleaved so both see the same machine load
                    echo.append(await timed(fake, "echo", {"text": "hi"}))
                    readings.append(await timed(fake, "readings", {"date": dates[i % len(dates)]}))
                rounds.append((statistics.median(echo), percentile(echo, 99),
                               statistics.median(readings), percentile(readings, 99)))
            rss_after = rss_mb(proc.pid)
        finally:
            proc.terminate()
            await proc.wait()
            await fake.stop()
    e50, e99, r50, r99 = (statistics.median(r[k] for r in rounds) for k in range(4))
    print(f"Each figure is the median over {rounds_count} rounds of {n} calls of each command.")
    print("| measure | value | target |\n|---|---|---|")
    print(f"| /echo floor p50 / p99 | {e50:.2f} / {e99:.2f} ms | |")
    print(f"| /readings p50 / p99 | {r50:.2f} / {r99:.2f} ms | "
          f"p99 <= 1.2 x floor = {1.2 * e99:.2f} ms: {'met' if r99 <= 1.2 * e99 else 'MISSED'} |")
    print(f"| RSS after ready / after the run | {rss_ready:.1f} / {rss_after:.1f} MB | <= 80 MB |")
    print(f"| process start → first answer | {first_answer:.2f} s | <= 2 s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.rounds))
