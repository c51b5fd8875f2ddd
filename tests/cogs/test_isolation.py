"""Isolation, tested as an attacker would: two servers, two courses, one bot process (SPEC.md, "Many courses, one
bot": nothing of one server's course, settings, trackers or reminders is ever visible in or sent to another).

Server A (the fake's default guild) runs Machine Learning at Scale; server B runs Data Analysis in Practice moved
52 weeks earlier (so that both terms run on one clock, Thu Oct 10 2024) with a critique policy of its own. Every
test runs in both deployments: "global" (no guild_id, commands synced globally, both courses uploaded, each
server's /setup values its own) and "home" (guild_id = A with A's schedule.yaml; B with its own upload).

Every answer in one server is searched for the other course's distinctive strings (title, instructor, rooms,
papers, deadlines, long topics: taken from the loaded courses); choice lists are compared with the server's own;
stored rows, change logs, reminder jobs, channel posts and feed tokens are compared per server. Nothing sleeps.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import time_machine

from bot.app import CourseBot
from bot.clock import system_clock
from bot.cogs.common import NO_COURSE_HERE, NO_COURSE_IN_DM
from bot.cogs.reminders import DMS_CLOSED_NOTICE
from bot.core import queries
from bot.core.changes import deadline_choices, reading_choices
from bot.core.loader import load_text
from bot.core.model import Course
from bot.service import CourseService
from bot.web import FEED_TOKEN
from tests.cogs.test_students_any_course import answer_text
from tests.fake_discord import FakeDiscord, InteractionRecord, Upload
from tests.fake_discord.interactions import AUTOCOMPLETE, MESSAGE_COMPONENT
from tests.harness import (
    ANNOUNCEMENTS,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    REMINDERS,
    SCHEDULE,
    STUDENT,
    STUDENT_ROLE,
    at,
    running_bot,
    seed_server,
    settings_for,
)
from tests.reliability.quiesce import settle

pytestmark = pytest.mark.asyncio

NOW = at(2024, 10, 10, 9, 0)  # Thu: A (Aug 26 - Dec 9) and B (Sep 30 - Dec 13) are both in term
B_GENERAL, B_ANNOUNCE, B_REMINDERS = 1130000000000000101, 1130000000000000102, 1130000000000000103
B_TEACHER_ROLE, B_STUDENT_ROLE = 1150000000000000101, 1150000000000000102
B_TEACHER = 1140000000000000199
FRESH = 1140000000000000177  # a student who never did anything anywhere
FORGED = 1110000000000000777  # a guild the bot is not in
PUBLIC = "https://cal.example.edu"
LINK = re.compile(re.escape(PUBLIC) + r"/calendar/([A-Za-z0-9_-]{43})\.ics")
REFUSED = "Only the instructor (or someone with Manage Server) can use this command in the course's server."
SETUP_REFUSED = "Only members with Manage Server can use /setup. Nothing was changed."
MANAGE_GUILD = 1 << 5
A_TEXT = SCHEDULE.read_text(encoding="utf-8")
B_CRITIQUES = """
critiques:
  required: 2
  max_per_class: 1
  length: half a page
  paragraphs: [What the paper shows about your own data.]
  format: emailed
  due: By noon the day before the class.
  late_accepted: true
  llms_allowed: true
  rules: [Email a half-page reflection on two of the statistics papers.]
"""


# B: Data Analysis in Practice 364 days earlier (the same weekdays), with critiques.
B_TEXT = re.sub(r"\b2025-\d\d-\d\d\b", lambda m: str(dt.date.fromisoformat(m[0]) - dt.timedelta(days=364)),
                (SCHEDULE.parent / "data_analysis.yaml").read_text(encoding="utf-8")
                ).replace("Autumn 2025", "Autumn 2024").replace("\nsessions:\n", B_CRITIQUES + "\nsessions:\n", 1)


def markers(course: Course, other_source: str) -> set[str]:
    """Strings only this course has: none of them occurs in the other course's file."""
    rooms = {course.room, *(m.room for m in course.meetings), *(s.room for s in course.sessions),
             *(o.place for o in course.office_hours)}
    found = {course.title, course.instructor, *rooms, *(p.title for s in course.sessions for p in s.papers),
             *(d.title for d in course.deadlines), *(s.topic for s in course.sessions if s.topic and len(s.topic) > 11)}
    return {m for m in found if m and m.lower() not in other_source.lower()}


