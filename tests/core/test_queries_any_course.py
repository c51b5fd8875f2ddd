"""Every student answer comes from the course that is loaded: two synthetic courses of other shapes than the first.

Distributed Systems (Los Angeles, Tue/Thu 2pm in a room, homework Fridays 11:59pm, a midterm in class, a final
exam in finals week, spring break, no critiques) and Data Analysis in Practice (London, lectures and a Friday
section in another room, a make-up class at its own time, quizzes, a reading week, no office hours). Instants
before, during and after the term, inside a break, during an exam and across a DST change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot import console
from bot.core import queries
from bot.core.dates import QueryError, parse_when
from bot.core.model import Course
from bot.core.queries import CourseOver, ExamDay, NoClass, Readings
from bot.core.search import search
from bot.render import words
from tests.conftest import course_at

UTC = dt.timezone.utc


def test_a_class_has_its_time_and_room(ds_course: Course) -> None:
    """Before the term, /next is the first class at 2pm in its room, with nothing about critiques."""
    answer = queries.next_class(ds_course, course_at(ds_course, 2025, 1, 10, 9))
    assert isinstance(answer, Readings) and answer.session.number == 1
    assert answer.class_start == course_at(ds_course, 2025, 1, 21, 14)
    assert answer.class_end == course_at(ds_course, 2025, 1, 21, 15, 15)
    assert answer.room == "Gates Center G20" and answer.critique_due is None
    assert words.where_line(answer.class_start, answer.class_end, answer.room, False) == "2pm–3:15pm · Gates Center G20"


def test_homework_due_tonight_is_timed_and_relative(ds_course: Course) -> None:
    """At 9pm on Friday, /deadlines puts homework 3 first: 'Fri Feb 14, 11:59pm — in 2 h 59 min'."""
    answer = queries.deadlines(ds_course, course_at(ds_course, 2025, 2, 14, 21))
    first = answer.items[0]
    assert (first.id, first.kind, first.exact_time) == ("hw3", "homework", True)
    assert words.due_item_line(first) == "Homework 3 (primary-backup) — Fri Feb 14, 11:59pm — in 2 h 59 min"
    assert not any(i.kind == "critique" for i in answer.items) and answer.critique_form is None


def test_next_lists_homework_due_before_the_class(ds_course: Course) -> None:
    """/next on Friday evening is Tuesday's class, and it names the homework due in between with its time."""
    answer = queries.next_class(ds_course, course_at(ds_course, 2025, 2, 14, 21))
    assert isinstance(answer, Readings) and answer.session.date == dt.date(2025, 2, 18)
    assert [i.id for i in answer.due] == ["hw3"]
    assert "Homework 3 (primary-backup) due Fri Feb 14, 11:59pm — in 2 h 59 min" in words.due_phrase(answer)


def test_homework_is_in_readings_tomorrow(ds_course: Course) -> None:
    """/readings tomorrow on Thursday: no class Friday, but homework 3 is due that day at 11:59pm."""
    answer = queries.readings(ds_course, "tomorrow", course_at(ds_course, 2025, 2, 13, 16))
    assert isinstance(answer, NoClass) and [i.id for i in answer.due] == ["hw3"]
    assert "Homework 3 (primary-backup) due Fri Feb 14, 11:59pm" in words.no_class_text(answer)


def test_during_a_class_it_is_happening_now(ds_course: Course) -> None:
    """At 2:30pm on a class day: happening now, until 3:15pm, in the room."""
    answer = queries.next_class(ds_course, course_at(ds_course, 2025, 2, 13, 14, 30))
    assert isinstance(answer, Readings) and answer.happening_now and answer.session.number == 8
    assert words.where_line(answer.class_start, answer.class_end, answer.room, True) == \
        "Happening now, until 3:15pm, in Gates Center G20."


def test_the_midterm_in_class_is_an_exam(ds_course: Course) -> None:
    """During the midterm (a session of kind exam) /next says it is an exam, happening now; /deadlines lists it."""
    now = course_at(ds_course, 2025, 3, 4, 14, 10)
    answer = queries.next_class(ds_course, now)
    assert isinstance(answer, Readings) and answer.kind == "exam" and answer.happening_now
    assert words.due_phrase(answer).startswith("This is an exam")
    exams = [i for i in queries.deadlines(ds_course, now).items if i.kind == "exam"]
    assert exams[0].title == "Midterm exam" and exams[0].relative == "now"


