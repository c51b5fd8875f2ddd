"""The reminder plan of the first course (its frozen copy, never the live schedule.yaml), with fixed instants, in
three machine time zones. Other course shapes: tests/core/test_planner_any_course.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.loader import load_course
from bot.core.model import Course, Paper
from bot.core.planner import KINDS, TEXT_MAX, Reminder, ReminderSettings, plan, upcoming

At = Callable[..., dt.datetime]
UTC = dt.timezone.utc
DISCORD_CONTENT_MAX = 2000
MACHINE_ZONES = ("UTC", "America/Los_Angeles", "Asia/Tokyo")
FIRST_COURSE = Path(__file__).resolve().parents[1] / "data" / "courses" / "ml_at_scale.yaml"

# Typed from the syllabus, not derived from schedule.yaml: every class except 1 (8/26, nothing listed),
# 2 (8/28, only books and web pages), 13 (10/9, cancelled) and 29 (12/9, nothing listed).
DATES_WITH_PAPERS = tuple(dt.date(2024, m, d) for m, d in [
    (9, 4), (9, 9), (9, 11), (9, 16), (9, 18), (9, 23), (9, 25), (9, 30), (10, 2), (10, 7), (10, 14), (10, 16),
    (10, 21), (10, 23), (10, 28), (10, 30), (11, 4), (11, 6), (11, 11), (11, 13), (11, 18), (11, 20), (11, 25),
    (12, 2), (12, 4),
])
# The Monday of every week with a class (8/26 to 12/9): one digest each.
MONDAYS = tuple(dt.date(2024, m, d) for m, d in [
    (8, 26), (9, 2), (9, 9), (9, 16), (9, 23), (9, 30), (10, 7), (10, 14), (10, 21), (10, 28), (11, 4), (11, 11),
    (11, 18), (11, 25), (12, 2), (12, 9),
])
# Every Wednesday from the first day (Mon 8/26) to the last (Mon 12/9): Prof. Jacobs's office hours.
OFFICE_HOUR_WEDNESDAYS = tuple(dt.date(2024, 8, 28) + dt.timedelta(weeks=i) for i in range(15))


@pytest.fixture(autouse=True, params=MACHINE_ZONES)
def machine_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run each test with the process's local zone set to UTC, Los Angeles and Tokyo in turn."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture(scope="module")
def course() -> Course:
    """The first course, from its frozen copy under tests/data/courses (next term's schedule.yaml may differ)."""
    return load_course(FIRST_COURSE)


@pytest.fixture(scope="module")
def default_plan(course: Course) -> tuple[Reminder, ...]:
    return plan(course)


def with_start(course: Course, start: dt.time | None) -> Course:
    """The course with every meeting starting at `start` (the syllabus gives no class time)."""
    return dataclasses.replace(course, class_start=start,
                               meetings=tuple(dataclasses.replace(m, start=start) for m in course.meetings))


@pytest.fixture(scope="module")
def timed(course: Course) -> Course:
    """The course with a class start (14:00), which the real syllabus does not give."""
    return with_start(course, dt.time(14, 0))


def ny(course: Course, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), course.timezone)


def by_key(reminders: tuple[Reminder, ...]) -> dict[str, Reminder]:
    return {r.key: r for r in reminders}


def critique_slots(reminders: tuple[Reminder, ...], day: dt.date) -> dict[str, Reminder]:
    """The critique reminders for the class on `day`, by slot (eve, morning, 24h, ...)."""
    prefix = f"critique:{day.isoformat()}:"
    return {r.key.removeprefix(prefix): r for r in reminders if r.key.startswith(prefix)}


def moved(course: Course, old: dt.date, new: dt.date) -> Course:
    """The course with the class on `old` moved to `new` (sessions kept in date order)."""
    sessions = [dataclasses.replace(s, date=new) if s.date == old else s for s in course.sessions]
    return dataclasses.replace(course, sessions=tuple(sorted(sessions, key=lambda s: s.date)))


def digest(reminders: tuple[Reminder, ...], monday: dt.date) -> Reminder:
    return by_key(reminders)[f"digest:{monday.isoformat()}"]


# --- the machine's zone --------------------------------------------------------------------


def test_machine_zone_is_really_set(machine_tz: str) -> None:
    """The tz fixture changes the process's local zone (the epoch is 16:00 in Los Angeles, 09:00 in Tokyo)."""
    expected = {"UTC": 0, "America/Los_Angeles": 16, "Asia/Tokyo": 9}[machine_tz]
    assert dt.datetime.fromtimestamp(0).hour == expected  # the local zone, on purpose


