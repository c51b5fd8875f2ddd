"""What the page states besides its classes, placed on the term: deadlines, exams, office hours, the meeting pattern.

Each record carries the `# check:` it needs (a time assumed, a weekday that does not match, an am/pm guessed).
A deadline or exam the page states twice (in a sentence and on a class's row) is kept once; one before the first
class cannot be in the draft (the loader would refuse it) and is listed instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.importer.events import DueRead, DueTimeRead, ExamRead, HoursRead, MeetingRead
from bot.core.importer.times import read_place, read_span
from bot.core.importer.when import PageDate, place_date

NO_TIME = "the page gives no time: due at the end of the day"


@dataclass(frozen=True, slots=True)
class DeadlineOut:
    id: str
    title: str
    kind: str
    due: dt.date
    time: dt.time | None
    check: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ExamOut:
    id: str
    title: str
    date: dt.date
    start: dt.time | None
    end: dt.time | None
    room: str | None
    check: str | None = None


@dataclass(frozen=True, slots=True)
class HoursOut:
    who: str
    day: int
    start: dt.time
    end: dt.time
    place: str | None
    link: str | None
    check: str | None = None


@dataclass(frozen=True, slots=True)
class BreakOut:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything besides the sessions, ready to write."""

    meeting: MeetingRead | None
    zone: str | None
    zone_check: str | None
    deadlines: tuple[DeadlineOut, ...]
    exams: tuple[ExamOut, ...]
    hours: tuple[HoursOut, ...]
    breaks: tuple[BreakOut, ...]


def ident(title: str, taken: set[str]) -> str:
    """A short id from a title: "Homework 3 (…)" → hw3, "Quiz 1" → quiz1, "Project proposal" → project-proposal."""
    lowered = title.lower()
    patterns = ((r"\b(?:home ?work|hw)\s*#?\s*(\d+)", "hw"), (r"\b(?:problem set|pset|ps)\s*#?\s*(\d+)", "ps"),
                (r"\bquiz\s*#?\s*(\d+)", "quiz"), (r"\b(?:exercise )?sheet\s*#?\s*(\d+)", "sheet"),
                (r"\blab\s*#?\s*(\d+)", "lab"),
                (r"\bmidterm\s*#?\s*(\d+)", "midterm"), (r"\bassignment\s*#?\s*(\d+)", "a"))
    base = next((prefix + m[1] for pattern, prefix in patterns if (m := re.search(pattern, lowered))), None)
    if base is None:
        words = re.sub(r"\([^)]*\)", " ", lowered)
        base = "-".join(re.findall(r"[a-z0-9]+", words))[:36].strip("-") or "item"
        base = {"final-exam": "final", "midterm-exam": "midterm"}.get(base, base)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _day(when: PageDate | None, session_day: dt.date | None, first: dt.date,
         last: dt.date) -> tuple[dt.date | None, str | None]:
    if when is None:
        return session_day, None
    return place_date(when, first, last)


def deadlines(found: Sequence[tuple[DueRead, dt.date | None]], first: dt.date, last: dt.date,
              class_start: dt.time | None, taken: set[str], unread: list[str],
              standing: Sequence[DueTimeRead] = ()) -> tuple[DeadlineOut, ...]:
    """Each deadline on its date and time, once; those before the first class listed in `unread` instead.

    A deadline the page gives no time for takes the time the page's prose gives for its kind (on its weekday).
    """
    out: list[DeadlineOut] = []
    seen: set[tuple[str, dt.date]] = set()
    for due, session_day in found:
        day, check = _day(due.when, session_day, first, last)
        if day is None:
            continue
        key = (re.sub(r"[^a-z0-9]", "", ident(due.title, set()).lower()), day)
        if key in seen:
            continue
        seen.add(key)
        if day < first:
            unread.append(f"the deadline “{due.title}” ({day}) is before the first class, left out")
            continue
        time, guess = due.time, due.guess
        said = next((s for s in standing if (due.kind in s.kinds or any(
            re.search(rf"\b{re.escape(w)}", due.title.lower()) for w in s.words)) and (
            not s.days or day.weekday() in s.days)), None)
        if time is None and due.at_class and class_start:
            time = class_start
        elif time is None and said and not due.at_class:
            time, guess = said.time, said.guess
        elif time is None:
            guess = ("due in class, and the page gives no class time: due at the end of the day" if due.at_class
                     else NO_TIME)
            time = dt.time(23, 59)
        checks = "; ".join(c for c in (check, guess) if c) or None
        out.append(DeadlineOut(ident(due.title, taken), due.title, due.kind, day, time, checks, due.url))
    return tuple(sorted(out, key=lambda d: (d.due, d.time or dt.time(23, 59), d.id)))


def exam_from_topic(title_text: str, day: dt.date, taken: set[str]) -> ExamOut:
    """A class row that is an exam at its own time or place ("Final exam, 1:30–3:30pm, Kirk Hall 105")."""
    span = read_span(title_text)
    room = read_place(title_text[span.where[1]:]) if span else None
    title = re.split(r"\s*[,(:;]|\s+[—–-]\s+|\s+\d", title_text, maxsplit=1)[0].strip() or "Exam"
    return ExamOut(ident(title, taken), title[0].upper() + title[1:], day, span.start if span else None,
                   span.end if span else None, room, span.guess if span else None)


def exam_out(exam: ExamRead, day: dt.date, check: str | None, meeting: MeetingRead | None,
             taken: set[str]) -> ExamOut:
    start, end = (exam.span.start, exam.span.end) if exam.span else (None, None)
    checks = [c for c in (check, exam.span.guess if exam.span else None) if c]
    if exam.in_class and meeting and not exam.span:
        start, end = meeting.span.start, meeting.span.end
        checks.append("in class: the class's time")
    return ExamOut(ident(exam.title, taken), exam.title, day, start, end, exam.room, "; ".join(checks) or None)


def hours(found: Sequence[HoursRead], instructor: str | None) -> tuple[HoursOut, ...]:
    out: list[HoursOut] = []
    for h in found:
        who, check = h.who, h.span.guess
        if who is None:
            who = instructor or "Instructor"
            check = "; ".join(c for c in (check, "whose office hours? the page does not say next to them") if c)
        for day in h.days:
            entry = HoursOut(who, day, h.span.start, h.span.end, h.place, h.link, check)
            if entry not in out:
                out.append(entry)
    return tuple(out)


def break_name(reason: str) -> str:
    """"Spring break — no classes" → "Spring break"; "No class (fall break)" → "Fall break"."""
    parts = [p.strip(" ()") for p in re.split(r"\s+[—–-]\s+|[:;(),]", reason) if p.strip(" ()")]
    named = [p for p in parts if not re.fullmatch(r"(no )?(class(es)?|lectures?|meetings?)( held)?|"
                                                  r"(class(es)? )?cancel+ed", p, re.I)]
    name = (named or parts or ["Break"])[0]
    return name[0].upper() + name[1:]
