"""The student commands end to end on courses of other shapes than the first one (issue 10, "Any course").

The real CourseBot runs Distributed Systems (tests/data/courses/distributed_systems.yaml: no critiques, Los
Angeles time, Tue/Thu 2pm in Gates Center G20, homework Fridays 11:59pm, a midterm in class, a final exam in
finals week in Kane Hall 130, spring break) against the fake Discord, on a TestClock set in Los Angeles; one
test runs Data Analysis (London: a Friday section in Lab 2, a make-up class in its own room).

Every answer any test here receives is checked for words borrowed from the first course (`ask` does it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import CourseBot
from bot.commands import STUDENT_COMMANDS, student_commands
from bot.render.words import NO_CRITIQUES
from tests.conftest import DA_SCHEDULE, DS_SCHEDULE
from tests.fake_discord import FakeDiscord
from tests.harness import STUDENT, final_answer, running_bot, seed_server, settings_for
from tests.harness import TestClock as ManualClock  # (a name pytest does not try to collect)

pytestmark = pytest.mark.asyncio

LA = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
EPHEMERAL = 1 << 6
# Words that belong to the first course (Machine Learning at Scale, Fall 2024, critiques handed in printed).
BORROWED = ("critique", "printed", "machine learning", "9/18", "2024")


def la(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LA)


def ts(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def answer_text(data: dict[str, Any]) -> str:
    """Everything a reader sees in an answer: content, and each embed's title, description, fields and footer
    (markdown escapes removed)."""
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return re.sub(r"\\([*_`~|>#\-\[\]().:\\])", r"\1", "\n".join(parts))


def assert_nothing_borrowed(text: str, what: str) -> None:
    words = re.sub(r"<t:\d+:\w>", "<t:…>", text).lower()  # a timestamp's digits may hold "2024" by chance
    found = [w for w in BORROWED if w in words]
    assert not found, f"{what} says {found}:\n{text}"


async def ask(fake: FakeDiscord, name: str, options: dict[str, str] | None = None, subcommand: str = "", *,
              borrowed_ok: bool = False) -> dict[str, Any]:
    """Send a slash command as a student; the message it was answered with (after a defer too).

    Unless `borrowed_ok`, the answer must hold none of the first course's words (requirement 6).
    """
    interaction = await fake.send_interaction(name=name, options=options, subcommand=subcommand, user=STUDENT)
    callback = await fake.wait_for_callback(interaction)
    assert callback.status in (200, 204), callback.response
    data = await final_answer(fake, interaction)
    if not borrowed_ok:
        assert_nothing_borrowed(answer_text(data), f"/{name} {subcommand} {options or ''}".strip())
    return data


def description_lines(data: dict[str, Any]) -> list[str]:
    """The first embed's description, line by line, as a reader sees it."""
    return answer_text({"content": data["embeds"][0].get("description", "")}).splitlines()


# --- fixtures: the bot on Distributed Systems, its clock in Los Angeles ------------------------------------------


@pytest.fixture
def ds_clock() -> ManualClock:
    """Mon Feb 10 2025, 9:00 in Los Angeles; a test moves it by setting `.now`."""
    return ManualClock(la(2025, 2, 10, 9, 0))


async def _ds_bot(fake: FakeDiscord, tmp_path: Path, clock: ManualClock, **overrides: Any) -> AsyncIterator[CourseBot]:
    # Reminders are off: the scheduler runs on the wall clock, these tests on a ManualClock.
    settings = settings_for(fake, tmp_path, schedule=str(DS_SCHEDULE), reminder_channel_id=None, **overrides)
    if settings.guild_id is None:  # no configured server: the course is the one uploaded in the fake's
        await seed_server(settings, fake.guild_id, DS_SCHEDULE, {})
    async with running_bot(fake, settings, clock) as running:
        yield running


@pytest.fixture
async def ds_bot(fake, tmp_path, ds_clock) -> AsyncIterator[CourseBot]:
    """Distributed Systems, commands synced to the guild."""
    async for running in _ds_bot(fake, tmp_path, ds_clock):
        yield running


@pytest.fixture
async def ds_global_bot(fake, tmp_path, ds_clock) -> AsyncIterator[CourseBot]:
    """Distributed Systems with guild_id unset: commands synced globally."""
    async for running in _ds_bot(fake, tmp_path, ds_clock, guild_id=None):
        yield running


# --- 1. the command tree and /help ------------------------------------------------------------------------------