def test_plan_is_the_same_in_every_machine_zone(course: Course) -> None:
    """Planning under UTC, Los Angeles and Tokyo gives identical plans."""
    plans = []
    for zone in MACHINE_ZONES:
        os.environ["TZ"] = zone
        time.tzset()
        plans.append(plan(course, ReminderSettings(office_hours=True)))
    assert plans[0] == plans[1] == plans[2]


# --- critique reminders ----------------------------------------------------------------------


def test_course_classes_with_papers_match_the_syllabus(course: Course) -> None:
    """The classes with papers in the course file are the syllabus's: all but 8/26, 8/28, 10/9 and 12/9."""
    assert tuple(s.date for s in course.sessions if s.has_papers) == DATES_WITH_PAPERS


def test_critique_reminders_are_for_exactly_the_classes_with_papers(default_plan: tuple[Reminder, ...]) -> None:
    """The plan has critique reminders for the 25 classes with papers and for no other day."""
    days = {r.session_date for r in default_plan if r.kind == "critique"}
    assert days == set(DATES_WITH_PAPERS)


@pytest.mark.parametrize("day", DATES_WITH_PAPERS, ids=str)
def test_every_class_with_papers_gets_eve_and_morning(course: Course, default_plan: tuple[Reminder, ...],
                                                      day: dt.date) -> None:
    """Each class with papers gets exactly an :eve (day before, 18:00) and a :morning (08:00) reminder."""
    slots = critique_slots(default_plan, day)
    assert set(slots) == {"eve", "morning"}
    assert slots["eve"].at == ny(course, day - dt.timedelta(days=1), 18)
    assert slots["morning"].at == ny(course, day, 8)


@pytest.mark.parametrize("day", DATES_WITH_PAPERS, ids=str)
def test_critique_text_names_everything(course: Course, default_plan: tuple[Reminder, ...], day: dt.date) -> None:
    """The critique text names the class's topic and every paper, and says critiques are due before class, printed."""
    session = course.session_on(day)
    for reminder in critique_slots(default_plan, day).values():
        assert session.title in reminder.text
        assert "due before class" in reminder.text and "printed" in reminder.text
        for paper in session.papers:
            assert paper.title in reminder.text


@pytest.mark.parametrize(("day", "date_words", "topic"), [
    (dt.date(2024, 9, 18), "Wed Sep 18", "Self-supervised learning - Vision"),
    (dt.date(2024, 10, 7), "Mon Oct 7", "Topic not announced"),
    (dt.date(2024, 11, 4), "Mon Nov 4", "Climate Foundation Models"),
    (dt.date(2024, 12, 4), "Wed Dec 4", "Chain of thought, Emergent Properties"),
], ids=["9/18", "10/7 no topic", "11/4", "12/4"])
def test_critique_text_has_date_and_topic(default_plan: tuple[Reminder, ...], day: dt.date, date_words: str,
                                          topic: str) -> None:
    """The text carries the class's date as 'Wed Sep 18' and its topic (or 'Topic not announced')."""
    for reminder in critique_slots(default_plan, day).values():
        assert date_words in reminder.text and topic in reminder.text


def test_eve_says_tomorrow_and_morning_says_today(default_plan: tuple[Reminder, ...]) -> None:
    """The evening reminder says 'Tomorrow', the morning one 'Today'."""
    slots = critique_slots(default_plan, dt.date(2024, 9, 18))
    assert slots["eve"].text.startswith("**Tomorrow, Wed Sep 18")
    assert slots["morning"].text.startswith("**Today, Wed Sep 18")


def test_cancelled_class_gets_no_critique_reminder(default_plan: tuple[Reminder, ...]) -> None:
    """Cancelled class 13 (10/9) has no critique reminder."""
    assert critique_slots(default_plan, dt.date(2024, 10, 9)) == {}


def test_cancelling_a_class_with_papers_removes_its_reminders(course: Course) -> None:
    """A class with papers that is cancelled (papers kept) gets no critique reminder; its neighbours keep theirs."""
    sessions = tuple(dataclasses.replace(s, cancelled=True) if s.date == dt.date(2024, 9, 18) else s
                     for s in course.sessions)
    reminders = plan(dataclasses.replace(course, sessions=sessions))
    assert critique_slots(reminders, dt.date(2024, 9, 18)) == {}
    assert set(critique_slots(reminders, dt.date(2024, 9, 16))) == {"eve", "morning"}
    assert "Wed Sep 18 — class 7 is cancelled" in digest(reminders, dt.date(2024, 9, 16)).text


