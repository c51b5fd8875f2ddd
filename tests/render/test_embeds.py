"""Packing answers into embeds: every Discord limit holds and no line is lost."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.core import queries
from bot.core.model import Paper
from bot.core.search import search
from bot.render import embeds
from bot.render.embeds import Doc, pack
from tests.harness import at


def all_text(messages) -> str:
    parts = []
    for message in messages:
        for e in message:
            parts += [e.title or "", e.description or ""]
            parts += [f.value for f in e.fields]
            parts.append(e.footer.text or "")
    return "\n".join(parts)


def assert_within_limits(messages) -> None:
    assert 1 <= len(messages)
    for message in messages:
        assert 1 <= len(message) <= embeds.EMBEDS_PER_MESSAGE_MAX
        total = 0
        for e in message:
            assert len(e.title or "") <= embeds.TITLE_MAX
            assert len(e.description or "") <= embeds.DESCRIPTION_MAX
            assert len(e.fields) <= embeds.FIELDS_MAX
            for f in e.fields:
                assert 1 <= len(f.name) <= embeds.FIELD_NAME_MAX
                assert 1 <= len(f.value) <= embeds.FIELD_VALUE_MAX
            assert len(e.footer.text or "") <= embeds.FOOTER_MAX
            total += embeds._embed_chars(e)
        assert total <= embeds.MESSAGE_EMBED_CHARS_MAX


@pytest.mark.parametrize("line_length", [10, 300, 1500, 5000])
@pytest.mark.parametrize("count", [1, 40, 400])
def test_huge_doc_fits_and_keeps_every_line(line_length, count):
    """Descriptions and fields of any size are split at line breaks into legal embeds and messages."""
    lines = [f"line {i} " + "x" * line_length for i in range(count)]
    doc = Doc("T" * 300, lines, [("Section", lines), ("Other", ["a", "b"])], footer="f" * 3000)
    messages = pack(doc)
    assert_within_limits(messages)
    text = all_text(messages).replace("\n", "")
    for line in lines:
        assert line in text


def test_small_doc_is_one_embed():
    """A short answer stays one embed in one message."""
    messages = pack(Doc("Title", ["hello"], [("S", ["a"])], footer="foot"))
    assert len(messages) == 1 and len(messages[0]) == 1
    assert messages[0][0].footer.text == "foot"


def test_long_title_is_kept_in_the_description():
    """A title over 256 characters is clipped, and the full text moves into the description."""
    title = "word " * 80
    messages = pack(Doc(title, ["body"]))
    assert len(messages[0][0].title) == embeds.TITLE_MAX
    assert title in messages[0][0].description


def test_schedule_text_cannot_ping_or_format():
    """Mentions and markdown from the schedule are escaped."""
    assert embeds.safe("@everyone **bold** <@&123>") != "@everyone **bold** <@&123>"
    assert "@\u200beveryone" in embeds.safe("@everyone")


def test_a_link_cannot_carry_a_mention(course):
    """A paper's link with '@everyone' in its path still leads there (encoded '%40'), and shows no mention."""
    url = "https://medium.com/@everyone/@here/@karpathy"
    session = course.session_on(dt.date(2024, 9, 18))
    session = dataclasses.replace(session, papers=(Paper(title="A post", url=url),))
    course = dataclasses.replace(course, sessions=tuple(session if s.number == session.number else s
                                                        for s in course.sessions))
    messages = embeds.readings_messages(queries.readings(course, "9/18", at(2024, 9, 1)))
    text = "\n".join([e.description or "" for m in messages for e in m]
                     + [f.value for m in messages for e in m for f in e.fields])
    assert "(<https://medium.com/%40everyone/%40here/@karpathy>)" in text
    assert "@everyone" not in text and "@here" not in text


@pytest.mark.parametrize("date", ["9/18", "10/2", "10/14", "#13", "9/2", "12/20"])
def test_every_readings_answer_fits(course, date):
    """Readings answers for ordinary, long, cancelled and empty days fit."""
    assert_within_limits(pack(embeds.readings(queries.readings(course, date, at(2024, 9, 17, 9)))))


def test_whole_term_schedule_fits(course):
    """/schedule all (every week of the term) fits, perhaps over several messages."""
    messages = pack(embeds.schedule(queries.schedule(course, "all", at(2024, 9, 17, 9))))
    assert_within_limits(messages)
    assert "Class 29" in all_text(messages)


def test_search_with_many_hits_fits(course):
    """A broad search fits."""
    assert_within_limits(pack(embeds.search(search(course, "learning", limit=25))))


@pytest.mark.parametrize(("typed", "posted"), [
    ("(see http://arxiv.org/abs/1)].", "(see http://arxiv.org/abs/1)]."),  # a backslash would join the link
    ("[a](http://x)]", "\\[a\\](http\\://x)\\]"),  # 'http://x)' is no link, and no backslash may make it one
    ("http://*", "http\\://\\*"),
    ("http://x.org/_a_ *b*", "http://x.org/_a_ \\*b\\*"),  # inside a link nothing is escaped
])
def test_links_stay_what_they_were(typed, posted):
    """Escaping never turns text into a link or a link into something longer."""
    assert embeds.safe(typed) == posted


def test_a_long_line_is_cut_before_a_link_and_never_inside_a_mention():
    """A line over the limit breaks where nothing is split: not a link, not '@' and the space that disarms it."""
    line = embeds.safe("x" * 90 + "http://arxiv.org/abs/" + "1" * 30)
    assert embeds._chunks([line], 100) == ["x" * 90, "http://arxiv.org/abs/" + "1" * 30]
    line = embeds.safe("@everyone" * 30)
    pieces = embeds._chunks([line], 100)
    assert "".join(pieces) == line and all(len(p) <= 100 and not p.startswith("\u200b") for p in pieces)


def test_a_link_longer_than_the_limit_goes_on_as_escaped_text():
    """Its rest is no longer a link in the next embed, so its markdown is escaped there (and the 'http://' too)."""
    line = "http://x.org/" + "a*" * 60 + "http://*"
    first, rest = embeds._chunks([embeds.safe(line)], 100)
    assert first == line[:100]
    assert rest.replace("\\", "") == line[100:] and rest.endswith("a\\*http\\://\\*")
    assert "*" not in rest.replace("\\*", "")