async def test_guild_tree_has_no_critique_group_and_every_other_student_command(ds_bot, fake):
    assert ds_bot.course.name == "CS 452 Distributed Systems" and not ds_bot.course.has_critiques
    synced = {c["name"]: c for c in fake.commands(fake.guild_id)}
    assert "critique" not in synced
    offered = student_commands(False)
    assert not any(c.name.startswith("critique") for c in offered)
    assert len(offered) == len(STUDENT_COMMANDS) - 4  # rules, log, status, remove
    for command in offered:
        top, *sub = command.name.split()
        assert top in synced, top
        entry = synced[top]
        if sub:
            subcommands = {o["name"]: o for o in entry["options"]}
            assert sub[0] in subcommands, command.name
            entry = subcommands[sub[0]]
        assert entry["description"] == command.description
        assert {o["name"] for o in entry.get("options", []) if o.get("type") not in (1, 2)} == \
            {o.name for o in command.options}
    assert fake.commands(None) == []  # guild sync only


async def test_help_names_the_course_its_staff_and_links_and_no_critique_command(ds_bot, fake):
    data = await ask(fake, "help")
    assert data["flags"] & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "CS 452 Distributed Systems (Spring 2025)"
    text = answer_text(data)
    for command in student_commands(False):
        assert f"/{command.name}" in text, command.name
    assert "/critique" not in text
    fields = {f["name"]: f["value"] for e in data["embeds"] for f in e.get("fields", [])}
    staff = answer_text({"content": fields["Staff"]})
    for person in ("Prof. Ada Okafor", "Priya Raman", "Marcus Lee"):
        assert person in staff
    assert "okafor@example.edu" in staff
    assert "[Course site](<https://example.edu/cs452>)" in fields["Links"]
    assert "[Forum](<https://edstem.org/us/courses/1>)" in fields["Links"]
    footer = data["embeds"][-1]["footer"]["text"]
    assert footer.startswith("Dates: ") and "2025-" in footer  # examples from this course's own dates


# --- 2. global sync: /critique stays registered, answers that there are none --------------------------------


@pytest.mark.parametrize(("subcommand", "options"), [
    ("status", None), ("log", {"date": "2/11"}), ("remove", {"date": "2/11"}), ("rules", None),
])
async def test_global_critique_commands_say_the_course_has_none_and_store_nothing(
        ds_global_bot, fake, subcommand, options):
    synced = {c["name"] for c in fake.commands(None)}
    assert "critique" in synced and "readings" in synced
    assert fake.commands(fake.guild_id) == []
    data = await ask(fake, "critique", options, subcommand, borrowed_ok=True)  # it must name critiques
    assert data["flags"] & EPHEMERAL
    assert data["content"] == NO_CRITIQUES
    assert not data.get("embeds")
    assert await ds_global_bot.store.critiques(STUDENT) == []
    assert await ds_global_bot.store.changes() == []
    assert ds_global_bot.state.log == []


# --- 3. /deadlines on the evening homework 3 is due -------------------------------------------------------------


async def test_deadlines_friday_evening_homework_first_with_due_time_and_relative_timestamp(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 2, 14, 21, 0)
    data = await ask(fake, "deadlines")
    assert data["flags"] & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "What is due next"
    first = description_lines(data)[0]
    assert first.startswith("📌 Homework 3 (primary-backup) — Fri Feb 14, 11:59pm — ")
    assert f"<t:{ts(la(2025, 2, 14, 23, 59))}:R>" in first
    text = answer_text(data)
    assert "You have logged" not in text and " of 0 " not in text  # no critique count line
    assert all("footer" not in e for e in data["embeds"])  # no footer about critiques
    later = text.index("Homework 4 (Paxos) — Fri Feb 21, 11:59pm")
    assert text.index("Homework 3") < later < text.index("Midterm exam — Tue Mar 4, 2pm–3:15pm, Gates Center G20")
    assert "Final exam — Wed May 7, 2:30pm–4:20pm, Kane Hall 130" in text
    assert "Homework 2" not in text  # already past


# --- 4. /next during the final exam, and after it ---------------------------------------------------------------


async def test_next_during_the_final_exam_is_happening_now_in_its_room(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 5, 7, 15, 0)
    data = await ask(fake, "next")
    assert not data.get("flags", 0) & EPHEMERAL
    text = answer_text(data)
    assert data["embeds"][0]["title"] == "Wed May 7 · Final exam"
    assert "Happening now, until 4:20pm, in Kane Hall 130." in text
    assert "The course has ended" not in text and "Good luck" not in text
    assert "Gates Center G20" not in text and "2pm–3:15pm" not in text  # not the class time and room


