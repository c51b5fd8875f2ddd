"""Reminders per kind on every test course: critiques only where a course has them, homework 24 h and 2 h before,
projects and exams 7 d, 1 d and that morning, digests and office hours from the course that is loaded, daylight
saving time in Los Angeles (2025-03-09) and London (2025-10-26), keys that follow a moved deadline, and the first
course's plan exactly as in its reference output."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from bot.core.dates import QueryError
from bot.core.loader import load_course
from bot.core.model import Course, CritiquePolicy, Deadline, Exam, Paper
from bot.core.planner import KINDS, TEXT_MAX, Reminder, ReminderSettings, plan
from bot.core.remind_kinds import dm_kinds, kind_label, parse_kinds

DATA = Path(__file__).resolve().parents[1] / "data"
COURSES = DATA / "courses"
UTC = dt.timezone.utc
ALL_ON = ReminderSettings(office_hours=True)


@pytest.fixture(scope="module")
def ml() -> Course:
    """Machine Learning at Scale (the first course, frozen): Mon/Wed, no class time, critiques, a project."""
    return load_course(COURSES / "ml_at_scale.yaml")


@pytest.fixture(scope="module")
def ds() -> Course:
    """Distributed Systems: Tue/Thu 14:00-15:15 in Los Angeles, homework Fridays 23:59, exams, no critiques."""
    return load_course(COURSES / "distributed_systems.yaml")


@pytest.fixture(scope="module")
def da() -> Course:
    """Data Analysis in Practice: London, a Friday section, a make-up class, quizzes, no office hours or critiques."""
    return load_course(COURSES / "data_analysis.yaml")


@pytest.fixture(scope="module", params=["ml_at_scale", "distributed_systems", "data_analysis"])
def each(request: pytest.FixtureRequest) -> Course:
    """Each test course in turn."""
    return load_course(COURSES / f"{request.param}.yaml")


def local(course: Course, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=course.timezone)  # type: ignore[misc]


def by_key(reminders: tuple[Reminder, ...]) -> dict[str, Reminder]:
    return {r.key: r for r in reminders}


def of_kind(reminders: tuple[Reminder, ...], kind: str) -> list[Reminder]:
    return [r for r in reminders if r.kind == kind]


def with_deadline(course: Course, ident: str, **changes: object) -> Course:
    """The course with one deadline changed (moved, extended, given a time)."""
    deadlines = tuple(dataclasses.replace(d, **changes) if d.id == ident else d for d in course.deadlines)
    return dataclasses.replace(course, deadlines=deadlines)


def with_exam(course: Course, ident: str, **changes: object) -> Course:
    return dataclasses.replace(course, exams=tuple(dataclasses.replace(e, **changes) if e.id == ident else e
                                                   for e in course.exams))


def with_session(course: Course, number: int, **changes: object) -> Course:
    return dataclasses.replace(course, sessions=tuple(dataclasses.replace(s, **changes) if s.number == number else s
                                                      for s in course.sessions))


# --- the first course: exactly as before ------------------------------------------------------------------------


def test_first_course_plan_matches_its_reference(ml: Course) -> None:
    """Every key, instant, useful_until and text of the first course's plan is the reference output's."""
    reference = (DATA / "reference" / "ml_at_scale.txt").read_text(encoding="utf-8")
    expected = reference[reference.index("=== reminder plan\n") + len("=== reminder plan\n"):]
    lines = []
    for r in plan(ml):
        lines += [f"--- {r.key} {r.at.isoformat()} until {r.useful_until.isoformat()}", r.text]
    assert "\n".join(lines) + "\n" == expected


# --- critiques: only in a course with critiques ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ds", "da"])
def test_no_critique_reminders_without_critiques(name: str, request: pytest.FixtureRequest) -> None:
    """A course without critiques (but with papers assigned) plans no critique reminder and never says 'critique'."""
    course: Course = request.getfixturevalue(name)
    assert course.critiques is None and any(s.papers for s in course.sessions)  # papers, so the check can fail
    reminders = plan(course, ALL_ON)
    assert reminders and not of_kind(reminders, "critique")
    for r in reminders:
        assert not re.search(r"critique|printed", r.text, re.IGNORECASE), r.key


def test_the_same_papers_with_critiques_get_critique_reminders(ds: Course, ml: Course) -> None:
    """Control: Distributed Systems given the first course's critique policy gets critique reminders at 24 h and 2 h."""
    with_policy = dataclasses.replace(ds, critiques=ml.critiques)
    slots = {r.key: r for r in plan(with_policy) if r.key.startswith("critique:2025-01-28:")}
    assert set(slots) == {"critique:2025-01-28:24h", "critique:2025-01-28:2h"}
    assert slots["critique:2025-01-28:2h"].at == local(ds, 2025, 1, 28, 12)
    assert slots["critique:2025-01-28:2h"].useful_until == local(ds, 2025, 1, 28, 14)
    assert "Critiques are due before class (2pm), printed, one page, two paragraphs." in slots[
        "critique:2025-01-28:2h"].text


