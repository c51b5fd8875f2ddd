"""Hypothesis strategies for valid course files of varied shapes.

`course_texts()` draws the YAML text of a course file that `load_text` accepts without a problem (and, unless
`odd=True`, without a warning); `courses()` draws the `Course` it loads into. The shapes cover what SPEC.md's
"The course file" allows: one weekly pattern or a `meetings` list (lectures, sections, labs), with or without times
and rooms; breaks; office hours with links and skip dates on their own weekday; critiques or none; a project or
none; deadlines of every kind, with or without a time; exams outside class and in class (`kind: exam`); cancelled
classes; make-up classes on other days at their own time; staff; links; `term_end` or not; and a time zone among
a handful that includes southern-hemisphere, half-hour and no-DST zones.

    @given(course=courses())
    def test_something(course): ...

Text fields mix plausible words with arbitrary Unicode (quotes, colons, emoji, right-to-left text, long strings),
so that renderers meet what an instructor might type. Every file is written through PyYAML's safe dumper with
aliases turned off: the loader refuses anchors.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import yaml
from hypothesis import strategies as st

from bot.core.loader import load_text
from bot.core.model import DEADLINE_KINDS, MEETING_KINDS, RESOURCE_KINDS, WEEKDAYS, Course

__all__ = ["ZONES", "course_texts", "courses"]

ZONES = (
    "America/New_York",  # the first course's
    "America/Los_Angeles",
    "Europe/London",
    "Australia/Sydney",  # southern hemisphere: summer time from October to April
    "Pacific/Auckland",  # southern hemisphere, UTC+12/+13
    "America/Sao_Paulo",  # no DST since 2019
    "Asia/Kolkata",  # UTC+5:30, no DST
    "Asia/Tokyo",  # no DST
    "America/St_Johns",  # UTC-3:30 with DST
    "UTC",
)
WORDS = (
    "Introduction", "Consensus", "Raft", "Paxos", "Regression", "Bootstrap", "Transformers", "Attention",
    "Vision", "Language", "Models", "Scaling", "Laws", "Review", "Midterm", "Project", "Clinic", "Lab", "Data",
    "Privacy", "Ethics", "Graphs", "Streams", "Sampling", "Bayes", "Caching", "Networks", "Proofs", "Search",
)
SURNAMES = ("Okafor", "Raman", "Lee", "Jacobs", "Whitfield", "Nguyễn", "Müller", "O'Brien", "García", "李", "Smith")


class _NoAliasDumper(yaml.SafeDumper):
    """A safe dumper that writes a repeated value out again instead of an anchor and an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# --- small pieces ----------------------------------------------------------------------------------------

@cache  # strategies are immutable: build each once, not on every draw
def _any_text(max_size: int) -> st.SearchStrategy[str]:
    """Arbitrary printable-ish Unicode (no surrogates, no control characters), not blank once stripped."""
    alphabet = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"))
    return st.text(alphabet, min_size=1, max_size=max_size).filter(lambda t: bool(t.strip()))


@cache
def texts(max_words: int = 6, max_size: int = 120) -> st.SearchStrategy[str]:
    """A title, a topic or a note: mostly words, sometimes anything (colons, quotes, emoji, very long)."""
    words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=max_words).map(" ".join)
    return st.one_of(words, words.map(lambda w: f"{w}: a case study"), _any_text(max_size),
                     st.sampled_from(["A " + "very " * 60 + "long title", "“Quoted” — and 'so' on", "@everyone",
                                      "**bold** `code` <b>", "null", "123", "yes", "#7", "9/18"]))


@cache
def people() -> st.SearchStrategy[str]:
    return st.builds(lambda title, name: f"{title}{name}", st.sampled_from(["", "Prof. ", "Dr. "]),
                     st.sampled_from(SURNAMES))


@cache
def urls() -> st.SearchStrategy[str]:
    return st.builds(lambda host, path: f"https://{host}/{path}",
                     st.sampled_from(["example.edu", "zoom.us", "arxiv.org", "edstem.org", "université.fr"]),
                     st.from_regex(r"[a-z0-9/._-]{0,30}", fullmatch=True))


