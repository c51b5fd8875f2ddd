"""/course upload and /course download end to end through the fake Discord: preview, Confirm and Cancel for the
uploader only, stored changes kept or reported, announcements once (a failed one after a restart), and hostile
files answered clearly with nothing stored."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.clock import system_clock
from bot.core.loader import load_text
from tests.cogs.test_students import EPHEMERAL, embed_text
from tests.fake_discord import Upload
from tests.harness import ANNOUNCEMENTS, INSTRUCTOR, INSTRUCTOR_ROLE, STUDENT, final_answer, running_bot, settings_for

pytestmark = pytest.mark.asyncio

DATA = Path(__file__).resolve().parents[1] / "data" / "courses"
FIRST = (DATA / "ml_at_scale.yaml").read_text(encoding="utf-8")
OTHER_TERM = (DATA / "distributed_systems.yaml").read_text(encoding="utf-8")
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
CO_TEACHER = {"user": INSTRUCTOR + 1, "roles": [INSTRUCTOR_ROLE]}
ANNOUNCE_POSTS = rf"/channels/{ANNOUNCEMENTS}/messages"


@pytest.fixture
def settings(fake, tmp_path):
    return settings_for(fake, tmp_path, reminder_channel_id=None)


@pytest.fixture
async def bot(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as running:
        yield running


def text_of(message):
    return embed_text(message) if message.get("embeds") else message.get("content", "")


def button(message, label):
    found = [c["custom_id"] for row in message.get("components", []) for c in row.get("components", [])
             if c.get("label") == label]
    assert found, f"no {label} button in {message.get('components')}"
    return found[0]


async def upload(fake, data: bytes, filename="schedule.yaml", who=TEACHER):
    """Send /course upload; return (the ephemeral answer: preview or refusal, the interaction)."""
    record = await fake.send_interaction(name="course", subcommand="upload",
                                         options={"file": Upload(filename, data, "application/x-yaml")}, **who)
    answer = await fake.wait_for_response(record, predicate=lambda m: bool(m.get("embeds") or m.get("content")))
    return answer, record


async def click(fake, preview, label, who=TEACHER):
    """Click a button of the preview; return the preview message as it stands after the bot's answer."""
    record = await fake.send_component_interaction(message_id=int(preview["id"]), custom_id=button(preview, label),
                                                   **who)
    await fake.wait_for_callback(record)
    return await fake.wait_for_response(record, predicate=lambda m: not m.get("components")
                                        and "Preview" not in text_of(m))


def edited(text: str) -> bytes:
    """The first course with class 7's topic renamed."""
    text = text.replace("topic: Self-supervised learning - Vision", "topic: Contrastive learning", 1)
    assert "Contrastive learning" in text
    return text.encode()


async def test_download_gives_the_course_as_it_stands_as_a_valid_file(bot, fake):
    cancel = await fake.send_interaction(name="course", subcommand="cancel", options={"date": "9/18"}, **TEACHER)
    await final_answer(fake, cancel)
    record = await fake.send_interaction(name="course", subcommand="download", **TEACHER)
    answer = await fake.wait_for_response(record, predicate=lambda m: bool(m.get("attachments")))
    assert answer["flags"] & EPHEMERAL and answer["attachments"][0]["filename"] == "schedule.yaml"
    data = fake.world.files[int(answer["attachments"][0]["id"])].data
    assert load_text(data.decode(), "schedule.yaml").course == bot.course  # the cancellation included
    # Sent back unchanged, it changes nothing, and the cancellation is not applied twice.
    preview, _ = await upload(fake, data)
    assert "Nothing changes for students." in text_of(preview)
    assert "Change #1 (cancel Wed Sep 18) is not kept: it no longer applies" in text_of(preview)
    assert "already cancelled." in text_of(preview)


