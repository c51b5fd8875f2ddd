"""Properties: whatever a student types, as a date or a query, gets an answer or a clean error, never a crash, in
each test course (the first one and both synthetic ones: `any_course`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import console
from bot.commands import STUDENT_COMMANDS
from bot.core import queries
from bot.core.dates import QueryError, When, parse_when
from bot.core.model import Course
from bot.core.search import SearchAnswer, search

PROPERTY = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Any unicode text, short or very long; and text shaped like the date forms so the parsers' deep paths run.
ANY_TEXT = st.one_of(st.text(), st.text(min_size=500, max_size=5000))
DATE_LIKE = st.from_regex(
    r"\A\s*(#\d{1,5}|\d{1,5}/\d{1,5}(/\d{1,5})?|\d{4}-\d{1,3}-\d{1,3}|(next |last |this )?[a-z]{1,10}\.?,? ?\d{0,3}"
    r"(st|nd|rd|th)?(,? \d{4})?|\d{1,3} (of )?[a-z]{1,10}( \d{4})?)\s*\Z",
    fullmatch=True,
)
TYPED = st.one_of(ANY_TEXT, DATE_LIKE)
# Any instant from 2000 to 2050, as UTC, a fixed offset, or wall time in a zone of the test courses (DST included).
NOW = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2050, 1, 1),
                   timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)),
                                              ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles"),
                                              ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney")]))


@PROPERTY
@given(typed=TYPED, now=NOW)
def test_parse_when_answers_or_refuses(any_course: Course, typed: str, now: dt.datetime) -> None:
    """parse_when returns a When or raises QueryError with a message, for any text at any instant."""
    try:
        when = parse_when(any_course, typed, now)
    except QueryError as exc:
        assert str(exc)
    else:
        assert isinstance(when, When) and isinstance(when.date, dt.date)


@PROPERTY
@given(typed=TYPED, now=NOW)
def test_readings_answers_or_refuses(any_course: Course, typed: str, now: dt.datetime) -> None:
    """/readings returns one of its three answers or raises QueryError, for any text."""
    try:
        answer = queries.readings(any_course, typed, now)
    except QueryError as exc:
        assert str(exc)
    else:
        assert isinstance(answer, queries.Readings | queries.NoClass | queries.CourseOver)


@PROPERTY
@given(typed=st.one_of(TYPED, st.from_regex(r"\A(week )?\d{1,3}\Z", fullmatch=True)), now=NOW)
def test_schedule_answers_or_refuses(any_course: Course, typed: str, now: dt.datetime) -> None:
    """/schedule returns weeks or raises QueryError, for any text."""
    try:
        answer = queries.schedule(any_course, typed, now)
    except QueryError as exc:
        assert str(exc)
    else:
        assert answer.weeks


@PROPERTY
@given(typed=ANY_TEXT)
def test_search_answers_or_refuses(any_course: Course, typed: str) -> None:
    """/search returns an answer (hits or a suggestion or nothing) or QueryError, for any text."""
    try:
        answer = search(any_course, typed)
    except QueryError as exc:
        assert str(exc)
    else:
        assert isinstance(answer, SearchAnswer) and len(answer.hits) <= 10 and len(answer.query) <= 200


COMMAND_LINE = st.one_of(
    ANY_TEXT,
    st.builds(lambda name, rest: f"/{name} {rest}", st.sampled_from([c.name for c in STUDENT_COMMANDS]),
              st.one_of(TYPED, st.builds(lambda o, v: f"{o}:{v}", st.sampled_from(["date", "week", "query", "x"]),
                                         TYPED))),
)


@pytest.fixture(scope="module")
def scratch_settings(tmp_path_factory):
    """Settings whose database is a scratch file: the tracker commands write to it."""
    from bot.settings import Settings

    return Settings(database=str(tmp_path_factory.mktemp("console") / "db.sqlite3"))


@PROPERTY
@given(line=COMMAND_LINE, now=NOW)
def test_console_answers_every_line(any_course: Course, line: str, now: dt.datetime, scratch_settings) -> None:
    """The console turns any line into text (errors included), never an exception."""
    reply = console.answer(any_course, line, now, scratch_settings)
    assert isinstance(reply, str) and reply.strip()
