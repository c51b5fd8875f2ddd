"""Hostile input in every string option of every command, through the core and through the fake Discord.

Properties (hypothesis): no exception escapes (no ERROR log record), every answer fits Discord's limits (the
fake answers 400 otherwise; no request of the bot may get a 4xx), nothing pings (allowed_mentions parses
nothing unless /announce was asked to ping; mentions in embeds are escaped), SQL stays data, and markdown
in an announcement is shown literally. One bot serves every example: it runs on an event loop in a
background thread for the whole module, and each example is a coroutine submitted to that loop.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import dataclasses
import logging
import re
import sqlite3
import string
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import discord
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import critiques
from bot.app import CourseBot
from bot.clock import system_clock
from bot.core import queries
from bot.core.changes import Change, ChangeError, apply_change, describe, prepare, resolve_day
from bot.core.dates import QueryError
from bot.core.remind_kinds import kind_label, parse_kinds
from bot.core.search import search
from bot.render import embeds
from bot.store import Store
from tests.fake_discord import FakeDiscord, RecordedRequest
from tests.fake_discord.validation import FormErrors, validate_message
from tests.harness import (
    ANNOUNCEMENTS,
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    REPO,
    STUDENT,
    STUDENT_ROLE,
    at,
    make_fake,
    running_bot,
    settings_for,
)
from tests.reliability.quiesce import embed_parts, message_bodies, settle

T = TypeVar("T")
NOW = at(2024, 9, 17, 9, 0)
STUDENT_CALLER = {"user": STUDENT, "roles": [STUDENT_ROLE]}
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
OPTION_MAX = 6000  # Discord's longest string option value
TABLES = {"reminder_ledger", "course_changes", "critiques", "dm_subscriptions"}

END_TO_END = settings(max_examples=120, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CORE = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- what hostile text is made of -----------------------------------------------------------------------

MENTIONS = ["@everyone", "@here", "<@123>", "<@!123>", "<@&123>", "<#123>", f"<@{STUDENT}>", f"<@!{INSTRUCTOR}>",
            f"<@&{STUDENT_ROLE}>", f"<#{ANNOUNCEMENTS}>", "@everyone@here", "@@everyone"]
# Masked links ("[a](http://x)") are left to the example tests below: discord.py escapes only the first of them.
MARKDOWN = ["**", "__", "*", "_", "```", "`", "~~", "||", "\\", "\\*", "# heading", "## h", "### h", "> quote",
            ">>> all of it", "-# small", "- item", "<http://x>", "http://x.org/_a_*b*", ":smile:", "\n", "\n\n",
            "[a](http://x)", "[", "]", "1. item", "  - indented"]
SQLISH = ["'); DROP TABLE critiques;--", "' OR '1'='1", "\"; DELETE FROM course_changes; --", "%s", "%(x)s", "{0}",
          "?", "NULL", "'", "\"", ";"]
UNICODE = ["\x00", "\x07", "\x1b[2J", "\r\n", "\t", "\x7f", "\u0085", "\u200b", "\u200d", "\u200e", "\u200f",
           "\u202e", "\u2066", "\u2069", "\ufeff", "\u0301", "é", "🎓", "👩\u200d💻", "ǅ", "𝟗/𝟏𝟖", "٩/١٨", "\uffff"]
DATES = ["9/18", "09/18", "Sep 18", "Sept. 18", "18 Sep", "2024-09-18", "today", "tomorrow", "yesterday", "next",
         "last", "wed", "next monday", "#7", "#13", "#0", "#99999", "9/2", "9/16", "9/19", "10/2", "12/9", "13/45",
         "2/30", "9/18/2024", "all", "this", "3", "week 3", "-1", "0", "1e9", "9/18 9/19"]
TOKENS = MENTIONS + MARKDOWN + SQLISH + UNICODE + DATES

token = st.sampled_from(TOKENS)
piece = st.one_of(token, st.text(min_size=1, max_size=12))
DATE_LIKE = st.from_regex(
    r"\A\s*(#\d{1,5}|\d{1,5}/\d{1,5}(/\d{1,5})?|\d{4}-\d{1,3}-\d{1,3}|(next |last |this )?[a-z]{1,10}\.?,? ?\d{0,3}"
    r"(st|nd|rd|th)?(,? \d{4})?|\d{1,3} (of )?[a-z]{1,10}( \d{4})?)\s*\Z", fullmatch=True)
HOSTILE = st.one_of(
    st.lists(piece, min_size=1, max_size=12).map("".join),  # a mix of mentions, markdown, SQL, unicode, dates
    st.text(min_size=1, max_size=80),
    st.tuples(piece, st.integers(1, OPTION_MAX)).map(lambda p: p[0] * p[1]),  # very long (clipped to the limit)
)
DATE_TEXT = st.one_of(st.sampled_from(DATES), DATE_LIKE.filter(bool), HOSTILE)
TITLES = st.sampled_from(["SimCLR slides", "Vision Transformers Need Registers", "vision transformers need registers",
                          "A Simple Framework for Contrastive Learning"])


@dataclasses.dataclass(frozen=True, repr=False)
class Target:
    """A command with string options: what Discord lets a user type into each, and who types it."""

    name: str
    sub: str | None
    options: dict[str, st.SearchStrategy[str]]
    instructor: bool = False

    def __repr__(self) -> str:
        return f"Target(/{self.id})"

    @property
    def id(self) -> str:
        return f"{self.name} {self.sub}" if self.sub else self.name


TARGETS = [
    Target("readings", None, {"date": DATE_TEXT}),
    Target("schedule", None, {"week": DATE_TEXT}),
    Target("search", None, {"query": HOSTILE}),
    Target("critique", "log", {"date": DATE_TEXT}),
    Target("critique", "remove", {"date": DATE_TEXT}),
    Target("remind", "on", {"kinds": st.one_of(st.sampled_from(["critiques, project", "all", "digest and project"]),
                                               HOSTILE)}),
    Target("course", "cancel", {"date": DATE_TEXT, "reason": HOSTILE}, instructor=True),
    Target("course", "move", {"date": DATE_TEXT, "to": st.one_of(st.sampled_from(["9/19", "Sep 20", "10/10"]),
                                                                 DATE_TEXT)}, instructor=True),
    Target("course", "add-reading", {"date": DATE_TEXT, "title": HOSTILE, "authors": HOSTILE,
                                     "url": st.one_of(HOSTILE, HOSTILE.map(lambda s: "https://" + s))},
           instructor=True),
    Target("course", "remove-reading", {"date": DATE_TEXT, "title": st.one_of(TITLES, HOSTILE)}, instructor=True),
    Target("course", "officehours", {"text": HOSTILE}, instructor=True),
    Target("announce", None, {"message": HOSTILE}, instructor=True),
]
IDS = [t.id for t in TARGETS]


def definition(tree: list[dict[str, Any]], target: Target) -> list[dict[str, Any]]:
    """The synced options of a command (or subcommand)."""
    command = next(c for c in tree if c["name"] == target.name)
    options = command.get("options") or []
    if target.sub:
        options = next(o for o in options if o["name"] == target.sub).get("options") or []
    return options


def draw_options(data: st.DataObject, target: Target, tree: list[dict[str, Any]]) -> dict[str, str]:
    """Values for the target's options within the lengths Discord enforces; optional ones sometimes left out."""
    chosen = {}
    for option in definition(tree, target):
        if option["type"] != 3 or option.get("choices"):
            continue
        if not option.get("required") and not data.draw(st.booleans(), label=f"{option['name']} given"):
            continue
        low, high = option.get("min_length", 1), option.get("max_length", OPTION_MAX)
        value = data.draw(target.options[option["name"]].map(lambda s, h=high: s[:h]).filter(
            lambda s, lo=low: len(s) >= max(lo, 1)), label=option["name"])
        chosen[option["name"]] = value
    return chosen