def test_critique_text_states_the_courses_own_form(ml: Course) -> None:
    """The critique text states the form from the policy (two pages, three paragraphs), not the first course's."""
    policy = dataclasses.replace(ml.critiques, format="", length="two pages", paragraphs=("a", "b", "c"))
    text = by_key(plan(dataclasses.replace(ml, critiques=policy)))["critique:2024-09-18:eve"].text
    assert "Critiques are due before class, two pages, three paragraphs." in text
    assert "printed" not in text and "one page" not in text


def test_critique_without_form_words(ml: Course) -> None:
    """A policy that states no form gives 'Critiques are due before class.' and nothing more on that line."""
    policy = CritiquePolicy(required=3, max_per_class=2, length="", paragraphs=(), format="", due="before class",
                            late_accepted=True, llms_allowed=True, rules=())
    text = by_key(plan(dataclasses.replace(ml, critiques=policy)))["critique:2024-09-18:morning"].text
    assert "\nCritiques are due before class.\n" in text


def test_critique_is_due_at_a_make_up_class_own_start(da: Course, ml: Course) -> None:
    """A make-up class at its own time (Tue Oct 14, 13:00 London): critiques are due then, reminded 24 h, 2 h before."""
    papered = with_session(dataclasses.replace(da, critiques=ml.critiques), 8, papers=(Paper("A paper"),))
    slots = {r.key: r for r in plan(papered) if r.key.startswith("critique:2025-10-14:")}
    assert set(slots) == {"critique:2025-10-14:24h", "critique:2025-10-14:2h"}
    assert slots["critique:2025-10-14:2h"].at == local(da, 2025, 10, 14, 11)
    assert all(r.useful_until == local(da, 2025, 10, 14, 13) for r in slots.values())
    assert "before class (1pm)" in slots["critique:2025-10-14:2h"].text


# --- homework, quizzes, other: hours before ----------------------------------------------------------------------


@pytest.mark.parametrize(("key", "parts"), [
    ("deadline:hw3:2025-02-14T23:59:24h", (2025, 2, 13, 23, 59)),
    ("deadline:hw3:2025-02-14T23:59:2h", (2025, 2, 14, 21, 59)),
    ("deadline:hw1:2025-01-31T23:59:24h", (2025, 1, 30, 23, 59)),
    ("deadline:hw7:2025-04-11T23:59:2h", (2025, 4, 11, 21, 59)),
])
def test_homework_is_reminded_24_and_2_hours_before(ds: Course, key: str, parts: tuple[int, ...]) -> None:
    """Homework due Friday 11:59pm is reminded Thursday 11:59pm and Friday 9:59pm, useful until it is due."""
    reminder = by_key(plan(ds))[key]
    assert reminder.kind == "deadline" and reminder.at == local(ds, *parts)
    assert reminder.useful_until.date() == reminder.session_date and reminder.useful_until.time() == dt.time(23, 59)


