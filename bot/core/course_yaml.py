"""`Course` → the text of a valid `schedule.yaml`: the course as it stands, changes applied.

`/course download` gives this text back (an upload keeps its own text). Only the keys SPEC.md's
"The course file" defines are written, in the example files' order (course, staff, breaks, office_hours,
critiques, project, deadlines, exams, sessions, other_topics, other_papers); a key whose value is the default is
left out, except `topic: null`, which tells the instructor where a topic goes. Dates are YYYY-MM-DD, times
"HH:MM" in quotes, and text YAML would misread ("yes", "null", "12:00", "- item", "a: b") is quoted by the
dumper of bot/core/skeleton.py, which this module extends. Loading the text gives the same `Course` back, except
for what the file has no key for: the instructor's office hours note (`Course.office_hours_notice`) is written
as a comment, which the loader ignores. Pure: no clock, no files.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Iterable

import yaml

from bot.core import skeleton as sk
from bot.core.model import (
    WEEKDAYS,
    Course,
    CritiquePolicy,
    Deadline,
    Exam,
    Meeting,
    OfficeHours,
    Paper,
    Project,
    Resource,
    Session,
    StaffMember,
)

__all__ = ["course_to_yaml"]

STR_TAG = "tag:yaml.org,2002:str"
ODD_BREAKS = frozenset("\r\x85\u2028\u2029")  # line breaks only an escape in double quotes keeps


class Pairs(list):  # type: ignore[type-arg]
    """A mapping written from (key, value) pairs in their order, repeated keys kept (the links)."""


class CourseDumper(sk.Dumper):
    """skeleton's Dumper, plus: tuples one item a line, multi-line text as a literal block, Pairs as a mapping."""


def _text(dumper: CourseDumper, value: str) -> yaml.Node:
    """Text as PyYAML would write it (quoted when it must be); several lines as a `|` block, readable.

    Carriage returns, NEL and the Unicode line and paragraph separators are escaped in double quotes: PyYAML's
    own choice writes them raw in a plain or single-quoted scalar, where a reader folds them into a space.
    """
    if ODD_BREAKS.intersection(value):
        return dumper.represent_scalar(STR_TAG, value, style='"')
    return dumper.represent_scalar(STR_TAG, value, style="|" if "\n" in value else None)