async def test_preview_then_confirm_stores_announces_once_and_survives_a_restart(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        preview, _ = await upload(fake, edited(FIRST))
        text = text_of(preview)
        assert preview["flags"] & EPHEMERAL and "Preview of schedule.yaml" in text
        assert "Contrastive learning" in text and "Self-supervised learning - Vision" in text
        assert "schedule.yaml is no longer read" in text
        assert await bot.store.latest_upload() is None and fake.messages(ANNOUNCEMENTS) == []
        done = await click(fake, preview, "Confirm")
        assert "Upload stored" in text_of(done) and f"Announced in <#{ANNOUNCEMENTS}>" in text_of(done)
        assert bot.course.session_number(7).topic == "Contrastive learning"
        assert len(fake.messages(ANNOUNCEMENTS)) == 1
        assert "Contrastive learning" in embed_text(fake.messages(ANNOUNCEMENTS)[0])
        stored = await bot.store.latest_upload()
        assert stored.announced and stored.author_id == INSTRUCTOR
    async with running_bot(fake, settings, system_clock) as bot:
        assert bot.course.session_number(7).topic == "Contrastive learning"  # schedule.yaml is not read any more
        assert len(fake.messages(ANNOUNCEMENTS)) == 1
        undo = await fake.send_interaction(name="course", subcommand="undo", **TEACHER)
        assert "the course is as the uploaded schedule.yaml describes it" in text_of(await final_answer(fake, undo))
        reload = await fake.send_interaction(name="course", subcommand="reload", **TEACHER)
        assert "so schedule.yaml is no longer read" in text_of(await final_answer(fake, reload))


async def test_cancel_and_other_peoples_clicks_change_nothing(bot, fake):
    preview, _ = await upload(fake, edited(FIRST))
    record = await fake.send_component_interaction(message_id=int(preview["id"]),
                                                   custom_id=button(preview, "Confirm"), user=STUDENT)
    callback = await fake.wait_for_callback(record)
    assert "Only the instructor who uploaded this file" in callback.json["data"]["content"]
    done = await click(fake, preview, "Cancel")
    assert "Upload cancelled" in text_of(done) and "Nothing was changed." in text_of(done)
    assert await bot.store.latest_upload() is None and fake.messages(ANNOUNCEMENTS) == []
    assert bot.course.session_number(7).topic != "Contrastive learning"


async def test_only_the_newest_preview_can_be_confirmed(bot, fake):
    first, _ = await upload(fake, edited(FIRST))
    second, _ = await upload(fake, edited(FIRST).replace(b"Contrastive learning", b"Masked autoencoders"),
                             who=CO_TEACHER)
    done = await click(fake, first, "Confirm")
    assert "A newer upload is waiting to be confirmed" in text_of(done)
    assert await bot.store.latest_upload() is None
    done = await click(fake, second, "Confirm", who=CO_TEACHER)
    assert "Upload stored" in text_of(done) and bot.course.session_number(7).topic == "Masked autoencoders"


async def test_a_change_after_the_preview_makes_it_stale(bot, fake):
    preview, _ = await upload(fake, edited(FIRST))
    await final_answer(fake, await fake.send_interaction(name="course", subcommand="cancel",
                                                         options={"date": "9/23"}, **TEACHER))
    done = await click(fake, preview, "Confirm")
    assert "The course changed since this preview" in text_of(done)
    assert await bot.store.latest_upload() is None and bot.course.session_on(dt.date(2024, 9, 23)).cancelled


async def test_earlier_changes_are_kept_where_they_apply_and_reported_where_not(bot, fake):
    for options in ({"date": "9/23"}, {"date": "9/18"}):
        await final_answer(fake, await fake.send_interaction(name="course", subcommand="cancel", options=options,
                                                             **TEACHER))
    # The new file has no class on 9/18 at all: that cancellation cannot apply; the 9/23 one still does.
    text = re.sub(r"  - number: 7\n    date: 2024-09-18\n(?:    .*\n|      .*\n)*", "", FIRST, count=1)
    assert "2024-09-18" not in text.split("sessions:")[1]
    preview, _ = await upload(fake, text.encode())
    assert "Change #2 (cancel Wed Sep 18) is not kept: it no longer applies" in text_of(preview)
    done = await click(fake, preview, "Confirm")
    assert "Change #2" in text_of(done)
    assert bot.course.session_on(dt.date(2024, 9, 23)).cancelled
    assert [c.id for c in bot.state.log] == [1]


async def test_a_file_for_another_term_is_warned_about(bot, fake):
    preview, _ = await upload(fake, OTHER_TERM.encode())
    assert "This file is for Spring 2025" in text_of(preview) and "confirming replaces it" in text_of(preview)


BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n".encode()
    for i in range(8))