def test_homework_text(ds: Course) -> None:
    """The text names the homework, its day and time, its link, and where to see everything due."""
    reminder = by_key(plan(ds))["deadline:hw3:2025-02-14T23:59:2h"]
    assert reminder.text == ("**In 2 hours: Homework 3 (primary-backup) due Fri Feb 14, 11:59pm**\n"
                             "https://example.edu/cs452/hw3\n/deadlines for everything due")


def test_every_homework_gets_exactly_two(ds: Course) -> None:
    """Seven homeworks × (24 h, 2 h): fourteen deadline reminders, no more."""
    reminders = of_kind(plan(ds), "deadline")
    assert len(reminders) == 14
    assert {r.key.rsplit(":", 1)[1] for r in reminders} == {"24h", "2h"}


def test_quiz_and_date_only_problem_set(da: Course) -> None:
    """A quiz at 14:00 London is reminded 24 h and 2 h before; a problem set due on a date alone by 23:59 that day."""
    reminders = by_key(plan(da))
    assert reminders["deadline:quiz1:2025-10-17T14:00:24h"].at == local(da, 2025, 10, 16, 14)
    assert reminders["deadline:quiz1:2025-10-17T14:00:2h"].at == local(da, 2025, 10, 17, 12)
    problem_set = reminders["deadline:ps1:2025-10-10:2h"]
    assert problem_set.at == local(da, 2025, 10, 10, 21, 59)
    assert problem_set.useful_until == local(da, 2025, 10, 10, 23, 59)
    assert "Problem set 1 due Fri Oct 10, end of day" in problem_set.text


@pytest.mark.parametrize(("name", "ident", "due", "before", "utc", "wall"), [
    ("ds", "hw5", (2025, 3, 9, 23, 59), "24h", dt.datetime(2025, 3, 9, 6, 59, tzinfo=UTC), "Sat 22:59 PST"),
    ("ds", "hw5", (2025, 3, 9, 23, 59), "2h", dt.datetime(2025, 3, 10, 4, 59, tzinfo=UTC), "Sun 21:59 PDT"),
    ("da", "quiz1", (2025, 10, 26, 12, 0), "24h", dt.datetime(2025, 10, 25, 12, 0, tzinfo=UTC), "Sat 13:00 BST"),
    ("da", "quiz1", (2025, 10, 26, 12, 0), "2h", dt.datetime(2025, 10, 26, 10, 0, tzinfo=UTC), "Sun 10:00 GMT"),
], ids=["LA 24h", "LA 2h", "London 24h", "London 2h"])
def test_hours_before_are_real_hours_across_dst(name: str, ident: str, due: tuple[int, ...], before: str,
                                                utc: dt.datetime, wall: str, request: pytest.FixtureRequest) -> None:
    """'24 h before' a deadline the day the clocks change is 24 real hours, so a different wall-clock time."""
    course: Course = request.getfixturevalue(name)
    moved = with_deadline(course, ident, due=dt.date(*due[:3]), time=dt.time(*due[3:]))
    reminder = by_key(plan(moved))[f"deadline:{ident}:{dt.date(*due[:3]).isoformat()}T{due[3]:02d}:{due[4]:02d}:"
                                   f"{before}"]
    assert reminder.at.astimezone(UTC) == utc
    assert reminder.at.strftime("%a %H:%M %Z") == wall
    assert reminder.useful_until.astimezone(UTC) - reminder.at.astimezone(UTC) == dt.timedelta(hours=int(before[:-1]))


