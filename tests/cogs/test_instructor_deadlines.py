"""/course deadline move|add|remove end to end through the fake Discord, on the first course (frozen copy) and on
Distributed Systems: the announcement with before and after, the reminder plan, undo, the change log, refusals
that change nothing, and the id autocomplete (instructors only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.app import CourseBot
from bot.clock import system_clock
from tests.cogs.test_instructor import TEACHER, announcements, run
from tests.cogs.test_students import EPHEMERAL, embed_text
from tests.harness import ANNOUNCEMENTS, STUDENT, STUDENT_ROLE, at, running_bot, settings_for

pytestmark = pytest.mark.asyncio

COURSES = Path(__file__).resolve().parents[1] / "data" / "courses"
FIRST_COURSE = COURSES / "ml_at_scale.yaml"
DISTRIBUTED = COURSES / "distributed_systems.yaml"
LA = ZoneInfo("America/Los_Angeles")
PROPOSAL_KEYS = ("project:proposal:2024-10-16:7d", "project:proposal:2024-10-16:1d", "project:proposal:2024-10-16:0d")


@pytest.fixture
def live_settings(fake, tmp_path):
    """Every channel set, reminders included, on the frozen copy of the first course."""
    return settings_for(fake, tmp_path, schedule=str(FIRST_COURSE))


@pytest.fixture
def bot(live_bot):
    """The bot at Tue Sep 17 2024, 9:00 in New York (frozen wall clock), reminders on."""
    return live_bot


def keys(bot: CourseBot, prefix: str) -> set[str]:
    return {k for k in bot.reminders.plan if k.startswith(prefix)}


async def test_move_is_announced_with_before_and_after_replanned_and_undone(bot, fake):
    """The proposal moves two days later: announced, its reminders move with it, undo brings all back."""
    assert keys(bot, "project:proposal:") == set(PROPOSAL_KEYS)
    data, _ = await run(fake, "deadline move", {"id": "proposal", "to": "Fri Oct 18"})
    line = "Project proposal is now due Fri Oct 18 (was Wed Oct 16)."
    assert data["flags"] & EPHEMERAL and f"Saved as change #1: {line}" in embed_text(data)
    assert line in announcements(fake)[0]
    assert keys(bot, "project:proposal:") == {k.replace("10-16", "10-18") for k in PROPOSAL_KEYS}
    assert bot.reminders.scheduler.next_run("project:proposal:2024-10-18:1d") == at(2024, 10, 17, 18, 0)
    assert bot.course.deadline("proposal").due == dt.date(2024, 10, 18)
    assert bot.course.project.deadlines[0].due == dt.date(2024, 10, 18)

    data, _ = await run(fake, "undo")
    back = "Project proposal is due Wed Oct 16 again (was Fri Oct 18)."
    assert back in embed_text(data) and back in announcements(fake)[1]
    assert keys(bot, "project:proposal:") == set(PROPOSAL_KEYS)
    assert [c.kind for c in bot.state.log] == ["deadline_move", "undo"]


async def test_move_with_a_time(bot, fake):
    """`time` sets the hour; the reminders are keyed by the new instant."""
    await run(fake, "deadline move", {"id": "proposal", "to": "10/18", "time": "5pm"})
    assert "Project proposal is now due Fri Oct 18, 5pm (was Wed Oct 16)." in announcements(fake)[0]
    assert "project:proposal:2024-10-18T17:00:0d" in bot.reminders.plan
    await run(fake, "deadline move", {"id": "proposal", "to": "Oct 18 11:59pm"})  # the time may be in `to`
    assert "Project proposal is now due Fri Oct 18, 11:59pm (was Fri Oct 18, 5pm)." in announcements(fake)[1]


async def test_add_then_students_see_it_and_undo_takes_it_back(bot, fake):
    """A quiz added with a due time is announced, planned, listed by /deadlines; undo withdraws all of it."""
    data, _ = await run(fake, "deadline add", {"title": "Reading quiz 1", "due": "9/27 11:59pm", "kind": "quiz"})
    line = "New deadline: Reading quiz 1, due Fri Sep 27, 11:59pm."
    assert line in embed_text(data) and line in announcements(fake)[0]
    assert bot.course.deadline("reading-quiz-1").kind == "quiz"
    assert keys(bot, "deadline:reading-quiz-1:") == {"deadline:reading-quiz-1:2024-09-27T23:59:24h",
                                                      "deadline:reading-quiz-1:2024-09-27T23:59:2h"}
    student, _ = await run(fake, name="deadlines", who={"user": STUDENT, "roles": [STUDENT_ROLE]})
    assert "Reading quiz 1" in embed_text(student)

    data, _ = await run(fake, "undo")
    assert "Removed: Reading quiz 1, which was due Fri Sep 27, 11:59pm." in embed_text(data)
    assert keys(bot, "deadline:reading-quiz-1:") == set() and bot.course.deadline("reading-quiz-1") is None


async def test_add_without_a_kind_or_a_time(bot, fake):
    """Kind defaults to other; a day alone means the end of that day."""
    await run(fake, "deadline add", {"title": "Peer feedback", "due": "Oct 25"})
    added = bot.course.deadline("peer-feedback")
    assert added.kind == "other" and added.time is None and added.due == dt.date(2024, 10, 25)
    assert "New deadline: Peer feedback, due Fri Oct 25." in announcements(fake)[0]


async def test_remove_withdraws_the_reminders_and_undo_restores_them(bot, fake):
    before = keys(bot, "project:final:")
    assert before
    data, _ = await run(fake, "deadline remove", {"id": "final"})
    assert "Removed: Final paper, which was due Mon Dec 9." in embed_text(data)
    assert keys(bot, "project:final:") == set() and bot.course.project.deadlines[-1].id == "proposal"
    data, _ = await run(fake, "undo")
    assert "Final paper is back: due Mon Dec 9." in announcements(fake)[1]
    assert keys(bot, "project:final:") == before


REFUSALS = [
    ("deadline move", {"id": "hw3", "to": "10/18"}, "There is no deadline “hw3”. The deadlines are: proposal, final."),
    ("deadline move", {"id": "proposal", "to": "12/20"},
     "Fri Dec 20, 2024 is outside the term (Mon Aug 26 to Mon Dec 9)"),
    ("deadline move", {"id": "proposal", "to": "10/18", "time": "25:00"},
     "I couldn't read “25:00” as a time. Try 23:59, 11:59pm or 5pm."),
    ("deadline move", {"id": "proposal", "to": "today", "time": "8am"},
     "Tue Sep 17, 8am has already passed (it is Tue Sep 17, 9am now); pick a later time."),
    ("deadline move", {"id": "proposal", "to": "10/16"}, "Project proposal is already due Wed Oct 16."),
    ("deadline move", {"id": "proposal", "to": "10/18 5pm", "time": "6pm"}, "give the time once"),
    ("deadline move", {"id": "proposal", "to": "13/45"}, "I couldn't read “13/45” as a date"),
    ("deadline add", {"title": "Late quiz", "due": "9/16 5pm"}, "Mon Sep 16, 5pm has already passed"),
    ("deadline add", {"title": "project PROPOSAL", "due": "10/20"}, "“Project proposal” is already a deadline"),
    ("deadline add", {"title": "Essay", "due": "1/15/2025"}, "Wed Jan 15, 2025 is outside the term"),
    ("deadline remove", {"id": "hw3"}, "There is no deadline “hw3”."),
]


@pytest.mark.parametrize(("subcommand", "options", "message"), REFUSALS, ids=[m[:30] for *_, m in REFUSALS])
async def test_refused_deadline_changes_change_nothing(bot, fake, subcommand, options, message):
    """An ephemeral sentence; nothing stored, announced or re-planned, the course the same object."""
    plan_before, course_before = dict(bot.reminders.plan), bot.course
    data, _ = await run(fake, subcommand, options)
    assert data["flags"] & EPHEMERAL and message in data["content"]
    assert bot.state.log == [] and await bot.store.changes() == [] and bot.course is course_before
    assert bot.reminders.plan == plan_before and fake.messages(ANNOUNCEMENTS) == []


async def test_the_nothing_changed_checks_would_notice(bot, fake):
    """Control: an accepted change trips every check the refusals pass."""
    plan_before, course_before = dict(bot.reminders.plan), bot.course
    await run(fake, "deadline move", {"id": "proposal", "to": "10/18"})
    assert bot.state.log != [] and await bot.store.changes() != [] and bot.course is not course_before
    assert bot.reminders.plan != plan_before and fake.messages(ANNOUNCEMENTS) != []


async def autocomplete(fake, subcommand, who, typed=""):
    interaction = await fake.send_interaction(name="course", subcommand=subcommand, options={"id": typed},
                                              focused="id", type=4, **who)
    return (await fake.wait_for_callback(interaction)).json["data"]["choices"]


@pytest.mark.parametrize("subcommand", ["deadline move", "deadline remove"])
async def test_ids_are_autocompleted_for_the_instructor_only(bot, fake, subcommand):
    """The instructor sees each deadline's id, title and due time; a student sees nothing."""
    choices = await autocomplete(fake, subcommand, TEACHER)
    assert choices == [{"name": "proposal · Project proposal · Wed Oct 16", "value": "proposal"},
                       {"name": "final · Final paper · Mon Dec 9", "value": "final"}]
    assert [c["value"] for c in await autocomplete(fake, subcommand, TEACHER, "PAPER")] == ["final"]
    assert await autocomplete(fake, subcommand, {"user": STUDENT, "roles": [STUDENT_ROLE]}) == []