def test_a_break_is_named_and_has_no_office_hours(ds_course: Course) -> None:
    """Inside spring break: no class, the break named; office hours resume after it."""
    now = course_at(ds_course, 2025, 3, 25, 12)
    answer = queries.readings(ds_course, "tomorrow", now)
    assert isinstance(answer, NoClass) and answer.pause is not None and answer.pause.name == "Spring break"
    assert "(Spring break)" in words.no_class_text(answer)
    hours = queries.office_hours(ds_course, now)
    assert hours.pause is not None
    assert all(s.next_start is not None and s.next_start.date() > dt.date(2025, 3, 28) for s in hours.slots)


def test_a_skipped_office_hour_is_left_out(ds_course: Course) -> None:
    """Prof. Okafor's Monday office hour is skipped on Feb 17: the next one after Feb 15 is Feb 24."""
    slots = queries.office_hours(ds_course, course_at(ds_course, 2025, 2, 15, 9)).slots
    okafor = next(s for s in slots if s.hours.who == "Prof. Ada Okafor")
    assert okafor.next_start == course_at(ds_course, 2025, 2, 24, 15)


def test_online_office_hours_show_their_link(ds_course: Course) -> None:
    text = console.answer(ds_course, "/officehours", course_at(ds_course, 2025, 2, 15, 9))
    assert "Online: https://zoom.us/j/123" in text


def test_during_the_final_exam_the_course_has_not_ended(ds_course: Course) -> None:
    """During the final exam /next shows the exam, happening now, in its own room — not 'the course has ended'."""
    answer = queries.next_class(ds_course, course_at(ds_course, 2025, 5, 7, 15))
    assert isinstance(answer, ExamDay) and answer.happening_now and answer.exam.room == "Kane Hall 130"
    assert words.exam_lines(answer)[0] == "Happening now, until 4:20pm, in Kane Hall 130."


def test_after_the_exam_the_final_report_is_still_ahead(ds_course: Course) -> None:
    """After the final exam the report is still due: classes have ended, but the course has not."""
    answer = queries.next_class(ds_course, course_at(ds_course, 2025, 5, 8, 9))
    assert isinstance(answer, CourseOver) and [i.id for i in answer.still_due] == ["report"]
    assert "Still ahead" in words.course_over_text(answer)
    assert not queries.deadlines(ds_course, course_at(ds_course, 2025, 5, 8, 9)).course_over


def test_after_everything_the_course_has_ended(ds_course: Course) -> None:
    now = course_at(ds_course, 2025, 5, 10, 9)
    answer = queries.next_class(ds_course, now)
    assert isinstance(answer, CourseOver) and not answer.still_due
    assert queries.deadlines(ds_course, now).course_over


def test_class_times_follow_daylight_saving(ds_course: Course) -> None:
    """Los Angeles moves to PDT on Sun Mar 9, 2025: 2pm is 22:00 UTC before and 21:00 UTC after."""
    before = queries.readings(ds_course, "3/6", course_at(ds_course, 2025, 3, 1))
    after = queries.readings(ds_course, "3/11", course_at(ds_course, 2025, 3, 1))
    assert isinstance(before, Readings) and isinstance(after, Readings)
    assert before.class_start.astimezone(UTC).hour == 22 and after.class_start.astimezone(UTC).hour == 21


def test_a_friday_section_has_its_own_time_and_room(da_course: Course) -> None:
    """The Friday section meets 2pm–2:50pm in Lab 2 and says it is a section."""
    answer = queries.readings(da_course, "10/3", course_at(da_course, 2025, 10, 1, 9))
    assert isinstance(answer, Readings) and answer.kind == "section" and answer.room == "Lab 2"
    assert answer.class_start == course_at(da_course, 2025, 10, 3, 14)
    assert "Class 3 (section)" in words.session_heading(answer.session, answer.kind)


def test_a_make_up_class_has_its_own_time_and_room(da_course: Course) -> None:
    answer = queries.readings(da_course, "10/14", course_at(da_course, 2025, 10, 1, 9))
    assert isinstance(answer, Readings) and answer.room == "Wills 1.10"
    assert answer.class_start == course_at(da_course, 2025, 10, 14, 13)
    cancelled = queries.readings(da_course, "10/13", course_at(da_course, 2025, 10, 1, 9))
    assert isinstance(cancelled, Readings) and cancelled.session.cancelled


def test_a_quiz_is_timed_and_a_date_alone_is_not(da_course: Course) -> None:
    items = {i.id: i for i in queries.deadlines(da_course, course_at(da_course, 2025, 10, 8, 9)).items}
    assert words.due_when(items["quiz1"]) == "Fri Oct 17, 2pm"
    assert words.due_when(items["ps1"]) == "Fri Oct 10"


