"""The instructor's changes to classes, pure, on the first course (frozen copy): each kind applies, refuses and
describes itself; the log replays; the wording; diff() of classes and readings.

Deadline changes: test_changes_deadlines.py; the registry and stored rows: test_changes_registry.py; revisions
and the rest of diff(): test_changes_log.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.changes import (
    AddReading,
    Applied,
    Cancel,
    Change,
    ChangeError,
    Move,
    OfficeHoursNote,
    RemoveReading,
    Undo,
    apply_change,
    apply_log,
    describe,
    describe_undo,
    diff,
    in_effect,
    label,
    prepare,
    resolve_day,
)
from bot.core.loader import load_course
from bot.core.model import Course, Paper, Session
from tests.conftest import new_york

FIRST_COURSE = Path(__file__).resolve().parents[1] / "data" / "courses" / "ml_at_scale.yaml"

NOW = new_york(2024, 9, 17, 9)
SEP_18 = dt.date(2024, 9, 18)
SEP_19 = dt.date(2024, 9, 19)
SEP_23 = dt.date(2024, 9, 23)
OCT_9 = dt.date(2024, 10, 9)
CLASS_7 = "Class 7 (Self-supervised learning - Vision)"
SIMCLR = "A Simple Framework for Contrastive Learning of Visual Representations"
DINO = "Emerging Properties in Self-Supervised Vision Transformers"
REGISTERS = "Vision Transformers Need Registers"
MAE = "Masked Autoencoders Are Scalable Vision Learners"

PROPERTY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def course() -> Course:
    """The first course, from its frozen copy (never the live schedule.yaml)."""
    return load_course(FIRST_COURSE)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def cancel(date: str, reason: str | None = None, *, id: int | None = None) -> Change:
    return Change(Cancel(day(date), reason), id=id)


def move(date: str, to: str, *, id: int | None = None) -> Change:
    return Change(Move(day(date), day(to)), id=id)


def add_reading(date: str, title: str, *, id: int | None = None, authors: str | None = None,
                url: str | None = None) -> Change:
    return Change(AddReading(day(date), title, authors, url), id=id)


def remove_reading(date: str, title: str, *, id: int | None = None) -> Change:
    return Change(RemoveReading(day(date), title), id=id)


def officehours(text: str, *, id: int | None = None) -> Change:
    return Change(OfficeHoursNote(text), id=id)


def undo(target: int, *, id: int) -> Change:
    return Change(Undo(target), id=id)


def stored(kind: str, params: dict, *, id: int | None = None) -> Change:
    """A row as the store would hand it back, readable or not."""
    return Change.from_row(kind, params, None, id=id)


def titles(session: Session) -> list[str]:
    return [x.title for x in session.papers + session.resources]


def assert_well_formed(course: Course) -> None:
    """Sessions in date order, one per date, and session_on agrees with the list."""
    dates = [s.date for s in course.sessions]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(course.session_on(s.date) is s for s in course.sessions)


# --- cancel ------------------------------------------------------------------------------------


def test_cancel_marks_the_class_cancelled_and_keeps_the_reason(course: Course) -> None:
    after = apply_change(course, cancel("2024-09-18", "I am travelling"))
    session = after.session_on(SEP_18)
    assert session is not None and session.number == 7
    assert session.cancelled and session.reason == "I am travelling"
    assert session.papers == course.session_on(SEP_18).papers  # the readings stay, for the record
    assert not course.session_on(SEP_18).cancelled  # the input course is untouched
    assert_well_formed(after)


def test_cancel_without_a_reason_stores_none(course: Course) -> None:
    assert apply_change(course, cancel("2024-09-18")).session_on(SEP_18).reason is None


def test_cancelling_twice_is_refused(course: Course) -> None:
    after = apply_change(course, cancel("2024-09-18", "travel"))
    with pytest.raises(ChangeError, match="already cancelled") as info:
        apply_change(after, cancel("2024-09-18"))
    assert str(info.value) == f"{CLASS_7} on Wed Sep 18 is already cancelled."


def test_cancelling_the_class_the_syllabus_cancels_is_refused(course: Course) -> None:
    with pytest.raises(ChangeError, match="Class 13 on Wed Oct 9 is already cancelled"):
        apply_change(course, cancel("2024-10-09"))


def test_cancelling_a_day_without_class_is_refused(course: Course) -> None:
    with pytest.raises(ChangeError, match=r"^There is no class on Mon Sep 2\.$"):
        apply_change(course, cancel("2024-09-02"))


# --- move --------------------------------------------------------------------------------------


def test_move_to_a_free_day(course: Course) -> None:
    after = apply_change(course, move("2024-09-18", "2024-09-19"))
    assert after.session_on(SEP_18) is None
    moved = after.session_on(SEP_19)
    assert moved is not None and moved.number == 7 and moved.topic == "Self-supervised learning - Vision"
    assert titles(moved) == titles(course.session_on(SEP_18))
    assert after.session_number(7) is moved
    assert len(after.sessions) == len(course.sessions)
    assert_well_formed(after)
    assert [s.number for s in after.sessions] == [s.number for s in course.sessions]


def test_move_past_the_next_class_keeps_date_order(course: Course) -> None:
    after = apply_change(course, move("2024-09-18", "2024-09-24"))  # after class 8 (Mon 9/23)
    assert_well_formed(after)
    assert [s.number for s in after.sessions if SEP_18 <= s.date <= dt.date(2024, 9, 25)] == [8, 7, 9]


def test_move_onto_a_day_with_a_class_names_that_class(course: Course) -> None:
    with pytest.raises(ChangeError) as info:
        apply_change(course, move("2024-09-18", "2024-09-23"))
    assert str(info.value) == "Mon Sep 23 already has Class 8 (Vision-Language Models); pick a free day."


def test_move_outside_the_term_is_refused(course: Course) -> None:
    with pytest.raises(ChangeError, match="outside the term") as info:
        apply_change(course, move("2024-09-18", "2025-01-15"))
    assert "Wed Jan 15, 2025" in str(info.value) and "Mon Aug 26 to Mon Dec 9" in str(info.value)
    with pytest.raises(ChangeError, match="outside the term"):
        apply_change(course, move("2024-08-26", "2024-08-25"))


def test_move_to_the_same_day_is_refused(course: Course) -> None:
    with pytest.raises(ChangeError, match="already on Wed Sep 18"):
        apply_change(course, move("2024-09-18", "2024-09-18"))


def test_move_a_class_that_does_not_exist(course: Course) -> None:
    with pytest.raises(ChangeError) as info:
        apply_change(course, move("2024-09-02", "2024-09-03"))
    assert str(info.value) == "There is no class on Mon Sep 2."


# --- add_reading -------------------------------------------------------------------------------


def test_add_reading_appends_a_paper(course: Course) -> None:
    change = add_reading("2024-09-18", f"  {MAE} ", authors="He et al.", url="https://arxiv.org/abs/2111.06377")
    after = apply_change(course, change)
    session = after.session_on(SEP_18)
    assert [p.title for p in session.papers] == [SIMCLR, DINO, REGISTERS, MAE]
    assert session.papers[-1] == Paper(title=MAE, authors="He et al.", url="https://arxiv.org/abs/2111.06377")
    assert session.resources == course.session_on(SEP_18).resources
    assert len(course.session_on(SEP_18).papers) == 3


def test_add_reading_without_authors_or_url(course: Course) -> None:
    paper = apply_change(course, add_reading("2024-09-18", MAE, authors="", url="")).session_on(SEP_18).papers[-1]
    assert paper == Paper(title=MAE)


@pytest.mark.parametrize("url", ["http://@everyone", "https://me:pw@arxiv.org/abs/1", "https://", "http:///abs",
                                 "ftp://arxiv.org", "https://arxiv.org/a b", "https://arxiv.org/<x>"])
def test_add_reading_refuses_what_is_not_a_web_link(course: Course, url: str) -> None:
    """Only an http(s) address naming a host; a user name before the host is where a mention could hide."""
    with pytest.raises(ChangeError, match="is not a web link"):
        apply_change(course, add_reading("2024-09-18", MAE, url=url))
    assert course.session_on(SEP_18).papers[-1].title != MAE


@pytest.mark.parametrize("url", ["https://arxiv.org/abs/2111.06377", "http://localhost:8000/p.pdf",
                                 "https://medium.com/@karpathy/software-2-0", "https://x.org/?q=a@b#@here"])
def test_add_reading_keeps_a_web_link_as_given(course: Course, url: str) -> None:
    assert apply_change(course, add_reading("2024-09-18", MAE, url=url)).session_on(SEP_18).papers[-1].url == url


def test_add_reading_to_a_day_without_class(course: Course) -> None:
    with pytest.raises(ChangeError, match=r"^There is no class on Mon Sep 2\.$"):
        apply_change(course, add_reading("2024-09-02", MAE))


def test_add_reading_to_a_cancelled_class(course: Course) -> None:
    with pytest.raises(ChangeError, match="Class 13 on Wed Oct 9 is cancelled; move it"):
        apply_change(course, add_reading("2024-10-09", MAE))


@pytest.mark.parametrize("title", [REGISTERS, REGISTERS.upper(), "  vision   transformers need\tREGISTERS "])
def test_add_reading_refuses_a_duplicate_title(course: Course, title: str) -> None:
    with pytest.raises(ChangeError, match=re.escape(f"is already a reading of {CLASS_7}.")):
        apply_change(course, add_reading("2024-09-18", title))


def test_add_reading_refuses_a_blank_title(course: Course) -> None:
    with pytest.raises(ChangeError, match="needs a title"):
        apply_change(course, add_reading("2024-09-18", "   "))


# --- remove_reading ----------------------------------------------------------------------------


def test_remove_reading_by_exact_title(course: Course) -> None:
    session = apply_change(course, remove_reading("2024-09-18", DINO)).session_on(SEP_18)
    assert [p.title for p in session.papers] == [SIMCLR, REGISTERS]
    assert [r.title for r in session.resources] == ["SimCLR slides"]


def test_remove_reading_ignores_case_and_spacing(course: Course) -> None:
    session = apply_change(course, remove_reading("2024-09-18", "  vision TRANSFORMERS need  registers")
                           ).session_on(SEP_18)
    assert [p.title for p in session.papers] == [SIMCLR, DINO]


def test_remove_reading_removes_a_resource(course: Course) -> None:
    session = apply_change(course, remove_reading("2024-09-18", "SimCLR slides")).session_on(SEP_18)
    assert session.resources == ()
    assert [p.title for p in session.papers] == [SIMCLR, DINO, REGISTERS]


def test_remove_reading_that_is_not_there_lists_the_readings(course: Course) -> None:
    with pytest.raises(ChangeError) as info:
        apply_change(course, remove_reading("2024-09-18", "Attention Is All You Need"))
    assert str(info.value) == (
        f"{CLASS_7} on Wed Sep 18 has no reading “Attention Is All You Need”. "
        f"Its readings: {SIMCLR}; {DINO}; {REGISTERS}; SimCLR slides."
    )


def test_remove_reading_from_a_class_without_readings(course: Course) -> None:
    with pytest.raises(ChangeError, match="Its readings: none."):
        apply_change(course, remove_reading("2024-08-26", "Anything"))


def test_remove_reading_from_a_day_without_class(course: Course) -> None:
    with pytest.raises(ChangeError, match=r"^There is no class on Mon Sep 2\.$"):
        apply_change(course, remove_reading("2024-09-02", DINO))


# --- officehours -------------------------------------------------------------------------------


def test_officehours_note_is_set_and_cleared(course: Course) -> None:
    assert course.office_hours_notice is None
    noted = apply_change(course, officehours("  No office hours on Oct 9;\n Thursday 2-3pm instead "))
    assert noted.office_hours_notice == "No office hours on Oct 9; Thursday 2-3pm instead"
    assert noted.office_hours == course.office_hours  # the weekly hours from schedule.yaml stay
    cleared = apply_change(noted, officehours("   "))
    assert cleared.office_hours_notice is None
    assert apply_change(noted, stored("officehours", {})).office_hours_notice is None


def test_unknown_kind_is_refused(course: Course) -> None:
    with pytest.raises(ChangeError, match="Unknown change “rename”"):
        apply_change(course, stored("rename", {"date": "2024-09-18"}))


def test_an_undo_does_not_apply_on_its_own(course: Course) -> None:
    """An undo reverts by replaying the log; apply_change, describe and describe_undo refuse it."""
    with pytest.raises(ChangeError, match="replaying the log"):
        apply_change(course, undo(1, id=2))
    with pytest.raises(ValueError, match="describe_undo"):
        describe(undo(1, id=2), course)
    with pytest.raises(ValueError, match="cannot itself be undone"):
        describe_undo(undo(1, id=2), course, course)


# --- resolve_day -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["9/18", "09/18", "Sep 18", "September 18", "2024-09-18", "tomorrow", "next",
                                   "#7", "wed", "Wed Sep 18"])
def test_resolve_day_accepts_what_students_type(course: Course, typed: str) -> None:
    assert resolve_day(course, typed, NOW) == SEP_18


def test_resolve_day_today_and_days_without_class(course: Course) -> None:
    assert resolve_day(course, "today", NOW) == dt.date(2024, 9, 17)
    assert resolve_day(course, "9/2", NOW) == dt.date(2024, 9, 2)  # a day; whether it has a class is apply's job


def test_resolve_day_refuses_with_the_date_message(course: Course) -> None:
    with pytest.raises(ChangeError) as info:
        resolve_day(course, "13/45", NOW)
    assert str(info.value) == ("I couldn't read “13/45” as a date. Try 9/18, Sep 18, 2024-09-18, today, next, "
                               "or #7 (the class number).")
    with pytest.raises(ChangeError, match="no class #99"):
        resolve_day(course, "#99", NOW)


@PROPERTY
@given(typed=st.one_of(st.text(), st.from_regex(r"\A(#\d{1,5}|\d{1,4}/\d{1,4}(/\d{1,4})?|\d{4}-\d{1,3}-\d{1,3}|"
                                                 r"(next |last )?[a-z]{1,9}\.? ?\d{0,3})\Z", fullmatch=True)))
def test_resolve_day_gives_a_date_or_change_error(course: Course, typed: str) -> None:
    try:
        day = resolve_day(course, typed, NOW)
    except ChangeError as exc:
        assert str(exc)
    else:
        assert isinstance(day, dt.date)


# --- the log: in_effect and apply_log ----------------------------------------------------------


def test_in_effect_drops_undone_changes_and_undo_rows() -> None:
    log = [cancel("2024-09-18", id=1), officehours("x", id=2), undo(1, id=3), move("2024-09-23", "2024-09-24", id=4)]
    assert [c.id for c in in_effect(log)] == [2, 4]
    assert in_effect([]) == []


def test_apply_log_applies_in_order(course: Course) -> None:
    log = [move("2024-09-18", "2024-09-19", id=1), add_reading("2024-09-19", MAE, id=2), cancel("2024-09-23", id=3)]
    applied = apply_log(course, log)
    assert isinstance(applied, Applied) and applied.conflicts == ()
    assert titles(applied.course.session_on(SEP_19))[-2:] == [MAE, "SimCLR slides"]
    assert applied.course.session_on(SEP_23).cancelled


def test_undo_rows_revert_their_target(course: Course) -> None:
    log = [cancel("2024-09-18", "travel", id=1), officehours("Moved to Thursday", id=2), undo(1, id=3)]
    applied = apply_log(course, log)
    assert not applied.course.session_on(SEP_18).cancelled
    assert applied.course.office_hours_notice == "Moved to Thursday"
    assert applied.conflicts == ()


def test_undo_of_everything_gives_back_the_schedule(course: Course) -> None:
    log = [move("2024-09-18", "2024-09-19", id=1), remove_reading("2024-09-19", "SimCLR slides", id=2),
           officehours("Zoom only", id=3), undo(3, id=4), undo(2, id=5), undo(1, id=6)]
    applied = apply_log(course, log)
    assert applied.course == course and applied.conflicts == ()


def test_apply_log_keeps_a_change_that_no_longer_applies(course: Course) -> None:
    reading = add_reading("2024-09-19", MAE, id=2)
    log = [move("2024-09-18", "2024-09-19", id=1), reading, undo(1, id=3)]
    applied = apply_log(course, log)
    assert applied.course.session_on(SEP_19) is None
    assert MAE not in titles(applied.course.session_on(SEP_18))
    assert applied.conflicts == ((reading, "There is no class on Thu Sep 19."),)


def test_apply_log_never_raises_on_rows_it_cannot_read(course: Course) -> None:
    log = [stored("rename", {}, id=1), stored("cancel", {}, id=2),
           stored("move", {"date": "2024-09-18", "to": "not a date"}, id=3),
           stored("cancel", {"date": "2024-02-30"}, id=4), officehours("still applied", id=5)]
    applied = apply_log(course, log)
    assert [c.id for c, _ in applied.conflicts] == [1, 2, 3, 4]
    assert all(why for _, why in applied.conflicts)
    assert applied.course.office_hours_notice == "still applied"


DAYS = st.sampled_from(["2024-08-26", "2024-09-02", "2024-09-16", "2024-09-18", "2024-09-19", "2024-09-23",
                        "2024-10-09", "2024-12-09", "2025-01-15", "2024-09-31", "soon"])
TITLES = st.sampled_from([SIMCLR, DINO, REGISTERS.lower(), "SimCLR slides", MAE, "  ", "Attention"])
CHANGES = st.one_of(
    st.builds(lambda d, r: stored("cancel", {"date": d, "reason": r}), DAYS, st.sampled_from(["", "travel"])),
    st.builds(lambda d, t: stored("move", {"date": d, "to": t}), DAYS, DAYS),
    st.builds(lambda d, t: stored("add_reading", {"date": d, "title": t}), DAYS, TITLES),
    st.builds(lambda d, t: stored("remove_reading", {"date": d, "title": t}), DAYS, TITLES),
    st.builds(lambda t: stored("officehours", {"text": t}), st.text(max_size=20)),
    st.just(stored("bogus", {})),
)


@PROPERTY
@given(changes=st.lists(CHANGES, max_size=12), undos=st.lists(st.integers(1, 12), max_size=6))
def test_apply_log_never_raises_and_replays_what_was_accepted(course: Course, changes: list[Change],
                                                              undos: list[int]) -> None:
    """Any log replays without raising; changes accepted one by one (as record() does) replay without conflicts."""
    log = [dataclasses.replace(c, id=i) for i, c in enumerate(changes, 1)]
    log += [undo(target, id=len(log) + i) for i, target in enumerate(undos, 1)]
    applied = apply_log(course, log)
    assert len(applied.conflicts) <= len(in_effect(log))
    assert_well_formed(applied.course)

    current, accepted = course, []
    for change in log[:len(changes)]:
        try:
            current = apply_change(current, change)
        except (ValueError, KeyError):  # ChangeError, or a date that is no date ("2024-09-31")
            continue
        accepted.append(change)
    replayed = apply_log(course, accepted)
    assert replayed.conflicts == () and replayed.course == current


# --- describe and describe_undo ----------------------------------------------------------------


def test_describe_move_is_the_announcement(course: Course) -> None:
    assert describe(move("2024-09-18", "2024-09-19"), course) == (
        "Class 7 (Self-supervised learning - Vision) moved from Wed Sep 18 to Thu Sep 19.")


def test_officehours_note_is_announced_as_typed_and_shown_collapsed(course: Course) -> None:
    """The announcement keeps the text as typed (markdown and line breaks included); /officehours collapses it."""
    change = prepare(course, officehours("  Zoom   only\tthis week "))
    assert change.edit == OfficeHoursNote("  Zoom   only\tthis week ")
    assert describe(change, course) == "Office hours update:   Zoom   only\tthis week "
    assert apply_change(course, change).office_hours_notice == "Zoom only this week"


@pytest.mark.parametrize(("change", "text"), [
    (cancel("2024-09-18", "I am travelling."),
     f"{CLASS_7} on Wed Sep 18 is cancelled. Reason: I am travelling."),
    (cancel("2024-09-18"), f"{CLASS_7} on Wed Sep 18 is cancelled."),
    (cancel("2024-10-07"), "Class 12 on Mon Oct 7 is cancelled."),  # no topic: no parentheses
    (add_reading("2024-09-18", MAE, authors="He et al."),
     f"New reading for {CLASS_7} on Wed Sep 18: “{MAE}” (He et al.)."),
    (add_reading("2024-09-18", MAE), f"New reading for {CLASS_7} on Wed Sep 18: “{MAE}”."),
    (remove_reading("2024-09-18", "SimCLR slides"), f"Removed from {CLASS_7} on Wed Sep 18: “SimCLR slides”."),
    (officehours("No office hours on Oct 9."), "Office hours update: No office hours on Oct 9."),
    (officehours("  "), "The office hours note was removed."),
])
def test_describe(course: Course, change: Change, text: str) -> None:
    apply_change(course, change)  # each is a change the course accepts
    assert describe(change, course) == text


@pytest.mark.parametrize(("change", "text"), [
    (cancel("2024-09-18", "travel"), f"{CLASS_7} on Wed Sep 18 is back on: it is no longer cancelled."),
    (move("2024-09-18", "2024-09-19"), f"{CLASS_7} moved back from Thu Sep 19 to Wed Sep 18."),
    (add_reading("2024-09-18", MAE), f"“{MAE}” is no longer a reading for Wed Sep 18."),
    (remove_reading("2024-09-18", DINO), f"“{DINO}” is a reading for Wed Sep 18 again."),
    (officehours("Zoom only this week"), "The office hours note was withdrawn."),
])
def test_describe_undo(course: Course, change: Change, text: str) -> None:
    changed = apply_change(course, change)
    assert describe_undo(change, changed, course) == text


def test_describe_add_reading_quotes_the_stored_title(course: Course) -> None:
    change = add_reading("2024-09-18", "  Masked   Autoencoders Are Scalable Vision Learners ")
    assert apply_change(course, change).session_on(SEP_18).papers[-1].title == MAE
    assert describe(prepare(course, change), course) == f"New reading for {CLASS_7} on Wed Sep 18: “{MAE}”."


def test_describe_remove_reading_quotes_the_removed_title(course: Course) -> None:
    change = remove_reading("2024-09-18", "vision transformers  need registers")
    assert REGISTERS not in titles(apply_change(course, change).session_on(SEP_18))
    assert describe(prepare(course, change), course) == f"Removed from {CLASS_7} on Wed Sep 18: “{REGISTERS}”."


def test_describe_undo_of_a_second_office_hours_note_restores_the_first(course: Course) -> None:
    first = apply_change(course, officehours("Zoom only this week"))
    second = apply_change(first, officehours("Cancelled on Wednesday"))
    text = describe_undo(officehours("Cancelled on Wednesday"), second, first)
    assert text == "Office hours update: Zoom only this week"


def test_label(course: Course) -> None:
    assert label(course.session_on(SEP_18)) == CLASS_7
    assert label(course.session_on(OCT_9)) == "Class 13"


# --- diff --------------------------------------------------------------------------------------


def replace_session(course: Course, number: int, **changes: object) -> Course:
    sessions = sorted((dataclasses.replace(s, **changes) if s.number == number else s for s in course.sessions),
                      key=lambda s: s.date)
    return dataclasses.replace(course, sessions=tuple(sessions))


def test_diff_of_identical_courses_is_empty(course: Course) -> None:
    assert diff(course, course) == []
    assert diff(course, dataclasses.replace(course)) == []


def test_diff_renamed_topic(course: Course) -> None:
    renamed = replace_session(course, 8, topic="Vision-Language Foundation Models")
    assert diff(course, renamed) == [
        "Class 8 on Mon Sep 23 renamed: “Vision-Language Models” → “Vision-Language Foundation Models”."]
    assert diff(course, replace_session(course, 12, topic="Data curation")) == [
        "Class 12 on Mon Oct 7 renamed: “Topic not announced” → “Data curation”."]


def test_diff_moved_class(course: Course) -> None:
    assert diff(course, apply_change(course, move("2024-09-18", "2024-09-19"))) == [
        f"{CLASS_7} moved from Wed Sep 18 to Thu Sep 19."]


def test_diff_added_and_removed_classes(course: Course) -> None:
    extra = Session(number=30, date=dt.date(2024, 12, 4), topic="Review")
    added = dataclasses.replace(course, sessions=tuple(sorted((*course.sessions, extra), key=lambda s: s.date)))
    assert diff(course, added) == ["Added: Class 30 (Review) on Wed Dec 4."]
    removed = dataclasses.replace(course, sessions=tuple(s for s in course.sessions if s.number != 7))
    assert diff(course, removed) == [f"Removed: {CLASS_7} on Wed Sep 18."]


def test_diff_cancelled_and_back_on(course: Course) -> None:
    cancelled = apply_change(course, cancel("2024-09-18"))
    assert diff(course, cancelled) == [f"{CLASS_7} on Wed Sep 18 is cancelled."]
    assert diff(cancelled, course) == [f"{CLASS_7} on Wed Sep 18 is back on."]


def test_diff_added_and_removed_readings(course: Course) -> None:
    changed = apply_change(apply_change(course, add_reading("2024-09-18", MAE)),
                           remove_reading("2024-09-18", "SimCLR slides"))
    assert diff(course, changed) == [
        f"New reading for {CLASS_7} on Wed Sep 18: “{MAE}”.",
        f"Removed from {CLASS_7} on Wed Sep 18: “SimCLR slides”.",
    ]
