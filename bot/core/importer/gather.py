"""The classes as placed, and the page's other statements, made into what the draft holds besides readings.

A row that gives a range of days and cancels classes ("Mar 9–13 | Spring break") is a break, not a class; an exam
row at its own time or room, off the meeting days, or a final after the last class, is an exam, not a class; an
exam stated in a sentence on a class's date makes that class an exam; a "Quiz 1" row is a quiz due in class.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.importer import facts as f
from bot.core.importer.events import (
    DELIVERABLE,
    IN_CLASS,
    BreakRead,
    DueRead,
    DueTimeRead,
    Event,
    ExamRead,
    HoursRead,
    MeetingRead,
    meeting_pattern,
    read_events,
    section_of,
)
from bot.core.importer.lines import Line
from bot.core.importer.times import read_span, zone_of
from bot.core.importer.when import dates_in, place_date, real

if TYPE_CHECKING:
    from bot.core.importer import PlacedSession


DUE_COLUMN = re.compile(r"\b(?:due|deadlines?)\b", re.I)
MERGED = "Due (the row's cells joined)"
TOPIC_COLUMN = re.compile(r"topics?|subject|title|description", re.I)
WEIGHT_COLUMN = re.compile(r"\b(?:weight|points?|pts|grade|percent|%)", re.I)


def _rows(prose: Sequence[Line]) -> list[Line]:
    """A row of a table of deadlines outside the classes ("Case analysis | Fri Oct 3, 11:59pm | 20%") as one line,
    "Case analysis due Fri Oct 3, 11:59pm", read as a due column's; every other line as it is."""
    out: list[Line] = []
    at = 0
    while at < len(prose):
        line, end = prose[at], at + 1
        while line.row is not None and end < len(prose) and (prose[end].table, prose[end].row) == (line.table,
                                                                                                      line.row):
            end += 1
        cells = prose[at:end]
        if len(cells) > 1 and any(c.column and DUE_COLUMN.search(c.column) for c in cells):
            words = _cells(cells)
            out.append(dataclasses.replace(line, text=" ".join(words), links=tuple(x for c in cells for x in c.links),
                                           column=MERGED))
        else:
            out += cells
        at = end
    return out


def _cells(cells: Sequence[Line]) -> list[str]:
    """A deadline row's cells as words: "due " before a due date; a bare number under a column that names the work
    ("Assignment | 1") as "Assignment 1", and its topic cell after it in parentheses."""
    words: list[str] = []
    numbered = False
    for c in cells:
        column = (c.column or "").strip()
        if column and WEIGHT_COLUMN.search(column):
            continue
        if DUE_COLUMN.search(column):
            words.append("due " + c.text)
        elif re.fullmatch(r"#?\d{1,2}[a-z]?", c.text) and DELIVERABLE.fullmatch(column):
            words.append(f"{column} {c.text.lstrip('#')}")
            numbered = True
        elif numbered and TOPIC_COLUMN.fullmatch(column):
            words.append(f"({c.text})")
        else:
            words.append(c.text)
    return words


def _prose(prose: Sequence[Line]) -> tuple[list[Event], MeetingRead | None]:
    """The events stated outside the classes, and the first meeting pattern, reading headings as sections."""
    section: str | None = None
    events: list[Event] = []
    meeting = None
    for line in _rows(prose):
        text = line.text
        found = read_events(text, tuple(u for _, u in line.links), section=section,
                            column=MERGED if line.column == MERGED else None)
        pattern = meeting_pattern(text) if not found else None
        if found:
            events += found
        elif pattern:
            meeting = meeting or pattern
        elif (line.heading or len(text.split()) <= 5) and not dates_in(text):
            section = section_of(text)
    return events, meeting


def _break_end(placed: PlacedSession) -> dt.date:
    until = placed.raw.date.until
    assert until is not None
    year = placed.date.year + (until[0] < placed.date.month)
    end = real(year, *until)
    return end if end and end >= placed.date else placed.date


def _exam_elsewhere(placed: PlacedSession, meets: Sequence[int], last_class: dt.date | None) -> bool:
    """An exam row that is not a class: its own time, another weekday, or a final after the last class."""
    raw = placed.raw
    topic = "; ".join(raw.topics)
    if not raw.exam or raw.reason or raw.items or IN_CLASS.search(topic):
        return False
    final = bool(re.search(r"\bfinal\b", topic, re.I)) and last_class is not None and placed.date > last_class
    return bool(read_span(topic)) or placed.date.weekday() not in meets or final


