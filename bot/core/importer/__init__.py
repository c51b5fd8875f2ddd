"""A syllabus page → a draft `schedule.yaml` (`python -m bot import`). Pure: text in, text out.

The page becomes lines (lines.py); a line that starts with a date starts a session; the short lines right after it
are the topic, "No class"/"cancelled"/"holiday" cancels it, and every other line is a reading (citations.py).
Dates get their year and lost days in when.py. The text is written in draft.py, which marks each guess with a
`# check:` comment and lists what could not be read at the end; the draft is loaded before it is returned.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.core.importer.citations import Item, read_item, resource_kind
from bot.core.importer.lines import Line, guess_kind, page_lines
from bot.core.importer.when import (
    TERM,
    PageDate,
    YearGuess,
    fill_lost_day,
    infer_year,
    lay_out,
    leading_date,
    meeting_days,
)
from bot.core.model import WEEKDAYS
from bot.core.schema import is_web_link

__all__ = ["Draft", "ImportProblem", "import_page", "guess_kind"]

CANCEL = re.compile(r"\b(no class(es)?|no lecture|class(es)? (is |are )?cancel+ed|cancel+ed|holiday|recess|"
                    r"no meeting|university closed|campus closed)\b", re.I)
EXAM = re.compile(r"\b(midterm|final exam|exam|quiz|test)\b", re.I)
OTHER = re.compile(r"^(other|further|additional|optional|supplementary|more)\b.{0,40}?\b(topics?|papers?|readings?)\b",
                   re.I)
INSTRUCTOR = re.compile(r"\b((?:Prof\.?|Professor|Dr\.?)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
TOPIC_WORDS = 12
UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")


class ImportProblem(ValueError):
    """The page cannot give a draft (no dated session on it); the message says what to do."""


@dataclass(frozen=True, slots=True)
class RawSession:
    """A session as read: its page date, topic lines, cancellation reason, exam flag and readings."""

    date: PageDate
    topics: tuple[str, ...]
    reason: str | None
    exam: bool
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class PlacedSession:
    raw: RawSession
    date: dt.date
    checks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """Everything read from the page, before it is written."""

    title: str
    instructor: str | None
    term: str | None
    year: YearGuess
    sessions: tuple[PlacedSession, ...]
    meeting_days: tuple[int, ...]
    other_topics: tuple[str, ...]
    other_papers: tuple[Item, ...]
    unread: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Draft:
    """The draft file's text and what it holds: counts, the number of `# check:` lines, what could not be read."""

    text: str
    sessions: int
    cancelled: int
    papers: int
    resources: int
    year: int
    year_how: str
    checks: int
    unread: tuple[str, ...] = field(default=())


def _url(line: Line) -> str | None:
    return next((u for _, u in line.links if is_web_link(u)), None)


def _anchor(line: Line) -> str:
    return next((t for t, u in line.links if is_web_link(u) and t != u), "")


def _is_reading(line: Line) -> bool:
    item = read_item(line.text)
    return item.kind == "paper" or item.authors is not None or len(line.text.split()) > TOPIC_WORDS


def _session(date: PageDate, body: list[Line]) -> RawSession:
    lines = ([Line(date.rest)] if date.rest else []) + body
    topics: list[str] = []
    reason, exam, items = None, False, []
    for line in lines:
        text = line.text
        if CANCEL.search(text) and len(text.split()) <= TOPIC_WORDS:
            reason = reason or text
            continue
        room_for_topic = len(topics) < (1 if date.rest else 2) and not (topics and (line.links or resource_kind(text)))
        if not items and room_for_topic and not _is_reading(line):
            topics.append(text)
            exam = exam or bool(EXAM.search(text))
            continue
        items.append(read_item(text, _url(line), _anchor(line)))
    return RawSession(date, tuple(_tidy_topic(t) for t in topics if _tidy_topic(t)), reason, exam, tuple(items))


def _tidy_topic(text: str) -> str:
    return re.sub(r"(,\s*)?(…|\.\.\.)$", "", text).strip().rstrip("?").strip(" ,;:—–-")