# --- keys ----------------------------------------------------------------------------------


def test_keys_are_unique(course: Course) -> None:
    """No two reminders share a key, with every kind of reminder on."""
    keys = [r.key for r in plan(course, ReminderSettings(office_hours=True))]
    assert len(keys) == len(set(keys))


def test_keys_are_stable_across_plans(course: Course) -> None:
    """Two plan() calls give the same keys, instants and texts."""
    assert plan(course) == plan(course)


def test_key_format(default_plan: tuple[Reminder, ...]) -> None:
    """Keys read kind:date:slot, e.g. critique:2024-09-18:eve."""
    keys = by_key(default_plan)
    assert {"critique:2024-09-18:eve", "critique:2024-09-18:morning", "project:proposal:2024-10-16:7d",
            "digest:2024-09-16"} <= set(keys)
    assert all(r.kind in KINDS and r.key.startswith(f"{r.kind}:") for r in default_plan)


# --- daylight saving time ------------------------------------------------------------------


@pytest.mark.parametrize(("key", "utc", "wall"), [
    ("critique:2024-10-30:eve", dt.datetime(2024, 10, 29, 22, 0, tzinfo=UTC), "Tue 18:00 EDT"),
    ("critique:2024-10-30:morning", dt.datetime(2024, 10, 30, 12, 0, tzinfo=UTC), "Wed 08:00 EDT"),
    ("critique:2024-11-04:eve", dt.datetime(2024, 11, 3, 23, 0, tzinfo=UTC), "Sun 18:00 EST"),
    ("critique:2024-11-04:morning", dt.datetime(2024, 11, 4, 13, 0, tzinfo=UTC), "Mon 08:00 EST"),
    ("digest:2024-10-28", dt.datetime(2024, 10, 27, 22, 0, tzinfo=UTC), "Sun 18:00 EDT"),
    ("digest:2024-11-04", dt.datetime(2024, 11, 3, 23, 0, tzinfo=UTC), "Sun 18:00 EST"),
    ("project:final:2024-12-09:7d", dt.datetime(2024, 12, 2, 23, 0, tzinfo=UTC), "Mon 18:00 EST"),
], ids=lambda v: v if isinstance(v, str) and ":" in v else None)
def test_wall_clock_across_the_dst_change(course: Course, default_plan: tuple[Reminder, ...], key: str,
                                          utc: dt.datetime, wall: str) -> None:
    """Reminders keep their New York wall-clock time across the change on 2024-11-03 (EDT → EST)."""
    reminder = by_key(default_plan)[key]
    assert reminder.at.astimezone(UTC) == utc
    assert reminder.at.astimezone(course.timezone).strftime("%a %H:%M %Z") == wall


# --- a class start time --------------------------------------------------------------------


@pytest.mark.parametrize("day", DATES_WITH_PAPERS, ids=str)
def test_with_class_start_reminders_are_hours_before(timed: Course, day: dt.date) -> None:
    """With the start set, each class gets :24h and :2h reminders, 24 and 2 real hours before its start."""
    start = ny(timed, day, 14)
    slots = critique_slots(plan(timed), day)
    assert set(slots) == {"24h", "2h"}
    assert start.astimezone(UTC) - slots["24h"].at.astimezone(UTC) == dt.timedelta(hours=24)
    assert start.astimezone(UTC) - slots["2h"].at.astimezone(UTC) == dt.timedelta(hours=2)


def test_with_class_start_the_due_instant_is_the_start(timed: Course) -> None:
    """With the start set, critiques are useful until the class starts, and the text gives the time."""
    for reminder in critique_slots(plan(timed), dt.date(2024, 9, 18)).values():
        assert reminder.useful_until == ny(timed, dt.date(2024, 9, 18), 14)
        assert "Critiques are due before class (2pm), printed, one page, two paragraphs." in reminder.text


def test_hours_before_are_real_hours_across_dst(timed: Course) -> None:
    """48 hours before Mon 11/4 14:00 EST is Sat 11/2 15:00 EDT (19:00 UTC), not 14:00 EDT."""
    (reminder,) = critique_slots(plan(timed, ReminderSettings(hours_before=(48,))), dt.date(2024, 11, 4)).values()
    assert reminder.at.astimezone(UTC) == dt.datetime(2024, 11, 2, 19, 0, tzinfo=UTC)


