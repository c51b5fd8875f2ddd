"""A syllabus page → a draft `schedule.yaml` (`python -m bot import`). Pure: text in, text out.

The page becomes lines (lines.py); a line that starts with a date starts a session; the short lines right after it
are the topic, "No class"/"cancelled"/"holiday" cancels it, and every other line is a reading (citations.py).
Dates get their year and lost days in when.py. A line that states a deadline, an exam or office hours (events.py)
is one of those rather than a reading; so are such sentences outside the classes, with the meeting pattern and the
time zone (times.py); gather.py places them on the term. A heading without a date, or the end of the table of
classes, ends a class. A schedule by weeks ("Week 1 (Jan 13, 15): Theme") is first made into dated lines (weeks.py).
The text is written in draft.py (and extras.py), which marks each guess with a `# check:`
comment and lists what could not be read at the end; the draft is loaded before it is returned. score.py measures
a draft against a hand transcription.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from bot.core.importer.citations import Item, read_item, resource_kind
from bot.core.importer.events import BREAK, TITLED, WORK, Event, read_events
from bot.core.importer.facts import Facts
from bot.core.importer.gather import gather
from bot.core.importer.lines import Line, guess_kind, page_lines
from bot.core.importer.topics import cut_short, page_words
from bot.core.importer.unwrap import unwrap
from bot.core.importer.weeks import expand_weeks
from bot.core.importer.when import (
    DAY_FIRST,
    TERM,
    PageDate,
    YearGuess,
    dates_in,
    fill_lost_day,
    infer_year,
    lay_out,
    leading_date,
    meeting_days,
    slash_order,
)
from bot.core.model import WEEKDAYS
from bot.core.schema import is_web_link

__all__ = ["Draft", "ImportProblem", "import_page", "guess_kind"]

CANCEL = re.compile(r"\b(no class(es)?|no lecture|no sessions?|class(es)? (is |are )?cancel+ed|cancel+ed|holiday|"
                    r"recess|no meeting|university closed|campus closed)\b", re.I)
NAMED_BREAK = re.compile(r"\b(?:spring|fall|autumn|winter|thanksgiving|mid-?term|mid-?semester|reading|study|easter|"
                         r"term) break\b", re.I)
REASON_PREFIX = re.compile(r"^(?:no (?:class(?:es)?|lectures?|meetings?|sessions?)|class(?:es)? cancel+ed|cancel+ed)"
                           r"\s*[—–:-]+\s*(?=\S)", re.I)
READING_COLUMN = re.compile(r"^(?:required |assigned |suggested |optional |pre-?class )?(?:readings?|read|materials?|"
                            r"literature|preparation|prep|reading assignments?)\b", re.I)
READING_PREFIX = re.compile(r"^(?:(?:required |assigned |suggested |optional |pre-?class )?(?:readings?|read)|"
                            r"pre-?class|before class|prepare|preparation|(?P<watch>watch|listen))\s*:\s*", re.I)
NO_READING = re.compile(r"(?:none|n/?a|tba|tbd|nothing|[—–-]+|no (?:new )?readings?(?: assigned)?)\.?", re.I)
EMPTY_LABEL = re.compile(rf"^\w[\w /&-]{{0,24}}:\s*{NO_READING.pattern}$", re.I)  # "Due: nothing", "Slides: TBA"
EXAM_NOTE = re.compile(r"^(?:covers|covering|(?:material|topics?) covered|open[- ]book|closed[- ]book)\b|\b(?:notes?|"
                       r"cheat[- ]sheets?|calculators?) (?:are |is )?(?:allowed|permitted)\b", re.I)
VIDEO_LINK = re.compile(r"^https?://(?:www\.|m\.)?(?:youtube\.com|youtu\.be|vimeo\.com)/", re.I)
DUE_COLUMN = re.compile(r"\b(?:due|deadlines?)\b", re.I)
FOOTER = re.compile(r"^(?:(?:page )?last (?:modified|updated|edited|revised)|updated on|copyright|©)\b", re.I)
BARE_WEEK = re.compile(r"(?:week|module|unit|part)\s*#?\s*\d+\s*:?", re.I)
TOPIC_COLUMN = re.compile(r"^(?:topics?|subject|lecture|title|contents?|theme)\b", re.I)
EXAM = re.compile(r"\b(midterm|final exam|exam|quiz|test)\b", re.I)
NOT_EXAM = re.compile(r"\b(review|study|practice|prep(aration)?|grades?|returned|solutions?|discussion|no exam)\b",
                      re.I)
OTHER = re.compile(r"^(other|further|additional|optional|supplementary|more)\b.{0,40}?\b(topics?|papers?|readings?)\b",
                   re.I)
INSTRUCTOR = re.compile(f"({TITLED.pattern})")
TOPIC_WORDS = 12
STRUCTURE = re.compile(r"^(?:week|module|unit|part|topic|lectures?|schedule)\s*#?\s*\d*\b.{0,40}$", re.I)
HANDED_OUT = re.compile(rf"^(?:{WORK})\s*#?\s*\d*\s+(?:is\s+|are\s+)?(?:out|released|assigned|posted)\b", re.I)
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
    events: tuple[Event, ...] = ()
    topic_check: str | None = None
    checks: tuple[str, ...] = ()  # what was guessed placing it (a week's readings put on its first class)


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
    facts: Facts | None = None
    slash_order: str | None = None  # "note"/"inferred" when slash dates are read day/month (when.py's slash_order)


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
    deadlines: int = 0
    exams: int = 0
    office_hours: int = 0


def _url(line: Line) -> str | None:
    return next((u for _, u in line.links if is_web_link(u)), None)


def _anchor(line: Line) -> str:
    return next((t for t, u in line.links if is_web_link(u) and t != u), "")


def _is_reading(line: Line) -> bool:
    item = read_item(line.text, italic=line.italic)
    return item.kind == "paper" or item.authors is not None or len(line.text.split()) > TOPIC_WORDS


def _session(date: PageDate, body: list[Line], words: dict[str, int], text_page: bool,
             start: Line | None = None) -> RawSession:
    lines = ([Line(date.rest, italic=start.italic if start else ())] if date.rest else []) + body
    topics: list[str] = []
    reason, exam = None, False
    items: list[Item] = []
    events: list = []
    for line in lines:
        text = line.text
        readings = bool(line.column and READING_COLUMN.match(line.column))
        if EMPTY_LABEL.match(text) or exam and not line.links and EXAM_NOTE.search(text) or readings and \
                NO_READING.fullmatch(text):
            continue  # "Due: nothing"; an exam's "Covers classes 1–8", neither a topic nor a reading
        if prefixed := READING_PREFIX.match(text):  # "Reading: Winner, …; …" — the readings, after their label
            text, readings = text[prefixed.end():], True
            if not text or NO_READING.fullmatch(text):
                continue
            line = dataclasses.replace(line, text=text)
        pause = (date.until or NAMED_BREAK.search(text)) and BREAK.search(text) and not dates_in(text)
        if not readings and (CANCEL.search(text) or pause) and len(text.split()) <= TOPIC_WORDS:
            reason = reason or _reason(text)
            continue
        if line.heading and STRUCTURE.match(text) or HANDED_OUT.match(text):
            continue
        if found := read_events(text, tuple(u for _, u in line.links), in_row=True, column=line.column):
            events += found
            continue
        room_for_topic = len(topics) < (1 if date.rest else 2) and not (topics and (line.links or resource_kind(text)))
        topic_column = bool(line.column and TOPIC_COLUMN.match(line.column))
        if not readings and (topic_column or not items and room_for_topic and not _is_reading(line)):
            topics.append(text)
            exam = exam or bool(EXAM.search(text) and not NOT_EXAM.search(text))
            continue
        parts = split_items(text) if line.table is not None or prefixed else [text]  # a cell's readings, one by one
        for part in parts:
            item = read_item(part, *_part_link(line, part, len(parts)), line.italic)
            guessed = item.kind == "web" and item.check or item.kind == "paper" and not (item.authors or item.year)
            if guessed and (prefixed and prefixed["watch"] or VIDEO_LINK.match(item.url or "")):
                item = read_item(part, item.url, "", line.italic, hint="video")  # "Watch: …", a YouTube link
            items.append(item)
    check = next((c for t in topics if (c := cut_short(t, words, text_page))), None)
    tidy = tuple(_tidy_topic(t) for t in topics if _tidy_topic(t))
    if not tidy and not reason and start and start.theme:  # a week's theme where the day has no topic of its own
        tidy, exam = (start.theme,), exam or bool(EXAM.search(start.theme) and not NOT_EXAM.search(start.theme))
    return RawSession(date, tidy, reason, exam, tuple(items), tuple(events), check,
                      (start.note,) if start and start.note else ())


def _reason(text: str) -> str:
    """The words a cancellation gives, without its "No class —": "No class — holiday" → "Holiday"."""
    text = REASON_PREFIX.sub("", text)
    return text[0].upper() + text[1:]


def split_items(text: str) -> list[str]:
    """A cell's readings: its parts between semicolons, outside quotes and parentheses."""
    parts, depth, quoted, start = [], 0, False, 0
    for at, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in "\"“”":
            quoted = char == "“" or (char == '"' and not quoted)
        elif char == ";" and not depth and not quoted:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _part_link(line: Line, part: str, parts: int) -> tuple[str | None, str]:
    """The link (url, anchor) of one reading of a cell: the one whose text is in it, or the cell's own."""
    if parts == 1:
        return _url(line), _anchor(line)
    found = next(((u, a) for a, u in line.links if is_web_link(u) and a and a in part), None)
    return found if found else (None, "")


