"""Course file validation of the newer sections (meetings, staff, breaks, office hours with links and skips,
deadlines, exams, links, per-session kind and times), each mistake made in a broken copy of a synthetic course
and reported once, on its line, in words an instructor can act on; and the warnings that do not stop a course.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.loader import Problem, ScheduleError, load_text
from tests.conftest import DA_SCHEDULE, DS_SCHEDULE, SCHEDULE, edited, line_of

DS = DS_SCHEDULE.read_text(encoding="utf-8")  # Tue/Thu, term_end, staff, a break, office hours, deadlines, exams
DA = DA_SCHEDULE.read_text(encoding="utf-8")  # a meetings list (Mon/Wed lectures, a Friday section), a make-up class
ML = SCHEDULE.read_text(encoding="utf-8")  # the first course: one pattern without times, critiques, a project
FILE = "course.yaml"


@dataclass(frozen=True)
class Mistake:
    """One mistake: `old` becomes `new` in `base`; the problem is on the line where `at` (default `new`) starts."""

    id: str
    base: str
    old: str
    new: str
    phrases: tuple[str, ...]
    at: str | None = None

    def text(self) -> str:
        return edited(self.base, (self.old, self.new))

    def line(self) -> int:
        return line_of(self.text(), self.at or self.new)


def problems(text: str) -> tuple[Problem, ...]:
    with pytest.raises(ScheduleError) as caught:
        load_text(text, FILE)
    return caught.value.problems


HW3 = "    due: 2025-02-14 23:59\n"
MISTAKES = [
    # unknown keys, one per section (a typo near a known key is named; otherwise the known keys are listed)
    Mistake("course: unknown key", DS, "  code: CS 452\n", "  cod: CS 452\n",
            ("The course section has an unknown key “cod”.", "Did you mean “code”?")),
    Mistake("course: links misspelt", DS, "  links:\n", "  link:\n", ("unknown key “link”", "Did you mean “links”?")),
    Mistake("top level: unknown section", DS, "exams:\n", "exam:\n",
            ("The file has an unknown key “exam”.", "Did you mean “exams”?")),
    Mistake("meetings: unknown key", DA, "      room: Lab 2\n", "      place: Lab 2\n",
            ("Meeting 2 has an unknown key “place”.", "Known keys: days, kind, start, end, room.")),
    Mistake("staff: unknown key", DS, "    role: Instructor\n", "    rol: Instructor\n",
            ("Staff entry 1 has an unknown key “rol”.", "Did you mean “role”?")),
    Mistake("breaks: unknown key", DS, "    to: 2025-03-28\n", "    until: 2025-03-28\n",
            ("Break 1 has an unknown key “until”.", "Known keys: name, from, to.")),
    Mistake("office hours: unknown key", DS, "    link: https://zoom.us/j/123\n", "    url: https://zoom.us/j/123\n",
            ("Office hours entry 2 has an unknown key “url”.", "link")),
    Mistake("deadlines: unknown key", DS, "    url: https://example.edu/cs452/hw3\n",
            "    link: https://example.edu/cs452/hw3\n",
            ("Deadline 3 has an unknown key “link”.", "Known keys: id, title, kind, due, details, url.")),
    Mistake("exams: unknown key", DS, "    room: Kane Hall 130\n", "    location: Kane Hall 130\n",
            ("Exam 1 has an unknown key “location”.", "room")),
    Mistake("sessions: unknown key", DA, '    start: "13:00"\n', '    starts: "13:00"\n',
            ("Session 8 in the list has an unknown key “starts”.", "Did you mean “start”?")),
    # one weekly pattern or a meetings list, never both; a weekday in one meeting only
    Mistake("meetings with class_start", DA, "  meetings:\n", '  class_start: "10:00"\n  meetings:\n',
            ("“class_start” and a “meetings” list cannot be used together", "put the days, times and room in"),
            at="  class_start"),
    Mistake("meetings with meeting_days", DA, "  meetings:\n", "  meeting_days: [Mon, Wed]\n  meetings:\n",
            ("“meeting_days” and a “meetings” list cannot be used together",), at="  meeting_days"),
    Mistake("meetings with room", DA, "  meetings:\n", "  room: Wills G25\n  meetings:\n",
            ("“room” and a “meetings” list cannot be used together",), at="  room: Wills G25\n  meetings"),
    Mistake("a weekday in two meetings", DA, "    - days: [Fri]\n", "    - days: [Fri, Wed]\n",
            ("Meeting 2: Wed is in two meetings", "give a class its own start instead")),
    Mistake("a meeting without days", DA, "    - days: [Fri]\n", "    - days: []\n",
            ("Meeting 2: days is empty; list at least one day, like [Tue, Thu].",)),
    Mistake("a meeting ending before it starts", DA, '      end: "14:50"\n', '      end: "13:50"\n',
            ("Meeting 2: end (13:50) should be after start (14:00).",)),
    # office hours: skip dates on that office hour's weekday, a link that is a web address
    Mistake("skip date on another weekday", DS, "    skip: [2025-02-17]", "    skip: [2025-02-18]",
            ("Office hours entry 1: the skipped date 2025-02-18 is a Tuesday, "
             "but these office hours are on Mondays.",)),
    Mistake("skip date not a date", DS, "    skip: [2025-02-17]", "    skip: [Feb 17]",
            ("Office hours entry 1: skip, item 1: “Feb 17” should be a date written as YYYY-MM-DD",)),
    Mistake("office hours link not a web address", DS, "    link: https://zoom.us/j/123\n",
            "    link: zoom.us/j/123\n",
            ("Office hours entry 2: link", "“zoom.us/j/123” should be a web address starting with https://")),
    # breaks
    Mistake("break ending before it starts", DS, "    to: 2025-03-28\n", "    to: 2025-03-20\n",
            ("Break 1 (Spring break) ends (2025-03-20) before it starts (2025-03-24).",)),
    Mistake("break outside the term", DS, "    from: 2025-03-24\n    to: 2025-03-28\n",
            "    from: 2025-06-02\n    to: 2025-06-06\n",
            ("Break 1 (Spring break, 2025-06-02 to 2025-06-06) is outside the term (2025-01-21 to 2025-05-09).",),
            at="  - name: Spring break"),
    Mistake("neither meeting_days nor meetings", DS, "  meeting_days: [Tue, Thu]\n", "",
            ("The course section is missing “meeting_days” (or a “meetings” list).",),
            at="  title: Distributed Systems\n"),
    # deadlines and exams: inside the term (first_day to term_end), unique ids, due as YYYY-MM-DD HH:MM, kinds
    Mistake("deadline before the first class", DS, "    due: 2025-01-31 23:59\n", "    due: 2025-01-10 23:59\n",
            ("The deadline “Homework 1 (RPC)” is on 2025-01-10, outside the term (2025-01-21 to 2025-05-09)",),
            at="  - id: hw1\n"),
    Mistake("deadline after term_end", DS, "    due: 2025-05-09 17:00\n", "    due: 2025-05-10 17:00\n",
            ("The deadline “Final project report” is on 2025-05-10, outside the term (2025-01-21 to 2025-05-09)",
             "term_end"), at="  - id: report\n"),
    Mistake("exam after term_end", DS, "    date: 2025-05-07\n", "    date: 2025-05-12\n",
            ("The exam “Final exam” is on 2025-05-12, outside the term (2025-01-21 to 2025-05-09)",),
            at="  - id: final\n"),
    Mistake("exam before the first class", DS, "    date: 2025-05-07\n", "    date: 2025-01-14\n",
            ("The exam “Final exam” is on 2025-01-14, outside the term",), at="  - id: final\n"),
    Mistake("the same id for a deadline and an exam", DS, "  - id: report\n", "  - id: final\n",
            ("The id “final” is used twice; each deadline and exam needs its own id.",),
            at="  - id: final\n    title: Final exam\n"),
    Mistake("the same id for two deadlines", DS, "  - id: hw2\n", "  - id: hw1\n",
            ("The id “hw1” is used twice",), at="  - id: hw1\n    title: Homework 2"),
    Mistake("an id with a space", DS, "  - id: hw3\n", "  - id: homework 3\n",
            ("Deadline 3: id: “homework 3” should be a short id of letters, digits, - or _ (like hw3).",)),
    Mistake("due at 25:00", DS, HW3, "    due: 2025-02-14 25:00\n",
            ("Deadline 3: due", "“2025-02-14 25:00” should be a date and a 24-hour time, like 2025-02-14 23:59")),
    Mistake("due at 11:59pm", DS, HW3, "    due: 2025-02-14 11:59pm\n",
            ("Deadline 3: due", "“2025-02-14 11:59pm” should be a date and a 24-hour time")),
    Mistake("due as a month and day", DS, HW3, "    due: Feb 14\n",
            ("Deadline 3: due", "“Feb 14” should be a date and time written as YYYY-MM-DD HH:MM",
             "a date alone, which means the end of that day")),
    Mistake("due on an impossible date", DS, HW3, "    due: 2025-02-30 23:59\n",
            ("Deadline 3: due", "“2025-02-30” is not a real date")),
    Mistake("due with a time zone", DS, HW3, "    due: 2025-02-14 23:59 PST\n",
            ("“2025-02-14 23:59 PST” should be a date and time written as YYYY-MM-DD HH:MM",)),
    Mistake("due left empty", DS, HW3, "    due:\n", ("Deadline 3: due is empty; give it a value.",)),
    Mistake("unknown deadline kind", DS, "    kind: homework\n    due: 2025-02-14",
            "    kind: assignment\n    due: 2025-02-14",
            ("Deadline 3: kind: “assignment” should be one of: homework, quiz, project, other.",),
            at="    kind: assignment"),
    Mistake("deadline url not a web address", DS, "    url: https://example.edu/cs452/hw3\n",
            "    url: ftp://example.edu/hw3\n",
            ("Deadline 3: url", "“ftp://example.edu/hw3” should be a web address starting with https://")),
    Mistake("exam ending before it starts", DS, '    end: "16:20"\n', '    end: "14:00"\n',
            ("Exam 1: the end (14:00) should be after the start (14:30).",)),
    Mistake("exam end without a start", DS, '    start: "14:30"\n    end: "16:20"\n', '    end: "16:20"\n',
            ("Exam 1: an end time needs a start time too.",), at='    end: "16:20"\n    room: Kane'),
    Mistake("unknown meeting kind", DA, "      kind: section\n", "      kind: seminar\n",
            ("Meeting 2: kind: “seminar” should be one of: lecture, section, lab.",)),
    Mistake("unknown session kind", DS, "    kind: exam\n", "    kind: midterm\n",
            ("Session 13: the kind: “midterm” should be one of: class, exam.",)),
    Mistake("session ending before it starts", DA, '    end: "14:00"\n    room: Wills 1.10\n',
            '    end: "12:00"\n    room: Wills 1.10\n', ("Session 8: end (12:00) should be after start (13:00).",)),
    # links
    Mistake("course link not a web address", DS, "    Forum: https://edstem.org/us/courses/1\n",
            "    Forum: edstem.org/us/courses/1\n",
            ("The course section: the link “Forum”", "“edstem.org/us/courses/1” should be a web address")),
    Mistake("course link with a user name", DS, "    Forum: https://edstem.org/us/courses/1\n",
            "    Forum: https://@everyone\n", ("the link “Forum”", "no user name before the site")),
    Mistake("links as a list", DS, "    Course site: https://example.edu/cs452\n    Forum: https://edstem.org/us/courses/1\n",
            "    - https://example.edu/cs452\n",
            ("The course section: links should be “name: url” lines, but it is a list.",), at="    - https://"),
    # the course section's own new keys
    Mistake("term_end not a date", DA, "  last_day: 2025-12-12\n", "  last_day: 2025-12-12\n  term_end: Dec 19\n",
            ("The course section: term_end: “Dec 19” should be a date written as YYYY-MM-DD",), at="  term_end"),
    Mistake("critique_cutoff not a time", DS, "  room: Gates Center G20\n",
            "  room: Gates Center G20\n  critique_cutoff: noon\n",
            ("critique_cutoff: “noon” should be a time written as HH:MM",), at="  critique_cutoff"),
    Mistake("class_end before class_start", DS, '  class_end: "15:15"\n', '  class_end: "13:15"\n',
            ("The course section: class_end (13:15) should be after class_start (14:00).",)),
    Mistake("staff member without a name", DS, "  - name: Marcus Lee\n    role: TA\n", "  - role: TA\n",
            ("Staff entry 3 is missing “name”.",)),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_each_mistake_is_one_problem_on_its_line(mistake: Mistake) -> None:
    """A broken copy gives exactly one problem, on the line of the mistake, with the words an instructor needs."""
    (problem,) = problems(mistake.text())
    assert (problem.file, problem.line) == (FILE, mistake.line()), str(problem)
    for phrase in mistake.phrases:
        assert phrase in problem.message, str(problem)


def test_a_skip_list_reports_only_its_wrong_date() -> None:
    """In a skip list with a right and a wrong weekday, only the wrong date is a problem, on its line."""
    text = edited(DS, ("    skip: [2025-02-17]", "    skip:\n      - 2025-02-17\n      - 2025-02-19"))
    (problem,) = problems(text)
    assert problem.line == line_of(text, "      - 2025-02-19")
    assert "2025-02-19 is a Wednesday" in problem.message


def test_term_end_before_last_day() -> None:
    """term_end before last_day is a problem on its line (the end of exams is on or after the last class)."""
    text = edited(DS, ("  term_end: 2025-05-09\n", "  term_end: 2025-04-30\n"))
    first, *_ = problems(text)
    assert first.line == line_of(text, "  term_end:")
    assert first.message == ("The course section: term_end (2025-04-30) is before last_day (2025-05-01); "
                             "it is the end of exams, on or after the last class.")


def test_without_term_end_the_term_ends_on_the_last_day() -> None:
    """Without term_end, a deadline or exam after last_day is outside the term, and the advice names term_end."""
    text = edited(DS, ("  term_end: 2025-05-09\n", ""))
    found = problems(text)
    assert [p.line for p in found] == [line_of(text, "  - id: report\n"), line_of(text, "  - id: final\n")]
    assert all("outside the term (2025-01-21 to 2025-05-01)" in p.message and "set term_end" in p.message
               for p in found)


def test_a_project_deadline_and_a_deadline_share_ids() -> None:
    """The first course's project deadlines and top-level deadlines are one id space."""
    text = ML.replace("\nsessions:\n", "\ndeadlines:\n  - id: final\n    title: Reading quiz\n    kind: quiz\n"
                                       "    due: 2024-11-20 10:00\n\nsessions:\n", 1)
    (problem,) = problems(text)
    assert problem.line == line_of(text, "  - id: final\n    title: Reading quiz")
    assert "The id “final” is used twice" in problem.message


