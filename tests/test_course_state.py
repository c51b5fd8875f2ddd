"""CourseState on a real SQLite file and copies of the test courses: record, undo, reload, the log across
restarts, deadline changes against the clock, the deployment's critique cut-off, and the calendar's revisions."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import fixed_clock
from bot.core.changes import (
    AddReading,
    Cancel,
    Change,
    ChangeError,
    DeadlineAdd,
    DeadlineMove,
    DeadlineRemove,
    Edit,
    Move,
    OfficeHoursNote,
    RemoveReading,
    Undo,
    apply_log,
    reading_choices,
    revisions,
)
from bot.core.loader import ScheduleError, load_course
from bot.core.model import Course, Revision
from bot.course_state import CourseState, current_course, current_course_and_revisions
from bot.store import Store

SCHEDULE = Path(__file__).resolve().parent / "data" / "courses" / "ml_at_scale.yaml"  # the first course, frozen

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


def change(edit: Edit) -> Change:
    return Change(edit, author_id=AUTHOR_ID, author="Prof. Jacobs")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def schedule(tmp_path: Path) -> Path:
    """A copy of the first course's file that a test may edit before reload()."""
    path = tmp_path / "schedule.yaml"
    path.write_text(SCHEDULE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def course() -> Course:
    """The first course, from its frozen copy."""
    return load_course(SCHEDULE)


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
    outcome = await state.record(change(Cancel(SEP_18, "travel")))
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
    first = await state.record(change(Move(SEP_18, SEP_19)))
    replans.courses.clear()
    before_course, before_log = state.course, list(state.log)
    for refused in (change(Move(SEP_19, day("2024-09-23"))), change(Cancel(SEP_18)),
                    change(AddReading(day("2024-10-09"), MAE)),
                    change(RemoveReading(SEP_19, "Attention"))):
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
        await first.record(change(Move(SEP_18, SEP_19)))
        await first.record(change(AddReading(SEP_19, MAE, "He et al.")))
        await first.record(change(OfficeHoursNote("Thursday 2-3pm this week")))
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
    cancelled = await state.record(change(Cancel(SEP_18)))
    noted = await state.record(change(OfficeHoursNote("Zoom only")))
    replans.courses.clear()
    outcome = await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert outcome.undone == noted.change
    assert outcome.before == noted.after
    assert outcome.after == cancelled.after and state.course == cancelled.after
    assert state.course.office_hours_notice is None and state.course.session_on(SEP_18).cancelled
    row = outcome.change
    assert row is not None and row.kind == "undo" and row.edit == Undo(noted.change.id)
    assert row.created_at == NOW and row.author_id == AUTHOR_ID
    assert state.log[-1] == row and (await store.changes())[-1] == row
    assert replans.courses == [outcome.after]


async def test_undo_twice_reverts_the_two_newest(state: CourseState, course: Course) -> None:
    await state.record(change(Move(SEP_18, SEP_19)))
    kept = await state.record(change(Cancel(day("2024-09-23"))))
    await state.record(change(AddReading(SEP_19, MAE)))
    await state.record(change(RemoveReading(SEP_19, "SimCLR slides")))
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
    await state.record(change(OfficeHoursNote("Zoom only")))
    await state.undo(AUTHOR_ID, "Prof. Jacobs")
    replans.courses.clear()
    with pytest.raises(ChangeError, match="There is no change to undo"):
        await state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert len(await store.changes()) == 2 and replans.courses == []


async def test_undoing_dependent_changes_newest_first_never_conflicts(state: CourseState, course: Course) -> None:
    """A reading added to a moved class is undone before the move, so nothing is left dangling."""
    await state.record(change(Move(SEP_18, SEP_19)))
    await state.record(change(AddReading(SEP_19, MAE)))
    await state.record(change(Cancel(SEP_19, "sick")))
    undone = [await state.undo(AUTHOR_ID, "Prof. Jacobs") for _ in range(3)]
    assert [o.undone.kind for o in undone] == ["cancel", "add_reading", "move"]
    assert all(o.conflicts == () for o in undone)
    assert state.course == course and state.conflicts == ()


# --- reload ------------------------------------------------------------------------------------


async def test_reload_with_a_good_edit_returns_the_differences(state: CourseState, schedule: Path,
                                                               replans: Replans) -> None:
    await state.record(change(OfficeHoursNote("Zoom only")))
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
    await state.record(change(Cancel(SEP_18)))
    outcome = await state.reload()
    assert outcome.differences == () and outcome.conflicts == ()
    assert state.course.session_on(SEP_18).cancelled


async def test_reload_of_a_broken_file_keeps_the_running_course(state: CourseState, schedule: Path,
                                                                replans: Replans) -> None:
    await state.record(change(Cancel(SEP_18)))
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
    reading = await state.record(change(AddReading(SEP_18, MAE)))
    await state.record(change(OfficeHoursNote("Zoom only")))
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
        cancelled = await first.record(change(Cancel(SEP_18)))
        edit(schedule, "    date: 2024-09-18\n", "    date: 2024-09-19\n")
        second = CourseState(str(schedule), store, fixed_clock(NOW), Replans())
        course = await second.load()
        assert second.conflicts == ((cancelled.change, "There is no class on Wed Sep 18."),)
        assert not course.session_on(SEP_19).cancelled
    finally:
        await store.close()


# --- the table itself --------------------------------------------------------------------------


async def test_course_changes_is_append_only(state: CourseState, store: Store, db_path: Path) -> None:
    stored = (await state.record(change(Cancel(SEP_18)))).change
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
    noted = await state.record(change(OfficeHoursNote("Zoom only")))
    reading = await state.record(change(AddReading(SEP_18, MAE)))
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
    outcome = await state.record(change(RemoveReading(SEP_18, "SimCLR slides")))
    assert outcome.after.session_on(SEP_18).resources == ()


async def test_every_title_picked_from_autocomplete_can_be_removed(state: CourseState, course: Course) -> None:
    for session in course.sessions:
        for value in await title_choices(state, session.date.isoformat(), ""):
            assert len(value) <= 100
            await state.record(change(RemoveReading(session.date, value)))
            await state.undo(AUTHOR_ID, "Prof. Jacobs")


# --- the stored log wherever the course is shown offline ---------------------------------------


async def _cancel_sep_18(db_path: Path) -> None:
    store = await Store.open(str(db_path))
    try:
        await store.add_change(Change(Cancel(SEP_18, "travel"), author_id=AUTHOR_ID,
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


# --- deadlines, against the clock (Distributed Systems: homework due Fridays 11:59pm, Los Angeles) ------------

DS_SCHEDULE = SCHEDULE.parent / "distributed_systems.yaml"
LA = ZoneInfo("America/Los_Angeles")
FEB_10 = dt.datetime(2025, 2, 10, 9, 0, tzinfo=LA)


class MovableClock:
    """A clock the test sets."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def ds_state(tmp_path: Path, store: Store, replans: Replans) -> CourseState:
    path = tmp_path / "schedule.yaml"
    path.write_text(DS_SCHEDULE.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = CourseState(str(path), store, MovableClock(FEB_10), replans)
    await loaded.load()
    return loaded


async def test_a_deadline_extension_is_stored_replanned_and_undone(ds_state: CourseState, store: Store,
                                                                   replans: Replans) -> None:
    """'Homework 3 is extended to Sunday': stored, re-planned, announced with before and after, undone."""
    outcome = await ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 16))))
    assert outcome.after.deadline("hw3").due == dt.date(2025, 2, 16)
    assert outcome.change.edit == DeadlineMove("hw3", dt.date(2025, 2, 16))
    assert await store.changes() == [outcome.change] and replans.courses == [outcome.after]
    undone = await ds_state.undo(AUTHOR_ID, "Prof. Jacobs")
    assert undone.undone == outcome.change and ds_state.course == ds_state.base


async def test_an_added_deadline_is_stored_with_its_derived_id(ds_state: CourseState, store: Store) -> None:
    outcome = await ds_state.record(change(DeadlineAdd("Homework 8", dt.date(2025, 5, 2), dt.time(23, 59),
                                                       "homework")))
    assert outcome.change.edit.id == "homework-8"
    assert (await store.changes())[0].edit == outcome.change.edit
    assert ds_state.course.deadline("homework-8").due_time == dt.time(23, 59)


@pytest.mark.parametrize("edit", [
    DeadlineMove("hw3", dt.date(2025, 2, 7)),  # already past on Feb 10
    DeadlineMove("hw3", dt.date(2025, 2, 10), dt.time(8, 59)),  # a minute ago
    DeadlineAdd("Reading response", dt.date(2025, 2, 3)),
    DeadlineMove("hw9", dt.date(2025, 2, 16)),
    DeadlineMove("hw3", dt.date(2025, 5, 10)),
    DeadlineMove("hw3", dt.date(2025, 2, 14)),
    DeadlineRemove("hw9"),
], ids=["past day", "past minute", "added in the past", "unknown id", "after the term", "unchanged", "remove unknown"])
async def test_refused_deadline_changes_change_nothing(ds_state: CourseState, store: Store, replans: Replans,
                                                       edit: Edit) -> None:
    """Nothing is stored, swapped or re-planned; the control below shows the same checks notice a change."""
    before_course, before_log = ds_state.course, list(ds_state.log)
    with pytest.raises(ChangeError):
        await ds_state.record(change(edit))
    assert ds_state.course is before_course and ds_state.log == before_log == []
    assert await store.changes() == [] and replans.courses == []


async def test_the_nothing_changed_checks_would_notice(ds_state: CourseState, store: Store,
                                                       replans: Replans) -> None:
    """Control: an accepted change trips each of the checks used above."""
    before_course = ds_state.course
    await ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 10), dt.time(9, 1))))
    assert ds_state.course is not before_course and len(ds_state.log) == 1
    assert len(await store.changes()) == 1 and len(replans.courses) == 1


async def test_the_clock_decides_what_is_past(ds_state: CourseState) -> None:
    """The same change is refused once its due time has passed on the injected clock."""
    ds_state._clock.now = dt.datetime(2025, 2, 16, 23, 59, tzinfo=LA)  # type: ignore[attr-defined]
    with pytest.raises(ChangeError, match="Sun Feb 16, 11:59pm has already passed"):
        await ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 16))))
    ds_state._clock.now = dt.datetime(2025, 2, 16, 23, 58, tzinfo=LA)  # type: ignore[attr-defined]
    await ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 16))))


async def test_a_stored_extension_replays_after_its_time_has_passed(ds_state: CourseState, store: Store,
                                                                    tmp_path: Path) -> None:
    """The clock check is for the live command only: at start-up, months later, the log still applies."""
    await ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 16))))
    later = CourseState(str(tmp_path / "schedule.yaml"), store, MovableClock(dt.datetime(2025, 6, 1, tzinfo=LA)),
                        Replans())
    assert (await later.load()).deadline("hw3").due == dt.date(2025, 2, 16) and later.conflicts == ()


async def test_two_changes_at_once_are_both_kept(ds_state: CourseState, store: Store) -> None:
    """Two instructors at the same moment: each change is applied on top of the other, none is lost."""
    await asyncio.gather(ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 16)))),
                         ds_state.record(change(DeadlineMove("hw4", dt.date(2025, 2, 23)))))
    assert ds_state.course.deadline("hw3").due == dt.date(2025, 2, 16)
    assert ds_state.course.deadline("hw4").due == dt.date(2025, 2, 23)
    assert ds_state.course == apply_log(ds_state.base, await store.changes()).course


# --- the deployment's critique cut-off -------------------------------------------------------------------------


async def test_the_deployment_cutoff_applies_where_the_course_sets_none(schedule: Path, store: Store) -> None:
    state = CourseState(str(schedule), store, fixed_clock(NOW), Replans(), cutoff=dt.time(9, 30))
    course = await state.load()
    assert state.base.critique_cutoff == dt.time(9, 30) and course.cutoff == dt.time(9, 30)
    await state.record(change(Cancel(SEP_18)))
    assert state.course.cutoff == dt.time(9, 30)
    assert (await state.reload()).after.cutoff == dt.time(9, 30)


async def test_the_course_cutoff_wins_over_the_deployment(schedule: Path, store: Store) -> None:
    edit(schedule, "  timezone: America/New_York", '  timezone: America/New_York\n  critique_cutoff: "11:00"')
    state = CourseState(str(schedule), store, fixed_clock(NOW), Replans(), cutoff=dt.time(9, 30))
    assert (await state.load()).cutoff == dt.time(11, 0)


async def test_without_a_deployment_cutoff_the_course_default_stays(schedule: Path, store: Store,
                                                                    course: Course) -> None:
    state = CourseState(str(schedule), store, fixed_clock(NOW), Replans())
    loaded = await state.load()
    assert loaded.critique_cutoff is None and loaded == course


async def test_current_course_applies_the_cutoff_and_the_log(schedule: Path, db_path: Path) -> None:
    store = await Store.open(str(db_path))
    try:
        await store.add_change(Change(Cancel(SEP_18), created_at=NOW))
    finally:
        await store.close()
    course = await current_course(str(schedule), str(db_path), True, cutoff=dt.time(10, 0))
    assert course.cutoff == dt.time(10, 0) and course.session_on(SEP_18).cancelled
    fresh = await current_course(str(schedule), str(db_path), False, cutoff=dt.time(10, 0))
    assert fresh.cutoff == dt.time(10, 0) and not fresh.session_on(SEP_18).cancelled
    course, revised = await current_course_and_revisions(str(schedule), str(db_path), True)
    assert course.cutoff == dt.time(12, 0) and revised == {"class-7": Revision(1, NOW)}
    assert await current_course_and_revisions(str(schedule), str(db_path), False) == (load_course(schedule), {})


# --- revisions for the calendar ------------------------------------------------------------------------------


async def test_revisions_follow_the_log(ds_state: CourseState) -> None:
    """The state's revisions are those of its log, recomputed after each change, undo and reload."""
    assert ds_state.revisions == {}
    await ds_state.record(change(DeadlineMove("hw3", dt.date(2025, 2, 16))))
    assert ds_state.revisions == {"deadline-hw3": Revision(1, FEB_10)}
    ds_state._clock.now = FEB_10 + dt.timedelta(hours=1)  # type: ignore[attr-defined]
    await ds_state.record(change(Cancel(dt.date(2025, 2, 13))))
    await ds_state.undo(AUTHOR_ID, "Prof. Jacobs")
    later = FEB_10 + dt.timedelta(hours=1)
    assert ds_state.revisions == {"deadline-hw3": Revision(1, FEB_10), "class-8": Revision(2, later)}
    assert ds_state.revisions == revisions(ds_state.base, ds_state.log)
    await ds_state.reload()
    assert ds_state.revisions == revisions(ds_state.base, ds_state.log)


async def test_an_upload_that_no_longer_loads_falls_back_to_the_one_before(tmp_path) -> None:
    """A newer coursebot may refuse a stored upload (a rule added since): the bot still starts, on the last upload
    that loads (or schedule.yaml), and says so in the log."""

    from bot.course_state import base_and_log
    from bot.store import Store, StoredUpload

    first = (Path(__file__).parent / "data" / "courses" / "ml_at_scale.yaml").read_text(encoding="utf-8")
    store = await Store.open(str(tmp_path / "db.sqlite3"))
    try:
        at = dt.datetime(2024, 9, 1, tzinfo=dt.timezone.utc)
        good = first.replace("title: Machine Learning at Scale", "title: Kept Title", 1)
        await store.add_upload(StoredUpload(at, 1, "A", "good.yaml", good, 0, (), ("x",)))
        await store.add_upload(StoredUpload(at, 1, "A", "bad.yaml", "course: [unreadable", 0, (), ("x",)))
        base, _, upload = await base_and_log(store, str(tmp_path / "missing.yaml"), None)
        assert upload is not None and upload.filename == "good.yaml" and base.title == "Kept Title"
    finally:
        await store.close()
