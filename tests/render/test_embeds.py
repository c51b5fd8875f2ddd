"""Packing answers into embeds: every Discord limit holds and no line is lost."""

from __future__ import annotations

import pytest

from bot.core import queries
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