# --- moved and extended deadlines: new keys -----------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "token"), [
    ({"due": dt.date(2025, 2, 16)}, "2025-02-16T23:59"),
    ({"time": dt.time(17, 0)}, "2025-02-14T17:00"),
    ({"time": None}, "2025-02-14"),
], ids=["extended to Sunday", "earlier time", "date alone"])
def test_a_moved_deadline_gets_new_keys(ds: Course, changes: dict[str, object], token: str) -> None:
    """A moved or extended deadline's old keys vanish and new ones appear; every other reminder keeps its key."""
    before, after = by_key(plan(ds)), by_key(plan(with_deadline(ds, "hw3", **changes)))
    old = {k for k in before if k.startswith("deadline:hw3:")}
    new = {k for k in after if k.startswith("deadline:hw3:")}
    assert old == {"deadline:hw3:2025-02-14T23:59:24h", "deadline:hw3:2025-02-14T23:59:2h"}
    assert new == {f"deadline:hw3:{token}:24h", f"deadline:hw3:{token}:2h"}
    assert set(before) - old == set(after) - new


def test_a_moved_project_deadline_gets_new_keys(ml: Course) -> None:
    """The first course's proposal moved to Fri Oct 18: project:proposal:2024-10-18:*d replace the 10-16 ones."""
    keys = set(by_key(plan(with_deadline(ml, "proposal", due=dt.date(2024, 10, 18)))))
    assert {f"project:proposal:2024-10-18:{n}d" for n in (7, 1, 0)} <= keys
    assert not any(k.startswith("project:proposal:2024-10-16") for k in keys)


def test_a_moved_exam_gets_new_keys(ds: Course) -> None:
    """The final exam moved to 9:00 the next day: its keys carry the new date and time."""
    keys = set(by_key(plan(with_exam(ds, "final", date=dt.date(2025, 5, 8), start=dt.time(9, 0), end=None))))
    assert {f"exam:final:2025-05-08T09:00:{n}d" for n in (7, 1, 0)} <= keys
    assert not any(k.startswith("exam:final:2025-05-07") for k in keys)


# --- projects and exams: days before, and that morning -------------------------------------------------------------


@pytest.mark.parametrize(("key", "parts", "words"), [
    ("project:proposal:2025-04-08T14:00:7d", (2025, 4, 1, 18), "In 7 days: Project proposal due Tue Apr 8, 2pm"),
    ("project:proposal:2025-04-08T14:00:1d", (2025, 4, 7, 18), "Tomorrow: Project proposal due Tue Apr 8, 2pm"),
    ("project:proposal:2025-04-08T14:00:0d", (2025, 4, 8, 8), "Today: Project proposal due Tue Apr 8, 2pm"),
    ("project:report:2025-05-09T17:00:0d", (2025, 5, 9, 8), "Today: Final project report due Fri May 9, 5pm"),
])
def test_project_deadlines_with_a_time(ds: Course, key: str, parts: tuple[int, ...], words: str) -> None:
    """A timed project deadline: 7 days and 1 day before at 18:00, the morning of at 08:00, with its due time."""
    reminder = by_key(plan(ds))[key]
    assert reminder.kind == "project" and reminder.at == local(ds, *parts) and words in reminder.text


def test_project_morning_after_an_early_deadline_is_dropped(ds: Course) -> None:
    """A project due at 07:30 gets no 08:00 'Today' reminder (it would come after the deadline); the others stay."""
    keys = {k for k in by_key(plan(with_deadline(ds, "proposal", time=dt.time(7, 30)))) if k.startswith("project:pro")}
    assert keys == {"project:proposal:2025-04-08T07:30:7d", "project:proposal:2025-04-08T07:30:1d"}