# --- checks on what the bot sent --------------------------------------------------------------------------

MENTION = re.compile(r"@(?:everyone|here)|<@[!&]?\d{17,20}>")  # a mention Discord would render for a real id
PINGS = {  # what /announce may send when asked to ping: (content, who may be pinged)
    "everyone": ("@everyone", (["everyone"], [], [])),
    "students": (f"<@&{STUDENT_ROLE}>", ([], [], [STUDENT_ROLE])),
}
URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]|<[^: >]+:/[^ >]+>")  # Discord's autolinks: no markdown inside
ESCAPABLE = set(string.punctuation)
LINE_MARKDOWN = re.compile(r"#{1,3} |>>> |> |-# |- ", re.MULTILINE)


def unmasked(text: str) -> str:
    """The text with links and backslash-escaped characters blanked: what is left is what Discord formats."""
    text = URL.sub(lambda m: "u" * len(m[0]), text)
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
            out.append("ee")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def markdown_leaks(text: str) -> list[str]:
    """Markdown Discord would render in `text` (emphasis, code, strike, spoiler, headings, quotes, lists, links)."""
    plain = unmasked(text)
    leaks = [f"{c!r} at {i}" for i, c in enumerate(plain) if c in "*_`~|"]
    leaks += [f"line starts with {m[0]!r}" for line in plain.split("\n") if (m := LINE_MARKDOWN.match(line))]
    leaks += [f"link {m[0]!r}" for m in re.finditer(r"\[[^\]\n]*\]\(", plain)]
    return leaks


