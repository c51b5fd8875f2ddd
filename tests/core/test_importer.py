"""`import_page`: a syllabus page → a draft schedule.yaml that loads, scored against hand transcriptions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.core.importer import ImportProblem, import_page
from bot.core.importer.lines import guess_kind
from bot.core.loader import load_text
from bot.core.model import Course

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = (DATA / "syllabi" / "ml_at_scale.txt").read_text(encoding="utf-8")
REFERENCE = load_text((DATA / "courses" / "ml_at_scale.yaml").read_text(encoding="utf-8")).course


def items(course: Course) -> list[tuple[dt.date, str, str]]:
    """Every reading of the sessions as (date, 'papers' | 'resources', title)."""
    return [(s.date, "papers", p.title) for s in course.sessions for p in s.papers] + [
        (s.date, "resources", r.title) for s in course.sessions for r in s.resources]


def scores(draft: Course, reference: Course) -> tuple[float, float]:
    """The share of the reference's readings found (fuzzy title) on the right date, and in the same list."""
    found = items(draft)
    right_date = same_list = 0
    for day, listing, title in items(reference):
        best = max(found, key=lambda f: (fuzz.token_set_ratio(f[2].lower(), title.lower()),
                                         fuzz.ratio(f[2].lower(), title.lower())), default=None)
        if best and fuzz.token_set_ratio(best[2].lower(), title.lower()) >= 85:
            right_date += best[0] == day
            same_list += best[0] == day and best[1] == listing
    total = len(items(reference))
    return right_date / total, same_list / total


@pytest.fixture(scope="module")
def seed() -> Course:
    draft = import_page(SEED, kind="text")
    return load_text(draft.text).course


def test_seed_every_session_date_right(seed: Course) -> None:
    """All 29 dates, the year from the weekday the page names, and "11/" read as 11/20 (the only class day between)."""
    assert [s.date for s in seed.sessions] == [s.date for s in REFERENCE.sessions]
    assert seed.meeting_days == REFERENCE.meeting_days == (0, 2)
    assert (seed.first_day, seed.last_day) == (REFERENCE.first_day, REFERENCE.last_day)


def test_seed_readings_on_the_right_date_and_list(seed: Course) -> None:
    """Measured: 99 of the 100 readings on the right date and in the same list as the hand transcription.

    The one missed is session 2's "A short introduction to neural networks (name lost)": its name was lost with
    the link, so no title on the page can match it.
    """
    on_date, in_list = scores(seed, REFERENCE)
    assert on_date >= 0.95 and in_list >= 0.90  # the targets
    assert on_date >= 0.99 and in_list >= 0.99  # the figures reached


def test_seed_citations_split_as_the_transcription(seed: Course) -> None:
    """Authors, venue and year as in the hand transcription for nearly every paper (typos the page has aside)."""
    ours = {p.title.lower(): p for s in seed.sessions for p in s.papers}
    theirs = [p for s in REFERENCE.sessions for p in s.papers]
    same = sum((q := ours.get(p.title.lower())) is not None and (q.authors, q.venue, q.year) ==
               (p.authors, p.venue, p.year) for p in theirs)
    assert same / len(theirs) >= 0.9


def test_seed_topics_cancellation_and_other_papers(seed: Course) -> None:
    """Topics as on the page (two lines joined), the cancelled class, and the closing lists."""
    by_number = {s.number: s for s in seed.sessions}
    assert by_number[13].cancelled and by_number[13].topic is None
    assert by_number[24].topic == "Generative models overview; Image Generation Diffusion"
    assert by_number[15].topic == "Understanding fine-tuning and in-context learning; Bias"
    assert by_number[2].topic == "Review of some ML concepts and history"
    assert by_number[1].topic is None and by_number[12].topic is None
    same_topics = sum(a.topic == b.topic for a, b in zip(seed.sessions, REFERENCE.sessions, strict=True))
    assert same_topics >= 27  # 11 ("LLMs fin", cut off on the page) and 19 differ
    assert seed.other_topics == REFERENCE.other_topics
    assert [p.title for p in REFERENCE.other_papers] == [p.title for p in seed.other_papers][:3]


def test_seed_draft_marks_guesses_and_lists_what_is_missing() -> None:
    """The lost day and the inferred year have `# check:`; the end lists the time zone and the topicless classes."""
    draft = import_page(SEED, kind="text")
    assert "# check: the page has “25. 11/” (day missing): the only class day" in draft.text
    assert "# check: the year 2024 was inferred" in draft.text
    closing = draft.text[draft.text.index("# Could not be read"):]
    assert "time zone" in closing and "session 29: no topic" in closing
    assert (draft.sessions, draft.cancelled, draft.year) == (29, 1, 2024)


