"""Deadlines, exams, office hours, class times, the time zone and cut-short topics, where a page states them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.importer import ImportProblem, import_page
from bot.core.loader import load_text
from bot.core.model import Course

FIRST = dt.date(2025, 1, 21)


def schedule(rows: dict[dt.date, str] | None = None) -> str:
    """A Tue/Thu term, Jan 21 to May 1 2025, one "Tue Jan 21: Topic n" line a class (some replaced by `rows`)."""
    rows = rows or {}
    lines, day, n = [], FIRST, 1
    while day <= dt.date(2025, 5, 1):
        if day.weekday() in (1, 3):
            lines.append(f"{day:%a %b} {day.day}: {rows.get(day, f'Topic number {n}')}")
            n += 1
        day += dt.timedelta(days=1)
    return "\n".join(lines)


def draft(head: str, rows: dict[dt.date, str] | None = None, kind: str = "text") -> tuple[str, Course]:
    text = import_page(f"CS 101 Example Course, Spring 2025\n{head}\nSchedule\n{schedule(rows)}\n", kind=kind).text
    return text, load_text(text).course


def line_before(text: str, needle: str) -> str:
    lines = text.splitlines()
    return lines[next(i for i, x in enumerate(lines) if needle in x) - 1]


@pytest.mark.parametrize("sentence, due, kind, time", [
    ("Homework 1 due Fri Feb 7 at 11:59pm", dt.date(2025, 2, 7), "homework", dt.time(23, 59)),
    ("HW2 due 2/21, 5pm", dt.date(2025, 2, 21), "homework", dt.time(17, 0)),
    ("Project proposal due March 3", dt.date(2025, 3, 3), "project", dt.time(23, 59)),
    ("Quiz 2 must be submitted by noon on April 4.", dt.date(2025, 4, 4), "quiz", dt.time(12, 0)),
    ("Problem set 3 is due Friday, March 14 at 9 AM", dt.date(2025, 3, 14), "homework", dt.time(9, 0)),
    ("Sheet 1 (tokenisation): due 30.4., 23:59", dt.date(2025, 4, 30), "homework", dt.time(23, 59)),  # day.month.
    ("Exercise sheet 2 due 07.03. at 14:00", dt.date(2025, 3, 7), "homework", dt.time(14, 0)),
    ("Project report due 28.4.25, 23:59", dt.date(2025, 4, 28), "project", dt.time(23, 59)),
])
def test_deadline_sentences(sentence: str, due: dt.date, kind: str, time: dt.time) -> None:
    """A deadline in words: its day (in the term's year), kind and time."""
    _, course = draft(sentence)
    assert [(d.due, d.kind, d.due_time) for d in course.deadlines] == [(due, kind, time)]


def test_a_deadline_without_a_time_is_marked() -> None:
    """No time on the page: due 23:59, with a `# check:` on its entry; a time given leaves it unmarked."""
    text, _ = draft("Project proposal due March 3\nHomework 1 due Fri Feb 7 at 11:59pm")
    assert line_before(text, "id: project-proposal") == "  # check: the page gives no time: due at the end of the day"
    assert "# check" not in line_before(text, "id: hw1")


def test_a_wrong_weekday_on_a_deadline_is_marked() -> None:
    text, course = draft("Homework 1 due Mon Feb 7 at 5pm")
    assert course.deadlines[0].due == dt.date(2025, 2, 7)
    assert "the page says Mon but 2025-02-07 is a Fri" in line_before(text, "id: hw1")


def test_deadlines_on_class_rows() -> None:
    """"HW1 due" in a class's row, a Due column, a "Quiz 1" row: due that day (a quiz when class starts)."""
    page = ("# Course\n\nTue/Thu 2:00–3:15pm\n\n| Date | Topic | Due |\n|---|---|---|\n"
            "| Tue Jan 21 | Intro | |\n| Thu Jan 23 | Clocks | Lab report |\n| Tue Jan 28 | Paxos; more | |\n"
            "| Thu Jan 30 | Raft | HW1 due |\n| Tue Feb 4 | Quiz 1 | |\n| Thu Feb 6 | Spanner | |\n")
    course = load_text(import_page(page, kind="markdown", year=2025).text).course
    assert [(d.title, d.kind, d.due, d.due_time) for d in course.deadlines] == [
        ("Lab report", "homework", dt.date(2025, 1, 23), dt.time(23, 59)),
        ("HW1", "homework", dt.date(2025, 1, 30), dt.time(23, 59)),
        ("Quiz 1", "quiz", dt.date(2025, 2, 4), dt.time(14, 0))]
    assert all(not s.papers and not s.resources for s in course.sessions)  # none of them read as a reading


def test_handed_out_is_neither_a_reading_nor_a_deadline() -> None:
    _, course = draft("", {dt.date(2025, 1, 23): "Clocks\nHW1 out\nLamport, L. (1978). Time, clocks. CACM."})
    assert not course.deadlines and [p.title for s in course.sessions for p in s.papers] == ["Time, clocks"]


def test_exams_in_words() -> None:
    """An exam in class marks that class; one outside class is an exam with its time and room; term_end follows."""
    text, course = draft("Midterm exam: Thursday March 6, in class\nFinal exam: May 8, 2:00–5:00pm, Gates G20")
    midterm = next(s for s in course.sessions if s.date == dt.date(2025, 3, 6))
    assert midterm.is_exam and midterm.topic == "Topic number 14"
    assert "the page says the midterm exam is in this class" in line_before(text, "date: 2025-03-06")
    assert [(e.id, e.date, e.start, e.end, e.room) for e in course.exams if e.session is None] == [
        ("final", dt.date(2025, 5, 8), dt.time(14), dt.time(17), "Gates G20")]
    assert course.term_end == dt.date(2025, 5, 8)


def test_an_exam_row_after_the_last_class_is_an_exam_not_a_class() -> None:
    _, course = draft("", {dt.date(2025, 5, 1): "Review for the final"})
    page = schedule({dt.date(2025, 5, 1): "Review"}) + "\nThu May 8: Final exam, 8:00–10:00am, Hall 1\n"
    course = load_text(import_page("Course, Spring 2025\n" + page, kind="text").text).course
    assert course.sessions[-1].date == dt.date(2025, 5, 1) and not any(s.is_exam for s in course.sessions)
    assert [(e.title, e.start, e.room) for e in course.exams] == [("Final exam", dt.time(8), "Hall 1")]


def test_a_review_class_is_not_an_exam() -> None:
    _, course = draft("", {dt.date(2025, 3, 4): "Midterm review", dt.date(2025, 3, 6): "Midterm"})
    assert [s.date for s in course.sessions if s.is_exam] == [dt.date(2025, 3, 6)]


@pytest.mark.parametrize("sentence, expected", [
    ("Office hours: Tuesdays 3–4pm, Gates 412 (Prof. Okafor)", [("Prof. Okafor", 1, 15, 16, "Gates 412", None)]),
    ("TA office hours Wed 10-11am on Zoom https://zoom.us/j/42", [("TA", 2, 10, 11, "Online", "https://zoom.us/j/42")]),
    ("Office hours: Mon and Wed 1-2pm in Hall 3 (Dr. Ito)", [("Dr. Ito", 0, 13, 14, "Hall 3", None),
                                                              ("Dr. Ito", 2, 13, 14, "Hall 3", None)]),
    ("Office hour (Dr. rer. nat. Anna Weber): Wednesdays 11:00–12:00, room H 1012 (by e-mail)",
     [("Dr. rer. nat. Anna Weber", 2, 11, 12, "H 1012", None)]),
    ("Office hour: Thursdays 13:00–14:00, Room 3.14", [("Instructor", 3, 13, 14, "Room 3.14", None)]),
])
def test_office_hours_in_words(sentence: str, expected: list[tuple[object, ...]]) -> None:
    _, course = draft(sentence)
    assert [(h.who, h.weekday, h.start.hour, h.end.hour, h.place, h.link) for h in course.office_hours] == expected


def test_office_hours_without_am_pm_are_marked() -> None:
    text, course = draft("Prof. Ada will have office hours, Wednesdays, 10-11 in Hall 40.")
    assert (course.office_hours[0].start, course.office_hours[0].place) == (dt.time(10), "Hall 40")
    assert line_before(text, "who: Prof. Ada") == "  # check: am/pm not given: read as 10:00–11:00"


@pytest.mark.parametrize("head, start, end, room", [
    ("Lectures: Tue/Thu 2:00–3:15pm", dt.time(14), dt.time(15, 15), None),
    ("Class meets TTh 10:30-11:50am, Room 101", dt.time(10, 30), dt.time(11, 50), "Room 101"),
    ("Tuesdays and Thursdays, 9:30–10:45 AM, Psychology Building 120", dt.time(9, 30), dt.time(10, 45),
     "Psychology Building 120"),
    ("Lectures: Tuesdays and Thursdays, 14:15–15:45, room MA 004.", dt.time(14, 15), dt.time(15, 45), "MA 004"),
])
def test_class_times_and_room(head: str, start: dt.time, end: dt.time, room: str | None) -> None:
    text, course = draft(head)
    assert (course.class_start, course.class_end, course.room) == (start, end, room)
    assert "the meeting days are the weekdays" not in text and "class times and room" not in text


def test_a_meeting_pattern_the_classes_do_not_follow_is_not_used() -> None:
    text, course = draft("Lectures: MWF 9-10am")
    assert course.class_start is None and course.meeting_days == (1, 3)
    assert "a meeting pattern its classes do not follow" in text


@pytest.mark.parametrize("head, zone, marked", [
    ("All times are Eastern Time.", "America/New_York", False),
    ("Homework is due at 11:59pm PT.", "America/Los_Angeles", False),
    ("Deadlines are 5pm Pacific.", "America/Los_Angeles", False),
    ("Lectures at 2pm ET.", "America/New_York", False),
    ("Times are in Mountain Time.", "America/Denver", True),
    ("The course zone is Europe/Berlin.", "Europe/Berlin", False),
    ("All times are Berlin local time (CET/CEST).", "Europe/Berlin", False),
    ("Deadlines are in CET/CEST.", "Europe/Berlin", True),
    ("All times are Central European Time.", "Europe/Berlin", True),
    ("Times are UK time.", "Europe/London", False),
    ("Deadlines: 5pm GMT/BST.", "Europe/London", False),
    ("All times AEST/AEDT.", "Australia/Sydney", True),
    ("No classes over Christmas time.", "UTC", True),
    ("Read Smith et al. on the Pacific trade.", "UTC", True),
])
def test_time_zone(head: str, zone: str, marked: bool) -> None:
    """A zone the page names for certain is used; a doubtful one is marked; none keeps the placeholder, marked."""
    text, course = draft(head)
    assert str(course.timezone) == zone
    assert ("# check" in next(x for x in text.splitlines() if "timezone:" in x + line_before(text, "timezone:"))
            or "# check" in line_before(text, "timezone:")) == marked


@pytest.mark.parametrize("topic, cut", [
    ("Consensus and", True), ("The design of", True), ("Replication,", True), ("Consensus (Paxos", True),
    ("Consensus protocols …", True), ("Consensus protocols", False), ("Review (midterm)", False),
])
def test_a_topic_cut_short_is_marked(topic: str, cut: bool) -> None:
    text, _ = draft("", {dt.date(2025, 1, 23): topic})
    assert ("topic may be cut short" in line_before(text, "date: 2025-01-23") + text.split("date: 2025-01-23")[1]
            .splitlines()[1]) == cut


def test_a_word_cut_by_the_column_on_a_text_page_is_marked() -> None:
    """"LLMs fin" beside "fine-tuning" elsewhere on the page; a whole word is not marked."""
    rows = {dt.date(2025, 1, 23): "Models fin", dt.date(2025, 1, 28): "Why fine-tuning works",
            dt.date(2025, 1, 30): "Efficiency cont’d"}
    text, _ = draft("", rows)
    assert "(“fin” looks like part of a word)" in text and "cont’d" in text and text.count("part of a word") == 1


def test_a_range_row_that_cancels_classes_is_a_break() -> None:
    page = schedule({dt.date(2025, 3, 25): "Spring break — no classes"}).replace("Tue Mar 25:", "Mar 24–28:")
    page = page.replace("Thu Mar 27: Topic number 20\n", "")
    course = load_text(import_page("Course, Spring 2025\n" + page, kind="text").text).course
    assert [(b.name, b.start, b.end) for b in course.breaks] == [("Spring break", dt.date(2025, 3, 24),
                                                                  dt.date(2025, 3, 28))]
    assert not any(dt.date(2025, 3, 24) <= s.date <= dt.date(2025, 3, 28) for s in course.sessions)


def test_a_deadline_before_the_first_class_is_listed_not_written() -> None:
    text, course = draft("Homework 0 due Jan 10 at 5pm")
    assert not course.deadlines and "the deadline “Homework 0” (2025-01-10) is before the first class" in text


# --- any page with these statements: a draft that loads, or a clear error ---------------------------------------

STATEMENT = st.one_of(
    st.builds(lambda w, m, d, t: f"{w} due {m} {d} {t}", st.sampled_from(["Homework 1", "HW2", "Quiz 3", "Project"]),
              st.sampled_from(["Jan", "Feb", "March", "Dec"]), st.integers(0, 32),
              st.sampled_from(["", "at 11:59pm", "5pm", "noon", "at 25:00", "midnight"])),
    st.builds(lambda e, d, r: f"{e}: {d}, {r}", st.sampled_from(["Midterm exam", "Final exam", "Final", "Exam 2"]),
              st.sampled_from(["May 8", "Thursday March 6", "1/2", "Feb 30", "Dec 31"]),
              st.sampled_from(["in class", "2:00–5:00pm, Gates G20", "11-1", "9pm-8am", ""])),
    st.builds(lambda d, r, p: f"Office hours: {d} {r}, {p}", st.sampled_from(["Tuesdays", "MW", "Sat", "TTh"]),
              st.sampled_from(["3–4pm", "10-11", "12-12", "11:30am-1", "4-3pm"]),
              st.sampled_from(["Gates 412 (Prof. Okafor)", "on Zoom https://zoom.us/j/1", "(Sam, TA)", ""])),
    st.sampled_from(["Lectures: Tue/Thu 2:00–3:15pm, Room 101", "MWF 10-11", "All times are Pacific Time.",
                     "Mar 9–13: Spring break", "Dec 20 - Jan 5: Winter recess", "| Date | Topic | Due |",
                     "| Tue Jan 21 | Quiz 1 | HW1 |", "Consensus and", "Topic (open", "HW1 out"]),
    st.text(max_size=40),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STATEMENT, max_size=12), st.lists(STATEMENT, max_size=6), st.sampled_from(["text", "markdown"]))
