"""A new term's `schedule.yaml`: one session per class day, breaks skipped, ready for topics.

`parse_plan` turns what the instructor typed (options or answers) into a `TermPlan`, listing every problem at
once; `class_days` lays the meeting days over the term; `skeleton_text` writes the file. Rolling an old course
onto the new days is in bot/core/rollover.py. Pure: text in, text out; the caller reads and writes files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml

from bot.core import schema as s
from bot.core.dates import short_date
from bot.core.model import WEEKDAYS, Break

REQUIRED = ("title", "term", "first", "last", "timezone", "days")
REQUIRED_WHEN_ROLLING = ("term", "first", "last")  # the rest defaults to the old course's
BREAK_RE = re.compile(r"^(.+?)\s*:\s*(\d{4}-\d{1,2}-\d{1,2})(?:\s*:\s*(\d{4}-\d{1,2}-\d{1,2}))?$")
MAX_CLASS_DAYS = 500


class PlanError(ValueError):
    """The plan cannot make a term; `problems` lists every reason, each a sentence to act on."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class MeetingPlan:
    """A weekly pattern: these weekdays (0 = Monday), optionally a time and a room."""

    days: tuple[int, ...]
    start: dt.time | None = None
    end: dt.time | None = None
    room: str | None = None
    kind: str = "lecture"


@dataclass(frozen=True, slots=True)
class TermPlan:
    """The new term. With `--from`, the title, time zone and meetings may be left out (the old course's stay)."""

    term: str
    first_day: dt.date
    last_day: dt.date
    title: str | None = None
    timezone: str | None = None
    meetings: tuple[MeetingPlan, ...] = ()
    breaks: tuple[Break, ...] = ()
    code: str | None = None
    instructor: str | None = None

    @property
    def meeting_days(self) -> tuple[int, ...]:
        return tuple(sorted({d for m in self.meetings for d in m.days}))


def missing(values: Mapping[str, object], rolling: bool = False) -> list[str]:
    """The required fields (option names without dashes) that have no value."""
    return [k for k in (REQUIRED_WHEN_ROLLING if rolling else REQUIRED) if not values.get(k)]


def _convert(problems: list[str], label: str, raw: object, convert):  # type: ignore[no-untyped-def]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return convert(str(raw))
    except ValueError as exc:
        problems.append(f"{label}: {exc}")
        return None


def parse_break(text: str) -> Break:
    """'Spring break:2025-03-24:2025-03-28' (or one day: 'Labor Day:2025-09-01') → a Break."""
    match = BREAK_RE.match(text.strip())
    if not match:
        raise ValueError(f"“{text}” should be NAME:YYYY-MM-DD:YYYY-MM-DD (or NAME:YYYY-MM-DD for one day), "
                         "like \"Spring break:2025-03-24:2025-03-28\".")
    start = s.iso_date(match[2])
    end = s.iso_date(match[3]) if match[3] else start
    if end < start:
        raise ValueError(f"“{match[1]}” ends ({end}) before it starts ({start}).")
    return Break(match[1].strip(), start, end)


def parse_plan(values: Mapping[str, object], rolling: bool = False) -> TermPlan:
    """The plan from option values (strings; `breaks` a list of NAME:FROM:TO); `PlanError` with every problem.

    Keys: title, code, instructor, term, first, last, timezone, days ('Tue,Thu'), start, end, room, breaks.
    """
    problems = [f"Missing --{k}." for k in missing(values, rolling)]
    first = _convert(problems, "--first", values.get("first"), s.iso_date)
    last = _convert(problems, "--last", values.get("last"), s.iso_date)
    if first and last and last < first:
        problems.append(f"--last ({last}) is before --first ({first}); the last day of classes comes after the first.")
    zone = values.get("timezone")
    _convert(problems, "--timezone", zone, s.time_zone)
    days = tuple(sorted({d for raw in re.split(r"[,\s]+", str(values.get("days") or "")) if raw
                         if (d := _convert(problems, "--days", raw, s.weekday)) is not None}))
    start = _convert(problems, "--start", values.get("start"), s.time_of_day)
    end = _convert(problems, "--end", values.get("end"), s.time_of_day)
    if start and end and end <= start:
        problems.append(f"--end ({end:%H:%M}) should be after --start ({start:%H:%M}).")
    if end and not start and not values.get("start"):
        problems.append("--end needs a --start.")
    room = str(values.get("room") or "").strip() or None
    if (start or end or room) and not values.get("days"):
        problems.append("--start, --end and --room need --days (the old course's may have several patterns).")
    breaks = []
    for raw in values.get("breaks") or ():  # type: ignore[attr-defined]
        found = _convert(problems, "--break", raw, parse_break)
        if found and first and last and first <= last and (found.end < first or found.start > last):
            problems.append(f"--break “{found.name}” ({found.start} to {found.end}) is outside the term "
                            f"({first} to {last}).")
        elif found:
            breaks.append(found)
    if problems:
        raise PlanError(problems)
    assert first and last
    meetings = (MeetingPlan(days, start, end, room),) if days else ()
    plan = TermPlan(term=_text(values, "term") or "", first_day=first, last_day=last, title=_text(values, "title"),
                    timezone=str(zone).strip() if zone else None, meetings=meetings, breaks=tuple(breaks),
                    code=_text(values, "code"), instructor=_text(values, "instructor"))
    if plan.meetings and not class_days(plan):
        raise PlanError([f"No class day between {first} and {last}: no {', '.join(WEEKDAYS[d] for d in days)} "
                         "outside the breaks."])
    return plan


