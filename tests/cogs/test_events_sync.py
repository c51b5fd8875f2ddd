"""Discord scheduled events through the fake Discord: made ahead, edited on a move, cancelled with the class,
never duplicated (a lost answer, a restart), an admin's hand delete and edit respected, missing permission and
the 100-event cap handled."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine

from bot.clock import system_clock
from bot.core.ics import course_slug
from tests.fake_discord import permissions
from tests.fake_discord.models import DEFAULT_BOT_PERMISSIONS
from tests.harness import INSTRUCTOR, INSTRUCTOR_ROLE, final_answer, make_fake, running_bot, settings_for

pytestmark = pytest.mark.asyncio

DS = Path(__file__).resolve().parents[1] / "data" / "courses" / "distributed_systems.yaml"
LA = __import__("zoneinfo").ZoneInfo("America/Los_Angeles")
MONDAY = dt.datetime(2025, 2, 10, 9, 0, tzinfo=LA)  # classes Tue/Thu 14:00; Okafor Mon 15:00, Raman Wed 19:30
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
CREATE = r"/guilds/\d+/scheduled-events$"
EVENTS_ALLOWED = DEFAULT_BOT_PERMISSIONS | permissions.CREATE_EVENTS


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def fake():
    async with make_fake(bot_permissions=EVENTS_ALLOWED) as server:
        yield server


@pytest.fixture
def settings(fake, tmp_path):
    return settings_for(fake, tmp_path, schedule=str(DS), reminder_channel_id=None)


async def synced(bot):
    """The sync the bot started (at ready, after a change), or a new one: its report once done."""
    report = await bot.events.sync(bot.course)
    return report


def live(fake):
    return [e for e in fake.scheduled_events() if e["status"] in (1, 2)]


def by_name(fake, fragment):
    found = [e for e in fake.scheduled_events() if fragment in e["name"]]
    assert len(found) == 1, [e["name"] for e in fake.scheduled_events()]
    return found[0]


async def change(fake, subcommand, options):
    answer = await final_answer(fake, await fake.send_interaction(name="course", subcommand=subcommand,
                                                                  options=options, **TEACHER))
    return answer


async def test_the_coming_two_weeks_become_events_once(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        report = await synced(bot)
        events = live(fake)
        names = sorted(e["name"] for e in events)
        assert report.created == len(events) > 0
        assert sum(n.startswith("Class ") for n in names) == 3, names  # Feb 13, 18, 20 (Feb 11 is cancelled)
        # Okafor Mon Feb 10 (Feb 17 skipped), Raman Wed Feb 12 and 19, Lee Fri Feb 14 and 21
        assert sum(n.startswith("Office hours") for n in names) == 5, names
        first = by_name(fake, "Class 8")
        assert first["entity_type"] == 3 and first["entity_metadata"]["location"] == "Gates Center G20"
        start = dt.datetime.fromisoformat(first["scheduled_start_time"])
        end = dt.datetime.fromisoformat(first["scheduled_end_time"])
        assert (start.astimezone(LA), end - start) == (dt.datetime(2025, 2, 13, 14, 0, tzinfo=LA),
                                                        dt.timedelta(minutes=75))
        posts = len(fake.requests)
        again = await synced(bot)
        assert (again.created, again.edited, again.deleted) == (0, 0, 0)
        assert not [r for r in fake.requests[posts:] if r.method in ("POST", "PATCH", "DELETE")]
    async with running_bot(fake, settings, system_clock) as bot:  # a restart makes nothing twice
        await synced(bot)
        assert len(live(fake)) == len(events)


async def test_a_move_edits_a_cancel_cancels_and_an_undo_brings_it_back(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        await synced(bot)
        before = by_name(fake, "Class 8")
        await change(fake, "move", {"date": "2/13", "to": "2/14"})
        await bot.events_task
        moved = by_name(fake, "Class 8")
        assert moved["id"] == before["id"]
        assert dt.datetime.fromisoformat(moved["scheduled_start_time"]).astimezone(LA).date() == dt.date(2025, 2, 14)
        await change(fake, "cancel", {"date": "2/14", "reason": "Snow"})
        await bot.events_task
        assert by_name(fake, "Class 8")["status"] == 4
        await change(fake, "undo", None)
        await bot.events_task
        again = [e for e in fake.scheduled_events() if "Class 8" in e["name"] and e["status"] == 1]
        assert len(again) == 1 and again[0]["id"] != before["id"]


async def test_an_admins_delete_and_edit_are_respected(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        await synced(bot)
        deleted, edited = by_name(fake, "Class 8"), by_name(fake, "Class 9")
        await fake.admin_delete_event(int(deleted["id"]))
        await fake.admin_edit_event(int(edited["id"]), name="Class 9 — bring laptops")
        await change(fake, "move", {"date": "2/18", "to": "2/19"})  # class 9: we would edit it, but a person did
        await bot.events_task
        report = await synced(bot)
        assert not [e for e in fake.scheduled_events() if "Class 8" in e["name"]]
        assert by_name(fake, "bring laptops")["scheduled_start_time"] == edited["scheduled_start_time"]
        term = course_slug(bot.course)
        assert report.left_alone == [f"{term}/class-9"]
        rows = await bot.store.event_rows()
        assert rows[f"{term}/class-8"].state == "deleted_by_admin"


async def test_a_create_whose_answer_is_lost_is_adopted_not_repeated(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        fake.inject("POST", CREATE, status=503, after=True, times=1)
        with pytest.raises(Exception, match="503"):
            await synced(bot)
        made = len(fake.scheduled_events())
        rows = await bot.store.event_rows()
        assert [r.state for r in rows.values()] == ["creating"] and made == 1
        report = await synced(bot)
        assert report.adopted == 1
        occurrences = [(e["name"], e["scheduled_start_time"]) for e in live(fake)]
        assert len(occurrences) == len(set(occurrences)) == 8  # one event per occurrence


async def test_a_create_discord_applied_twice_is_cleaned_up(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        fake.inject("POST", CREATE, status=500, after=True, times=1)  # discord.py retries: two events
        await synced(bot)
        report = await synced(bot)
        occurrences = [(e["name"], e["scheduled_start_time"]) for e in live(fake)]
        assert len(occurrences) == len(set(occurrences)) == 8
        assert report.deleted == 1 or len(fake.scheduled_events()) == 8  # the twin deleted, or never made


async def test_without_create_events_nothing_is_made_and_setup_says_why(fake, settings, frozen):
    await fake.set_bot_permissions(DEFAULT_BOT_PERMISSIONS)
    async with running_bot(fake, settings, system_clock) as bot:
        report = await synced(bot)
        assert "lacks the Create Events permission" in report.problem and fake.scheduled_events() == []
        answer = await final_answer(fake, await fake.send_interaction(name="setup", user=INSTRUCTOR,
                                                                      permissions=1 << 5))
        assert "lacks the Create Events permission" in answer["embeds"][0]["description"]


async def test_the_servers_100_event_limit_stops_creation_politely(fake, settings, frozen):
    for i in range(97):
        start = MONDAY + dt.timedelta(days=30, hours=i)
        await fake.admin_create_event(name=f"Club night {i}", start=start, end=start + dt.timedelta(hours=1),
                                      location="Union")
    async with running_bot(fake, settings, system_clock) as bot:
        report = await synced(bot)
        assert "100 events" in report.problem
        assert len(live(fake)) == 100


async def test_events_follow_the_window_as_time_passes(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        await synced(bot)
        assert not [e for e in fake.scheduled_events() if "Class 11" in e["name"]]  # Feb 25: beyond two weeks
        frozen.move_to(MONDAY + dt.timedelta(days=7))
        await synced(bot)
        assert len([e for e in live(fake) if "Class 11" in e["name"]]) == 1


async def test_the_bot_syncs_by_itself_once_ready(fake, settings, frozen):
    """No command needed: when discord.py says the guilds are loaded, the events are made."""
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    def quick(bot) -> None:
        bot._connection.guild_ready_timeout = 0.05  # discord.py waits 2 s for more guilds before on_ready
        bot.add_listener(on_ready, "on_ready")

    async with running_bot(fake, settings, system_clock, prepare=quick) as bot:
        await asyncio.wait_for(ready.wait(), 5)
        assert bot.events_task is not None
        await bot.events_task
        assert len(live(fake)) == 8 and bot.events.last.created == 8


@pytest.mark.parametrize("cut", [1, 2, 4, 7])
async def test_a_sync_cut_short_anywhere_leaves_no_duplicate_after_a_restart(fake, settings, frozen, cut):
    """The sync is stopped (as by a crash) the moment Discord has received its `cut`-th create; the next start
    makes the rest and nothing twice."""
    async with running_bot(fake, settings, system_clock) as bot:
        since = len(fake.requests)
        task = asyncio.create_task(bot.events.sync(bot.course))
        for _ in range(cut):
            request = await fake.wait_for_request("POST", CREATE, since=since)
            since = fake.requests.index(request) + 1
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        rows = await bot.store.event_rows()
        assert len([r for r in rows.values() if r.state == "live"]) < 8  # cut short indeed
        assert "creating" in {r.state for r in rows.values()}  # the create Discord got was never recorded
    async with running_bot(fake, settings, system_clock) as bot:
        await synced(bot)
        occurrences = [(e["name"], e["scheduled_start_time"]) for e in live(fake)]
        assert len(occurrences) == len(set(occurrences)) == 8
        assert {r.state for r in (await bot.store.event_rows()).values()} == {"live"}


async def test_a_whole_term_of_daily_syncs(fake, settings, frozen):
    """Day by day from the week before classes to the end of exams: every class with a time and the final get an
    event once, never more than 50 of ours are waiting, and none is duplicated."""
    async with running_bot(fake, settings, system_clock) as bot:
        day = dt.datetime(2025, 1, 14, 4, 0, tzinfo=LA)
        while day.date() <= dt.date(2025, 5, 9):
            frozen.move_to(day)
            await fake.run_event_automation()
            await synced(bot)
            waiting = [e for e in fake.scheduled_events() if e["status"] == 1]
            assert len(waiting) <= 50
            day += dt.timedelta(days=1)
        made = [(e["name"], e["scheduled_start_time"]) for e in fake.scheduled_events()]
        assert len(made) == len(set(made))
        classes = {e["name"].split(":")[0] for e in fake.scheduled_events() if e["name"].startswith("Class ")}
        held = {f"Class {s.number}" for s in bot.course.sessions if not s.cancelled and not s.is_exam}
        assert held <= classes
        assert any(e["name"] == "Final exam" for e in fake.scheduled_events())


def copy_of_course(tmp_path, text=None):
    path = tmp_path / "schedule.yaml"
    path.write_text(text if text is not None else DS.read_text(encoding="utf-8"), encoding="utf-8")
    return path


async def test_an_office_hour_added_above_the_others_keeps_their_events(fake, tmp_path, frozen):
    path = copy_of_course(tmp_path)
    settings = settings_for(fake, tmp_path, schedule=str(path), reminder_channel_id=None)
    async with running_bot(fake, settings, system_clock) as bot:
        await synced(bot)
        before = {e["id"] for e in live(fake)}
        text = path.read_text(encoding="utf-8").replace("office_hours:\n", "office_hours:\n  - who: New TA\n"
                                                        "    day: Tue\n    start: \"08:00\"\n    end: \"09:00\"\n", 1)
        path.write_text(text, encoding="utf-8")
        await change(fake, "reload", None)
        await bot.events_task
        report = await synced(bot)
        assert before <= {e["id"] for e in live(fake)}  # none of the earlier events was deleted
        assert report.deleted == 0 and len([e for e in live(fake) if "New TA" in e["name"]]) == 2
        assert "deleted_by_admin" not in {r.state for r in (await bot.store.event_rows()).values()}


async def test_next_term_on_the_same_database_gets_its_own_events(fake, tmp_path, frozen):
    path = copy_of_course(tmp_path)
    settings = settings_for(fake, tmp_path, schedule=str(path), reminder_channel_id=None)
    async with running_bot(fake, settings, system_clock) as bot:
        await synced(bot)
    text = DS.read_text(encoding="utf-8").replace("Spring 2025", "Spring 2026")
    text = re.sub(r"2025-(\d\d)-(\d\d)", lambda m: (dt.date(2025, int(m[1]), int(m[2])) + dt.timedelta(days=364))
                  .isoformat(), text)
    copy_of_course(tmp_path, text)
    frozen.move_to(MONDAY + dt.timedelta(days=364))
    await fake.run_event_automation()
    async with running_bot(fake, settings, system_clock) as bot:
        report = await synced(bot)
        assert report.created == 8
        assert {"Class 8", "Class 9", "Class 10"} <= {e["name"].split(":")[0] for e in live(fake)}


async def test_a_lost_create_then_a_move_leaves_one_event_at_the_new_time(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        since = len(fake.requests)
        task = asyncio.create_task(bot.events.sync(bot.course))
        for _ in range(2):  # Okafor Mon 15:00, Raman Wed 19:30; the third create is class 8's
            request = await fake.wait_for_request("POST", CREATE, since=since)
            since = fake.requests.index(request) + 1
        fake.inject("POST", CREATE, status=503, after=True, times=1)
        with pytest.raises(Exception, match="503"):
            await task
        await change(fake, "move", {"date": "2/13", "to": "2/14"})
        await bot.events_task
        eights = [e for e in live(fake) if e["name"].startswith("Class 8")]
        assert len(eights) == 1
        start = dt.datetime.fromisoformat(eights[0]["scheduled_start_time"]).astimezone(LA)
        assert start.date() == dt.date(2025, 2, 14)
