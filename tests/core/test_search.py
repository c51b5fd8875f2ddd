"""/search: titles, authors, venues and topics across the syllabus, tolerant of typos."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.dates import QueryError
from bot.core.model import Course
from bot.core.search import search
from bot.render import text


def titles(course: Course, query: str) -> list[str]:
    return [h.title for h in search(course, query, limit=50).hits]


def test_flamingo_visual_finds_flamingo_on_10_14(course: Course) -> None:
    """'flamingo visual' finds only the Flamingo paper, with its class on Mon Oct 14."""
    (hit,) = search(course, "flamingo visual").hits
    assert hit.title.startswith("Flamingo: a Visual Language Model")
    assert hit.kind == "paper" and hit.detail == "Alayrac et al. · Neurips 2022"
    assert hit.session.number == 14 and hit.session.date == dt.date(2024, 10, 14)


@pytest.mark.parametrize(("query", "expected"), [
    ("trasnformer", "Attention is all you need"),
    ("Flamngo", "Flamingo: a Visual Language Model for Few-Shot Learning"),
    ("dettmers", "QLoRA: Efficient Finetuning of Quantized LLMs"),
    ("DETTMERS", "LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale"),
    ("sycophantic", "Towards Understanding Sycophancy in Language Models"),
    ("stochastic parots", "On the Dangers of Stochastic Parrots: Can Language Models Be Too Big?"),
], ids=["transposed letters", "missing letter", "author lowercase", "author uppercase", "other word form",
        "two words one typo"])
def test_typos_and_case(course: Course, query: str, expected: str) -> None:
    """Typos, transpositions and case do not stop a match."""
    assert expected in titles(course, query)


@pytest.mark.parametrize(("query", "expected", "number"), [
    ("Vaswani", "Attention is all you need", 4),
    ("Sutton", "Reinforcement Learning, an Introduction", 9),
    ("Darcet", "Vision Transformers Need Registers", 7),
])
def test_authors(course: Course, query: str, expected: str, number: int) -> None:
    """An author's name finds their paper (or book) and its class."""
    hit = search(course, query).hits[0]
    assert (hit.title, hit.session.number) == (expected, number)


def test_venue(course: Course) -> None:
    """'TMLR' finds the two TMLR papers first (CoCa on 9/23, DINOv2 on 11/11)."""
    hits = search(course, "TMLR").hits
    assert [(h.title.split(":")[0], h.session.date) for h in hits[:2]] == [
        ("CoCa", dt.date(2024, 9, 23)), ("DINOv2", dt.date(2024, 11, 11))]


def test_topic(course: Course) -> None:
    """'climate' finds class 20's topic and its papers, all in class 20 first."""
    hits = search(course, "climate").hits
    assert "Climate Foundation Models" in [h.title for h in hits if h.kind == "class"]
    assert {h.session.number for h in hits[:5]} == {20}


def test_part_of_a_dotted_name(course: Course) -> None:
    """'int8' finds LLM.int8() (the paper and its blog post)."""
    assert titles(course, "int8") == ["LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale",
                                      "LLM.int8() blog"]


def test_short_name_does_not_match_et_al(course: Course) -> None:
    """'hal' finds Hal's book only, not every paper by 'X et al.'."""
    assert titles(course, "hal") == ["Hal’s book"]


@pytest.mark.parametrize(("query", "kind", "title"), [
    ("platonic", "other paper", "The Platonic Representation Hypothesis"),
    ("existential", "other topic", "Existential risks of AI"),
])
def test_other_papers_and_topics_have_no_class(course: Course, query: str, kind: str, title: str) -> None:
    """The closing lists are searchable and their hits are attached to no class."""
    (hit,) = search(course, query).hits
    assert (hit.kind, hit.title, hit.session) == (kind, title, None)


@pytest.mark.parametrize(("query", "place"), [
    ("platonic", "Other papers of interest (not assigned to a class)"),
    ("existential", "Other possible topics (not scheduled)"),
])
def test_other_hits_are_marked_in_the_answer(course: Course, query: str, place: str) -> None:
    """The printed answer says such a hit is not attached to a class."""
    assert place in text.search(search(course, query))


def test_hit_text_names_its_class(course: Course) -> None:
    """A hit in a class prints its date, class number and topic."""
    assert "Mon Oct 14 · Class 14 · Multi-modal LLMs (paper)" in text.search(search(course, "flamingo"))


def test_no_hit_suggests_a_word(course: Course) -> None:
    """No match gives no hits and a near word from the syllabus."""
    answer = search(course, "quantum")
    assert answer.hits == () and answer.total == 0 and answer.suggestion == "quantized"
    assert text.search(answer) == "Nothing in the syllabus matches “quantum”. Did you mean “quantized”?"


def test_no_hit_and_nothing_near(course: Course) -> None:
    """Gibberish gives no hits and no suggestion."""
    answer = search(course, "xyzzy")
    assert answer.hits == () and answer.suggestion is None


@pytest.mark.parametrize("query", ["", "   ", "!!!", "¿?", "—"])
def test_empty_query_is_a_clean_error(course: Course, query: str) -> None:
    """A query with no words is a QueryError that says what to type."""
    with pytest.raises(QueryError, match="Tell me what to look for"):
        search(course, query)


def test_limit_and_total(course: Course) -> None:
    """Many hits are cut to the limit; the total counts them all."""
    answer = search(course, "transformer", limit=3)
    assert len(answer.hits) == 3 and answer.total > 3
    assert f"(showing 3 of {answer.total})" in text.search(answer)


def test_ranked_best_first(course: Course) -> None:
    """Hits are sorted by score, best first."""
    scores = [h.score for h in search(course, "vision transformer", limit=50).hits]
    assert scores == sorted(scores, reverse=True) and len(scores) > 3


def test_long_query_is_cut(course: Course) -> None:
    """A very long query is answered, echoing at most 200 characters."""
    answer = search(course, "flamingo " * 1000)
    assert len(answer.query) <= 200 and answer.hits[0].title.startswith("Flamingo")