def _text(values: Mapping[str, object], key: str) -> str | None:
    return str(values.get(key) or "").strip() or None


def class_days(plan: TermPlan) -> list[dt.date]:
    """Every meeting day from the first to the last day, days in a break left out (calendar dates: no time zone)."""
    days: list[dt.date] = []
    meeting_days = set(plan.meeting_days)
    day = plan.first_day
    while day <= plan.last_day and len(days) < MAX_CLASS_DAYS:
        if day.weekday() in meeting_days and not any(b.covers(day) for b in plan.breaks):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def skipped_days(plan: TermPlan) -> list[dt.date]:
    """The meeting days that fall in a break."""
    meeting_days = set(plan.meeting_days)
    return [b.start + dt.timedelta(days=i) for b in plan.breaks for i in range((b.end - b.start).days + 1)
            if (b.start + dt.timedelta(days=i)).weekday() in meeting_days
            and plan.first_day <= b.start + dt.timedelta(days=i) <= plan.last_day]


# --- writing YAML: plain scalars kept as written, times in quotes, no anchors, two-space lists ----------------


class Plain(str):
    """A plain scalar read from an old file, kept as written ("14:00" stays 14:00, not 840)."""

    tag: str


class Quoted(str):
    """A string written in double quotes (times: "14:00")."""


class TextLoader(yaml.SafeLoader):
    """Reads a course file keeping each plain date, number, time or yes/no as its text (the loader reads text)."""


