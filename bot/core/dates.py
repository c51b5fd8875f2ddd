"""Date expressions as students type them ("9/18", "Sep 18", "next", "wed", "#7"), and date wording.

Everything is relative to an injected `now` and read in the course's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.model import WEEKDAY_NAMES, Course, Session, parse_weekday

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
ORDINAL = r"(?:st|nd|rd|th)?"


class QueryError(ValueError):
    """Input a user typed that we cannot answer; the message is meant to be shown to them."""


@dataclass(frozen=True, slots=True)
class When:
    """What a date expression resolved to: a day, and the class on it when there is one."""

    date: dt.date
    session: Session | None


def example_session(course: Course) -> Session:
    """The class that examples in help and error texts name: the seventh (or the last, in a shorter course)."""
    return course.sessions[min(6, len(course.sessions) - 1)]


def example_dates(course: Course) -> str:
    """'9/18, Sep 18, 2024-09-18': one class of the loaded course, in the forms students may type."""
    day = example_session(course).date
    return f"{day.month}/{day.day}, {day:%b} {day.day}, {day.isoformat()}"


def accepted_forms(course: Course) -> str:
    """'9/18, Sep 18, 2024-09-18, today, next, or #7 (the class number)', from the loaded course."""
    return f"{example_dates(course)}, today, next, or #{example_session(course).number} (the class number)"


def short_date(day: dt.date) -> str:
    """'Wed Sep 18' — the plain-text form used everywhere."""
    return f"{day:%a %b} {day.day}"


def long_date(day: dt.date) -> str:
    """'Wednesday, September 18, 2024'."""
    return f"{day:%A, %B} {day.day}, {day.year}"


def clock_time(t: dt.time) -> str:
    """'10:00' → '10am', '14:30' → '2:30pm', '00:00' → 'midnight' (12am is read as the wrong night)."""
    if t.hour == 0 and t.minute == 0:
        return "midnight"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def local_now(course: Course, now: dt.datetime) -> dt.datetime:
    """`now` in the course's time zone (naive inputs are refused: they are a bug)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(course.timezone)