def test_any_statements_give_a_loading_draft_or_a_clear_error(head: list[str], body: list[str], kind: str) -> None:
    page = "\n".join(head) + "\nTue Jan 21: Intro\n" + "\n".join(body) + "\nThu Jan 23: Clocks\nTue Jan 28: End\n"
    try:
        text = import_page(page, kind=kind, year=2025).text
    except ImportProblem as exc:
        assert str(exc)
        return
    load_text(text)


def test_two_office_hours_share_the_place_and_person_said_once() -> None:
    _, course = draft("Office hours: Mondays 2-3pm and Thursdays 4-5pm, Gates 344 (Prof. Whit)")
    assert [(h.who, h.weekday, h.start.hour, h.place) for h in course.office_hours] == [
        ("Prof. Whit", 0, 14, "Gates 344"), ("Prof. Whit", 3, 16, "Gates 344")]


def test_a_break_stated_in_words_is_a_break_not_a_topic() -> None:
    """"Spring break Mar 24-28" under a class is a break; the class keeps its own topic."""
    _, course = draft("", {dt.date(2025, 3, 20): "Sharding\nSpring break Mar 24-28"})
    assert [(b.name, b.start, b.end) for b in course.breaks] == [("Spring break", dt.date(2025, 3, 24),
                                                                  dt.date(2025, 3, 28))]
    assert next(s for s in course.sessions if s.date == dt.date(2025, 3, 20)).topic == "Sharding"


def test_academic_titles_and_a_dated_exam_in_day_month_order() -> None:
    """"Prof. Dr. Anna Weber" whole; "Tuesday, 13.05.2025" (dots: day first) with its 24-hour times and room."""
    text, course = draft("Prof. Dr. Anna Weber, Department of Physics\n"
                         "Written exam: Tuesday, 13.05.2025, 10:00–12:00, Audimax (H 0105).")
    assert course.instructor == "Prof. Dr. Anna Weber"
    assert [(e.title, e.date, e.start, e.end, e.room) for e in course.exams] == [
        ("Written exam", dt.date(2025, 5, 13), dt.time(10), dt.time(12), "Audimax (H 0105)")]
