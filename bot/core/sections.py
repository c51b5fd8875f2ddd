"""The sections of `schedule.yaml` around the sessions: staff, breaks, office hours, critiques, project,
deadlines, exams and links. Each reads its nodes with the schema toolkit and reports problems with lines.
"""

from __future__ import annotations

import datetime as dt

import yaml

from bot.core import schema as s
from bot.core.model import (
    DEADLINE_KINDS,
    Break,
    CritiquePolicy,
    Deadline,
    Exam,
    OfficeHours,
    Project,
    ProjectForm,
    StaffMember,
)
from bot.core.schema import Reader

STAFF_KEYS = {"name": True, "role": False, "contact": False}
BREAK_KEYS = {"name": True, "from": True, "to": False}
OFFICE_HOURS_KEYS = {"who": True, "day": True, "start": True, "end": True, "place": False, "link": False,
                     "note": False, "skip": False}
CRITIQUE_KEYS = {
    "required": True, "max_per_class": True, "length": True, "paragraphs": True, "format": True,
    "due": True, "late_accepted": True, "llms_allowed": True, "rules": True,
}
PROJECT_KEYS = {"max_group_size": False, "forms": False, "deadlines": False}
FORM_KEYS = {"name": True, "description": True}
DEADLINE_KEYS = {"id": True, "title": True, "kind": False, "due": True, "details": False, "url": False}
PROJECT_DEADLINE_KEYS = {"id": True, "title": True, "due": True, "details": False, "url": False}
EXAM_KEYS = {"id": True, "title": True, "date": True, "start": False, "end": False, "room": False, "details": False}


def staff(r: Reader, node: yaml.Node | None) -> tuple[StaffMember, ...]:
    found = []
    for i, n in enumerate(r.sequence(node, "staff"), 1):
        keys = r.mapping(n, f"Staff entry {i}", STAFF_KEYS)
        if keys is None:
            continue
        name = r.text(keys.get("name"), f"Staff entry {i}: name", required="name" in keys)
        if name:
            found.append(StaffMember(name, r.text(keys.get("role"), f"Staff entry {i}: role"),
                                     r.text(keys.get("contact"), f"Staff entry {i}: contact")))
    return tuple(found)


def breaks(r: Reader, node: yaml.Node | None, term: tuple[dt.date, dt.date] | None) -> tuple[Break, ...]:
    """The breaks; one wholly outside the term (first class to the end of exams) is a mistake."""
    found = []
    for i, n in enumerate(r.sequence(node, "breaks"), 1):
        where = f"Break {i}"
        keys = r.mapping(n, where, BREAK_KEYS)
        if keys is None:
            continue
        name = r.text(keys.get("name"), f"{where}: name", required="name" in keys)
        start = r.scalar(keys.get("from"), f"{where}: from", s.iso_date, required="from" in keys)
        end = r.scalar(keys.get("to"), f"{where}: to", s.iso_date) or start
        if start and end and end < start:
            r.problem(keys.get("to"), f"{where} ({name}) ends ({end}) before it starts ({start}).")
            continue
        if term and start and end and (end < term[0] or start > term[1]):
            r.problem(n, f"{where} ({name}, {start} to {end}) is outside the term ({term[0]} to {term[1]}).")
        elif name and start and end:
            found.append(Break(name, start, end))
    return tuple(found)


def office_hours(r: Reader, node: yaml.Node | None) -> tuple[OfficeHours, ...]:
    found = []
    for i, n in enumerate(r.sequence(node, "office_hours"), 1):
        if (hours := _office_hour(r, n, f"Office hours entry {i}")) is not None:
            found.append(hours)
    return tuple(found)


def _office_hour(r: Reader, node: yaml.Node, where: str) -> OfficeHours | None:
    keys = r.mapping(node, where, OFFICE_HOURS_KEYS)
    if keys is None:
        return None
    who = r.text(keys.get("who"), f"{where}: who", required="who" in keys)
    day = r.scalar(keys.get("day"), f"{where}: day", s.weekday, required="day" in keys)
    start = r.scalar(keys.get("start"), f"{where}: start", s.time_of_day, required="start" in keys)
    end = r.scalar(keys.get("end"), f"{where}: end", s.time_of_day, required="end" in keys)
    if start and end and end <= start:
        r.problem(keys.get("end"), f"{where}: the end ({end:%H:%M}) should be after the start ({start:%H:%M}).")
    skip_nodes = r.sequence(keys.get("skip"), f"{where}: skip")
    skip = []
    for j, sn in enumerate(skip_nodes, 1):
        date = r.scalar(sn, f"{where}: skip, item {j}", s.iso_date, required=True)
        if date is not None and day is not None and date.weekday() != day:
            r.problem(sn, f"{where}: the skipped date {date} is a {date:%A}, but these office hours are on "
                          f"{_weekday_name(day)}s.")
        elif date is not None:
            skip.append(date)
    link = r.url(keys.get("link"), f"{where}: link")
    if who is None or day is None or start is None or end is None:
        return None
    return OfficeHours(who=who, weekday=day, start=start, end=end, place=r.text(keys.get("place"), f"{where}: place"),
                       note=r.text(keys.get("note"), f"{where}: note"), link=link, skip=frozenset(skip))


def _weekday_name(day: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day]


