"""Every test page against its hand transcription: the issue's scores, held on each page, and nothing carried over.

The pages: the seed (flattened text), an HTML table with a Due column, holidays, a break and exam rows plus
deadlines and office hours in sentences (networks_exams.html), APA citations under dated Markdown headings
(cognition_apa.md), a Markdown list under "Tue Jan 21" headings (consensus.md), an HTML table with links
(databases.html), a Markdown table (compilers_table.md) and a schedule by weeks, each day under a "Tuesday:"
line with bulleted "Author, *Title*, pp. 1–30" readings (history_weeks.md), and "### 3. Tue 1/20 — Topic" headings
with "Pre-class:", "Watch:" and "Due:" lines and a "## Final exam" section (signals_md.md), and a German
university's Date | Topic | Literature table with "due 30.4., 23:59" deadlines and "Berlin local time"
(nlp_berlin.html), and a Dutch university's bold "Session 1 (12 Jan.)" list with day/month "30/01" deadlines
(netsci_dutch.md), and a syllabus copied as plain text out of a PDF, with words hyphenated across lines, the
PDF's "Page 2 of 4" headers and "•" readings wrapped over lines (distsys_pdf.txt). Each transcription sits next
to its page (the seed's is tests/data/courses/ml_at_scale.yaml).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.core.importer import import_page
from bot.core.importer.lines import guess_kind
from bot.core.importer.score import Score, score
from bot.core.loader import load_text
from bot.core.model import Course

DATA = Path(__file__).resolve().parents[1] / "data"
SYLLABI = DATA / "syllabi"
PAGES = {  # page → its hand transcription
    "ml_at_scale.txt": DATA / "courses" / "ml_at_scale.yaml",
    "networks_exams.html": SYLLABI / "networks_exams.yaml",
    "cognition_apa.md": SYLLABI / "cognition_apa.yaml",
    "consensus.md": SYLLABI / "consensus.yaml",
    "databases.html": SYLLABI / "databases.yaml",
    "compilers_table.md": SYLLABI / "compilers_table.yaml",
    "stats_table.html": SYLLABI / "stats_table.yaml",
    "stats_table.txt": SYLLABI / "stats_table.yaml",  # the same table copied as tab-separated text
    "history_weeks.md": SYLLABI / "history_weeks.yaml",  # "Week 1 (Jan 13, 15): Theme" headings, "Tuesday:" lines
    "urban_lms.html": SYLLABI / "urban_lms.yaml",  # "Lecture 3 — Wednesday, January 22: Topic" list items
    "ethics_plain.txt": SYLLABI / "ethics_plain.yaml",  # "Sep 8 (M)    Topic    Reading: …", an assignments table
    "signals_md.md": SYLLABI / "signals_md.yaml",  # "### 3. Tue 1/20 — Convolution", "Pre-class:"/"Due:" lines
    "nlp_berlin.html": SYLLABI / "nlp_berlin.yaml",  # "Tue, 14 April" rows, "due 30.4., 23:59", "CET/CEST"
    "netsci_dutch.md": SYLLABI / "netsci_dutch.yaml",  # "**Session 1 (12 Jan.)**", "dates are day/month", "30/01"
    "distsys_pdf.txt": SYLLABI / "distsys_pdf.yaml",  # out of a PDF: "distri-\nbuted", "Page 2 of 4", wrapped "•"
}
# What each page reached when these tests were written (readings on date, in the same list, papers split right,
# facts right): a change that loses any of it fails here, beyond the floor.
REACHED = {
    "ml_at_scale.txt": (99, 99, 84, 7),  # the lost name, two typos fixed by hand; no time zone on the page
    "networks_exams.html": (27, 27, 16, 17),
    "cognition_apa.md": (26, 25, 18, 12),  # a book whose publisher names no cue ("Appleton-Century-Crofts")
    "consensus.md": (8, 8, 4, 6),
    "databases.html": (6, 6, 4, 5),
    "compilers_table.md": (4, 4, 2, 6),
    "stats_table.html": (25, 25, 3, 20),
    "stats_table.txt": (25, 25, 3, 20),
    "history_weeks.md": (24, 24, 3, 11),
    "urban_lms.html": (10, 10, 3, 10),
    "ethics_plain.txt": (11, 11, 5, 9),  # "Design critique" is transcribed as a project, read as "other"
    "signals_md.md": (14, 14, 2, 14),
    "nlp_berlin.html": (13, 13, 7, 11),  # "Prof. Dr. Jonas Keller", "room MA 004" → MA 004, "28.07.2026"
    "netsci_dutch.md": (14, 14, 12, 10),  # "Dr. ir. Sanne de Vries", "Dutch local time", "Nature 393(6684): 440–442"
    "distsys_pdf.txt": (14, 14, 14, 13),  # unwrap.py mends the breaks, drops the page headers, joins the bullets
}


def draft_of(name: str) -> str:
    text = (SYLLABI / name).read_text(encoding="utf-8")
    return import_page(text, kind=guess_kind(text, name), source=name).text


@pytest.fixture(scope="module", params=sorted(PAGES))
def measured(request: pytest.FixtureRequest) -> tuple[str, Course, Course, Score]:
    name = request.param
    draft = load_text(draft_of(name)).course
    reference = load_text(PAGES[name].read_text(encoding="utf-8")).course
    return name, draft, reference, score(draft, reference)


def test_every_class_date_right(measured: tuple[str, Course, Course, Score]) -> None:
    """All of the transcription's class dates, and no other."""
    name, draft, reference, s = measured
    assert (s.dates_right, s.extra_dates) == (s.dates, 0), name
    assert [c.date for c in draft.sessions] == [c.date for c in reference.sessions]


