"""The course as plain, frozen data: what `schedule.yaml` describes once validated.

Nothing here knows about YAML, Discord or SQLite; every other layer reads these. Every
answer a student gets is derived from one `Course`: its times, rooms, policies and wording.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RESOURCE_KINDS = ("book", "slides", "blog", "web", "tutorial", "news", "video", "other")
DEADLINE_KINDS = ("homework", "quiz", "project", "other")
MEETING_KINDS = ("lecture", "section", "lab")
SESSION_KINDS = ("class", "exam")
END_OF_DAY = dt.time(23, 59)
DEFAULT_CUTOFF = dt.time(12, 0)


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper assigned for a class: the thing students write critiques about (where the course has critiques)."""

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
    """Additional material (book, slides, blog, web page, tutorial, news, video): not for critiques."""

    title: str
    kind: str
    authors: str | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    """A weekly meeting pattern: on these weekdays, at this time, in this room."""

    days: tuple[int, ...]  # 0 = Monday
    start: dt.time | None = None
    end: dt.time | None = None
    room: str | None = None
    kind: str = "lecture"  # one of MEETING_KINDS


@dataclass(frozen=True, slots=True)
class Session:
    """One class meeting (or an exam held in class, `kind == "exam"`)."""

    number: int
    date: dt.date
    topic: str | None
    cancelled: bool = False
    reason: str | None = None
    papers: tuple[Paper, ...] = ()
    resources: tuple[Resource, ...] = ()
    kind: str = "class"  # one of SESSION_KINDS
    start: dt.time | None = None  # this class's own time and room, overriding the meeting pattern
    end: dt.time | None = None
    room: str | None = None

    @property
    def title(self) -> str:
        """The topic, or a neutral label when the syllabus gives none."""
        return self.topic or ("Exam" if self.is_exam else "Topic not announced")

    @property
    def is_exam(self) -> bool:
        return self.kind == "exam"

    @property
    def resources_heading(self) -> str:
        """"Also useful" beside papers; "Reading" when the resources are all there is (a textbook's chapters)."""
        return "Also useful" if self.papers else "Reading"

    @property
    def has_papers(self) -> bool:
        """A class that a critique can be written for (where the course has critiques)."""
        return not self.cancelled and not self.is_exam and bool(self.papers)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """A weekly office hour; none during breaks or on its `skip` dates."""

    who: str
    weekday: int  # 0 = Monday
    start: dt.time
    end: dt.time
    place: str | None = None
    note: str | None = None
    link: str | None = None
    skip: frozenset[dt.date] = frozenset()


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

    def form(self) -> str:
        """'printed, one page, two paragraphs': whatever the policy states about the form, in its own words."""
        parts = [self.format, self.length]
        if self.paragraphs:
            count = len(self.paragraphs)
            parts.append(f"{_count_word(count)} paragraph" + ("s" if count != 1 else ""))
        return ", ".join(p for p in parts if p)


def _count_word(n: int) -> str:
    return ("no", "one", "two", "three", "four")[n] if n < 5 else str(n)


@dataclass(frozen=True, slots=True)
class ProjectForm:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """Something students hand in, due at an instant: a date and a time (the end of the day when none is given)."""

    id: str
    title: str
    due: dt.date
    details: str | None = None
    kind: str = "other"  # one of DEADLINE_KINDS
    time: dt.time | None = None  # None: due at the end of the day, shown without a time
    url: str | None = None

    @property
    def due_time(self) -> dt.time:
        return self.time or END_OF_DAY


@dataclass(frozen=True, slots=True)
class Exam:
    """An exam held outside the class meetings (or, from a session of kind exam, in class)."""

    id: str
    title: str
    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None
    room: str | None = None
    details: str | None = None
    session: int | None = None  # the class number when it is held in class


@dataclass(frozen=True, slots=True)
class Project:
    max_group_size: int | None
    forms: tuple[ProjectForm, ...]
    deadlines: tuple[Deadline, ...]  # also in Course.deadlines, with kind "project"