# --- a moved class -------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "eve_utc", "digest_monday", "words"), [
    (dt.date(2024, 9, 18), dt.date(2024, 9, 20), dt.datetime(2024, 9, 19, 22, tzinfo=UTC), dt.date(2024, 9, 16),
     "Fri Sep 20 — Self-supervised learning - Vision"),
    (dt.date(2024, 11, 4), dt.date(2024, 11, 1), dt.datetime(2024, 10, 31, 22, tzinfo=UTC), dt.date(2024, 10, 28),
     "Fri Nov 1 — Climate Foundation Models"),
], ids=["9/18 to 9/20", "11/4 to 11/1 across DST"])
def test_moved_class_reminders_move_with_it(course: Course, old: dt.date, new: dt.date, eve_utc: dt.datetime,
                                            digest_monday: dt.date, words: str) -> None:
    """A moved class has its reminders on the new date, none on the old, and is in the new week's digest."""
    reminders = plan(moved(course, old, new))
    assert critique_slots(reminders, old) == {}
    slots = critique_slots(reminders, new)
    assert set(slots) == {"eve", "morning"}
    assert slots["eve"].at == eve_utc and slots["morning"].at == ny(course, new, 8)
    assert words in digest(reminders, digest_monday).text
    assert all(f"{old:%b} {old.day} —" not in r.text for r in reminders if r.kind == "digest")


# --- project deadlines ---------------------------------------------------------------------


@pytest.mark.parametrize(("key", "local", "words"), [
    ("project:proposal:2024-10-16:7d", (2024, 10, 9, 18), "In 7 days: Project proposal due Wed Oct 16"),
    ("project:proposal:2024-10-16:1d", (2024, 10, 15, 18), "Tomorrow: Project proposal due Wed Oct 16"),
    ("project:proposal:2024-10-16:0d", (2024, 10, 16, 8), "Today: Project proposal due Wed Oct 16"),
    ("project:final:2024-12-09:7d", (2024, 12, 2, 18), "In 7 days: Final paper due Mon Dec 9"),
    ("project:final:2024-12-09:1d", (2024, 12, 8, 18), "Tomorrow: Final paper due Mon Dec 9"),
    ("project:final:2024-12-09:0d", (2024, 12, 9, 8), "Today: Final paper due Mon Dec 9"),
], ids=lambda v: v if isinstance(v, str) and v.startswith("project") else None)
def test_project_reminders(default_plan: tuple[Reminder, ...], at: At, key: str, local: tuple[int, ...],
                           words: str) -> None:
    """Each project deadline is reminded 7 days before, 1 day before (18:00) and the morning of (08:00)."""
    reminder = by_key(default_plan)[key]
    assert reminder.at == at(*local)
    assert reminder.kind == "project" and words in reminder.text


def test_exactly_six_project_reminders(default_plan: tuple[Reminder, ...]) -> None:
    """Two deadlines × three reminders, no more."""
    assert len([r for r in default_plan if r.kind == "project"]) == 6


def test_project_days_are_a_setting(course: Course) -> None:
    """project_days_before=(3,) gives one reminder per deadline, 3 days before."""
    reminders = [r for r in plan(course, ReminderSettings(project_days_before=(3,))) if r.kind == "project"]
    assert [r.key for r in reminders] == ["project:proposal:2024-10-16:3d", "project:final:2024-12-09:3d"]


# --- the weekly digest ---------------------------------------------------------------------


def test_one_digest_per_week_with_classes(default_plan: tuple[Reminder, ...]) -> None:
    """There is a digest for each of the 16 weeks with a class, and no other."""
    assert [r.session_date for r in default_plan if r.kind == "digest"] == list(MONDAYS)


@pytest.mark.parametrize("monday", MONDAYS, ids=str)
def test_digest_is_sunday_evening_before_the_week(course: Course, default_plan: tuple[Reminder, ...],
                                                  monday: dt.date) -> None:
    """Each digest goes out on the Sunday before its week at 18:00 New York time."""
    assert digest(default_plan, monday).at == ny(course, monday - dt.timedelta(days=1), 18)


