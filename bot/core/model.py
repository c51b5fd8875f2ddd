"""The course as plain, frozen data: what `schedule.yaml` describes once validated.

Nothing here knows about YAML, Discord or SQLite; every other layer reads these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RESOURCE_KINDS = ("book", "slides", "blog", "web", "tutorial", "news")


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper assigned for a class: the thing students write critiques about."""

    title: str
    authors: str | None = None
    venue: str | None = None
    year: int | None = None
    url: str | None = None
    note: str | None = None

    def citation(self) -> str:
        """'Chen et al. · ICLR 2020' — whatever of authors, venue and year is known."""
        where = " ".join(str(p) for p in (self.venue, self.year) if p)
        return " · ".join(p for p in (self.authors, where) if p)


@dataclass(frozen=True, slots=True)
class Resource:
    """Additional material (book, slides, blog, web page, tutorial, news): not for critiques."""

    title: str
    kind: str
    authors: str | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """One class meeting."""

    number: int
    date: dt.date
    topic: str | None
    cancelled: bool = False
    reason: str | None = None
    papers: tuple[Paper, ...] = ()
    resources: tuple[Resource, ...] = ()

    @property
    def title(self) -> str:
        """The topic, or a neutral label when the syllabus gives none."""
        return self.topic or "Topic not announced"

    @property
    def has_papers(self) -> bool:
        """A class that a critique can be written for."""
        return not self.cancelled and bool(self.papers)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """A weekly office hour."""

    who: str
    weekday: int  # 0 = Monday
    start: dt.time
    end: dt.time
    place: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CritiquePolicy:
    """The critique rules as the syllabus states them."""

    required: int
    max_per_class: int
    length: str
    paragraphs: tuple[str, ...]
    format: str
    due: str
    late_accepted: bool
    llms_allowed: bool
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProjectForm:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """A project deadline (proposal, final paper): due at the end of its day unless a class time says otherwise."""

    id: str
    title: str
    due: dt.date
    details: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    max_group_size: int
    forms: tuple[ProjectForm, ...]
    deadlines: tuple[Deadline, ...]


@dataclass(frozen=True, slots=True)
class Course:
    """The whole course: settings from `schedule.yaml` plus every session, in date order."""

    title: str
    instructor: str
    term: str
    first_day: dt.date
    last_day: dt.date
    timezone: ZoneInfo
    meeting_days: tuple[int, ...]
    office_hours: tuple[OfficeHours, ...]
    critiques: CritiquePolicy
    project: Project
    sessions: tuple[Session, ...]
    class_start: dt.time | None = None
    class_end: dt.time | None = None
    room: str | None = None
    description: str | None = None
    other_topics: tuple[str, ...] = ()
    other_papers: tuple[Paper, ...] = ()
    office_hours_notice: str | None = None  # the instructor's latest note (/course officehours)
    _by_date: dict[dt.date, Session] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_date", {s.date: s for s in self.sessions})

    def session_on(self, day: dt.date) -> Session | None:
        """The class held (or cancelled) on that day, if any."""
        return self._by_date.get(day)

    def session_number(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)

    def class_start_at(self, session: Session) -> dt.datetime | None:
        """The aware instant a class starts, when the start time is known."""
        if self.class_start is None:
            return None
        return dt.datetime.combine(session.date, self.class_start, self.timezone)


def parse_weekday(raw: str) -> int | None:
    """'Wed', 'wed', 'Wednesday' → 2."""
    word = raw.strip().lower().rstrip(".")
    for i, (short, full) in enumerate(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)):
        if word in (short.lower(), full.lower()) or (len(word) >= 3 and full.lower().startswith(word)):
            return i
    return None


def is_web_link(text: str) -> bool:
    """An http(s) address naming a host, with nothing that could break out of a Discord link.

    A user name before the host ('http://@everyone', 'http://me@site') is refused: no paper's link needs one,
    and it is the one place a mention could hide in a link.
    """
    match = re.fullmatch(r"https?://([^\s<>/?#]+)[^\s<>]*", text)
    return match is not None and "@" not in match[1] and re.search(r"[^\W_]", match[1]) is not None
