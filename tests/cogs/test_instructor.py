"""The instructor's commands end to end through the fake Discord: permissions, changes, announcements,
persistence, undo, reload, the reminder plan before and after, and mention safety."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bot.clock import system_clock
from tests.cogs.test_students import EPHEMERAL, embed_text
from tests.harness import (
    ANNOUNCEMENTS,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    REMINDERS,
    STUDENT,
    STUDENT_ROLE,
    at,
    final_answer,
    running_bot,
    settings_for,
)

pytestmark = pytest.mark.asyncio

MANAGE_GUILD = 1 << 5
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
FIRST_COURSE = Path(__file__).resolve().parents[1] / "data" / "courses" / "ml_at_scale.yaml"  # frozen copy


@pytest.fixture
def live_settings(fake, tmp_path):
    """Every channel set, reminders included, on the frozen copy of the first course."""
    return settings_for(fake, tmp_path, schedule=str(FIRST_COURSE))


@pytest.fixture
def settings(live_settings):
    return live_settings


@pytest.fixture
def bot(live_bot):
    return live_bot


async def run(fake, subcommand=None, options=None, *, name="course", who=None, **kwargs):
    """Invoke a command; return (the message it answered with, the interaction).

    Commands that post elsewhere first defer (type 5); their answer is then the follow-up.
    """
    who = who or TEACHER
    interaction = await fake.send_interaction(name=name, subcommand=subcommand or (), options=options, **who,
                                              **kwargs)
    return await final_answer(fake, interaction), interaction


def announcements(fake):
    return [embed_text(m) for m in fake.messages(ANNOUNCEMENTS)]


async def test_course_commands_are_hidden_from_students(bot, fake):
    """/course and /announce carry Manage Server as default member permissions and are guild-only."""
    synced = {c["name"]: c for c in fake.commands(fake.guild_id)}
    for name in ("course", "announce", "setup"):
        assert synced[name]["default_member_permissions"] == str(MANAGE_GUILD)
    subcommands = {o["name"]: o for o in synced["course"]["options"]}
    assert set(subcommands) == {"cancel", "move", "add-reading", "remove-reading", "officehours", "deadline",
                                "changes", "undo", "reload", "upload", "download", "calendar-reset"}
    deadline = {o["name"]: [(x["name"], x.get("required", False)) for x in o["options"]]
                for o in subcommands["deadline"]["options"]}
    assert deadline == {"move": [("id", True), ("to", True), ("time", False)],
                        "add": [("title", True), ("due", True), ("kind", False)], "remove": [("id", True)]}


@pytest.mark.parametrize("who", [
    {"user": STUDENT, "roles": [STUDENT_ROLE]},
    {"user": STUDENT, "roles": []},
], ids=["student", "no roles"])
@pytest.mark.parametrize(("subcommand", "options"), [
    ("cancel", {"date": "9/18"}), ("move", {"date": "9/18", "to": "9/19"}),
    ("add-reading", {"date": "9/18", "title": "X"}), ("remove-reading", {"date": "9/18", "title": "SimCLR slides"}),
    ("officehours", {"text": "none"}), ("changes", None), ("undo", None), ("reload", None),
    ("deadline move", {"id": "proposal", "to": "10/18"}), ("deadline add", {"title": "X", "due": "10/20"}),
    ("deadline remove", {"id": "final"}),
])
async def test_non_instructors_are_refused(bot, fake, who, subcommand, options):
    """Anyone else gets an ephemeral refusal and nothing changes."""
    data, _ = await run(fake, subcommand, options, who=who)
    assert data["flags"] & EPHEMERAL
    assert "Only the instructor" in data["content"] or "server" in data["content"]
    assert bot.state.log == []
    assert fake.messages(ANNOUNCEMENTS) == []


async def test_announce_refused_for_students(bot, fake):
    """/announce from a student posts nothing."""
    data, _ = await run(fake, options={"message": "hi"}, name="announce", who={"user": STUDENT, "roles": []})
    assert data["flags"] & EPHEMERAL and "Only the instructor" in data["content"]
    assert fake.messages(ANNOUNCEMENTS) == []


async def test_cancel_announces_and_withdraws_reminders(bot, fake):
    """Cancelling 10/2 stores it, announces it, drops its reminders and /readings says cancelled."""
    assert "critique:2024-10-02:eve" in bot.reminders.plan
    data, _ = await run(fake, "cancel", {"date": "10/2", "reason": "instructor travelling"})
    assert data["flags"] & EPHEMERAL and "Saved as change #1" in embed_text(data)
    (text,) = announcements(fake)
    assert "Class 11 (LLMs fine-tuning) on Wed Oct 2 is cancelled. Reason: instructor travelling" in text
    assert not any(k.startswith("critique:2024-10-02") for k in bot.reminders.plan)
    assert not any(k.startswith("critique:2024-10-02") for k in bot.reminders.scheduler.keys())
    student, _ = await run(fake, options={"date": "10/2"}, name="readings", who={"user": STUDENT})
    assert "cancelled" in embed_text(student) and "instructor travelling" in embed_text(student)


async def test_move_by_a_manage_server_member_then_undo(bot, fake):
    """A Manage Server member moves class 7; the announcement and the plan follow; undo moves it back."""
    manager = {"user": INSTRUCTOR + 1, "roles": [], "permissions": MANAGE_GUILD}
    await run(fake, "move", {"date": "9/18", "to": "9/19"}, who=manager)
    assert ("Class 7 (Self-supervised learning - Vision) moved from Wed Sep 18 to Thu Sep 19."
            in announcements(fake)[0])
    assert "critique:2024-09-19:eve" in bot.reminders.plan and "critique:2024-09-18:eve" not in bot.reminders.plan
    assert bot.reminders.scheduler.next_run("critique:2024-09-19:eve") == at(2024, 9, 18, 18, 0)
    data, _ = await run(fake, "undo", who=manager)
    assert "moved back from Thu Sep 19 to Wed Sep 18" in embed_text(data)
    assert "moved back from Thu Sep 19 to Wed Sep 18" in announcements(fake)[1]
    assert "critique:2024-09-18:eve" in bot.reminders.plan and "critique:2024-09-19:eve" not in bot.reminders.plan
    assert [c.kind for c in bot.state.log] == ["move", "undo"]


@pytest.mark.parametrize(("subcommand", "options", "message"), [
    ("move", {"date": "9/18", "to": "9/23"}, "Mon Sep 23 already has Class 8 (Vision-Language Models)"),
    ("move", {"date": "9/18", "to": "1/15/2025"}, "outside the term"),
    ("move", {"date": "13/45", "to": "9/19"}, "I couldn't read “13/45” as a date"),
    ("cancel", {"date": "9/2"}, "There is no class on Mon Sep 2."),
    ("add-reading", {"date": "9/2", "title": "A paper"}, "There is no class on Mon Sep 2."),
    ("remove-reading", {"date": "9/18", "title": "Not a paper"}, "has no reading “Not a paper”"),
    ("add-reading", {"date": "9/18", "title": "T", "url": "javascript:alert(1)"}, "is not a web link"),
    ("undo", None, "There is no change to undo"),
])
async def test_invalid_changes_are_refused_and_nothing_changes(bot, fake, subcommand, options, message):
    """Each invalid change gets an ephemeral explanation; nothing is stored, announced or re-planned."""
    plan_before = set(bot.reminders.plan)
    course_before = bot.course
    data, _ = await run(fake, subcommand, options)
    assert data["flags"] & EPHEMERAL and message in data["content"]
    assert bot.state.log == [] and bot.course is course_before
    assert set(bot.reminders.plan) == plan_before
    assert fake.messages(ANNOUNCEMENTS) == []


async def test_changes_survive_a_restart(fake, settings, frozen):
    """A stored change is applied again after the bot restarts."""
    async with running_bot(fake, settings, system_clock) as bot:
        await run(fake, "add-reading", {"date": "9/18", "title": "DINOv3", "authors": "Siméoni et al."})
        assert bot.course.session_on(at(2024, 9, 18).date()).papers[-1].title == "DINOv3"
    async with running_bot(fake, settings, system_clock) as bot:
        assert bot.course.session_on(at(2024, 9, 18).date()).papers[-1].title == "DINOv3"
        assert "DINOv3 (Siméoni et al.)" in bot.reminders.plan["critique:2024-09-18:eve"].text
        student, _ = await run(fake, options={"date": "9/18"}, name="readings", who={"user": STUDENT})
        assert "DINOv3" in embed_text(student)


async def test_sent_reminder_is_not_sent_again_after_a_change(fake, settings, frozen):
    """After the 9/18 evening reminder was posted, adding a reading re-plans without posting it again."""
    frozen.move_to(at(2024, 9, 17, 18, 0))
    async with running_bot(fake, settings, system_clock) as bot:
        await bot.reminders.deliver("critique:2024-09-18:eve")
        assert len(fake.messages(REMINDERS)) == 1
        await run(fake, "add-reading", {"date": "9/18", "title": "DINOv3"})
        assert "critique:2024-09-18:eve" not in bot.reminders.scheduler.keys()
        assert "DINOv3" in bot.reminders.plan["critique:2024-09-18:morning"].text
        assert (await bot.reminders.deliver("critique:2024-09-18:eve")).state == "done"
    assert len(fake.messages(REMINDERS)) == 1


async def test_remove_reading_autocompletes_the_class_titles(bot, fake):
    """remove-reading's title autocomplete lists the readings of the class typed in `date`."""
    interaction = await fake.send_interaction(name="course", subcommand="remove-reading",
                                              options={"date": "9/18", "title": "vis"}, focused="title", type=4,
                                              **TEACHER)
    choices = (await fake.wait_for_callback(interaction)).json["data"]["choices"]
    assert [c["name"] for c in choices] == ["A Simple Framework for Contrastive Learning of Visual Representations",
                                            "Emerging Properties in Self-Supervised Vision Transformers",
                                            "Vision Transformers Need Registers"]