@pytest.mark.parametrize(("key", "parts", "words"), [
    ("exam:class-13:2025-03-04T14:00:7d", (2025, 2, 25, 18),
     "**In 7 days: Midterm exam (in class) — Tue Mar 4, 2pm–3:15pm, Gates Center G20**"),
    ("exam:class-13:2025-03-04T14:00:1d", (2025, 3, 3, 18),
     "**Tomorrow: Midterm exam (in class) — Tue Mar 4, 2pm–3:15pm, Gates Center G20**"),
    ("exam:class-13:2025-03-04T14:00:0d", (2025, 3, 4, 8),
     "**Today: Midterm exam (in class) — Tue Mar 4, 2pm–3:15pm, Gates Center G20**"),
    ("exam:final:2025-05-07T14:30:7d", (2025, 4, 30, 18),
     "**In 7 days: Final exam — Wed May 7, 2:30pm–4:20pm, Kane Hall 130**\nClosed book; one page of notes allowed."),
    ("exam:final:2025-05-07T14:30:1d", (2025, 5, 6, 18), "**Tomorrow: Final exam — Wed May 7, 2:30pm–4:20pm, Kane"),
    ("exam:final:2025-05-07T14:30:0d", (2025, 5, 7, 8), "**Today: Final exam — Wed May 7, 2:30pm–4:20pm, Kane Hall"),
], ids=lambda v: v if isinstance(v, str) and v.startswith("exam:") else None)
def test_exams_7_days_1_day_and_the_morning(ds: Course, key: str, parts: tuple[int, ...], words: str) -> None:
    """Each exam, the one held in class included, is reminded 7 d, 1 d before and that morning, with time and room."""
    reminder = by_key(plan(ds))[key]
    assert reminder.kind == "exam" and reminder.at == local(ds, *parts)
    assert words in reminder.text


def test_exam_reminders_are_useful_until_it_starts(ds: Course) -> None:
    """An exam's reminders stop being useful when it starts; there are exactly 3 per exam."""
    exams = of_kind(plan(ds), "exam")
    assert len(exams) == 6
    starts = {"class-13": local(ds, 2025, 3, 4, 14), "final": local(ds, 2025, 5, 7, 14, 30)}
    assert all(r.useful_until == starts[r.key.split(":")[1]] for r in exams)


def test_a_cancelled_in_class_exam_withdraws_its_reminders(ds: Course) -> None:
    """Cancelling the class of the midterm removes its exam reminders; the final's stay."""
    keys = set(by_key(plan(with_session(ds, 13, cancelled=True))))
    assert not any(k.startswith("exam:class-13:") for k in keys)
    assert "exam:final:2025-05-07T14:30:0d" in keys


def test_exam_days_keep_the_wall_clock_across_dst(ds: Course) -> None:
    """An exam on Wed Mar 12 (after the change on Mar 9): 7 days before is 18:00 PST, 1 day before 18:00 PDT."""
    reminders = by_key(plan(with_exam(ds, "final", date=dt.date(2025, 3, 12))))
    assert reminders["exam:final:2025-03-12T14:30:7d"].at.astimezone(UTC) == dt.datetime(2025, 3, 6, 2, tzinfo=UTC)
    assert reminders["exam:final:2025-03-12T14:30:1d"].at.astimezone(UTC) == dt.datetime(2025, 3, 12, 1, tzinfo=UTC)


def test_an_exam_without_a_time_says_no_time(ds: Course) -> None:
    """An exam with no start or room is named with its day only, useful until the course's cut-off that day."""
    bare = dataclasses.replace(ds, exams=(Exam("quiz", "In-person quiz", dt.date(2025, 4, 16)),))
    reminder = by_key(plan(bare))["exam:quiz:2025-04-16:0d"]
    assert reminder.text.startswith("**Today: In-person quiz — Wed Apr 16**\n")
    assert reminder.useful_until == local(ds, 2025, 4, 16, 12)