def test_every_problem_is_reported_at_once() -> None:
    """Mistakes in several new sections are all reported, in file order of their sections."""
    text = edited(DS, ("    role: Instructor\n", "    rol: Instructor\n"),
                  ("    skip: [2025-02-17]", "    skip: [2025-02-18]"),
                  (HW3, "    due: 2025-02-14 25:00\n"),
                  ("    date: 2025-05-07\n", "    date: 2025-05-12\n"))
    assert sorted(p.line for p in problems(text)) == [
        line_of(text, "    rol:"), line_of(text, "    skip:"), line_of(text, "    due: 2025-02-14 25:00"),
        line_of(text, "  - id: final\n")]


# Warnings: odd but possible (a make-up class), so the course loads and `check` shows them.
SESSION_19 = "    date: 2025-04-01\n"
WARNINGS = [
    ("a class in a break", DS, (SESSION_19, "    date: 2025-03-27\n"), "  - number: 19\n",
     "Session 19 (Thu Mar 27) falls in Spring break; fine for a make-up class, otherwise check the date."),
    ("a class off the meeting days", DS, (SESSION_19, "    date: 2025-03-31\n"), "  - number: 19\n",
     "Session 19 (Mon Mar 31) is not on a meeting day (Tue, Thu); give a make-up class its own start and end, "
     "otherwise check the date."),
    ("a make-up class without its own start", DA, ('    start: "13:00"\n    end: "14:00"\n', ""), "  - number: 8\n",
     "Session 8 (Tue Oct 14) is not on a meeting day (Mon, Wed, Fri); give a make-up class its own start and end, "
     "otherwise check the date."),
    ("an exam with readings", DS, ("    kind: exam\n", "    kind: exam\n    resources:\n      - title: Practice exam\n"
                                                   "        kind: web\n"), "  - number: 13\n",
     "Session 13 (Tue Mar 4) is an exam but lists readings; students will see them as review material."),
]


