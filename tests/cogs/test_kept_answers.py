"""/readings and /next through the real bot: an answer kept for the students who ask after the first is the answer
the course gives at that very instant, across every boundary of the day, and a change to the course is seen at once.

The clock is the wall clock moved by time-machine (the `frozen` fixture); each answer is compared with the core's
own, made at the same instant.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core import queries
from bot.core.expiry import course_instants
from bot.render import embeds
from tests.harness import INSTRUCTOR, INSTRUCTOR_ROLE, at, final_answer

pytestmark = pytest.mark.asyncio


def rendered(messages) -> list[dict]:
    return [e.to_dict() for e in messages[0]]


async def ask(fake, name: str, options=None) -> list[dict]:
    data = await final_answer(fake, await fake.send_interaction(name=name, options=options))
    return data["embeds"]


async def test_kept_answers_are_the_answers_of_the_instant_they_are_given(live_bot, fake, frozen):
    """From Tue Sep 17: around midnight, and before and after the half minutes when "in 5 min" turns and
    the next two instants the course names (a critique due, a class's start or end), /next and
    /readings 9/18 are exactly what the course says at that instant, each asked twice (the second is kept)."""
    course = live_bot.service.course
    named = [t for t in course_instants(course) or () if t > at(2024, 9, 17, 9, 0)]
    assert len(named) >= 2
    start, end = named[0], named[1]
    instants = [at(2024, 9, 17, 9, 0), at(2024, 9, 17, 9, 0, 10), at(2024, 9, 17, 23, 59, 59),
                at(2024, 9, 18, 0, 0), at(2024, 9, 18, 0, 0, 1)]
    for base in (start, end):
        instants += [base - dt.timedelta(minutes=5, seconds=s) for s in (31, 30, 29, 1)]
        instants += [base - dt.timedelta(microseconds=1), base, base + dt.timedelta(seconds=1)]
    for t in instants:
        frozen.move_to(t)
        for _ in range(2):
            assert await ask(fake, "next") == rendered(embeds.readings_messages(queries.next_class(course, t))), t
            assert await ask(fake, "readings", {"date": "9/18"}) == rendered(
                embeds.readings_messages(queries.readings(course, "9/18", t))), t


async def test_an_instructors_change_is_seen_by_the_next_student_at_once(live_bot, fake, frozen):
    before = await ask(fake, "readings", {"date": "9/18"})
    teacher = await fake.send_interaction(name="course", subcommand="cancel", options={"date": "9/18"},
                                          user=INSTRUCTOR, roles=[INSTRUCTOR_ROLE])
    await final_answer(fake, teacher)
    after = await ask(fake, "readings", {"date": "9/18"})
    assert after != before and "cancel" in str(after).lower()
    now = dt.datetime.now(dt.timezone.utc)
    assert after == rendered(embeds.readings_messages(queries.readings(live_bot.service.course, "9/18", now)))
