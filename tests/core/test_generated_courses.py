"""Any course: for generated course files (tests/strategies.py) of every shape, every student command answers.

For each generated course and instants drawn around its term (before it, on a day of it, inside a class, inside
an exam, inside a break, after it; each in the course's own time zone), every student command line a student may
type is answered twice, as the two surfaces do:

- by the console (`bot.console.answer`): text, never an exception (clean user errors become text);
- as the Discord cogs do: the core query rendered by `bot.render.embeds` and packed, every message within every
  Discord limit (clean user errors become a plain ephemeral reply within Discord's 2000 characters).

The generated courses (tests/strategies.py) keep every answer within one embed, so a second property inflates
them (dozens of long papers in a class, thirty office hours, forty deadlines in a week, long names full of
markdown, mentions and links) until answers span fields, embeds and several messages.

Beside them: autocomplete labels within Discord's 100 characters, every planned reminder within
`planner.TEXT_MAX`, a calendar icalendar parses, the critique tracker only where the course has critiques; and
nothing borrowed from another course: no critique wording in a course without critiques, no first-course words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import discord
import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot import console
from bot.core import queries, tracker
from bot.core.dates import QueryError
from bot.core.ics import build_calendar
from bot.core.loader import load_text
from bot.core.model import Course
from bot.core.planner import TEXT_MAX, ReminderSettings, plan
from bot.core.search import WORD_RE, search
from bot.render import embeds, words
from tests.strategies import course_texts

GENERATED = settings(max_examples=50, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HEAVY = settings(GENERATED, max_examples=15)
UTC = dt.timezone.utc

# Discord's limits, written out here rather than read from bot/render/embeds.py, so the test checks the code.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
MESSAGE_EMBED_CHARS_MAX = 6000
EMBEDS_PER_MESSAGE_MAX = 10
CONTENT_MAX = 2000
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
CHOICES_MAX = 25

GARBAGE = ("flurb", "32/13", "#", "next next", "2/30", "🦩 " * 40, "week: 3", "x" * 300, "Sept 31st, 1999")
NONSENSE = "qzxjvkwpf"
BORROWED = ("machine learning", "flamingo")  # the first course's words: never in another course's answer
NINE_EIGHTEEN = re.compile(r"(?<!\d)9/18(?!\d)")


# --- heavy courses -----------------------------------------------------------------------------------------

# Long texts that grow when escaped for Discord (markdown characters, mentions) or that must not be cut (links).
LONG_TEXTS = ("Scaling laws " * 120, "**bold** _it_ `code` |spoiler| [x](y) " * 40, "@everyone @here " * 100,
              "# heading\n> quote\n- item\n1. first\n" * 40, "🦩" * 1500, "a" * 1500)
URLS = ("https://example.edu/p", "https://example.edu/" + "a_b*c" * 220)  # the second is longer than a field


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a repeated value out again: the loader refuses anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


@st.composite
def heavy_texts(draw: st.DrawFn) -> str:
    """A generated course file, inflated: many long papers in a few classes, many office hours, staff, links and
    deadlines in one week, long course, topic and break names. Still a valid course file (the test loads it), and
    at most ~400 kB, well under the loader's 1 MB."""

    def long(limit: int = 1500) -> str:
        return draw(st.sampled_from(LONG_TEXTS))[:draw(st.integers(1, limit))].strip() or "x"

    def url() -> str:
        return draw(st.sampled_from(URLS))

    document = yaml.safe_load(draw(course_texts()))
    course = document["course"]
    course["title"], course["description"] = long(600), long()
    course["links"] = {f"{long(200)} {i}": url() for i in range(draw(st.integers(0, 30)))}
    for session in draw(st.lists(st.sampled_from(document["sessions"]), max_size=3, unique_by=id)):
        if session.get("kind") != "exam":
            session["topic"] = long(400)
            session["papers"] = [{"title": long(1200), "authors": long(300), "url": url(), "note": long()}
                                 for _ in range(draw(st.integers(0, 15)))]
            session["resources"] = [{"title": long(500), "kind": "web", "url": url(), "note": long()}
                                    for _ in range(draw(st.integers(0, 6)))]
    first, end = course["first_day"], course.get("term_end") or course["last_day"]
    week = draw(st.dates(first, end))
    document["deadlines"] = (document.get("deadlines") or []) + [
        {"id": f"heavy{i}", "title": long(300), "kind": "homework", "url": url(), "details": long(),
         "due": f"{min(end, week + dt.timedelta(days=i % 7)).isoformat()} 23:59"}
        for i in range(draw(st.integers(0, 40)))]
    document["office_hours"] = [{"who": long(300), "day": "Mon", "start": "09:00", "end": "10:00",
                                 "place": long(200), "link": url(), "note": long()}
                                for _ in range(draw(st.integers(0, 30)))]
    document["staff"] = [{"name": long(300), "role": "TA", "contact": long(300)}
                         for _ in range(draw(st.integers(0, 30)))]
    if document.get("critiques"):
        document["critiques"]["rules"] = [long() for _ in range(draw(st.integers(0, 30)))]
    for pause in document.get("breaks") or []:
        pause["name"] = long(500)
    return yaml.dump(document, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=10_000)