# --- lead times are settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reminder_settings", "kind", "suffixes"), [
    (ReminderSettings(deadline_hours_before=(48, 6, 1)), "deadline", {"48h", "6h", "1h"}),
    (ReminderSettings(deadline_hours_before=()), "deadline", set()),
    (ReminderSettings(project_days_before=(14,)), "project", {"14d"}),
    (ReminderSettings(exam_days_before=(3, 0)), "exam", {"3d", "0d"}),
    (ReminderSettings(exam_days_before=()), "exam", set()),
], ids=["deadline 48/6/1", "deadline off", "project 14", "exam 3/0", "exam off"])
def test_lead_times_are_settings(ds: Course, reminder_settings: ReminderSettings, kind: str,
                                 suffixes: set[str]) -> None:
    """Each lead-time setting decides that kind's reminders, and no other kind's."""
    reminders = plan(ds, reminder_settings)
    assert {r.key.rsplit(":", 1)[1] for r in of_kind(reminders, kind)} == suffixes
    default = plan(ds)
    for other in set(KINDS) - {kind}:
        assert [r.key for r in of_kind(reminders, other)] == [r.key for r in of_kind(default, other)]


def test_deadline_hours_setting_gives_the_right_instants(ds: Course) -> None:
    """deadline_hours_before=(48, 1): Homework 3 is reminded Wed 23:59 and Fri 22:59."""
    reminders = by_key(plan(ds, ReminderSettings(deadline_hours_before=(48, 1))))
    assert reminders["deadline:hw3:2025-02-14T23:59:48h"].at == local(ds, 2025, 2, 12, 23, 59)
    assert reminders["deadline:hw3:2025-02-14T23:59:1h"].at == local(ds, 2025, 2, 14, 22, 59)
    assert reminders["deadline:hw3:2025-02-14T23:59:1h"].text.startswith("**In 1 hour: Homework 3")


# --- the weekly digest ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "monday", "present", "absent"), [
    ("ds", dt.date(2025, 3, 3), ["📌 Fri Mar 7, 11:59pm — Homework 5 (Raft) due",
                                 "Tue Mar 4 — Midterm exam (exam, 2pm–3:15pm, Gates Center G20)",
                                 "Thu Mar 6 — Dynamo and eventual consistency (1 paper)"], ["critique"]),
    ("ds", dt.date(2025, 3, 24), ["🏖 Spring break: no classes Mon Mar 24 – Fri Mar 28"], ["📌"]),
    ("ds", dt.date(2025, 5, 5), ["📝 Wed May 7, 2:30pm–4:20pm, Kane Hall 130 — Final exam",
                                 "📌 Fri May 9, 5pm — Final project report due"], []),
    ("ds", dt.date(2025, 2, 10), ["Tue Feb 11 — class 7 is cancelled", "Homework 3 (primary-backup) due"],
     ["Raft visualization", "In Search of an Understandable"]),
    ("da", dt.date(2025, 10, 13), ["Tue Oct 14 — Make-up: sampling distributions (1pm–2pm, Wills 1.10)",
                                   "📌 Fri Oct 17, 2pm — Quiz 1 (online) due", "Mon Oct 13 — class 7 is cancelled"],
     []),
    ("da", dt.date(2025, 11, 3), ["🏖 Reading week: no classes Mon Nov 3 – Fri Nov 7"], []),
    ("ml", dt.date(2024, 10, 14), ["📌 Wed Oct 16 — Project proposal due", "critiques due before class"], []),
], ids=["DS midterm week", "DS spring break", "DS finals week", "DS cancelled", "DA make-up", "DA reading week",
        "ML proposal"])
def test_digest_contents(name: str, monday: dt.date, present: list[str], absent: list[str],
                         request: pytest.FixtureRequest) -> None:
    """The digest lists the week's deadlines of every kind, exams and breaks; critiques only in a course with them."""
    course: Course = request.getfixturevalue(name)
    text = by_key(plan(course))[f"digest:{monday.isoformat()}"].text
    for phrase in present:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text


def test_digest_weeks_cover_breaks_and_exam_weeks(ds: Course) -> None:
    """Distributed Systems has a digest for each week with a class, plus spring break and finals week."""
    mondays = [r.session_date for r in of_kind(plan(ds), "digest")]
    assert dt.date(2025, 3, 24) in mondays and dt.date(2025, 5, 5) in mondays
    assert len(mondays) == len({s.date - dt.timedelta(days=s.date.weekday()) for s in ds.sessions}) + 2


