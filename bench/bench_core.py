"""Latency of the pure core and of the offline console, against the targets in the issue.

Run: .venv/bin/python bench/bench_core.py [--n 10000]
Prints a Markdown table (figures vs targets) and exits 1 when a target is missed.
Inputs are varied (dates in every form, instants across the term, queries with typos) and fixed, so
two runs measure the same work. Times are per call, from time.perf_counter_ns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.core import queries  # noqa: E402
from bot.core.dates import QueryError  # noqa: E402
from bot.core.loader import load_course  # noqa: E402
from bot.core.model import Course  # noqa: E402
from bot.core.search import search  # noqa: E402

SCHEDULE = REPO / "schedule.yaml"
NEW_YORK = ZoneInfo("America/New_York")

DATES = ["9/18", "09/18", "Sep 18", "Sept. 18", "September 18", "18 Sep", "2024-09-18", "today", "tomorrow",
         "yesterday", "next", "last", "wed", "next monday", "#7", "#13", "10/9", "9/2", "11/27", "Wed Sep 18",
         "10/14", "10/2", "12/9", "Dec 25", "13/45", "9/31", "#99", "banana", "", "2024-11-04"]
QUERIES = ["flamingo visual", "trasnformer", "dettmers", "Flamngo", "Vaswani", "TMLR", "climate", "platonic",
           "existential", "quantum", "diffusion models", "self-supervised vision", "llama", "attention is all you need",
           "scaling laws", "int8", "reinforcement lerning", "privacy trust", "near duplicate detection", "xyzzy",
           "Chen et al ICLR 2020", "video generation sora", "data cleaning", "mixture of experts", "CLIP"]
# Instants across the whole year: before the term, in it (every 7 hours, so every hour of the day), after it.
NOWS = [dt.datetime(2024, 8, 1, tzinfo=NEW_YORK) + dt.timedelta(hours=7 * i) for i in range(560)]

TARGETS_MS = {"load": 50.0, "readings": 1.0, "next_class": 1.0, "deadlines": 1.0, "search": 3.0, "console": 1000.0}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def per_call_ms(calls: int, call: Callable[[int], object]) -> list[float]:
    """Time `call(i)` for i in 0..calls-1, one measurement per call, in milliseconds."""
    times = []
    for i in range(calls):
        start = time.perf_counter_ns()
        call(i)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def answer_or_error(function: Callable[[], object]) -> object:
    try:
        return function()
    except QueryError as exc:  # bad input is part of the load: its answer is the error
        return exc


def core_benchmarks(course: Course, calls: int) -> dict[str, list[float]]:
    dates, nows, words = itertools.cycle(DATES), itertools.cycle(NOWS), itertools.cycle(QUERIES)
    return {
        "readings": per_call_ms(calls, lambda i: answer_or_error(
            lambda: queries.readings(course, next(dates), next(nows)))),
        "next_class": per_call_ms(calls, lambda i: queries.next_class(course, next(nows))),
        "deadlines": per_call_ms(calls, lambda i: queries.deadlines(course, next(nows))),
        "search": per_call_ms(calls, lambda i: answer_or_error(lambda: search(course, next(words)))),
    }


def console_ms(runs: int) -> list[float]:
    """Wall time of `python -m bot console --now …` answering one piped command, start to exit."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "bot", "console", "--now", "2024-09-17 09:00"],
                                input="/readings 9/18\n", capture_output=True, text=True, cwd=REPO, check=False)
        times.append((time.perf_counter() - start) * 1000)
        if result.returncode != 0 or not result.stdout.startswith("Wed Sep 18"):
            raise SystemExit(f"the console did not answer: {result.returncode}\n{result.stderr}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="calls per core function (default 10000)")
    args = parser.parse_args()

    load = per_call_ms(20, lambda i: load_course(SCHEDULE))
    course = load_course(SCHEDULE)
    results = core_benchmarks(course, args.n)
    console = console_ms(5)

    rows = [("load + validate schedule.yaml", "median of 20", statistics.median(load), None, "load")]
    rows += [(f"{name} ({args.n:,} calls)", "p50 / p99", percentile(times, 50), percentile(times, 99), name)
             for name, times in results.items()]
    rows.append(("console, one piped command (wall)", "median of 5", statistics.median(console), None, "console"))

    print("| measure | statistic | figure (ms) | target (ms) | met |")
    print("|---|---|---:|---:|:---:|")
    missed = 0
    for label, statistic, first, p99, key in rows:
        judged = p99 if p99 is not None else first
        met = judged <= TARGETS_MS[key]
        missed += not met
        figure = f"{first:.3f} / {p99:.3f}" if p99 is not None else f"{first:.1f}"
        which = "p99 " if p99 is not None else ""
        print(f"| {label} | {statistic} | {figure} | {which}≤ {TARGETS_MS[key]:g} | {'yes' if met else 'NO'} |")
    print(f"\nPython {sys.version.split()[0]} on {sys.platform}; {len(DATES)} date forms, {len(NOWS)} instants, "
          f"{len(QUERIES)} queries, cycled.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
