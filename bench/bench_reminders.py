"""Latency of planning the whole term's reminders, against the issue's target (p99 ≤ 20 ms).

Run: .venv/bin/python bench/bench_reminders.py [--n 1000] [COURSE.yaml ...]
Prints a Markdown table (median and p99 of `plan(course, settings)` per course) and exits 1 when a target is missed.
The courses are every example course under tests/data/courses (the first course's frozen copy, Distributed Systems
and Data Analysis), or the files given; the settings are the defaults from config/bot.yaml (plus a second row per
course with every kind of reminder on, office hours included). Times are per call, from time.perf_counter_ns.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.core.loader import load_course  # noqa: E402
from bot.core.model import Course  # noqa: E402
from bot.core.planner import ReminderSettings, plan  # noqa: E402
from bot.settings import Settings  # noqa: E402

COURSES = REPO / "tests" / "data" / "courses"
TARGET_MS = 20.0
WARM_UP = 20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def plan_ms(course: Course, settings: ReminderSettings, runs: int) -> tuple[list[float], int]:
    """Time `plan(course, settings)` `runs` times (after a warm-up); the times in ms and the plan's size."""
    for _ in range(WARM_UP):
        plan(course, settings)
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter_ns()
        reminders = plan(course, settings)
        times.append((time.perf_counter_ns() - start) / 1e6)
        size = len(reminders)
    return times, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="runs per measure (default 1000)")
    parser.add_argument("courses", nargs="*", type=Path, help="course files (default: tests/data/courses/*.yaml)")
    args = parser.parse_args()

    paths = args.courses or sorted(COURSES.glob("*.yaml"))
    cases = [("default settings", Settings().reminders), ("office hours on", ReminderSettings(office_hours=True))]

    print("| course | settings | runs | reminders | p50 (ms) | p99 (ms) | target (ms) | met |")
    print("|---|---|---:|---:|---:|---:|---:|:---:|")
    missed = 0
    shapes = []
    for path in paths:
        course = load_course(path)
        shapes.append(f"{path.stem}: {len(course.sessions)} classes, {len(course.deadlines)} deadlines, "
                      f"{len(course.all_exams())} exams")
        for label, settings in cases:
            times, size = plan_ms(course, settings, args.n)
            p50, p99 = statistics.median(times), percentile(times, 99)
            met = p99 <= TARGET_MS
            missed += not met
            print(f"| {path.stem} | {label} | {args.n:,} | {size} | {p50:.3f} | {p99:.3f} | p99 ≤ {TARGET_MS:g} | "
                  f"{'yes' if met else 'NO'} |")
    print(f"\nPython {sys.version.split()[0]} on {sys.platform}; " + "; ".join(shapes) + ".")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
