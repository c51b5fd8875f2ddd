"""Load on `python -m bot` (a child process) through the fake Discord: a burst, a long mixed run, no leak.

The 10,000 interactions of the issue's "minute" are compressed: they are sent as fast as the bot
answers, with at most CONCURRENCY unanswered at a time (a semaphore, no sleeping). The figures
(p50/p99, throughput, RSS) are printed with -s and by bench/bench_load.py for the README.
"""

from __future__ import annotations

import pytest

from tests.reliability.botproc import (
    BotProcess,
    bot_env,
    burst,
    collector_paused,
    drive,
    percentile,
    student_mix,
    wait_connected,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

STUDENTS = tuple(1140000000000001000 + i for i in range(60))
BURST = 200
RUN = 10_000
WARM_UP = 2_000
CONCURRENCY = 16
LEAK_MB = 10


@pytest.fixture
async def bot(fake, tmp_path):
    """The bot as a child process, connected to the fake; stopped with SIGTERM afterwards."""
    frames = len(fake.gateway_frames)
    proc = await BotProcess.start(bot_env(fake, tmp_path / "bot.sqlite3"), tmp_path / "bot.log")
    try:
        await wait_connected(fake, frames)
        yield proc
    finally:
        code = await proc.stop()
        assert code == 0, proc.output()[-4000:]


async def test_burst_of_200_all_answered(fake, bot):
    """200 interactions sent at once, without waiting for any answer, are all answered within Discord's 3 s."""
    with collector_paused():
        result = await burst(fake, student_mix(BURST, students=STUDENTS))
    assert result.failures == [], result.failures[:5]
    assert result.answered == BURST
    print(f"\nburst of {BURST}: all answered in {result.seconds:.2f} s, p99 {result.percentile(99):.1f} ms")


async def test_ten_thousand_mixed_all_answered_without_leak(fake, bot):
    """10,000 mixed student interactions are all answered, and RSS after is within 10 MB of RSS after warm-up."""
    with collector_paused():
        warm = await drive(fake, student_mix(WARM_UP, students=STUDENTS), concurrency=CONCURRENCY)
        assert warm.failures == [], warm.failures[:5]
        before = bot.rss_kb()
        result = await drive(fake, student_mix(RUN, students=STUDENTS), concurrency=CONCURRENCY)
        after = bot.rss_kb()
    assert result.failures == [], result.failures[:5]
    assert result.answered == RUN
    print(f"\n{RUN} interactions in {result.seconds:.1f} s ({result.throughput:.0f}/s): "
          f"answer p50 {result.percentile(50):.2f} ms, p99 {result.percentile(99):.2f} ms "
          f"(acknowledged p99 {percentile(result.ack_ms, 99):.2f} ms); "
          f"RSS {before / 1024:.1f} -> {after / 1024:.1f} MB")
    assert after - before <= LEAK_MB * 1024, f"RSS grew from {before} kB to {after} kB"