async def test_the_change_log_names_deadline_changes(bot, fake):
    """/course changes says what each entry did, and which were undone."""
    await run(fake, "deadline move", {"id": "proposal", "to": "10/18", "time": "5pm"})
    await run(fake, "deadline add", {"title": "Peer feedback", "due": "Oct 25 noon", "kind": "other"})
    await run(fake, "deadline remove", {"id": "final"})
    await run(fake, "undo")
    text = embed_text((await run(fake, "changes"))[0])
    assert "#4 · Tue Sep 17 · " in text and ": undo of #3 (remove deadline final)" in text
    assert ": remove deadline final — undone" in text
    assert ": add deadline peer-feedback “Peer feedback” (other), due Fri Oct 25, 12pm" in text
    assert ": move deadline proposal to Fri Oct 18, 5pm" in text


async def test_deadline_changes_survive_a_restart(fake, live_settings, frozen):
    async with running_bot(fake, live_settings, system_clock) as bot:
        await run(fake, "deadline move", {"id": "final", "to": "12/6"})
    async with running_bot(fake, live_settings, system_clock) as bot:
        assert bot.course.deadline("final").due == dt.date(2024, 12, 6)
        assert "project:final:2024-12-06:1d" in bot.reminders.plan


# --- a course of another shape: homework due Fridays 11:59pm, Los Angeles ---------------------------------------


