"""Schedules by weeks (bot/core/importer/weeks.py): the week's dates in its heading, as a range, "Week of", days from
weekday lines or from the meeting days the page states, a holiday inside a week, a break week, humanities citations."""

from __future__ import annotations

import datetime as dt

from bot.core.importer import import_page
from bot.core.importer.citations import read_item
from bot.core.loader import load_text

RANGES = """# HIST 101: Modern Worlds (Spring 2026)

Lectures MW 10:30–11:50am, Baker Hall 100.

## Week 1: Jan 12 – Jan 16 — Beginnings

- Eric Foner, Reconstruction (Harper, 1988), ch. 3
- The Great Transformation — Karl Polanyi

## Week 2 — January 19–23

Monday: no class — Martin Luther King Jr. Day

Wednesday: Empires

- Jane Burbank, *Empires in World History*, pp. 1–22

## Week of Jan 26

Mon Jan 26 – Trade and plunder

- Kenneth Pomeranz, *The Great Divergence*, ch. 1

Wednesday (Jan 28): Silver

- Dennis Flynn, "Born with a Silver Spoon," *Journal of World History* 6 (1995), pp. 201–221

## Grading

Participation 20%.
"""

LISTED = """ECON 210: Markets and Morals
Fall 2025. Tue/Thu 9:30-10:45am, Room 12.

Week 1: Sep 1 - Sep 5 Markets
Tuesday: What markets do
  Adam Smith, The Wealth of Nations, book 1, ch. 2
Thursday:
  Karl Polanyi, The Great Transformation, ch. 4
Week 2 (Sep 8-12): Labor Day week, no classes
Week 3 (Sep 16, 18)
Tuesday: Prices
Thursday: Quiz 1
"""


def test_week_ranges_weekday_lines_and_meeting_days() -> None:
    draft = import_page(RANGES, kind="markdown")
    course = load_text(draft.text).course
    assert [s.date for s in course.sessions] == [dt.date(2026, 1, d) for d in (12, 14, 19, 21, 26, 28)]
    first, second, holiday, empires, trade, silver = course.sessions
    assert [r.title for r in first.resources] == ["Reconstruction, ch. 3", "The Great Transformation"]
    assert {r.kind for r in first.resources} == {"book"} and first.resources[1].authors == "Karl Polanyi"
    assert second.topic == "Beginnings" and not second.resources  # the week's theme; its readings on the first
    assert "one class per meeting day (Mon, Wed)" in draft.text and "put on its first class" in draft.text
    assert holiday.cancelled and holiday.reason == "Martin Luther King Jr. Day"
    assert (empires.topic, empires.resources[0].title, empires.resources[0].authors) == (
        "Empires", "Empires in World History, pp. 1–22", "Jane Burbank")
    assert trade.topic == "Trade and plunder" and trade.resources[0].title == "The Great Divergence, ch. 1"
    paper = silver.papers[0]
    assert (paper.title, paper.authors, paper.venue, paper.year) == (
        "Born with a Silver Spoon", "Dennis Flynn", "Journal of World History", 1995)
    assert "Participation" not in draft.text


def test_listed_days_break_week_and_theme_fallback_in_text() -> None:
    course = load_text(import_page(LISTED, kind="text").text).course
    assert [s.date for s in course.sessions] == [dt.date(2025, 9, d) for d in (2, 4, 16, 18)]
    assert [s.topic for s in course.sessions] == ["What markets do", "Markets", "Prices", "Quiz 1"]
    assert [(b.start, b.end) for b in course.breaks] == [(dt.date(2025, 9, 8), dt.date(2025, 9, 12))]
    assert course.sessions[0].resources[0].title == "The Wealth of Nations, book 1, ch. 2"


def test_humanities_citations() -> None:
    book = read_item("William Doyle, Origins of the French Revolution, pp. 1–34",
                     italic=("Origins of the French Revolution",))
    assert (book.kind, book.title, book.authors) == ("book", "Origins of the French Revolution, pp. 1–34",
                                                     "William Doyle")
    canvas = read_item("Arthur Young, Travels in France, pp. 45–60 (Canvas)")
    assert (canvas.kind, canvas.title, canvas.note) == ("book", "Travels in France, pp. 45–60", "Canvas")
    article = read_item('Colin Lucas, "The Theory and Practice of Denunciation," Journal of Modern History 68 (1996)',
                        italic=("Journal of Modern History",))
    assert (article.kind, article.authors, article.venue, article.year) == (
        "paper", "Colin Lucas", "Journal of Modern History", 1996)
    apa = read_item("Lamport, L. (1998). The part-time parliament. ACM TOCS.")
    assert apa.kind == "paper"  # not taken for a book
