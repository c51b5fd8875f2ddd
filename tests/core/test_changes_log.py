"""The calendar's revisions from the change log, and diff() beyond classes: deadlines, exams, breaks, office hours."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.core.changes import (
    AddReading,
    Cancel,
    Change,
    DeadlineAdd,
    DeadlineMove,
    DeadlineRemove,
    Move,
    OfficeHoursNote,
    Undo,
    apply_log,
    diff,
    revisions,
)
from bot.core.model import Break, Course, Exam, OfficeHours, Revision
from tests.core.test_changes_courses import DA, DS, ML, NAMES, load

T0 = dt.datetime(2024, 9, 10, 14, 0, tzinfo=dt.UTC)
SEP_18, SEP_19 = dt.date(2024, 9, 18), dt.date(2024, 9, 19)


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def entries(*edits: object) -> list[Change]:
    """A stored log: ids 1, 2, …, each an hour after the one before."""
    return [Change(edit, id=i, created_at=at(i)) for i, edit in enumerate(edits, 1)]  # type: ignore[arg-type]


# --- revisions --------------------------------------------------------------------------------------------


def test_no_changes_no_revisions() -> None:
    assert revisions(load(ML), []) == {}


def test_each_change_counts_for_the_events_it_touches() -> None:
    """SEQUENCE counts the changes to an event; LAST-MODIFIED is the newest one's time."""
    log = entries(Cancel(SEP_18), OfficeHoursNote("Zoom"), DeadlineMove("proposal", dt.date(2024, 10, 18)),
                  AddReading(dt.date(2024, 9, 23), "A paper"), Cancel(dt.date(2024, 9, 23)))
    assert revisions(load(ML), log) == {
        "class-7": Revision(1, at(1)), "office-hours": Revision(1, at(2)), "deadline-proposal": Revision(1, at(3)),
        "class-8": Revision(2, at(5)),
    }


def test_a_moved_class_keeps_its_key() -> None:
    """The class is keyed by its number: a reading added on its new day counts for the same event."""
    log = entries(Move(SEP_18, SEP_19), AddReading(SEP_19, "A paper"))
    assert revisions(load(ML), log) == {"class-7": Revision(2, at(2))}


def test_an_undo_counts_again_so_a_sequence_never_goes_down() -> None:
    """Calendar apps ignore an event whose SEQUENCE went down: undoing a change is one more revision."""
    log = entries(DeadlineMove("hw3", dt.date(2025, 2, 16)), Cancel(dt.date(2025, 1, 23)), Undo(1))
    assert revisions(load(DS), log) == {"deadline-hw3": Revision(2, at(3)), "class-2": Revision(1, at(2))}


def test_changes_that_no_longer_apply_count_for_nothing() -> None:
    """A stored change the course no longer accepts did not change its event; entries not stored yet neither."""
    log = entries(Move(SEP_18, SEP_19), AddReading(SEP_19, "A paper"), Undo(1))
    assert apply_log(load(ML), log).conflicts == ((log[1], "There is no class on Thu Sep 19."),)
    assert revisions(load(ML), log) == {"class-7": Revision(3, at(3))}  # the reading counted while it applied
    unstored = [*log, Change(Cancel(dt.date(2024, 9, 23)))]
    assert revisions(load(ML), unstored) == revisions(load(ML), log)
    assert revisions(load(ML), entries(DeadlineRemove("hw3"))) == {}


def test_an_exam_held_in_class_is_two_events() -> None:
    """Cancelling the midterm (a class of kind exam) revises the class and the exam."""
    assert revisions(load(DS), entries(Cancel(dt.date(2025, 3, 4)))) == {
        "class-13": Revision(1, at(1)), "exam-class-13": Revision(1, at(1))}


def test_added_and_removed_deadlines_are_revised_under_their_id() -> None:
    log = entries(DeadlineAdd("Quiz 3", dt.date(2025, 12, 5), dt.time(14), "quiz", "quiz3"), DeadlineRemove("quiz2"))
    assert revisions(load(DA), log) == {"deadline-quiz3": Revision(1, at(1)), "deadline-quiz2": Revision(1, at(2))}


def test_the_same_log_gives_the_same_revisions() -> None:
    log = entries(Cancel(SEP_18), Undo(1), Cancel(SEP_18))
    assert revisions(load(ML), log) == revisions(load(ML), list(log)) == {"class-7": Revision(3, at(3))}


# --- diff: identical courses -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_diff_of_a_course_with_itself_is_empty(name: str) -> None:
    assert diff(load(name), load(name)) == [] and diff(load(name), dataclasses.replace(load(name))) == []


# --- diff: deadlines -------------------------------------------------------------------------------------


def with_deadlines(course: Course, *deadlines: object) -> Course:
    return dataclasses.replace(course, deadlines=tuple(deadlines))  # type: ignore[arg-type]


def test_diff_reports_deadlines_moved_added_and_removed() -> None:
    ds = load(DS)
    after = apply_log(ds, entries(DeadlineMove("hw3", dt.date(2025, 2, 16)), DeadlineRemove("hw7"),
                                  DeadlineAdd("Homework 8", dt.date(2025, 5, 2), dt.time(23, 59), "homework",
                                              "hw8"))).course
    assert diff(ds, after) == [
        "Removed: Homework 7 (transactions), which was due Fri Apr 11, 11:59pm.",
        "New deadline: Homework 8, due Fri May 2, 11:59pm.",
        "Homework 3 (primary-backup) is now due Sun Feb 16, 11:59pm (was Fri Feb 14, 11:59pm).",
    ]


