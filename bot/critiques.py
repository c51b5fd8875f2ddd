"""The critique tracker's actions, shared by the /critique cog and the console: core rules + the store."""

from __future__ import annotations

import datetime as dt

from bot.core import tracker
from bot.core.dates import QueryError, parse_when, short_date
from bot.core.model import Course
from bot.store import Store


async def log_critique(store: Store, course: Course, user_id: int, date_text: str, now: dt.datetime) -> str:
    """Record a critique for the class on that date; `QueryError` with the rule it breaks otherwise."""
    session = tracker.class_for_critique(course, date_text, now)
    per_class = course.critiques.max_per_class if course.critiques else 1
    if not await store.log_critique(user_id, session.number, session.date, now, per_class):
        already = "a critique" if per_class == 1 else f"{per_class} critiques"
        raise QueryError(f"You already logged {already} for class {session.number} ({short_date(session.date)}): "
                         f"at most {per_class} per class.")
    state = tracker.status(course, await store.critiques(user_id), now)
    return (f"Logged your critique for class {session.number} ({short_date(session.date)}, {session.title}). "
            + state.count_line())


async def remove_critique(store: Store, course: Course, user_id: int, date_text: str, now: dt.datetime) -> str:
    """Delete the record for the class on that date (or with that number), even if the class has changed since."""
    when = parse_when(course, date_text, now)
    number = when.session.number if when.session else None
    if number is None:
        records = [r for r in await store.critiques(user_id) if r.class_date == when.date]
        number = records[0].number if records else None
    if number is None or not await store.remove_critique(user_id, number):
        raise QueryError(f"You have no critique logged for {short_date(when.date)}; nothing was removed.")
    state = tracker.status(course, await store.critiques(user_id), now)
    return f"Removed your critique for class {number} ({short_date(when.date)}). " + state.count_line()


async def critique_status(store: Store, course: Course, user_id: int, now: dt.datetime) -> tracker.TrackerStatus:
    return tracker.status(course, await store.critiques(user_id), now)