@dataclasses.dataclass
class World:
    fake: FakeDiscord
    bot: CourseBot
    home: bool  # guild_id = A (commands synced to A only)
    a: int
    b: int

    def __post_init__(self) -> None:
        self.markers = {self.a: markers(self.service(self.a).course, B_TEXT),
                        self.b: markers(self.service(self.b).course, A_TEXT)}
        assert self.service(self.a).course.title in self.markers[self.a] and len(self.markers[self.a]) > 20
        assert self.service(self.b).course.title in self.markers[self.b] and len(self.markers[self.b]) > 10
        self.markers[self.a] |= {str(i) for i in (*self.channels(self.a), INSTRUCTOR_ROLE, STUDENT_ROLE)}
        self.markers[self.b] |= {str(i) for i in (*self.channels(self.b), B_TEACHER_ROLE, B_STUDENT_ROLE)}

    def service(self, guild: int) -> CourseService:
        service = self.bot.courses.get(guild)
        assert service is not None and service.has_course
        return service

    def other(self, guild: int) -> int:
        return self.b if guild == self.a else self.a

    def pupil(self, guild: int | None, user: int = STUDENT) -> dict[str, Any]:
        roles = {self.a: [STUDENT_ROLE], self.b: [B_STUDENT_ROLE]}.get(guild, [])  # type: ignore[arg-type]
        return {"user": user, "roles": roles, "guild_id": guild}

    def teacher(self, guild: int) -> dict[str, Any]:
        if guild == self.a:
            return {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE], "guild_id": guild}
        return {"user": B_TEACHER, "roles": [B_TEACHER_ROLE], "guild_id": guild}

    def channels(self, guild: int) -> list[int]:
        return self.fake.guild_channel_ids(guild)

    def shows_own(self, text: str, guild: int) -> bool:
        return any(m.lower() in text.lower() for m in self.markers[guild])

    def assert_clean(self, text: str, guild: int | None, what: str = "") -> None:
        """Nothing of the other server's course in an answer given in `guild`."""
        leaked = sorted(m for m in self.markers[self.other(guild or self.a)] if m.lower() in text.lower())
        assert not leaked, f"{what} in {guild} shows the other course's {leaked}:\n{text}"


@pytest.fixture
def wall():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["global", "home"])
async def w(request, fake: FakeDiscord, tmp_path, wall) -> AsyncIterator[World]:
    b = fake.add_guild("B", channels=[{"id": B_GENERAL, "name": "general"},
                                      {"id": B_ANNOUNCE, "name": "announcements"},
                                      {"id": B_REMINDERS, "name": "reminders"}])
    fake.add_role("Instructor", guild_id=b, role_id=B_TEACHER_ROLE)
    fake.add_role("Students", guild_id=b, role_id=B_STUDENT_ROLE)
    home = request.param == "home"
    settings = settings_for(fake, tmp_path, feed_port=0, public_url=PUBLIC, scheduled_events=False,
                            guild_id=fake.guild_id if home else None)
    (tmp_path / "b.yaml").write_text(B_TEXT, encoding="utf-8")
    await seed_server(settings, b, tmp_path / "b.yaml", {"reminder_channel_id": B_REMINDERS,
                                                        "announce_channel_id": B_ANNOUNCE,
                                                        "instructor_role_id": B_TEACHER_ROLE,
                                                        "student_role_id": B_STUDENT_ROLE})
    if not home:
        await seed_server(settings, fake.guild_id, SCHEDULE)  # the default values: A's channels and roles

    ready = asyncio.Event()

    def quick(bot: CourseBot) -> None:
        bot._connection.guild_ready_timeout = 0.05  # on_ready after both guilds, then the tests run

        async def on_ready() -> None:
            ready.set()
        bot.add_listener(on_ready, "on_ready")

    async with running_bot(fake, settings, system_clock, prepare=quick) as bot:
        await asyncio.wait_for(ready.wait(), 5)
        yield World(fake, bot, home, fake.guild_id, b)