def test_readings_on_the_right_date_and_list(measured: tuple[str, Course, Course, Score]) -> None:
    """≥ 95% of the readings on the right date, ≥ 90% in the same list; and no worse than reached."""
    name, _, _, s = measured
    assert Score.share(s.on_date, s.items) >= 0.95 and Score.share(s.same_list, s.items) >= 0.90, name
    assert (s.on_date, s.same_list) >= REACHED[name][:2], name


def test_citations_split_as_transcribed(measured: tuple[str, Course, Course, Score]) -> None:
    """Authors, venue and year as in the transcription for ≥ 90% of the papers."""
    name, _, _, s = measured
    assert Score.share(s.split_right, s.papers) >= 0.90 and s.split_right >= REACHED[name][2], name


def test_deadlines_exams_office_hours_and_course_keys(measured: tuple[str, Course, Course, Score]) -> None:
    """What the page states besides readings: as many facts right as reached (every one where the page gives it)."""
    name, _, _, s = measured
    assert s.facts_right >= REACHED[name][3], name


def test_cut_short_topics_and_kinds_cannot_pass_by_chance() -> None:
    """Control: the score notices a draft that lost a class, moved a reading or split a paper differently."""
    reference = load_text(PAGES["networks_exams.html"].read_text(encoding="utf-8")).course
    text = draft_of("networks_exams.html")
    damaged = load_text(text.replace("date: 2026-04-15", "date: 2026-04-16").replace("venue: ACM TOCS", "venue: x")
                        .replace("kind: homework\n    due: 2026-01-23 23:59", "kind: homework\n    due: 2026-01-23"
                                 " 12:00")).course
    s = score(damaged, reference)
    assert s.extra_dates == 1 and s.on_date < s.items and s.split_right < s.papers and s.facts_right < s.facts


# Pages written after the importer's last changes, with their transcriptions written before the importer ever ran on
# them, of shapes it was not tuned for: (class dates right, readings on the right date, in the same list, papers
# split right, facts right) as they scored on that first run. Lower bounds, not targets; raise them as they improve.
# (urban_lms.html, ethics_plain.txt, signals_md.md, nlp_berlin.html, netsci_dutch.md and distsys_pdf.txt were such
# pages; the importer has since been fixed for them, and they are held to the targets above.)
UNTUNED: dict[str, tuple[int, int, int, int, int]] = {}


