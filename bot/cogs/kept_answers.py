"""The packed /readings and /next answers of one course, each kept until it may read differently.

Before a class most of its students ask the same thing within minutes: the second and later get the message made
for the first, without the course being read again. The core says until when an answer holds
(bot/core/expiry.py); a new course (an upload, an instructor's change) starts afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import discord

from bot.core.expiry import course_instants, reads_the_same_until
from bot.core.model import Course

Messages = list[list[discord.Embed]]
LIMIT = 256  # kept answers per course: what students type is open-ended, so the oldest go when it is reached


class KeptAnswers:
    """One course's answers by (command, what was typed): the instant each was made, until when it holds, and it."""

    def __init__(self) -> None:
        self._course: Course | None = None
        self._instants: tuple[dt.datetime, ...] | None = None
        self._kept: dict[tuple[str, str | None], tuple[dt.datetime, dt.datetime, Messages]] = {}

    def get(self, course: Course, key: tuple[str, str | None], now: dt.datetime,
            make: Callable[[], Messages]) -> Messages:
        """The answer kept for `key` while it holds at `now`; else `make()`'s, kept (an error it raises is not)."""
        if course is not self._course:
            self._course, self._instants = course, course_instants(course)
            self._kept.clear()
        kept = self._kept.get(key)
        if kept is not None and kept[0] <= now < kept[1]:
            return kept[2]
        messages = make()
        if len(self._kept) >= LIMIT:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = (now, reads_the_same_until(course, self._instants, now), messages)
        return messages