# --- sending and reading ----------------------------------------------------------------------------------------


async def send(w: World, name: str, sub: str = "", options: dict[str, Any] | None = None, *,
               who: dict[str, Any], **kwargs: Any) -> InteractionRecord:
    """A command as `who` (with its guild_id); with guild_id = A, the commands exist in A only, so one sent from
    anywhere else is A's command delivered there (as an attacker's client could)."""
    if w.home and who["guild_id"] != w.a:
        kwargs["command_guild_id"] = w.a
    return await w.fake.send_interaction(name=name, subcommand=sub, options=options, **who, **kwargs)


async def messages(w: World, record: InteractionRecord) -> list[dict[str, Any]]:
    """Every message the bot answered the interaction with, once it is done with it."""
    await w.fake.wait_for_callback(record)
    await settle()
    found = [w.fake.response_message(record), *w.fake.followup_messages(record)]
    return [m for m in found if m]


async def ask(w: World, name: str, sub: str = "", options: dict[str, Any] | None = None, *,
              who: dict[str, Any]) -> str:
    """The answer's text, checked for the other course's strings."""
    text = "\n".join(answer_text(m) for m in await messages(w, await send(w, name, sub, options, who=who)))
    w.assert_clean(text, who["guild_id"], f"/{name} {sub}")
    return text


async def choices(w: World, name: str, sub: str, focused: str, options: dict[str, Any], *,
                  who: dict[str, Any]) -> list[tuple[str, str]]:
    record = await send(w, name, sub, options, who=who, focused=focused, type=AUTOCOMPLETE)
    callback = await w.fake.wait_for_callback(record)
    assert callback.json["type"] == 8, callback.json
    return [(c["name"], c["value"]) for c in callback.json["data"]["choices"]]


def file_text(w: World, message: dict[str, Any]) -> str:
    """An attachment's text (an .ics unfolded and unescaped)."""
    data = w.fake.world.files[int(message["attachments"][0]["id"])].data.decode()
    return re.sub(r"\\([,;\\])", r"\1", data.replace("\r\n ", "").replace("\\n", "\n"))


async def state(w: World, guild: int) -> tuple[Any, ...]:
    """Everything of a server's course that another server must never change."""
    s = w.service(guild)
    posts = {c: [m["id"] for m in w.fake.messages(c) if "interaction_metadata" not in m] for c in w.channels(guild)}
    return (s.course, list(s.state.log), await s.store.changes(), await s.store.latest_upload(),
            sorted(s.reminders.scheduler.keys()), s.feed.token if s.feed else None, await s.store.ledger(), posts,
            await s.store.subscriptions(), s.settings, await s.store.server_settings(guild))


def first_reminder(service: CourseService) -> tuple[dt.datetime, str]:
    """The instant and key of the course's next planned reminder."""
    plan = service.reminders.plan
    return min((plan[k].at, k) for k in service.reminders.scheduler.keys())


def papers_day(course: Course, now: dt.datetime) -> str:
    """The first class to come with papers (a critique can be logged for it)."""
    return next(str(s.date) for s in course.sessions if s.papers and not s.cancelled and s.date > now.date())


# --- student commands and autocomplete ----------------------------------------------------------------------------


