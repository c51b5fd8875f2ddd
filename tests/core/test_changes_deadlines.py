"""What /course deadline move|add|remove need besides the changes themselves: reading the times and dates an
instructor types, deriving ids, the clock check, the autocomplete labels, and project deadlines kept in step."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.changes import (
    Cancel,
    Change,
    ChangeError,
    DeadlineAdd,
    DeadlineMove,
    DeadlineRemove,
    apply_log,
    deadline_choices,
    deadline_label,
    derive_id,
    due_text,
    parse_due,
    parse_time,
)
from bot.core.model import Course, Deadline
from tests.core.test_changes_courses import DA, DS, ML, load

LA = ZoneInfo("America/Los_Angeles")
MON_FEB_10 = dt.datetime(2025, 2, 10, 9, 0, tzinfo=LA)  # Distributed Systems, week 4


@pytest.fixture(scope="module")
def ds() -> Course:
    return load(DS)


# --- times and dates as the instructor types them ---------------------------------------------------------


@pytest.mark.parametrize(("typed", "time"), [
    ("23:59", dt.time(23, 59)), ("9:05", dt.time(9, 5)), ("00:30", dt.time(0, 30)), ("11:59pm", dt.time(23, 59)),
    ("11:59 PM", dt.time(23, 59)), ("5pm", dt.time(17)), ("5 p.m.", dt.time(17)), ("5p", dt.time(17)),
    ("12pm", dt.time(12)), ("12am", dt.time(0)), ("12:01am", dt.time(0, 1)), ("9am", dt.time(9)),
    ("noon", dt.time(12)), (" Noon ", dt.time(12)),
])
def test_parse_time_reads_the_usual_forms(typed: str, time: dt.time) -> None:
    assert parse_time(typed) == time


@pytest.mark.parametrize("typed", ["25:00", "24:00", "23:60", "13pm", "0am", "5", "17", "5:7pm", "tonight", "",
                                   "11:59pmx", "-1:00"])
def test_parse_time_refuses_with_examples(typed: str) -> None:
    """25:00 and friends get one sentence with the forms that work."""
    with pytest.raises(ChangeError) as info:
        parse_time(typed)
    assert str(info.value) == f"I couldn't read “{typed.strip()}” as a time. Try 23:59, 11:59pm or 5pm."


def test_midnight_is_refused_as_ambiguous() -> None:
    with pytest.raises(ChangeError, match="midnight is ambiguous: say 11:59pm or 12:01am"):
        parse_time("midnight")


@pytest.mark.parametrize(("typed", "due"), [
    ("2/21 23:59", (dt.date(2025, 2, 21), dt.time(23, 59))),
    ("Feb 21 11:59pm", (dt.date(2025, 2, 21), dt.time(23, 59))),
    ("Feb 21, 11:59 pm", (dt.date(2025, 2, 21), dt.time(23, 59))),
    ("2025-02-21 17:00", (dt.date(2025, 2, 21), dt.time(17))),
    ("2025-02-21T17:00", (dt.date(2025, 2, 21), dt.time(17))),
    ("friday at 5pm", (dt.date(2025, 2, 14), dt.time(17))),
    ("tomorrow noon", (dt.date(2025, 2, 11), dt.time(12))),
    ("Sunday", (dt.date(2025, 2, 16), None)),
    ("Feb 21", (dt.date(2025, 2, 21), None)),
    ("2/21", (dt.date(2025, 2, 21), None)),
    ("#9", (dt.date(2025, 2, 18), None)),
])
def test_parse_due_reads_a_day_and_an_optional_time(ds: Course, typed: str, due: tuple) -> None:
    assert parse_due(ds, typed, MON_FEB_10) == due


def test_parse_due_refuses_a_bad_time_as_a_time(ds: Course) -> None:
    """“2/21 25:00” is a day with an impossible time, not an unreadable date."""
    with pytest.raises(ChangeError, match="I couldn't read “25:00” as a time"):
        parse_due(ds, "2/21 25:00", MON_FEB_10)


def test_parse_due_refuses_a_bad_date_with_the_course_examples(ds: Course) -> None:
    with pytest.raises(ChangeError, match=r"I couldn.t read “13/45” as a date\. Try 2/11, Feb 11"):
        parse_due(ds, "13/45 5pm", MON_FEB_10)


# --- ids ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "ident"), [
    ("Homework 8 (Byzantine)", "homework-8-byzantine"),
    ("  Quiz   3 ", "quiz-3"),
    ("Übung 3: Émile's problems", "ubung-3-emile-s-problems"),
    ("— ✓ —", "homework"),  # nothing to spell an id with: the kind
    ("Homework 3 (primary-backup)", "homework-3-primary-backup"),
])
def test_derive_id_from_the_title(ds: Course, title: str, ident: str) -> None:
    assert derive_id(ds, title, "homework") == ident


def test_derive_id_is_unique_among_deadlines_and_exams(ds: Course) -> None:
    """An id already used by a deadline or an exam gets a number."""
    assert derive_id(ds, "HW3", "homework") == "hw3-2"
    assert derive_id(ds, "Final", "other") == "final-2"  # the final exam's id
    taken = dataclasses.replace(ds, deadlines=(*ds.deadlines, Deadline("hw3-2", "x", dt.date(2025, 3, 1))))
    assert derive_id(taken, "HW3", "homework") == "hw3-3"


def test_derive_id_of_a_long_title_is_a_valid_id(ds: Course) -> None:
    ident = derive_id(ds, "A very long title " * 10, "other")
    assert len(ident) <= 40 and not ident.endswith("-")
    added = DeadlineAdd("A very long title " * 10, dt.date(2025, 3, 1)).prepare(ds)
    assert added.id == ident and added.apply(ds).deadline(ident) is not None


def test_prepare_derives_the_id_and_tidies_the_title(ds: Course) -> None:
    prepared = DeadlineAdd("  Homework   8 ", dt.date(2025, 5, 2), dt.time(23, 59), "homework").prepare(ds)
    assert prepared == DeadlineAdd("Homework 8", dt.date(2025, 5, 2), dt.time(23, 59), "homework", "homework-8")
    assert prepared.prepare(ds) == prepared  # a stored id is never derived again


# --- the clock: what only the live command refuses -------------------------------------------------------


def test_a_due_time_already_past_is_refused(ds: Course) -> None:
    """Moving or adding a deadline to an instant already past says when it is now."""
    now = dt.datetime(2025, 2, 14, 18, 0, tzinfo=LA)
    with pytest.raises(ChangeError) as info:
        DeadlineMove("hw3", dt.date(2025, 2, 14), dt.time(17)).check(ds, now)
    assert str(info.value) == ("Fri Feb 14, 5pm has already passed (it is Fri Feb 14, 6pm now); pick a later time.")
    with pytest.raises(ChangeError, match="Thu Feb 13, 11:59pm has already passed"):
        DeadlineAdd("Reading response", dt.date(2025, 2, 13)).check(ds, now)  # no time: the end of that day
    with pytest.raises(ChangeError, match="has already passed"):  # the instant itself is past too
        DeadlineMove("hw3", dt.date(2025, 2, 14), dt.time(18)).check(ds, now)


def test_a_due_time_still_ahead_passes_the_clock_check(ds: Course) -> None:
    """Control: one minute later is fine, and reopening a deadline that has passed is allowed."""
    now = dt.datetime(2025, 2, 14, 18, 0, tzinfo=LA)
    DeadlineMove("hw3", dt.date(2025, 2, 14), dt.time(18, 1)).check(ds, now)
    DeadlineMove("hw1", dt.date(2025, 2, 16)).check(ds, now)  # hw1 was due Jan 31: extended again
    DeadlineRemove("hw1").check(ds, now)
    Cancel(dt.date(2025, 1, 21)).check(ds, now)  # the other kinds have no clock check


def test_the_clock_check_reads_now_in_the_course_time_zone(ds: Course) -> None:
    """6pm in New York is 3pm in Los Angeles: a 5pm deadline there is still ahead."""
    now = dt.datetime(2025, 2, 14, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    DeadlineMove("hw3", dt.date(2025, 2, 14), dt.time(17)).check(ds, now)


# --- labels and autocomplete ------------------------------------------------------------------------------


def test_deadline_label(ds: Course) -> None:
    assert deadline_label(ds.deadline("hw3")) == "hw3 · Homework 3 (primary-backup) · Fri Feb 14, 11:59pm"
    assert deadline_label(load(ML).deadline("proposal")) == "proposal · Project proposal · Wed Oct 16"
    assert due_text(load(DA).deadline("quiz1")) == "Fri Oct 17, 2pm"


def test_a_long_title_is_cut_to_discords_100_characters(ds: Course) -> None:
    long = Deadline("essay", "An essay " * 20, dt.date(2025, 3, 1), time=dt.time(23, 59))
    text = deadline_label(long)
    assert len(text) == 100 and text.startswith("essay · An essay") and text.endswith("… · Sat Mar 1, 11:59pm")


def test_choices_put_deadlines_still_ahead_first(ds: Course) -> None:
    values = [value for _, value in deadline_choices(ds, "", MON_FEB_10)]
    assert values == ["hw3", "hw4", "hw5", "hw6", "proposal", "hw7", "report", "hw2", "hw1"]


def test_choices_filter_by_id_or_title(ds: Course) -> None:
    assert deadline_choices(ds, "PAXOS", MON_FEB_10) == [("hw4 · Homework 4 (Paxos) · Fri Feb 21, 11:59pm", "hw4")]
    assert [v for _, v in deadline_choices(ds, "pro", MON_FEB_10)] == ["proposal", "report"]
    assert deadline_choices(ds, "zzz", MON_FEB_10) == []
    assert deadline_choices(load(DA), "", MON_FEB_10, limit=2) == [
        ("ps1 · Problem set 1 · Fri Oct 10", "ps1"), ("quiz1 · Quiz 1 (online) · Fri Oct 17, 2pm", "quiz1")]


# --- project deadlines stay in step ------------------------------------------------------------------------


def test_project_deadlines_follow_every_deadline_change() -> None:
    """In the first course, course.project.deadlines and the project deadlines of course.deadlines stay the same."""
    course = load(ML)
    log = [Change(DeadlineMove("proposal", dt.date(2024, 10, 23)), id=1),
           Change(DeadlineAdd("Check-in", dt.date(2024, 11, 6), None, "project", "check-in"), id=2),
           Change(DeadlineAdd("Reading quiz", dt.date(2024, 11, 8), None, "quiz", "reading-quiz"), id=3),
           Change(DeadlineRemove("final"), id=4)]
    for end in range(len(log) + 1):
        after = apply_log(course, log[:end]).course
        assert after.project.deadlines == tuple(d for d in after.deadlines if d.kind == "project")
    assert [d.id for d in after.project.deadlines] == ["proposal", "check-in"]
    assert [d.id for d in after.deadlines] == ["proposal", "check-in", "reading-quiz"]


def test_a_move_without_a_time_keeps_the_time_the_file_gives() -> None:
    """Stored without a time, a move keeps the deadline's own time, even after the file changes it."""
    course = load(DS)
    move = DeadlineMove("hw3", dt.date(2025, 2, 16))
    assert move.apply(course).deadline("hw3").time == dt.time(23, 59)
    hw3 = course.deadline("hw3")
    edited = dataclasses.replace(course, deadlines=tuple(dataclasses.replace(d, time=dt.time(17)) if d is hw3 else d
                                                         for d in course.deadlines))
    assert move.apply(edited).deadline("hw3").time == dt.time(17)