@pytest.mark.parametrize("monday", MONDAYS, ids=str)
def test_digest_lists_the_weeks_classes_and_papers(course: Course, default_plan: tuple[Reminder, ...],
                                                   monday: dt.date) -> None:
    """A digest names every class of its week, with its topic and each paper's title."""
    text = digest(default_plan, monday).text
    week = [s for s in course.sessions if monday <= s.date < monday + dt.timedelta(days=7)]
    assert week
    for session in week:
        assert f"{session.date:%a %b} {session.date.day}" in text
        if not session.cancelled:
            assert session.title in text
        for paper in session.papers:
            assert paper.title in text


@pytest.mark.parametrize(("monday", "present", "absent"), [
    (dt.date(2024, 10, 14), ["Multi-modal LLMs", "Wed Oct 16 — Project proposal due"], ["Final paper"]),
    (dt.date(2024, 10, 7), ["Wed Oct 9 — class 13 is cancelled", "AI models collapse"], ["Project proposal"]),
    (dt.date(2024, 12, 9), ["Mon Dec 9 — Final paper due"], ["Project proposal"]),
    (dt.date(2024, 9, 16), ["Mon Sep 16", "Wed Sep 18", "Vision Transformers Need Registers"], ["due Wed", "📌"]),
], ids=["Oct 14 proposal", "Oct 7 cancelled", "Dec 9 final", "Sep 16"])
def test_digest_contents(default_plan: tuple[Reminder, ...], monday: dt.date, present: list[str],
                         absent: list[str]) -> None:
    """The digest mentions its week's deadlines and cancelled classes, and nothing from other weeks."""
    text = digest(default_plan, monday).text
    assert all(p in text for p in present)
    assert not any(a in text for a in absent)


def test_digest_says_one_paper_in_the_singular(default_plan: tuple[Reminder, ...]) -> None:
    """The week of Sep 23 says 'Reinforcement learning (1 paper, ...)', not '1 papers'."""
    text = digest(default_plan, dt.date(2024, 9, 23)).text
    assert "Reinforcement learning (1 paper," in text and "1 papers" not in text


def test_digest_can_be_turned_off(course: Course) -> None:
    """digest=False plans no digest."""
    assert not [r for r in plan(course, ReminderSettings(digest=False)) if r.kind == "digest"]


# --- office hours --------------------------------------------------------------------------


def test_office_hours_reminders_off_by_default(default_plan: tuple[Reminder, ...]) -> None:
    """By default no office-hours reminder is planned."""
    assert not [r for r in default_plan if r.kind == "officehours"]


def test_office_hours_reminders_every_wednesday_when_on(course: Course) -> None:
    """office_hours=True: one reminder each Wednesday of the term (8/28 to 12/4), at 09:30 New York time."""
    reminders = [r for r in plan(course, ReminderSettings(office_hours=True)) if r.kind == "officehours"]
    assert [r.session_date for r in reminders] == list(OFFICE_HOUR_WEDNESDAYS)
    assert all(r.at == ny(course, r.session_date, 9, 30) for r in reminders)
    assert all(r.useful_until == ny(course, r.session_date, 11) for r in reminders)


@pytest.mark.parametrize(("day", "utc"), [
    (dt.date(2024, 10, 30), dt.datetime(2024, 10, 30, 13, 30, tzinfo=UTC)),
    (dt.date(2024, 11, 6), dt.datetime(2024, 11, 6, 14, 30, tzinfo=UTC)),
], ids=["EDT", "EST"])
def test_office_hours_reminder_across_dst(course: Course, day: dt.date, utc: dt.datetime) -> None:
    """The office-hours reminder stays 30 minutes before 10:00 local on both sides of the DST change."""
    reminder = by_key(plan(course, ReminderSettings(office_hours=True)))[f"officehours:{day.isoformat()}T10:00:0"]
    assert reminder.at == utc
    assert reminder.text == "Office hours with Prof. Jacobs start in 30 minutes (10am–11am) in Iribe 4240."


# --- useful_until, upcoming ----------------------------------------------------------------


@pytest.mark.parametrize(("key", "local"), [
    ("critique:2024-09-18:eve", (2024, 9, 18, 12)),
    ("critique:2024-09-18:morning", (2024, 9, 18, 12)),
    ("project:proposal:2024-10-16:7d", (2024, 10, 16, 23, 59)),
    ("project:final:2024-12-09:0d", (2024, 12, 9, 23, 59)),
    ("digest:2024-10-14", (2024, 10, 14, 12)),
])
def test_useful_until(default_plan: tuple[Reminder, ...], at: At, key: str, local: tuple[int, ...]) -> None:
    """Critiques are useful until the 12:00 cut-off on the class day; projects until 23:59 on the due day."""
    assert by_key(default_plan)[key].useful_until == at(*local)