async def test_every_student_command_shows_only_the_servers_own_course(w: World) -> None:
    asked: list[tuple[str, str, dict[str, str] | None, bool]] = [  # True: both answers name their own course's
        ("readings", "", {"date": papers_day(w.service(w.a).course, NOW)}, True),
        ("readings", "", {"date": papers_day(w.service(w.b).course, NOW)}, True),
        ("next", "", None, True), ("schedule", "", None, True), ("officehours", "", None, False),
        ("deadlines", "", None, True), ("search", "", {"query": "transformers"}, False),
        ("search", "", {"query": "bootstrap jackknife"}, False), ("help", "", None, True),
        ("critique", "rules", None, False), ("critique", "status", None, False), ("remind", "status", None, False)]
    for name, sub, options, own in asked:
        texts = {g: await ask(w, name, sub, options, who=w.pupil(g)) for g in (w.a, w.b)}
        assert texts[w.a] != texts[w.b], f"/{name} {sub} says the same in both servers"
        assert not own or all(w.shows_own(texts[g], g) for g in (w.a, w.b)), texts
    for g in (w.a, w.b):
        course = w.service(g).course
        [message] = await messages(w, await send(w, "calendar", who=w.pupil(g)))
        calendar = file_text(w, message)
        w.assert_clean(answer_text(message) + calendar, g, "/calendar")
        assert course.title in answer_text(message) and course.title in calendar


async def test_every_autocomplete_lists_only_the_servers_own_choices(w: World) -> None:
    def expected(g: int, which: str) -> list[tuple[str, str]]:
        course, now = w.service(g).course, w.service(g).clock()
        return {"classes": queries.class_choices(course, "", now),
                "papers": queries.class_choices(course, "", now, with_papers_only=True),
                "readings": [(t[:100], t[:100]) for t in reading_choices(course, papers_day(course, now), "", now)],
                "deadlines": deadline_choices(course, "", now)}[which]

    asked = [("readings", "", "date", "classes", False), ("critique", "log", "date", "papers", False),
             *(("course", sub, "date", "classes", True) for sub in ("cancel", "move", "add-reading", "remove-reading")),
             ("course", "remove-reading", "title", "readings", True),
             *(("course", f"deadline {sub}", "id", "deadlines", True) for sub in ("move", "remove"))]
    for name, sub, focused, which, instructor in asked:
        assert expected(w.a, which) != expected(w.b, which)
        for g in (w.a, w.b):
            options = {focused: ""}
            if focused == "title":
                options["date"] = papers_day(w.service(g).course, NOW)
            who = w.teacher(g) if instructor else w.pupil(g)
            assert await choices(w, name, sub, focused, options, who=who) == expected(g, which), (name, sub, g)
            if instructor:  # the other server's instructor gets nothing here
                assert await choices(w, name, sub, focused, options, who={**w.teacher(w.other(g)), "guild_id": g,
                                                                          "roles": []}) == []


# --- instructors ----------------------------------------------------------------------------------------------------


