"""Date expressions as students type them, read against a fixed clock in the course's time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.core.dates import (
    QueryError,
    class_is_over,
    clock_time,
    local_now,
    neighbours,
    parse_when,
    relative_day,
    relative_instant,
    short_date,
)
from bot.core.model import Course

At = Callable[..., dt.datetime]

SPEC_ERROR = ("I couldn't read “13/45” as a date. Try 9/18, Sep 18, 2024-09-18, today, next, "
              "or #7 (the class number).")

# Tue Sep 17 2024, 9:00 in New York: the day before class 7 (Wed Sep 18).
TUESDAY = (2024, 9, 17, 9)

FORMS = [
    ("9/18", dt.date(2024, 9, 18), 7),
    ("09/18", dt.date(2024, 9, 18), 7),
    ("9/18/24", dt.date(2024, 9, 18), 7),
    ("Sep 18", dt.date(2024, 9, 18), 7),
    ("SEP 18", dt.date(2024, 9, 18), 7),
    ("Sept. 18", dt.date(2024, 9, 18), 7),
    ("September 18", dt.date(2024, 9, 18), 7),
    ("sep 18th", dt.date(2024, 9, 18), 7),
    ("18 Sep", dt.date(2024, 9, 18), 7),
    ("2024-09-18", dt.date(2024, 9, 18), 7),
    ("Wed Sep 18", dt.date(2024, 9, 18), 7),
    ("  9/18  ", dt.date(2024, 9, 18), 7),
    ("today", dt.date(2024, 9, 17), None),
    ("tomorrow", dt.date(2024, 9, 18), 7),
    ("yesterday", dt.date(2024, 9, 16), 6),
    ("next", dt.date(2024, 9, 18), 7),
    ("last", dt.date(2024, 9, 16), 6),
    ("wed", dt.date(2024, 9, 18), 7),
    ("Wednesday", dt.date(2024, 9, 18), 7),
    ("mon", dt.date(2024, 9, 23), 8),
    ("next monday", dt.date(2024, 9, 23), 8),
    ("last monday", dt.date(2024, 9, 16), 6),
    ("#7", dt.date(2024, 9, 18), 7),
    ("#13", dt.date(2024, 10, 9), 13),
    ("class 7", dt.date(2024, 9, 18), 7),
    ("2/29", dt.date(2024, 2, 29), None),
    ("1/15", dt.date(2025, 1, 15), None),
]


@pytest.mark.parametrize(("text", "day", "number"), FORMS, ids=[f[0].strip() or "blank" for f in FORMS])
def test_date_forms(course: Course, at: At, text: str, day: dt.date, number: int | None) -> None:
    """Each accepted form resolves to the right day and the class held on it (if any)."""
    when = parse_when(course, text, at(*TUESDAY))
    assert when.date == day
    assert (when.session.number if when.session else None) == number


ERRORS = [
    ("13/45", SPEC_ERROR),
    ("9/31", "September 2024 has no day 31. Try 9/18, Sep 18, 2024-09-18, today, next, or #7 (the class number)."),
    ("2/30", "February 2024 has no day 30."),
    ("#99", "There is no class #99; classes are numbered 1 to 29."),
    ("", "Give me a date. Try 9/18"),
    ("   ", "Give me a date. Try 9/18"),
    ("Wed Sep 19", "Thu Sep 19, 2024 is a Thursday, not a Wednesday. Which did you mean?"),
    ("banana", "I couldn't read “banana” as a date."),
    ("next fortnight", "I couldn't read “next fortnight” as a date."),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_date_errors(course: Course, at: At, text: str, message: str) -> None:
    """Unreadable, impossible or unknown dates raise QueryError with advice the student can act on."""
    with pytest.raises(QueryError) as caught:
        parse_when(course, text, at(*TUESDAY))
    assert str(caught.value).startswith(message)


def test_spec_error_message_exactly(course: Course, at: At) -> None:
    """The error for 13/45 is word for word the one in SPEC.md."""
    with pytest.raises(QueryError) as caught:
        parse_when(course, "13/45", at(*TUESDAY))
    assert str(caught.value) == SPEC_ERROR


def test_long_garbage_is_quoted_short(course: Course, at: At) -> None:
    """A long unreadable input is quoted back cut to 60 characters."""
    with pytest.raises(QueryError) as caught:
        parse_when(course, "x" * 500, at(*TUESDAY))
    assert "“" + "x" * 60 + "”" in str(caught.value)


def test_weekday_on_that_weekday_is_today(course: Course, at: At) -> None:
    """'wed' on a Wednesday is that day; 'next wed' is a week later."""
    wednesday = at(2024, 9, 18, 9)
    assert parse_when(course, "wed", wednesday).date == dt.date(2024, 9, 18)
    assert parse_when(course, "next wed", wednesday).date == dt.date(2024, 9, 25)


def test_next_on_a_class_day_is_that_class(course: Course, at: At) -> None:
    """With no class time set, a class is 'next' for its whole day."""
    assert parse_when(course, "next", at(2024, 9, 18, 20)).session.number == 7
    assert parse_when(course, "next", at(2024, 9, 19, 0, 1)).session.number == 8


def test_next_skips_a_cancelled_class(course: Course, at: At) -> None:
    """'next' after Mon Oct 7 is Mon Oct 14: class 13 (Wed Oct 9) is cancelled."""
    assert parse_when(course, "next", at(2024, 10, 8, 9)).session.number == 14


def test_next_after_the_course(course: Course, at: At) -> None:
    """'next' after the last class is a clean error that names the last class."""
    with pytest.raises(QueryError, match="The course has ended: the last class was Mon Dec 9"):
        parse_when(course, "next", at(2024, 12, 10, 9))


def test_last_before_the_course(course: Course, at: At) -> None:
    """'last' before the first class is a clean error that names the first class."""
    with pytest.raises(QueryError, match="The course has not started yet: the first class is Mon Aug 26"):
        parse_when(course, "last", at(2024, 8, 1, 9))


def test_today_at_the_end_of_the_dst_day(course: Course) -> None:
    """At 23:30 EST on Sun Nov 3 (04:30 UTC on Nov 4) 'today' is Nov 3 and 'tomorrow' is class 20."""
    now = dt.datetime(2024, 11, 4, 4, 30, tzinfo=dt.timezone.utc)
    assert parse_when(course, "today", now).date == dt.date(2024, 11, 3)
    assert parse_when(course, "tomorrow", now).session.number == 20


def test_today_in_the_repeated_hour(course: Course) -> None:
    """Both 1:30s of Sun Nov 3 (EDT, then EST) are Nov 3, and the next class is Mon Nov 4."""
    for utc_hour in (5, 6):  # 01:30 EDT and 01:30 EST
        now = dt.datetime(2024, 11, 3, utc_hour, 30, tzinfo=dt.timezone.utc)
        assert parse_when(course, "today", now).date == dt.date(2024, 11, 3)
        assert parse_when(course, "next", now).session.number == 20


def test_utc_evening_is_still_the_course_day(course: Course) -> None:
    """At 01:00 UTC on Sep 18 it is still Sep 17 in New York, so 'tomorrow' is class 7."""
    now = dt.datetime(2024, 9, 18, 1, 0, tzinfo=dt.timezone.utc)
    assert parse_when(course, "tomorrow", now).session.number == 7


def test_naive_now_is_refused(course: Course) -> None:
    """A naive `now` is a programming error, not a silent local time."""
    with pytest.raises(ValueError, match="timezone-aware"):
        local_now(course, dt.datetime(2024, 9, 17, 9))


NEIGHBOURS = [
    (dt.date(2024, 9, 2), dt.date(2024, 8, 28), dt.date(2024, 9, 4)),  # Labor Day
    (dt.date(2024, 11, 27), dt.date(2024, 11, 25), dt.date(2024, 12, 2)),  # Thanksgiving week
    (dt.date(2024, 10, 9), dt.date(2024, 10, 7), dt.date(2024, 10, 14)),  # the cancelled class is skipped
    (dt.date(2024, 8, 1), None, dt.date(2024, 8, 26)),
    (dt.date(2024, 12, 25), dt.date(2024, 12, 9), None),
]


@pytest.mark.parametrize(("day", "before", "after"), NEIGHBOURS, ids=[str(n[0]) for n in NEIGHBOURS])
def test_neighbours(course: Course, day: dt.date, before: dt.date | None, after: dt.date | None) -> None:
    """The classes held just before and just after a day (cancelled ones skipped)."""
    previous, following = neighbours(course, day)
    assert (previous.date if previous else None, following.date if following else None) == (before, after)


def test_class_is_over_at_midnight_without_a_class_time(course: Course, at: At) -> None:
    """Without a class time, a class is over once its day has passed in New York."""
    session = course.session_number(7)
    assert not class_is_over(course, session, at(2024, 9, 18, 23, 59))
    assert class_is_over(course, session, at(2024, 9, 19, 0, 0))


@pytest.mark.parametrize(("day", "text"), [(dt.date(2024, 9, 18), "Wed Sep 18"), (dt.date(2024, 12, 9), "Mon Dec 9")])
def test_short_date(day: dt.date, text: str) -> None:
    """The plain-text date form used everywhere: 'Wed Sep 18', no leading zero."""
    assert short_date(day) == text


@pytest.mark.parametrize(("delta", "text"), [
    (0, "today"), (1, "tomorrow"), (-1, "yesterday"), (3, "in 3 days"), (13, "in 13 days"), (14, "in 2 weeks"),
    (-3, "3 days ago"), (-21, "3 weeks ago"),
])
def test_relative_day(delta: int, text: str) -> None:
    """Calendar-day distances in words."""
    today = dt.date(2024, 9, 17)
    assert relative_day(today + dt.timedelta(days=delta), today) == text


@pytest.mark.parametrize(("hour", "minute", "text"), [(10, 0, "10am"), (14, 30, "2:30pm"), (0, 0, "midnight"),
                                                      (12, 0, "12pm")])
def test_clock_time(hour: int, minute: int, text: str) -> None:
    """Times as people write them."""
    assert clock_time(dt.time(hour, minute)) == text


def test_relative_instant_across_the_dst_change(course: Course, at: At) -> None:
    """Noon Sunday Nov 3 to noon Monday Nov 4 is 25 hours but 'tomorrow'; 90 minutes is 'in 1 h 30 min'."""
    assert relative_instant(at(2024, 11, 4, 12), at(2024, 11, 3, 12), course.timezone) == "tomorrow"
    assert relative_instant(at(2024, 11, 4, 12), at(2024, 11, 4, 10, 30), course.timezone) == "in 1 h 30 min"
