"""The first course's answers, captured as reference outputs: every student command at instants across the term.

`python -m tests.tools.reference > tests/data/reference/ml_at_scale.txt` writes them; the test compares.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import console
from bot.core.loader import load_course
from bot.core.planner import plan

DATA = Path(__file__).resolve().parents[1] / "data"
COURSE = DATA / "courses" / "ml_at_scale.yaml"
REFERENCE = DATA / "reference" / "ml_at_scale.txt"
ZONE = ZoneInfo("America/New_York")

INSTANTS = [
    (2024, 8, 20, 9, 0), (2024, 8, 26, 9, 0), (2024, 9, 17, 9, 0), (2024, 9, 18, 13, 0), (2024, 10, 9, 9, 0),
    (2024, 10, 16, 20, 0), (2024, 11, 3, 1, 30), (2024, 11, 27, 12, 0), (2024, 12, 9, 10, 0),
    (2024, 12, 9, 23, 0), (2024, 12, 20, 9, 0),
]
COMMANDS = [
    "/readings", "/readings 9/18", "/readings 9/2", "/readings #13", "/readings tomorrow", "/readings 13/45",
    "/readings 11/27", "/readings 12/25", "/next", "/schedule", "/schedule 3", "/schedule all", "/officehours",
    "/deadlines", "/search flamingo", "/search Dettmers", "/search lama adapter", "/search zzzqqq",
    "/critique rules", "/help",
]


def render() -> str:
    course = load_course(COURSE)
    out: list[str] = []
    for parts in INSTANTS:
        now = dt.datetime(*parts, tzinfo=ZONE)
        for command in COMMANDS:
            out += [f"=== {now.isoformat()} {command}", console.answer(course, command, now), ""]
    out.append("=== reminder plan")
    for r in plan(course):
        out += [f"--- {r.key} {r.at.isoformat()} until {r.useful_until.isoformat()}", r.text]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
