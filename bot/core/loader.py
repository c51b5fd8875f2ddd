"""`schedule.yaml` → `Course`, reporting every problem at once with its file and line.

The file is read as a YAML node tree (not plain dicts) so that each problem can
name the line it is on. Messages are written for an instructor, not a programmer.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.core.dates import short_date
from bot.core.model import (
    RESOURCE_KINDS,
    Course,
    CritiquePolicy,
    Deadline,
    OfficeHours,
    Paper,
    Project,
    ProjectForm,
    Resource,
    Session,
    is_web_link,
    parse_weekday,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file, where it is and what to do about it."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ScheduleError(Exception):
    """The schedule could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


# Keys of each mapping: name -> required?
COURSE_KEYS = {
    "title": True, "instructor": True, "term": True, "first_day": True, "last_day": True,
    "timezone": True, "meeting_days": True, "class_start": False, "class_end": False,
    "room": False, "description": False,
}
OFFICE_HOURS_KEYS = {"who": True, "day": True, "start": True, "end": True, "place": False, "note": False}
CRITIQUE_KEYS = {
    "required": True, "max_per_class": True, "length": True, "paragraphs": True, "format": True,
    "due": True, "late_accepted": True, "llms_allowed": True, "rules": True,
}
PROJECT_KEYS = {"max_group_size": True, "forms": True, "deadlines": True}
FORM_KEYS = {"name": True, "description": True}
DEADLINE_KEYS = {"id": True, "title": True, "due": True, "details": False}
SESSION_KEYS = {
    "number": True, "date": True, "topic": False, "status": False, "reason": False,
    "papers": False, "resources": False,
}
PAPER_KEYS = {"title": True, "authors": False, "venue": False, "year": False, "url": False, "note": False}
RESOURCE_KEYS = {"title": True, "kind": True, "authors": False, "url": False, "note": False}
TOP_KEYS = {
    "course": True, "office_hours": False, "critiques": True, "project": True, "sessions": True,
    "other_topics": False, "other_papers": False,
}
STATUSES = ("scheduled", "cancelled")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")

_MISSING = object()


class _Reader:
    """Walks the node tree, converting values and collecting problems instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.file, line, message))

    def mapping(self, node: yaml.Node, where: str, keys: dict[str, bool]) -> dict[str, yaml.Node] | None:
        """The keys of a mapping node; unknown, repeated and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{where} should be a set of “key: value” lines, but it is {_describe(node)}.")
            return None
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in found:
                self.problem(key_node, f"{where} has “{key}” twice; keep only one.")
                continue
            if key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
                tip = f" Did you mean “{hint[0]}”?" if hint else f" Known keys: {', '.join(keys)}."
                self.problem(key_node, f"{where} has an unknown key “{key}”.{tip}")
                continue
            found[key] = value_node
        for key, required in keys.items():
            if required and key not in found:
                self.problem(node, f"{where} is missing “{key}”.")
        return found

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where} should be a list (lines starting with “- ”), but it is {_describe(node)}.")
            return []
        return list(node.value)

    def scalar(self, node: yaml.Node | None, where: str, convert: Callable[[yaml.ScalarNode], T],
               *, required: bool) -> T | None:
        """Convert a scalar; `None` for an absent or empty value (`mapping` reports absent required keys)."""
        if node is None:
            return None
        if _is_null(node):
            if required:
                self.problem(node, f"{where} is empty; give it a value.")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{where} should be a single value, but it is {_describe(node)}.")
            return None
        try:
            return convert(node)
        except ValueError as exc:
            self.problem(node, f"{where}: {exc}")
            return None

    def text(self, node: yaml.Node | None, where: str, *, required: bool = False) -> str | None:
        value = self.scalar(node, where, lambda n: str(n.value).strip(), required=required)
        if required and value == "":
            self.problem(node, f"{where} is empty; give it a value.")
        return value or None

    def texts(self, node: yaml.Node | None, where: str) -> tuple[str, ...]:
        items = (self.text(n, f"{where}, item {i}", required=True) for i, n in enumerate(self.sequence(node, where), 1))
        return tuple(t for t in items if t)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a set of key: value lines"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"“{node.value}”"


def _to_int(node: yaml.ScalarNode) -> int:
    digits = node.value.replace("_", "")
    if node.tag != "tag:yaml.org,2002:int" or not re.fullmatch(r"[-+]?[0-9]+", digits):  # not 0x1f, 1:30
        raise ValueError(f"“{node.value}” should be a whole number, like 2020.")
    return int(digits)


def _to_bool(node: yaml.ScalarNode) -> bool:
    if node.tag != "tag:yaml.org,2002:bool":
        raise ValueError(f"“{node.value}” should be true or false.")
    return node.value.lower() in ("true", "yes", "on", "y")