def test_a_course_without_office_hours_says_so(da_course: Course) -> None:
    assert "No office hours are listed" in console.answer(da_course, "/officehours", course_at(da_course, 2025, 10, 8))


def test_a_reading_week_is_named_in_the_schedule(da_course: Course) -> None:
    text = console.answer(da_course, "/schedule 11/5", course_at(da_course, 2025, 10, 8))
    assert "Reading week: Mon Nov 3 to Fri Nov 7, no classes" in text and "Class" not in text


def test_london_summer_time_ends(da_course: Course) -> None:
    """London leaves BST on Sun Oct 26, 2025: a 10am lecture is 09:00 UTC before and 10:00 UTC after."""
    now = course_at(da_course, 2025, 10, 1)
    before, after = queries.readings(da_course, "10/22", now), queries.readings(da_course, "10/27", now)
    assert isinstance(before, Readings) and isinstance(after, Readings)
    assert before.class_start.astimezone(UTC).hour == 9 and after.class_start.astimezone(UTC).hour == 10


def test_search_finds_deadlines_exams_and_staff(ds_course: Course) -> None:
    assert {h.title for h in search(ds_course, "homework").hits} >= {"Homework 3 (primary-backup)"}
    assert search(ds_course, "okafor").hits[0].kind == "staff"
    assert search(ds_course, "final exam").hits[0].title == "Final exam"


def test_search_ranks_an_exact_word_above_a_fuzzy_one(ds_course: Course) -> None:
    """'raft' is a word of the Raft session; 'draft'-like near words must not outrank it."""
    hits = search(ds_course, "raft").hits
    assert hits and all("raft" in (h.title + " " + (h.session.title if h.session else "")).lower().split()
                        or "raft" in h.title.lower() for h in hits[:2])


@pytest.mark.parametrize("name", ["ds_course", "da_course"])
def test_examples_come_from_the_loaded_course(name: str, request: pytest.FixtureRequest) -> None:
    """A bad date suggests this course's dates, never the first course's 9/18."""
    course: Course = request.getfixturevalue(name)
    with pytest.raises(QueryError) as caught:
        parse_when(course, "13/45", course_at(course, 2025, 10, 1))
    seventh = course.sessions[6].date
    assert f"{seventh.month}/{seventh.day}" in str(caught.value) and "9/18" not in str(caught.value)
    assert "flamingo" not in console.answer(course, "/search ?", course_at(course, 2025, 10, 1))


STUDENT_LINES = ["/readings", "/readings tomorrow", "/readings #3", "/next", "/schedule", "/schedule all",
                 "/officehours", "/deadlines", "/search exam", "/help", "/critique rules", "/readings 13/45"]


@pytest.mark.parametrize("name", ["ds_course", "da_course"])
def test_nothing_borrowed_from_the_first_course(name: str, request: pytest.FixtureRequest) -> None:
    """In a course without critiques no answer says 'critique' or 'printed', and none names the first course."""
    course: Course = request.getfixturevalue(name)
    first, end = course.first_day, course.end
    instants = [first - dt.timedelta(days=7), first + dt.timedelta(days=20), end - dt.timedelta(days=3),
                end + dt.timedelta(days=2)]
    for day in instants:
        now = dt.datetime.combine(day, dt.time(13, 0), course.timezone)
        for line in STUDENT_LINES:
            text = console.answer(course, line, now)
            for borrowed in ("printed", "Sep 18", "flamingo", "Machine Learning", "2024"):
                assert borrowed not in text, (line, day, text)
            if line != "/critique rules":
                assert "critique" not in text.lower(), (line, day, text)
            else:
                assert text == words.NO_CRITIQUES


def test_help_lists_no_critique_commands_without_critiques(ds_course: Course, course: Course) -> None:
    names = [c.name for c, _ in words.help_lines(ds_course)]
    assert not any(n.startswith("critique") for n in names)
    assert any(n.startswith("critique") for n, _ in ((c.name, d) for c, d in words.help_lines(course)))
    text = console.answer(ds_course, "/help", course_at(ds_course, 2025, 2, 1))
    assert "CS 452 Distributed Systems (Spring 2025)" in text and "Priya Raman (TA)" in text
    assert "Forum: https://edstem.org/us/courses/1" in text


def test_a_search_hit_for_homework_has_its_due_time_and_relative_time(ds_course: Course) -> None:
    hit = search(ds_course, "homework 3", now=course_at(ds_course, 2025, 2, 14, 21)).hits[0]
    assert hit.title == "Homework 3 (primary-backup)"
    assert words.hit_place(hit) == "Deadline · Fri Feb 14, 11:59pm · in 2 h 59 min"


