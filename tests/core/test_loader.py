"""Course file validation on the first course: each kind of mistake, made in a broken copy of its frozen file, is
reported with its line. The rules of the newer sections (meetings, staff, breaks, deadlines, exams, links) are in
test_loader_sections.py; size and nesting limits in test_loader_limits.py; generated courses in
test_loader_generated.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.loader import Problem, ScheduleError, load_course, load_file, parse_course
from tests.conftest import COURSE_FILES, SCHEDULE, edited
from tests.conftest import line_of as line_in

REAL = SCHEDULE.read_text(encoding="utf-8")


def line_of(snippet: str) -> int:
    """The line of the first course's file on which `snippet` starts (it must occur exactly once)."""
    return line_in(REAL, snippet)


def broken_copy(tmp_path: Path, *substitutions: tuple[str, str]) -> Path:
    """A copy of the first course's file with each (old, new) text substituted once."""
    path = tmp_path / "schedule.yaml"
    path.write_text(edited(REAL, *substitutions), encoding="utf-8")
    return path


def problems_of(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(ScheduleError) as caught:
        load_course(path)
    return caught.value.problems


SESSION_8 = "  - number: 8\n    date: 2024-09-23\n"
REGISTERS = "      - title: Vision Transformers Need Registers\n        authors: Darcet et al.\n"
COCA_YEAR = "        venue: TMLR\n        year: 2022\n"

# id, old text, new text, line offset of the problem from the start of `old`, phrases the message must contain
KINDS = [
    ("unknown key", "    topic: Vision-Language Models\n", "    tpoic: Vision-Language Models\n", 0,
     ["Session 8", "unknown key “tpoic”", "Did you mean “topic”?"]),
    ("list where text goes", REGISTERS,
     "      - title: [Vision Transformers, Registers]\n        authors: Darcet et al.\n", 0,
     ["Session 7, paper 3: the title", "should be a single value, but it is a list"]),
    ("text where a number goes", COCA_YEAR, "        venue: TMLR\n        year: twenty-twenty-two\n", 1,
     ["Session 8, paper 2: the year", "“twenty-twenty-two” should be a whole number"]),
    ("hexadecimal number", "  - number: 8\n", "  - number: 0x8\n", 0, ["“0x8” should be a whole number"]),
    ("impossible date", "    date: 2024-09-18\n", "    date: 2024-02-30\n", 0,
     ["Session 7: the date", "“2024-02-30” is not a real date"]),
    ("date not ISO", "    date: 2024-09-18\n", "    date: 9/18\n", 0,
     ["“9/18” should be a date written as YYYY-MM-DD"]),
    ("duplicate session number", SESSION_8, "  - number: 7\n    date: 2024-09-23\n", 0,
     ["Session 7 (Mon Sep 23)", "the number 7 is used twice"]),
    ("duplicate date", SESSION_8, "  - number: 8\n    date: 2024-09-18\n", 0,
     ["Session 8 (Wed Sep 18) is on the same date as session 7"]),
    ("sessions out of order", SESSION_8, "  - number: 8\n    date: 2024-09-17\n", 0,
     ["Session 8 (Tue Sep 17) comes after session 7 (Wed Sep 18)", "in date order"]),
    ("date outside the term", "  - number: 29\n    date: 2024-12-09", "  - number: 29\n    date: 2024-12-16", 0,
     ["Session 29 (Mon Dec 16) is outside the term (Mon Aug 26 to Mon Dec 9, 2024)"]),
    ("paper without a title", REGISTERS, "      - authors: Darcet et al.\n", 0,
     ["Session 7, paper 3 is missing “title”"]),
    ("bad time zone name", "  timezone: America/New_York\n", "  timezone: America/Gotham\n", 0,
     ["timezone", "“America/Gotham” is not a time zone name"]),
    ("time zone folder", "  timezone: America/New_York\n", "  timezone: America\n", 0,
     ["“America” is not a time zone name"]),
    ("unknown status", "no topic\n    status: scheduled\n", "no topic\n    status: postponed\n", 1,
     ["Session 12: the status", "“postponed” should be one of: scheduled, cancelled"]),
    ("reason without cancelling", "    status: cancelled ", "    status: scheduled ", 1,
     ["Session 13 has a reason but is not cancelled"]),
    ("unknown resource kind", "      - title: SimCLR slides\n        kind: slides\n",
     "      - title: SimCLR slides\n        kind: podcast\n", 1,
     ["“podcast” should be one of: book, slides, blog, web, tutorial, news, video, other"]),
    ("office hours ending before they start", '    end: "11:00"\n', '    end: "09:00"\n', 0,
     ["Office hours entry 1: the end (09:00) should be after the start (10:00)"]),
    ("bad time", '    start: "10:00"\n', '    start: "10am"\n', 0, ["“10am” should be a time written as HH:MM"]),
    ("bad weekday", "    day: Wed\n", "    day: Wedday\n", 0, ["“Wedday” is not a day of the week"]),
    ("key given twice", "    topic: Vision-Language Models\n",
     "    topic: Vision-Language Models\n    topic: VLMs\n", 1, ["has “topic” twice"]),
    ("missing required key", "  required: 10\n", "", 0, ["The critiques section is missing “required”"]),
    ("project deadline outside the term", "      due: 2024-12-09 ", "      due: 2024-12-19 ", -2,
     ["The deadline “Final paper” is on 2024-12-19, outside the term (2024-08-26 to 2024-12-09)", "term_end"]),
    ("unknown key in the project", "  max_group_size: 3\n", "  max_group: 3\n", 0,
     ["The project section has an unknown key “max_group”", "Did you mean “max_group_size”?"]),
    ("unknown key in the critiques", "  max_per_class: 1\n", "  max_per_class: 1\n  min_per_class: 1\n", 1,
     ["The critiques section has an unknown key “min_per_class”", "Did you mean “max_per_class”?"]),
    ("no critiques required", "  required: 10\n", "  required: 0\n", 0,
     ["required should be at least 1 (leave the section out for no critiques)"]),
    ("a kind on a project deadline", "      due: 2024-10-16 ", "      kind: homework\n      due: 2024-10-16 ", 0,
     ["Project deadline 1 has an unknown key “kind”"]),
    ("project deadline due time", "      due: 2024-10-16 ", "      due: 2024-10-16 2pm ", 0,
     ["Project deadline 1: due", "“2024-10-16 2pm” should be a date and a 24-hour time, like 2024-10-16 23:59"]),
    ("unknown top-level key", "other_topics:", "other_topicz:", 0,
     ["The file has an unknown key “other_topicz”", "Did you mean “other_topics”?"]),
    ("YAML syntax error", "    topic: Vision-Language Models\n", "    topic: Vision: Language Models\n", 0,
     ["This is not valid YAML here", "mapping values are not allowed"]),
    ("YAML bad indentation", "    topic: Vision-Language Models\n", "      topic: Vision-Language Models\n", 0,
     ["This is not valid YAML here"]),
]


@pytest.mark.parametrize(("old", "new", "offset", "phrases"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_each_kind_of_mistake_is_reported_with_its_line(tmp_path: Path, old: str, new: str, offset: int,
                                                       phrases: list[str]) -> None:
    """A broken copy gives exactly one problem, on the right line of the right file, in words an instructor reads."""
    path = broken_copy(tmp_path, (old, new))
    problems = problems_of(path)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == str(path)
    assert problem.line == line_of(old) + offset
    for phrase in phrases:
        assert phrase in problem.message


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    """Every problem in the file is reported at once, not only the first, in file order."""
    path = broken_copy(
        tmp_path,
        ("  timezone: America/New_York\n", "  timezone: Mars/Olympus\n"),
        ("    topic: Vision-Language Models\n", "    tpoic: Vision-Language Models\n"),
        ("    date: 2024-09-18\n", "    date: 2024-02-30\n"),
    )
    lines = sorted(p.line for p in problems_of(path) if p.line)
    assert lines == sorted([line_of("  timezone: America/New_York\n"), line_of("    topic: Vision-Language Models\n"),
                            line_of("    date: 2024-09-18\n")])


def test_problem_prints_as_file_line_message() -> None:
    """A problem prints as `file:line: message` (and `file: message` without a line)."""
    assert str(Problem("schedule.yaml", 12, "Oops.")) == "schedule.yaml:12: Oops."
    assert str(Problem("schedule.yaml", None, "Oops.")) == "schedule.yaml: Oops."


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"], ids=["empty", "blank lines", "comment only"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    """An empty file is one problem that says so."""
    path = tmp_path / "schedule.yaml"
    path.write_text(text, encoding="utf-8")
    assert [p.message for p in problems_of(path)] == ["The file is empty."]


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is one problem naming the file, not a traceback."""
    path = tmp_path / "nowhere.yaml"
    (problem,) = problems_of(path)
    assert problem.file == str(path) and problem.line is None
    assert "Cannot read the file" in problem.message and "No such file" in problem.message


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    """A binary file is one readable problem."""
    path = tmp_path / "schedule.yaml"
    path.write_bytes(b"\xff\xfe\x00course")
    assert [p.message for p in problems_of(path)] == ["The file is not UTF-8 text."]


@pytest.mark.parametrize(("text", "phrase"), [("hello\n", "it is “hello”"), ("- a\n- b\n", "it is a list")])
def test_top_level_must_be_a_mapping(text: str, phrase: str) -> None:
    """A file that is not `key: value` lines says what it is instead, on line 1."""
    with pytest.raises(ScheduleError) as caught:
        parse_course(text)
    (problem,) = caught.value.problems
    assert problem.line == 1 and phrase in problem.message


def test_first_course_loads() -> None:
    """The first course's frozen file is valid: 29 classes from Mon Aug 26 to Mon Dec 9, 2024, as before."""
    course = load_course(SCHEDULE)
    assert len(course.sessions) == 29
    assert (course.first_day, course.last_day, course.end) == (dt.date(2024, 8, 26), dt.date(2024, 12, 9),
                                                               dt.date(2024, 12, 9))
    assert str(course.timezone) == "America/New_York"
    assert course.class_start is None and course.room is None
    assert [(m.days, m.start, m.room) for m in course.meetings] == [((0, 2), None, None)]
    assert course.has_critiques and course.critiques.required == 10
    assert [(d.id, d.kind, d.due, d.time) for d in course.deadlines] == [
        ("proposal", "project", dt.date(2024, 10, 16), None), ("final", "project", dt.date(2024, 12, 9), None)]
    assert course.exams == () and course.all_exams() == () and course.staff == () and course.breaks == ()


@pytest.mark.parametrize("name", list(COURSE_FILES))
def test_each_test_course_loads_without_problems_or_warnings(name: str) -> None:
    """The first course and both synthetic courses load with no problem and no warning."""
    loaded = load_file(COURSE_FILES[name])
    assert loaded.warnings == ()
    assert loaded.course.sessions


def test_a_url_that_is_not_a_web_address_is_reported(tmp_path):
    """A paper's url must be an http(s) address: anything else is a problem with its line."""
    original = "        year: 2020\n"  # under the first paper with a year; add a url beside it
    text = REAL.replace(original, original + "        url: javascript:alert(1)\n", 1)
    path = tmp_path / "schedule.yaml"
    path.write_text(text)
    line = text.splitlines().index("        url: javascript:alert(1)") + 1
    with pytest.raises(ScheduleError) as caught:
        load_course(path)
    assert [p.line for p in caught.value.problems] == [line]
    assert "should be a web address" in caught.value.problems[0].message
