"""The registry of change kinds and the store boundary: every kind round-trips through SQLite, a new kind is one
class and nothing else, rows stored by earlier versions still load, and rows that cannot be read never stop
the bot."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.clock import fixed_clock
from bot.core.changes import (
    KINDS,
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
    Unreadable,
    apply_log,
    describe,
    describe_undo,
    register,
    revisions,
)
from bot.core.changes.sessions import label, replace_session, session_at
from bot.core.dates import short_date
from bot.core.model import Course
from bot.course_state import CourseState
from bot.store import Store
from tests.core.test_changes_courses import COURSES_DIR, DS, ML, load

NOW = dt.datetime(2024, 9, 17, 13, 0, tzinfo=dt.UTC)
SEP_18 = dt.date(2024, 9, 18)

# One example of each kind, as an instructor would make it on the first course. A new kind needs one here.
EXAMPLES: dict[str, Edit] = {
    "cancel": Cancel(SEP_18, "travel"),
    "move": Move(SEP_18, dt.date(2024, 9, 19)),
    "add_reading": AddReading(SEP_18, "Masked Autoencoders", "He et al.", "https://arxiv.org/abs/2111.06377"),
    "remove_reading": RemoveReading(SEP_18, "SimCLR slides"),
    "officehours": OfficeHoursNote("Zoom only this week"),
    "deadline_move": DeadlineMove("proposal", dt.date(2024, 10, 18), dt.time(17)),
    "deadline_add": DeadlineAdd("Check-in", dt.date(2024, 11, 6), dt.time(9, 30), "project", "check-in"),
    "deadline_remove": DeadlineRemove("final"),
}


def test_every_registered_kind_has_an_example() -> None:
    """The eight kinds, each with an example below (a ninth must add one)."""
    assert set(KINDS) == set(EXAMPLES)
    assert all(KINDS[kind] is type(edit) for kind, edit in EXAMPLES.items())


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
async def test_each_registered_kind_round_trips_through_the_store(kind: str, store: Store) -> None:
    """Stored and read back from SQLite, each kind is the same typed value, and still applies."""
    change = Change(EXAMPLES[kind], author_id=42, author="Prof", created_at=NOW)
    stored = await store.add_change(change)
    assert (await store.changes()) == [stored] and stored.edit == EXAMPLES[kind] and stored.kind == kind
    EXAMPLES[kind].apply(load(ML))


def test_register_refuses_a_kind_already_taken() -> None:
    for kind in ("cancel", "undo", "unreadable"):
        clash = type("Clash", (Cancel,), {"kind": kind, "__slots__": ()})
        with pytest.raises(ValueError, match="is taken"):
            register(clash)
    assert KINDS["cancel"] is Cancel


@contextlib.contextmanager
def connect(path: str) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection beside the store's: committed, then closed."""
    db = sqlite3.connect(path)
    try:
        with db:
            yield db
    finally:
        db.close()


# --- a ninth kind is one class -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rename(Edit):
    """A kind this version does not have: rename a class's topic. Nothing outside this class knows it."""

    date: dt.date
    topic: str
    kind: ClassVar[str] = "rename"

    def apply(self, course: Course) -> Course:
        session = session_at(course, self.date)
        if session.topic == self.topic:
            raise ChangeError(f"{label(session)} is already called that.")
        return replace_session(course, session, dataclasses.replace(session, topic=self.topic))

    def describe(self, before: Course) -> str:
        return f"Class on {short_date(self.date)} is now “{self.topic}”."

    def describe_undo(self, before: Course, after: Course) -> str:
        return f"Class on {short_date(self.date)} is “{after.session_on(self.date).topic}” again."

    def touches(self, before: Course) -> frozenset[str]:
        return frozenset({f"class-{session_at(before, self.date).number}"})

    def summary(self) -> str:
        return f"rename {short_date(self.date)} to “{self.topic}”"

    def to_params(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "topic": self.topic}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Rename:
        return cls(dt.date.fromisoformat(params["date"]), str(params["topic"]))


