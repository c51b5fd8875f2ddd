"""The only place that reads the wall clock: everything else is handed `now`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    return dt.datetime.now(dt.timezone.utc)


def fixed_clock(at: dt.datetime) -> Clock:
    """A clock stopped at one instant (the console's --now, and tests)."""
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs a timezone-aware instant")
    return lambda: at
