"""A Dutch university's page in small (netsci_dutch.md): "Session 1 (12 Jan.)" dates in parentheses after a label,
day/month slash dates (said by a note, or only inferred from a "30/01"), "Surname, I. (2019) Title. Journal 4(2):
1–20." citations, dotted times, "Dutch local time" and "Dr. ir."."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.importer import import_page
from bot.core.importer.apa import read_apa
from bot.core.importer.events import TITLED
from bot.core.importer.times import zone_of
from bot.core.importer.when import leading_date, slash_order
from bot.core.loader import load_text

PAGE = """# Graphs 101

- **Session 1 (12 Jan.)** Introduction
- **Session 2 (15 Jan.)** Paths
- **Session 3 (19 Jan.)** Trees

## Assignments

| Assignment | Topic | Due |
|---|---|---|
| 1 | Paths | 30/01 |
| 2 | Trees | 06/03 |
"""


@pytest.mark.parametrize(("line", "number", "month", "day"), [
    ("Session 1 (12 Jan.) Introduction", 1, 1, 12), ("Lecture 4 (Feb 3): Trees", 4, 2, 3),
    ("Session 2 (15 Jan.)", 2, 1, 15)])
def test_a_date_in_parentheses_after_a_label(line: str, number: int, month: int, day: int) -> None:
    date = leading_date(line)
    assert date is not None and (date.number, date.month, date.day) == (number, month, day)


def test_slash_order_from_a_note_or_an_impossible_month() -> None:
    assert slash_order("Dates are written day/month.") == "note" and slash_order("Due (DD/MM)") == "note"
    assert slash_order("due 30/01 and 06/03") == "inferred"
    assert slash_order("due 1/30 and 3/6") is None and slash_order("13/02 and 2/14") is None  # both ways: as before


def test_a_day_month_page_reads_every_slash_date_day_first_and_says_so_when_inferred() -> None:
    noted = import_page(PAGE.replace("# Graphs 101", "# Graphs 101\n\nDates are day/month."), kind="markdown",
                        year=2026).text
    inferred = import_page(PAGE, kind="markdown", year=2026).text
    for text in (noted, inferred):
        course = load_text(text).course
        assert [s.date for s in course.sessions][0] == dt.date(2026, 1, 12)
        assert [(d.id, d.due, d.kind) for d in course.deadlines] == [("a1", dt.date(2026, 1, 30), "homework"),
                                                                     ("a2", dt.date(2026, 3, 6), "homework")]
    assert "read day/month" not in noted and "read day/month" in inferred
    assert "Assignment 1 (Paths)" in inferred
    month_first = load_text(import_page(PAGE.replace("30/01", "1/30").replace("06/03", "3/6"), kind="markdown",
                                        year=2026).text).course
    assert [d.due for d in month_first.deadlines] == [dt.date(2026, 1, 30), dt.date(2026, 3, 6)]


@pytest.mark.parametrize(("citation", "title", "venue"), [
    ("Erdős, P. & Rényi, A. (1959) On random graphs I. Publicationes Mathematicae 6: 290–297.", "On random graphs I",
     "Publicationes Mathematicae"),
    ("Watts, D. J. & Strogatz, S. H. (1998) Collective dynamics of 'small-world' networks. Nature 393(6684): 440–442.",
     "Collective dynamics of 'small-world' networks", "Nature"),
    ("Kleinberg, J. M. (2000) Navigation in a small world. Nature 406(6798): 845.", "Navigation in a small world",
     "Nature")])
def test_volume_issue_colon_pages_leave_the_venue(citation: str, title: str, venue: str) -> None:
    apa = read_apa(citation)
    assert apa is not None and (apa.kind, apa.title, apa.venue) == ("paper", title, venue)


def test_a_book_chapter_keeps_its_chapter() -> None:
    apa = read_apa("Barabási, A.-L. (2016) Network Science, ch. 1. Cambridge University Press.")
    assert apa is not None and (apa.kind, apa.title) == ("book", "Network Science, ch. 1")


def test_dutch_time_and_titles() -> None:
    assert zone_of("All times are Dutch local time (CET).") == ("Europe/Amsterdam", None)
    assert (m := TITLED.search("Coordinator: Dr. ir. Sanne de Vries (s@x.nl)")) and m[0] == "Dr. ir. Sanne de Vries"
    assert (m := TITLED.search("Prof. Dr. Jonas Keller, room 3")) and m[0] == "Prof. Dr. Jonas Keller"


def test_no_session_cancels_and_a_heading_ends_a_listed_class() -> None:
    page = PAGE.replace("\n\n## Assignments", "\n- **22 Jan.** No session (study day)\n- **Session 4 (26 Jan.)** Cuts"
                        "\n\n## Assignments")
    course = load_text(import_page(page, kind="markdown", year=2026).text).course
    assert [(s.date.day, s.cancelled) for s in course.sessions] == [(12, False), (15, False), (19, False),
                                                                    (22, True), (26, False)]
    assert course.sessions[-1].topic == "Cuts" and not course.sessions[-1].resources  # the table is not its reading
