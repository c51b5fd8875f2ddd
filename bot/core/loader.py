"""`schedule.yaml` → `Course`, reporting every problem at once with its file and line.

The file is read as a YAML node tree (bot/core/schema.py) so that each problem can name the line
it is on; the sections around the sessions are read in bot/core/sections.py. Messages are written
for an instructor, not a programmer. Warnings (a make-up class off the meeting days, a class in a
break) do not stop the course from loading: `load_text` returns them beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core import schema as s
from bot.core import sections
from bot.core.dates import short_date
from bot.core.model import (
    MEETING_KINDS,
    RESOURCE_KINDS,
    SESSION_KINDS,
    WEEKDAYS,
    Course,
    Deadline,
    Exam,
    Meeting,
    Paper,
    Resource,
    Session,
)
from bot.core.schema import FileProblem, Problem, Reader

__all__ = ["Problem", "ScheduleError", "Loaded", "load_text", "parse_course", "load_course", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 1_000_000
MAX_SESSIONS = 500  # more than a year of daily classes: a longer list is a mistake, refused before it is read
COURSE_KEYS = {
    "title": True, "code": False, "instructor": True, "term": True, "first_day": True, "last_day": True,
    "term_end": False, "timezone": True, "meeting_days": False, "class_start": False, "class_end": False,
    "room": False, "meetings": False, "critique_cutoff": False, "links": False, "description": False,
}
PATTERN_KEYS = ("meeting_days", "class_start", "class_end", "room")
MEETING_KEYS = {"days": True, "kind": False, "start": False, "end": False, "room": False}
SESSION_KEYS = {
    "number": True, "date": True, "topic": False, "kind": False, "start": False, "end": False, "room": False,
    "status": False, "reason": False, "papers": False, "resources": False,
}
PAPER_KEYS = {"title": True, "authors": False, "venue": False, "year": False, "url": False, "note": False}
RESOURCE_KEYS = {"title": True, "kind": True, "authors": False, "url": False, "note": False}
TOP_KEYS = {
    "course": True, "staff": False, "breaks": False, "office_hours": False, "critiques": False, "deadlines": False,
    "project": False, "exams": False, "sessions": True, "other_topics": False, "other_papers": False,
}
STATUSES = ("scheduled", "cancelled")


class ScheduleError(Exception):
    """The schedule could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Loaded:
    """A valid course, and what looked odd in it (shown by `check`, never fatal)."""

    course: Course
    warnings: tuple[Problem, ...]


def _paper(r: Reader, node: yaml.Node, where: str) -> Paper | None:
    keys = r.mapping(node, where, PAPER_KEYS)
    if keys is None:
        return None
    title = r.text(keys.get("title"), f"{where}: the title", required="title" in keys)
    year = r.scalar(keys.get("year"), f"{where}: the year", s.whole_number)
    if year is not None and not 1500 <= year <= 2200:
        r.problem(keys.get("year"), f"{where}: the year {year} looks wrong.")
    url = r.url(keys.get("url"), where)
    if not title:
        return None
    return Paper(title=title, authors=r.text(keys.get("authors"), f"{where}: the authors"),
                 venue=r.text(keys.get("venue"), f"{where}: the venue"), year=year, url=url,
                 note=r.text(keys.get("note"), f"{where}: the note"))


def _resource(r: Reader, node: yaml.Node, where: str) -> Resource | None:
    keys = r.mapping(node, where, RESOURCE_KEYS)
    if keys is None:
        return None
    title = r.text(keys.get("title"), f"{where}: the title", required="title" in keys)
    kind = r.scalar(keys.get("kind"), f"{where}: the kind", s.one_of(RESOURCE_KINDS), required="kind" in keys)
    url = r.url(keys.get("url"), where)
    if not title or not kind:
        return None
    return Resource(title=title, kind=kind, authors=r.text(keys.get("authors"), f"{where}: the authors"), url=url,
                    note=r.text(keys.get("note"), f"{where}: the note"))


def _papers(r: Reader, node: yaml.Node | None, where: str) -> tuple[Paper, ...]:
    items = (_paper(r, n, f"{where}, paper {i}") for i, n in enumerate(r.sequence(node, f"{where}: papers"), 1))
    return tuple(p for p in items if p)