def test_diff_reports_a_renamed_deadline_and_new_details() -> None:
    ds = load(DS)
    hw1 = ds.deadline("hw1")
    changed = with_deadlines(ds, *(dataclasses.replace(d, title="Homework 1 (RPC and REST)", details="Pairs allowed.")
                                   if d is hw1 else d for d in ds.deadlines))
    assert diff(ds, changed) == ["Deadline hw1 renamed: “Homework 1 (RPC)” → “Homework 1 (RPC and REST)”.",
                                 "Homework 1 (RPC and REST): details updated (/deadlines)."]


def test_diff_reports_a_time_given_to_a_deadline_due_at_the_end_of_the_day() -> None:
    """Due 'Wed Oct 16' becoming 'Wed Oct 16, 11:59pm' is the same instant but reads differently: reported."""
    ml = load(ML)
    timed = apply_log(ml, entries(DeadlineMove("proposal", dt.date(2024, 10, 16), dt.time(17)))).course
    assert diff(ml, timed) == ["Project proposal is now due Wed Oct 16, 5pm (was Wed Oct 16)."]


# --- diff: exams, breaks, office hours ----------------------------------------------------------------------


def test_diff_reports_exams() -> None:
    ds = load(DS)
    final = ds.exams[0]
    moved = dataclasses.replace(final, date=dt.date(2025, 5, 8), room="Kane Hall 120")
    assert diff(ds, dataclasses.replace(ds, exams=(moved,))) == [
        "Final exam: now Thu May 8, 2:30pm–4:20pm, Kane Hall 120 (was Wed May 7, 2:30pm–4:20pm, Kane Hall 130)."]
    quiz = Exam("quiz", "Pop quiz", dt.date(2025, 4, 2), dt.time(9))
    assert diff(ds, dataclasses.replace(ds, exams=(final, quiz))) == ["New exam: Pop quiz, Wed Apr 2, 9am."]
    assert diff(ds, dataclasses.replace(ds, exams=())) == ["Removed: Final exam on Wed May 7."]
    renamed = dataclasses.replace(final, title="Final", details="Open book.")
    assert diff(ds, dataclasses.replace(ds, exams=(renamed,))) == ["Exam renamed: “Final exam” → “Final”.",
                                                                   "Final: details updated."]


def test_diff_reports_breaks() -> None:
    ds = load(DS)
    later = Break("Spring break", dt.date(2025, 3, 31), dt.date(2025, 4, 4))
    assert diff(ds, dataclasses.replace(ds, breaks=(later,))) == [
        "Spring break is now Mon Mar 31 to Fri Apr 4 (was Mon Mar 24 to Fri Mar 28)."]
    holiday = Break("Cesar Chavez Day", dt.date(2025, 3, 31), dt.date(2025, 3, 31))
    assert diff(ds, dataclasses.replace(ds, breaks=(*ds.breaks, holiday))) == [
        "New break: Cesar Chavez Day, Mon Mar 31."]
    assert diff(ds, dataclasses.replace(ds, breaks=())) == ["Removed break: Spring break (Mon Mar 24 to Fri Mar 28)."]


def test_diff_reports_office_hours_moved_added_and_removed() -> None:
    ml = load(ML)
    hours = ml.office_hours[0]
    thursday = dataclasses.replace(hours, weekday=3)
    assert diff(ml, dataclasses.replace(ml, office_hours=(thursday,))) == [
        "Office hours with Prof. Jacobs: now Thu 10am–11am, Iribe 4240 (was Wed 10am–11am, Iribe 4240)."]
    ta = OfficeHours("Sam (TA)", 4, dt.time(15), dt.time(16, 30), "Online", link="https://zoom.us/j/1")
    assert diff(ml, dataclasses.replace(ml, office_hours=(hours, ta))) == [
        "New office hours: Sam (TA), Fri 3pm–4:30pm, Online."]
    ds = load(DS)
    assert diff(ds, dataclasses.replace(ds, office_hours=ds.office_hours[:2])) == [
        "No more office hours with Marcus Lee (TA) (Fri 10am–11am, CSE 2nd floor breakout)."]


def test_diff_reports_office_hours_changed_in_what_it_does_not_spell_out() -> None:
    """A new skipped date or link, or the instructor's note: one line pointing to /officehours."""
    ds = load(DS)
    priya = ds.office_hours[1]
    skipping = dataclasses.replace(priya, skip=frozenset({dt.date(2025, 2, 19)}))
    assert diff(ds, dataclasses.replace(ds, office_hours=(ds.office_hours[0], skipping, ds.office_hours[2]))) == [
        "Office hours with Priya Raman (TA) changed: /officehours for the details."]
    assert diff(load(ML), apply_log(load(ML), entries(OfficeHoursNote("Zoom only"))).course) == [
        "Office hours changed: /officehours for the details."]


def test_diff_of_a_project_deadline_speaks_of_the_deadline() -> None:
    """The first course's project deadlines are reported like any deadline, once."""
    ml = load(ML)
    later = apply_log(ml, entries(DeadlineMove("proposal", dt.date(2024, 10, 21)))).course
    assert diff(ml, later) == ["Project proposal is now due Mon Oct 21 (was Wed Oct 16)."]