async def test_next_after_the_final_exam_lists_the_report_still_due(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 5, 8, 10, 0)
    data = await ask(fake, "next")
    text = answer_text(data)
    assert data["embeds"][0]["title"] == "Classes have ended"
    assert "Classes have ended: the last class was Thu May 1 Course wrap-up. Still ahead:" in text
    assert "Final project report — Fri May 9, 5pm" in text
    assert f"<t:{ts(la(2025, 5, 9, 17, 0))}:R>" in text
    assert "The course has ended" not in text and "Final exam" not in text


async def test_next_during_the_midterm_held_in_class(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 3, 4, 14, 30)
    text = answer_text(await ask(fake, "next"))
    assert "Tue Mar 4 · Class 13 (exam) · Midterm exam" in text
    assert "This is an exam, held in class." in text
    assert "Happening now, until 3:15pm, in Gates Center G20." in text


async def test_next_across_the_dst_change_keeps_the_class_at_2pm(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 3, 9, 1, 30)  # still PST; Tuesday's class is in PDT
    text = answer_text(await ask(fake, "next"))
    assert "Tue Mar 11 · Class 15 · Spanner" in text
    assert f"<t:{ts(la(2025, 3, 11, 14, 0))}:F>" in text


@pytest.mark.parametrize("date", ["5/6", "5/8"], ids=["final-exam-ahead", "report-due-next-day"])
async def test_a_day_in_finals_week_does_not_say_the_course_has_ended(ds_bot, fake, ds_clock, date):
    ds_clock.now = la(2025, 5, 5, 10, 0)
    text = answer_text(await ask(fake, "readings", {"date": date}))
    assert "There is no class on" in text
    assert "the course has ended" not in text.lower()


# --- 5. a spring-break day; the online office hour ----------------------------------------------------------------


async def test_readings_on_a_spring_break_day_names_the_break(ds_bot, fake):
    text = answer_text(await ask(fake, "readings", {"date": "3/25"}))
    assert "There is no class on Tue Mar 25 (Spring break)." in text
    assert "Thu Mar 20 ZooKeeper" in text and "Tue Apr 1 Distributed transactions" in text


async def test_schedule_in_spring_break_week_names_it(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 3, 25, 10, 0)
    text = answer_text(await ask(fake, "schedule"))
    assert "Spring break: Mon Mar 24 to Fri Mar 28, no classes" in text
    assert "Tue Apr 1 · Class 19 · **Distributed transactions** — 1 paper" in text
    assert "📌 Fri Apr 4 · **Homework 6 (sharding)** due 11:59pm" in text


async def test_officehours_show_the_online_link_and_skip_spring_break(ds_bot, fake, ds_clock):
    text = answer_text(await ask(fake, "officehours"))
    assert "Priya Raman (TA)" in text and "Wednesdays 7:30pm–8:30pm" in text
    assert "Join: <https://zoom.us/j/123>" in text
    assert "CSE 310" in text and "Not on Mon Feb 17." in text  # the skipped holiday
    ds_clock.now = la(2025, 3, 25, 10, 0)
    text = answer_text(await ask(fake, "officehours"))
    assert "It is Spring break (until Fri Mar 28): no office hours until it ends." in text
    assert f"<t:{ts(la(2025, 4, 2, 19, 30))}:F>" in text  # Priya's next: after the break, not Wed Mar 26
    assert f"<t:{ts(la(2025, 3, 26, 19, 30))}:F>" not in text


async def test_officehours_skip_the_holiday(ds_bot, fake, ds_clock):
    ds_clock.now = la(2025, 2, 17, 10, 0)  # Presidents' Day, skipped
    data = await ask(fake, "officehours")
    fields = {f["name"]: f["value"] for e in data["embeds"] for f in e.get("fields", [])}
    prof = answer_text({"content": fields["Prof. Ada Okafor"]})
    assert f"<t:{ts(la(2025, 2, 24, 15, 0))}:F>" in prof
    assert f"<t:{ts(la(2025, 2, 17, 15, 0))}:F>" not in prof


async def test_cancelled_class_reason_is_not_followed_by_a_second_full_stop(ds_bot, fake):
    text = answer_text(await ask(fake, "readings", {"date": "#7"}))
    assert "Tue Feb 11 · Class 7 · Consensus: Raft — cancelled" in text
    assert "The instructor is at a conference." in text
    assert ".." not in text


# --- 6. nothing borrowed from the first course, in any answer, at any moment of the term --------------------------