@pytest.mark.parametrize("name", sorted(UNTUNED))
def test_untuned_pages_lower_bound(name: str) -> None:
    """Each untuned page gives a draft that loads, and scores no lower than it did when first run."""
    reference = load_text((SYLLABI / name).with_suffix(".yaml").read_text(encoding="utf-8")).course
    s = score(load_text(draft_of(name)).course, reference)
    got = (s.dates_right, s.on_date, s.same_list, s.split_right, s.facts_right)
    assert all(a >= b for a, b in zip(got, UNTUNED[name], strict=True)), (name, got)


@pytest.mark.parametrize("name", sorted((set(PAGES) | set(UNTUNED)) - {"ml_at_scale.txt"}))
def test_nothing_from_the_first_course_in_another_draft(name: str) -> None:
    """No word of the first course (its instructor, building, critiques, a paper of it) in another page's draft,
    unless that page uses the word itself (the ethics page has a "Design critique" of its own)."""
    text, page = draft_of(name).lower(), (SYLLABI / name).read_text(encoding="utf-8").lower()
    for word in ("jacobs", "iribe", "critique", "machine learning", "attention is all you need"):
        assert not re.search(rf"\b{word}\b", text) or re.search(rf"\b{word}\b", page), (name, word)


def test_networks_page_details() -> None:
    """The HTML page's deadlines, exams, office hours, break and meeting pattern, with the guesses marked."""
    text = draft_of("networks_exams.html")
    course = load_text(text).course
    assert [(d.id, d.due, d.due_time) for d in course.deadlines] == [
        ("hw1", dt.date(2026, 1, 23), dt.time(23, 59)), ("quiz1", dt.date(2026, 2, 11), dt.time(10, 30)),
        ("hw2", dt.date(2026, 2, 13), dt.time(17, 0)), ("hw3", dt.date(2026, 3, 6), dt.time(23, 59)),
        ("project-proposal", dt.date(2026, 3, 27), dt.time(23, 59)), ("hw4", dt.date(2026, 4, 10), dt.time(23, 59)),
        ("final-project-report", dt.date(2026, 4, 22), dt.time(23, 59))]
    assert text.count("# check: the page gives no time: due at the end of the day") == 3
    assert [(b.name, b.start, b.end) for b in course.breaks] == [("Spring break", dt.date(2026, 3, 9),
                                                                  dt.date(2026, 3, 13))]
    assert course.term_end == dt.date(2026, 4, 28) and str(course.timezone) == "America/Chicago"
    assert [(h.who, h.place, h.link) for h in course.office_hours] == [
        ("Prof. Delgado", "Kirk Hall 412", None), ("Sam Oduya (TA)", "Online", "https://zoom.us/j/5550101")]
    assert [s.topic for s in course.sessions if s.is_exam] == ["Midterm exam (in class)"]  # not "Midterm review"
    assert "Last updated" not in text  # the footer after the table is not a reading


def test_stats_pages_details() -> None:
    """The Reading column as readings, the break row as a break, homework at the prose's 11:59pm; HTML = text."""
    html, txt = draft_of("stats_table.html"), draft_of("stats_table.txt")
    body = lambda text: text[text.index("\nsessions:"):]  # noqa: E731  (the titles differ: the text has no <h1>)
    assert body(html) == body(txt)
    course = load_text(html).course
    assert [(b.name, b.start, b.end) for b in course.breaks] == [("Spring break", dt.date(2026, 3, 16),
                                                                  dt.date(2026, 3, 20))]
    assert dt.date(2026, 3, 16) not in [s.date for s in course.sessions]
    assert {d.due_time for d in course.deadlines} == {dt.time(23, 59)} and "the page gives no time:" not in html
    assert [s.reason for s in course.sessions if s.reason] == ["Instructor at a conference"]
    assert "joined with" not in html and html.count("# check:") <= 3