async def test_remove_reading_and_officehours(bot, fake):
    """Removing the slides and posting an office-hours note are announced and visible to students."""
    await run(fake, "remove-reading", {"date": "9/18", "title": "simclr slides"})
    await run(fake, "officehours", {"text": "No office hours on Sep 18; Thursday 2-3pm instead."})
    texts = announcements(fake)
    assert "Removed from Class 7 (Self-supervised learning - Vision) on Wed Sep 18: “SimCLR slides”." in texts[0]
    assert "Office hours update: No office hours on Sep 18; Thursday 2-3pm instead." in texts[1]
    student, _ = await run(fake, name="officehours", who={"user": STUDENT})
    assert "Thursday 2-3pm instead" in embed_text(student)
    readings, _ = await run(fake, options={"date": "9/18"}, name="readings", who={"user": STUDENT})
    assert "SimCLR slides" not in embed_text(readings)


async def test_changes_log_is_paginated(bot, fake):
    """/course changes lists newest first, ten a page, with buttons to page through."""
    for i in range(12):
        await run(fake, "officehours", {"text": f"note {i}"})
    data, _ = await run(fake, "changes")
    first = embed_text(data)
    assert "page 1 of 2" in first and "#12" in first and "#3 " in first and "#2 " not in first
    assert data["components"]
    button = data["components"][0]["components"][1]["custom_id"]
    original = [m for m in fake.messages(fake.channel_ids[0]) if m.get("components")][-1]
    click = await fake.send_component_interaction(message_id=int(original["id"]), custom_id=button, **TEACHER)
    page = (await fake.wait_for_callback(click)).json
    assert page["type"] == 7 and "page 2 of 2" in embed_text(page["data"])
    assert "#2 " in embed_text(page["data"]) and "#1 " in embed_text(page["data"])


