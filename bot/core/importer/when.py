"""Dates on a syllabus page: a session's date at the start of a line, the year, and a lost day filled in.

Pages rarely give a year. It comes from --year, else from the weekdays the page names beside dates ("Wed. October
16"), else from the year whose weekdays make the dates fall on the fewest meeting days, nearest the term or latest
year the page mentions. Every date the page gives a weekday for is checked against it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
WEEKDAY = r"(?P<wd>mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)[a-z]*\.?,?"
NUMBER = r"(?:(?:session|lecture|class|week|lec)\s*#?\s*)?(?P<num>\d{1,2})\s*[.):]\s+"
# "Lecture 3 —", "Class 3:", "Session 3.", "Meeting 3", "Day 3" before a date: the class's own number
LABEL = r"(?P<label>lecture|lec\.?|class|session|meeting|day)\s*#?\s*(?P<lnum>\d{1,3})(?:\s*[.:,)|]|\s*[—–-]+|\s)\s*"
SHORT_DAY = r"(?P<wd3>m|tu?|w|th|r|f|sa?|su|u)"  # "Sep 8 (M)", "(Th)", "(R)": only in parentheses after a date
SHORT_DAYS = {"m": 0, "t": 1, "tu": 1, "w": 2, "th": 3, "r": 3, "f": 4, "s": 5, "sa": 5, "su": 6, "u": 6}
DATE = (rf"(?:{MONTH}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
        r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
        r"|(?P<m3>\d{1,2})/(?P<d3>\d{1,2})?(?:/(?P<y3>\d{2,4}))?"
        rf"|(?P<d4>\d{{1,2}})\s+{MONTH.replace('mon', 'mon4')}(?:\s+(?P<y4>\d{{4}}))?"
        r"|(?<![\d.])(?P<d5>\d{1,2})\.(?P<m5>\d{1,2})\.(?P<y5>\d{4}|\d\d(?!\d))?)")
# "30.4.", "28.07.2026", "28.7.26": day.month with dots is day first for certain (the dot after the month is needed:
# "14.15" is a time)
LEADING = re.compile(rf"^(?:{LABEL}(?P<paren>\()?|{NUMBER})?(?:{WEEKDAY}\s*)?{DATE}(?(paren)\))"
                     rf"(?:\s*\((?:{WEEKDAY.replace('wd', 'wd2')}|{SHORT_DAY})\))?"
                     r"(?=$|[\s:,;|.)\]—–-])", re.I)
RANGE_END = re.compile(rf"\s*(?:[–—-]|to|through|thru)\s*(?:{WEEKDAY}\s*)?(?:{MONTH}\s+|(?P<m>\d{{1,2}})/)?"
                       r"(?P<d>\d{1,2})\b(?!\s*(?:[:.]\d|[ap]\.?m))", re.I)
ANYWHERE = re.compile(rf"\b{WEEKDAY}\s*{DATE}(?:\b|(?<=\.))", re.I)
TERM = re.compile(r"\b(Fall|Spring|Summer|Winter|Autumn)\s+(?:semester\s+|term\s+|quarter\s+)?((?:19|20)\d\d)\b", re.I)
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
EARLIEST, LATEST = 1990, 2060
# Slash dates are month/day unless the page says they are day/month ("dates are written day/month", "DD/MM") or
# writes one whose first number cannot be a month ("30/01"): then the whole page is read day first.
DAY_FIRST: ContextVar[bool] = ContextVar("day_first", default=False)
DAY_MONTH_NOTE = re.compile(r"\b(?:day[ /.-]month|dd?[/.-]mm)\b", re.I)
SLASHED = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\d/])")


def slash_order(page: str) -> str | None:
    """"note" when the page says its dates are day/month, "inferred" when a slash date can only be day/month (and
    none can only be month/day), else None (month first)."""
    if DAY_MONTH_NOTE.search(page):
        return "note"
    pairs = [(int(a), int(b)) for a, b in SLASHED.findall(page)]
    day_first = any(12 < a <= 31 and 1 <= b <= 12 for a, b in pairs)
    month_first = any(1 <= a <= 12 and 12 < b <= 31 for a, b in pairs)
    return "inferred" if day_first and not month_first else None


@dataclass(frozen=True, slots=True)
class PageDate:
    """A date as the page gives it: month, day (None when lost, like "11/"), year and weekday when given."""

    month: int
    day: int | None
    year: int | None
    weekday: int | None
    rest: str  # the text after the date on the same line (often the topic)
    raw: str
    until: tuple[int, int] | None = None  # (month, day) when the page gives a range, "Mar 9–13"
    number: int | None = None  # the class's number when a label gives it ("Lecture 3 — Jan 22")


def _weekday(name: str | None) -> int | None:
    if not name:
        return None
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(name.lower()[:3])


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    value = int(raw)
    return value + 2000 if value < 100 else value


def _from_match(m: re.Match[str], rest: str) -> PageDate | None:
    g = m.groupdict()
    day: int | None
    if g.get("mon") or g.get("mon4"):
        month = MONTHS.index((g.get("mon") or g["mon4"]).lower()[:3]) + 1
        day, year = int(g.get("d1") or g["d4"]), _year(g.get("y1") or g.get("y4"))
    elif g.get("m2"):
        month, day, year = int(g["m2"]), int(g["d2"]), int(g["y2"])
    elif g.get("m5"):
        month, day, year = int(g["m5"]), int(g["d5"]), _year(g.get("y5"))
    else:
        month, year = int(g["m3"]), _year(g.get("y3"))
        day = int(g["d3"]) if g.get("d3") else None
        if day is not None and DAY_FIRST.get():
            month, day = day, month
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    weekday = _weekday(g.get("wd") or g.get("wd2"))
    weekday = SHORT_DAYS[g["wd3"].lower()] if weekday is None and g.get("wd3") else weekday
    number = int(g["lnum"]) if g.get("lnum") else None
    return PageDate(month, day, year, weekday, rest, m[0].strip(), number=number)


def leading_date(text: str) -> PageDate | None:
    """The date a line starts with ("3. 9/4", "Tue Jan 21: Paxos", "January 21", "11/"), or None."""
    m = LEADING.match(text.strip())
    if not m:
        return None
    rest = text.strip()[m.end():]
    if m.group("m3") and not m.group("d3") and not re.match(r"\s|$", rest):
        return None
    numbered = m.group("num") or m.group("lnum")
    if m.group("m3") and not numbered and not m.group("wd") and m.group("d3") is None and rest.strip():
        return None  # "11/ something" without a session number is too weak to start a class
    date = _from_match(m, re.sub(r"^[\s:,;|.)\]—–-]+", "", rest).strip())
    if date and date.day and (r := RANGE_END.match(rest)):
        month = MONTHS.index(r["mon"].lower()[:3]) + 1 if r["mon"] else (int(r["m"]) if r["m"] else date.month)
        rest = re.sub(r"^[\s:,;|.)\]—–-]+", "", rest[r.end():]).strip()
        return PageDate(date.month, date.day, date.year, date.weekday, rest, m[0].strip() + r[0].rstrip(), (month,
                        int(r["d"])), date.number)
    return date


def weekday_mentions(text: str) -> list[PageDate]:
    """Every "Wed. October 16" / "Tue 1/21" on the page (the facts that pin the year)."""
    return [d for m in ANYWHERE.finditer(text) if (d := _from_match(m, "")) and d.weekday is not None and d.day]


def real(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def lay_out(dates: Sequence[PageDate], year: int) -> list[dt.date | None]:
    """The dates in `year`, moving to the next year when the month goes back (a term across New Year)."""
    out: list[dt.date | None] = []
    current, last_month = year, None
    for d in dates:
        if d.year:
            current = d.year
        elif last_month and d.month < last_month - 3:
            current += 1
        last_month = d.month
        out.append(real(current, d.month, d.day) if d.day else None)
    return out


@dataclass(frozen=True, slots=True)
class YearGuess:
    year: int
    how: str  # "given", "page" (a year on the dates), "weekdays", "pattern"


def infer_year(page: str, dates: Sequence[PageDate], given: int | None, now_year: int | None = None) -> YearGuess:
    """The first session's year: --year; a year on the dates; weekdays named on the page; the meeting pattern."""
    if given:
        return YearGuess(given, "given")
    if dates and dates[0].year:
        return YearGuess(dates[0].year, "page")
    terms = [int(m[2]) for m in TERM.finditer(page)]
    years = [int(y) for y in YEAR.findall(page) if EARLIEST <= int(y) <= LATEST]
    near = terms[0] if terms else now_year or (max(years) if years else 2025)
    facts = weekday_mentions(page) + [d for d in dates if d.weekday is not None and d.day]

    def score(year: int) -> tuple[int, int, int, int]:
        wrong = sum(real(year, f.month, f.day or 1) is None or
                    real(year, f.month, f.day or 1).weekday() != f.weekday for f in facts)  # type: ignore[union-attr]
        laid = [d for d in lay_out(dates, year) if d]
        counts = Counter(d.weekday() for d in laid)
        top = sum(c for _, c in counts.most_common(3))
        weekend = counts[5] + counts[6]
        return wrong, weekend, len(laid) - top, abs(year - near)

    best = min(range(EARLIEST, LATEST + 1), key=score)
    return YearGuess(best, "weekdays" if facts and score(best)[0] < len(facts) else "pattern")


