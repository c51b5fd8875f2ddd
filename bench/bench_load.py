"""Load on the bot process: a burst of interactions at once, then 10,000 mixed student commands.

Run: .venv/bin/python bench/bench_load.py [--n 10000] [--burst 200] [--concurrency 16] [--minute]
The bot runs as a child process (`python -m bot`), the fake Discord here. Latency is from the fake
sending INTERACTION_CREATE to it receiving the answer: the callback, or for a command that defers
(those that touch the database) its first follow-up; "acknowledged" is to the callback alone.
The 10,000 are sent as fast as the bot answers them, at most --concurrency unanswered (the
compressed "minute"); with --minute they are also sent spread over a real minute (call i at
start + i × 60 s / n, loop.call_at): the latency students would see at that rate. RSS is the
bot's VmRSS after a warm-up and after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.harness import make_fake  # noqa: E402
from tests.reliability.botproc import (  # noqa: E402
    BotProcess,
    LoadResult,
    bot_env,
    burst,
    collector_paused,
    drive,
    percentile,
    student_mix,
    wait_connected,
)

STUDENTS = tuple(1140000000000001000 + i for i in range(60))


def latency(result: LoadResult) -> str:
    return f"{result.percentile(50):.2f} / {result.percentile(99):.2f} ms"


async def main(n: int, burst_size: int, concurrency: int, warm_up: int, minute: bool) -> None:
    fake = make_fake()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        frames = len(fake.gateway_frames)
        proc = await BotProcess.start(bot_env(fake, Path(tmp) / "bench.sqlite3"), Path(tmp) / "bot.log")
        try:
            await wait_connected(fake, frames)
            with collector_paused():
                rss_ready = proc.rss_kb() / 1024
                burst_result = await burst(fake, student_mix(burst_size, students=STUDENTS))
                await drive(fake, student_mix(warm_up, students=STUDENTS), concurrency=concurrency)
                rss_before = proc.rss_kb() / 1024
                run = await drive(fake, student_mix(n, students=STUDENTS), concurrency=concurrency)
                rss_after = proc.rss_kb() / 1024
                paced = None
                if minute:
                    paced = await drive(fake, student_mix(n, students=STUDENTS), concurrency=concurrency,
                                        seconds=60)
                rss_end = proc.rss_kb() / 1024
        finally:
            code = await proc.stop()
            await fake.stop()
    failures = burst_result.failures + run.failures + (paced.failures if paced else [])
    print(f"Bot exit status {code}; {len(failures)} unanswered or refused" + (f": {failures[:3]}" if failures else ""))
    print()
    print("| measure | figure |\n|---|---:|")
    print(f"| burst of {burst_size} sent at once: answered, last answer after | "
          f"{burst_result.answered} of {burst_size}, {burst_result.seconds * 1000:.0f} ms |")
    print(f"| burst p50 / p99 | {latency(burst_result)} |")
    print(f"| {n:,} mixed, as fast as answered (≤ {concurrency} in flight): answered, time | "
          f"{run.answered:,} of {n:,}, {run.seconds:.1f} s ({run.throughput:,.0f}/s) |")
    print(f"| … answered p50 / p99 | {latency(run)} |")
    print(f"| … acknowledged (initial callback) p50 / p99 | "
          f"{percentile(run.ack_ms, 50):.2f} / {percentile(run.ack_ms, 99):.2f} ms |")
    if paced is not None:
        print(f"| {n:,} mixed over a real minute ({n / 60:,.0f}/s): answered, p50 / p99 | "
              f"{paced.answered:,} of {n:,}, {latency(paced)} |")
    print(f"| RSS after ready / after {warm_up:,} warm-up / after the {n:,} | "
          f"{rss_ready:.1f} / {rss_before:.1f} / {rss_after:.1f} MB (growth {rss_after - rss_before:+.1f} MB) |")
    if paced is not None:
        print(f"| RSS after the paced minute | {rss_end:.1f} MB |")
    print()
    print(f"Per command, the {n:,} as fast as answered (p50 / p99 ms):")
    print()
    print("| command | calls | p50 | p99 |\n|---|---:|---:|---:|")
    for command, values in sorted(run.by_command.items()):
        print(f"| `{command}` | {len(values):,} | {percentile(values, 50):.2f} | {percentile(values, 99):.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warm-up", type=int, default=2_000)
    parser.add_argument("--minute", action="store_true", help="also send the n spread over a real minute")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.burst, args.concurrency, args.warm_up, args.minute))