async def test_reload_good_broken_and_conflicting(fake, tmp_path, frozen):
    """Reload announces the differences; a broken file is refused; a change whose class is gone is reported."""
    schedule = tmp_path / "schedule.yaml"
    original = FIRST_COURSE.read_text()
    schedule.write_text(original)
    settings = settings_for(fake, tmp_path, schedule=str(schedule))
    async with running_bot(fake, settings, system_clock) as bot:
        await run(fake, "add-reading", {"date": "12/4", "title": "Extra paper"})
        schedule.write_text(original.replace("topic: Scaling Laws", "topic: Scaling laws and compute"))
        data, _ = await run(fake, "reload")
        assert "renamed: “Scaling Laws” → “Scaling laws and compute”" in embed_text(data)
        assert "renamed: “Scaling Laws” → “Scaling laws and compute”" in announcements(fake)[-1]
        schedule.write_text(original.replace("timezone: America/New_York", "timezone: Nowhere/Land"))
        data, _ = await run(fake, "reload")
        assert "Reload refused" in embed_text(data) and f"{schedule}:" in embed_text(data)
        assert bot.course.session_number(27).topic == "Scaling laws and compute"
        with contextlib.suppress(ValueError):
            start = original.index("  - number: 28")
            end = original.index("  - number: 29")
            schedule.write_text(original[:start] + original[end:])
        data, _ = await run(fake, "reload")
        text = embed_text(data)
        assert "Removed: Class 28" in text
        assert "Stored change #1 (add_reading) no longer applies" in text
        assert [c.kind for c in bot.state.log] == ["add_reading"]