def _plain(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Plain:
    value = Plain(node.value)
    value.tag = node.tag
    return value


def _quoted_or_str(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return Quoted(node.value) if node.style == '"' else str(node.value)


for _tag in ("int", "float", "bool", "timestamp"):
    TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _plain)
TextLoader.add_constructor("tag:yaml.org,2002:str", _quoted_or_str)


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


class Flow(list):
    """A list written on one line: [Tue, Thu]."""


Dumper.add_representer(Plain, lambda d, v: d.represent_scalar(v.tag, str(v)))
Dumper.add_representer(Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
def _list(dumper: Dumper, items: list) -> yaml.Node:
    """Short words and dates on one line ([Tue, Thu]); anything longer one item a line."""
    short = bool(items) and all(isinstance(i, dt.date) or (isinstance(i, str) and len(i) <= 12) for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=short)


Dumper.add_representer(list, _list)
Dumper.add_representer(Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def read_raw(text: str) -> dict:
    """The file's data with scalars as written (call after the loader accepted it: no anchors, bounded size)."""
    return yaml.load(text, Loader=TextLoader) or {}  # noqa: S506 — a SafeLoader subclass


def dump(data: Mapping[str, object], dumper: type[Dumper] = Dumper) -> str:
    """The YAML text of `data`, keys in the given order (`dumper`: this Dumper or a subclass of it)."""
    return yaml.dump(dict(data), Dumper=dumper, sort_keys=False, allow_unicode=True, width=110)


def hhmm(time: dt.time | None) -> Quoted | None:
    return None if time is None else Quoted(f"{time:%H:%M}")


def meeting_keys(meetings: Sequence[MeetingPlan]) -> dict[str, object]:
    """The course keys for the meeting patterns: meeting_days/class_start/class_end/room, or a meetings list."""
    def names(days: Sequence[int]) -> Flow:
        return Flow(WEEKDAYS[d] for d in days)

    if len(meetings) == 1 and meetings[0].kind == "lecture":
        m = meetings[0]
        keys = {"meeting_days": names(m.days), "class_start": hhmm(m.start), "class_end": hhmm(m.end), "room": m.room}
        return {k: v for k, v in keys.items() if v is not None}
    listed = [{"days": names(m.days), "kind": m.kind if m.kind != "lecture" else None, "start": hhmm(m.start),
               "end": hhmm(m.end), "room": m.room} for m in meetings]
    return {"meetings": [{k: v for k, v in m.items() if v is not None} for m in listed]}


def break_entries(breaks: Sequence[Break]) -> list[dict[str, object]]:
    return [{"name": b.name, "from": b.start, "to": b.end} for b in breaks]


def annotate(text: str, plan: TermPlan, sessions: Sequence[Mapping[str, object]]) -> str:
    """Comments a reader wants: the weekday after each session date, and each break where it falls."""
    before: dict[int, list[str]] = {}
    for b in plan.breaks:
        following = next((x["number"] for x in sessions if x["date"] > b.end), None)  # type: ignore[operator]
        if following is not None:
            span = short_date(b.start) if b.start == b.end else f"{short_date(b.start)} to {short_date(b.end)}"
            before.setdefault(following, []).append(f"  # {b.name}: no classes, {span}.")  # type: ignore[arg-type]
    lines, in_sessions = [], False
    for line in text.splitlines():
        in_sessions = line == "sessions:" or (in_sessions and line.startswith(" "))
        if in_sessions and (m := re.fullmatch(r"  - number: (\d+)", line)):
            lines += before.get(int(m[1]), [])
        if in_sessions and (m := re.fullmatch(r"    date: (\d{4})-(\d\d)-(\d\d)", line)):
            line += f"  # {WEEKDAYS[dt.date(int(m[1]), int(m[2]), int(m[3])).weekday()]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


HEADER = """\
# {name}, {term}: a skeleton written by `python -m bot new`.
# One session per class day from {first} to {last}{breaks}. Next:
# - give each session a topic (replace null; put it in quotes when it contains ": "), and its papers and
#   resources if it has any;
# - add what you need of staff, office_hours, deadlines, exams, critiques and project;
# - a class that will not happen: add `status: cancelled` and a `reason`;
# - then check it: python -m bot check {out}
# Every key is described in docs/instructors.md, section 4; examples/distributed-systems.yaml shows them all.

"""


def skeleton_text(plan: TermPlan, out: str = "schedule.yaml") -> str:
    """The text of a valid schedule.yaml for the plan: sessions numbered 1..n with `topic: null`."""
    problems = [f"Missing --{k}." for k, v in (("title", plan.title), ("timezone", plan.timezone),
                                               ("days", plan.meetings)) if not v]
    if problems:
        raise PlanError(problems)
    course: dict[str, object] = {"title": plan.title, "code": plan.code, "instructor": plan.instructor or "TBA",
                                 "term": plan.term, "first_day": plan.first_day, "last_day": plan.last_day,
                                 "timezone": plan.timezone, **meeting_keys(plan.meetings)}
    sessions = [{"number": i, "date": day, "topic": None} for i, day in enumerate(class_days(plan), 1)]
    data: dict[str, object] = {"course": {k: v for k, v in course.items() if v is not None}}
    if plan.breaks:
        data["breaks"] = break_entries(plan.breaks)
    data["sessions"] = sessions
    body = annotate(dump(data), plan, sessions)
    example = "    topic: null                  # the topic, like \"Consensus: Paxos\"\n"
    body = body.replace("    topic: null\n", example, 1)
    if not plan.instructor:
        body = body.replace("  instructor: TBA\n", "  instructor: TBA                # who teaches it\n", 1)
    skipped = skipped_days(plan)
    gaps = f", {len(skipped)} class day{'s' * (len(skipped) != 1)} in breaks skipped" if skipped else ""
    name = f"{plan.code} {plan.title}" if plan.code else plan.title
    return HEADER.format(name=name, term=plan.term, first=plan.first_day, last=plan.last_day, breaks=gaps,
                         out=out) + body