def _tidy_topic(text: str) -> str:
    text = re.sub(r"(?<=\w)[.;,]?\s+no (?:assigned )?readings?(?: (?:assigned|due|today))?\.?$", "", text, flags=re.I)
    return re.sub(r"(,\s*)?(…|\.\.\.)$", "", text).strip().rstrip("?").strip(" ,;:—–-")


def _split(lines: list[Line], kind: str) -> tuple[list[RawSession], list[str], list[Item], list[str], list[Line]]:
    """The sessions, the closing lists, what could not be read, and the prose (every line outside a class)."""
    words = page_words(lines)
    prose: list[Line] = []
    sessions: list[RawSession] = []
    other_topics: list[str] = []
    other_papers: list[Item] = []
    unread: list[str] = []
    current: tuple[PageDate, list[Line], Line] | None = None
    current_table: int | None = None
    tail: str | None = None  # "topics" or "papers" after a closing "Other papers" heading
    exam_heading: str | None = None  # a "## Final exam" heading: a dated line under it states the exam, not a class

    def close(current: tuple[PageDate, list[Line], Line]) -> RawSession:
        return _session(current[0], current[1], words, kind == "text", current[2])

    for line in lines:
        date = leading_date(line.text) if not (line.column and DUE_COLUMN.search(line.column)) else None
        if line.heading and not date:
            exam_heading = line.text if _exam_heading(line.text) and not (current and not current[1]) else None
        if date and exam_heading and not current and line.table is None and not line.heading:
            prose.append(dataclasses.replace(line, text=f"{exam_heading}: {line.text}"))
            continue
        if current and tail is None and current_table is not None and line.table != current_table:
            sessions.append(close(current))  # the table of classes ended
            current = None
        if date and tail is None:
            if current:
                sessions.append(close(current))
            current, current_table = (date, [], line), line.table
        elif current and tail is None and (line.outside or line.heading and (current[1] or STRUCTURE.match(
                line.text) or current[0].rest and not current[2].heading) or FOOTER.match(line.text)
                or BARE_WEEK.fullmatch(line.text)):
            sessions.append(close(current))  # a heading without a date ends the class
            current = None
            prose.append(line)
        elif current and tail is None and len(line.text.split()) <= 6 and OTHER.match(line.text):
            tail = "topics" if "topic" in line.text.lower() else "papers"
        elif tail and OTHER.match(line.text) and len(line.text.split()) <= 6:
            tail = "topics" if "topic" in line.text.lower() else "papers"
        elif tail == "topics":
            if len(line.text.split()) <= TOPIC_WORDS:
                other_topics.append(line.text)
        elif tail == "papers":
            item = read_item(line.text, _url(line), _anchor(line), line.italic)
            if item.kind == "paper":
                other_papers.append(item)
            else:
                unread.append(f"after the schedule, not a paper: “{line.text[:80]}”")
        elif current:
            current[1].append(line)
        else:
            prose.append(line)
    if current:
        sessions.append(close(current))
    return sessions, other_topics, other_papers, unread, prose