@dataclass(frozen=True, slots=True)
class StaffMember:
    name: str
    role: str | None = None
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class Break:
    """Days without classes or office hours (spring break, a holiday)."""

    name: str
    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


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
    critiques: CritiquePolicy | None
    project: Project | None
    sessions: tuple[Session, ...]
    class_start: dt.time | None = None  # the single pattern's time, when there is one pattern
    class_end: dt.time | None = None
    room: str | None = None
    description: str | None = None
    other_topics: tuple[str, ...] = ()
    other_papers: tuple[Paper, ...] = ()
    office_hours_notice: str | None = None  # the instructor's latest note (/course officehours)
    code: str | None = None
    term_end: dt.date | None = None  # end of exams; None = last_day
    meetings: tuple[Meeting, ...] = ()
    critique_cutoff: dt.time | None = None  # course policy; None = the deployment's default
    links: tuple[tuple[str, str], ...] = ()
    staff: tuple[StaffMember, ...] = ()
    breaks: tuple[Break, ...] = ()
    deadlines: tuple[Deadline, ...] = ()  # every deadline, the project's included, by due instant
    exams: tuple[Exam, ...] = ()  # top-level exams (not those held in class)
    _by_date: dict[dt.date, Session] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_date", {s.date: s for s in self.sessions})

    # --- identity and policy ---------------------------------------------------------------

    @property
    def name(self) -> str:
        """'CS 452 Distributed Systems', or the title alone."""
        return f"{self.code} {self.title}" if self.code else self.title

    @property
    def end(self) -> dt.date:
        """The last day anything happens: the end of exams, or the last day of classes."""
        return self.term_end or self.last_day

    @property
    def cutoff(self) -> dt.time:
        """When critiques count as due on a class day whose start time is unknown."""
        return self.critique_cutoff or DEFAULT_CUTOFF

    @property
    def has_critiques(self) -> bool:
        return self.critiques is not None

    # --- sessions ---------------------------------------------------------------------------

    def session_on(self, day: dt.date) -> Session | None:
        """The class held (or cancelled) on that day, if any."""
        return self._by_date.get(day)

    def session_number(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)

    def meeting_for(self, day: dt.date) -> Meeting | None:
        """The weekly pattern that meets on that weekday (None for a make-up class on another day)."""
        return next((m for m in self.meetings if day.weekday() in m.days), None)

    def _pattern(self, day: dt.date) -> Meeting | None:
        """The pattern for that day; a make-up class of a one-pattern course keeps that pattern's time and room."""
        meeting = self.meeting_for(day)
        if meeting is None and len(self.meetings) == 1:
            return self.meetings[0]
        return meeting

    def session_start(self, session: Session) -> dt.time | None:
        meeting = self._pattern(session.date)
        return session.start or (meeting.start if meeting else None)

    def session_end(self, session: Session) -> dt.time | None:
        if session.start is not None:  # its own time: its own end, or none
            return session.end
        meeting = self._pattern(session.date)
        return session.end or (meeting.end if meeting else None)

    def session_room(self, session: Session) -> str | None:
        meeting = self._pattern(session.date)
        return session.room or (meeting.room if meeting else None)

    def session_kind(self, session: Session) -> str:
        """'exam', or the meeting's kind (lecture, section, lab)."""
        if session.is_exam:
            return "exam"
        meeting = self._pattern(session.date)
        return meeting.kind if meeting else "lecture"

    def class_start_at(self, session: Session) -> dt.datetime | None:
        """The aware instant a class starts, when its start time is known."""
        start = self.session_start(session)
        return None if start is None else dt.datetime.combine(session.date, start, self.timezone)

    def class_end_at(self, session: Session) -> dt.datetime | None:
        """The aware instant a class ends, when its end time is known."""
        end = self.session_end(session)
        return None if end is None else dt.datetime.combine(session.date, end, self.timezone)

    # --- the calendar around classes ---------------------------------------------------------

    def break_on(self, day: dt.date) -> Break | None:
        return next((b for b in self.breaks if b.covers(day)), None)

    def deadline(self, ident: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.id == ident), None)

    def due_at(self, deadline: Deadline) -> dt.datetime:
        return dt.datetime.combine(deadline.due, deadline.due_time, self.timezone)

    def all_exams(self) -> tuple[Exam, ...]:
        """Every exam, those held in class (sessions of kind exam, not cancelled) included, by date."""
        in_class = tuple(
            Exam(id=f"class-{s.number}", title=s.title, date=s.date, start=self.session_start(s),
                 end=self.session_end(s), room=self.session_room(s), session=s.number)
            for s in self.sessions if s.is_exam and not s.cancelled
        )
        return tuple(sorted(self.exams + in_class, key=lambda e: (e.date, e.start or dt.time(0), e.id)))

    def exam_start_at(self, exam: Exam) -> dt.datetime | None:
        return None if exam.start is None else dt.datetime.combine(exam.date, exam.start, self.timezone)

    def exam_end_at(self, exam: Exam) -> dt.datetime | None:
        return None if exam.end is None else dt.datetime.combine(exam.date, exam.end, self.timezone)


@dataclass(frozen=True, slots=True)
class Revision:
    """How often, and when last, the instructor's changes touched one event of the course (for calendars).

    Events are keyed 'class-<number>', 'deadline-<id>', 'exam-<id>' and 'office-hours' (every office hour).
    """

    sequence: int
    modified: dt.datetime  # aware


class Revisions(Mapping[str, Revision]):
    """The change log's revisions on top of a floor that every event has.

    A confirmed upload replaces the course's base and the log it is counted from; the floor (raised past every
    sequence the calendar has shown) keeps each event's SEQUENCE from going down, as calendar apps require.
    """

    def __init__(self, touched: Mapping[str, Revision], floor: Revision | None = None) -> None:
        self._touched = dict(touched)
        self.floor = floor

    def __getitem__(self, key: str) -> Revision:
        revision = self._touched.get(key)
        if self.floor is None:
            if revision is None:
                raise KeyError(key)
            return revision
        if revision is None:
            return self.floor
        return Revision(self.floor.sequence + revision.sequence, max(self.floor.modified, revision.modified))

    def get(self, key: str, default: Revision | None = None) -> Revision | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._touched)

    def __len__(self) -> int:
        return len(self._touched)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Revisions):
            return (self._touched, self.floor) == (other._touched, other.floor)
        return self.floor is None and isinstance(other, Mapping) and self._touched == dict(other)

    __hash__ = None  # type: ignore[assignment]


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
