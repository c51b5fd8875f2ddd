"""The answers to /readings, /next, /schedule, /officehours and /deadlines, against fixed clocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from bot.core import queries
from bot.core.dates import QueryError
from bot.core.model import Course
from bot.core.queries import CourseOver, NoClass, Readings
from bot.render import text

At = Callable[..., dt.datetime]
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def timed(course: Course) -> Course:
    """The course with a class time set (14:00–15:15), which the real syllabus does not give."""
    meeting = dataclasses.replace(course.meetings[0], start=dt.time(14, 0), end=dt.time(15, 15))
    return dataclasses.replace(course, meetings=(meeting,), class_start=meeting.start, class_end=meeting.end)


# /readings


@pytest.mark.parametrize(("day", "number", "papers"), [("10/2", 11, 8), ("10/14", 14, 7), ("9/18", 7, 3)])
def test_readings_paper_counts(course: Course, at: At, day: str, number: int, papers: int) -> None:
    """/readings lists every paper of the class: 8 on 10/2, 7 on 10/14, 3 on 9/18."""
    answer = queries.readings(course, day, at(2024, 9, 17, 9))
    assert isinstance(answer, Readings)
    assert answer.session.number == number and len(answer.session.papers) == papers


def test_readings_9_18_in_full(course: Course, at: At) -> None:
    """/readings 9/18 on Tue Sep 17: due tomorrow, open, with the previous and next classes."""
    answer = queries.readings(course, "9/18", at(2024, 9, 17, 9))
    assert isinstance(answer, Readings)
    assert [p.authors for p in answer.session.papers] == ["Chen et al.", "Caron et al.", "Darcet et al."]
    assert answer.critique_open and answer.relative == "tomorrow"
    assert answer.critique_due == at(2024, 9, 18, 12)  # the default cut-off: no class time is set
    assert (answer.previous.number, answer.next.number) == (6, 8)
    assert answer.class_start is None


@pytest.mark.parametrize("query", [None, "", "   "], ids=["none", "empty", "blank"])
def test_readings_without_a_date_is_the_next_class(course: Course, at: At, query: str | None) -> None:
    """/readings with no date answers for the next class."""
    now = at(2024, 9, 19, 9)
    assert queries.readings(course, query, now) == queries.next_class(course, now)
    assert queries.readings(course, query, now).session.number == 8


@pytest.mark.parametrize(("day", "before", "after"), [
    ("9/2", dt.date(2024, 8, 28), dt.date(2024, 9, 4)),
    ("11/27", dt.date(2024, 11, 25), dt.date(2024, 12, 2)),
])
def test_readings_on_a_day_without_class(course: Course, at: At, day: str, before: dt.date, after: dt.date) -> None:
    """A date with no class answers NoClass naming the classes before and after it."""
    answer = queries.readings(course, day, at(2024, 9, 17, 9))
    assert isinstance(answer, NoClass)
    assert (answer.before.date, answer.after.date) == (before, after)
    assert not answer.course_over and not answer.not_started


def test_no_class_text_names_both_neighbours(course: Course, at: At) -> None:
    """The words for 9/2 say there is no class and name Wed Aug 28 and Wed Sep 4."""
    words = text.readings(queries.readings(course, "9/2", at(2024, 9, 17, 9)))
    assert words.startswith("There is no class on Mon Sep 2.")
    assert "Wed Aug 28" in words and "Wed Sep 4" in words


def test_no_class_before_the_course(course: Course, at: At) -> None:
    """A day before the first class says when the course starts."""
    answer = queries.readings(course, "8/1", at(2024, 7, 20, 9))
    assert isinstance(answer, NoClass) and answer.not_started
    assert "the course starts Mon Aug 26" in text.readings(answer)


@pytest.mark.parametrize("query", ["10/9", "#13"])
def test_cancelled_class_says_cancelled_and_why(course: Course, at: At, query: str) -> None:
    """A cancelled class is answered (not 'no class'), marked cancelled, with its reason and nothing due."""
    answer = queries.readings(course, query, at(2024, 9, 17, 9))
    assert isinstance(answer, Readings)
    assert answer.session.cancelled and answer.critique_due is None and not answer.critique_open
    words = text.readings(answer)
    assert "[CANCELLED]" in words
    assert "This class is cancelled: the syllabus lists this class as cancelled. Nothing is due for it." in words


def test_readings_on_the_proposal_day_mention_the_proposal(course: Course, at: At) -> None:
    """Wed Oct 16 has both critiques and the project proposal due."""
    answer = queries.readings(course, "10/16", at(2024, 10, 15, 9))
    assert [d.id for d in answer.due] == ["proposal"]


@pytest.mark.parametrize(("hour", "minute", "open_"), [(11, 59, True), (12, 0, False)])
def test_critique_deadline_is_the_cutoff_without_a_class_time(course: Course, at: At, hour: int, minute: int,
                                                              open_: bool) -> None:
    """Without a class time, critiques are open until 12:00 on the class day."""
    answer = queries.readings(course, "9/18", at(2024, 9, 18, hour, minute))
    assert answer.critique_open is open_


def test_critique_deadline_is_the_class_start_when_known(timed: Course, at: At) -> None:
    """With a class time, critiques are due when class starts."""
    answer = queries.readings(timed, "9/18", at(2024, 9, 18, 13))
    assert answer.critique_due == at(2024, 9, 18, 14) and answer.critique_open


# /next


@pytest.mark.parametrize(("now", "number"), [
    ((2024, 8, 1, 9), 1),  # before the first class
    ((2024, 8, 26, 9), 1),  # on the first class day
    ((2024, 9, 17, 9), 7),  # between classes
    ((2024, 9, 18, 9), 7),  # on a class day, before class
    ((2024, 9, 18, 23, 59), 7),  # on a class day, after class: no class time, so until midnight
    ((2024, 9, 19, 0, 0), 8),  # the day after
    ((2024, 10, 8, 9), 14),  # the cancelled class is skipped
    ((2024, 12, 9, 20), 29),  # the last class day
], ids=["before first", "first day", "between", "class day", "class evening", "day after", "skip cancelled",
        "last day"])
def test_next_class(course: Course, at: At, now: tuple[int, ...], number: int) -> None:
    """/next is the first class not over yet."""
    answer = queries.next_class(course, at(*now))
    assert isinstance(answer, Readings) and answer.session.number == number


def test_next_class_after_a_timed_class_ends(timed: Course, at: At) -> None:
    """With a class time, the next class changes when the class ends, not at midnight."""
    assert queries.next_class(timed, at(2024, 9, 18, 15, 14)).session.number == 7
    assert queries.next_class(timed, at(2024, 9, 18, 15, 15)).session.number == 8


@pytest.mark.parametrize("ask", [queries.next_class, lambda c, now: queries.readings(c, None, now)],
                         ids=["/next", "/readings"])
def test_after_the_last_class(course: Course, at: At, ask: Callable[[Course, dt.datetime], object]) -> None:
    """After the last class, /next and /readings answer CourseOver (no exception) naming class 29."""
    answer = ask(course, at(2024, 12, 10, 9))
    assert isinstance(answer, CourseOver) and answer.last.number == 29
    assert text.readings(answer).startswith("The course has ended: the last class was Mon Dec 9")


# /schedule


def test_schedule_default_is_this_week_and_next(course: Course, at: At) -> None:
    """On Tue Sep 17, /schedule shows weeks 4 and 5: classes 6, 7, 8, 9."""
    answer = queries.schedule(course, None, at(2024, 9, 17, 9))
    assert [w.monday for w in answer.weeks] == [dt.date(2024, 9, 16), dt.date(2024, 9, 23)]
    assert [w.number for w in answer.weeks] == [4, 5]
    assert [s.number for w in answer.weeks for s in w.sessions] == [6, 7, 8, 9]


@pytest.mark.parametrize(("week", "mondays", "sessions"), [
    ("next", [dt.date(2024, 9, 23)], [8, 9]),
    ("last", [dt.date(2024, 9, 9)], [4, 5]),
    ("3", [dt.date(2024, 9, 9)], [4, 5]),
    ("week 2", [dt.date(2024, 9, 2)], [3]),
    ("10/9", [dt.date(2024, 10, 7)], [12, 13]),
    ("Nov 27", [dt.date(2024, 11, 25)], [26]),
])
def test_schedule_week_forms(course: Course, at: At, week: str, mondays: list[dt.date], sessions: list[int]) -> None:
    """'next', 'last', a week number or a date pick one week."""
    answer = queries.schedule(course, week, at(2024, 9, 17, 9))
    assert [w.monday for w in answer.weeks] == mondays
    assert [s.number for w in answer.weeks for s in w.sessions] == sessions


def test_schedule_all(course: Course, at: At) -> None:
    """'all' shows every week with a class: 16 weeks, 29 classes."""
    answer = queries.schedule(course, "all", at(2024, 9, 17, 9))
    assert len(answer.weeks) == 16
    assert [s.number for w in answer.weeks for s in w.sessions] == list(range(1, 30))


def test_schedule_week_with_the_proposal(course: Course, at: At) -> None:
    """The week of Oct 14 lists the proposal deadline."""
    (week,) = queries.schedule(course, "10/14", at(2024, 9, 17, 9)).weeks
    assert [d.id for d in week.due] == ["proposal"]


@pytest.mark.parametrize(("week", "message"), [
    ("17", "The term has weeks 1 to 16; week 1 starts Mon Aug 26."),
    ("0", "The term has weeks 1 to 16"),
    ("13/45", "I couldn't read “13/45” as a week."),
    ("soon", "I couldn't read “soon” as a week."),
])
def test_schedule_bad_week(course: Course, at: At, week: str, message: str) -> None:
    """A week that cannot be read is a QueryError that lists the accepted forms."""
    with pytest.raises(QueryError) as caught:
        queries.schedule(course, week, at(2024, 9, 17, 9))
    assert str(caught.value).startswith(message)


def test_schedule_far_future_week_has_no_classes(course: Course, at: At) -> None:
    """The week of 9999-12-31 is empty, not an OverflowError."""
    (week,) = queries.schedule(course, "9999-12-31", at(2024, 9, 17, 9)).weeks
    assert week.sessions == () and week.number is None


def test_schedule_after_the_course(course: Course, at: At) -> None:
    """After the last class /schedule says the course is over."""
    assert queries.schedule(course, None, at(2024, 12, 20, 9)).course_over


# /officehours


@pytest.mark.parametrize(("now", "start", "in_progress"), [
    ((2024, 9, 18, 9, 0), (2024, 9, 18, 10), False),  # before, the same morning
    ((2024, 9, 18, 10, 0), (2024, 9, 18, 10), True),  # at the start
    ((2024, 9, 18, 10, 30), (2024, 9, 18, 10), True),  # during
    ((2024, 9, 18, 10, 59), (2024, 9, 18, 10), True),  # the last minute
    ((2024, 9, 18, 11, 0), (2024, 9, 25, 10), False),  # just after: next week
    ((2024, 9, 16, 15, 0), (2024, 9, 18, 10), False),  # on a Monday
    ((2024, 8, 1, 9, 0), (2024, 8, 28, 10), False),  # before the term: the first Wednesday of the term
], ids=["before", "start", "during", "last minute", "just after", "monday", "before term"])
def test_office_hours_next_occurrence(course: Course, at: At, now: tuple[int, ...], start: tuple[int, ...],
                                      in_progress: bool) -> None:
    """The office hour in progress, or the next one."""
    (slot,) = queries.office_hours(course, at(*now)).slots
    assert slot.next_start == at(*start)
    assert slot.next_end == at(*start) + dt.timedelta(hours=1)
    assert slot.in_progress is in_progress


def test_office_hours_in_progress_text(course: Course, at: At) -> None:
    """During office hours the answer says so and until when."""
    words = text.office_hours(queries.office_hours(course, at(2024, 9, 18, 10, 30)))
    assert "Prof. Jacobs: Wednesdays 10am–11am, Iribe 4240" in words
    assert "Happening now, until 11am." in words


@pytest.mark.parametrize(("now", "says"), [
    ((2024, 12, 4, 11, 0), "No more of these office hours this term."),  # classes go on until Mon Dec 9
    ((2024, 12, 20, 9, 0), "The term is over: no more office hours are scheduled."),
], ids=["after the last wed", "winter"])
def test_office_hours_after_the_term(course: Course, at: At, now: tuple[int, ...], says: str) -> None:
    """After the last Wednesday there is no next occurrence, and the answer says whether the term is over."""
    answer = queries.office_hours(course, at(*now))
    (slot,) = answer.slots
    assert slot.next_start is None and not slot.in_progress
    assert says in text.office_hours(answer)


@pytest.mark.parametrize(("now", "utc"), [
    ((2024, 10, 28, 9), dt.datetime(2024, 10, 30, 14, 0, tzinfo=UTC)),  # EDT: UTC-4
    ((2024, 11, 3, 12), dt.datetime(2024, 11, 6, 15, 0, tzinfo=UTC)),  # asked on the day DST ends
    ((2024, 11, 4, 9), dt.datetime(2024, 11, 6, 15, 0, tzinfo=UTC)),  # EST: UTC-5
], ids=["oct 30 EDT", "asked nov 3", "nov 6 EST"])
def test_office_hours_across_dst(course: Course, at: At, now: tuple[int, ...], utc: dt.datetime) -> None:
    """10:00 in New York is 14:00 UTC on Wed Oct 30 (EDT) and 15:00 UTC on Wed Nov 6 (EST)."""
    (slot,) = queries.office_hours(course, at(*now)).slots
    assert slot.next_start.astimezone(UTC) == utc
    assert slot.next_start.astimezone(course.timezone).hour == 10


def test_office_hours_notice_is_carried(course: Course, at: At) -> None:
    """An instructor's notice is part of the answer and printed first."""
    noted = dataclasses.replace(course, office_hours_notice="Moved to Zoom this week.")
    answer = queries.office_hours(noted, at(2024, 9, 17, 9))
    assert text.office_hours(answer).startswith("Note from the instructor: Moved to Zoom this week.")


