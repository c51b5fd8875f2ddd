"""Latency of the pure core, per course, and of the offline console, against the targets in the issues.

Run: .venv/bin/python bench/bench_core.py [--n 10000] [COURSE.yaml ...]
The courses are every file in tests/data/courses/ and examples/ (or the files given). For each one it prints a
Markdown table (measure | figure | target): load + validate, readings / next_class / deadlines / search p50 and
p99 over --n calls each, and plan p50 / p99 over --n / 25 runs. The console's wall time (start, answer one piped
command, exit) is measured once, on the course the deployment's settings name (schedule.yaml, the first course),
and shown in the table of the course file that is the same course. Exits 1 when a target is missed.

Every input is derived from the course being measured, so nothing here belongs to one course: its class dates
typed in many forms (m/d, "Mon D", ISO, "#n", weekday names, today/tomorrow/next), days in its breaks, on its exams
and deadlines and outside its term, a few bad inputs; instants every 7 hours (so every hour of the day) from three
weeks before the term to three weeks after its end, plus instants during its classes and exams and just before its
deadlines; search queries made of its own title words, topics, authors and staff names, some with a typo introduced
deterministically, plus a few misses. The inputs are fixed, so two runs measure the same work. Times are per call,
from time.perf_counter_ns.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.core import queries  # noqa: E402
from bot.core.dates import QueryError, example_session, short_date  # noqa: E402
from bot.core.loader import ScheduleError, load_course  # noqa: E402
from bot.core.model import WEEKDAY_NAMES, WEEKDAYS, Course, Session  # noqa: E402
from bot.core.planner import ReminderSettings, plan  # noqa: E402
from bot.core.search import STOPWORDS, search  # noqa: E402
from bot.settings import load_settings  # noqa: E402

COURSE_DIRS = (REPO / "tests" / "data" / "courses", REPO / "examples")
LOAD_RUNS = 20
CONSOLE_RUNS = 5
PLAN_DIVISOR = 25  # plan runs = --n / 25 (400 by default)
LOAD_MS_PER_30_SESSIONS = 50.0  # "load ≤ 50 ms for a 30-session course"; a longer course gets a proportional target
TARGETS_MS = {"readings": 1.0, "next_class": 1.0, "deadlines": 1.0, "search": 1.0, "plan": 20.0, "console": 1000.0}
STEP = dt.timedelta(hours=7)  # co-prime with 24: the instants fall on every hour of the day
MARGIN = dt.timedelta(days=21)  # before the term and after its end
MISSES = ("xyzzy", "qwxz vbnk", "zzzzzzzz")  # words no syllabus has
BAD_QUERIES = ("", "   ", "?!")  # no word at all: the answer is an error
T = TypeVar("T")


# --- statistics and timing -----------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def per_call_ms(calls: int, call: Callable[[int], object]) -> list[float]:
    """Time `call(i)` for i in 0..calls-1, one measurement per call, in milliseconds."""
    gc.collect()  # start each series with no garbage left over from the previous one
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


def spread(items: Sequence[T], count: int) -> list[T]:
    """Up to `count` items evenly spaced over the sequence, the first and the last included."""
    if len(items) <= count:
        return list(items)
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- inputs derived from one course ---------------------------------------------------------


def typed_forms(day: dt.date) -> list[str]:
    """One day as students type it."""
    return [f"{day.month}/{day.day}", f"{day:%m/%d}", f"{day:%b} {day.day}", f"{day:%b}. {day.day}",
            f"{day:%B} {day.day}", f"{day.day} {day:%b}", day.isoformat(), short_date(day),
            f"{day:%A}, {day:%B} {day.day}"]


def date_inputs(course: Course) -> list[str]:
    """What students type to /readings, from this course: its classes, breaks, exams, deadlines, and a few errors."""
    sessions = course.sessions
    inputs: list[str] = []
    for session in spread(sessions, 12):
        inputs += typed_forms(session.date) + [f"#{session.number}"]
    inputs += ["today", "tomorrow", "yesterday", "next", "last", "next class", "tonight"]
    meeting_days = sorted(set(course.meeting_days) or {s.date.weekday() for s in sessions})
    for weekday in meeting_days:
        inputs += [WEEKDAYS[weekday].lower(), WEEKDAY_NAMES[weekday], f"next {WEEKDAY_NAMES[weekday].lower()}",
                   f"last {WEEKDAYS[weekday]}"]
    inputs += [WEEKDAYS[w] for w in range(7) if w not in meeting_days][:2]  # days without a class
    class_days = {s.date for s in sessions}
    others = [s.date + dt.timedelta(days=1) for s in spread(sessions, 6)]
    for holiday in course.breaks:
        others += [holiday.start, holiday.start + (holiday.end - holiday.start) / 2]
    others += [e.date for e in course.all_exams()] + [d.due for d in spread(course.deadlines, 6)]
    others += [course.first_day - dt.timedelta(days=14), course.end + dt.timedelta(days=14)]
    for i, day in enumerate(d for d in others if d not in class_days):
        forms = typed_forms(day)
        inputs.append(forms[i % len(forms)])
    sample = sessions[len(sessions) // 2].date
    wrong_weekday = WEEKDAYS[(sample.weekday() + 1) % 7]
    inputs += ["", "banana", "13/45", "2/30", f"#{max(s.number for s in sessions) + 50}",
               f"{wrong_weekday} {sample:%b} {sample.day}", f"{sample:%b} {sample.day + 40}", "next blursday"]
    return inputs


def instants(course: Course) -> list[dt.datetime]:
    """Instants before, during and after the term, every 7 hours, plus during classes and exams and before deadlines."""
    zone = course.timezone
    at = dt.datetime.combine(course.first_day - MARGIN, dt.time(0), zone)
    stop = dt.datetime.combine(course.end + MARGIN, dt.time(0), zone)
    found = []
    while at < stop:
        found.append(at)
        at = (at.astimezone(dt.UTC) + STEP).astimezone(zone)  # real hours, across DST changes
    found += [start + dt.timedelta(minutes=10) for s in course.sessions if (start := course.class_start_at(s))]
    found += [start + dt.timedelta(minutes=30) for e in course.all_exams() if (start := course.exam_start_at(e))]
    found += [course.due_at(d) - dt.timedelta(minutes=90) for d in course.deadlines]
    return sorted(found)


def typo(word: str, i: int) -> str:
    """The word with one slip of the fingers, chosen by `i`: two letters swapped, one dropped, doubled or wrong."""
    if len(word) < 4:
        return word
    k = len(word) // 2
    kind = i % 4
    if kind == 0:
        return word[:k - 1] + word[k] + word[k - 1] + word[k + 1:]
    if kind == 1:
        return word[:k] + word[k + 1:]
    if kind == 2:
        return word[:k] + word[k] + word[k:]
    wrong = "e" if word[k].lower() != "e" else "a"
    return word[:k] + wrong + word[k + 1:]


def surname(authors: str) -> str | None:
    """'Ongaro and Ousterhout' → 'Ongaro'; 'Tom B. Brown, …' → 'Brown'; 'Scales et al.' → 'Scales'."""
    first = re.split(r",| and | et al|&", authors)[0].split()
    return first[-1].strip(".") if first else None


def search_queries(course: Course) -> list[str]:
    """Queries from this course's own words (titles, topics, authors, staff), exact and with typos, and misses."""
    papers = [p for s in course.sessions for p in s.papers] + list(course.other_papers)
    resources = [r for s in course.sessions for r in s.resources]
    titles = ([p.title for p in papers] + [r.title for r in resources] + [s.topic for s in course.sessions if s.topic]
              + list(course.other_topics) + [d.title for d in course.deadlines] + [e.title for e in course.all_exams()])
    words = unique([w for t in titles for w in re.findall(r"[A-Za-z][A-Za-z0-9'-]{3,}", t)
                    if w.lower() not in STOPWORDS])
    authors = [a for a in [p.authors for p in papers] + [r.authors for r in resources] if a]
    surnames = unique([n for a in authors if (n := surname(a))])
    names = [m.name for m in course.staff] + [re.sub(r"\(.*?\)", "", h.who) for h in course.office_hours]
    staff = unique([part for name in names for part in name.split()[-2:] if not part.endswith(".")])
    found: list[str] = []
    for i, word in enumerate(spread(words, 30)):
        found.append(word if i % 2 else typo(word, i // 2))
    for i, name in enumerate(spread(surnames, 10) + spread(staff, 4)):
        found.append(name if i % 3 else typo(name, i))
    for i, title in enumerate(spread(titles, 10)):
        meaningful = [w for w in re.findall(r"[A-Za-z0-9'-]+", title) if w.lower() not in STOPWORDS]
        if i % 3 == 0:
            found.append(title)  # a whole title, pasted
        elif len(meaningful) >= 2:
            found.append(f"{meaningful[0]} {typo(meaningful[-1], i)}")
    found += [d.kind for d in course.deadlines[:1]] + (["exam"] if course.all_exams() else [])
    return unique(found) + list(MISSES) + list(BAD_QUERIES)


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    figure: str
    target: str
    met: bool
    name: str = ""  # what a miss is called in the summary line


@dataclass
class Report:
    path: Path
    course: Course | None
    heading: str
    rows: list[Row] = field(default_factory=list)


def fmt(ms: float) -> str:
    return f"{ms:.3f}" if ms < 10 else f"{ms:.1f}"


def p50_p99_row(label: str, times: list[float], key: str) -> Row:
    p50, p99 = statistics.median(times), percentile(times, 99)
    return Row(label, f"{fmt(p50)} / {fmt(p99)} ms", f"p99 ≤ {TARGETS_MS[key]:g} ms", p99 <= TARGETS_MS[key], key)


def bench_course(path: Path, calls: int) -> Report:
    try:
        load = per_call_ms(LOAD_RUNS, lambda i: load_course(path))
    except ScheduleError as exc:
        report = Report(path, None, f"### {path.name}: does not load")
        report.rows.append(Row("load + validate", f"{len(exc.problems)} problems", "valid", False, "load"))
        return report
    course = load_course(path)
    sessions = len(course.sessions)
    heading = (f"### {path.name} — {course.name}, {course.term}: {sessions} classes, "
               f"{len(course.deadlines)} deadlines, {len(course.all_exams())} exams, {len(course.breaks)} breaks")
    report = Report(path, course, heading)
    load_target = LOAD_MS_PER_30_SESSIONS * max(1.0, sessions / 30)
    report.rows.append(Row(f"load + validate (median of {LOAD_RUNS})", f"{statistics.median(load):.1f} ms",
                           f"≤ {load_target:.0f} ms", statistics.median(load) <= load_target, "load"))

    dates, nows, words = date_inputs(course), instants(course), search_queries(course)
    date_cycle, now_cycle, word_cycle = itertools.cycle(dates), itertools.cycle(nows), itertools.cycle(words)
    readings = per_call_ms(calls, lambda i: answer_or_error(
        lambda: queries.readings(course, next(date_cycle), next(now_cycle))))
    next_class = per_call_ms(calls, lambda i: queries.next_class(course, next(now_cycle)))
    deadlines = per_call_ms(calls, lambda i: queries.deadlines(course, next(now_cycle)))
    found = per_call_ms(calls, lambda i: answer_or_error(lambda: search(course, next(word_cycle))))
    settings = ReminderSettings()
    runs = max(20, calls // PLAN_DIVISOR)
    size = len(plan(course, settings))
    planning = per_call_ms(runs, lambda i: plan(course, settings))

    report.rows += [
        p50_p99_row(f"readings p50 / p99 ({calls:,} calls: {len(dates)} date inputs × {len(nows)} instants)",
                    readings, "readings"),
        p50_p99_row(f"next_class p50 / p99 ({calls:,} calls over {len(nows)} instants)", next_class, "next_class"),
        p50_p99_row(f"deadlines p50 / p99 ({calls:,} calls over {len(nows)} instants)", deadlines, "deadlines"),
        p50_p99_row(f"search p50 / p99 ({calls:,} calls over {len(words)} queries)", found, "search"),
        p50_p99_row(f"plan p50 / p99 ({runs:,} runs, {size} reminders)", planning, "plan"),
    ]
    return report


def console_session(course: Course) -> Session:
    """A class to ask the console about: the one help texts name, or the next ordinary class after it."""
    start = course.sessions.index(example_session(course))
    ordered = course.sessions[start:] + course.sessions[:start]
    return next((s for s in ordered if not s.cancelled and not s.is_exam), ordered[0])


def console_ms(schedule: Path, course: Course, runs: int) -> list[float]:
    """Wall time of `python -m bot console --now …` answering one piped /readings, start to exit.

    The day before a class of the course, at 9:00, asking for that class by its m/d date; the answer must start
    with the class's date. The database is pointed at a file that does not exist, so the console answers from the
    course file alone (no stored instructor changes) and creates nothing.
    """
    session = console_session(course)
    day = session.date
    now = f"{day - dt.timedelta(days=1)} 09:00"
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, COURSEBOT_SCHEDULE=str(schedule),
                   COURSEBOT_DATABASE=str(Path(scratch) / "absent.sqlite3"))
        for _ in range(runs):
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "bot", "console", "--now", now],  # noqa: S603
                                    input=f"/readings {day.month}/{day.day}\n", capture_output=True, text=True,
                                    cwd=REPO, env=env, check=False)
            times.append((time.perf_counter() - start) * 1000)
            if result.returncode != 0 or not result.stdout.startswith(short_date(day)):
                raise SystemExit(f"the console did not answer {short_date(day)}: exit {result.returncode}\n"
                                 f"{result.stdout[:300]}{result.stderr}")
    return times