def _split(lines: list[Line]) -> tuple[list[RawSession], list[str], list[Item], list[str]]:
    sessions: list[RawSession] = []
    other_topics: list[str] = []
    other_papers: list[Item] = []
    unread: list[str] = []
    current: tuple[PageDate, list[Line]] | None = None
    tail: str | None = None  # "topics" or "papers" after a closing "Other papers" heading
    for line in lines:
        date = leading_date(line.text)
        if date and tail is None:
            if current:
                sessions.append(_session(*current))
            current = (date, [])
        elif current and tail is None and len(line.text.split()) <= 6 and OTHER.match(line.text):
            tail = "topics" if "topic" in line.text.lower() else "papers"
        elif tail and OTHER.match(line.text) and len(line.text.split()) <= 6:
            tail = "topics" if "topic" in line.text.lower() else "papers"
        elif tail == "topics":
            if len(line.text.split()) <= TOPIC_WORDS:
                other_topics.append(line.text)
        elif tail == "papers":
            item = read_item(line.text, _url(line), _anchor(line))
            if item.kind == "paper":
                other_papers.append(item)
            else:
                unread.append(f"after the schedule, not a paper: “{line.text[:80]}”")
        elif current:
            current[1].append(line)
    if current:
        sessions.append(_session(*current))
    return sessions, other_topics, other_papers, unread


def _place(raws: list[RawSession], year: YearGuess, unread: list[str]) -> tuple[list[PlacedSession], tuple[int, ...]]:
    """Each session's date in its year; a lost day filled from the meeting days; out-of-order dates left out."""
    laid = lay_out([r.date for r in raws], year.year)
    known = [d for d in laid if d]
    meets = meeting_days(known)
    placed: list[PlacedSession] = []
    for i, (raw, day) in enumerate(zip(raws, laid, strict=True)):
        checks: list[str] = []
        before = placed[-1].date if placed else None
        if day is None:
            after = next((d for d in laid[i + 1:] if d), None)
            year_of = (before or after or dt.date(year.year, raw.date.month, 1)).year
            if before and raw.date.month < before.month:
                year_of += 1
            day, count = fill_lost_day(raw.date.month, year_of, before, after, meets)
            if day is None:
                unread.append(f"the class “{raw.date.raw}” (page order {i + 1}): no day could be read, left out")
                continue
            only = "the only class day" if count == 1 else f"the first of {count} class days"
            checks.append(f"the page has “{raw.date.raw}” (day missing): {only} between the classes around it")
        if raw.date.weekday is not None and day.weekday() != raw.date.weekday:
            checks.append(f"the page says {WEEKDAYS[raw.date.weekday]} but {day} is a {WEEKDAYS[day.weekday()]}")
        if before and day <= before:
            if day == before:
                merged = placed[-1].raw
                placed[-1] = PlacedSession(RawSession(merged.date, merged.topics + raw.topics, merged.reason,
                                                      merged.exam or raw.exam, merged.items + raw.items),
                                           before, placed[-1].checks + ("two entries on this date merged",))
                continue
            unread.append(f"the class “{raw.date.raw}” ({day}) comes before the one above it, left out")
            continue
        placed.append(PlacedSession(raw, day, tuple(checks)))
    return placed, meets


def read_page(text: str, kind: str, year: int | None = None, near: int | None = None) -> Page:
    lines = page_lines(text, kind)
    raws, other_topics, other_papers, unread = _split(lines)
    if not raws:
        raise ImportProblem("No dated sessions found on the page: a class should start a line (or a table row, "
                            "list item or heading) with its date, like “9/18”, “Tue Jan 21” or “January 21”.")
    guess = infer_year(text if kind != "html" else "\n".join(x.text for x in lines), [r.date for r in raws], year, near)
    placed, meets = _place(raws, guess, unread)
    if not placed:
        raise ImportProblem("No session date on the page could be read as a day of the year.")
    heading = next((x.text for x in lines if x.heading), None)
    title = re.sub(rf"\s*[—–:(,-]*\s*{TERM.pattern}\)?$", "", (heading or lines[0].text), flags=re.I)[:120]
    title = title.strip() or "Untitled course"
    instructor = next((m[1] for x in lines if (m := INSTRUCTOR.search(x.text))), None)
    term = next((f"{m[1].title()} {m[2]}" for x in lines if (m := TERM.search(x.text))), None)
    return Page(title, instructor, term, guess, tuple(placed), meets, tuple(other_topics), tuple(other_papers),
                tuple(unread))


def import_page(text: str, *, kind: str = "text", year: int | None = None, near: int | None = None,
                source: str = "the page") -> Draft:
    """The draft schedule.yaml for a syllabus page; `ImportProblem` when the page has no dated session.

    `year` is the first class's year when known; else it is inferred, preferring years near `near` (the caller's
    current year; default: the latest year the page mentions).
    """
    from bot.core.importer.draft import write

    return write(read_page(UNPRINTABLE.sub(" ", text), kind, year, near), UNPRINTABLE.sub(" ", source))