@pytest.mark.parametrize(("data", "said"), [
    (b"course: {title: [unclosed\n", "has problems"),
    (FIRST.replace("timezone: America/New_York", "timezone: Mars/Olympus").encode(), "schedule.yaml:31: "),
    (BOMB, "uses a YAML anchor or alias"),
    (b"course:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 60)), "is nested more than"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
    ("title: Café".encode("latin-1"), "is not UTF-8 text"),
    (b"   \n", "is empty"),
    (FIRST.split("sessions:")[0].encode() + b"sessions:\n" + b"".join(
        f"  - number: {n}\n    date: 2024-09-18\n".encode() for n in range(1, 10_001)), "at most 500"),
], ids=["not yaml", "errors with lines", "alias bomb", "deep nesting", "binary", "latin-1", "empty",
        "10,000 sessions"])
async def test_hostile_files_get_a_clear_answer_and_nothing_is_stored(bot, fake, data, said):
    before = bot.course
    answer, _ = await upload(fake, data)
    text = text_of(answer)
    assert said in text and ("Nothing was changed" in text or "nothing was changed" in text)
    assert not answer.get("components")
    assert await bot.store.latest_upload() is None and bot.course is before


async def test_a_file_over_a_megabyte_is_refused_before_it_is_downloaded(bot, fake):
    before = len(fake.requests)
    answer, _ = await upload(fake, b"# padding\n" * 1_000_000)
    assert "is 10.00 MB; a course file is at most 1.00 MB" in text_of(answer)
    assert not [r for r in fake.requests[before:] if "/attachments/" in r.path]
    assert await bot.store.latest_upload() is None


async def test_an_announcement_lost_to_a_crash_is_posted_once_at_the_next_start(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock) as bot:
        preview, _ = await upload(fake, edited(FIRST))
        fake.inject("POST", ANNOUNCE_POSTS, status=403, times=1)
        done = await click(fake, preview, "Confirm")
        assert "could not be posted" in text_of(done)
        assert not (await bot.store.latest_upload()).announced and fake.messages(ANNOUNCEMENTS) == []
    for _ in range(2):
        async with running_bot(fake, settings, system_clock) as bot:
            assert bot.course.session_number(7).topic == "Contrastive learning"
            assert (await bot.store.latest_upload()).announced
        assert len(fake.messages(ANNOUNCEMENTS)) == 1


async def test_a_course_for_another_term_is_announced_as_one_new_course(bot, fake):
    preview, _ = await upload(fake, OTHER_TERM.encode())
    assert "New course: CS 452 Distributed Systems, Spring 2025: 28 classes from Tue Jan 21" in text_of(preview)
    assert "moved from" not in text_of(preview)
    await click(fake, preview, "Confirm")
    posted = fake.messages(ANNOUNCEMENTS)
    assert len(posted) == 1 and "New course: CS 452 Distributed Systems" in embed_text(posted[0])


async def test_utf16_from_notepad_is_read_and_a_latin1_file_is_told_its_line(bot, fake):
    preview, _ = await upload(fake, edited(FIRST).decode().encode("utf-16"))
    assert "Preview of schedule.yaml" in text_of(preview) and "Contrastive learning" in text_of(preview)
    latin = FIRST.replace("title: Machine Learning at Scale", "title: Machine Learning à Scale", 1)
    line = latin.split("\n").index(next(x for x in latin.split("\n") if "à Scale" in x)) + 1
    answer, _ = await upload(fake, latin.encode("cp1252"))
    assert f"is not UTF-8 text: line {line} (“  title: Machine Learning" in text_of(answer)


async def test_an_unclosed_quote_is_reported_where_it_opens(bot, fake):
    lines = FIRST.split("\n")
    at = max(i for i, x in enumerate(lines) if x.strip().startswith("topic:"))  # no quote after it
    lines[at] = lines[at].split("topic:")[0] + 'topic: "oops'
    answer, _ = await upload(fake, "\n".join(lines).encode())
    assert f"schedule.yaml:{at + 1}: A quoted value starts here and is never closed" in text_of(answer)


async def test_a_preview_clicked_after_a_restart_says_it_is_closed(fake, settings, frozen):
    async with running_bot(fake, settings, system_clock):
        preview, _ = await upload(fake, edited(FIRST))
    async with running_bot(fake, settings, system_clock) as bot:
        record = await fake.send_component_interaction(message_id=int(preview["id"]),
                                                       custom_id=button(preview, "Confirm"), **TEACHER)
        callback = await fake.wait_for_callback(record)
        assert callback.json["type"] == 7
        assert "This preview is no longer open" in embed_text(callback.json["data"])
        assert await bot.store.latest_upload() is None


async def test_a_double_click_on_confirm_stores_once_and_says_so(bot, fake):
    preview, _ = await upload(fake, edited(FIRST))
    first = await fake.send_component_interaction(message_id=int(preview["id"]),
                                                  custom_id=button(preview, "Confirm"), **TEACHER)
    second = await fake.send_component_interaction(message_id=int(preview["id"]),
                                                   custom_id=button(preview, "Confirm"), **TEACHER)
    answers = [await fake.wait_for_callback(first), await fake.wait_for_callback(second)]
    assert any("already being answered" in (a.json.get("data") or {}).get("content", "") for a in answers)
    await fake.wait_for_response(first, predicate=lambda m: "Upload stored" in text_of(m))
    assert len(fake.messages(ANNOUNCEMENTS)) == 1 and (await bot.store.latest_upload()).id == 1


def sequences(bot) -> dict[str, int]:
    from icalendar import Calendar

    from bot.core.ics import build_calendar

    cal = Calendar.from_ical(build_calendar(bot.course, bot.state.revisions))
    return {str(e["UID"]): int(e.get("SEQUENCE", 0)) for e in cal.walk("VEVENT")}


async def test_an_upload_never_lowers_a_calendar_events_sequence(bot, fake):
    """Class 8 moved twice (SEQUENCE 2), then the course downloaded and uploaded as it is: calendar apps ignore an
    update whose SEQUENCE went down, so every event's stays at least where it was, and the moved one above."""
    for move in ({"date": "10/14", "to": "10/15"}, {"date": "10/15", "to": "10/17"}):
        await final_answer(fake, await fake.send_interaction(name="course", subcommand="move", options=move,
                                                             **TEACHER))
    before = sequences(bot)
    assert max(before.values()) == 2
    record = await fake.send_interaction(name="course", subcommand="download", **TEACHER)
    answer = await fake.wait_for_response(record, predicate=lambda m: bool(m.get("attachments")))
    preview, _ = await upload(fake, fake.world.files[int(answer["attachments"][0]["id"])].data)
    done = await click(fake, preview, "Confirm")
    assert "Upload stored" in text_of(done), text_of(done)
    after = sequences(bot)
    assert set(after) == set(before)
    lowered = {uid: (before[uid], after[uid]) for uid in before if after[uid] < before[uid]}
    assert lowered == {} and max(after.values()) > 2


async def test_an_announcement_posted_just_before_a_crash_is_not_posted_again(fake, settings, frozen):
    """The post went out but the crash came before it was marked: after the restart the channel's history shows
    it, so it is marked, not posted a second time (Discord's nonce would not catch it hours later)."""
    async with running_bot(fake, settings, system_clock) as bot:
        preview, _ = await upload(fake, edited(FIRST))
        await click(fake, preview, "Confirm")
        assert len(fake.messages(ANNOUNCEMENTS)) == 1
        await bot.store._db.execute("UPDATE course_uploads SET announced = 0")  # the mark the crash lost
    fake.world.nonces.clear()  # hours later: Discord no longer remembers the nonce
    async with running_bot(fake, settings, system_clock) as bot:
        assert (await bot.store.latest_upload()).announced
        assert len(fake.messages(ANNOUNCEMENTS)) == 1


async def test_the_daily_events_sync_follows_an_uploaded_courses_time_zone(bot, fake):
    """New York's course replaced by a Los Angeles one: the 04:00 events sync is 04:00 in Los Angeles."""
    assert bot.reminders.scheduler.next_run("scheduled-events").tzinfo.key == "America/New_York"
    preview, _ = await upload(fake, OTHER_TERM.encode())
    await click(fake, preview, "Confirm")
    following = bot.reminders.scheduler.next_run("scheduled-events")
    assert following.tzinfo.key == "America/Los_Angeles" and (following.hour, following.minute) == (4, 0)