@cache
def _times() -> st.SearchStrategy[tuple[dt.time, dt.time]]:
    """A start and an end on the same day, the end after the start (every quarter hour from 07:00 to 21:45)."""
    return st.integers(28, 86).flatmap(
        lambda start: st.integers(start + 2, 94).map(
            lambda end: (dt.time(start // 4, start % 4 * 15), dt.time(end // 4, end % 4 * 15))))


def _hhmm(t: dt.time) -> str:
    return f"{t:%H:%M}"


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _maybe(draw: st.DrawFn, value: Any, p_key: bool = True) -> Any:
    """`value` or nothing: the key left out, or (sometimes) written as null."""
    if draw(st.booleans()):
        return value
    return None if p_key and draw(st.booleans()) else _OMIT


_OMIT = object()


def _clean(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping without the keys drawn as left out."""
    return {k: v for k, v in mapping.items() if v is not _OMIT}


# --- the course ------------------------------------------------------------------------------------------

@st.composite
def _pattern(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]] | None, set[int]]:
    """The course keys of the weekly pattern (one pattern, or a meetings list), and the weekdays it meets."""
    days = sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=4)))
    if draw(st.booleans()):  # one pattern: meeting_days with optional class_start/class_end/room
        keys: dict[str, Any] = {"meeting_days": [WEEKDAYS[d] for d in days]}
        if draw(st.booleans()):
            start, end = draw(_times())
            keys["class_start"] = _hhmm(start)
            keys["class_end"] = draw(st.sampled_from([_hhmm(end), None, _OMIT]))
        keys["room"] = _maybe(draw, draw(texts(3, 40)))
        return _clean(keys), None, set(days)
    groups: list[list[int]] = [[]]
    for day in days:  # split the days, in order, into one to three meetings
        if groups[-1] and len(groups) < 3 and draw(st.booleans()):
            groups.append([])
        groups[-1].append(day)
    meetings = []
    for group in groups:
        meeting: dict[str, Any] = {"days": [WEEKDAYS[d] for d in group]}
        meeting["kind"] = _maybe(draw, draw(st.sampled_from(MEETING_KINDS)))
        if draw(st.booleans()):
            start, end = draw(_times())
            meeting["start"], meeting["end"] = _hhmm(start), draw(st.sampled_from([_hhmm(end), _OMIT]))
        meeting["room"] = _maybe(draw, draw(texts(3, 40)))
        meetings.append(_clean(meeting))
    return {}, meetings, set(days)


@st.composite
def _breaks(draw: st.DrawFn, first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Up to two breaks inside the term, after its first day, not overlapping."""
    found: list[tuple[str, dt.date, dt.date]] = []
    for _ in range(draw(st.integers(0, 2))):
        if (last - first).days < 3:
            break
        start = first + dt.timedelta(days=draw(st.integers(1, (last - first).days)))
        end = min(last, start + dt.timedelta(days=draw(st.integers(0, 9))))
        if all(end < s or start > e for _, s, e in found):
            found.append((draw(st.sampled_from(["Spring break", "Reading week", "Thanksgiving", "Holiday"])) +
                          f" {len(found) + 1}", start, end))
    return found


def _paper(draw: st.DrawFn) -> dict[str, Any]:
    return _clean({"title": draw(texts()), "authors": _maybe(draw, draw(people()) + " et al."),
                   "venue": _maybe(draw, draw(st.sampled_from(["NeurIPS", "OSDI", "SOSP", "JASA", "Arxiv"]))),
                   "year": _maybe(draw, draw(st.integers(1950, 2030))), "url": _maybe(draw, draw(urls())),
                   "note": _maybe(draw, draw(texts(12, 300)))})


def _resource(draw: st.DrawFn) -> dict[str, Any]:
    return _clean({"title": draw(texts()), "kind": draw(st.sampled_from(RESOURCE_KINDS)),
                   "authors": _maybe(draw, draw(people())), "url": _maybe(draw, draw(urls())),
                   "note": _maybe(draw, draw(texts(8, 200)))})


def _session(draw: st.DrawFn, number: int, day: dt.date, *, own_time: bool, cancelled: bool) -> dict[str, Any]:
    exam = not cancelled and draw(st.integers(0, 9)) == 0
    session: dict[str, Any] = {"number": number, "date": day, "topic": _maybe(draw, draw(texts()))}
    if exam:
        session["kind"] = "exam"
        session["topic"] = draw(st.sampled_from(["Midterm exam", "Quiz in class", _OMIT]))
    elif draw(st.integers(0, 3)) == 0:
        session["kind"] = "class"
    if own_time or draw(st.integers(0, 7)) == 0:
        start, end = draw(_times())
        session["start"], session["end"] = _hhmm(start), draw(st.sampled_from([_hhmm(end), _OMIT]))
        session["room"] = _maybe(draw, draw(texts(3, 40)))
    if cancelled:
        session["status"] = "cancelled"
        session["reason"] = _maybe(draw, draw(texts(10, 200)))
    elif draw(st.booleans()):
        session["status"] = "scheduled"
    if not exam:
        session["papers"] = [_paper(draw) for _ in range(draw(st.integers(0, 3)))]
        session["resources"] = [_resource(draw) for _ in range(draw(st.integers(0, 2)))]
    return _clean(session)


@st.composite
def _sessions(draw: st.DrawFn, first: dt.date, last: dt.date, days: set[int],
              breaks: list[tuple[str, dt.date, dt.date]], odd: bool) -> list[dict[str, Any]]:
    """The classes on the meeting days (some left out, some cancelled), make-up classes on other days at their own
    time; with `odd`, also classes in a break and off the meeting days without a time (warnings, not errors)."""
    in_break = {d for _, s, e in breaks for d in _days(s, e)}
    found: list[tuple[dt.date, bool, bool]] = []  # date, own time, cancelled
    for day in _days(first, last):
        regular = day.weekday() in days
        if day in in_break:
            if regular and draw(st.integers(0, 3)) == 0:
                found.append((day, False, not odd or draw(st.booleans())))  # cancelled: no warning
            continue
        if regular and draw(st.integers(0, 9)) > 0:
            found.append((day, False, draw(st.integers(0, 11)) == 0))
        elif not regular and draw(st.integers(0, 19)) == 0:
            found.append((day, not (odd and draw(st.booleans())), False))  # a make-up class at its own time
    if not found:  # every course has at least one class: on the first day, at its own time if need be
        found.append((first, first.weekday() not in days, False))
    number = draw(st.integers(1, 3))
    sessions = []
    for day, own_time, cancelled in found:
        sessions.append(_session(draw, number, day, own_time=own_time, cancelled=cancelled))
        number += draw(st.sampled_from([1, 1, 1, 2]))
    return sessions


def _office_hours(draw: st.DrawFn, first: dt.date, end: dt.date, last: dt.date,
                  breaks: list[tuple[str, dt.date, dt.date]]) -> list[dict[str, Any]]:
    """Office hours that happen at least once in the term: one day of their weekday is neither skipped nor in a
    break (the loader warns about one that never happens)."""
    found = []
    open_days = [d for d in _days(first, last) if not any(a <= d <= b for _, a, b in breaks)]
    for _ in range(draw(st.integers(0, 3))):
        day = draw(st.sampled_from(sorted({d.weekday() for d in open_days})))
        start, stop = draw(_times())
        on_day = [d for d in _days(first, end) if d.weekday() == day]
        held = [d for d in open_days if d.weekday() == day]
        skip = draw(st.lists(st.sampled_from(on_day), max_size=3, unique=True)) if on_day else []
        if held and set(held) <= set(skip):
            skip.remove(held[0])
        found.append(_clean({
            "who": draw(people()) + draw(st.sampled_from(["", " (TA)"])), "day": draw(st.sampled_from(
                [WEEKDAYS[day], ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day]])),
            "start": _hhmm(start), "end": _hhmm(stop), "place": _maybe(draw, draw(st.sampled_from(
                ["Online", "CSE 310", "Iribe 4240", "Café"]))), "link": _maybe(draw, draw(urls())),
            "note": _maybe(draw, draw(texts(10, 200))), "skip": sorted(skip) if skip else _maybe(draw, []),
        }))
    return found


def _day(draw: st.DrawFn, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))


def _due(draw: st.DrawFn, first: dt.date, end: dt.date) -> tuple[dt.date, str]:
    day = _day(draw, first, end)
    if draw(st.booleans()):
        return day, day.isoformat()  # a date alone: the end of that day
    at = draw(st.sampled_from([dt.time(23, 59), dt.time(17, 0), dt.time(9, 0), dt.time(0, 0), dt.time(12, 30)]))
    return day, f"{day.isoformat()} {_hhmm(at)}"


@st.composite
def _course_document(draw: st.DrawFn, odd: bool = False) -> dict[str, Any]:
    """A course file as plain data, ready to be written as YAML."""
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)))
    last = first + dt.timedelta(days=draw(st.integers(0, 16 * 7)))
    term_end = last + dt.timedelta(days=draw(st.integers(0, 21))) if draw(st.booleans()) else None
    end = term_end or last
    pattern, meetings, days = draw(_pattern())
    breaks = draw(_breaks(first, last))
    sessions = draw(_sessions(first, last, days, breaks, odd))
    prefix = draw(st.sampled_from(["", "hw", "d-", "Item_", "x.", "final"]))
    ids = iter(f"{prefix}{i}" if prefix else f"{WORDS[i % len(WORDS)].lower()}{i}" for i in range(1, 100))
    course: dict[str, Any] = {
        "title": draw(texts()), "code": _maybe(draw, draw(st.sampled_from(["CS 452", "STAT 210", "ML-1"]))),
        "instructor": draw(people()), "term": draw(st.sampled_from(["Fall", "Spring", "Autumn", "Winter", "Summer"]))
        + f" {first.year}", "first_day": first, "last_day": last,
        "term_end": term_end if term_end is not None else _OMIT, "timezone": zone, **pattern,
        "meetings": meetings if meetings is not None else _OMIT,
        "critique_cutoff": _maybe(draw, _hhmm(draw(_times())[0])),
        "links": _maybe(draw, {draw(texts(3, 30)) + f" {i}": draw(urls()) for i in range(draw(st.integers(1, 3)))}),
        "description": _maybe(draw, draw(texts(40, 600))),
    }
    document: dict[str, Any] = {"course": _clean(course)}
    if draw(st.booleans()):
        document["staff"] = [_clean({"name": draw(people()), "role": _maybe(draw, draw(st.sampled_from(
            ["Instructor", "TA", "Grader"]))), "contact": _maybe(draw, "someone@example.edu")})
            for _ in range(draw(st.integers(1, 4)))]
    if breaks or draw(st.booleans()):
        document["breaks"] = [_clean({"name": name, "from": start, "to": stop if stop != start or draw(
            st.booleans()) else _OMIT}) for name, start, stop in breaks]
    document["office_hours"] = _maybe(draw, _office_hours(draw, first, end, last, breaks))
    if draw(st.booleans()):
        document["critiques"] = {
            "required": draw(st.integers(1, 15)), "max_per_class": draw(st.integers(1, 3)),
            "length": draw(st.sampled_from(["one page", "two pages", "500 words"])),
            "paragraphs": draw(st.lists(texts(8, 100), max_size=3)), "format": draw(st.sampled_from(
                ["printed", "PDF on the course site", "handwritten"])), "due": draw(texts(10, 100)),
            "late_accepted": draw(st.booleans()), "llms_allowed": draw(st.booleans()),
            "rules": draw(st.lists(texts(12, 150), max_size=5)),
        }
    if draw(st.booleans()):
        document["project"] = _clean({
            "max_group_size": _maybe(draw, draw(st.integers(1, 5))),
            "forms": [{"name": draw(texts(3, 40)), "description": draw(texts(20, 300))}
                      for _ in range(draw(st.integers(0, 2)))],
            "deadlines": [_clean({"id": next(ids), "title": draw(texts(4, 60)), "due": _due(draw, first, end)[1],
                                  "details": _maybe(draw, draw(texts(10, 200)))})
                          for _ in range(draw(st.integers(0, 3)))],
        })
    deadlines = []
    for _ in range(draw(st.integers(0, 8))):
        deadlines.append(_clean({
            "id": next(ids), "title": draw(texts(4, 80)), "kind": _maybe(draw, draw(st.sampled_from(DEADLINE_KINDS))),
            "due": _due(draw, first, end)[1], "details": _maybe(draw, draw(texts(10, 200))),
            "url": _maybe(draw, draw(urls())),
        }))
    document["deadlines"] = deadlines if deadlines else _maybe(draw, [])
    exams = []
    for _ in range(draw(st.integers(0, 3))):
        exam: dict[str, Any] = {"id": next(ids), "title": draw(st.sampled_from(["Final exam", "Midterm", "Oral exam"])),
                                "date": _day(draw, first, end)}
        if draw(st.booleans()):
            start, stop = draw(_times())
            exam["start"], exam["end"] = _hhmm(start), draw(st.sampled_from([_hhmm(stop), _OMIT]))
        exam["room"] = _maybe(draw, draw(texts(3, 40)))
        exam["details"] = _maybe(draw, draw(texts(10, 200)))
        exams.append(_clean(exam))
    document["exams"] = exams if exams else _maybe(draw, [])
    document["sessions"] = sessions
    if draw(st.integers(0, 4)) == 0:
        document["other_topics"] = draw(st.lists(texts(6, 80), min_size=1, max_size=3))
        document["other_papers"] = [_paper(draw) for _ in range(draw(st.integers(1, 3)))]
    return _clean(document)


def course_texts(*, odd: bool = False) -> st.SearchStrategy[str]:
    """The YAML text of a valid course file of a varied shape.

    It loads without a problem; without `odd` also without a warning. With `odd=True` some files also have
    classes in a break or off the meeting days without their own time: what `check` warns about.
    """
    return st.builds(
        lambda document, unicode, width: yaml.dump(document, Dumper=_NoAliasDumper, sort_keys=False,
                                                   allow_unicode=unicode, width=width),
        _course_document(odd=odd), st.booleans(), st.sampled_from([80, 120, 10_000]))


def courses(*, odd: bool = False) -> st.SearchStrategy[Course]:
    """A loaded `Course` of a varied shape (see `course_texts`)."""
    return course_texts(odd=odd).map(lambda text: load_text(text, "generated.yaml").course)