def _times(r: Reader, keys: dict[str, yaml.Node], where: str, start_key: str = "start",
           end_key: str = "end") -> tuple[dt.time | None, dt.time | None]:
    start = r.scalar(keys.get(start_key), f"{where}: {start_key}", s.time_of_day)
    end = r.scalar(keys.get(end_key), f"{where}: {end_key}", s.time_of_day)
    if start and end and end <= start:
        r.problem(keys.get(end_key), f"{where}: {end_key} ({end:%H:%M}) should be after {start_key} ({start:%H:%M}).")
    return start, end


def _session(r: Reader, node: yaml.Node, index: int) -> tuple[Session, yaml.Node] | None:
    keys = r.mapping(node, f"Session {index} in the list", SESSION_KEYS)
    if keys is None:
        return None
    number = r.scalar(keys.get("number"), f"Session {index} in the list: the number", s.whole_number, required=True)
    where = f"Session {number if number is not None else index}"
    day = r.scalar(keys.get("date"), f"{where}: the date", s.iso_date, required=True)
    status = r.scalar(keys.get("status"), f"{where}: the status", s.one_of(STATUSES))
    kind = r.scalar(keys.get("kind"), f"{where}: the kind", s.one_of(SESSION_KINDS)) or "class"
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
    start, end = _times(r, keys, where)
    room = r.text(keys.get("room"), f"{where}: the room")
    if number is None or day is None:
        return None
    session = Session(number=number, date=day, topic=topic, cancelled=status == "cancelled", reason=reason,
                      papers=papers, resources=resources, kind=kind, start=start, end=end, room=room)
    return session, node


def _check_sessions(r: Reader, warnings: Reader, parsed: list[tuple[Session, yaml.Node]], course: Course,
                    term_ok: bool) -> None:
    seen_numbers: dict[int, Session] = {}
    seen_dates: dict[dt.date, Session] = {}
    previous: Session | None = None
    first, last = course.first_day, course.last_day
    for session, node in parsed:
        label = f"Session {session.number} ({short_date(session.date)})"
        if session.number in seen_numbers:
            r.problem(node, f"{label}: the number {session.number} is used twice; each class needs its own number.")
        if session.date in seen_dates:
            other = seen_dates[session.date]
            r.problem(node, f"{label} is on the same date as session {other.number}; two classes cannot share a date.")
        if previous and session.date < previous.date:
            r.problem(node, f"{label} comes after session {previous.number} ({short_date(previous.date)}) in the file; "
                            "list the sessions in date order.")
        elif previous and session.number < previous.number:
            warnings.problem(node, f"{label} comes after session {previous.number} in date order; fine for a class "
                                   "moved past another, otherwise check the numbers.")
        if not term_ok:
            pass
        elif not first <= session.date <= last:
            r.problem(node, f"{label} is outside the term ({short_date(first)} to {short_date(last)}, {last.year}).")
        elif (pause := course.break_on(session.date)) is not None and not session.cancelled:
            warnings.problem(node, f"{label} falls in {pause.name}; fine for a make-up class, "
                                   "otherwise check the date.")
        elif course.meeting_days and session.date.weekday() not in course.meeting_days and session.start is None:
            days = ", ".join(WEEKDAYS[d] for d in course.meeting_days)
            warnings.problem(node, f"{label} is not on a meeting day ({days}); "
                                   "give a make-up class its own start and end, otherwise check the date.")
        if session.is_exam and (session.papers or session.resources):
            warnings.problem(node, f"{label} is an exam but lists readings; students will see them as review material.")
        seen_numbers.setdefault(session.number, session)
        seen_dates.setdefault(session.date, session)
        previous = session