def _classes(placed: Sequence[PlacedSession], meets: Sequence[int],
             taken: set[str]) -> tuple[list[PlacedSession], list[f.ExamOut], list[f.BreakOut]]:
    classes = [p for p in placed if not (p.raw.date.until and p.raw.reason) and not p.raw.exam]
    last_class = classes[-1].date if classes else None
    sessions, exams, breaks = [], [], []
    for p in placed:
        if p.raw.date.until and p.raw.reason:
            breaks.append(f.BreakOut(f.break_name(p.raw.reason), p.date, _break_end(p)))
        elif _exam_elsewhere(p, meets, last_class):
            exams.append(f.exam_from_topic("; ".join(p.raw.topics), p.date, taken))
        else:
            sessions.append(p)
    if not sessions:
        return list(placed), [], []
    return sessions, exams, breaks


def _stated_breaks(found: Sequence[tuple[BreakRead, dt.date | None]], known: Sequence[f.BreakOut], first: dt.date,
                   last: dt.date) -> list[f.BreakOut]:
    """Breaks stated in words, within the term and not already read from a row."""
    out: list[f.BreakOut] = []
    for pause, _ in found:
        start, _check = place_date(pause.when, first, last)
        if start is None or not first <= start <= last or any(b.start <= start <= b.end for b in [*known, *out]):
            continue
        end = real(start.year + (pause.until[0] < start.month), *pause.until) if pause.until else start
        out.append(f.BreakOut(f.break_name(pause.words or "Break"), start, end if end and end >= start else start))
    return out


def gather(placed: Sequence[PlacedSession], prose: Sequence[Line], meets: tuple[int, ...], instructor: str | None,
           page: str, unread: list[str]) -> tuple[list[PlacedSession], f.Facts]:
    taken: set[str] = set()
    events, meeting = _prose(prose)
    sessions, exams, breaks = _classes(placed, meets, taken)
    first, last = sessions[0].date, sessions[-1].date
    if meeting and sum(p.date.weekday() in meeting.days for p in sessions) < 0.8 * len(sessions):
        unread.append(f"the page states a meeting pattern its classes do not follow ({meeting.days}), not used")
        meeting = None
    found = [(e, None) for e in events] + [(e, p.date) for p in sessions for e in p.raw.events]
    dues: list[tuple[DueRead, dt.date | None]] = [(e, d) for e, d in found if isinstance(e, DueRead)]
    for p in sessions:
        topic = "; ".join(p.raw.topics)
        if not p.raw.reason and (m := re.match(r"(?:pop\s+)?quiz\b(?:\s*#?\s*\d+)?", topic, re.I)):
            dues.append((DueRead(m[0][0].upper() + m[0][1:], "quiz", None, at_class=True), p.date))
    by_date = {p.date: i for i, p in enumerate(sessions)}
    for exam, session_day in ((e, d) for e, d in found if isinstance(e, ExamRead)):
        day, check = (session_day, None) if exam.when is None else place_date(exam.when, first, last)
        if day is None or any(x.date == day for x in exams):
            continue
        if day in by_date:
            p = sessions[by_date[day]]
            if not p.raw.reason:
                raw = dataclasses.replace(p.raw, exam=True, topics=p.raw.topics or (exam.title,))
                said = () if raw.topics == (exam.title,) or p.raw.exam else (
                    f"the page says the {exam.title.lower()} is in this class; its topic is kept",)
                sessions[by_date[day]] = dataclasses.replace(p, raw=raw, checks=p.checks + said)
        elif day < first:
            unread.append(f"the exam “{exam.title}” ({day}) is before the first class, left out")
        else:
            exams.append(f.exam_out(exam, day, check, meeting, taken))
    class_start = meeting.span.start if meeting else None
    standing = [e for e, _ in found if isinstance(e, DueTimeRead)]
    deadlines = f.deadlines(dues, first, last, class_start, taken, unread, standing)
    hours = f.hours([e for e, _ in found if isinstance(e, HoursRead)], instructor)
    zone, zone_check = zone_of(page)
    breaks += _stated_breaks([(e, d) for e, d in found if isinstance(e, BreakRead)], breaks, first, last)
    breaks.sort(key=lambda b: b.start)
    exams.sort(key=lambda e: (e.date, e.start or dt.time(0)))
    return sessions, f.Facts(meeting, zone, zone_check, deadlines, tuple(exams), hours, tuple(breaks))
