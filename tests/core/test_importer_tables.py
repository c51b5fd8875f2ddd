"""Tables read by their columns: a Reading column as readings (split at ";"), a break row with a range of days,
tab-separated and space-aligned text tables, a deadline time stated in the prose, and a cancellation's reason."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.importer import import_page
from bot.core.importer.citations import read_item
from bot.core.importer.lines import text_lines
from bot.core.loader import load_text
from bot.core.model import Course

HEAD = "BIO 210 Field Ecology, Fall 2025\nHomework is due Fridays at 5pm.\n"
ROWS = [("Tue Sep 2", "Populations", "EEB 1.1–1.3", ""),
        ("Thu Sep 4", "Competition", 'EEB 2.1; Tilman (1982), "Resource Competition", Princeton Monographs',
         "HW 1 due Fri Sep 5"),
        ("Tue Sep 9", "No class — field trip", "", ""),
        ("Sep 15–19", "Fall break", "", ""),
        ("Tue Sep 23", "Predation", "Paine et al. (1966), \"Food web complexity\", American Naturalist 100(910)", ""),
        ("Thu Sep 25", "Mutualism", "EEB 3.2", "HW 2 due Fri Sep 26")]


def html(columns: tuple[str, ...] = ("Date", "Topic", "Reading", "Due")) -> str:
    order = [("Date", "Topic", "Reading", "Due").index(c) for c in columns]
    cells = lambda row: "".join(f"<td>{row[i]}</td>" for i in order)  # noqa: E731
    head = "".join(f"<th>{c}</th>" for c in columns)
    body = "".join(f"<tr>{cells(r)}</tr>" for r in ROWS)
    return f"<h1>BIO 210 Field Ecology, Fall 2025</h1><p>{HEAD.splitlines()[1]}</p><table><tr>{head}</tr>{body}</table>"


def tabbed() -> str:
    return HEAD + "Date\tTopic\tReading\tDue\n" + "\n".join("\t".join(r) for r in ROWS) + "\nGrading\n"


def spaced() -> str:
    width = (12, 24, 90)
    line = lambda cells: "".join(c.ljust(w) for c, w in zip(cells, width, strict=False)) + cells[-1]  # noqa: E731
    return HEAD + line(("Date", "Topic", "Reading", "Due")) + "\n" + "\n".join(line(r) for r in ROWS) + "\nGrading\n"


def course_of(text: str, kind: str) -> tuple[str, Course]:
    draft = import_page(text, kind=kind).text
    return draft, load_text(draft).course


@pytest.mark.parametrize("text, kind", [(html(), "html"), (html(("Date", "Reading", "Topic", "Due")), "html"),
                                        (tabbed(), "text"), (spaced(), "text")],
                         ids=["html", "html reading second", "tabs", "spaces"])
def test_a_table_read_by_its_columns(text: str, kind: str) -> None:
    draft, course = course_of(text, kind)
    assert [s.date for s in course.sessions] == [dt.date(2025, 9, d) for d in (2, 4, 9, 23, 25)]
    assert [s.topic for s in course.sessions] == ["Populations", "Competition", None, "Predation", "Mutualism"]
    assert course.sessions[2].reason == "Field trip"
    assert [(b.name, b.start, b.end) for b in course.breaks] == [("Fall break", dt.date(2025, 9, 15),
                                                                dt.date(2025, 9, 19))]
    assert [(r.title, r.kind) for s in course.sessions for r in s.resources] == [
        ("EEB 1.1–1.3", "book"), ("EEB 2.1", "book"), ("EEB 3.2", "book")]
    assert [(p.title, p.authors, p.venue, p.year) for s in course.sessions for p in s.papers] == [
        ("Resource Competition", "Tilman", "Princeton Monographs", 1982),
        ("Food web complexity", "Paine et al.", "American Naturalist", 1966)]
    assert [(d.title, d.due, d.due_time) for d in course.deadlines] == [
        ("HW 1", dt.date(2025, 9, 5), dt.time(17, 0)), ("HW 2", dt.date(2025, 9, 26), dt.time(17, 0))]
    assert "the page gives no time:" not in draft and "joined with" not in draft


def test_a_time_for_another_weekday_or_kind_is_not_taken() -> None:
    """"Homework is due Fridays at 5pm": a Wednesday homework or a project keeps the end of the day, marked."""
    page = "X 1, Fall 2025\nHomework is due Fridays at 5pm.\nTue Sep 2: A\nThu Sep 4: B\nTue Sep 9: C\n" \
           "HW 1 due Wed Sep 3. Project report due Fri Sep 5.\n"
    draft, course = course_of(page, "text")
    assert [d.due_time for d in course.deadlines] == [dt.time(23, 59), dt.time(23, 59)]
    assert draft.count("the page gives no time:") == 2


def test_prose_with_double_spaces_after_a_table_is_not_a_row() -> None:
    lines = text_lines("Date  Topic  Reading\nTue Sep 2  A  Ch. 1\nGrading is on a curve.  Exams count double.\n")
    assert lines[-1].text == "Grading is on a curve. Exams count double." and lines[-1].table is None


@pytest.mark.parametrize("text", ['Watch "The Story of Stuff" on YouTube', "Llama 3.1 model card"])
def test_no_paper_made_up_from_quotes_or_version_numbers(text: str) -> None:
    item = read_item(text)
    assert item.kind != "paper" and item.authors is None and item.kind != "book"