def test_digest_in_london_across_the_change(da: Course) -> None:
    """The digest for the week of Oct 27 goes out Sun Oct 26 18:00 GMT (18:00 UTC); the week before at 17:00 UTC."""
    reminders = by_key(plan(da))
    assert reminders["digest:2025-10-27"].at.astimezone(UTC) == dt.datetime(2025, 10, 26, 18, tzinfo=UTC)
    assert reminders["digest:2025-10-20"].at.astimezone(UTC) == dt.datetime(2025, 10, 19, 17, tzinfo=UTC)


# --- office hours ----------------------------------------------------------------------------------------------------


def test_office_hours_skip_breaks_and_skip_dates(ds: Course) -> None:
    """No office-hour reminder on Presidents' Day (a skip date) or during spring break; the weeks around keep theirs."""
    days = {(r.session_date, r.key.rsplit(":", 1)[1]) for r in of_kind(plan(ds, ALL_ON), "officehours")}
    assert (dt.date(2025, 2, 17), "0") not in days
    assert {(dt.date(2025, 3, 24), "0"), (dt.date(2025, 3, 26), "1"), (dt.date(2025, 3, 28), "2")}.isdisjoint(days)
    assert {(dt.date(2025, 2, 10), "0"), (dt.date(2025, 2, 24), "0"), (dt.date(2025, 2, 19), "1"),
            (dt.date(2025, 3, 19), "1"), (dt.date(2025, 3, 31), "0"), (dt.date(2025, 3, 21), "2")} <= days


def test_office_hours_count(ds: Course) -> None:
    """Each office hour weekly from the first day to the last, minus spring break (and Presidents' Day for one)."""
    reminders = of_kind(plan(ds, ALL_ON), "officehours")
    per_hour = {i: sum(r.key.endswith(f":{i}") for r in reminders) for i in range(3)}
    assert per_hour == {0: 12, 1: 14, 2: 13}


def test_office_hours_text_names_place_and_link(ds: Course) -> None:
    """An online office hour gives its link; one in a room names the room; times are the course's wall clock."""
    reminders = by_key(plan(ds, ALL_ON))
    online = reminders["officehours:2025-02-19T19:30:1"]
    assert online.text == ("Office hours with Priya Raman (TA) start in 30 minutes (7:30pm–8:30pm) — Online: "
                           "https://zoom.us/j/123")
    assert online.at == local(ds, 2025, 2, 19, 19) and online.useful_until == local(ds, 2025, 2, 19, 20, 30)
    assert reminders["officehours:2025-02-10T15:00:0"].text.endswith("(3pm–4pm) in CSE 310.")


def test_no_office_hours_no_reminders(da: Course) -> None:
    """A course without office hours plans none, even with the setting on."""
    assert not of_kind(plan(da, ALL_ON), "officehours")


# --- every course: sound plans ----------------------------------------------------------------------------------------


def test_every_course_plan_is_sound(each: Course) -> None:
    """Unique keys of known kinds, aware instants in time order, each before its useful_until, texts within TEXT_MAX."""
    reminders = plan(each, ALL_ON)
    assert reminders
    assert len({r.key for r in reminders}) == len(reminders)
    assert all(r.kind in KINDS and r.key.startswith(f"{r.kind}:") for r in reminders)
    assert all(r.at.utcoffset() is not None and r.at < r.useful_until for r in reminders)
    assert [r.at for r in reminders] == sorted(r.at for r in reminders)
    assert all(0 < len(r.text) <= TEXT_MAX for r in reminders)


