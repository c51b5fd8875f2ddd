"""CourseState on a real SQLite file and the real schedule.yaml: record, undo, reload, and the log across restarts."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.clock import fixed_clock
from bot.core.changes import Change, ChangeError, apply_log, reading_choices
from bot.core.loader import ScheduleError, load_course
from bot.core.model import Course
from bot.course_state import CourseState
from bot.store import Store
from tests.conftest import SCHEDULE

NOW = dt.datetime(2024, 9, 17, 13, 0, tzinfo=dt.timezone.utc)
SEP_18 = dt.date(2024, 9, 18)
SEP_19 = dt.date(2024, 9, 19)
MAE = "Masked Autoencoders Are Scalable Vision Learners"
AUTHOR_ID = 1130000000000000042
SIMCLR = "A Simple Framework for Contrastive Learning of Visual Representations"


class Replans:
    """The replan callback: records every course it is handed."""

    def __init__(self) -> None:
        self.courses: list[Course] = []

    async def __call__(self, course: Course) -> None:
        self.courses.append(course)


def change(kind: str, **params: str) -> Change:
    return Change(kind, params, author_id=AUTHOR_ID, author="Prof. Jacobs")


@pytest.fixture
def schedule(tmp_path: Path) -> Path:
    """A copy of the real schedule.yaml that a test may edit before reload()."""
    path = tmp_path / "schedule.yaml"
    path.write_text(SCHEDULE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def replans() -> Replans:
    return Replans()


@pytest.fixture
async def state(schedule: Path, store: Store, replans: Replans) -> CourseState:
    loaded = CourseState(str(schedule), store, fixed_clock(NOW), replans)
    await loaded.load()
    return loaded


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- load and record ---------------------------------------------------------------------------


async def test_load_gives_the_schedule_when_the_log_is_empty(state: CourseState, course: Course,
                                                             replans: Replans) -> None:
    assert state.course == course and state.base == course
    assert state.log == [] and state.conflicts == ()
    assert replans.courses == []


async def test_record_stores_swaps_and_replans_once(state: CourseState, store: Store, replans: Replans,
                                                    course: Course) -> None:
    outcome = await state.record(change("cancel", date="2024-09-18", reason="travel"))
    assert outcome.before == course
    assert outcome.after.session_on(SEP_18).cancelled and outcome.after.session_on(SEP_18).reason == "travel"
    assert state.course is outcome.after
    assert replans.courses == [outcome.after]
    stored = outcome.change
    assert stored is not None and stored.id is not None
    assert stored.created_at == NOW and stored.author_id == AUTHOR_ID and stored.author == "Prof. Jacobs"
    assert state.log == [stored]
    assert await store.changes() == [stored]


async def test_a_refused_change_leaves_everything_as_it_was(state: CourseState, store: Store, replans: Replans,
                                                            course: Course) -> None:
    first = await state.record(change("move", date="2024-09-18", to="2024-09-19"))
    replans.courses.clear()
    before_course, before_log = state.course, list(state.log)
    for refused in (change("move", date="2024-09-19", to="2024-09-23"), change("cancel", date="2024-09-18"),
                    change("add_reading", date="2024-10-09", title=MAE),
                    change("remove_reading", date="2024-09-19", title="Attention")):
        with pytest.raises(ChangeError):
            await state.record(refused)
    assert state.course is before_course and state.log == before_log
    assert await store.changes() == [first.change]
    assert replans.courses == []
    assert course.session_on(SEP_18) is not None  # the shared course fixture is untouched


async def test_the_log_survives_closing_and_reopening(schedule: Path, db_path: Path, course: Course) -> None:
    store = await Store.open(str(db_path))
    try:
        first = CourseState(str(schedule), store, fixed_clock(NOW), Replans())
        await first.load()
        await first.record(change("move", date="2024-09-18", to="2024-09-19"))
        await first.record(change("add_reading", date="2024-09-19", title=MAE, authors="He et al."))
        await first.record(change("officehours", text="Thursday 2-3pm this week"))
        await first.undo(AUTHOR_ID, "Prof. Jacobs")
        expected_course, expected_log = first.course, first.log
    finally:
        await store.close()

    reopened = await Store.open(str(db_path))
    try:
        replans = Replans()
        second = CourseState(str(schedule), reopened, fixed_clock(NOW), replans)
        loaded = await second.load()
        assert loaded == expected_course and second.course == expected_course
        assert second.log == expected_log
        assert [c.kind for c in second.log] == ["move", "add_reading", "officehours", "undo"]
        assert second.conflicts == ()
        assert loaded.session_on(SEP_18) is None
        assert loaded.session_on(SEP_19).papers[-1].title == MAE
        assert loaded.office_hours_notice is None
        assert second.base == course
    finally:
        await reopened.close()


# --- undo --------------------------------------------------------------------------------------


async def test_undo_reverts_the_newest_change_and_logs_an_undo_row(state: CourseState, store: Store,
                                                                   replans: Replans) -> None:
    cancelled = await state.record(change("cancel", date="2024-09-18"))
    noted = await state.record(change("officehours", text="Zoom only"))
    replans.courses.clear()
    outcome = await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert outcome.undone == noted.change
    assert outcome.before == noted.after
    assert outcome.after == cancelled.after and state.course == cancelled.after
    assert state.course.office_hours_notice is None and state.course.session_on(SEP_18).cancelled
    row = outcome.change
    assert row is not None and row.kind == "undo" and row.undoes == noted.change.id and row.params == {}
    assert row.created_at == NOW and row.author_id == AUTHOR_ID
    assert state.log[-1] == row and (await store.changes())[-1] == row
    assert replans.courses == [outcome.after]


async def test_undo_twice_reverts_the_two_newest(state: CourseState, course: Course) -> None:
    await state.record(change("move", date="2024-09-18", to="2024-09-19"))
    kept = await state.record(change("cancel", date="2024-09-23"))
    await state.record(change("add_reading", date="2024-09-19", title=MAE))
    await state.record(change("remove_reading", date="2024-09-19", title="SimCLR slides"))
    first = await state.undo(AUTHOR_ID, "Prof. Jacobs")
    second = await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert (first.undone.kind, second.undone.kind) == ("remove_reading", "add_reading")
    assert state.course == apply_log(course, state.log).course
    session = state.course.session_on(SEP_19)
    assert [x.title for x in session.papers + session.resources][-1] == "SimCLR slides"
    assert MAE not in [p.title for p in session.papers]
    assert state.course.session_on(dt.date(2024, 9, 23)).cancelled
    third = await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert third.undone == kept.change


async def test_undo_with_nothing_to_undo(state: CourseState, store: Store, replans: Replans) -> None:
    with pytest.raises(ChangeError, match="There is no change to undo"):
        await state.undo(AUTHOR_ID, "Prof. Jacobs")
    await state.record(change("officehours", text="Zoom only"))
    await state.undo(AUTHOR_ID, "Prof. Jacobs")
    replans.courses.clear()
    with pytest.raises(ChangeError, match="There is no change to undo"):
        await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert len(await store.changes()) == 2 and replans.courses == []


async def test_undoing_dependent_changes_newest_first_never_conflicts(state: CourseState, course: Course) -> None:
    """A reading added to a moved class is undone before the move, so nothing is left dangling."""
    await state.record(change("move", date="2024-09-18", to="2024-09-19"))
    await state.record(change("add_reading", date="2024-09-19", title=MAE))
    await state.record(change("cancel", date="2024-09-19", reason="sick"))
    undone = [await state.undo(AUTHOR_ID, "Prof. Jacobs") for _ in range(3)]
    assert [o.undone.kind for o in undone] == ["cancel", "add_reading", "move"]
    assert all(o.conflicts == () for o in undone)
    assert state.course == course and state.conflicts == ()


# --- reload ------------------------------------------------------------------------------------


async def test_reload_with_a_good_edit_returns_the_differences(state: CourseState, schedule: Path,
                                                               replans: Replans) -> None:
    await state.record(change("officehours", text="Zoom only"))
    replans.courses.clear()
    edit(schedule, "topic: Vision-Language Models\n", "topic: Vision-Language Foundation Models\n")
    outcome = await state.reload()
    assert outcome.differences == (
        "Class 8 on Mon Sep 23 renamed: “Vision-Language Models” → “Vision-Language Foundation Models”.",)
    assert outcome.change is None and outcome.conflicts == ()
    assert state.course.session_number(8).topic == "Vision-Language Foundation Models"
    assert state.course.office_hours_notice == "Zoom only"  # the log is re-applied on the new file
    assert state.base == load_course(schedule)
    assert replans.courses == [state.course]


async def test_reload_of_an_unchanged_file_has_no_differences(state: CourseState) -> None:
    await state.record(change("cancel", date="2024-09-18"))
    outcome = await state.reload()
    assert outcome.differences == () and outcome.conflicts == ()
    assert state.course.session_on(SEP_18).cancelled


async def test_reload_of_a_broken_file_keeps_the_running_course(state: CourseState, schedule: Path,
                                                                replans: Replans) -> None:
    await state.record(change("cancel", date="2024-09-18"))
    replans.courses.clear()
    running, base, log = state.course, state.base, list(state.log)
    edit(schedule, "  first_day: 2024-08-26", "  first_day: 2024-08-32")
    edit(schedule, "    topic: Vision-Language Models\n", "    topic: Vision-Language Models\n    speaker: me\n")
    with pytest.raises(ScheduleError) as info:
        await state.reload()
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 2 and all(p.startswith(f"{schedule}:") for p in problems)
    assert any("2024-08-32" in p for p in problems) and any("speaker" in p for p in problems)
    assert state.course is running and state.base is base and state.log == log
    assert replans.courses == []


async def test_reload_reports_a_stored_change_whose_class_is_gone(state: CourseState, schedule: Path,
                                                                  store: Store) -> None:
    reading = await state.record(change("add_reading", date="2024-09-18", title=MAE))
    await state.record(change("officehours", text="Zoom only"))
    text = schedule.read_text(encoding="utf-8")
    start, end = text.index("  - number: 7\n"), text.index("  - number: 8\n")
    schedule.write_text(text[:start] + text[end:], encoding="utf-8")

    outcome = await state.reload()
    assert outcome.conflicts == ((reading.change, "There is no class on Wed Sep 18."),)
    assert state.conflicts == outcome.conflicts
    assert "Removed: Class 7 (Self-supervised learning - Vision) on Wed Sep 18." in outcome.differences
    assert state.course.session_on(SEP_18) is None
    assert state.course.office_hours_notice == "Zoom only"  # the others still apply
    assert reading.change in state.log and reading.change in await store.changes()

    schedule.write_text(text, encoding="utf-8")  # the class is back: so is the stored reading
    restored = await state.reload()
    assert restored.conflicts == () and state.conflicts == ()
    assert state.course.session_on(SEP_18).papers[-1].title == MAE


async def test_load_reports_conflicts_after_the_file_changed_between_runs(schedule: Path, db_path: Path) -> None:
    store = await Store.open(str(db_path))
    try:
        first = CourseState(str(schedule), store, fixed_clock(NOW), Replans())
        await first.load()
        cancelled = await first.record(change("cancel", date="2024-09-18"))
        edit(schedule, "    date: 2024-09-18\n", "    date: 2024-09-19\n")
        second = CourseState(str(schedule), store, fixed_clock(NOW), Replans())
        course = await second.load()
        assert second.conflicts == ((cancelled.change, "There is no class on Wed Sep 18."),)
        assert not course.session_on(SEP_19).cancelled
    finally:
        await store.close()


# --- the table itself --------------------------------------------------------------------------


async def test_course_changes_is_append_only(state: CourseState, store: Store, db_path: Path) -> None:
    stored = (await state.record(change("cancel", date="2024-09-18"))).change
    connection = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE course_changes SET kind = 'move' WHERE id = ?", (stored.id,))
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("DELETE FROM course_changes")
        connection.rollback()
    finally:
        connection.close()
    assert await store.changes() == [stored]


async def test_undo_skips_a_stored_change_that_no_longer_applies(state: CourseState, schedule: Path) -> None:
    noted = await state.record(change("officehours", text="Zoom only"))
    reading = await state.record(change("add_reading", date="2024-09-18", title=MAE))
    text = schedule.read_text(encoding="utf-8")
    start, end = text.index("  - number: 7\n"), text.index("  - number: 8\n")
    schedule.write_text(text[:start] + text[end:], encoding="utf-8")
    assert (await state.reload()).conflicts == ((reading.change, "There is no class on Wed Sep 18."),)

    outcome = await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert outcome.undone == noted.change
    assert outcome.after != outcome.before and state.course.office_hours_notice is None


# --- what /course remove-reading's autocomplete hands to record() --------------------------------


async def title_choices(state: CourseState, date: str, typed: str) -> list[str]:
    """The values remove-reading's autocomplete offers (Discord caps each at 100 characters)."""
    return [t[:100] for t in reading_choices(state.course, date, typed, NOW)]