def test_cutoff_before_the_morning_drops_the_morning_reminder(course: Course, at: At) -> None:
    """With the course's cut-off at 07:00, an 08:00 reminder would come too late: only :eve is planned."""
    early = dataclasses.replace(course, critique_cutoff=dt.time(7, 0))
    slots = critique_slots(plan(early), dt.date(2024, 9, 18))
    assert set(slots) == {"eve"} and slots["eve"].useful_until == at(2024, 9, 18, 7)


SETTINGS_VARIANTS = {
    "default": (None, ReminderSettings()),
    "office hours": (None, ReminderSettings(office_hours=True)),
    "no evening": (None, ReminderSettings(evening_before=None)),
    "early cut-off": (dt.time(7, 0), ReminderSettings()),
    "many hours": (None, ReminderSettings(hours_before=(72, 48, 24, 2, 0))),
}


@pytest.mark.parametrize("timed_course", [False, True], ids=["no start", "start 14:00"])
@pytest.mark.parametrize("name", list(SETTINGS_VARIANTS))
def test_every_reminder_is_before_it_stops_being_useful(course: Course, timed: Course, timed_course: bool,
                                                        name: str) -> None:
    """Every planned reminder's instant is before its useful_until."""
    cutoff, reminder_settings = SETTINGS_VARIANTS[name]
    chosen = dataclasses.replace(timed if timed_course else course, critique_cutoff=cutoff)
    reminders = plan(chosen, reminder_settings)
    assert reminders
    assert all(r.at < r.useful_until for r in reminders)


def test_plan_is_in_time_order(default_plan: tuple[Reminder, ...]) -> None:
    """The plan is sorted by instant."""
    assert [r.at for r in default_plan] == sorted(r.at for r in default_plan)


def test_all_instants_are_aware(course: Course) -> None:
    """Every at and useful_until is timezone-aware."""
    for r in plan(course, ReminderSettings(office_hours=True)):
        assert r.at.utcoffset() is not None and r.useful_until.utcoffset() is not None


def test_upcoming_keeps_only_future_reminders(default_plan: tuple[Reminder, ...], at: At) -> None:
    """upcoming(plan, 10/16 09:00) is exactly the reminders after that instant, in order."""
    now = at(2024, 10, 16, 9)
    future = upcoming(default_plan, now)
    assert future and all(r.at > now for r in future)
    assert future == tuple(r for r in default_plan if r.at > now)
    assert "project:proposal:2024-10-16:0d" not in by_key(future)  # 08:00 that morning
    assert "critique:2024-10-21:eve" in by_key(future)


def test_upcoming_excludes_a_reminder_due_now(default_plan: tuple[Reminder, ...], at: At) -> None:
    """A reminder whose instant is exactly now is no longer upcoming; the next one is."""
    future = upcoming(default_plan, at(2024, 9, 17, 18))
    assert future[0].key == "critique:2024-09-18:morning"


def test_upcoming_after_the_term_is_empty(default_plan: tuple[Reminder, ...], at: At) -> None:
    """After the last reminder, nothing is upcoming."""
    assert upcoming(default_plan, at(2024, 12, 10)) == ()


# --- nonce and size ------------------------------------------------------------------------


def test_nonce_fits_discord(course: Course) -> None:
    """Every nonce is at most 25 characters."""
    assert all(0 < len(r.nonce) <= 25 for r in plan(course, ReminderSettings(office_hours=True)))


def test_nonce_is_deterministic(course: Course) -> None:
    """The same key gives the same nonce in two separate plans."""
    first, second = plan(course), plan(course)
    assert [r.nonce for r in first] == [r.nonce for r in second]


def test_nonces_differ_between_keys(course: Course, timed: Course) -> None:
    """No two keys share a nonce, across both the untimed and the timed plans."""
    reminders = {r.key: r.nonce for c in (course, timed) for r in plan(c, ReminderSettings(office_hours=True))}
    assert len(set(reminders.values())) == len(reminders)