@pytest.fixture
def with_rename() -> Iterator[type[Rename]]:
    """The ninth kind, registered for this test only."""
    saved = dict(KINDS)
    try:
        yield register(Rename)
    finally:
        KINDS.clear()
        KINDS.update(saved)


async def test_a_ninth_kind_is_one_class(with_rename: type[Rename], db_path: Path, store: Store) -> None:
    """Registered, the new kind is stored, replayed after a restart, announced, undone and counted for the calendar
    by the code that exists, without an edit to it."""
    schedule = COURSES_DIR / "ml_at_scale.yaml"
    replans: list[Course] = []

    async def replan(course: Course) -> None:
        replans.append(course)

    state = CourseState(str(schedule), store, fixed_clock(NOW), replan)
    base = await state.load()
    outcome = await state.record(Change(Rename(SEP_18, "Self-supervised vision"), author_id=1, author="Prof"))
    assert outcome.after.session_on(SEP_18).topic == "Self-supervised vision"
    assert describe(outcome.change, outcome.before) == "Class on Wed Sep 18 is now “Self-supervised vision”."
    assert state.revisions == {"class-7": revisions(base, state.log)["class-7"]}
    assert state.revisions["class-7"].sequence == 1 and replans == [outcome.after]

    again = CourseState(str(schedule), store, fixed_clock(NOW), replan)
    assert (await again.load()).session_on(SEP_18).topic == "Self-supervised vision"
    assert again.log == state.log and again.log[0].edit.summary() == "rename Wed Sep 18 to “Self-supervised vision”"

    undone = await again.undo(1, "Prof")
    assert describe_undo(undone.undone, undone.before, undone.after) == (
        "Class on Wed Sep 18 is “Self-supervised learning - Vision” again.")
    assert again.course == base and again.revisions["class-7"].sequence == 2


async def test_rows_of_an_unknown_kind_are_kept_and_reported(store: Store) -> None:
    """A row of a kind this version does not know (a newer version wrote it) is kept and reported, never applied."""
    await store.add_change(Change(Cancel(SEP_18), created_at=NOW))
    with connect(store.path) as db:
        db.execute("INSERT INTO course_changes (created_at, kind, params) VALUES (?, 'rename', ?)",
                   (NOW.isoformat(), json.dumps({"date": "2024-09-18", "topic": "x"})))
    log = await store.changes()
    assert log[1].edit == Unreadable("rename", {"date": "2024-09-18", "topic": "x"}, "Unknown change “rename”.")
    assert log[1].kind == "rename" and log[1].to_row() == ("rename", {"date": "2024-09-18", "topic": "x"}, None)
    applied = apply_log(load(ML), log)
    assert applied.conflicts == ((log[1], "Unknown change “rename”."),)
    assert applied.course.session_on(SEP_18).cancelled


@pytest.mark.parametrize(("kind", "params", "undoes", "why"), [
    ("cancel", {}, None, "The stored change “cancel” cannot be read ('date')."),
    ("cancel", {"date": "2024-02-30"}, None, "The stored change “cancel” cannot be read (day is out of range "
                                             "for month)."),
    ("deadline_move", {"id": "hw3", "due": "2025-02-16", "time": "25:00"}, None,
     "The stored change “deadline_move” cannot be read (hour must be in 0..23)."),
    ("move", ["2024-09-18"], None, "The stored change “move” has unreadable parameters."),
    ("undo", {}, None, "An undo without its target."),
])
def test_rows_that_cannot_be_read_become_unreadable(kind: str, params: Any, undoes: int | None, why: str) -> None:
    """A damaged row is an Unreadable change with the reason, which apply_log reports as a conflict."""
    change = Change.from_row(kind, params, undoes, id=3)
    assert isinstance(change.edit, Unreadable) and change.edit.why == why and change.kind == kind
    assert apply_log(load(DS), [change]).conflicts == ((change, why),)