def test_year_given_wins_and_is_not_marked() -> None:
    draft = import_page(SEED, kind="text", year=2024)
    assert draft.year_how == "given" and "was inferred" not in draft.text


# --- pages of other shapes, with what they should give --------------------------------------------------------

MARKDOWN = {  # date: (topic, cancelled, papers, resources)
    dt.date(2025, 1, 21): ("Introduction and logical clocks", False,
                           ["Time, Clocks, and the Ordering of Events in a Distributed System"], ["Lecture 1 slides"]),
    dt.date(2025, 1, 23): ("Failure models", False, ["The part-time parliament"],
                           ["Notes on distributed systems for young bloods blog post"]),
    dt.date(2025, 1, 28): ("Paxos", False, ["Paxos Made Simple"], ["Paxos lecture video"]),
    dt.date(2025, 1, 30): (None, True, [], []),
    dt.date(2025, 2, 4): ("Raft", False, ["In Search of an Understandable Consensus Algorithm"],
                          ["Designing Data-Intensive Applications, Chapter 9"]),
    dt.date(2025, 2, 6): ("Midterm exam", False, [], []),
}
HTML = {
    dt.date(2025, 9, 8): ("The relational model", False,
                          ["A Relational Model of Data for Large Shared Data Banks"], []),
    dt.date(2025, 9, 10): ("Query optimization", False,
                           ["Access Path Selection in a Relational Database Management System"], ["Optimizer slides"]),
    dt.date(2025, 9, 15): (None, True, [], []),
    dt.date(2025, 9, 17): ("Transactions", False, ["ARIES: A Transaction Recovery Method"],
                           ["A blog post on isolation levels"]),
    dt.date(2025, 9, 22): ("Column stores", False, ["C-Store: A Column-oriented DBMS"], []),
}


def shape(course: Course) -> dict[dt.date, tuple[str | None, bool, list[str], list[str]]]:
    return {s.date: (s.topic, s.cancelled, [p.title for p in s.papers], [r.title for r in s.resources])
            for s in course.sessions}


@pytest.mark.parametrize("name, expected", [("consensus.md", MARKDOWN), ("databases.html", HTML)])
def test_other_shapes_read_as_expected(name: str, expected: dict) -> None:
    """A Markdown list under "Tue Jan 21" headings; an HTML table Date | Topic | Readings with links."""
    text = (DATA / "syllabi" / name).read_text(encoding="utf-8")
    draft = import_page(text, kind=guess_kind(text, name))
    course = load_text(draft.text).course
    assert shape(course) == expected


def test_markdown_page_details() -> None:
    """Links kept, an author-first citation split, the exam row an exam, the class with no class cancelled."""
    text = (DATA / "syllabi" / "consensus.md").read_text(encoding="utf-8")
    course = load_text(import_page(text, kind="markdown").text).course
    first, second, _, travel, raft, exam = course.sessions
    assert first.papers[0].url == "https://example.org/lamport78.pdf"
    assert (first.papers[0].authors, first.papers[0].venue, first.papers[0].year) == ("Lamport", "CACM", 1978)
    assert (second.papers[0].authors, second.papers[0].venue, second.papers[0].year) == ("Lamport, L.", "ACM TOCS",
                                                                                          1998)
    assert raft.papers[0].authors == "Ongaro and Ousterhout" and raft.resources[0].kind == "book"
    assert travel.reason == "No class (instructor travelling)" and exam.is_exam
    assert course.term == "Spring 2025" and course.meeting_days == (1, 3)
    assert course.title == "CS 452 Distributed Systems"


def test_html_page_details() -> None:
    """Every link kept; kinds from cues; the holiday row cancelled with its words as the reason."""
    text = (DATA / "syllabi" / "databases.html").read_text(encoding="utf-8")
    course = load_text(import_page(text, kind="html").text).course
    assert [p.url for s in course.sessions for p in s.papers] == [
        "https://example.org/codd70.pdf", "https://example.org/selinger.pdf", "https://example.org/aries.pdf",
        "https://example.org/cstore.pdf"]
    assert [r.kind for s in course.sessions for r in s.resources] == ["slides", "blog"]
    assert course.sessions[2].reason == "Holiday"  # without its "No class —"
    assert course.instructor == "Professor Codd" and course.title == "Advanced Databases"


def test_wrong_weekday_is_marked() -> None:
    """A weekday the page gives that the date does not fall on (with --year) gets a `# check:`."""
    page = "Schedule\n\nTue Jan 21: Intro\nThu Jan 23: Clocks\nTue Jan 28: Paxos\nThu Jan 31: Raft\n"
    draft = import_page(page, kind="text", year=2025)
    assert "# check: the page says Thu but 2025-01-31 is a Fri" in draft.text
    load_text(draft.text)