# /deadlines


def test_deadlines_on_tuesday_before_class_7(course: Course, at: At) -> None:
    """Five critique deadlines (from class 7, 'tomorrow'), then the proposal and the final paper."""
    answer = queries.deadlines(course, at(2024, 9, 17, 9))
    assert [(i.id if i.kind == "project" else i.kind, i.session.number if i.kind == "critique" else None)
            for i in answer.items] == [
        ("critique", 7), ("critique", 8), ("critique", 9), ("critique", 10), ("critique", 11),
        ("proposal", None), ("final", None),
    ]
    assert answer.items[0].relative == "tomorrow"
    assert answer.hidden_critiques == 16 and not answer.course_over


def test_deadlines_in_3_days(course: Course, at: At) -> None:
    """On Fri Sep 20, class 8 (Mon Sep 23) is 'in 3 days'."""
    first = queries.deadlines(course, at(2024, 9, 20, 9)).items[0]
    assert (first.session.number, first.relative) == (8, "in 3 days")


def test_deadlines_critique_is_gone_after_the_cutoff(course: Course, at: At) -> None:
    """At 12:00 on a class day its critique is no longer listed."""
    assert queries.deadlines(course, at(2024, 9, 18, 11, 59)).items[0].session.number == 7
    assert queries.deadlines(course, at(2024, 9, 18, 12, 0)).items[0].session.number == 8