def test_long_details_and_titles_fit(ds: Course) -> None:
    """A deadline with 5,000 characters of details and an exam with a 3,000-character title still fit TEXT_MAX."""
    huge = with_deadline(ds, "hw3", details="x" * 5000, title="Homework " + "y" * 3000)
    huge = with_exam(huge, "final", title="Final " + "z" * 3000, details="w" * 5000)
    reminders = plan(huge, ALL_ON)
    assert max(len(r.text) for r in reminders) <= TEXT_MAX
    assert by_key(reminders)["deadline:hw3:2025-02-14T23:59:2h"].text.endswith("/deadlines for everything due")


def test_many_deadlines_in_one_week_fit(ds: Course) -> None:
    """Forty long deadlines in one week: the digest stays within TEXT_MAX."""
    extra = tuple(Deadline(f"x{i}", f"Exercise {i}: " + "a long title " * 12, dt.date(2025, 2, 12), kind="homework",
                           time=dt.time(12, 0)) for i in range(40))
    crowded = dataclasses.replace(ds, deadlines=tuple(sorted(ds.deadlines + extra, key=lambda d: (d.due, d.id))))
    assert len(by_key(plan(crowded))["digest:2025-02-10"].text) <= TEXT_MAX


# --- direct-message kinds -------------------------------------------------------------------------------------------


def test_dm_kinds_are_the_courses(ml: Course, ds: Course, da: Course) -> None:
    """Each course offers the kinds it has: no critiques without critiques, no exams without exams."""
    assert list(dm_kinds(ml)) == ["critique", "project", "digest"]
    assert list(dm_kinds(ds)) == ["deadline", "project", "exam", "digest"]
    assert list(dm_kinds(da)) == ["deadline", "project", "digest"]
    assert dm_kinds(ds)["deadline"] == "homework deadlines"
    assert dm_kinds(da)["deadline"] == "homework and quiz deadlines"
    assert dm_kinds(ml) == {"critique": "critique deadlines", "project": "project deadlines",
                            "digest": "the weekly digest"}


@pytest.mark.parametrize(("name", "text", "kinds"), [
    ("ml", None, ("critique", "project", "digest")),
    ("ml", "critiques, project", ("critique", "project")),
    ("ml", "deadlines", ("project",)),
    ("ml", "final", ("project",)),
    ("ds", "", ("deadline", "project", "exam", "digest")),
    ("ds", "all", ("deadline", "project", "exam", "digest")),
    ("ds", "homework and exams", ("deadline", "exam")),
    ("ds", "final", ("project", "exam")),
    ("ds", "midterm; digest", ("exam", "digest")),
    ("da", "quizzes", ("deadline",)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_parse_kinds(name: str, text: str | None, kinds: tuple[str, ...], request: pytest.FixtureRequest) -> None:
    """Words choose among the course's kinds, in the course's order."""
    assert parse_kinds(request.getfixturevalue(name), text) == kinds


@pytest.mark.parametrize(("name", "text", "choices"), [
    ("ds", "critiques", "homework, project, exams, digest"),
    ("da", "exams", "homework, project, digest"),
    ("ml", "homework", "critiques, project, digest"),
    ("ml", "banana", "critiques, project, digest"),
], ids=["DS critiques", "DA exams", "ML homework", "ML banana"])
def test_parse_kinds_error_names_only_the_courses_kinds(name: str, text: str, choices: str,
                                                        request: pytest.FixtureRequest) -> None:
    """A kind the course does not have is refused, and the error lists only the kinds this course has."""
    with pytest.raises(QueryError) as caught:
        parse_kinds(request.getfixturevalue(name), text)
    message = str(caught.value)
    assert message.startswith(f"I don't know the reminder kind “{text}”")
    assert message.endswith(f"Choose from: {choices} — or all.")


def test_kind_label_of_a_kind_the_course_lost(ds: Course) -> None:
    """A stored kind the course no longer has still gets a readable label."""
    assert kind_label(ds, "critique") == "critique deadlines" and kind_label(ds, "exam") == "exams"
