"""/remind: opt-in DM reminders end to end — delivery at the instant, kinds, closed DMs, unsubscribing."""

from __future__ import annotations

import pytest

from bot.clock import system_clock
from bot.cogs.reminders import DMS_CLOSED_NOTICE
from bot.delivery import dm_key
from tests.cogs.test_students import EPHEMERAL, embed_text
from tests.harness import REMINDERS, STUDENT, at, final_answer, running_bot

pytestmark = pytest.mark.asyncio

EVE = "critique:2024-09-18:eve"
OTHER_STUDENT = STUDENT + 7


async def remind(fake, sub, options=None, user=STUDENT):
    interaction = await fake.send_interaction(name="remind", subcommand=sub, options=options, user=user)
    data = await final_answer(fake, interaction)
    assert data["flags"] & EPHEMERAL
    return data


async def fire_eve(bot, frozen):
    frozen.move_to(at(2024, 9, 17, 18, 0))
    bot.reminders.scheduler.wakeup()
    return await bot.reminders.deliver(EVE)


async def test_subscriber_gets_the_reminder_by_dm_once(fake, live_settings, frozen):
    """After /remind on, the 18:00 reminder reaches the channel and the student's DMs, once, across a restart."""
    async with running_bot(fake, live_settings, system_clock) as bot:
        data = await remind(fake, "on")
        assert "critique deadlines, project deadlines, the weekly digest" in embed_text(data)
        await fire_eve(bot, frozen)
        text = bot.reminders.plan[EVE].text
    async with running_bot(fake, live_settings, system_clock) as bot:
        assert EVE not in bot.reminders.scheduler.keys()
    assert [m["content"] for m in fake.dm_messages(STUDENT)] == [text]
    assert [m["content"] for m in fake.messages(REMINDERS)] == [text]
    dm_posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")
                and r.path != f"/channels/{REMINDERS}/messages"]
    assert len(dm_posts) == 1 and dm_posts[0].json["allowed_mentions"] == {"parse": []}


async def test_kinds_choose_what_comes_by_dm(live_bot, fake, frozen):
    """/remind on kinds:project sends no critique reminder by DM."""
    data = await remind(fake, "on", {"kinds": "project"})
    assert "project deadlines" in embed_text(data) and "critique" not in embed_text(data)
    await fire_eve(live_bot, frozen)
    assert fake.dm_messages(STUDENT) == []
    assert len(fake.messages(REMINDERS)) == 1


async def test_unknown_kind_is_refused(live_bot, fake):
    """A kind that does not exist gets an ephemeral error and no subscription."""
    data = await remind(fake, "on", {"kinds": "homework"})
    assert "I don't know the reminder kind “homework”" in data["content"]
    assert await live_bot.store.subscription(STUDENT) is None


async def test_off_stops_dms(live_bot, fake, frozen):
    """/remind off before 18:00: no DM at 18:00; /remind status says so."""
    await remind(fake, "on")
    await remind(fake, "off")
    await fire_eve(live_bot, frozen)
    assert fake.dm_messages(STUDENT) == []
    assert "You do not get DM reminders" in embed_text(await remind(fake, "status"))


async def test_closed_dms_are_told_once_and_not_retried(live_bot, fake, frozen):
    """A 403 on a DM pauses that student's DMs; they are told once on their next command; no further tries."""
    await remind(fake, "on")
    await remind(fake, "on", user=OTHER_STUDENT)
    fake.close_dms(STUDENT)
    await fire_eve(live_bot, frozen)
    assert len(fake.dm_messages(OTHER_STUDENT)) == 1
    row = await live_bot.store.ledger_entry(dm_key(EVE, STUDENT))
    assert row.state == "skipped" and "closed" in row.detail
    assert (await live_bot.store.subscription(STUDENT)).dm_closed

    first = await fake.send_interaction(name="next", user=STUDENT)
    await fake.wait_for_callback(first)
    notice = await fake.wait_for_request("POST", rf"/webhooks/\d+/{first.token}")
    assert notice.json["content"] == DMS_CLOSED_NOTICE and notice.json["flags"] & EPHEMERAL
    second = await fake.send_interaction(name="next", user=STUDENT)
    await fake.wait_for_callback(second)
    assert not [r for r in fake.requests if r.path.startswith("/webhooks/") and second.token in r.path]

    attempts = len([r for r in fake.requests if r.path == "/users/@me/channels"])
    frozen.move_to(at(2024, 9, 18, 8, 0))
    await live_bot.reminders.deliver("critique:2024-09-18:morning")
    assert len([r for r in fake.requests if r.path == "/users/@me/channels"]) == attempts
    assert len(fake.dm_messages(OTHER_STUDENT)) == 2
    assert "paused" in embed_text(await remind(fake, "status"))


async def test_a_student_whose_dms_were_refused_before_a_restart_is_told_after_it(fake, live_settings, frozen):
    """The notice is taken after the first command once the bot is back; a student who never subscribed gets
    none (only subscribers are asked about: the check costs no query for anyone else)."""
    async with running_bot(fake, live_settings, system_clock) as bot:
        await remind(fake, "on")
        fake.close_dms(STUDENT)
        await fire_eve(bot, frozen)
    async with running_bot(fake, live_settings, system_clock) as bot:
        assert STUDENT in bot.reminders.subscribers and OTHER_STUDENT not in bot.reminders.subscribers
        bystander = await fake.send_interaction(name="next", user=OTHER_STUDENT)
        await fake.wait_for_callback(bystander)
        first = await fake.send_interaction(name="next", user=STUDENT)
        await fake.wait_for_callback(first)
        notice = await fake.wait_for_request("POST", rf"/webhooks/\d+/{first.token}")
    assert notice.json["content"] == DMS_CLOSED_NOTICE
    assert not [r for r in fake.requests if r.path.startswith("/webhooks/") and bystander.token in r.path]


async def test_resubscribing_after_opening_dms_resumes(live_bot, fake, frozen):
    """After opening DMs and /remind on again, the next reminder arrives by DM."""
    await remind(fake, "on")
    fake.close_dms(STUDENT)
    await fire_eve(live_bot, frozen)
    fake.close_dms(STUDENT, closed=False)
    await remind(fake, "on")
    frozen.move_to(at(2024, 9, 18, 8, 0))
    await live_bot.reminders.deliver("critique:2024-09-18:morning")
    assert [m["content"] for m in fake.dm_messages(STUDENT)] == [
        live_bot.reminders.plan["critique:2024-09-18:morning"].text]
