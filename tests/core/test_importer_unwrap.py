"""A plain-text page copied out of a PDF (unwrap.py): hyphenated line breaks, page headers, wrapped bullets."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.importer import import_page
from bot.core.importer.unwrap import unwrap
from bot.core.loader import load_text

SYLLABI = Path(__file__).resolve().parents[1] / "data" / "syllabi"


def test_a_word_broken_with_a_hyphen_is_mended() -> None:
    assert unwrap("the principles behind distri-\nbuted systems: time\n") == \
        "the principles behind distributed\nsystems: time\n"
    assert unwrap("Tue Jan 13 What makes a system distri-\nbuted?\nTue Jan 15 Clocks") == \
        "Tue Jan 13 What makes a system distributed?\nTue Jan 15 Clocks"


def test_a_real_hyphen_stays_and_a_capital_is_not_a_rest_of_a_word() -> None:
    page = "We study self-\nsupervised learning.\nSelf-supervised methods are popular.\nThe Globally-\nDistributed one."
    assert unwrap(page).splitlines() == ["We study self-supervised", "learning.",
                                         "Self-supervised methods are popular.", "The Globally-", "Distributed one."]
    assert unwrap("a well-\nknown result") == "a wellknown\nresult"  # the page never writes "well-known"
    assert unwrap("a mid- and long-term plan") == "a mid- and long-term plan"  # no line break: nothing to mend


def test_page_headers_footers_and_lone_numbers_are_left_out() -> None:
    page = ("Tue Jan 13 Intro\nCS 210 Syllabus — Page 1 of 4\nThu Jan 15 Clocks\n1\nTue Jan 20 RPC\n2\n"
            "Notes for CS 210, 3\nThu Jan 22 Snapshots\nNotes for CS 210, 4\n")
    assert unwrap(page).splitlines() == ["Tue Jan 13 Intro", "Thu Jan 15 Clocks", "Tue Jan 20 RPC",
                                         "Thu Jan 22 Snapshots"]


def test_counted_lines_are_not_page_headers() -> None:
    page = "Week 1\nTue Jan 13 Intro\nWeek 2\nTue Jan 20 RPC\nHomework 1 due\nHomework 2 due\nPaper 3 due 3/6\n" \
        "Paper 4 due 3/7\nThe 3 readings\nThe 9 readings\nRead page 3 of 10 first.\n"
    assert unwrap(page) == page


def test_a_bullet_wrapped_over_lines_is_one_line() -> None:
    page = ('Tue Jan 13 Intro\n• Waldo, J. "A Note on Dis-\ntributed Computing." Sun Microsystems\n'
            "Laboratories, 1994.\n"
            '• Castro, M. "Practical Byzantine Fault Tolerance."\nOSDI, 1999.\nImportant dates\n'
            "- one\n    indented more\nThu Jan 15 Clocks\n")
    assert unwrap(page).splitlines() == [
        "Tue Jan 13 Intro", 'Waldo, J. "A Note on Distributed Computing." Sun Microsystems Laboratories, 1994.',
        'Castro, M. "Practical Byzantine Fault Tolerance." OSDI, 1999.', "Important dates", "- one indented more",
        "Thu Jan 15 Clocks"]


def test_a_label_or_a_blank_line_ends_a_bullet() -> None:
    assert unwrap("• Slides\nDue: HW 1\n\nnext paragraph\n") == "Slides\nDue: HW 1\n\nnext paragraph\n"


def test_the_pdf_page_reads_as_its_transcription() -> None:
    """The office hour's place without ", or by appoint-", no page header or half citation read as a reading."""
    text = (SYLLABI / "distsys_pdf.txt").read_text(encoding="utf-8")
    draft = import_page(text, kind="text", source="distsys_pdf.txt").text
    course = load_text(draft).course
    assert [h.place for h in course.office_hours] == ["Hollis Hall 310"]
    assert not re.search(r"Page \d of 4|\bbuted\b|appoint|\bDis\b|\bcon\b", draft)
    assert course.sessions[0].topic is not None and course.sessions[0].topic.startswith(
        "Introduction: what makes a system distributed")
    assert [len(s.papers) for s in course.sessions] == [1] * 10 + [0, 0] + [1] * 4
    assert all(not s.resources for s in course.sessions)
