"""The critique tracker's rules and arithmetic, with fixed clocks over the real schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.core.dates import QueryError
from bot.core.tracker import Logged, class_for_critique, status


def logged(course, *numbers):
    return [Logged(n, course.session_number(n).date, dt.datetime(2024, 9, 1, tzinfo=dt.timezone.utc))
            for n in numbers]


@pytest.mark.parametrize("date", ["9/18", "#7", "Sep 18", "2024-09-18"])
def test_class_for_critique_accepts_classes_with_papers(course, at, date):
    """Any date form naming a class with papers gives that class."""
    assert class_for_critique(course, date, at(2024, 9, 17, 9)).number == 7


@pytest.mark.parametrize(("date", "words"), [
    ("8/26", "no assigned papers"), ("12/9", "no assigned papers"), ("10/9", "is cancelled"),
    ("9/2", "There is no class"), ("nonsense", "couldn't read"),
])
def test_class_for_critique_refuses_with_the_reason(course, at, date, words):
    """Classes without papers, cancelled classes, days without class and bad input are refused."""
    with pytest.raises(QueryError, match=words):
        class_for_critique(course, date, at(2024, 9, 17, 9))


def test_past_classes_may_be_logged(course, at):
    """A class that is over can still be logged (the tracker is for the student's own planning)."""
    assert class_for_critique(course, "9/4", at(2024, 11, 1, 9)).number == 3


def test_status_counts_and_remaining(course, at):
    """Two logged on Sep 17: 8 needed, the classes left are those with papers from 9/18 on, minus logged ones."""
    state = status(course, logged(course, 6, 8), at(2024, 9, 17, 9))
    assert (state.done, state.needed) == (2, 8)
    expected = [s.number for s in course.sessions if s.has_papers and s.date >= dt.date(2024, 9, 17) and s.number != 8]
    assert [s.number for s in state.remaining] == expected
    assert state.warning is None
    assert state.count_line() == "You have logged 2 of 10 critiques (/critique status)."


def test_today_class_counts_as_remaining_until_it_is_over(course, at):
    """On the morning of 9/18 (no start time set), class 7 is still ahead."""
    state = status(course, [], at(2024, 9, 18, 8))
    assert state.remaining[0].number == 7


def test_barely_enough_warns(course, at):
    """With only two spare classes with papers left, the status warns."""
    classes_with_papers = [s for s in course.sessions if s.has_papers]
    from_date = classes_with_papers[-12].date  # 12 classes left, 10 needed: 2 spare
    now = dt.datetime.combine(from_date, dt.time(0, 1), course.timezone)
    state = status(course, [], now)
    assert len(state.remaining) == 12
    assert state.warning and state.warning.startswith("Cutting it close")


def test_out_of_reach_warns(course, at):
    """With fewer classes left than critiques needed, the status says ten is out of reach."""
    state = status(course, logged(course, 3), at(2024, 11, 25, 9))
    assert state.needed == 9 and len(state.remaining) < 9
    assert "you can no longer reach 10" in state.warning


def test_complete_tracker_has_no_warning(course, at):
    """Ten logged: all done, whatever the date."""
    numbers = [s.number for s in course.sessions if s.has_papers][:10]
    state = status(course, logged(course, *numbers), at(2024, 12, 5, 9))
    assert state.needed == 0 and state.warning is None
    assert state.count_line() == "You have logged 10 of 10 critiques: all done."


def test_records_of_changed_classes_are_kept_not_counted(course, at):
    """A record whose class was cancelled, lost its papers, or disappeared is listed with the reason."""
    seven = course.session_number(7)
    eight = course.session_number(8)
    changed = dataclasses.replace(course, sessions=tuple(
        dataclasses.replace(s, cancelled=True) if s is seven else dataclasses.replace(s, papers=()) if s is eight
        else s for s in course.sessions if s.number != 9))
    state = status(changed, logged(course, 7, 8, 9, 10), at(2024, 9, 17, 9))
    assert [s.number for s, _ in state.counted] == [10]
    reasons = {r.number: why for r, why in state.not_counted}
    assert reasons == {7: "that class was cancelled", 8: "that class no longer has assigned papers",
                       9: "that class is no longer in the schedule"}


def two_per_class(course):
    """The first course with a policy of at most two critiques per class."""
    return dataclasses.replace(course, critiques=dataclasses.replace(course.critiques, max_per_class=2))


def test_max_per_class_counts_up_to_the_policy(course, at):
    """With two per class, two critiques for class 7 count as two; a third logged would still count two."""
    policy = two_per_class(course)
    records = [dataclasses.replace(r, count=3) for r in logged(policy, 7)]
    state = status(policy, records, at(2024, 9, 17, 9))
    assert state.done == 2 and state.needed == policy.critiques.required - 2
    assert status(course, records, at(2024, 9, 17, 9)).done == 1  # one per class: the same record counts once


def test_max_per_class_widens_what_is_still_reachable(course, at):
    """With nine classes with papers left, ten critiques are out of reach at one per class, not at two."""
    now = at(2024, 11, 1, 9)
    assert "can no longer reach" in (status(course, [], now).warning or "")
    assert "can no longer reach" not in (status(two_per_class(course), [], now).warning or "")


def test_a_course_without_critiques_has_no_tracker(ds_course, course_at):
    with pytest.raises(QueryError, match="no critiques"):
        class_for_critique(ds_course, "#3", course_at(ds_course, 2025, 2, 1))
    with pytest.raises(QueryError, match="no critiques"):
        status(ds_course, [], course_at(ds_course, 2025, 2, 1))


def test_no_classes_left_is_said_plainly(course, at):
    """After the last class with papers: 'No classes with papers are left', not 'Only 0 classes'."""
    warning = status(course, [], at(2024, 12, 8, 9)).warning or ""
    assert warning.startswith("No classes with papers are left") and "Only 0" not in warning