def instructor_commands(w: World, guild: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Each instructor command, with options that change the server's course (in this order, each applies)."""
    course = w.service(guild).course
    day = papers_day(course, NOW)
    title = next(p.title for s in course.sessions if str(s.date) == day for p in s.papers)
    soon = next(str(s.date) for s in course.sessions if s.date > NOW.date() and str(s.date) != day and not s.cancelled)
    return [
        ("course", "add-reading", {"date": day, "title": "A Paper From Elsewhere"}),
        ("course", "remove-reading", {"date": day, "title": title}),
        ("course", "move", {"date": day, "to": "2024-11-19"}), ("course", "cancel", {"date": soon, "reason": "travel"}),
        ("course", "officehours", {"text": "No office hours this week"}),
        ("course", "deadline add", {"title": "Homework from elsewhere", "due": "2024-11-29"}),
        ("course", "deadline move", {"id": course.deadlines[-1].id, "to": "2024-12-06"}),
        ("course", "deadline remove", {"id": course.deadlines[0].id}),
        ("course", "undo", None), ("course", "changes", None), ("course", "download", None),
        ("course", "upload", {"file": Upload("schedule.yaml", A_TEXT.encode(), "application/x-yaml")}),
        ("course", "calendar-reset", None), ("course", "reload", None),
        ("announce", "", {"message": "Class is moved!", "ping": "everyone"}),
        ("setup", "", {"reminder_channel": w.channels(guild)[0]})]


async def test_the_instructor_of_a_is_refused_in_b_and_changes_nothing(w: World) -> None:
    """A's instructor (who just used /course in A) in B, where they have no role and no Manage Server, and B's
    own students, are refused; so is B's instructor in A."""
    for guild in (w.a, w.b):  # each instructor is known as one in their own server first
        assert "Course changes" in await ask(w, "course", "changes", who=w.teacher(guild))
    cases = [(w.b, {**w.teacher(w.a), "guild_id": w.b, "roles": []}), (w.b, w.pupil(w.b)),
             (w.a, {**w.teacher(w.b), "guild_id": w.a, "roles": []})]
    for guild, who in cases:
        before = {g: await state(w, g) for g in (w.a, w.b)}
        for name, sub, options in instructor_commands(w, guild):
            [answer] = await messages(w, await send(w, name, sub, options, who=who))
            assert answer["content"].startswith(SETUP_REFUSED if name == "setup" else REFUSED), (name, answer)
        assert {g: await state(w, g) for g in (w.a, w.b)} == before
    owner = {**w.teacher(w.b), "permissions": MANAGE_GUILD | 1 << 11}  # B's owner picks A's channels
    for option, channel in (("reminder_channel", REMINDERS), ("announce_channel", ANNOUNCEMENTS)):
        [answer] = await messages(w, await send(w, "setup", "", {option: channel}, who=owner))
        assert answer["content"].startswith("I could not find"), answer
    assert {g: await state(w, g) for g in (w.a, w.b)} == before


async def test_the_instructor_of_b_changes_b_and_never_a(w: World) -> None:
    b = w.service(w.b)
    before_a, before_b = await state(w, w.a), await state(w, w.b)
    for name, sub, options in instructor_commands(w, w.b):
        if sub == "upload":
            continue  # its own test below
        who = w.teacher(w.b)
        if name == "setup":  # B's owner: Manage Server in B
            who = {**who, "permissions": MANAGE_GUILD | 1 << 11}
        msgs = await messages(w, await send(w, name, sub, options, who=who))
        text = "\n".join(answer_text(m) for m in msgs)
        assert not text.startswith(REFUSED), (name, sub, text)
        w.assert_clean(text, w.b, f"/{name} {sub}")
        if sub == "download":
            downloaded = file_text(w, msgs[-1])
            w.assert_clean(downloaded, w.b, "the downloaded file")
            loaded = load_text(downloaded, "schedule.yaml").course
            assert (loaded.title, loaded.sessions, loaded.deadlines) == (b.course.title, b.course.sessions,
                                                                         b.course.deadlines)
        if sub == "reload":
            assert "schedule.yaml is no longer read" in text  # B's course is its upload: A's file is never read
        assert await state(w, w.a) == before_a, f"/{name} {sub} in B changed A"
    after_b = await state(w, w.b)
    assert len(b.state.log) == 9 and after_b[0] != before_b[0] and after_b[5] != before_b[5]  # changed, new token
    assert b.settings.reminder_channel_id == B_GENERAL
    assert (await b.store.server_settings(w.b))["reminder_channel_id"] == str(B_GENERAL)
    for channel in w.channels(w.b):
        for message in w.fake.messages(channel):
            w.assert_clean(answer_text(message), w.b, f"a post in {channel}")
    assert len(w.fake.messages(B_ANNOUNCE)) == 10 and w.fake.messages(ANNOUNCEMENTS) == []


async def upload(w: World, text: str, who: dict[str, Any]) -> dict[str, Any]:
    """/course upload: the preview (with its buttons)."""
    record = await send(w, "course", "upload", {"file": Upload("schedule.yaml", text.encode(), "application/x-yaml")},
                        who=who)
    return await w.fake.wait_for_response(record, predicate=lambda m: bool(m.get("components")))


async def click(w: World, message: dict[str, Any], label: str, who: dict[str, Any], *,
                guild: int | None = None) -> dict[str, Any]:
    """A click on a button of the bot's message: its callback. `guild` forges the interaction's guild_id (and
    channel), as an attacker's client could: the fake's send_component_interaction has no such option (it takes
    them from the message's channel), so the click is built with its private `_send`."""
    fake = w.fake
    custom_id = next(c["custom_id"] for row in message["components"] for c in row["components"] if c["label"] == label)
    if guild is None:
        record = await fake.send_component_interaction(message_id=int(message["id"]), custom_id=custom_id,
                                                       user=who["user"])
    else:
        user = fake._ensure_user(who["user"], None, guild)
        data = {"custom_id": custom_id, "component_type": 2}
        stored = fake.world.find_message_anywhere(int(message["id"]))
        record = await fake._send(MESSAGE_COMPONENT, data, user, guild, fake.world.channels[w.channels(guild)[0]],
                                  None, "en-US", message=stored)
    callback = (await fake.wait_for_callback(record)).json
    if callback["type"] in (6, 7) and label in ("Confirm", "Cancel"):  # until the outcome replaces the preview
        await fake.wait_for_response(record, predicate=lambda m: not m.get("components"))
    return callback


async def test_an_upload_in_b_stores_b_only(w: World) -> None:
    """B's upload is stored and announced in B alone, and does not supersede A's pending preview."""
    preview_a = await upload(w, A_TEXT.replace("topic: Multi-modal LLMs", "topic: Vision and language"),
                             w.teacher(w.a))
    before_a = await state(w, w.a)
    preview = await upload(w, B_TEXT.replace('"Probability refresher"', '"Probability, revisited"'), w.teacher(w.b))
    w.assert_clean(answer_text(preview), w.b, "the preview")
    await click(w, preview, "Confirm", w.teacher(w.b))
    assert any(s.topic == "Probability, revisited" for s in w.service(w.b).course.sessions)
    assert (await w.service(w.b).store.latest_upload()).author_id == B_TEACHER
    assert await state(w, w.a) == before_a
    assert len(w.fake.messages(B_ANNOUNCE)) == 1 and w.fake.messages(ANNOUNCEMENTS) == []
    before_b = await state(w, w.b)
    await click(w, preview_a, "Confirm", w.teacher(w.a))
    assert any(s.topic == "Vision and language" for s in w.service(w.a).course.sessions)
    assert await state(w, w.b) == before_b and len(w.fake.messages(ANNOUNCEMENTS)) == 1


async def test_a_preview_of_a_cannot_be_confirmed_from_b(w: World) -> None:
    before = {g: await state(w, g) for g in (w.a, w.b)}
    preview = await upload(w, A_TEXT.replace("topic: Multi-modal LLMs", "topic: Vision and language"), w.teacher(w.a))
    for who, guild in ((w.teacher(w.a), w.b), (w.teacher(w.b), None), (w.teacher(w.b), w.b)):  # the uploader "in B"
        refused = await click(w, preview, "Confirm", who, guild=guild)
        assert refused["type"] == 4 and refused["data"]["content"].startswith("Only the instructor who uploaded")
    assert {g: await state(w, g) for g in (w.a, w.b)} == before
    await click(w, preview, "Cancel", w.teacher(w.a))
    assert {g: await state(w, g) for g in (w.a, w.b)} == before


async def test_a_change_log_page_cannot_be_turned_from_b(w: World) -> None:
    """A click on A's change-log buttons from B (forged) is refused; the owner in A still turns the page."""
    for i in range(11):  # two pages: the log comes with ◀ ▶ buttons
        await ask(w, "course", "officehours", {"text": f"Note number {i}"}, who=w.teacher(w.a))
    [log_page] = await messages(w, await send(w, "course", "changes", who=w.teacher(w.a)))
    answer = await click(w, log_page, "Older ▶", w.teacher(w.b), guild=w.b)
    assert "Note number 0" not in answer_text(answer.get("data") or {})
    assert answer["type"] == 4
    turned = await click(w, log_page, "Older ▶", w.teacher(w.a), guild=w.a)  # the control: the owner, at home
    assert "Note number 0" in answer_text(turned.get("data") or {})


# --- trackers, subscriptions, forged guilds, DMs ------------------------------------------------------------------


async def test_trackers_and_dm_subscriptions_are_per_server(w: World) -> None:
    a, b = w.service(w.a), w.service(w.b)
    a_day, b_day = papers_day(a.course, NOW), papers_day(b.course, NOW)
    assert "Logged your critique" in await ask(w, "critique", "log", {"date": a_day}, who=w.pupil(w.a))
    assert "You will get direct messages" in await ask(w, "remind", "on", who=w.pupil(w.a))
    for name, sub in (("critique", "status"), ("remind", "status"), ("deadlines", "")):  # as if never seen
        assert await ask(w, name, sub, who=w.pupil(w.b)) == await ask(w, name, sub, who=w.pupil(w.b, FRESH))
    assert "You have no critique logged" in await ask(w, "critique", "remove", {"date": a_day}, who=w.pupil(w.b))
    assert "You were not getting DM reminders" in await ask(w, "remind", "off", who=w.pupil(w.b))
    assert "Logged your critique" in await ask(w, "critique", "log", {"date": b_day}, who=w.pupil(w.b))
    assert [r.class_date for r in await a.store.critiques(STUDENT)] == [dt.date.fromisoformat(a_day)]
    assert [r.class_date for r in await b.store.critiques(STUDENT)] == [dt.date.fromisoformat(b_day)]
    assert await a.store.subscription(STUDENT) is not None and await b.store.subscription(STUDENT) is None
    assert [s.user_id for s in await a.store.subscriptions()] == [STUDENT] and await b.store.subscriptions() == []


async def test_a_forged_guild_gets_one_line_and_opens_no_course(w: World) -> None:
    count = len(w.bot.courses)
    for name, sub, options in (("readings", "", None), ("remind", "on", None), ("critique", "status", None),
                               ("setup", "", {"reminder_channel": B_REMINDERS}), ("course", "download", None)):
        [answer] = await messages(w, await send(w, name, sub, options, who=w.pupil(FORGED)))
        assert answer["content"] == NO_COURSE_HERE, (name, sub)
    assert len(w.bot.courses) == count and w.bot.courses.get(FORGED) is None


async def test_a_dm_is_no_servers_course_or_the_configured_one(w: World) -> None:
    for name, sub, options in (("readings", "", {"date": papers_day(w.service(w.a).course, NOW)}),
                               ("remind", "status", None), ("critique", "status", None), ("help", "", None)):
        text = await ask(w, name, sub, options, who=w.pupil(None))
        assert text == (await ask(w, name, sub, options, who=w.pupil(w.a)) if w.home else NO_COURSE_IN_DM)


# --- the feed and the reminders ---------------------------------------------------------------------------------


async def test_feed_tokens_serve_each_servers_own_calendar(w: World) -> None:
    port = w.bot.courses.feed_server.port

    async def token_from_calendar(g: int) -> str:
        [message] = await messages(w, await send(w, "calendar", who=w.pupil(g)))
        return LINK.search(answer_text(message))[1]

    tokens = {g: await token_from_calendar(g) for g in (w.a, w.b)}
    assert tokens[w.a] != tokens[w.b]
    async with aiohttp.ClientSession() as http:
        async def get(path: str) -> tuple[int, str]:
            async with http.get(f"http://127.0.0.1:{port}{path}") as response:
                return response.status, (await response.read()).decode()

        for g in (w.a, w.b):
            status, body = await get(f"/calendar/{tokens[g]}.ics")
            assert status == 200 and w.service(g).course.title in body
            w.assert_clean(body.replace("\r\n ", ""), g, "the feed")
        ta, tb = tokens[w.a], tokens[w.b]
        for path in (f"/calendar/{ta[:-1]}.ics", f"/calendar/{ta}{tb}.ics", f"/calendar/{ta[:22]}{tb[22:]}.ics",
                     f"/calendar/{ta}/{tb}.ics", f"/calendar/{ta}.ics/{tb}.ics",
                     f"/calendar/{ta.upper()}.ics", f"/{w.b}/calendar/{ta}.ics"):
            assert (await get(path))[0] == 404, path
        text = "\n".join(answer_text(m) for m in
                         await messages(w, await send(w, "course", "calendar-reset", who=w.teacher(w.b))))
        new_b = LINK.search(text)[1]
        assert new_b not in tokens.values() and (await w.service(w.b).store.secret(FEED_TOKEN)) == new_b
        assert (await get(f"/calendar/{tb}.ics"))[0] == 404
        assert (await get(f"/calendar/{new_b}.ics"))[0] == 200
        status, body = await get(f"/calendar/{ta}.ics")
        assert status == 200 and w.service(w.a).course.title in body
        assert (await w.service(w.a).store.secret(FEED_TOKEN)) == ta == await token_from_calendar(w.a)


async def test_reminders_go_only_to_their_own_servers_channel(w: World, wall) -> None:
    own = {w.a: REMINDERS, w.b: B_REMINDERS}
    for g in (w.a, w.b):
        assert w.service(g).settings.reminder_channel_id == own[g]
        for reminder in w.service(g).reminders.plan.values():
            w.assert_clean(reminder.text, g, f"reminder {reminder.key}")
    await ask(w, "remind", "on", who=w.pupil(w.a))  # DMs for A's reminders only
    for when, key, g in sorted((*first_reminder(w.service(g)), g) for g in (w.a, w.b)):
        posts = {c: len(w.fake.messages(c)) for c in (*w.channels(w.a), *w.channels(w.b))}
        dms = len(w.fake.dm_messages(STUDENT))
        wall.move_to(when)
        assert (await w.service(g).reminders.deliver(key)).state == "sent"
        entry = await w.service(g).store.ledger_entry(key)
        assert entry.channel_id == own[g] and await w.service(w.other(g)).store.ledger_entry(key) is None
        for channel, count in posts.items():
            new = w.fake.messages(channel)[count:]
            assert [int(m["id"]) for m in new] == ([entry.message_id] if channel == own[g] else []), channel
        assert len(w.fake.dm_messages(STUDENT)) == dms + (g == w.a)


async def test_closed_dms_are_told_in_their_own_server_only(w: World, wall) -> None:
    a = w.service(w.a)
    await ask(w, "remind", "on", who=w.pupil(w.a))
    w.fake.close_dms(STUDENT)
    when, key = first_reminder(a)
    wall.move_to(when)
    assert (await a.reminders.deliver(key)).state == "sent"
    assert (await a.store.subscription(STUDENT)).dm_closed and await w.service(w.b).store.subscription(STUDENT) is None
    assert DMS_CLOSED_NOTICE not in await ask(w, "next", who=w.pupil(w.b))
    assert "Your DM reminders are paused" not in await ask(w, "remind", "status", who=w.pupil(w.b))
    assert DMS_CLOSED_NOTICE in await ask(w, "next", who=w.pupil(w.a))