@pytest.fixture
async def ds_bot(fake, tmp_path) -> AsyncIterator[CourseBot]:
    """Distributed Systems on Mon Feb 10 2025, 9:00 in Los Angeles (frozen wall clock), reminders on."""
    with time_machine.travel(dt.datetime(2025, 2, 10, 9, 0, tzinfo=LA), tick=False):
        async with running_bot(fake, settings_for(fake, tmp_path, schedule=str(DISTRIBUTED)), system_clock) as bot:
            yield bot


async def test_homework_extended_to_sunday(ds_bot, fake):
    """'Homework 3 is extended to Sunday': same time, two days later, its 24 h and 2 h reminders move too."""
    assert "deadline:hw3:2025-02-14T23:59:24h" in ds_bot.reminders.plan
    data, _ = await run(fake, "deadline move", {"id": "hw3", "to": "Sunday"})
    line = "Homework 3 (primary-backup) is now due Sun Feb 16, 11:59pm (was Fri Feb 14, 11:59pm)."
    assert line in embed_text(data) and line in announcements(fake)[0]
    assert keys(ds_bot, "deadline:hw3:") == {"deadline:hw3:2025-02-16T23:59:24h", "deadline:hw3:2025-02-16T23:59:2h"}
    assert ds_bot.reminders.scheduler.next_run("deadline:hw3:2025-02-16T23:59:2h") == dt.datetime(
        2025, 2, 16, 21, 59, tzinfo=LA)
    choices = await autocomplete(fake, "deadline move", TEACHER, "hw3")
    assert choices == [{"name": "hw3 · Homework 3 (primary-backup) · Sun Feb 16, 11:59pm", "value": "hw3"}]
    await run(fake, "undo")
    assert "Homework 3 (primary-backup) is due Fri Feb 14, 11:59pm again (was Sun Feb 16, 11:59pm)." in (
        announcements(fake)[1])
    assert "deadline:hw3:2025-02-14T23:59:24h" in ds_bot.reminders.plan


async def test_a_class_moved_into_spring_break_says_so(ds_bot, fake):
    """Allowed (a make-up class may fall there), and the announcement names the break."""
    await run(fake, "move", {"date": "3/18", "to": "3/25"})
    assert "Class 17 (Chain replication) moved from Tue Mar 18 to Tue Mar 25, during Spring break." in (
        announcements(fake)[0])
    assert ds_bot.course.session_on(dt.date(2025, 3, 25)).number == 17
