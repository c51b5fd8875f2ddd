"""Until when an answer to /readings or /next reads the same, so that an adapter may give it again meanwhile.

Such an answer compares `now` only with instants the course names (class starts and ends, critique, deadline and
exam times: whole minutes, as every time zone's offset is today) and with the course's local midnight (today,
tomorrow, the year of a date typed without one). The one finer thing is the minutes left before something within
12 hours, which are rounded (`dates.relative_instant`) and so turn at half minutes. An answer made at `now` thus
reads the same until the first of: the next local midnight, the moment the next of those instants comes within
12 hours and, while one is within 12 hours, the next half minute (which comes before that instant itself). Made
exactly on a whole or half minute, it is good for that instant only (a rounding tie, or something happening at
that very instant); across a clock change it is good for that instant only too (few days a year). Ending early
is always safe: the answer is made again.
"""

from __future__ import annotations

import bisect
import datetime as dt

from bot.core.due import critique_due
from bot.core.model import Course

UTC = dt.timezone.utc
ROUNDED = dt.timedelta(hours=12)  # relative_instant counts minutes below 12 hours, days beyond
ROUNDED_WITHIN = ROUNDED + dt.timedelta(minutes=1)
HALF_MINUTE = dt.timedelta(seconds=30)
INSTANT = dt.timedelta(microseconds=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def course_instants(course: Course) -> tuple[dt.datetime, ...] | None:
    """Every instant the course names, in UTC, sorted (computed once per course by the adapter that keeps answers);
    None when one is not a whole minute (a zone's offset in seconds, as before about 1900): then nothing is kept."""
    found: set[dt.datetime] = set()
    for session in course.sessions:
        found.update(t for t in (course.class_start_at(session), course.class_end_at(session),
                                 critique_due(course, session)) if t is not None)
    found.update(course.due_at(d) for d in course.deadlines)
    for exam in course.all_exams():
        found.update(t for t in (course.exam_start_at(exam), course.exam_end_at(exam),
                                 dt.datetime.combine(exam.date, dt.time(23, 59), course.timezone)) if t is not None)
    try:
        instants = tuple(sorted(t.astimezone(UTC) for t in found))
    except OverflowError:  # something due on 9999-12-31 west of UTC: past the last instant Python has
        return None
    return instants if all(t.second == t.microsecond == 0 for t in instants) else None


def reads_the_same_until(course: Course, instants: tuple[dt.datetime, ...] | None, now: dt.datetime) -> dt.datetime:
    """The first instant after `now` at which /readings or /next for `course` may read differently (see the
    module's docstring); `instants` is `course_instants(course)`."""
    now = now.astimezone(UTC)
    if instants is None or (now.microsecond == 0 and now.second in (0, 30)):
        return now + INSTANT
    until = _next_midnight(course, now)
    if until is None or _offset(course, until - INSTANT) != _offset(course, now):
        return now + INSTANT  # a clock change before the next midnight: the day may not change at midnight
    index = bisect.bisect_right(instants, now)
    if index < len(instants) and instants[index] - now <= ROUNDED_WITHIN:  # (the next half minute comes first)
        halves = (now - EPOCH) // HALF_MINUTE + 1
        until = min(until, EPOCH + halves * HALF_MINUTE)
    entering = bisect.bisect_right(instants, now + ROUNDED)  # the next instant to come within 12 hours
    if entering < len(instants):
        until = min(until, instants[entering] - ROUNDED)
    return until


def _next_midnight(course: Course, now: dt.datetime) -> dt.datetime | None:
    """The next start of a day in the course's time zone (the earlier reading of a midnight a clock change repeats;
    None past 9999-12-31). A clock change before it is the caller's to see: the day may then change at another
    hour (St John's put its clocks back at 00:01 until 2010)."""
    try:
        tomorrow = now.astimezone(course.timezone).date() + dt.timedelta(days=1)
        midnight = dt.datetime.combine(tomorrow, dt.time(0), course.timezone)
        readings = [m.astimezone(UTC) for m in (midnight, midnight.replace(fold=1))]
    except OverflowError:
        return None
    return min((r for r in readings if r > now), default=None)


def _offset(course: Course, at: dt.datetime) -> dt.timedelta | None:
    return at.astimezone(course.timezone).utcoffset()