# --- instants around the term ------------------------------------------------------------------------------

def _instant(course: Course, day: dt.date, minutes: int) -> dt.datetime:
    """`minutes` after midnight on `day`, on the course's wall clock, as the clock gives it (a real instant)."""
    wall = dt.datetime.combine(day, dt.time(0), course.timezone) + dt.timedelta(minutes=minutes)
    return wall.astimezone(UTC).astimezone(course.timezone)


def _middle(course: Course, start: dt.datetime, end: dt.datetime | None) -> dt.datetime:
    """An instant inside [start, end) (ten minutes in when the end is unknown), in the course's zone."""
    inside = start + (end - start) / 2 if end is not None and end > start else start + dt.timedelta(minutes=10)
    return inside.astimezone(UTC).astimezone(course.timezone)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def instants(draw: Callable, course: Course) -> dict[str, dt.datetime]:
    """Before the term, a day of it, inside a class, inside an exam and inside a break (where the course has
    them), and after it."""
    minutes = st.integers(0, 24 * 60 - 1)
    found = {
        "before": _instant(course, course.first_day - dt.timedelta(days=draw(st.integers(1, 40))), draw(minutes)),
        "during": _instant(course, draw(st.sampled_from(_days(course.first_day, course.end))), draw(minutes)),
        "after": _instant(course, course.end + dt.timedelta(days=draw(st.integers(1, 60))), draw(minutes)),
    }
    timed = [s for s in course.sessions if not s.cancelled and course.class_start_at(s) is not None]
    if timed:
        session = draw(st.sampled_from(timed))
        found["in class"] = _middle(course, course.class_start_at(session), course.class_end_at(session))
    exams = [e for e in course.all_exams() if course.exam_start_at(e) is not None]
    if exams:
        exam = draw(st.sampled_from(exams))
        found["in exam"] = _middle(course, course.exam_start_at(exam), course.exam_end_at(exam))
    if course.breaks:
        pause = draw(st.sampled_from(course.breaks))
        found["in break"] = _instant(course, draw(st.sampled_from(_days(pause.start, pause.end))), draw(minutes))
    return found


# --- what a student types ---------------------------------------------------------------------------------

def _course_words(course: Course) -> list[str]:
    """Searchable words of the course: topics, titles, authors, deadlines, exams, staff."""
    texts = [s.topic or "" for s in course.sessions]
    texts += [p.title for s in course.sessions for p in s.papers] + [p.authors or "" for s in course.sessions
                                                                     for p in s.papers]
    texts += [d.title for d in course.deadlines] + [e.title for e in course.all_exams()]
    texts += [m.name for m in course.staff] + [h.who for h in course.office_hours]
    found = {w for t in texts for w in WORD_RE.findall(t.lower()) if len(w) >= 3}
    return sorted(found) or ["exam"]


def _typo(word: str) -> str:
    """One slip of the finger: two letters swapped in the middle, or one dropped from a short word."""
    if len(word) >= 4:
        i = len(word) // 2
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    return word + word[-1]


def lines(draw: Callable, course: Course) -> list[str]:
    """Every student command line, with options drawn from the course."""
    session = draw(st.sampled_from(course.sessions))
    numbers = {s.number for s in course.sessions}
    missing = draw(st.sampled_from(sorted({max(numbers) + 1, 0} | (set(range(min(numbers), max(numbers))) -
                                                                    numbers))))
    weeks = (queries.monday_of(course.end) - queries.monday_of(course.first_day)).days // 7 + 1
    word = draw(st.sampled_from(_course_words(course)))[:100]  # Discord takes at most 200 characters
    found = [
        "/readings", "/readings today", "/readings tomorrow", "/readings next", "/readings last",
        f"/readings {session.date.month}/{session.date.day}", f"/readings date:{session.date.isoformat()}",
        f"/readings #{draw(st.sampled_from(sorted(numbers)))}", f"/readings #{missing}",
        f"/readings {draw(st.sampled_from(GARBAGE))}",
        "/next",
        "/schedule", "/schedule next", "/schedule all", f"/schedule {draw(st.integers(1, weeks))}",
        f"/schedule week {weeks + 1}",
        "/officehours", "/deadlines",
        f"/search {word}", f"/search {_typo(word)}", f"/search {NONSENSE}",
        "/help",
        "/critique rules",
    ]
    if course.breaks:
        pause = draw(st.sampled_from(course.breaks))
        day = draw(st.sampled_from(_days(pause.start, pause.end)))
        found.append(f"/readings {day.month}/{day.day}")
    if course.exams:
        exam = draw(st.sampled_from(course.exams))
        found.append(f"/readings {exam.date.isoformat()}")
    if not course.has_critiques:  # with critiques the console's tracker opens a store: checked at the core below
        found.append("/critique status")
    return found