async def test_announce_never_pings_unless_asked(bot, fake):
    """Mentions typed in the message never ping; ping=everyone or students pings exactly that."""
    hostile = "Class moved! @everyone @here <@&1150000000000000002> <@1140000000000000001> **bold** `code"
    await run(fake, options={"message": hostile}, name="announce")
    posts = [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{ANNOUNCEMENTS}/messages"]
    assert posts[-1].json["allowed_mentions"] == {"parse": []}
    assert "content" not in posts[-1].json or not posts[-1].json["content"]
    assert "— " in posts[-1].json["embeds"][0]["footer"]["text"]
    await run(fake, options={"message": "Exam room changed", "ping": "everyone"}, name="announce")
    assert posts[-1] is not fake.requests[-1]
    everyone = [r for r in fake.requests if r.path == f"/channels/{ANNOUNCEMENTS}/messages"][-1].json
    assert everyone["content"] == "@everyone" and everyone["allowed_mentions"]["parse"] == ["everyone"]
    await run(fake, options={"message": "Readings updated", "ping": "students"}, name="announce")
    role = [r for r in fake.requests if r.path == f"/channels/{ANNOUNCEMENTS}/messages"][-1].json
    assert role["content"] == f"<@&{STUDENT_ROLE}>"
    assert role["allowed_mentions"]["roles"] == [str(STUDENT_ROLE)] or role["allowed_mentions"]["roles"] == [
        STUDENT_ROLE]
    assert role["allowed_mentions"].get("parse", []) == []


async def test_officehours_note_can_be_cleared(bot, fake):
    """`/course officehours text:clear` removes the note and says so."""
    await run(fake, "officehours", {"text": "Zoom only this week"})
    await run(fake, "officehours", {"text": "clear"})
    assert "The office hours note was removed." in announcements(fake)[-1]
    assert bot.course.office_hours_notice is None


async def test_added_reading_links_to_its_url(bot, fake):
    """A reading added with a url is shown as a link by /readings; a url that is not a web link is refused."""
    await run(fake, "add-reading", {"date": "9/18", "title": "DINOv3", "url": "https://arxiv.org/abs/2508.10104"})
    student, _ = await run(fake, options={"date": "9/18"}, name="readings", who={"user": STUDENT})
    assert "[DINOv3](<https://arxiv.org/abs/2508.10104>)" in student["embeds"][0]["fields"][0]["value"]
    data, _ = await run(fake, "add-reading", {"date": "9/18", "title": "X", "url": "https://x.org/a b"})
    assert "is not a web link" in data["content"]