def configured_schedule() -> Path:
    """The course file the deployment's settings name (`schedule` in config/bot.yaml, or COURSEBOT_SCHEDULE)."""
    with contextlib.chdir(REPO):
        return Path(load_settings().schedule).resolve()


def course_paths(given: list[Path]) -> list[Path]:
    if given:
        return given
    return [path for folder in COURSE_DIRS if folder.is_dir() for path in sorted(folder.glob("*.yaml"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="calls per core function (default 10000); "
                        f"plan runs --n / {PLAN_DIVISOR}")
    parser.add_argument("courses", nargs="*", type=Path, help="course files (default: tests/data/courses/*.yaml "
                        "and examples/*.yaml)")
    args = parser.parse_args()
    paths = course_paths(args.courses)
    if not paths:
        print("No course files found.", file=sys.stderr)
        return 1

    began = time.perf_counter()
    reports = [bench_course(path, args.n) for path in paths]

    schedule = configured_schedule()
    first = load_course(schedule)
    console = console_ms(schedule, first, CONSOLE_RUNS)
    home = next((r for r in reports if r.path.resolve() == schedule), None)
    home = home or next((r for r in reports if r.course == first), None)
    if home is None:
        home = Report(schedule, first, f"### {schedule.name} — {first.name}, {first.term} (the configured course)")
        reports.append(home)
    median = statistics.median(console)
    home.rows.append(Row(f"console, one piped command, {schedule.name} (wall, median of {CONSOLE_RUNS})",
                         f"{median:.0f} ms", f"≤ {TARGETS_MS['console'] / 1000:g} s", median <= TARGETS_MS["console"],
                         "console"))

    missed = []
    for report in reports:
        print(report.heading + "\n")
        print("| measure | figure | target |")
        print("|---|---:|---:|")
        for row in report.rows:
            print(f"| {row.measure} | {row.figure} | {row.target}{'' if row.met else ' — **missed**'} |")
            if not row.met:
                missed.append(f"{report.path.name} {row.name}")
        print()
    print(f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; {len(paths)} course files in "
          f"{time.perf_counter() - began:.0f} s. " + ("Missed: " + "; ".join(missed) + "." if missed
                                                     else "Every target met."))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