def session_typed(draw: Callable, course: Course) -> str:
    """What a student might have typed so far into a date option: a class's m/d, its number, a topic's start."""
    session = draw(st.sampled_from(course.sessions))
    return draw(st.sampled_from([f"{session.date.month}/{session.date.day}", f"#{session.number}",
                                 (session.topic or "x")[:5], session.date.isoformat()]))


# --- the Discord surface -----------------------------------------------------------------------------------

Reply = list[list[discord.Embed]] | str  # packed messages of embeds, or a plain ephemeral error reply


def discord_reply(course: Course, line: str, now: dt.datetime) -> Reply:
    """What the cogs send for that line (bot/cogs/students.py), errors as bot/app.py replies them."""
    invocation = console.parse_line(line)
    name, options = invocation.command.name, invocation.options
    if name.startswith("critique") and not course.has_critiques:
        return words.NO_CRITIQUES  # the cog's interaction_check → CheckFailure → a plain reply
    try:
        if name == "readings":
            return embeds.readings_messages(queries.readings(course, options.get("date"), now))
        if name == "next":
            return embeds.readings_messages(queries.next_class(course, now))
        if name == "schedule":
            return embeds.pack(embeds.schedule(queries.schedule(course, options.get("week"), now)))
        if name == "officehours":
            return embeds.pack(embeds.office_hours(queries.office_hours(course, now)))
        if name == "deadlines":
            count = tracker.status(course, [], now).count_line() if course.has_critiques else None
            return embeds.pack(embeds.deadlines(queries.deadlines(course, now), count))
        if name == "search":
            return embeds.pack(embeds.search(search(course, options["query"])))
        if name == "critique rules":
            return embeds.pack(embeds.critique_rules(course))
        if name == "critique status":
            return embeds.pack(embeds.tracker(tracker.status(course, [], now)))
        if name == "help":
            return embeds.pack(embeds.help_doc(course))
    except QueryError as exc:
        return str(exc)
    raise AssertionError(f"no Discord rendering for {line!r}")


def embed_text(embed: discord.Embed) -> list[str]:
    return [embed.title or "", embed.description or "", *(f"{f.name}\n{f.value}" for f in embed.fields),
            embed.footer.text or ""]


def assert_fits(reply: Reply, what: str) -> str:
    """Every Discord limit holds; returns all the text shown."""
    if isinstance(reply, str):
        assert reply.strip() and len(reply) <= CONTENT_MAX, f"{what}: an error reply of {len(reply)} characters"
        return reply
    assert reply, f"{what}: no message"
    shown = []
    for message in reply:
        assert 1 <= len(message) <= EMBEDS_PER_MESSAGE_MAX, f"{what}: {len(message)} embeds in a message"
        total = 0
        for e in message:
            assert len(e.title or "") <= TITLE_MAX, f"{what}: a title of {len(e.title)}"
            assert len(e.description or "") <= DESCRIPTION_MAX, f"{what}: a description of {len(e.description)}"
            assert len(e.fields) <= FIELDS_MAX, f"{what}: {len(e.fields)} fields"
            for f in e.fields:
                assert 1 <= len(f.name) <= FIELD_NAME_MAX, f"{what}: a field name of {len(f.name)}"
                assert 1 <= len(f.value) <= FIELD_VALUE_MAX, f"{what}: a field value of {len(f.value)}"
            assert len(e.footer.text or "") <= FOOTER_MAX, f"{what}: a footer of {len(e.footer.text)}"
            size = (len(e.title or "") + len(e.description or "") + len(e.footer.text or "")
                    + sum(len(f.name) + len(f.value) for f in e.fields))
            assert size, f"{what}: an empty embed"
            total += size
            shown += embed_text(e)
        assert total <= MESSAGE_EMBED_CHARS_MAX, f"{what}: {total} characters in one message"
    return "\n".join(shown)


# --- nothing borrowed ------------------------------------------------------------------------------------