def unescape(text: str) -> str:
    """What a reader sees: escapes removed outside links, the zero-width space after an @ removed (escape_mentions
    puts one there; compare with `as_typed` of the original)."""
    parts, start = [], 0
    for link in URL.finditer(text):
        parts += [re.sub(r"\\([^0-9A-Za-z\s])", r"\1", text[start:link.start()]), link[0]]
        start = link.end()
    parts.append(re.sub(r"\\([^0-9A-Za-z\s])", r"\1", text[start:]))
    return as_typed("".join(parts))


def as_typed(text: str) -> str:
    return text.replace("@\u200b", "@")


def check_bodies(bodies: list[dict[str, Any]], *, ping: str | None = None) -> None:
    """Every message within Discord's limits, pinging nobody (but what /announce was asked to), mentions escaped."""
    for body in bodies:
        errors = FormErrors()
        validate_message(body, errors)
        assert not errors, errors.body()
        mentions = body.get("allowed_mentions")
        assert mentions is not None, body
        pinged = (sorted(mentions.get("parse") or []), [int(u) for u in mentions.get("users") or []],
                  [int(r) for r in mentions.get("roles") or []])
        if ping is not None and pinged == PINGS[ping][1]:  # the announcement, asked to ping: only its first page
            assert body.get("content") in (PINGS[ping][0], None), body  # says so; embeds never ping
        else:
            assert pinged == ([], [], []), body
        for part in embed_parts(body):
            assert not MENTION.search(part), part


def embed_bodies(messages: list[list[discord.Embed]]) -> list[dict[str, Any]]:
    return [{"embeds": [e.to_dict() for e in message], "allowed_mentions": {"parse": []}} for message in messages]


# --- one bot for the whole module, on a loop in a background thread ---------------------------------------