async def test_params_that_are_not_json_still_load(store: Store) -> None:
    with connect(store.path) as db:
        db.execute("INSERT INTO course_changes (created_at, kind, params) VALUES (?, 'cancel', '{not json')",
                   (NOW.isoformat(),))
    (change,) = await store.changes()
    assert isinstance(change.edit, Unreadable) and "unreadable parameters" in change.edit.why


# --- rows stored by the version before typed changes -----------------------------------------------------------

# Exactly what the previous version wrote: kind, json.dumps(params, sort_keys=True), undoes.
TODAYS_ROWS = [
    ("cancel", {"date": "2024-09-23", "reason": "travel"}, None),
    ("move", {"date": "2024-09-18", "to": "2024-09-19"}, None),
    ("add_reading", {"authors": "He et al.", "date": "2024-09-19", "title": "Masked Autoencoders",
                     "url": "https://arxiv.org/abs/2111.06377"}, None),
    ("add_reading", {"date": "2024-09-25", "title": "Only a title"}, None),
    ("remove_reading", {"date": "2024-09-19", "title": "SimCLR slides"}, None),
    ("officehours", {"text": "Zoom only this week"}, None),
    ("officehours", {"text": ""}, None),
    ("cancel", {"date": "2024-10-02"}, None),
    ("undo", {}, 8),
]
TYPED = [Cancel(dt.date(2024, 9, 23), "travel"), Move(SEP_18, dt.date(2024, 9, 19)),
         AddReading(dt.date(2024, 9, 19), "Masked Autoencoders", "He et al.", "https://arxiv.org/abs/2111.06377"),
         AddReading(dt.date(2024, 9, 25), "Only a title"), RemoveReading(dt.date(2024, 9, 19), "SimCLR slides"),
         OfficeHoursNote("Zoom only this week"), OfficeHoursNote(""), Cancel(dt.date(2024, 10, 2)), Undo(8)]


def write_todays_rows(path: str) -> None:
    with connect(path) as db:
        for kind, params, undoes in TODAYS_ROWS:
            db.execute("INSERT INTO course_changes (created_at, author_id, author, kind, params, undoes) "
                       "VALUES (?, 42, 'Prof. Jacobs', ?, ?, ?)",
                       ("2024-09-17T13:00:00+00:00", kind, json.dumps(params, sort_keys=True), undoes))


async def test_rows_stored_by_the_previous_version_load_as_typed_changes(store: Store) -> None:
    """Every kind the previous version stored reads back as its typed change, with its author and time."""
    write_todays_rows(store.path)
    log = await store.changes()
    assert [c.edit for c in log] == TYPED
    assert all(c.author == "Prof. Jacobs" and c.author_id == 42 and c.created_at == NOW for c in log)
    assert [c.id for c in log] == list(range(1, 10)) and log[-1].undoes == 8


async def test_rows_stored_by_the_previous_version_apply_at_start_up(store: Store) -> None:
    """The bot starts on them: the course is what they describe, with no conflicts."""
    write_todays_rows(store.path)
    state = CourseState(str(COURSES_DIR / "ml_at_scale.yaml"), store, fixed_clock(NOW), _no_replan)
    course = await state.load()
    assert state.conflicts == ()
    assert course.session_on(dt.date(2024, 9, 23)).cancelled and not course.session_on(dt.date(2024, 10, 2)).cancelled
    moved = course.session_on(dt.date(2024, 9, 19))
    assert moved.number == 7 and moved.papers[-1].title == "Masked Autoencoders" and moved.resources == ()
    assert course.office_hours_notice is None


async def test_todays_kinds_are_still_written_as_before(store: Store) -> None:
    """New rows of the old kinds keep their parameter names: an older version could still read them."""
    for edit in TYPED[:-1]:
        await store.add_change(Change(edit, created_at=NOW))
    await store.add_change(Change(Undo(8), created_at=NOW))
    with connect(store.path) as db:
        rows = db.execute("SELECT kind, params, undoes FROM course_changes ORDER BY id").fetchall()
    assert [(kind, json.loads(params), undoes) for kind, params, undoes in rows] == TODAYS_ROWS


async def _no_replan(course: Course) -> None:
    return None