def assert_own_words(course: Course, text: str, answers: dict[str, str]) -> None:
    """No critique wording without critiques, and no first-course words, unless the course itself has them."""
    source = text.lower().replace("critique_cutoff", "")  # a course policy key any course may set
    dates = ([s.date for s in course.sessions] + [d.due for d in course.deadlines] + [e.date for e in course.exams]
             + [day for b in course.breaks for day in _days(b.start, b.end)])
    banned = [w for w in BORROWED if w not in source]
    if not course.has_critiques:
        banned += [w for w in ("critique", "printed") if w not in source]
    for what, answer in answers.items():
        if what.startswith("/critique") and not course.has_critiques:
            assert answer == words.NO_CRITIQUES, f"{what}: {answer!r}"
            continue
        lowered = answer.lower()
        for word in banned:
            assert word not in lowered, f"{what} says {word!r} in a course without it:\n{answer}"
        if "9/18" not in source and not any((d.month, d.day) == (9, 18) for d in dates):
            assert not NINE_EIGHTEEN.search(answer), f"{what} says '9/18' in a course without it:\n{answer}"


# --- the property ------------------------------------------------------------------------------------------

@GENERATED
@given(text=st.one_of(course_texts(), course_texts(odd=True)), data=st.data())
def test_every_command_answers_any_course_within_discords_limits(text: str, data: st.DataObject) -> None:
    """Every student command, at instants around the term, answers in text and packs within Discord's limits;
    autocomplete, reminders, the calendar and the tracker hold too; nothing is borrowed from another course."""
    check_every_answer(text, data)


@HEAVY
@given(text=heavy_texts(), data=st.data())
def test_heavy_courses_pack_within_discords_limits(text: str, data: st.DataObject) -> None:
    """The same for generated courses inflated past what one embed or one message holds (dozens of papers with
    long titles and notes, thirty office hours, a week of forty deadlines, long names full of markdown and
    mentions): answers are split over fields, embeds and messages, each within Discord's limits."""
    check_every_answer(text, data)


def check_every_answer(text: str, data: st.DataObject) -> None:
    """Load the course file `text` and check every answer at each drawn instant, then the plan, the calendar and
    that nothing in any of them is borrowed from another course."""
    course = load_text(text, "generated.yaml").course
    answers: dict[str, str] = {}  # what each thing said, for the course-independence check

    for when, now in instants(data.draw, course).items():
        note(f"{when}: {now.isoformat()}")
        for line in lines(data.draw, course):
            what = f"{line} at {when} ({now.isoformat()})"
            reply = console.answer(course, line, now)
            assert isinstance(reply, str) and reply.strip(), what
            answers[f"{what} (console)"] = reply
            answers[f"{what} (Discord)"] = assert_fits(discord_reply(course, line, now), what)

        for typed in ("", session_typed(data.draw, course), "#", "zz"):
            for papers_only in (False, True):
                choices = queries.class_choices(course, typed, now, with_papers_only=papers_only)
                assert len(choices) <= CHOICES_MAX, typed
                for label, value in choices:
                    assert 1 <= len(label) <= CHOICE_NAME_MAX and 1 <= len(value) <= CHOICE_VALUE_MAX, (label, value)
                answers[f"autocomplete {typed!r} at {when}"] = "\n".join(label for label, _ in choices)

        if course.has_critiques:
            state = tracker.status(course, [], now)
            assert "\n".join(words.tracker_lines(state)).strip()
            assert_fits(embeds.pack(embeds.tracker(state)), f"/critique status at {when}")
            with_papers = [s for s in course.sessions if s.has_papers]
            if with_papers:
                session = data.draw(st.sampled_from(with_papers))
                assert tracker.class_for_critique(course, session.date.isoformat(), now) == session
        else:
            for call, typed in ((tracker.status, []), (tracker.class_for_critique, "next"),
                                (tracker.class_for_critique, f"#{course.sessions[0].number}")):
                with pytest.raises(QueryError) as refused:
                    call(course, typed, now)
                assert str(refused.value) == words.NO_CRITIQUES

    reminders = plan(course, ReminderSettings(office_hours=True))
    for reminder in reminders:
        assert reminder.text.strip() and len(reminder.text) <= TEXT_MAX, (reminder.key, len(reminder.text))
        answers[f"reminder {reminder.key}"] = reminder.text
    if not course.has_critiques:
        assert not any(r.kind == "critique" for r in reminders)

    calendar = build_calendar(course)
    assert isinstance(calendar, bytes)
    parsed = Calendar.from_ical(calendar)
    assert parsed.walk("VEVENT"), "a calendar without events"
    answers["calendar"] = calendar.decode().replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")

    assert_own_words(course, text, answers)