def test_a_day_after_the_last_class_names_what_is_still_ahead(ds_course: Course) -> None:
    """Finals week: no class on Tue May 6, but the final exam and the report are still ahead."""
    answer = queries.readings(ds_course, "5/6", course_at(ds_course, 2025, 5, 5, 10))
    assert isinstance(answer, NoClass) and not answer.course_over
    assert [i.id for i in answer.later] == ["final", "report"]
    assert "Still ahead: Final exam Wed May 7, 2:30pm–4:20pm, Kane Hall 130" in words.no_class_text(answer)


def test_before_the_term_the_schedule_says_when_it_starts(ds_course: Course) -> None:
    text = console.answer(ds_course, "/schedule", course_at(ds_course, 2025, 1, 6, 9))
    assert text.startswith("The course starts Tue Jan 21.")


def test_readings_next_after_the_last_class_is_what_is_still_ahead(ds_course: Course) -> None:
    """/readings next in finals week answers like /next: the final exam, not 'the course has ended'."""
    answer = queries.readings(ds_course, "next", course_at(ds_course, 2025, 5, 5, 10))
    assert isinstance(answer, ExamDay) and answer.exam.id == "final"


def test_next_before_an_exam_names_what_is_due_before_it(ds_course: Course) -> None:
    """When the next thing is an exam, /next still names the homework due before it (one added the day before)."""
    homework = dataclasses.replace(ds_course.deadlines[0], id="hw9", title="Homework 9", due=dt.date(2025, 5, 6),
                                   time=dt.time(17, 0))
    course = dataclasses.replace(ds_course, deadlines=(*ds_course.deadlines, homework))
    answer = queries.next_class(course, course_at(course, 2025, 5, 6, 12))
    assert isinstance(answer, ExamDay) and [i.id for i in answer.due] == ["hw9"]
    assert "Due before it: Homework 9 due Tue May 6, 5pm — in 5 h." in words.exam_lines(answer)


def test_a_day_after_the_last_class_asked_ahead_of_time(ds_course: Course) -> None:
    """Asked in February about a day in finals week, the answer names the last class to come, not 'ended'."""
    answer = queries.readings(ds_course, "5/12", course_at(ds_course, 2025, 2, 1))
    assert isinstance(answer, NoClass)
    assert words.no_class_text(answer) == ("There is no class on Mon May 12: the last class is "
                                           "Thu May 1 Course wrap-up.")


def test_schedule_all_keeps_a_week_that_is_only_a_break(da_course: Course) -> None:
    text = console.answer(da_course, "/schedule all", course_at(da_course, 2025, 9, 1))
    assert "Week 6 of Mon Nov 3\n  Reading week: Mon Nov 3 to Fri Nov 7, no classes" in text


def test_a_date_that_can_only_be_day_month_is_read_so(da_course: Course) -> None:
    assert parse_when(da_course, "15/10", course_at(da_course, 2025, 10, 1)).date == dt.date(2025, 10, 15)
    assert parse_when(da_course, "10/3", course_at(da_course, 2025, 10, 1)).date == dt.date(2025, 10, 3)


def test_the_schedule_lists_a_week_in_date_order(ds_course: Course) -> None:
    """Homework due on Friday comes after Thursday's class and before next week's."""
    text = console.answer(ds_course, "/schedule 2/11", course_at(ds_course, 2025, 2, 1))
    lines = [line.strip() for line in text.splitlines()[1:]]
    assert lines[:3] == ["Tue Feb 11 · Class 7 · Consensus: Raft  (cancelled)",
                         "Thu Feb 13 · Class 8 · Byzantine fault tolerance  — 1 paper",
                         "Fri Feb 14 · Homework 3 (primary-backup) due 11:59pm"]


def test_a_course_with_nothing_due_has_not_ended(ds_course: Course) -> None:
    """A course without deadlines or exams, mid-term: nothing is due, but the course goes on."""
    bare = dataclasses.replace(ds_course, deadlines=(), exams=(),
                               sessions=tuple(dataclasses.replace(s, kind="class") for s in ds_course.sessions))
    answer = queries.deadlines(bare, course_at(bare, 2025, 2, 14, 9))
    assert not answer.items and not answer.course_over
    assert console.answer(bare, "/deadlines", course_at(bare, 2025, 2, 14, 9)) == words.NOTHING_DUE


def test_help_offers_office_hours_only_where_there_are_some(da_course: Course, ds_course: Course) -> None:
    assert "officehours" not in [c.name for c, _ in words.help_lines(da_course)]
    assert "officehours" in [c.name for c, _ in words.help_lines(ds_course)]
