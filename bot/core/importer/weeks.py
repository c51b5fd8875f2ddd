"""A schedule by weeks → the dated lines the rest of the importer reads ("Jan 13: topic", then its readings).

A week opens with a line like "Week 1 (Jan 13, 15): Theme", "Week 1: Jan 13 – Jan 17", "Week 1 — January 13–17"
or "Week of Jan 13". Its classes are the days the line lists, else the weekday lines under it ("Tuesday:", "Tue Jan
14 –", "Thursday (Jan 16):"), else one class per meeting day the page states ("MW 10:30–11:50") within the week.
What the week gives before its first day ("Readings for the week:") goes to its first class, with a `# check:`. A
day with no topic of its own takes the week's theme (`Line.theme`). A week whose theme is a break, with no days,
becomes one range line ("Mar 2 – Mar 6: Spring break"), which the importer reads as a break. A line that leaves the
schedule (a break stated with its dates between two weeks, a heading that is no week) is marked `outside`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.importer.events import BREAK, meeting_pattern
from bot.core.importer.lines import Line
from bot.core.importer.when import PageDate, dates_in, infer_year, lay_out, leading_date, real

WEEK = re.compile(r"^(?:week|wk\.?)\s*(?:#?\s*\d{1,2}\b|of\b)", re.I)
DAY = re.compile(r"^(?P<wd>mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|rs|r)?\.?(?![a-z])", re.I)
BARE_DAY = re.compile(r"^(?:,|&|and|\+|/)?\s*(\d{1,2})(?:st|nd|rd|th)?(?![\d:./]|\s*(?:[ap]\.?m\b|%|pages?\b))")
FOR_WEEK = re.compile(r"^(?:(?:required\s+|assigned\s+)?readings?|to read|prepare)\b[^:]{0,30}:?$|"
                      r"^(?:readings?\s+)?for\s+(?:the|this)\s+week\s*:?$", re.I)
CANCELS = re.compile(r"\b(no class(es)?|no lecture|cancel+ed|holiday|recess|no meeting|closed|break)\b", re.I)
NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(slots=True)
class Day:
    line: Line | None  # the weekday line ("Tuesday: topic"), None for a day the week's heading implies
    weekday: int | None
    date: PageDate | None  # when the weekday line gives its own date
    rest: str
    body: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class Week:
    line: Line
    listed: list[PageDate]  # the days the heading lists ("Jan 13, 15"); one with `until` for a range
    of: bool  # "Week of Jan 13"
    theme: str
    lead: list[Line] = field(default_factory=list)  # what comes before the first weekday line
    days: list[Day] = field(default_factory=list)


def _date_list(text: str) -> tuple[list[PageDate], str] | None:
    """"Jan 13, 15): Theme" → ([Jan 13, Jan 15], "Theme"); a range "January 13–17" is one date with `until`."""
    first = leading_date(text)
    if first is None or first.day is None:
        return None
    found, rest = [first], first.rest
    while rest:
        if (d := leading_date(rest)) and d.day and not d.rest.startswith(("am", "pm")):
            found.append(d)
            rest = d.rest
        elif m := BARE_DAY.match(rest):
            day = int(m[1])
            month = found[-1].month + (day < (found[-1].day or 0))
            if month > 12:
                break
            found.append(PageDate(month, day, None, None, "", m[0].strip(",&+/ ")))
            rest = rest[m.end():].lstrip()
        else:
            break
    return found, re.sub(r"^[\s):,;.—–-]+", "", rest).strip()


def read_week(line: Line) -> Week | None:
    """A week's opening line with its dates, else None (a "Week 3" without dates is left to the dated lines)."""
    m = WEEK.match(line.text)
    if not m or len(line.text.split()) > 18:
        return None
    after = line.text[m.end():]
    starts = [re.match(r"[\s:.,—–-]*\(?\s*", after).end()]  # type: ignore[union-attr]
    starts += [p.end() for p in re.finditer(r"\(\s*", after)] + [at for _, (at, _) in dates_in(after)]
    for at in starts:
        if got := _date_list(after[at:]):
            dates, rest = got
            theme = re.sub(r"[\s(:,;—–-]+$", "", after[:at]).strip(" :.,—–-") + " " + rest.strip(" :.,—–-()")
            return Week(line, dates, after.lstrip().lower().startswith("of"), theme.strip(" :.,—–-"))
    return None


def _day(line: Line) -> Day | None:
    """"Tuesday:", "Tuesday: topic", "Tue Jan 14 – topic", "Thursday (Jan 16): topic" → a Day, else None."""
    m = DAY.match(line.text)
    if not m:
        return None
    weekday = NAMES.index(m["wd"][:1].upper() + m["wd"][1:3].lower())
    after = re.sub(r"^[\s,(]+", "", line.text[m.end():])
    date = leading_date(after)
    if date and date.day:
        rest = re.sub(r"^[\s):,;.—–-]+", "", date.rest)
        return Day(line, weekday, dataclasses.replace(date, weekday=weekday), rest)
    if after and not re.match(r"[:—–-]", after):
        return None
    return Day(line, weekday, None, re.sub(r"^[\s:—–-]+", "", after).strip())


def _group(lines: Sequence[Line]) -> list[Week | Line]:
    """The page's lines with each week's lines gathered into its Week."""
    out: list[Week | Line] = []
    week: Week | None = None
    for line in lines:
        if found := read_week(line):
            week = found
            out.append(week)
        elif week is None:
            out.append(line)
        elif day := _day(line):
            week.days.append(day)
        elif line.heading or (dates_in(line.text) and BREAK.search(line.text)):
            out.append(dataclasses.replace(line, outside=True))  # the schedule of weeks ends, or a break between
            week = None if line.heading else week
        elif week.days:
            week.days[-1].body.append(dataclasses.replace(line, heading=False))
        else:
            week.lead.append(dataclasses.replace(line, heading=False))
    return out