INSTANTS = [
    la(2025, 1, 10, 12, 0),  # before the term
    la(2025, 2, 11, 14, 30),  # a cancelled class's hour
    la(2025, 2, 14, 21, 0),  # homework night
    la(2025, 3, 4, 14, 30),  # during the midterm (in class)
    la(2025, 3, 9, 3, 30),  # the morning DST starts
    la(2025, 3, 25, 10, 0),  # spring break
    la(2025, 5, 7, 15, 0),  # during the final exam
    la(2025, 5, 8, 10, 0),  # classes over, the report still due
    la(2025, 6, 1, 12, 0),  # after the term
]
QUESTIONS = [
    ("readings", None), ("readings", {"date": "today"}), ("readings", {"date": "next"}), ("readings", {"date": "#7"}),
    ("readings", {"date": "3/4"}), ("readings", {"date": "5/7"}), ("readings", {"date": "13/45"}), ("next", None),
    ("schedule", None), ("schedule", {"week": "all"}), ("schedule", {"week": "someday"}), ("officehours", None),
    ("deadlines", None), ("search", {"query": "homework"}), ("search", {"query": "kane hall"}),
    ("search", {"query": "priya"}), ("search", {"query": "flamingo"}), ("search", {"query": "raft"}), ("help", None),
]


async def test_no_answer_borrows_from_the_first_course(ds_bot, fake, ds_clock):
    """Every student command at every kind of instant: no 'critique', 'printed', 'Machine Learning', '9/18', '2024'."""
    for instant in INSTANTS:
        ds_clock.now = instant
        for name, options in QUESTIONS:
            await ask(fake, name, options)  # ask() checks the text
        await ask(fake, "remind", subcommand="status")
    errors = [await ask(fake, "readings", {"date": "13/45"}), await ask(fake, "schedule", {"week": "someday"})]
    assert all(e["flags"] & EPHEMERAL for e in errors)
    assert "Try 2/11, Feb 11, 2025-02-11" in errors[0]["content"]  # the examples come from this course


async def test_the_borrowed_words_check_would_notice(fake, tmp_path):
    """Control: the first course's /readings 9/18 trips the check every answer above passes."""
    clock = ManualClock(dt.datetime(2024, 9, 17, 9, 0, tzinfo=ZoneInfo("America/New_York")))
    async with running_bot(fake, settings_for(fake, tmp_path, reminder_channel_id=None), clock):
        data = await ask(fake, "readings", {"date": "9/18"}, borrowed_ok=True)
        with pytest.raises(AssertionError, match="critique"):
            assert_nothing_borrowed(answer_text(data), "the first course")


async def test_calendar_borrows_nothing(ds_bot, fake):
    interaction = await fake.send_interaction(name="calendar", user=STUDENT)
    callback = await fake.wait_for_callback(interaction)
    data = callback.json["data"]
    assert_nothing_borrowed(answer_text(data), "/calendar")
    assert len(callback.files) == 1
    ics = callback.files[0].data.decode()
    assert "Distributed Systems" in ics
    for word in ("critique", "printed", "machine learning"):
        assert word not in ics.lower(), word


# --- the Data Analysis course: a Friday section, a make-up class in its own room ----------------------------------


async def test_data_analysis_section_and_make_up_class_rooms(fake, tmp_path):
    clock = ManualClock(dt.datetime(2025, 10, 6, 9, 0, tzinfo=LONDON))
    settings = settings_for(fake, tmp_path, schedule=str(DA_SCHEDULE), reminder_channel_id=None)
    async with running_bot(fake, settings, clock) as bot:
        assert bot.course.name == "STAT 210 Data Analysis in Practice"
        friday = await ask(fake, "readings", {"date": "Fri Oct 10"})
        text = answer_text(friday)
        assert friday["embeds"][0]["title"] == "Fri Oct 10 · Class 6 (section) · Section: plotting practice"
        assert "(section)" in text and "Room: Lab 2" in text
        assert f"<t:{ts(dt.datetime(2025, 10, 10, 14, 0, tzinfo=LONDON))}:F>" in text  # the section's own time
        assert "Wills G25" not in text

        make_up = await ask(fake, "readings", {"date": "10/14"})
        text = answer_text(make_up)
        assert make_up["embeds"][0]["title"].startswith("Tue Oct 14 · Class 8 · Make-up: sampling distributions")
        assert "Room: Wills 1.10" in text
        assert f"<t:{ts(dt.datetime(2025, 10, 14, 13, 0, tzinfo=LONDON))}:F>" in text
        assert "Wills G25" not in text