def _meetings(r: Reader, course: dict[str, yaml.Node], where: str, node: yaml.Node) -> tuple[Meeting, ...]:
    """The `meetings` list, or the one pattern of meeting_days/class_start/class_end/room."""
    if "meetings" in course:
        both = [k for k in PATTERN_KEYS if k in course]
        if both:
            r.problem(course[both[0]], f"{where}: “{both[0]}” and a “meetings” list cannot be used together; "
                                       "put the days, times and room in the meetings list.")
        found, seen_days = [], set()
        for i, n in enumerate(r.sequence(course["meetings"], f"{where}: meetings"), 1):
            keys = r.mapping(n, f"Meeting {i}", MEETING_KEYS)
            if keys is None:
                continue
            days = r.items(keys.get("days"), f"Meeting {i}: days", s.weekday)
            if "days" in keys and not days:
                r.problem(keys.get("days"), f"Meeting {i}: days is empty; list at least one day, like [Tue, Thu].")
            for d in days:
                if d in seen_days:
                    r.problem(keys.get("days"), f"Meeting {i}: {WEEKDAYS[d]} is in two meetings; "
                                                "a weekday can have one pattern (give a class its own start instead).")
                seen_days.add(d)
            start, end = _times(r, keys, f"Meeting {i}")
            kind = r.scalar(keys.get("kind"), f"Meeting {i}: kind", s.one_of(MEETING_KINDS)) or "lecture"
            found.append(Meeting(tuple(sorted(set(days))), start, end, r.text(keys.get("room"), f"Meeting {i}: room"),
                                 kind))
        if not found and not r.problems:
            r.problem(course["meetings"], f"{where}: the meetings list is empty; add at least one.")
        return tuple(found)
    if "meeting_days" not in course:
        r.problem(node, f"{where} is missing “meeting_days” (or a “meetings” list).")
        return ()
    days = r.items(course.get("meeting_days"), f"{where}: meeting_days", s.weekday)
    start, end = _times(r, course, where, "class_start", "class_end")
    if not days:
        return ()
    return (Meeting(tuple(sorted(set(days))), start, end, r.text(course.get("room"), f"{where}: room")),)


def _course(r: Reader, warnings: Reader, top: dict[str, yaml.Node]) -> Course | None:
    w = "The course section"
    course = (r.mapping(top["course"], w, COURSE_KEYS) if "course" in top else None) or {}
    first = r.scalar(course.get("first_day"), f"{w}: first_day", s.iso_date, required="first_day" in course)
    last = r.scalar(course.get("last_day"), f"{w}: last_day", s.iso_date, required="last_day" in course)
    term_end = r.scalar(course.get("term_end"), f"{w}: term_end", s.iso_date)
    if first and last and first > last:
        r.problem(course.get("last_day"), f"{w}: last_day ({last}) is before first_day ({first}).")
    if term_end and last and term_end < last:
        r.problem(course.get("term_end"), f"{w}: term_end ({term_end}) is before last_day ({last}); "
                                          "it is the end of exams, on or after the last class.")
    zone = r.scalar(course.get("timezone"), f"{w}: timezone", s.time_zone, required="timezone" in course)
    meetings = _meetings(r, course, w, top["course"]) if course else ()
    cutoff = r.scalar(course.get("critique_cutoff"), f"{w}: critique_cutoff", s.time_of_day)
    links = sections.links(r, course.get("links"))
    staff = sections.staff(r, top.get("staff"))
    span = (first, term_end or last) if first and last else None
    breaks = sections.breaks(r, top.get("breaks"), span)
    office_hours = sections.office_hours(r, top.get("office_hours"))
    critiques = sections.critiques(r, top.get("critiques"))
    project, project_deadlines = sections.project(r, top.get("project"))
    deadlines = project_deadlines + sections.deadlines(r, top.get("deadlines"))
    exams = sections.exams(r, top.get("exams"))
    session_nodes = r.sequence(top.get("sessions"), "sessions")
    if len(session_nodes) > MAX_SESSIONS:
        r.problem(top["sessions"], f"The sessions list has {len(session_nodes):,} classes; a course has at most "
                                   f"{MAX_SESSIONS} (is this the right file?).")
        session_nodes = []
    parsed = [x for i, n in enumerate(session_nodes, 1) if (x := _session(r, n, i))]
    if "sessions" in top and not parsed and not r.problems:
        r.problem(top["sessions"], "The sessions list is empty; add at least one class.")
    other_papers = _papers(r, top.get("other_papers"), "other_papers")
    other_topics = r.texts(top.get("other_topics"), "other_topics")
    title = r.text(course.get("title"), f"{w}: title", required="title" in course)
    instructor = r.text(course.get("instructor"), f"{w}: instructor", required="instructor" in course)
    term = r.text(course.get("term"), f"{w}: term", required="term" in course)
    if None in (first, last, zone, title, instructor, term):
        return None
    assert first and last and zone and title and instructor and term
    single = meetings[0] if len(meetings) == 1 and "meetings" not in course else None
    built = Course(
        title=title, instructor=instructor, term=term, first_day=first, last_day=last, timezone=zone,
        meeting_days=tuple(sorted({d for m in meetings for d in m.days})), office_hours=office_hours,
        critiques=critiques, project=project, sessions=tuple(x for x, _ in parsed),
        class_start=single.start if single else None, class_end=single.end if single else None,
        room=single.room if single else None, description=r.text(course.get("description"), f"{w}: description"),
        other_topics=other_topics, other_papers=other_papers, code=r.text(course.get("code"), f"{w}: code"),
        term_end=term_end, meetings=meetings, critique_cutoff=cutoff, links=links, staff=staff, breaks=breaks,
        deadlines=tuple(sorted((d for d, _ in deadlines), key=lambda d: (d.due, d.due_time, d.id))),
        exams=tuple(sorted((e for e, _ in exams), key=lambda e: (e.date, e.start or dt.time(0), e.id))),
    )
    term_ok = first <= last and (term_end is None or term_end >= last)  # else the term's own problem says it
    _check_sessions(r, warnings, parsed, built, term_ok)
    _check_ids_and_dates(r, built, deadlines, exams, term_ok)
    if term_ok:
        _check_office_hours_happen(warnings, built, top.get("office_hours"))
    return built


