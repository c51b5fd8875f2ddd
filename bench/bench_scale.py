"""How the course core scales with a course's size and with the number of courses held (groundwork for many
courses per bot): load + validate and /search at 29, 145 and 290 sessions, and N courses loaded in one process.

Run: .venv/bin/python bench/bench_scale.py [--courses 1000]
Courses are made from the Distributed Systems test course: its sessions repeated over a longer term (dates
shifted week by week, titles numbered) for the size figures, and its title and code varied for the many-course
figure, so every course is parsed and validated on its own. Times from time.perf_counter; RSS from /proc.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.core.loader import load_text  # noqa: E402
from bot.core.search import search  # noqa: E402

BASE = (REPO / "tests" / "data" / "courses" / "distributed_systems.yaml").read_text(encoding="utf-8")
QUERIES = ("raft", "paxos consensus", "mapreduce", "byzantine", "okafor", "homework", "final exam", "gfs",
           "linearizability", "spanner clocks", "xyzzy")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def scaled(copies: int) -> str:
    """The course with its sessions repeated `copies` times, each copy 16 weeks later, numbered on."""
    head, sessions = BASE.split("\nsessions:\n", 1)
    sessions = sessions.split("\nother_", 1)[0]
    blocks = re.split(r"(?m)^(?=  - number: )", sessions)
    blocks = [b for b in blocks if b.strip()]
    count = len(blocks)
    out = []
    for copy in range(copies):
        for block in blocks:
            def shift(m: re.Match[str], copy: int = copy) -> str:
                return (dt.date.fromisoformat(m[0]) + dt.timedelta(weeks=16 * copy)).isoformat()
            moved = re.sub(r"\d{4}-\d\d-\d\d", shift, block)
            moved = re.sub(r"number: (\d+)", lambda m, copy=copy: f"number: {int(m[1]) + copy * count}", moved)
            out.append(moved if copy == 0 else moved.replace("title: \"", f"title: \"(part {copy + 1}) "))
    later = dt.timedelta(weeks=16 * (copies - 1))
    last, end = dt.date(2025, 5, 1) + later, dt.date(2025, 5, 9) + later
    head = head.replace("last_day: 2025-05-01", f"last_day: {last}").replace("term_end: 2025-05-09",
                                                                            f"term_end: {end}")
    head = re.sub(r"\d{4}-\d\d-\d\d", lambda m: m[0] if m[0] in (str(last), str(end), "2025-01-21") else
                  (dt.date.fromisoformat(m[0]) + later).isoformat() if m[0] > "2025-04-20" else m[0], head)
    return head + "\nsessions:\n" + "".join(out)


def timed(call, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main(courses: int) -> None:
    print("| sessions | load + validate (median of 10) | /search p50 / p99 (1,100 queries) |")
    print("|---:|---:|---:|")
    for copies in (1, 5, 10):
        text = scaled(copies)
        course = load_text(text, "scaled.yaml").course
        load = statistics.median(timed(lambda text=text: load_text(text, "scaled.yaml"), 10))
        search(course, "warm up")  # the index is built once per course
        answers = [t for _ in range(100) for q in QUERIES for t in timed(lambda q=q, c=course: search(c, q), 1)]
        median = statistics.median(answers)
        print(f"| {len(course.sessions)} | {load:.1f} ms | {median:.3f} / {p99(answers):.3f} ms |")
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    held = [load_text(BASE.replace("title: Distributed Systems", f"title: Distributed Systems {i}", 1)
                      .replace("code: CS 452", f"code: CS {1000 + i}", 1), f"course{i}.yaml").course
            for i in range(courses)]
    seconds = time.perf_counter() - start
    gc.collect()
    print(f"\n{courses:,} courses of {len(held[0].sessions)} sessions loaded and validated in one process: "
          f"{seconds:.1f} s, RSS +{rss_mb() - before:.0f} MB (from {before:.0f} MB).")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=1000)
    main(parser.parse_args().courses)
