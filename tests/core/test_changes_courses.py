"""Every kind of change on each of the three test courses: it applies, announces itself, says what undoing it
means, names the calendar events it touches, survives the trip to the store's parameters and back, and undoing
it gives the course back; the refusals say why in a sentence and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

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
)
from bot.core.loader import load_course
from bot.core.model import Course

COURSES_DIR = Path(__file__).resolve().parents[1] / "data" / "courses"
NAMES = ("ml_at_scale", "distributed_systems", "data_analysis")
_LOADED: dict[str, Course] = {}


def load(name: str) -> Course:
    """A test course, loaded once (each test gets the same frozen value)."""
    if name not in _LOADED:
        _LOADED[name] = load_course(COURSES_DIR / f"{name}.yaml")
    return _LOADED[name]


def d(month: int, day: int, year: int) -> dt.date:
    return dt.date(year, month, day)


def t(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


@dataclass(frozen=True)
class Case:
    course: str
    edit: Edit
    announcement: str
    undo_text: str
    touches: frozenset[str]
    holds: Callable[[Course], bool] = field(default=lambda after: True)

    @property
    def id(self) -> str:
        return f"{self.course}-{self.edit.kind}-{self.edit.summary()[:40]}"


ML, DS, DA = NAMES
CLASS_7 = "Class 7 (Self-supervised learning - Vision)"
MAE = "Masked Autoencoders Are Scalable Vision Learners"

CASES = [
    # --- the first course: Mon/Wed, critiques, project deadlines without a time --------------------------------
    Case(ML, Cancel(d(9, 18, 2024), "travel"), f"{CLASS_7} on Wed Sep 18 is cancelled. Reason: travel.",
         f"{CLASS_7} on Wed Sep 18 is back on: it is no longer cancelled.", frozenset({"class-7"}),
         lambda c: c.session_on(d(9, 18, 2024)).cancelled),
    Case(ML, Move(d(9, 18, 2024), d(9, 19, 2024)), f"{CLASS_7} moved from Wed Sep 18 to Thu Sep 19.",
         f"{CLASS_7} moved back from Thu Sep 19 to Wed Sep 18.", frozenset({"class-7"}),
         lambda c: c.session_on(d(9, 19, 2024)).number == 7),
    Case(ML, AddReading(d(9, 18, 2024), MAE, "He et al."),
         f"New reading for {CLASS_7} on Wed Sep 18: “{MAE}” (He et al.).",
         f"“{MAE}” is no longer a reading for Wed Sep 18.", frozenset({"class-7"}),
         lambda c: c.session_on(d(9, 18, 2024)).papers[-1].title == MAE),
    Case(ML, RemoveReading(d(9, 18, 2024), "SimCLR slides"), f"Removed from {CLASS_7} on Wed Sep 18: “SimCLR slides”.",
         "“SimCLR slides” is a reading for Wed Sep 18 again.", frozenset({"class-7"}),
         lambda c: c.session_on(d(9, 18, 2024)).resources == ()),
    Case(ML, OfficeHoursNote("Zoom only this week"), "Office hours update: Zoom only this week",
         "The office hours note was withdrawn.", frozenset({"office-hours"}),
         lambda c: c.office_hours_notice == "Zoom only this week"),
    Case(ML, DeadlineMove("proposal", d(10, 18, 2024)), "Project proposal is now due Fri Oct 18 (was Wed Oct 16).",
         "Project proposal is due Wed Oct 16 again (was Fri Oct 18).", frozenset({"deadline-proposal"}),
         lambda c: c.deadline("proposal").due == d(10, 18, 2024) and c.project.deadlines[0].due == d(10, 18, 2024)),
    Case(ML, DeadlineAdd("Project check-in", d(11, 6, 2024), t(17), "project", "project-check-in"),
         "New deadline: Project check-in, due Wed Nov 6, 5pm.",
         "Removed: Project check-in, which was due Wed Nov 6, 5pm.", frozenset({"deadline-project-check-in"}),
         lambda c: [x.id for x in c.project.deadlines] == ["proposal", "project-check-in", "final"]),
    Case(ML, DeadlineRemove("final"), "Removed: Final paper, which was due Mon Dec 9.",
         "Final paper is back: due Mon Dec 9.", frozenset({"deadline-final"}),
         lambda c: c.deadline("final") is None and [x.id for x in c.project.deadlines] == ["proposal"]),
    # --- Distributed Systems: Tue/Thu 2pm, homework Fridays 11:59pm, a midterm in class, spring break ------------
    Case(DS, Cancel(d(3, 4, 2025)), "Class 13 (Midterm exam) on Tue Mar 4 is cancelled.",
         "Class 13 (Midterm exam) on Tue Mar 4 is back on: it is no longer cancelled.",
         frozenset({"class-13", "exam-class-13"}), lambda c: [e.id for e in c.all_exams()] == ["final"]),
    Case(DS, Move(d(3, 18, 2025), d(3, 25, 2025)),
         "Class 17 (Chain replication) moved from Tue Mar 18 to Tue Mar 25, during Spring break.",
         "Class 17 (Chain replication) moved back from Tue Mar 25 to Tue Mar 18.", frozenset({"class-17"}),
         lambda c: c.session_on(d(3, 25, 2025)).number == 17),
    Case(DS, AddReading(d(2, 13, 2025), "Zyzzyva", url="https://example.edu/zyzzyva.pdf"),
         "New reading for Class 8 (Byzantine fault tolerance) on Thu Feb 13: “Zyzzyva”.",
         "“Zyzzyva” is no longer a reading for Thu Feb 13.", frozenset({"class-8"}),
         lambda c: c.session_on(d(2, 13, 2025)).papers[-1].url == "https://example.edu/zyzzyva.pdf"),
    Case(DS, RemoveReading(d(2, 6, 2025), "Paxos Made Simple"),
         "Removed from Class 6 (Consensus: Paxos) on Thu Feb 6: “Paxos Made Simple”.",
         "“Paxos Made Simple” is a reading for Thu Feb 6 again.", frozenset({"class-6"}),
         lambda c: c.session_on(d(2, 6, 2025)).papers == ()),
    Case(DS, OfficeHoursNote("Priya's hours move to Thursday this week"),
         "Office hours update: Priya's hours move to Thursday this week", "The office hours note was withdrawn.",
         frozenset({"office-hours"})),
    Case(DS, DeadlineMove("hw3", d(2, 16, 2025)),
         "Homework 3 (primary-backup) is now due Sun Feb 16, 11:59pm (was Fri Feb 14, 11:59pm).",
         "Homework 3 (primary-backup) is due Fri Feb 14, 11:59pm again (was Sun Feb 16, 11:59pm).",
         frozenset({"deadline-hw3"}),
         lambda c: [x.id for x in c.deadlines][:4] == ["hw1", "hw2", "hw3", "hw4"] and c.project is None),
    Case(DS, DeadlineMove("hw4", d(2, 14, 2025), t(17)),
         "Homework 4 (Paxos) is now due Fri Feb 14, 5pm (was Fri Feb 21, 11:59pm).",
         "Homework 4 (Paxos) is due Fri Feb 21, 11:59pm again (was Fri Feb 14, 5pm).", frozenset({"deadline-hw4"}),
         lambda c: [x.id for x in c.deadlines][:4] == ["hw1", "hw2", "hw4", "hw3"]),  # kept in due order
    Case(DS, DeadlineAdd("Homework 8 (Byzantine)", d(5, 2, 2025), t(23, 59), "homework", "homework-8-byzantine"),
         "New deadline: Homework 8 (Byzantine), due Fri May 2, 11:59pm.",
         "Removed: Homework 8 (Byzantine), which was due Fri May 2, 11:59pm.",
         frozenset({"deadline-homework-8-byzantine"}),
         lambda c: c.deadline("homework-8-byzantine").kind == "homework" and c.deadlines[-1].id == "report"),
    Case(DS, DeadlineRemove("hw7"), "Removed: Homework 7 (transactions), which was due Fri Apr 11, 11:59pm.",
         "Homework 7 (transactions) is back: due Fri Apr 11, 11:59pm.", frozenset({"deadline-hw7"}),
         lambda c: len(c.deadlines) == 8),
    # --- Data Analysis: London, a Friday section, quizzes at 2pm, a make-up class, no office hours ----------------
    Case(DA, Cancel(d(10, 10, 2025), "strike"),
         "Class 6 (Section: plotting practice) on Fri Oct 10 is cancelled. Reason: strike.",
         "Class 6 (Section: plotting practice) on Fri Oct 10 is back on: it is no longer cancelled.",
         frozenset({"class-6"})),
    Case(DA, Move(d(10, 14, 2025), d(11, 4, 2025)),
         "Class 8 (Make-up: sampling distributions) moved from Tue Oct 14 to Tue Nov 4, during Reading week.",
         "Class 8 (Make-up: sampling distributions) moved back from Tue Nov 4 to Tue Oct 14.", frozenset({"class-8"}),
         lambda c: c.session_on(d(11, 4, 2025)).start == t(13)),  # the make-up keeps its own time
    Case(DA, AddReading(d(10, 15, 2025), "Bootstrap confidence intervals", "DiCiccio and Efron"),
         "New reading for Class 9 (Confidence intervals) on Wed Oct 15: “Bootstrap confidence intervals” "
         "(DiCiccio and Efron).", "“Bootstrap confidence intervals” is no longer a reading for Wed Oct 15.",
         frozenset({"class-9"})),
    Case(DA, RemoveReading(d(11, 26, 2025), "causal inference LECTURE video"),
         "Removed from Class 24 (Causal questions) on Wed Nov 26: “causal inference LECTURE video”.",
         "“causal inference LECTURE video” is a reading for Wed Nov 26 again.", frozenset({"class-24"}),
         lambda c: c.session_on(d(11, 26, 2025)).resources == ()),
    Case(DA, OfficeHoursNote("Drop-in help after Friday's section"),
         "Office hours update: Drop-in help after Friday's section", "The office hours note was withdrawn.",
         frozenset({"office-hours"})),
    Case(DA, DeadlineMove("ps1", d(10, 12, 2025)), "Problem set 1 is now due Sun Oct 12 (was Fri Oct 10).",
         "Problem set 1 is due Fri Oct 10 again (was Sun Oct 12).", frozenset({"deadline-ps1"}),
         lambda c: c.deadline("ps1").time is None),
    Case(DA, DeadlineMove("quiz1", d(10, 17, 2025), t(16)),
         "Quiz 1 (online) is now due Fri Oct 17, 4pm (was Fri Oct 17, 2pm).",
         "Quiz 1 (online) is due Fri Oct 17, 2pm again (was Fri Oct 17, 4pm).", frozenset({"deadline-quiz1"})),
    Case(DA, DeadlineAdd("Quiz 3 (online)", d(12, 5, 2025), t(14), "quiz", "quiz-3-online"),
         "New deadline: Quiz 3 (online), due Fri Dec 5, 2pm.",
         "Removed: Quiz 3 (online), which was due Fri Dec 5, 2pm.",
         frozenset({"deadline-quiz-3-online"}), lambda c: c.project is None or c.project.deadlines == ()),
    Case(DA, DeadlineRemove("quiz2"), "Removed: Quiz 2 (online), which was due Fri Nov 21, 2pm.",
         "Quiz 2 (online) is back: due Fri Nov 21, 2pm.", frozenset({"deadline-quiz2"})),
]


def test_every_kind_is_tried_on_every_course() -> None:
    """The table covers each registered kind on each of the three courses."""
    from bot.core.changes import KINDS

    for name in NAMES:
        assert {c.edit.kind for c in CASES if c.course == name} == set(KINDS), name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_apply_announce_and_touch(case: Case) -> None:
    """The change applies, is announced against the course before it, and names the events it changes."""
    before = load(case.course)
    after = case.edit.apply(before)
    assert after != before and case.holds(after)
    assert case.edit.describe(before) == case.announcement
    assert case.edit.touches(before) == case.touches


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_undo_text_and_undo_restores(case: Case) -> None:
    """What undoing it says, and replaying the change then its undo gives back the course."""
    before = load(case.course)
    after = case.edit.apply(before)
    assert case.edit.describe_undo(after, before) == case.undo_text
    applied = apply_log(before, [Change(case.edit, id=1), Change(Undo(1), id=2)])
    assert applied.course == before and applied.conflicts == ()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_round_trip_through_the_stored_row(case: Case) -> None:
    """to_row then from_row gives the same typed change; the params are plain strings, as JSON stores them."""
    change = Change(case.edit, id=7, author_id=1, author="Prof", created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    kind, params, undoes = change.to_row()
    assert kind == case.edit.kind and undoes is None
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    assert Change.from_row(kind, params, undoes, id=7, author_id=1, author="Prof",
                           created_at=change.created_at) == change


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_applied_twice_is_refused_or_idempotent_never_wrong(case: Case) -> None:
    """Applying a change a second time is refused (the note is the one kind that may repeat)."""
    after = case.edit.apply(load(case.course))
    if isinstance(case.edit, OfficeHoursNote):
        assert case.edit.apply(after) == after
        return
    with pytest.raises(ChangeError):
        case.edit.apply(after)


REFUSALS = [
    (ML, Cancel(d(10, 9, 2024)), "Class 13 on Wed Oct 9 is already cancelled."),
    (ML, Cancel(d(9, 2, 2024)), "There is no class on Mon Sep 2."),
    (ML, Move(d(9, 18, 2024), d(9, 23, 2024)),
     "Mon Sep 23 already has Class 8 (Vision-Language Models); pick a free day."),
    (ML, Move(d(9, 18, 2024), d(12, 10, 2024)), "Tue Dec 10, 2024 is outside the term (Mon Aug 26 to Mon Dec 9)."),
    (ML, AddReading(d(10, 9, 2024), MAE),
     "Class 13 on Wed Oct 9 is cancelled; move it or add the reading to another class."),
    (ML, RemoveReading(d(8, 26, 2024), "Anything"),
     "Class 1 on Mon Aug 26 has no reading “Anything”. Its readings: none."),
    (ML, DeadlineMove("hw9", d(10, 18, 2024)), "There is no deadline “hw9”. The deadlines are: proposal, final."),
    (ML, DeadlineMove("proposal", d(12, 20, 2024)),
     "Fri Dec 20, 2024 is outside the term (Mon Aug 26 to Mon Dec 9): deadlines fall between the first class and "
     "the end of exams."),
    (ML, DeadlineMove("proposal", d(10, 16, 2024)), "Project proposal is already due Wed Oct 16."),
    (ML, DeadlineMove("proposal", d(10, 16, 2024), t(23, 59)), "Project proposal is already due Wed Oct 16."),
    (ML, DeadlineAdd("  project PROPOSAL ", d(10, 20, 2024), id="proposal-2"),
     "“Project proposal” is already a deadline (proposal, due Wed Oct 16); /course deadline move changes its date."),
    (ML, DeadlineAdd("Peer review", d(10, 20, 2024), id="final"),
     "The id “final” is already taken; the deadline needs its own."),
    (ML, DeadlineAdd("   ", d(10, 20, 2024), id="x"), "The deadline needs a title."),
    (ML, DeadlineAdd("Peer review", d(10, 20, 2024), deadline_kind="essay", id="peer-review"),
     "“essay” is not a kind of deadline; use homework, quiz, project, other."),
    (ML, DeadlineAdd("Peer review", d(10, 20, 2024), id="peer review!"), "“peer review!” cannot be a deadline's id."),
    (ML, DeadlineAdd("Peer review", d(8, 25, 2024), id="peer-review"),
     "Sun Aug 25, 2024 is outside the term (Mon Aug 26 to Mon Dec 9): deadlines fall between the first class and "
     "the end of exams."),
    (ML, DeadlineRemove("hw1"), "There is no deadline “hw1”. The deadlines are: proposal, final."),
    (DS, Move(d(3, 18, 2025), d(3, 20, 2025)), "Thu Mar 20 already has Class 18 (ZooKeeper); pick a free day."),
    (DS, Move(d(4, 29, 2025), d(5, 6, 2025)),  # a class stays within the classes' weeks, not the exams'
     "Tue May 6, 2025 is outside the term (Tue Jan 21 to Thu May 1)."),
    (DS, Cancel(d(2, 11, 2025)), "Class 7 (Consensus: Raft) on Tue Feb 11 is already cancelled."),
    (DS, DeadlineMove("hw3", d(5, 10, 2025)),
     "Sat May 10, 2025 is outside the term (Tue Jan 21 to Fri May 9): deadlines fall between the first class and "
     "the end of exams."),
    (DS, DeadlineMove("hw3", d(2, 14, 2025), t(23, 59)),
     "Homework 3 (primary-backup) is already due Fri Feb 14, 11:59pm."),
    (DS, DeadlineAdd("Midterm make-up", d(3, 6, 2025), id="final"),
     "The id “final” is already taken; the deadline needs its own."),  # exams' ids count too
    (DS, DeadlineAdd("Midterm make-up", d(3, 6, 2025), id="class-13"),
     "The id “class-13” is already taken; the deadline needs its own."),
    (DA, DeadlineRemove("nope"), "There is no deadline “nope”. The deadlines are: ps1, quiz1, quiz2, report."),
    (DA, Move(d(10, 14, 2025), d(10, 15, 2025)),
     "Wed Oct 15 already has Class 9 (Confidence intervals); pick a free day."),
    (DA, DeadlineMove("quiz1", d(12, 13, 2025)),
     "Sat Dec 13, 2025 is outside the term (Mon Sep 29 to Fri Dec 12): deadlines fall between the first class and "
     "the end of exams."),
]


@pytest.mark.parametrize(("name", "edit", "message"), REFUSALS, ids=lambda x: x if isinstance(x, str) else None)
def test_refusals_say_why_and_change_nothing(name: str, edit: Edit, message: str) -> None:
    """A refused change raises ChangeError with a sentence for the instructor; the course is as it was."""
    course = load(name)
    with pytest.raises(ChangeError) as info:
        edit.apply(course)
    assert str(info.value) == message
    assert course == load_course(COURSES_DIR / f"{name}.yaml")


def test_the_nothing_changed_check_would_notice() -> None:
    """Control: the comparison used above tells a changed course from the file's."""
    course = load(DS)
    assert DeadlineMove("hw3", d(2, 16, 2025)).apply(course) != load_course(COURSES_DIR / f"{DS}.yaml")


def test_a_deadline_may_fall_on_the_end_of_exams() -> None:
    """Deadlines may fall up to term_end (the end of exams), classes only up to the last day of classes."""
    moved = DeadlineMove("hw7", d(5, 9, 2025)).apply(load(DS))
    assert moved.deadline("hw7").due == d(5, 9, 2025)