def test_deadlines_critique_before_proposal_on_the_same_day(course: Course, at: At) -> None:
    """On Oct 16 the critique (due before class) comes before the proposal (due at the end of the day)."""
    items = queries.deadlines(course, at(2024, 10, 15, 9)).items
    assert [(i.kind if i.kind == "critique" else i.id, i.date) for i in items[:2]] == [
        ("critique", dt.date(2024, 10, 16)), ("proposal", dt.date(2024, 10, 16))]
    assert items[1].due == at(2024, 10, 16, 23, 59)


def test_deadlines_exact_with_a_class_time(timed: Course, at: At) -> None:
    """With a class time the critique is due at class start and said in hours."""
    first = queries.deadlines(timed, at(2024, 9, 18, 12)).items[0]
    assert first.exact_time and first.due == at(2024, 9, 18, 14)
    assert first.relative == "in 2 h"


def test_deadlines_on_the_last_day(course: Course, at: At) -> None:
    """On Dec 9 afternoon only the final paper is left, due today."""
    answer = queries.deadlines(course, at(2024, 12, 9, 13))
    assert [(i.kind, i.id, i.relative) for i in answer.items] == [("project", "final", "today")]
    assert not answer.course_over


def test_deadlines_course_over(course: Course, at: At) -> None:
    """After the final paper, nothing is due and the course is over."""
    answer = queries.deadlines(course, at(2024, 12, 10, 9))
    assert answer.items == () and answer.course_over
    assert text.deadlines(answer) == "Nothing is due any more: the course has ended."


def test_upcoming_with_papers(course: Course, at: At) -> None:
    """From Tue Sep 17, 21 classes with papers are still to come (cancelled and paperless ones excluded)."""
    upcoming = queries.upcoming_with_papers(course, at(2024, 9, 17, 9))
    assert len(upcoming) == 21 and 13 not in {s.number for s in upcoming}
