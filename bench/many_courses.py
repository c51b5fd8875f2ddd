"""Synthetic courses for bench_many.py: the three test courses, varied so that every course differs.

Course i is tests/data/courses/<one of three>.yaml (i % 3) with its own title, code and instructor, a time zone
among tests/strategies.ZONES, and every date moved by whole weeks (weekdays stay right) so that its term starts
in the coming weeks: 9 to 37 days after `today`, so no reminder of the term is due yet and none is missed at
start-up (a bot restarted mid-term has these rows in its ledger already). With `due_at`, the course also gets a
homework deadline due 24 hours after `due_at` (its 24-hour reminder falls due at `due_at`, in every course at
the same instant) and its first day is moved back to that day, so the deadline is inside the term.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
COURSES = REPO / "tests" / "data" / "courses"
BASES = ("ml_at_scale", "distributed_systems", "data_analysis")
ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London", "Australia/Sydney", "Pacific/Auckland",
         "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo", "America/St_Johns", "UTC")  # as tests/strategies.py
PLANTED = "bench-due"  # the planted deadline's id
_ISO = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")
_TEXTS = {name: (COURSES / f"{name}.yaml").read_text(encoding="utf-8") for name in BASES}


def _first_day(text: str) -> dt.date:
    match = re.search(r"(?m)^  first_day: (\d{4}-\d\d-\d\d)", text)
    assert match is not None
    return dt.date.fromisoformat(match[1])


def planted_key(course_due: dt.datetime) -> str:
    """The ledger key of the planted deadline's 24-hour reminder (as bot/core/planner.py names it)."""
    return f"deadline:{PLANTED}:{course_due:%Y-%m-%dT%H:%M}:24h"


def course_text(i: int, today: dt.date, due_at: dt.datetime | None = None) -> str:
    """The YAML text of synthetic course `i` (see the module's docstring)."""
    base = BASES[i % 3]
    text = _TEXTS[base]
    zone = ZONES[(i // 3) % len(ZONES)]
    first = _first_day(text)
    target = today + dt.timedelta(days=9 + (i * 7) % 29)
    weeks = -(-(target - first).days // 7)
    shift = dt.timedelta(weeks=weeks)
    text = _ISO.sub(lambda m: (dt.date(int(m[1]), int(m[2]), int(m[3])) + shift).isoformat(), text)
    text = re.sub(r"(?m)^  timezone: \S+", f"  timezone: {zone}", text, count=1)
    text = re.sub(r"(?m)^  title: (.*)$", lambda m: f"  title: {m[1]} (section {i + 1})\n  code: BENCH {i + 1}",
                  text, count=1)
    text = re.sub(r"(?m)^  code: (?!BENCH).*\n", "", text, count=1)
    text = re.sub(r"(?m)^  instructor: (.*)$", lambda m: f"  instructor: {m[1]} #{i + 1}", text, count=1)
    if due_at is not None:
        due = (due_at + dt.timedelta(hours=24)).astimezone(ZoneInfo(zone))
        start = due_at.astimezone(ZoneInfo(zone)).date()
        text = re.sub(r"(?m)^  first_day: \S+", f"  first_day: {start.isoformat()}", text, count=1)
        entry = (f"  - id: {PLANTED}\n    title: Check-in {i + 1}\n    kind: homework\n"
                 f"    due: {due:%Y-%m-%d %H:%M}\n")
        if re.search(r"(?m)^deadlines:\n", text):
            text = re.sub(r"(?m)^deadlines:\n", lambda m: m[0] + entry, text, count=1)
        else:
            text = re.sub(r"(?m)^sessions:\n", lambda m: "deadlines:\n" + entry + "\n" + m[0], text, count=1)
    return text