@pytest.mark.parametrize(("base", "substitution", "at", "message"), [w[1:] for w in WARNINGS],
                         ids=[w[0] for w in WARNINGS])
def test_warnings_do_not_stop_the_course(base: str, substitution: tuple[str, str], at: str, message: str) -> None:
    """The course loads; the one warning names its line and says what to check."""
    text = edited(base, substitution)
    loaded = load_text(text, FILE)
    assert [(w.file, w.line, w.message) for w in loaded.warnings] == [(FILE, line_of(text, at), message)]


@pytest.mark.parametrize("substitution", [
    (SESSION_19, '    date: 2025-03-31\n    start: "10:00"\n    end: "11:15"\n'),
    (SESSION_19, "    date: 2025-03-27\n    status: cancelled\n    reason: Spring break.\n"),
], ids=["a make-up class with its own start", "a cancelled class in a break"])
def test_no_warning_for_what_is_meant(substitution: tuple[str, str]) -> None:
    """A make-up class with its own time, or a class in a break that is cancelled, loads without a warning."""
    assert load_text(edited(DS, substitution), FILE).warnings == ()


def test_an_office_hour_that_never_happens_is_a_warning() -> None:
    """A Saturday office hour in a Tue/Thu course whose only Saturday in the term is skipped: the file loads, warned."""
    from bot.core.loader import load_text

    text = DS.replace("  last_day: 2025-05-01\n", "  last_day: 2025-01-27\n")
    start = text.index("sessions:\n")
    text = text[:start] + "sessions:\n  - number: 1\n    date: 2025-01-21\n"
    friday = '    day: Fri\n    start: "10:00"'
    text = text.replace(friday, '    day: Sat\n    skip: [2025-01-25]\n    start: "10:00"')
    loaded = load_text(text)
    assert [w.message for w in loaded.warnings if "never happen" in w.message] == [
        "The office hours of Marcus Lee (TA) (Sat) never happen between 2025-01-21 and 2025-01-27: every such day "
        "is skipped or in a break. Check the day."]