def _to_date(node: yaml.ScalarNode) -> dt.date:
    raw = str(node.value).strip()
    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw):
        raise ValueError(f"“{raw}” should be a date written as YYYY-MM-DD, like 2024-09-18.")
    year, month, day = (int(p) for p in raw.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{raw}” is not a real date (check the month and the day).") from None


def _to_time(node: yaml.ScalarNode) -> dt.time:
    raw = str(node.value).strip()
    match = TIME_RE.match(raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"“{raw}” should be a time written as HH:MM (24-hour), like \"14:00\".")
    return dt.time(int(match[1]), int(match[2]))


def _to_weekday(node: yaml.ScalarNode) -> int:
    day = parse_weekday(str(node.value))
    if day is None:
        raise ValueError(f"“{node.value}” is not a day of the week; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.")
    return day


def _to_zone(node: yaml.ScalarNode) -> ZoneInfo:
    raw = str(node.value).strip()
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder of zones: IsADirectoryError
        raise ValueError(f"“{raw}” is not a time zone name; use one like America/New_York.") from None


def _one_of(choices: tuple[str, ...]) -> Callable[[yaml.ScalarNode], str]:
    def convert(node: yaml.ScalarNode) -> str:
        value = str(node.value).strip().lower()
        if value not in choices:
            raise ValueError(f"“{node.value}” should be one of: {', '.join(choices)}.")
        return value
    return convert


def _paper(r: _Reader, node: yaml.Node, where: str) -> Paper | None:
    keys = r.mapping(node, where, PAPER_KEYS)
    if keys is None:
        return None
    title = r.text(keys.get("title"), f"{where}: the title", required="title" in keys)
    year = r.scalar(keys.get("year"), f"{where}: the year", _to_int, required=False)
    if year is not None and not 1900 <= year <= 2100:
        r.problem(keys.get("year"), f"{where}: the year {year} looks wrong.")
    url = _url(r, keys.get("url"), where)
    if not title:
        return None
    return Paper(
        title=title,
        authors=r.text(keys.get("authors"), f"{where}: the authors"),
        venue=r.text(keys.get("venue"), f"{where}: the venue"),
        year=year,
        url=url,
        note=r.text(keys.get("note"), f"{where}: the note"),
    )


def _resource(r: _Reader, node: yaml.Node, where: str) -> Resource | None:
    keys = r.mapping(node, where, RESOURCE_KEYS)
    if keys is None:
        return None
    title = r.text(keys.get("title"), f"{where}: the title", required="title" in keys)
    kind = r.scalar(keys.get("kind"), f"{where}: the kind", _one_of(RESOURCE_KINDS), required="kind" in keys)
    if not title or not kind:
        return None
    return Resource(
        title=title, kind=kind,
        authors=r.text(keys.get("authors"), f"{where}: the authors"),
        url=_url(r, keys.get("url"), where),
        note=r.text(keys.get("note"), f"{where}: the note"),
    )


def _url(r: _Reader, node: yaml.Node | None, where: str) -> str | None:
    url = r.text(node, f"{where}: the url")
    if url is not None and not is_web_link(url):
        r.problem(node, f"{where}: the url “{url[:80]}” should be a web address "
                      "starting with https:// (no spaces, no user name before the site).")
        return None
    return url


def _papers(r: _Reader, node: yaml.Node | None, where: str) -> tuple[Paper, ...]:
    items = (_paper(r, n, f"{where}, paper {i}") for i, n in enumerate(r.sequence(node, f"{where}: papers"), 1))
    return tuple(p for p in items if p)


def _session(r: _Reader, node: yaml.Node, index: int) -> tuple[Session, yaml.Node] | None:
    keys = r.mapping(node, f"Session {index} in the list", SESSION_KEYS)
    if keys is None:
        return None
    number = r.scalar(keys.get("number"), f"Session {index} in the list: the number", _to_int, required=True)
    where = f"Session {number if number is not None else index}"
    day = r.scalar(keys.get("date"), f"{where}: the date", _to_date, required=True)
    status = r.scalar(keys.get("status"), f"{where}: the status", _one_of(STATUSES), required=False)
    reason = r.text(keys.get("reason"), f"{where}: the reason")
    if reason and status != "cancelled":
        r.problem(keys.get("reason"),
                  f"{where} has a reason but is not cancelled; add “status: cancelled” or remove the reason.")
    resources = tuple(
        res for i, n in enumerate(r.sequence(keys.get("resources"), f"{where}: resources"), 1)
        if (res := _resource(r, n, f"{where}, resource {i}"))
    )
    papers = _papers(r, keys.get("papers"), where)
    topic = r.text(keys.get("topic"), f"{where}: the topic")
    if number is None or day is None:
        return None
    session = Session(number=number, date=day, topic=topic, cancelled=status == "cancelled",
                      reason=reason, papers=papers, resources=resources)
    return session, node


def _check_sessions(r: _Reader, parsed: list[tuple[Session, yaml.Node]], first: dt.date | None,
                    last: dt.date | None) -> None:
    seen_numbers: dict[int, Session] = {}
    seen_dates: dict[dt.date, Session] = {}
    previous: Session | None = None
    for session, node in parsed:
        label = f"Session {session.number} ({short_date(session.date)})"
        if session.number in seen_numbers:
            r.problem(node, f"{label}: the number {session.number} is used twice; each class needs its own number.")
        if session.date in seen_dates:
            other = seen_dates[session.date]
            r.problem(node, f"{label} is on the same date as session {other.number}; two classes cannot share a date.")
        if previous and (session.date < previous.date or session.number < previous.number):
            r.problem(node, f"{label} comes after session {previous.number} ({short_date(previous.date)}) in the file; "
                            "list the sessions in date order with increasing numbers.")
        if first and last and not first <= session.date <= last:
            r.problem(node, f"{label} is outside the term ({short_date(first)} to {short_date(last)}, {last.year}).")
        seen_numbers.setdefault(session.number, session)
        seen_dates.setdefault(session.date, session)
        previous = session


def _course(r: _Reader, top: dict[str, yaml.Node]) -> Course | None:
    course = r.mapping(top["course"], "The course section", COURSE_KEYS) if "course" in top else None
    if course is None:
        course = {}
    w = "The course section"
    first = r.scalar(course.get("first_day"), f"{w}: first_day", _to_date, required="first_day" in course)
    last = r.scalar(course.get("last_day"), f"{w}: last_day", _to_date, required="last_day" in course)
    if first and last and first > last:
        r.problem(course.get("last_day"), f"{w}: last_day ({last}) is before first_day ({first}).")
    zone = r.scalar(course.get("timezone"), f"{w}: timezone", _to_zone, required="timezone" in course)
    days = tuple(
        d for i, n in enumerate(r.sequence(course.get("meeting_days"), f"{w}: meeting_days"), 1)
        if (d := r.scalar(n, f"{w}: meeting_days, item {i}", _to_weekday, required=True)) is not None
    )
    start = r.scalar(course.get("class_start"), f"{w}: class_start", _to_time, required=False)
    end = r.scalar(course.get("class_end"), f"{w}: class_end", _to_time, required=False)
    if start and end and end <= start:
        r.problem(course.get("class_end"), f"{w}: class_end ({end:%H:%M}) should be after class_start ({start:%H:%M}).")

    office_hours = tuple(
        oh for i, n in enumerate(r.sequence(top.get("office_hours"), "office_hours"), 1)
        if (oh := _office_hours(r, n, f"Office hours entry {i}"))
    )
    critiques = _critiques(r, top.get("critiques"))
    project = _project(r, top.get("project"), first, last)

    parsed = [s for i, n in enumerate(r.sequence(top.get("sessions"), "sessions"), 1) if (s := _session(r, n, i))]
    if "sessions" in top and not parsed and not r.problems:
        r.problem(top["sessions"], "The sessions list is empty; add at least one class.")
    _check_sessions(r, parsed, first, last)

    other_papers = _papers(r, top.get("other_papers"), "other_papers")
    other_topics = r.texts(top.get("other_topics"), "other_topics")
    title = r.text(course.get("title"), f"{w}: title", required="title" in course)
    instructor = r.text(course.get("instructor"), f"{w}: instructor", required="instructor" in course)
    term = r.text(course.get("term"), f"{w}: term", required="term" in course)
    if r.problems or None in (first, last, zone, critiques, project, title, instructor, term):
        return None
    assert first and last and zone and critiques and project and title and instructor and term
    return Course(
        title=title, instructor=instructor, term=term, first_day=first, last_day=last, timezone=zone,
        meeting_days=days, office_hours=office_hours, critiques=critiques, project=project,
        sessions=tuple(s for s, _ in parsed), class_start=start, class_end=end,
        room=r.text(course.get("room"), f"{w}: room"),
        description=r.text(course.get("description"), f"{w}: description"),
        other_topics=other_topics, other_papers=other_papers,
    )


def _office_hours(r: _Reader, node: yaml.Node, where: str) -> OfficeHours | None:
    keys = r.mapping(node, where, OFFICE_HOURS_KEYS)
    if keys is None:
        return None
    who = r.text(keys.get("who"), f"{where}: who", required="who" in keys)
    day = r.scalar(keys.get("day"), f"{where}: day", _to_weekday, required="day" in keys)
    start = r.scalar(keys.get("start"), f"{where}: start", _to_time, required="start" in keys)
    end = r.scalar(keys.get("end"), f"{where}: end", _to_time, required="end" in keys)
    if start and end and end <= start:
        r.problem(keys.get("end"), f"{where}: the end ({end:%H:%M}) should be after the start ({start:%H:%M}).")
    if who is None or day is None or start is None or end is None:
        return None
    return OfficeHours(who=who, weekday=day, start=start, end=end,
                       place=r.text(keys.get("place"), f"{where}: place"),
                       note=r.text(keys.get("note"), f"{where}: note"))


def _critiques(r: _Reader, node: yaml.Node | None) -> CritiquePolicy | None:
    w = "The critiques section"
    keys = r.mapping(node, w, CRITIQUE_KEYS) if node is not None else None
    if keys is None:
        return None
    values = {
        "required": r.scalar(keys.get("required"), f"{w}: required", _to_int, required=True),
        "max_per_class": r.scalar(keys.get("max_per_class"), f"{w}: max_per_class", _to_int, required=True),
        "length": r.text(keys.get("length"), f"{w}: length", required=True),
        "paragraphs": r.texts(keys.get("paragraphs"), f"{w}: paragraphs"),
        "format": r.text(keys.get("format"), f"{w}: format", required=True),
        "due": r.text(keys.get("due"), f"{w}: due", required=True),
        "late_accepted": r.scalar(keys.get("late_accepted"), f"{w}: late_accepted", _to_bool, required=True),
        "llms_allowed": r.scalar(keys.get("llms_allowed"), f"{w}: llms_allowed", _to_bool, required=True),
        "rules": r.texts(keys.get("rules"), f"{w}: rules"),
    }
    if any(v is None for v in values.values()):
        return None
    return CritiquePolicy(**values)  # type: ignore[arg-type]


def _project(r: _Reader, node: yaml.Node | None, first: dt.date | None, last: dt.date | None) -> Project | None:
    w = "The project section"
    keys = r.mapping(node, w, PROJECT_KEYS) if node is not None else None
    if keys is None:
        return None
    size = r.scalar(keys.get("max_group_size"), f"{w}: max_group_size", _to_int, required=True)
    forms = []
    for i, n in enumerate(r.sequence(keys.get("forms"), f"{w}: forms"), 1):
        f = r.mapping(n, f"Project form {i}", FORM_KEYS)
        if f is not None:
            name = r.text(f.get("name"), f"Project form {i}: name", required="name" in f)
            text = r.text(f.get("description"), f"Project form {i}: description", required="description" in f)
            if name and text:
                forms.append(ProjectForm(name, text))
    deadlines = []
    for i, n in enumerate(r.sequence(keys.get("deadlines"), f"{w}: deadlines"), 1):
        d = r.mapping(n, f"Project deadline {i}", DEADLINE_KEYS)
        if d is None:
            continue
        ident = r.text(d.get("id"), f"Project deadline {i}: id", required="id" in d)
        title = r.text(d.get("title"), f"Project deadline {i}: title", required="title" in d)
        due = r.scalar(d.get("due"), f"Project deadline {i}: due", _to_date, required="due" in d)
        if due and first and last and not first <= due <= last:
            r.problem(d.get("due"), f"Project deadline {i} ({title}) is due {due}, outside the term.")
        if ident and title and due:
            deadlines.append(Deadline(ident, title, due, r.text(d.get("details"), f"Project deadline {i}: details")))
    if size is None:
        return None
    return Project(max_group_size=size, forms=tuple(forms), deadlines=tuple(sorted(deadlines, key=lambda d: d.due)))


def parse_course(text: str, file: str = "schedule.yaml") -> Course:
    """Parse and validate the text of a schedule file; raise `ScheduleError` with every problem."""
    reader = _Reader(file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise ScheduleError([Problem(file, line, f"This is not valid YAML here ({what}). "
                                                 "Check the indentation and quote text that contains “: ”.")]) from None
    if root is None:
        raise ScheduleError([Problem(file, None, "The file is empty.")])
    top = reader.mapping(root, "The file", TOP_KEYS)
    course = _course(reader, top) if top is not None else None
    if reader.problems or course is None:
        raise ScheduleError(reader.problems or [Problem(file, None, "The schedule could not be read.")])
    return course


def load_course(path: str | Path) -> Course:
    """Read and validate a schedule file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleError([Problem(str(path), None, f"Cannot read the file: {exc.strerror or exc}.")]) from None
    except UnicodeDecodeError:
        raise ScheduleError([Problem(str(path), None, "The file is not UTF-8 text.")]) from None
    return parse_course(text, str(path))