@pytest.mark.parametrize("timed_course", [False, True], ids=["no start", "start 14:00"])
def test_texts_fit_a_discord_message(course: Course, timed: Course, timed_course: bool) -> None:
    """Every reminder text of the first course is at most TEXT_MAX (within Discord's 2000) characters."""
    reminders = plan(timed if timed_course else course, ReminderSettings(office_hours=True))
    assert max(len(r.text) for r in reminders) <= TEXT_MAX < DISCORD_CONTENT_MAX


def test_texts_fit_a_discord_message_with_many_papers(course: Course) -> None:
    """Two classes of 12 papers with long titles still give texts of at most 2000 characters."""
    papers = tuple(Paper(title=f"Paper {i}: Scaling Self-Supervised Representation Learning to Billions of "
                               f"Image-Text Pairs", authors="Someone et al.") for i in range(12))
    busy = {dt.date(2024, 9, 16), dt.date(2024, 9, 18)}
    sessions = tuple(dataclasses.replace(s, papers=papers) if s.date in busy else s for s in course.sessions)
    reminders = plan(dataclasses.replace(course, sessions=sessions))
    assert max(len(r.text) for r in reminders) <= TEXT_MAX
    assert "…and" in digest(reminders, dt.date(2024, 9, 16)).text  # the week's 24 papers really were cut


# --- settings --------------------------------------------------------------------------------


def test_no_evening_time_means_no_eve_reminders(course: Course) -> None:
    """evening_before=None plans no :eve reminder; every class keeps its :morning one."""
    reminders = plan(course, ReminderSettings(evening_before=None))
    assert not [r for r in reminders if r.key.endswith(":eve")]
    assert len([r for r in reminders if r.key.endswith(":morning")]) == len(DATES_WITH_PAPERS)


def test_no_evening_time_moves_project_reminders_to_the_morning(course: Course, at: At) -> None:
    """evening_before=None: the 7-day and 1-day project reminders go out at the morning time instead."""
    reminders = by_key(plan(course, ReminderSettings(evening_before=None)))
    assert reminders["project:proposal:2024-10-16:7d"].at == at(2024, 10, 9, 8)
    assert reminders["project:proposal:2024-10-16:1d"].at == at(2024, 10, 15, 8)


def test_no_morning_time_means_no_morning_reminders(course: Course) -> None:
    """morning_of=None plans no :morning critique reminder."""
    assert not [r for r in plan(course, ReminderSettings(morning_of=None)) if r.key.endswith(":morning")]


def test_reminder_times_are_settings(course: Course, at: At) -> None:
    """evening_before=20:30 and morning_of=07:15 move the critique reminders to those times."""
    slots = critique_slots(plan(course, ReminderSettings(evening_before=dt.time(20, 30), morning_of=dt.time(7, 15))),
                           dt.date(2024, 9, 18))
    assert (slots["eve"].at, slots["morning"].at) == (at(2024, 9, 17, 20, 30), at(2024, 9, 18, 7, 15))


# --- properties ------------------------------------------------------------------------------

TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))
# A "morning" of 23:59 would put the day-of project reminder at its deadline (23:59): not a morning.
MORNINGS = st.times(max_value=dt.time(23, 58)).map(lambda t: t.replace(second=0, microsecond=0))
HOURS = st.frozensets(st.integers(0, 999), max_size=5).map(lambda s: tuple(sorted(s, reverse=True)))


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(evening=st.none() | TIMES, morning=st.none() | MORNINGS, hours=HOURS, days=HOURS, cutoff=TIMES,
       office_hours=st.booleans(), start=st.none() | TIMES, deadline_hours=HOURS, exam_days=HOURS)
def test_any_settings_give_a_sound_plan(course: Course, evening: dt.time | None, morning: dt.time | None,
                                        hours: tuple[int, ...], days: tuple[int, ...], cutoff: dt.time,
                                        office_hours: bool, start: dt.time | None, deadline_hours: tuple[int, ...],
                                        exam_days: tuple[int, ...]) -> None:
    """For any settings: unique keys, every reminder before its useful_until, texts within TEXT_MAX."""
    reminder_settings = ReminderSettings(evening_before=evening, morning_of=morning, hours_before=hours,
                                         project_days_before=days, office_hours=office_hours,
                                         deadline_hours_before=deadline_hours, exam_days_before=exam_days)
    reminders = plan(dataclasses.replace(with_start(course, start), critique_cutoff=cutoff), reminder_settings)
    assert len({r.key for r in reminders}) == len(reminders)
    assert all(r.at < r.useful_until for r in reminders)
    assert all(len(r.text) <= TEXT_MAX for r in reminders)