class ErrorRecords(logging.Handler):
    """Keeps every record of level ERROR or above, from any logger (ours, discord.py's, asyncio's)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclasses.dataclass(repr=False)
class Live:
    loop: asyncio.AbstractEventLoop
    fake: FakeDiscord
    bot: CourseBot
    errors: ErrorRecords
    tree: list[dict[str, Any]]
    database: Path
    store: Store  # a second, private store for the core tests of the critique tracker

    def call(self, make: Callable[[], Awaitable[T]], timeout: float = 30) -> T:
        """Run a coroutine on the bot's loop and wait for its result (or its exception)."""

        async def run() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="hostile-input-bot", daemon=True)
    thread.start()

    def call(coro: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(30)  # type: ignore[arg-type]

    async def cancel_the_rest() -> None:
        rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    # The wall clock stands still at NOW, for the bot and its reminder scheduler alike (/remind on plans DMs).
    frozen = time_machine.travel(NOW, tick=False)
    frozen.start()
    fake = make_fake()
    database = tmp_path_factory.mktemp("hostile") / "coursebot.sqlite3"
    try:
        call(fake.start())
        context = running_bot(fake, settings_for(fake, database.parent, reminder_channel_id=None), system_clock)
        try:
            bot = call(context.__aenter__())
            store = call(Store.open(":memory:"))
            try:
                yield Live(loop, fake, bot, errors, fake.commands(fake.guild_id), database, store)
            finally:
                call(store.close())
                call(context.__aexit__(None, None, None))
        finally:
            call(fake.stop())
    finally:
        with contextlib.suppress(Exception):
            call(cancel_the_rest())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        frozen.stop()
        logging.getLogger().removeHandler(errors)


def tables(database: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def invoke(live: Live, name: str, sub: str | None, options: dict[str, Any] | None,
                 caller: dict[str, Any]) -> RecordedRequest:
    """Send a command, wait for its callback and for the bot to finish with it; return the callback."""
    interaction = await live.fake.send_interaction(name=name, subcommand=sub or (), options=options, **caller)
    callback = await live.fake.wait_for_callback(interaction)
    await settle()
    return callback


async def exchange(live: Live, target: Target, options: dict[str, Any]) -> list[dict[str, Any]]:
    """Send the command with these options (undoing a change it made), check every request and log record."""
    fake, bot = live.fake, live.bot
    since, logged, changes = len(fake.requests), len(live.errors.records), len(bot.state.log)
    await invoke(live, target.name, target.sub, options, TEACHER if target.instructor else STUDENT_CALLER)
    if len(bot.state.log) > changes:  # the change was valid: take it back so every example starts alike
        await invoke(live, "course", "undo", None, TEACHER)
    requests = fake.requests[since:]
    assert [(r.method, r.path, r.status, r.response) for r in requests if r.status is None or r.status >= 400] == []
    assert [r.getMessage() for r in live.errors.records[logged:]] == []
    assert tables(live.database) >= TABLES
    bodies = [body for _, body in message_bodies(requests)]
    check_bodies(bodies, ping=options.get("ping"))
    return bodies


# --- through the fake Discord -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
@END_TO_END
@given(data=st.data())
def test_any_input_through_discord(live: Live, target: Target, data: st.DataObject) -> None:
    """Any text in any string option: an answer within limits, no error logged, no ping, the tables intact."""
    options = draw_options(data, target, live.tree)
    if target.name == "announce":
        ping = data.draw(st.sampled_from([None, "everyone", "students"]), label="ping")
        if ping:
            options["ping"] = ping
    live.call(lambda: exchange(live, target, options))


AUTOCOMPLETED = [("readings", None, "date"), ("critique", "log", "date"), ("course", "cancel", "date"),
                 ("course", "remove-reading", "title")]


@pytest.mark.parametrize(("name", "sub", "focused"), AUTOCOMPLETED, ids=[f"{n} {s or ''} {f}" for n, s, f in
                                                                        AUTOCOMPLETED])
@END_TO_END
@given(typed=HOSTILE.map(lambda s: s[:OPTION_MAX]), date=DATE_TEXT.map(lambda s: s[:OPTION_MAX]))
def test_any_text_while_autocompleting(live: Live, name: str, sub: str | None, focused: str, typed: str,
                                       date: str) -> None:
    """Whatever is typed so far, autocomplete answers with at most 25 choices within Discord's limits."""
    options = {focused: typed} if focused == "date" else {"date": date, focused: typed}

    async def go() -> None:
        since, logged = len(live.fake.requests), len(live.errors.records)
        caller = TEACHER if name == "course" else STUDENT_CALLER
        interaction = await live.fake.send_interaction(name=name, subcommand=sub or (), options=options,
                                                       focused=focused, type=4, **caller)
        callback = await live.fake.wait_for_callback(interaction)
        await settle()
        assert callback.status == 200, callback.response
        assert all(r.status is not None and r.status < 400 for r in live.fake.requests[since:])
        assert [r.getMessage() for r in live.errors.records[logged:]] == []

    live.call(go)


# --- through the core (no Discord): the same answers, rendered to embeds --------------------------------


def core_messages(live: Live, course, target: Target, o: dict[str, str]) -> list[list[discord.Embed]]:
    """What the cog would send for these options, computed from the core and the renderer only."""
    now = NOW
    name = target.id
    if name == "readings":
        return embeds.readings_messages(queries.readings(course, o.get("date"), now))
    if name == "schedule":
        return embeds.pack(embeds.schedule(queries.schedule(course, o.get("week"), now)))
    if name == "search":
        return embeds.pack(embeds.search(search(course, o["query"])))
    if name in ("critique log", "critique remove"):
        action = critiques.log_critique if name == "critique log" else critiques.remove_critique
        message = live.call(lambda: action(live.store, course, STUDENT, o["date"], now))
        return embeds.pack(embeds.Doc("Critique tracker", [embeds.safe(message)]))
    if name == "remind on":
        kinds = ", ".join(kind_label(course, k) for k in parse_kinds(course, o.get("kinds")))
        return embeds.pack(embeds.Doc("DM reminders on", [f"You will get direct messages for: {kinds}."]))
    if name == "announce":
        return embeds.pack(embeds.Doc("Announcement", [embeds.instructor_markdown(o["message"])], footer="— Prof"))
    params = {k: resolve_day(course, v, now).isoformat() if k in ("date", "to") else v for k, v in o.items()}
    kind = target.sub.replace("-", "_")
    change = prepare(course, Change.from_row(kind, params, None, author_id=INSTRUCTOR, author="Prof"))
    after = apply_change(course, change)
    messages = embeds.pack(embeds.Doc("Course update", [embeds.safe(describe(change, course))], footer="— Prof"))
    if kind == "officehours":
        messages += embeds.pack(embeds.office_hours(queries.office_hours(after, now)))
    elif "date" in params:
        messages += embeds.readings_messages(queries.readings(after, params.get("to", params["date"]), now))
    return messages


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
@CORE
@given(data=st.data())
def test_any_input_through_the_core(live: Live, course, target: Target, data: st.DataObject) -> None:
    """The core answers any option text or refuses it with a sentence; the rendered embeds fit and ping nobody."""
    options = draw_options(data, target, live.tree)
    try:
        messages = core_messages(live, course, target, options)
    except (QueryError, ChangeError) as exc:
        assert str(exc).strip()
        return
    assert messages and all(1 <= len(m) <= 10 for m in messages)
    check_bodies(embed_bodies(messages))


# --- markdown cannot break an announcement's layout -------------------------------------------------------

MARKDOWN_TEXT = st.lists(st.one_of(st.sampled_from(MARKDOWN + MENTIONS), st.text(max_size=8)), min_size=1,
                         max_size=40).map("".join).filter(str.strip)


def announced_descriptions(live: Live, since: int) -> list[str]:
    return [embed.get("description") or "" for request, body in message_bodies(live.fake.requests[since:])
            if request.path == f"/channels/{ANNOUNCEMENTS}/messages" for embed in body["embeds"]]


def announce_and_read(live: Live, message: str) -> list[str]:
    """/announce `message` as the instructor; the descriptions of the embeds posted to #announcements."""

    async def go() -> list[str]:
        since = len(live.fake.requests)
        await invoke(live, "announce", None, {"message": message}, TEACHER)
        return announced_descriptions(live, since)

    return live.call(go)


@END_TO_END
@given(message=MARKDOWN_TEXT.map(lambda s: s[:1500] if len(s) % 3 else (s * 200)[:3900]).filter(str.strip))
def test_markdown_in_an_announcement_is_kept_as_typed(live: Live, message: str) -> None:
    """An /announce text is posted with its markdown as typed (bold, lists, links), mentions disarmed, an unclosed
    code block closed, within every limit (the fake checks them) and pinging nobody."""
    descriptions = announce_and_read(live, message)
    assert descriptions
    closed = message + "\n```" if message.count("```") % 2 else message
    if len(descriptions) == 1:
        assert as_typed(descriptions[0]) == closed
    else:  # a text too long for one embed is cut, and the packer escapes markdown a cut could break
        assert unescape("".join(descriptions)) == as_typed(re.sub(r"\\([^0-9A-Za-z\s])", r"\1", closed))
    assert not re.search(r"@(everyone|here|[!&]?\d{17,20})", "".join(descriptions))


@END_TO_END
@given(text=MARKDOWN_TEXT.map(lambda s: s[:500]).filter(lambda s: s.strip().lower() not in ("clear", "none", "-")))
def test_markdown_in_an_office_hours_note_is_shown_literally(live: Live, text: str) -> None:
    """/course officehours text is announced and shown by /officehours escaped."""

    async def go() -> tuple[list[str], str]:
        since = len(live.fake.requests)
        await invoke(live, "course", "officehours", {"text": text}, TEACHER)
        announced = announced_descriptions(live, since)
        answer = (await invoke(live, "officehours", None, None, STUDENT_CALLER)).json["data"]
        await invoke(live, "course", "undo", None, TEACHER)
        return announced, answer["embeds"][0]["description"]

    announced, shown = live.call(go)
    prefix = "Office hours update: "
    assert len(announced) == 1 and announced[0].startswith(prefix)
    assert markdown_leaks(announced[0]) == []
    assert unescape(announced[0][len(prefix):]) == as_typed(text)
    note = "**Note from the instructor:** "  # the bot's own bold, then the note
    assert shown.startswith(note)
    assert markdown_leaks("x" * len(note) + shown[len(note):].split("\n")[0]) == []


@pytest.mark.parametrize("message", [
    "**bold** and __underlined__", "```py\nprint('code')\n```", "# heading", "## heading\n### smaller", "> quote",
    ">>> the rest", "[link](http://x)", "~~strike~~ ||spoiler|| `code`", "-# small print", "- item\n- item",
    "text\n# heading\n> quote\n[link](http://x)", "http://x.org/_a_ *b* _c_", "Before\n\n- a list item",
    "Steps:\n  - indented item",
])
def test_announcement_markdown_examples_are_kept(live: Live, message: str) -> None:
    """Each kind of markdown the instructor types is posted as typed, for Discord to format."""
    descriptions = announce_and_read(live, message)
    assert "".join(descriptions) == message


@pytest.mark.parametrize(("message", "posted"), [
    ("@everyone **exam moved**", "@\u200beveryone **exam moved**"),
    ("<@&1150000000000000002> see <@1140000000000000001>",
     "<@\u200b&1150000000000000002> see <@\u200b1140000000000000001>"),
    ("```\nan unclosed block", "```\nan unclosed block\n```"),
], ids=["everyone", "role and user", "unclosed code block"])
def test_announcement_mentions_are_disarmed_and_code_blocks_closed(live: Live, message: str, posted: str) -> None:
    assert "".join(announce_and_read(live, message)) == posted


@pytest.mark.parametrize("message", ["a" + "*" * 4100, "*" * 4090 + "\n# heading"], ids=["stars", "heading"])
def test_a_long_announcement_is_split_into_embeds_within_limits(live: Live, message: str) -> None:
    """An announcement long enough to need two embeds is posted whole, across both."""
    descriptions = announce_and_read(live, message)
    assert len(descriptions) == 2 and all(len(d) <= 4096 for d in descriptions)
    # A piece that starts a new embed has its first character escaped when it would turn into markdown of its own
    # (the packer cannot tell a typed heading from a line cut in two); the text is otherwise whole.
    assert "".join(descriptions).replace("\n", "").replace("\\#", "#") == message.replace("\n", "")


# --- SQL stays data ---------------------------------------------------------------------------------------

SQL_TEXTS = {
    "reason": "'); DROP TABLE critiques;--",
    "title": "Robert'); DELETE FROM course_changes WHERE ('1'='1",
    "authors": "\"; UPDATE course_changes SET kind = 'x'; --",
    "url": "https://example.org/?q=');DROP%20TABLE%20dm_subscriptions;--",
    "text": "x'); DROP TABLE reminder_ledger; SELECT ('",
}


def test_sql_in_options_round_trips_as_data(live: Live) -> None:
    """SQL-looking option values and user names are stored and read back verbatim; every table survives."""
    sly = {"user": {"id": INSTRUCTOR + 7, "username": "x'); DROP TABLE course_changes;--"}, "roles": [INSTRUCTOR_ROLE]}
    commands = [
        ("cancel", {"date": "9/18", "reason": SQL_TEXTS["reason"]}),
        ("add-reading", {"date": "9/23", "title": SQL_TEXTS["title"], "authors": SQL_TEXTS["authors"],
                         "url": SQL_TEXTS["url"]}),
        ("officehours", {"text": SQL_TEXTS["text"]}),
    ]

    async def go() -> None:
        bot = live.bot
        await invoke(live, "critique", "log", {"date": "9/16"}, STUDENT_CALLER)
        logged = await bot.store.critiques(STUDENT)
        before = len(await bot.store.changes())
        for sub, options in commands:
            data = (await invoke(live, "course", sub, options, sly)).json
            assert data["type"] in (4, 5), data
        stored = (await bot.store.changes())[before:]
        assert [c.to_row()[1] for c in stored] == [
            {"date": "2024-09-18", "reason": SQL_TEXTS["reason"]},
            {"date": "2024-09-23", "title": SQL_TEXTS["title"], "authors": SQL_TEXTS["authors"],
             "url": SQL_TEXTS["url"]},
            {"text": SQL_TEXTS["text"]},
        ]
        assert {c.author for c in stored} == {"x'); DROP TABLE course_changes;--"}
        assert tables(live.database) >= TABLES
        assert await bot.store.critiques(STUDENT) == logged and logged
        assert await bot.store.integrity_ok()
        for _ in commands:
            await invoke(live, "course", "undo", None, TEACHER)
        await invoke(live, "critique", "remove", {"date": "9/16"}, STUDENT_CALLER)

    live.call(go)


STORE = REPO / "bot" / "store"  # the package: one module per group of tables
EXECUTORS = {"execute", "executemany", "executescript"}


def _constant_strings(tree: ast.Module) -> set[str]:
    """Module-level names bound to string literals (or sums or tuples of literals and earlier such names)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) for t in targets) and _is_literal(node.value, names):
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _is_literal(node: ast.expr, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_literal(node.left, constants) and _is_literal(node.right, constants)
    if isinstance(node, ast.Tuple):
        return all(_is_literal(e, constants) for e in node.elts)
    return False


def _is_user_version_pragma(node: ast.expr, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The one allowed exception: PRAGMA takes no parameters, so `PRAGMA user_version = {n}` is formatted, from an
    int: directly (`f"PRAGMA user_version = {version}"`) or in `_migrate`'s script around a MIGRATIONS entry."""
    if isinstance(node, ast.JoinedStr):
        parts = [ast.unparse(v.value) if isinstance(v, ast.FormattedValue) else v.value for v in node.values]
        return (len(parts) == 2 and parts[0] == "PRAGMA user_version = "
                and isinstance(node.values[1], ast.FormattedValue) and isinstance(node.values[1].value, ast.Name))
    if function.name != "_migrate" or not isinstance(node, ast.Name):
        return False
    assigned = [n.value for n in ast.walk(function) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)]
    if len(assigned) != 1 or not isinstance(assigned[0], ast.JoinedStr):
        return False
    script = assigned[0]
    literal = "".join(v.value for v in script.values if isinstance(v, ast.Constant))
    holes = [ast.unparse(v.value) for v in script.values if isinstance(v, ast.FormattedValue)]
    return "PRAGMA user_version = " in literal and holes == ["MIGRATIONS[number - 1]", "number"]


def sql_built_from_values(source: str) -> tuple[list[str], int]:
    """(statements not made of literals and module constants, number of statements checked) in `source`.

    A helper that hands its own parameter to execute (like Store._one) is followed to its call sites."""
    tree = ast.parse(source)
    constants = _constant_strings(tree)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    passers: dict[str, tuple[str, int]] = {}  # helper name -> (parameter name, positional index after self)
    bad: list[str] = []
    checked = 0
    for function in functions:
        params = [a.arg for a in function.args.args]
        for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
            if not (isinstance(call.func, ast.Attribute) and call.func.attr in EXECUTORS and call.args):
                continue
            sql = call.args[0]
            checked += 1
            if isinstance(sql, ast.Name) and sql.id in params and sql.id not in constants:
                passers[function.name] = (sql.id, params.index(sql.id) - (params[:1] == ["self"]))
            elif not (_is_literal(sql, constants) or _is_user_version_pragma(sql, function)):
                bad.append(f"line {call.lineno}: {ast.unparse(sql)}")
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        if name not in passers:
            continue
        param, index = passers[name]
        given = [k.value for k in call.keywords if k.arg == param] + call.args[index:index + 1]
        for sql in given:
            checked += 1
            if not _is_literal(sql, constants):
                bad.append(f"line {call.lineno}: {ast.unparse(sql)}")
    return bad, checked


def test_store_sql_is_never_built_from_values() -> None:
    """Every SQL statement bot/store/ executes is a literal or a module constant; values go in as parameters."""
    bad, checked = [], 0
    for module in sorted(STORE.glob("*.py")):
        found, count = sql_built_from_values(module.read_text(encoding="utf-8"))
        bad += [f"{module.name} {line}" for line in found]
        checked += count
    assert checked > 20
    assert bad == []


def test_the_sql_check_catches_built_statements() -> None:
    """Control: f-strings, format, %, concatenation with values, and statements built for a helper are caught."""
    source = """
SELECT = "SELECT kind FROM course_changes"
class Store:
    async def _one(self, sql, params=()):
        return await self._db.execute(sql, params)
    async def bad(self, kind, key):
        await self._db.execute(f"DELETE FROM critiques WHERE user_id = {kind}")
        await self._db.execute("SELECT * FROM t WHERE k = '{}'".format(key))
        await self._db.execute("SELECT * FROM t WHERE k = '%s'" % key)
        await self._db.execute(SELECT + " WHERE kind = '" + kind + "'")
        await self._one(SELECT + kind)
        await self._one(sql=f"{SELECT} LIMIT {key}")
        await self._db.execute(f"PRAGMA user_version = {key}; DROP TABLE critiques")
    async def good(self, key, version):
        await self._db.execute(SELECT + " WHERE kind = ?", (key,))
        await self._db.execute(f"PRAGMA user_version = {version}")
        await self._one("SELECT 1")
"""
    bad, checked = sql_built_from_values(source)
    assert len(bad) == 7 and checked == 11, bad
