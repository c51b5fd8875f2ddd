"""Every student command, invoked as a gateway INTERACTION_CREATE through the fake Discord."""

from __future__ import annotations

import re

import pytest

from bot.commands import STUDENT_COMMANDS
from bot.core.dates import parse_when
from bot.core.loader import load_course
from tests.harness import SCHEDULE, STUDENT, at

pytestmark = pytest.mark.asyncio

EPHEMERAL = 1 << 6


async def ask(fake, name, options=None, subcommand=()):
    """Send a command as a student and return the callback's message data."""
    interaction = await fake.send_interaction(name=name, options=options, subcommand=subcommand, user=STUDENT)
    callback = await fake.wait_for_callback(interaction)
    assert callback.status in (200, 204), callback.response
    assert callback.json["type"] == 4
    return callback.json["data"]


def embed_text(data) -> str:
    """Every text of a message's embeds, as a reader sees it (markdown escapes removed)."""
    parts = []
    for embed in data.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return re.sub(r"\\([*_`~|>#\-\[\]().\\])", r"\1", "\n".join(parts))


async def test_synced_tree_matches_spec(bot, fake):
    """The guild command tree holds SPEC.md's student commands with their options, descriptions <= 100."""
    synced = {c["name"]: c for c in fake.commands(fake.guild_id)}
    for command in STUDENT_COMMANDS:
        top, *sub = command.name.split()
        assert top in synced, top
        entry = synced[top]
        if sub:
            entry = next(o for o in entry["options"] if o["name"] == sub[0])
        assert entry["description"] == command.description
        assert len(entry["description"]) <= 100
        options = {o["name"]: o for o in entry.get("options", [])}
        assert set(options) == {o.name for o in command.options}
        for option in command.options:
            assert options[option.name]["type"] == 3  # STRING
            assert options[option.name].get("required", False) == option.required
            assert len(options[option.name]["description"]) <= 100
    assert fake.commands(None) == []  # guild sync only: nothing shows twice


async def test_readings_for_a_date(bot, fake):
    """/readings 9/18 names the class, its three papers, the slides and what is due."""
    data = await ask(fake, "readings", {"date": "9/18"})
    text = embed_text(data)
    assert "Wed Sep 18 · Class 7 · Self-supervised learning - Vision" in text
    for title in ("A Simple Framework for Contrastive Learning of Visual Representations",
                  "Emerging Properties in Self-Supervised Vision Transformers", "Vision Transformers Need Registers"):
        assert title in text
    assert "SimCLR slides" in text
    assert "due before class (printed) — tomorrow" in text
    assert data["allowed_mentions"] == {"parse": []}
    assert not data.get("flags", 0) & EPHEMERAL


async def test_readings_without_date_is_next_class(bot, fake):
    """/readings with no date answers for the next class."""
    assert "Class 7" in embed_text(await ask(fake, "readings"))


@pytest.mark.parametrize(("date", "count"), [("10/2", 8), ("10/14", 7)])
async def test_long_classes_render_completely(bot, fake, date, count):
    """The long classes show every paper, within Discord's limits (the fake rejects oversize payloads)."""
    course = load_course(SCHEDULE)
    session = parse_when(course, date, at(2024, 9, 17, 9)).session
    text = embed_text(await ask(fake, "readings", {"date": date}))
    assert len(session.papers) == count
    for paper in session.papers:
        assert paper.title in text


async def test_bad_date_is_an_ephemeral_error_in_console_words(bot, fake):
    """An unreadable date gets the console's exact sentence, ephemeral, as plain text."""
    data = await ask(fake, "readings", {"date": "13/45"})
    assert data["content"] == ("I couldn't read “13/45” as a date. Try 9/18, Sep 18, 2024-09-18, today, next, "
                               "or #7 (the class number).")
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}


async def test_no_class_names_neighbours(bot, fake):
    """9/2 (Labor Day) has no class; the answer names the classes around it."""
    text = embed_text(await ask(fake, "readings", {"date": "9/2"}))
    assert "There is no class on Mon Sep 2" in text
    assert "Wed Aug 28" in text and "Wed Sep 4" in text


async def test_cancelled_class(bot, fake):
    """10/9 says cancelled and why."""
    text = embed_text(await ask(fake, "readings", {"date": "#13"}))
    assert "cancelled" in text.lower()


async def test_next(bot, fake):
    """/next on Tue Sep 17 is Wednesday's class."""
    assert "Wed Sep 18 · Class 7" in embed_text(await ask(fake, "next"))


async def test_schedule(bot, fake):
    """/schedule shows this week and next."""
    text = embed_text(await ask(fake, "schedule"))
    assert "Mon Sep 16" in text and "Wed Sep 25" in text


async def test_schedule_bad_week(bot, fake):
    """A bad week gets an ephemeral error."""
    data = await ask(fake, "schedule", {"week": "someday"})
    assert data["flags"] & EPHEMERAL
    assert "couldn't read “someday” as a week" in data["content"]


async def test_officehours(bot, fake):
    """/officehours names who, when, where, with a Discord timestamp for the next one."""
    text = embed_text(await ask(fake, "officehours"))
    assert "Prof. Jacobs" in text and "Iribe 4240" in text and "Wednesdays 10am–11am" in text
    next_start = int(at(2024, 9, 18, 10).timestamp())
    assert f"<t:{next_start}:F>" in text


async def test_deadlines(bot, fake):
    """/deadlines lists critiques, the proposal and the final paper with relative times."""
    text = embed_text(await ask(fake, "deadlines"))
    assert "Critiques for class 7" in text and "tomorrow" in text
    assert "Project proposal — Wed Oct 16" in text and "Final paper — Mon Dec 9" in text


async def test_search(bot, fake):
    """/search finds Flamingo with its class date."""
    text = embed_text(await ask(fake, "search", {"query": "flamingo visual"}))
    assert "Flamingo: a Visual Language Model for Few-Shot Learning" in text
    assert "Mon Oct 14" in text


async def test_critique_rules(bot, fake):
    """/critique rules lists the policy."""
    text = embed_text(await ask(fake, "critique", subcommand="rules"))
    assert "10 in total" in text and "Do not use LLMs" in text


async def test_help(bot, fake):
    """/help lists every student command, ephemerally."""
    data = await ask(fake, "help")
    text = embed_text(data)
    assert data["flags"] & EPHEMERAL
    for command in STUDENT_COMMANDS:
        assert f"/{command.name}" in text


async def test_autocomplete_dates(bot, fake):
    """Autocomplete offers class dates with topics, filtered, at most 25, names <= 100 chars."""
    interaction = await fake.send_interaction(name="readings", options={"date": "sep"}, focused="date", type=4,
                                              user=STUDENT)
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["type"] == 8
    choices = callback.json["data"]["choices"]
    assert 0 < len(choices) <= 25
    assert all(len(c["name"]) <= 100 for c in choices)
    assert all(c["value"].startswith("2024-09") for c in choices)
    assert choices[0]["value"] == "2024-09-18"  # upcoming first
    empty = await fake.send_interaction(name="readings", options={"date": ""}, focused="date", type=4, user=STUDENT)
    assert len((await fake.wait_for_callback(empty)).json["data"]["choices"]) == 25


async def test_answer_is_fast(bot, fake):
    """The callback for a long answer arrives well inside Discord's 3-second window."""
    interaction = await fake.send_interaction(name="readings", options={"date": "10/2"}, user=STUDENT)
    callback = await fake.wait_for_callback(interaction)
    assert callback.time - interaction.created < 1.0