def _exam_heading(text: str) -> bool:
    """A heading of its own for an exam ("Final exam", "Midterm"), not a week's or a review's."""
    return len(text.split()) <= 4 and bool(EXAM.search(text)) and not NOT_EXAM.search(text) and not STRUCTURE.match(
        text)


def _place(raws: list[RawSession], year: YearGuess, unread: list[str]) -> tuple[list[PlacedSession], tuple[int, ...]]:
    """Each session's date in its year; a lost day filled from the meeting days; out-of-order dates left out."""
    laid = lay_out([r.date for r in raws], year.year)
    known = [d for d, r in zip(laid, raws, strict=True) if d and not (r.date.until and r.reason)]  # not a break
    meets = meeting_days(known)
    placed: list[PlacedSession] = []
    for i, (raw, day) in enumerate(zip(raws, laid, strict=True)):
        checks: list[str] = list(raw.checks)
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
    order = slash_order(text)
    token = DAY_FIRST.set(order is not None)
    try:
        return dataclasses.replace(_read_page(text, kind, year, near), slash_order=order)
    finally:
        DAY_FIRST.reset(token)


def _read_page(text: str, kind: str, year: int | None, near: int | None) -> Page:
    text = unwrap(text) if kind == "text" else text  # a PDF's hyphenated breaks, page headers, wrapped bullets
    lines = page_lines(text, kind)
    lines = expand_weeks(lines, text if kind != "html" else "\n".join(x.text for x in lines), year, near)
    raws, other_topics, other_papers, unread, prose = _split(lines, kind)
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
    placed, facts = gather(placed, prose, meets, instructor, "\n".join(x.text for x in lines), unread)
    return Page(title, instructor, term, guess, tuple(placed), meets, tuple(other_topics), tuple(other_papers),
                tuple(unread), facts)


def import_page(text: str, *, kind: str = "text", year: int | None = None, near: int | None = None,
                source: str = "the page") -> Draft:
    """The draft schedule.yaml for a syllabus page; `ImportProblem` when the page has no dated session.

    `year` is the first class's year when known; else it is inferred, preferring years near `near` (the caller's
    current year; default: the latest year the page mentions).
    """
    from bot.core.importer.draft import write

    return write(read_page(UNPRINTABLE.sub(" ", text), kind, year, near), UNPRINTABLE.sub(" ", source))
