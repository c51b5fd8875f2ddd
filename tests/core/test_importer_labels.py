"""Dates after a class's label ("Lecture 3 — Monday, January 27: Topic") or with a short weekday after them
("Sep 8 (M)"), "Reading:" lines, calendar lines whose columns are 2+ spaces apart, and a table of assignments apart
from the classes (urban_lms.html and ethics_plain.txt, in small)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.importer import import_page
from bot.core.importer.when import leading_date
from bot.core.loader import load_text
from bot.core.model import Course


def course(text: str, kind: str = "text") -> tuple[Course, str]:
    draft = import_page(text, kind=kind, year=2025).text
    return load_text(draft).course, draft


@pytest.mark.parametrize(("line", "number", "weekday"), [
    ("Lecture 3 — Monday, January 27: Concentrated poverty", 3, 0), ("Class 4: Tue 1/28 Topic", 4, 1),
    ("Session 2. Jan 16", 2, None), ("Meeting 12 Mar 3", 12, None), ("Day 5 Thursday, Feb 6", 5, 3),
    ("Sep 8 (M)", None, 0), ("Oct 9 (Th) Topic", None, 3), ("Oct 9 (R)", None, 3), ("3. 9/4", None, None)])
def test_dates_after_a_label_or_with_a_short_weekday(line: str, number: int | None, weekday: int | None) -> None:
    date = leading_date(line)
    assert date is not None and (date.number, date.weekday) == (number, weekday)


def test_lecture_labels_number_the_classes_when_they_leave_room() -> None:
    page = ("<h1>GEO 101</h1><ul><li>Lecture 1 &mdash; Tuesday, January 14: Maps</li>"
            "<li>Lecture 2 &mdash; Thursday, January 16: Scale</li><li>Tuesday, January 21: No class</li>"
            "<li>Lecture 4 &mdash; Thursday, January 23: Projections</li></ul>")
    got, text = course(page, "html")
    assert [(s.number, s.date.day, s.cancelled) for s in got.sessions] == [(1, 14, False), (2, 16, False),
                                                                          (3, 21, True), (4, 23, False)]
    assert "numbers this class" not in text
    crowded, text = course(page.replace("Lecture 4", "Lecture 3"), "html")  # the holiday leaves no number free
    assert [s.number for s in crowded.sessions] == [1, 2, 3, 4]
    assert text.count("# check: the page numbers this class 3;") == 1


def test_a_labelled_date_is_checked_against_its_weekday() -> None:
    _, text = course("Lecture 1 — Tuesday, January 14: Maps\nLecture 2 — Monday, January 16: Scale\n")
    assert "the page says Mon but 2025-01-16 is a Thu" in text


CALENDAR = """PHIL 1  Test Course
Fall 2025

CALENDAR

Sep 3 (W)    Introduction    Reading: none
Sep 8 (M)    Artifacts    Read: Langdon Winner, "Do Artifacts Have Politics?" Daedalus 109 (1980)
Sep 10 (W)   Virtue    Readings: Shannon Vallor, Technology and the Virtues, ch. 1; EFF guide (website)

DEADLINES

Assignment            Due                    Weight
Reading response 1    Fri Sep 12, 11:59pm    10%
Case analysis         Mon Sep 15, 5:00pm     20%
"""


def test_spaced_calendar_lines_and_reading_prefixes() -> None:
    got, _ = course(CALENDAR)
    assert [(s.date.day, s.topic) for s in got.sessions] == [(3, "Introduction"), (8, "Artifacts"), (10, "Virtue")]
    assert not got.sessions[0].papers and not got.sessions[0].resources  # "Reading: none"
    paper = got.sessions[1].papers[0]
    assert (paper.title, paper.authors, paper.venue, paper.year) == ("Do Artifacts Have Politics?", "Langdon Winner",
                                                                     "Daedalus", 1980)
    assert [(r.title, r.kind, r.authors) for r in got.sessions[2].resources] == [
        ("Technology and the Virtues, ch. 1", "book", "Shannon Vallor"), ("EFF guide", "web", None)]


def test_a_table_of_assignments_gives_deadlines_not_classes() -> None:
    got, _ = course(CALENDAR)
    assert [s.date for s in got.sessions][-1] == dt.date(2025, 9, 10)
    assert [(d.title, d.kind, d.due, d.due_time) for d in got.deadlines] == [
        ("Reading response 1", "homework", dt.date(2025, 9, 12), dt.time(23, 59)),
        ("Case analysis", "homework", dt.date(2025, 9, 15), dt.time(17, 0))]


def test_a_footer_and_a_bare_week_line_are_not_readings() -> None:
    page = ("<ul><li><strong>Week 1</strong><ul><li>Lecture 1 &mdash; Tuesday, January 14: Maps<ul>"
            "<li><a href='https://x.example/1'>Ann Lee, <em>Maps</em>, ch. 1</a></li></ul></li></ul></li>"
            "<li><strong>Week 2</strong><ul><li>Lecture 2 &mdash; Tuesday, January 21: Scale</li></ul></li></ul>"
            "<div class='footer'>Last modified: Jan 6, 2025 by Ann Lee</div>")
    got, _ = course(page, "html")
    assert [r.title for s in got.sessions for r in s.resources] == ["Maps, ch. 1"]
    assert not [p for s in got.sessions for p in s.papers]


def test_preparation_labels_empty_dues_exam_notes_and_an_exam_section() -> None:
    """"Before class:"/"Watch:" label readings (split at ";"); "Due: nothing" and an exam's "Covers …" are neither;
    a deadline's title loses its time; one due "at the start of class" takes the class's time; a dated line under
    an exam's own heading is that exam, not a class (signals_md.md, in small, with other words)."""
    page = ("# GEO 330: Landforms\n\nMon/Wed 9:00–10:15am, Hall 2\n\n## Calendar\n\n"
            "### Mon 3/3 — Rivers\nBefore class: Rivers pamphlet (web page); Delta field guide, ch. 2\nDue: nothing\n\n"
            "### Wed 3/5 — Glaciers\nWatch: [Ice ages](https://vimeo.com/123) (12 min)\n"
            "Due: Entry questionnaire, at the start of class\n\n"
            "### Mon 3/10 — Midterm (in class)\nCovers weeks 1–2. Calculators are allowed.\n\n"
            "### Wed 3/12 — Coasts\nPrepare: Coastline atlas, ch. 4\nDue: Essay 1, Fri 3/14 at 5:00pm\n\n"
            "## Final exam\n\nMonday, April 28, 1:00–3:00pm, Hall 9.\n")
    got, text = course(page, "markdown")
    assert [s.date.day for s in got.sessions] == [3, 5, 10, 12] and got.sessions[2].is_exam
    assert [r.title for s in got.sessions for r in s.resources] == [
        "Rivers pamphlet", "Delta field guide, ch. 2", "Ice ages", "Coastline atlas, ch. 4"]
    assert got.sessions[1].resources[0].kind == "video" and "nothing" not in text and "Covers" not in text
    assert [(d.title, d.due, d.due_time) for d in got.deadlines] == [
        ("Entry questionnaire", dt.date(2025, 3, 5), dt.time(9, 0)), ("Essay 1", dt.date(2025, 3, 14), dt.time(17, 0))]
    assert [(e.title, e.date, e.start, e.room) for e in got.exams] == [
        ("Final exam", dt.date(2025, 4, 28), dt.time(13, 0), "Hall 9")]