def test_year_from_meeting_pattern_without_weekdays() -> None:
    """No weekday, no year: the year whose weekdays put the dates on the fewest days, nearest the term named."""
    page = "Fall 2024\n1. 9/3 Intro\n2. 9/5 Clocks\n3. 9/10 Paxos\n4. 9/12 Raft\n5. 9/17 Spanner\n"
    draft = import_page(page, kind="text")
    course = load_text(draft.text).course
    assert draft.year == 2024 and course.meeting_days == (1, 3)


def test_no_dates_is_a_clear_error() -> None:
    with pytest.raises(ImportProblem, match="No dated sessions"):
        import_page("Just some prose about a course.\nNo schedule here.", kind="text")


@pytest.mark.parametrize("name, kind", [("a.html", "html"), ("a.md", "markdown"), ("a.txt", "text"),
                                        ("page", "text")])
def test_guess_kind_from_the_name(name: str, kind: str) -> None:
    assert guess_kind("plain words", name) == kind


def test_guess_kind_from_the_content() -> None:
    assert guess_kind("<html><body><table>", "page") == "html"
    assert guess_kind("# Title\n\n- [a](https://x.org)", "page") == "markdown"


# --- any page: a draft that loads, or a clear error ------------------------------------------------------------

LINE = st.one_of(
    st.text(max_size=60),
    st.builds(lambda m, d, rest: f"{m}/{d} {rest}", st.integers(0, 13), st.integers(0, 32), st.text(max_size=30)),
    st.builds(lambda n, m, rest: f"{n}. {m}/ {rest}", st.integers(1, 40), st.integers(1, 12), st.text(max_size=20)),
    st.builds(lambda w, mo, d: f"{w} {mo} {d}", st.sampled_from(["Tue", "Wed.", "Friday", "Sun"]),
              st.sampled_from(["Jan", "February", "Sept.", "Dec"]), st.integers(0, 31)),
    st.sampled_from(["No class", "Class Cancelled", "Paper, by Smith et al., ICML 2020.", "Bert slides",
                     "Lamport, L. (1998). The part-time parliament. ACM TOCS.", "Other Papers of Interest",
                     "Title: with a colon, Anthropic.", "- [x](https://x.org/a b)", "<td>9/9</td>", "# 9/10"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=25), st.sampled_from(["text", "markdown", "html"]),
       st.one_of(st.none(), st.integers(1995, 2035)))
def test_any_page_gives_a_loading_draft_or_a_clear_error(lines: list[str], kind: str, year: int | None) -> None:
    try:
        draft = import_page("\n".join(lines), kind=kind, year=year)
    except ImportProblem as exc:
        assert str(exc)
        return
    load_text(draft.text)


def test_markdown_table_page() -> None:
    """A Markdown table: a cell's <br> splits readings; an author-first citation; holiday and exam rows."""
    text = (DATA / "syllabi" / "compilers_table.md").read_text(encoding="utf-8")
    draft = import_page(text, kind=guess_kind(text, "compilers_table.md"))
    course = load_text(draft.text).course
    assert shape(course) == {
        dt.date(2026, 1, 20): ("Introduction", False, [], ["Engineering a Compiler, Chapter 1"]),
        dt.date(2026, 1, 22): ("Lexing", False, ["Regular Expression Search Algorithm"], ["Lexing slides"]),
        dt.date(2026, 1, 27): (None, True, [], []),
        dt.date(2026, 1, 29): ("Parsing", False, ["LR parsing"], []),
        dt.date(2026, 2, 3): ("Midterm exam", False, [], []),
    }
    lr = course.sessions[3].papers[0]
    assert (lr.authors, lr.venue, lr.year) == ("Aho, A. V., & Johnson, S. C.", "ACM Computing Surveys", 1974)
    assert course.sessions[0].resources[0].url == "https://example.org/eac1"
    assert course.sessions[4].is_exam and course.title == "Compilers" and course.term == "Spring 2026"


def test_the_callers_year_breaks_ties() -> None:
    """No weekday and no term on the page: the year nearest the caller's that puts no class on a weekend."""
    page = "1. 1/21 Intro\n2. 1/23 Clocks\n3. 1/28 Paxos, by Lamport, 2001.\n4. 1/30 Raft\n"
    assert import_page(page, kind="text", near=2027).year == 2026  # 2027 is Thu/Sat, 2026 Wed/Fri
    assert import_page(page, kind="text", near=2025).year == 2025  # Tue/Thu