async def test_a_title_picked_from_autocomplete_removes_that_reading(state: CourseState) -> None:
    assert await title_choices(state, "9/18", "") == [SIMCLR, "Emerging Properties in Self-Supervised Vision "
                                                      "Transformers", "Vision Transformers Need Registers",
                                                      "SimCLR slides"]
    assert await title_choices(state, "#7", "SLIDES") == ["SimCLR slides"]
    assert await title_choices(state, "9/2", "") == [] and await title_choices(state, "13/45", "") == []
    outcome = await state.record(change("remove_reading", date="2024-09-18", title="SimCLR slides"))
    assert outcome.after.session_on(SEP_18).resources == ()


async def test_every_title_picked_from_autocomplete_can_be_removed(state: CourseState, course: Course) -> None:
    for session in course.sessions:
        for value in await title_choices(state, session.date.isoformat(), ""):
            assert len(value) <= 100
            await state.record(change("remove_reading", date=session.date.isoformat(), title=value))
            await state.undo(AUTHOR_ID, "Prof. Jacobs")


# --- the stored log wherever the course is shown offline ---------------------------------------


async def _cancel_sep_18(db_path: Path) -> None:
    store = await Store.open(str(db_path))
    try:
        await store.add_change(Change("cancel", {"date": "2024-09-18", "reason": "travel"}, author_id=AUTHOR_ID,
                                      author="Prof. Jacobs", created_at=NOW))
    finally:
        await store.close()


async def test_reminders_command_applies_the_stored_changes(db_path: Path, run_bot) -> None:
    """A class cancelled with /course cancel has no reminders in `python -m bot reminders`."""
    await _cancel_sep_18(db_path)
    result = run_bot("reminders", "--from", "9/17", "--to", "9/18", env={"COURSEBOT_DATABASE": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert "critique:2024-09-18" not in result.stdout


async def test_console_applies_the_stored_changes(db_path: Path, run_bot) -> None:
    """The console answers from schedule.yaml plus the stored changes, as the bot does."""
    await _cancel_sep_18(db_path)
    result = run_bot("console", "--now", "2024-09-17 09:00", stdin="/readings 9/18\n",
                     env={"COURSEBOT_DATABASE": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert "[CANCELLED]" in result.stdout and "travel" in result.stdout