CourseDumper.add_representer(str, _text)
CourseDumper.add_representer(tuple, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=False))
CourseDumper.add_representer(Pairs, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", list(v)))


def course_to_yaml(course: Course) -> str:
    """The text of a `schedule.yaml` that loads back into `course` (the office hours note becomes a comment)."""
    data: dict[str, object] = {"course": _course_keys(course)}
    if course.staff:
        data["staff"] = [_staff(m) for m in course.staff]
    if course.breaks:
        data["breaks"] = sk.break_entries(course.breaks)
    if course.office_hours:
        data["office_hours"] = [_office_hour(h) for h in course.office_hours]
    if course.critiques is not None:
        data["critiques"] = _critiques(course.critiques)
    if course.project is not None:
        data["project"] = _project(course.project)
    in_project = {d.id for d in course.project.deadlines} if course.project else set()
    deadlines = [_deadline(d, with_kind=True) for d in course.deadlines if d.id not in in_project]
    if deadlines:
        data["deadlines"] = deadlines
    if course.exams:
        data["exams"] = [_exam(e) for e in course.exams]
    data["sessions"] = [_session(s) for s in course.sessions]
    if course.other_topics:
        data["other_topics"] = tuple(course.other_topics)
    if course.other_papers:
        data["other_papers"] = [_paper(p) for p in course.other_papers]
    return _notice_comment(course.office_hours_notice) + _spaced(sk.dump(data, CourseDumper))


# --- the sections -------------------------------------------------------------------------------------------


def _compact(keys: dict[str, object], keep: Iterable[str] = ()) -> dict[str, object]:
    """The keys whose value is not None (those in `keep` are written even when null)."""
    kept = set(keep)
    return {k: v for k, v in keys.items() if v is not None or k in kept}


def _course_keys(course: Course) -> dict[str, object]:
    keys: dict[str, object] = {
        "title": course.title, "code": course.code, "instructor": course.instructor, "term": course.term,
        "first_day": course.first_day, "last_day": course.last_day, "term_end": course.term_end,
        "timezone": course.timezone.key, **_meeting_keys(course), "critique_cutoff": sk.hhmm(course.critique_cutoff),
        "links": Pairs(course.links) if course.links else None, "description": course.description,
    }
    return _compact(keys)


def _meeting_keys(course: Course) -> dict[str, object]:
    """One pattern (meeting_days, class_start, class_end, room) when the course has one, else a meetings list.

    The loader sets `class_start`, `class_end` and `room` only from the one-pattern keys, so a single lecture
    pattern is written that way only when the course holds its times and room there too.
    """
    meetings = course.meetings
    if not meetings:
        return {"meeting_days": sk.Flow(WEEKDAYS[d] for d in course.meeting_days)}
    only = meetings[0]
    if len(meetings) == 1 and only.kind == "lecture" and (course.class_start, course.class_end, course.room) == (
            only.start, only.end, only.room):
        return sk.meeting_keys(meetings)  # type: ignore[arg-type]  # a Meeting has a MeetingPlan's fields
    return {"meetings": [_meeting(m) for m in meetings]}


def _meeting(meeting: Meeting) -> dict[str, object]:
    return _compact({"days": sk.Flow(WEEKDAYS[d] for d in meeting.days),
                     "kind": meeting.kind if meeting.kind != "lecture" else None, "start": sk.hhmm(meeting.start),
                     "end": sk.hhmm(meeting.end), "room": meeting.room})


def _staff(member: StaffMember) -> dict[str, object]:
    return _compact({"name": member.name, "role": member.role, "contact": member.contact})


def _office_hour(hours: OfficeHours) -> dict[str, object]:
    return _compact({"who": hours.who, "day": WEEKDAYS[hours.weekday], "start": sk.hhmm(hours.start),
                     "end": sk.hhmm(hours.end), "place": hours.place, "link": hours.link, "note": hours.note,
                     "skip": sorted(hours.skip) if hours.skip else None})


def _critiques(policy: CritiquePolicy) -> dict[str, object]:
    return {"required": policy.required, "max_per_class": policy.max_per_class, "length": policy.length,
            "paragraphs": tuple(policy.paragraphs), "format": policy.format, "due": policy.due,
            "late_accepted": policy.late_accepted, "llms_allowed": policy.llms_allowed, "rules": tuple(policy.rules)}


def _project(project: Project) -> dict[str, object]:
    return _compact({
        "max_group_size": project.max_group_size,
        "forms": [{"name": f.name, "description": f.description} for f in project.forms] or None,
        "deadlines": [_deadline(d, with_kind=False) for d in project.deadlines] or None,
    })


def _deadline(deadline: Deadline, *, with_kind: bool) -> dict[str, object]:
    """A deadline; a project's has no `kind` key (it is a project deadline by where it stands)."""
    due: object = deadline.due if deadline.time is None else f"{deadline.due.isoformat()} {deadline.time:%H:%M}"
    kind = deadline.kind if with_kind and deadline.kind != "other" else None
    return _compact({"id": deadline.id, "title": deadline.title, "kind": kind, "due": due,
                     "details": deadline.details, "url": deadline.url})


def _exam(exam: Exam) -> dict[str, object]:
    return _compact({"id": exam.id, "title": exam.title, "date": exam.date, "start": sk.hhmm(exam.start),
                     "end": sk.hhmm(exam.end), "room": exam.room, "details": exam.details})


def _session(session: Session) -> dict[str, object]:
    """A class; its reason is written only when it is cancelled (the loader refuses one on a class that is held)."""
    return _compact({
        "number": session.number, "date": session.date, "topic": session.topic,
        "kind": session.kind if session.kind != "class" else None, "start": sk.hhmm(session.start),
        "end": sk.hhmm(session.end), "room": session.room, "status": "cancelled" if session.cancelled else None,
        "reason": session.reason if session.cancelled else None,
        "papers": [_paper(p) for p in session.papers] or None,
        "resources": [_resource(r) for r in session.resources] or None,
    }, keep=("topic",))


def _paper(paper: Paper) -> dict[str, object]:
    return _compact({"title": paper.title, "authors": paper.authors, "venue": paper.venue, "year": paper.year,
                     "url": paper.url, "note": paper.note})


def _resource(resource: Resource) -> dict[str, object]:
    return _compact({"title": resource.title, "kind": resource.kind, "authors": resource.authors,
                     "url": resource.url, "note": resource.note})


# --- layout -------------------------------------------------------------------------------------------------


def _spaced(text: str) -> str:
    """A blank line before each top-level section, as in the example files (only their keys start a line)."""
    lines = text.splitlines()
    spaced = [line if i == 0 or line[:1] in (" ", "") else "\n" + line for i, line in enumerate(lines)]
    return "\n".join(spaced) + "\n"


def _notice_comment(notice: str | None) -> str:
    """The office hours note as comment lines: the file has no key for it, and a reader should still see it."""
    if not notice:
        return ""
    printable = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch for ch in notice)
    words = " ".join(printable.split())
    if not words:
        return ""
    lines = textwrap.wrap(f"Office hours note (set with /course officehours; this file has no key for it): {words}",
                          width=100, break_long_words=True, break_on_hyphens=False)
    return "".join(f"# {line}\n" for line in lines) + "\n"