def _check_ids_and_dates(r: Reader, course: Course, deadlines: list[tuple[Deadline, yaml.Node]],
                         exams: list[tuple[Exam, yaml.Node]], term_ok: bool) -> None:
    """Ids are unique across deadlines and exams; each falls within the term (first class to the end of exams)."""
    seen: set[str] = set()
    first, end = course.first_day, course.end
    items: list[tuple[Deadline | Exam, yaml.Node]] = [*deadlines, *exams]
    for item, node in items:
        kind = "deadline" if isinstance(item, Deadline) else "exam"
        if item.id in seen:
            r.problem(node, f"The id “{item.id}” is used twice; each deadline and exam needs its own id.")
        seen.add(item.id)
        day = item.due if isinstance(item, Deadline) else item.date
        if not first <= day <= end:
            r.problem(node, f"The {kind} “{item.title}” is on {day}, outside the term ({first} to {end}); "
                            "set term_end in the course section for exams and deadlines after the last class.")


def _check_office_hours_happen(warnings: Reader, course: Course, node: yaml.Node | None) -> None:
    """An office hour whose every date in the term is skipped or in a break is probably a mistake."""
    for hours in course.office_hours:
        day = course.first_day + dt.timedelta(days=(hours.weekday - course.first_day.weekday()) % 7)
        while day <= course.last_day and (day in hours.skip or course.break_on(day) is not None):
            day += dt.timedelta(days=7)
        if day > course.last_day:
            warnings.problem(node, f"The office hours of {hours.who} ({WEEKDAYS[hours.weekday]}) never happen "
                                   f"between {course.first_day} and {course.last_day}: every such day is skipped "
                                   "or in a break. Check the day.")


def load_text(text: str, file: str = "schedule.yaml") -> Loaded:
    """Parse and validate the text of a schedule file; raise `ScheduleError` with every problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScheduleError([Problem(file, None, f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                                                 "a course file is far smaller. Is it the right file?")])
    reader, warnings = Reader(file), Reader(file)
    try:
        root = s.compose(text, file)
    except FileProblem as exc:
        raise ScheduleError([exc.problem]) from None
    if root is None:
        raise ScheduleError([Problem(file, None, "The file is empty.")])
    top = reader.mapping(root, "The file", TOP_KEYS)
    course = _course(reader, warnings, top) if top is not None else None
    if reader.problems or course is None:
        raise ScheduleError(reader.problems or [Problem(file, None, "The schedule could not be read.")])
    return Loaded(course, tuple(warnings.problems))


def parse_course(text: str, file: str = "schedule.yaml") -> Course:
    """The course of a schedule text (warnings dropped); `ScheduleError` with every problem."""
    return load_text(text, file).course


def read_text(path: str | Path) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleError([Problem(str(path), None, f"Cannot read the file: {exc.strerror or exc}.")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScheduleError([Problem(str(path), None, f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                                                      "a course file is far smaller. Is it the right file?")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScheduleError([Problem(str(path), None, "The file is not UTF-8 text.")]) from None


def load_file(path: str | Path) -> Loaded:
    """Read and validate a schedule file, with its warnings."""
    return load_text(read_text(path), str(path))


def load_course(path: str | Path) -> Course:
    """Read and validate a schedule file."""
    return load_file(path).course