def critiques(r: Reader, node: yaml.Node | None) -> CritiquePolicy | None:
    w = "The critiques section"
    if node is None or s.is_null(node):
        return None
    keys = r.mapping(node, w, CRITIQUE_KEYS)
    if keys is None:
        return None
    values = {
        "required": r.scalar(keys.get("required"), f"{w}: required", s.whole_number, required=True),
        "max_per_class": r.scalar(keys.get("max_per_class"), f"{w}: max_per_class", s.whole_number, required=True),
        "length": r.text(keys.get("length"), f"{w}: length", required=True),
        "paragraphs": r.texts(keys.get("paragraphs"), f"{w}: paragraphs"),
        "format": r.text(keys.get("format"), f"{w}: format", required=True),
        "due": r.text(keys.get("due"), f"{w}: due", required=True),
        "late_accepted": r.scalar(keys.get("late_accepted"), f"{w}: late_accepted", s.yes_no, required=True),
        "llms_allowed": r.scalar(keys.get("llms_allowed"), f"{w}: llms_allowed", s.yes_no, required=True),
        "rules": r.texts(keys.get("rules"), f"{w}: rules"),
    }
    for key in ("required", "max_per_class"):
        if values[key] is not None and values[key] < 1:  # type: ignore[operator]
            r.problem(keys.get(key), f"{w}: {key} should be at least 1 (leave the section out for no critiques).")
            values[key] = None
    if any(v is None for v in values.values()):
        return None
    return CritiquePolicy(**values)  # type: ignore[arg-type]


def project(r: Reader, node: yaml.Node | None) -> tuple[Project | None, list[tuple[Deadline, yaml.Node]]]:
    """The project, and its deadlines with their nodes (they count as deadlines of kind project)."""
    w = "The project section"
    if node is None or s.is_null(node):
        return None, []
    keys = r.mapping(node, w, PROJECT_KEYS)
    if keys is None:
        return None, []
    size = r.scalar(keys.get("max_group_size"), f"{w}: max_group_size", s.whole_number)
    forms = []
    for i, n in enumerate(r.sequence(keys.get("forms"), f"{w}: forms"), 1):
        f = r.mapping(n, f"Project form {i}", FORM_KEYS)
        if f is not None:
            name = r.text(f.get("name"), f"Project form {i}: name", required="name" in f)
            text = r.text(f.get("description"), f"Project form {i}: description", required="description" in f)
            if name and text:
                forms.append(ProjectForm(name, text))
    found = [(d, n) for i, n in enumerate(r.sequence(keys.get("deadlines"), f"{w}: deadlines"), 1)
             if (d := _deadline(r, n, f"Project deadline {i}", project=True))]
    return Project(max_group_size=size, forms=tuple(forms), deadlines=tuple(d for d, _ in found)), found


def deadlines(r: Reader, node: yaml.Node | None) -> list[tuple[Deadline, yaml.Node]]:
    return [(d, n) for i, n in enumerate(r.sequence(node, "deadlines"), 1)
            if (d := _deadline(r, n, f"Deadline {i}", project=False))]


def _deadline(r: Reader, node: yaml.Node, where: str, *, project: bool) -> Deadline | None:
    keys = r.mapping(node, where, PROJECT_DEADLINE_KEYS if project else DEADLINE_KEYS)
    if keys is None:
        return None
    ident = r.scalar(keys.get("id"), f"{where}: id", s.identifier, required="id" in keys)
    title = r.text(keys.get("title"), f"{where}: title", required="title" in keys)
    kind = "project" if project else r.scalar(keys.get("kind"), f"{where}: kind", s.one_of(DEADLINE_KINDS)) or "other"
    due = r.scalar(keys.get("due"), f"{where}: due", s.date_and_time, required="due" in keys)
    details = r.text(keys.get("details"), f"{where}: details")
    url = r.url(keys.get("url"), f"{where}: url")
    if ident is None or title is None or due is None:
        return None
    return Deadline(id=ident, title=title, due=due[0], time=due[1], kind=kind, details=details, url=url)


def exams(r: Reader, node: yaml.Node | None) -> list[tuple[Exam, yaml.Node]]:
    found = []
    for i, n in enumerate(r.sequence(node, "exams"), 1):
        where = f"Exam {i}"
        keys = r.mapping(n, where, EXAM_KEYS)
        if keys is None:
            continue
        ident = r.scalar(keys.get("id"), f"{where}: id", s.identifier, required="id" in keys)
        title = r.text(keys.get("title"), f"{where}: title", required="title" in keys)
        date = r.scalar(keys.get("date"), f"{where}: date", s.iso_date, required="date" in keys)
        start = r.scalar(keys.get("start"), f"{where}: start", s.time_of_day)
        end = r.scalar(keys.get("end"), f"{where}: end", s.time_of_day)
        if end and not start:
            r.problem(keys.get("end"), f"{where}: an end time needs a start time too.")
        if start and end and end <= start:
            r.problem(keys.get("end"), f"{where}: the end ({end:%H:%M}) should be after the start ({start:%H:%M}). "
                                        "An exam ends on its own day (23:59 at the latest).")
        room = r.text(keys.get("room"), f"{where}: room")
        details = r.text(keys.get("details"), f"{where}: details")
        if ident and title and date:
            found.append((Exam(ident, title, date, start, end, room, details), n))
    return found


def links(r: Reader, node: yaml.Node | None) -> tuple[tuple[str, str], ...]:
    if node is None or s.is_null(node):
        return ()
    if not isinstance(node, yaml.MappingNode):
        r.problem(node, f"The course section: links should be “name: url” lines, but it is {s.describe(node)}.")
        return ()
    found = []
    for key_node, value_node in node.value:
        name = str(key_node.value).strip() if isinstance(key_node, yaml.ScalarNode) else ""
        url = r.scalar(value_node, f"The course section: the link “{name[:60]}”", s.web_link, required=True)
        if name and url:
            found.append((name, url))
    return tuple(found)

