"""The live calendar feed under load: requests per second, and what it costs students' /readings.

Run: .venv/bin/python bench/bench_feed.py [--seconds 5] [--concurrency 8] [--readings 300] [--rate 200]

The bot runs as a child process (`python -m bot`, feed on a free port, the fake Discord here). In the same run
a bare aiohttp handler, in its own process, serves the same bytes (and a 304 for their ETag, with one header
compare): the ceiling for any aiohttp handler on this machine. Each is measured ROUNDS times for `--seconds`,
alternating, and the median run is shown. The load comes from another child process (an
aiohttp client, `--concurrency` requests in flight) so that neither the fake nor the bench shares its CPU.

- full body: GET without If-None-Match; 304: GET with the current ETag (what a subscribed app sends hourly);
- /readings: `--readings` calls spread over 10 s (loop.call_at), latency from INTERACTION_CREATE to the answer,
  with the feed idle, then under `--rate` full-body GETs per second (paced), then under as many as it answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from tests.harness import STUDENT, STUDENT_ROLE, final_answer, make_fake  # noqa: E402
from tests.reliability.botproc import BotProcess, Call, bot_env, drive, wait_connected  # noqa: E402

PUBLIC = "https://cal.example.edu"
LINK = re.compile(re.escape(PUBLIC) + r"/calendar/([A-Za-z0-9_-]+)\.ics")
READING_DATES = ("9/18", "10/2", "Sep 23", "2024-11-04", "next", "12/9", "Oct 14", "8/28")
READINGS_SPREAD = 10.0  # seconds over which the /readings calls are sent
ROUNDS = 3  # throughput runs per server and kind; the median is shown


def median(runs: list[dict]) -> dict:
    """The run with the median requests per second."""
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- child modes ------------------------------------------------------------------------------------------

def serve_bare(port: int, body_file: str, etag: str) -> None:
    """The baseline: one route returning the bytes (304 when If-None-Match is exactly the ETag)."""
    body = Path(body_file).read_bytes()

    async def handle(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "text/calendar; charset=utf-8"})

    app = web.Application()
    app.router.add_get("/calendar/{name}", handle)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


async def hammer(url: str, seconds: float, concurrency: int, etag: str | None, rate: float | None) -> None:
    """GET the URL for `seconds` (paced at `rate` per second when given); prints counts as JSON."""
    headers = {"If-None-Match": etag} if etag else {}
    statuses: dict[int, int] = {}
    loop = asyncio.get_running_loop()
    start = loop.time()
    end = start + seconds
    sent = 0

    async def worker() -> None:
        nonlocal sent
        while True:
            if rate is not None:
                due = start + sent / rate
                sent += 1
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
            if loop.time() >= end:
                return
            async with http.get(url, headers=headers) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = loop.time() - start
    print(json.dumps({"statuses": statuses, "seconds": elapsed, "rps": sum(statuses.values()) / elapsed}))


# --- the run ----------------------------------------------------------------------------------------------

async def run_hammer(url: str, seconds: float, concurrency: int, etag: str | None = None,
                     rate: float | None = None) -> dict:
    args = [sys.executable, __file__, "--hammer", url, "--seconds", str(seconds), "--concurrency", str(concurrency)]
    if etag:
        args += ["--etag", etag]
    if rate:
        args += ["--rate", str(rate)]
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return json.loads(out)


async def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


async def readings(fake, n: int):
    work = [(Call("readings", {"date": READING_DATES[i % len(READING_DATES)]}), STUDENT) for i in range(n)]
    return await drive(fake, work, concurrency=4, seconds=READINGS_SPREAD)


def ms(result) -> str:
    return f"{result.percentile(50):.2f} / {result.percentile(99):.2f} ms"


async def main(seconds: float, concurrency: int, n_readings: int, rate: float) -> None:
    fake = make_fake()
    await fake.start()
    feed_port, bare_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = bot_env(fake, Path(tmp) / "bench.sqlite3", COURSEBOT_FEED_PORT=str(feed_port),
                      COURSEBOT_PUBLIC_URL=PUBLIC)
        frames = len(fake.gateway_frames)
        proc = await BotProcess.start(env, Path(tmp) / "bot.log")
        bare = None
        try:
            await wait_connected(fake, frames)
            interaction = await fake.send_interaction(name="calendar", user=STUDENT, roles=[STUDENT_ROLE])
            token = LINK.search((await final_answer(fake, interaction))["content"])[1]
            feed = f"http://127.0.0.1:{feed_port}/calendar/{token}.ics"
            async with aiohttp.ClientSession() as http, http.get(feed) as response:
                body, etag = await response.read(), response.headers["ETag"]
            (Path(tmp) / "body.ics").write_bytes(body)
            bare = await asyncio.create_subprocess_exec(sys.executable, __file__, "--serve-bare", str(bare_port),
                                                        str(Path(tmp) / "body.ics"), etag)
            await wait_listening(bare_port)
            bare_url = f"http://127.0.0.1:{bare_port}/calendar/{token}.ics"
            await run_hammer(feed, 1, concurrency)  # warm both up
            await run_hammer(bare_url, 1, concurrency)
            rows = {}
            for label, tag in (("full body", None), ("304", etag)):
                runs: tuple[list[dict], list[dict]] = ([], [])
                for _ in range(ROUNDS):  # alternated, so that a slow moment of the machine hits both
                    runs[0].append(await run_hammer(feed, seconds, concurrency, tag))
                    runs[1].append(await run_hammer(bare_url, seconds, concurrency, tag))
                rows[label] = (median(runs[0]), median(runs[1]))
            await readings(fake, n_readings // 4)  # warm-up
            idle = await readings(fake, n_readings)
            paced_task = asyncio.create_task(run_hammer(feed, READINGS_SPREAD + 1, concurrency, rate=rate))
            paced = await readings(fake, n_readings)
            paced_load = await paced_task
            flat_task = asyncio.create_task(run_hammer(feed, READINGS_SPREAD + 1, concurrency))
            flat = await readings(fake, n_readings)
            flat_load = await flat_task
        finally:
            if bare is not None:
                bare.terminate()
                await bare.wait()
            code = await proc.stop()
            await fake.stop()
    print(f"Bot exit status {code}; body {len(body):,} bytes; {concurrency} requests in flight; "
          f"{time.strftime('%Y-%m-%d')}")
    print()
    print("| feed | requests/s | bare aiohttp handler, same bytes | ratio | statuses |\n|---|---:|---:|---:|---|")
    for label, (ours, base) in rows.items():
        print(f"| {label} | {ours['rps']:,.0f} | {base['rps']:,.0f} | {ours['rps'] / base['rps']:.2f}× | "
              f"{ours['statuses']} |")
    print()
    print("| /readings, spread over 10 s (p50 / p99) | latency | vs idle (p50) |\n|---|---:|---:|")
    print(f"| feed idle | {ms(idle)} | 1.00× |")
    for label, result, load in ((f"feed at {rate:,.0f} full GETs/s", paced, paced_load),
                                ("feed saturated", flat, flat_load)):
        print(f"| {label} ({load['rps']:,.0f}/s served) | {ms(result)} | "
              f"{result.percentile(50) / idle.percentile(50):.2f}× |")
    failures = idle.failures + paced.failures + flat.failures
    if failures:
        print(f"\n{len(failures)} /readings unanswered: {failures[:3]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--readings", type=int, default=300)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--hammer", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--etag", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", nargs=3, metavar=("PORT", "FILE", "ETAG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1], args.serve_bare[2])
    elif args.hammer:
        asyncio.run(hammer(args.hammer, args.seconds, args.concurrency, args.etag,
                           args.rate if "--rate" in sys.argv else None))
    else:
        asyncio.run(main(args.seconds, args.concurrency, args.readings, args.rate))