def relative_day(day: dt.date, today: dt.date) -> str:
    """'today', 'tomorrow', 'in 3 days', 'yesterday', '2 days ago'."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if delta > 0:
        return f"in {delta} days" if delta < 14 else f"in {round(delta / 7)} weeks"
    return f"{-delta} days ago" if delta > -14 else f"{round(-delta / 7)} weeks ago"


def relative_instant(at: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str:
    """Hours and minutes when it is close, calendar days otherwise."""
    seconds = (at - now).total_seconds()
    if 0 <= seconds < 60:
        return "now"
    if 0 < seconds < 12 * 3600:
        hours, minutes = divmod(round(seconds / 60), 60)
        if not hours:
            return f"in {minutes} min"
        return f"in {hours} h {minutes} min" if minutes else f"in {hours} h"
    return relative_day(at.astimezone(zone).date(), now.astimezone(zone).date())


def _year_for(course: Course, month: int, day: int, today: dt.date) -> int:
    """A date without a year belongs to the term; outside it, to the year nearest today."""
    for year in sorted({course.first_day.year, course.last_day.year}):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if course.first_day <= candidate <= course.last_day:
            return year
    # Among the years around today where the day exists (2/29 only in leap years); none: it is no date at all.
    real = [d for y in (today.year - 1, today.year, today.year + 1) if (d := _real_date(y, month, day))]
    return min(real, key=lambda d: abs((d - today).days)).year if real else today.year


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if len(word) < 3:
        return None
    if word == "sept":
        return 9
    return next((i for i, name in enumerate(MONTHS, 1) if name.startswith(word)), None)


def _make_date(year: int | None, month: int, day: int, course: Course, today: dt.date, raw: str) -> dt.date:
    if not 1 <= month <= 12:
        raise QueryError(f"I couldn't read “{raw}” as a date. Try {accepted_forms(course)}.")
    year = year if year is not None else _year_for(course, month, day, today)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise QueryError(f"{MONTHS[month - 1].title()} {year} has no day {day}. "
                         f"Try {accepted_forms(course)}.") from None


def _calendar_date(text: str, course: Course, today: dt.date, raw: str) -> dt.date | None:
    """Numeric and month-name forms, or None when the text is none of them."""
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), course, today, raw)
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?", text):
        year = int(m[3]) if m[3] else None
        month, day = int(m[1]), int(m[2])
        if month > 12 >= day:  # "15/9" can only be day/month, as much of the world writes it
            month, day = day, month
        return _make_date(year + 2000 if year is not None and year < 100 else year, month, day,
                          course, today, raw)
    if m := re.fullmatch(rf"([a-z]+)\.?\s*(\d{{1,2}}){ORDINAL}(?:,?\s+(\d{{4}}))?", text):
        named = _month(m[1])
        if named:
            return _make_date(int(m[3]) if m[3] else None, named, int(m[2]), course, today, raw)
    if m := re.fullmatch(rf"(\d{{1,2}}){ORDINAL}\s*(?:of\s+)?([a-z]+)\.?(?:,?\s+(\d{{4}}))?", text):
        named = _month(m[2])
        if named:
            return _make_date(int(m[3]) if m[3] else None, named, int(m[1]), course, today, raw)
    return None


def _weekday_date(text: str, today: dt.date) -> dt.date | None:
    """'wed' (today or the coming one), 'next wed' (after today), 'last wed', 'this wed'."""
    m = re.fullmatch(r"(?:(next|last|this|coming)\s+)?([a-z]+)\.?", text)
    if not m:
        return None
    weekday = parse_weekday(m[2])
    if weekday is None:
        return None
    ahead = (weekday - today.weekday()) % 7
    if m[1] == "last":
        return today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if m[1] == "next":
        ahead = ahead or 7
    return today + dt.timedelta(days=ahead)


def class_is_over(course: Course, session: Session, now: dt.datetime) -> bool:
    """A class is over once it has ended; without a known end (or start) time, once its day has passed."""
    end = course.class_end_at(session) or course.class_start_at(session)
    if end is None:
        return session.date < local_now(course, now).date()
    return now >= end


def next_session(course: Course, now: dt.datetime, *, include_cancelled: bool = False) -> Session | None:
    """The first class that is not over yet."""
    return next((s for s in course.sessions
                 if (include_cancelled or not s.cancelled) and not class_is_over(course, s, now)), None)


def last_session(course: Course, now: dt.datetime) -> Session | None:
    """The most recent class that is over."""
    return next((s for s in reversed(course.sessions) if not s.cancelled and class_is_over(course, s, now)), None)


def parse_when(course: Course, text: str, now: dt.datetime) -> When:
    """Resolve what a student typed to a day (and its class); raise `QueryError` with advice otherwise."""
    raw = text.strip()
    cleaned = re.sub(r"\s+", " ", raw.lower()).strip(" ,")
    today = local_now(course, now).date()
    if not cleaned:
        raise QueryError(f"Give me a date. Try {accepted_forms(course)}.")
    if m := re.fullmatch(r"(?:#|no\.?\s*|class\s*#?|session\s*#?)(\d{1,4})", cleaned):
        number = int(m[1])
        session = course.session_number(number)
        if session is None:
            numbers = [s.number for s in course.sessions]
            raise QueryError(f"There is no class #{number}; classes are numbered {min(numbers)} to {max(numbers)}.")
        return When(session.date, session)
    if cleaned in ("next", "next class"):
        session = next_session(course, now)
        if session is None:
            raise QueryError(f"The course has ended: the last class was {short_date(course.sessions[-1].date)}.")
        return When(session.date, session)
    if cleaned in ("last", "last class", "previous"):
        session = last_session(course, now)
        if session is None:
            first = short_date(course.sessions[0].date)
            raise QueryError(f"The course has not started yet: the first class is {first}.")
        return When(session.date, session)
    offsets = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "yesterday": -1}
    if cleaned in offsets:
        day = today + dt.timedelta(days=offsets[cleaned])
        return When(day, course.session_on(day))
    found = _weekday_date(cleaned, today)
    if found is None:
        # "Wed Sep 18" / "Wednesday, September 18": a leading weekday must agree with the date.
        m = re.fullmatch(r"([a-z]+)\.?,? (.+)", cleaned)
        stated = parse_weekday(m[1]) if m else None
        found = _calendar_date(m[2] if m and stated is not None else cleaned, course, today, raw)
        if found is not None and stated is not None and found.weekday() != stated:
            raise QueryError(f"{short_date(found)}, {found.year} is a {WEEKDAY_NAMES[found.weekday()]}, "
                             f"not a {WEEKDAY_NAMES[stated]}. Which did you mean?")
    if found is None:
        raise QueryError(f"I couldn't read “{raw[:60]}” as a date. Try {accepted_forms(course)}.")
    return When(found, course.session_on(found))


def neighbours(course: Course, day: dt.date) -> tuple[Session | None, Session | None]:
    """The classes (not cancelled) just before and just after a day."""
    before = next((s for s in reversed(course.sessions) if s.date < day and not s.cancelled), None)
    after = next((s for s in course.sessions if s.date > day and not s.cancelled), None)
    return before, after