def meeting_days(days: Sequence[dt.date]) -> tuple[int, ...]:
    """The weekdays classes fall on: every one in a short list, else each with a fifth of the classes (and two)."""
    counts = Counter(d.weekday() for d in days)
    keep = sorted(w for w, c in counts.items() if len(days) < 8 or c >= max(2, len(days) / 5))
    return tuple(keep) or tuple(sorted(counts))


def fill_lost_day(month: int, year: int, before: dt.date | None, after: dt.date | None,
                  meets: Sequence[int]) -> tuple[dt.date | None, int]:
    """A day lost from "11/": the class days of that month strictly between its neighbours; (first, how many)."""
    candidates = []
    for day in range(1, 32):
        when = real(year, month, day)
        if when and (before is None or when > before) and (after is None or when < after) and when.weekday() in meets:
            candidates.append(when)
    return (candidates[0] if candidates else None), len(candidates)


PROSE_DATE = re.compile(rf"\b(?:{WEEKDAY}\s*)?{DATE}(?![\w/])", re.I)


def dates_in(text: str) -> list[tuple[PageDate, tuple[int, int]]]:
    """Every full date in a sentence ("Fri Feb 7", "2/21", "March 3", "Wednesday, March 4") and where it is."""
    found = []
    for m in PROSE_DATE.finditer(text):
        if m.group("m3") and (m.group("d3") is None or re.match(r"\s*(?:points?|pages?|%)", text[m.end():])):
            continue
        if m.group("y2") is None and m.group("m3") and re.search(r"\d[.:]?\s*$", text[:m.start()]):
            continue
        if "may" in (m.group("mon"), m.group("mon4")):  # the verb, not the month
            continue
        if (d := _from_match(m, "")) and d.day:
            found.append((d, (m.start(), m.end())))
    return found


def place_date(date: PageDate, first: dt.date, last: dt.date) -> tuple[dt.date | None, str | None]:
    """A date stated in a sentence, in the year that puts it nearest the term; a wrong weekday is said."""
    if date.day is None:
        return None, None
    if date.year:
        day = real(date.year, date.month, date.day)
    else:
        options = [d for y in range(first.year - 1, last.year + 2) if (d := real(y, date.month, date.day))]
        day = min(options, key=lambda d: (max((first - d).days, 0, (d - last).days), d), default=None)
    if day is None:
        return None, None
    if date.weekday is not None and day.weekday() != date.weekday:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        return day, f"the page says {names[date.weekday]} but {day} is a {names[day.weekday()]}"
    return day, None