def _meets(lines: Sequence[Line], weeks: Sequence[Week]) -> tuple[int, ...]:
    """The meeting days the page states ("MW 10:30–11:50"), else the weekdays its weeks name."""
    pattern = next((p for x in lines if (p := meeting_pattern(x.text))), None)
    if pattern:
        return tuple(pattern.days)
    return tuple(sorted({d.weekday for w in weeks for d in w.days if d.weekday is not None}))


def _year(page: str, weeks: Sequence[Week], year: int | None, near: int | None) -> int:
    """The first week's year, from the weeks' dates and any weekday a day line pins to a listed date."""
    dates: list[PageDate] = []
    for w in weeks:
        named = [d.weekday for d in w.days if d.date is None]
        pinned = len(named) == len(w.listed) and not w.listed[0].until
        dates += [d.date for d in w.days if d.date] or [
            dataclasses.replace(p, weekday=named[i] if pinned else None) for i, p in enumerate(w.listed)]
    return infer_year(page, dates, year, near).year


def _text(day: dt.date, weekday: bool, rest: str) -> str:
    head = f"{NAMES[day.weekday()]} " * weekday + f"{MONTHS[day.month - 1]} {day.day}"
    return f"{head}: {rest}" if rest else head


def _span(week: Week, start: dt.date) -> tuple[dt.date, dt.date]:
    until = week.listed[0].until
    if until:
        end = real(start.year + (until[0] < start.month), *until)
        return start, end if end and end >= start else start
    if week.of:
        return start, start + dt.timedelta(days=6)
    monday = start - dt.timedelta(days=start.weekday())
    return monday, monday + dt.timedelta(days=6)


def _listed(week: Week, start: dt.date) -> list[dt.date]:
    if week.listed[0].until or week.of:
        return []
    out, year, last = [], start.year, start.month
    for p in week.listed:
        year += p.month < last
        last = p.month
        if p.day and (day := real(year, p.month, p.day)):
            out.append(day)
    return out


def _week_lines(week: Week, start: dt.date, meets: tuple[int, ...]) -> list[Line]:
    """The dated lines of one week: a line per class (its topic after the date), each followed by its body."""
    listed = _listed(week, start)
    first, last = _span(week, start)
    theme = week.theme or None
    said = week.line.text
    readings = [x for x in week.lead if not FOR_WEEK.match(x.text)]
    days: list[tuple[dt.date, Day, str | None]] = []
    for i, d in enumerate(week.days):
        if d.date is not None:
            day = real(start.year + (d.date.month < start.month), d.date.month, d.date.day or 1)
        else:
            same = [x for x in listed if x.weekday() == d.weekday]
            inside = [first + dt.timedelta(n) for n in range((last - first).days + 1)
                      if (first + dt.timedelta(n)).weekday() == d.weekday]
            day = next(iter(same or (inside if not listed else []) or ([listed[i]] if i < len(listed) else [])), None)
        if day is not None:
            days.append((day, d, None))
    check = None
    if not week.days:
        if theme and CANCELS.search(theme) and not readings:
            return [Line(f"{MONTHS[first.month - 1]} {first.day} – {MONTHS[last.month - 1]} {last.day}: {theme}"
                         if week.listed[0].until or week.of else _text(listed[0], False, theme) if len(listed) == 1
                         else f"{_text(listed[0], False, '')} – {_text(listed[-1], False, theme)}")]
        if listed:
            days = [(x, Day(None, None, None, ""), None) for x in listed]
        else:
            inferred = [first + dt.timedelta(n) for n in range((last - first).days + 1)
                        if (first + dt.timedelta(n)).weekday() in meets] or [first]
            names = ", ".join(NAMES[m] for m in meets)
            check = (f"the page gives the week (“{said}”), not its days: one class per meeting day ({names})"
                     if meets else f"the page gives the week (“{said}”) and no class days: one class on its first day")
            days = [(x, Day(None, x.weekday(), None, ""), check) for x in inferred]
    if not days:
        return [dataclasses.replace(week.line, outside=True)]
    out: list[Line] = []
    for n, (day, d, note) in enumerate(days):
        notes = [note] if note else []
        if n == 0 and readings and len(days) > 1:
            notes.append("the page gives these readings for the whole week: they are put on its first class")
        given = d.line is not None and d.date is None or d.date is not None and d.date.weekday is not None
        links = d.line.links if d.line else ()
        out.append(Line(_text(day, given or note is not None, d.rest), links, theme=theme,
                        note="; ".join(notes) or None))
        out += (readings if n == 0 else []) + d.body
    return out


def expand_weeks(lines: Sequence[Line], page: str, year: int | None, near: int | None) -> list[Line]:
    """The lines with each dated week made into dated lines; the lines unchanged when no week gives its dates."""
    grouped = _group(lines)
    weeks = [w for w in grouped if isinstance(w, Week)]
    if not weeks:
        return list(lines)
    meets = _meets(lines, weeks)
    starts = lay_out([w.listed[0] for w in weeks], _year(page, weeks, year, near))
    out: list[Line] = []
    for item in grouped:
        if isinstance(item, Line):
            out.append(item)
            continue
        start = starts[weeks.index(item)]
        out += _week_lines(item, start, meets) if start else [dataclasses.replace(item.line, outside=True)]
    return out
