"""/critique log|status|remove end to end: private, the course's rules, persistence, and instructor changes."""

from __future__ import annotations

import pytest

from tests.cogs.test_students import EPHEMERAL, embed_text
from tests.harness import INSTRUCTOR, INSTRUCTOR_ROLE, STUDENT, final_answer, running_bot, settings_for

pytestmark = pytest.mark.asyncio

OTHER = STUDENT + 3


async def critique(fake, sub, options=None, user=STUDENT):
    interaction = await fake.send_interaction(name="critique", subcommand=sub, options=options, user=user)
    data = await final_answer(fake, interaction)
    assert data["flags"] & EPHEMERAL, "tracker answers are private"
    return data.get("content") or embed_text(data)


@pytest.mark.parametrize(("date", "message"), [
    ("8/28", "Class 2 on Wed Aug 28 has no assigned papers, so no critique is due for it."),
    ("10/9", "Class 13 on Wed Oct 9 is cancelled, so there is no critique to hand in for it."),
    ("9/2", "There is no class on Mon Sep 2, so there is no critique to log."),
    ("13/45", "I couldn't read “13/45” as a date."),
])
async def test_log_refuses_classes_without_a_critique(bot, fake, date, message):
    """Only classes with assigned papers can be logged; the reason is given."""
    assert message in await critique(fake, "log", {"date": date})
    assert await bot.store.critiques(STUDENT) == []


async def test_log_status_remove_and_one_per_class(bot, fake):
    """Logging counts toward ten, a second log for the same class is refused, remove takes it off."""
    assert "You have logged 1 of 10 critiques" in await critique(fake, "log", {"date": "9/18"})
    assert "at most 1 per class" in await critique(fake, "log", {"date": "#7"})
    assert "You have logged 2 of 10 critiques" in await critique(fake, "log", {"date": "9/16"})
    status = await critique(fake, "status")
    assert "You have logged 2 of 10 critiques." in status
    assert "Class 6 · Mon Sep 16" in status and "Class 7 · Wed Sep 18" in status
    assert "You have logged 1 of 10 critiques" in await critique(fake, "remove", {"date": "9/16"})
    assert "You have no critique logged for Mon Sep 16" in await critique(fake, "remove", {"date": "9/16"})


async def test_trackers_are_per_student(bot, fake):
    """One student's critiques are not another's."""
    await critique(fake, "log", {"date": "9/18"})
    assert "You have logged 0 of 10 critiques." in await critique(fake, "status", user=OTHER)


async def test_deadlines_mention_the_students_count(bot, fake):
    """/deadlines tells each student their own count."""
    await critique(fake, "log", {"date": "9/18"})
    interaction = await fake.send_interaction(name="deadlines", user=STUDENT)
    data = (await fake.wait_for_callback(interaction)).json["data"]
    assert "You have logged 1 of 10 critiques" in embed_text(data)
    assert data["flags"] & EPHEMERAL


async def test_tracker_survives_restart_and_keeps_cancelled_records(fake, tmp_path, clock):
    """After a restart the log is there; a class cancelled afterwards stays listed, not counted."""
    settings = settings_for(fake, tmp_path, reminder_channel_id=None)
    async with running_bot(fake, settings, clock):
        await critique(fake, "log", {"date": "9/18"})
        await critique(fake, "log", {"date": "9/23"})
    async with running_bot(fake, settings, clock):
        teacher = await fake.send_interaction(name="course", subcommand="cancel", options={"date": "9/23"},
                                              user=INSTRUCTOR, roles=[INSTRUCTOR_ROLE])
        await final_answer(fake, teacher)
        status = await critique(fake, "status")
    assert "You have logged 1 of 10 critiques." in status
    assert "Kept but not counted:" in status and "Class 8 · Mon Sep 23: that class was cancelled" in status


async def test_status_warns_when_ten_is_out_of_reach(bot, fake, clock):
    """Late in the term with few critiques, status says ten can no longer be reached."""
    clock.set(2024, 11, 25, 9, 0)
    status = await critique(fake, "status")
    assert "you can no longer reach 10" in status
