"""An old course rolled onto a new term's class days: the same classes in the same order, ready to edit.

What moves and what does not (each choice is reported, never silent):
- the classes held last time (cancelled ones are dropped: their topic was made up or abandoned) go, in order,
  onto the new class days with their topic, kind, papers and resources; a make-up class's own time and room are
  dropped (it lands on a regular day). Classes beyond the new days no longer fit: their topics and papers go
  to other_topics/other_papers; new days beyond the old classes are left with `topic: null`;
- deadlines, exams and office-hour skip dates move by whole weeks (the weekday stays), only when that is
  safe: inside the new term, not in a break, and after as many classes as before (so still after the same
  topic). The others are left out and listed in the report, to be dated by hand;
- the old breaks are replaced by the new term's; everything else (staff, office hours, links, critiques,
  project, other topics and papers) is kept as written.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.core import skeleton as sk
from bot.core.dates import short_date
from bot.core.loader import load_text
from bot.core.model import Course, Deadline, Exam
from bot.core.skeleton import MeetingPlan, TermPlan

PATTERN_KEYS = ("meeting_days", "class_start", "class_end", "room", "meetings")
DATE_KEYS = ("first_day", "last_day", "term_end")


@dataclass(frozen=True, slots=True)
class Rolled:
    """The new file's text, how many classes it has, and what the instructor must look at."""

    text: str
    classes: int
    carried: int  # classes that received an old class's content
    skipped: int  # class days in the new breaks
    report: tuple[str, ...]


def _plan_with_defaults(plan: TermPlan, old: Course) -> TermPlan:
    meetings = plan.meetings or tuple(MeetingPlan(m.days, m.start, m.end, m.room, m.kind) for m in old.meetings)
    return replace(plan, title=plan.title or old.title, timezone=plan.timezone or old.timezone.key,
                   meetings=meetings, code=plan.code or old.code, instructor=plan.instructor or old.instructor)


def _course_section(raw: dict, plan: TermPlan, term_end: dt.date | None, new_meetings: bool) -> dict:
    section: dict[str, object] = {}
    values = {"title": plan.title, "code": plan.code, "instructor": plan.instructor, "term": plan.term,
              "first_day": plan.first_day, "last_day": plan.last_day, "timezone": plan.timezone}
    for key, value in raw.items():
        if key in PATTERN_KEYS and new_meetings:
            if "meeting_days" not in section and "meetings" not in section:
                section.update(sk.meeting_keys(plan.meetings))
        elif key == "term_end":
            if term_end:
                section[key] = term_end
        elif key in values and values[key] is not None:
            section[key] = values[key]
        else:
            section[key] = value
    return section


class _Shift:
    """Moves an old date by whole weeks when it stays after the same number of classes."""

    def __init__(self, old: Course, held: Sequence[dt.date], plan: TermPlan, days: Sequence[dt.date],
                 end: dt.date) -> None:
        monday = dt.timedelta(days=plan.first_day.weekday()), dt.timedelta(days=old.first_day.weekday())
        self.by = (plan.first_day - monday[0]) - (old.first_day - monday[1])
        self.held, self.days, self.plan, self.end = sorted(held), list(days), plan, end

    def move(self, day: dt.date) -> tuple[dt.date | None, str]:
        """The new date, or None and why not."""
        new = day + self.by
        before_old = bisect.bisect_right(self.held, day)
        before_new = bisect.bisect_right(self.days, new)
        if not self.plan.first_day <= new <= self.end:
            return None, f"{short_date(new)} {new.year} would be outside the new term"
        if (pause := next((b for b in self.plan.breaks if b.covers(new)), None)) is not None:
            return None, f"{short_date(new)} would be in {pause.name}"
        all_done = before_old == len(self.held) and before_new == len(self.days)
        if before_old != before_new and not all_done:
            return None, (f"it came after {before_old} classes; on {short_date(new)} it would come after "
                          f"{before_new}")
        return new, ""


def _deadline_entries(items: Iterable[dict], model: dict[str, Deadline], shift: _Shift,
                      report: list[str]) -> list[dict]:
    kept = []
    for item in items:
        deadline = model[str(item["id"])]
        new, why = shift.move(deadline.due)
        if new is None:
            report.append(f"Deadline {deadline.id} “{deadline.title}” (due {short_date(deadline.due)} "
                          f"{deadline.due.year}) was left out: {why}. Add it back with its new date.")
            continue
        due = f"{new} {deadline.time:%H:%M}" if deadline.time else new
        kept.append({**item, "due": due})
    return kept


def _exam_entries(items: Iterable[dict], model: dict[str, Exam], shift: _Shift, report: list[str]) -> list[dict]:
    kept = []
    for item in items:
        exam = model[str(item["id"])]
        new, why = shift.move(exam.date)
        if new is None:
            report.append(f"Exam {exam.id} “{exam.title}” ({short_date(exam.date)} {exam.date.year}) was left out: "
                          f"{why}. Add it back with its new date.")
            continue
        kept.append({**item, "date": new})
    return kept


def _office_hours(items: Iterable[dict], shift: _Shift, report: list[str]) -> list[dict]:
    kept = []
    for item in items:
        skips = []
        for raw in item.get("skip") or ():
            old_day = dt.date.fromisoformat(str(raw))
            new, why = shift.move(old_day)
            if new is None:
                report.append(f"Office hours of {item['who']}: the skipped date {old_day} was left out: {why}.")
            else:
                skips.append(new)
        entry = {k: v for k, v in item.items() if k != "skip"}
        kept.append({**entry, "skip": sk.Flow(skips)} if skips else entry)
    return kept


def _session_content(raw: dict) -> dict:
    return {k: raw[k] for k in ("topic", "kind", "papers", "resources") if k in raw}


def _span(days: Sequence[dt.date]) -> str:
    return short_date(days[0]) if len(days) == 1 else f"{short_date(days[0])} to {short_date(days[-1])}"


def roll(old_text: str, plan: TermPlan, old_file: str = "the old file", out: str = "schedule.yaml") -> Rolled:
    """The old course's classes on the new term's days, as the text of a valid schedule.yaml, and a report.

    Raises `ScheduleError` when the old file has problems, `PlanError` when the plan cannot make a term.
    """
    old = load_text(old_text, old_file).course
    raw = sk.read_raw(old_text)
    plan = _plan_with_defaults(plan, old)
    days = sk.class_days(plan)
    if not days:
        raise sk.PlanError([f"No class day between {plan.first_day} and {plan.last_day} outside the breaks."])
    report: list[str] = []
    pairs = list(zip(raw["sessions"], old.sessions, strict=True))
    carried = [(r, s) for r, s in pairs if not s.cancelled]
    dropped = [s for _, s in pairs if s.cancelled]
    if dropped:
        report.append("Cancelled last time, not carried over: " + "; ".join(
            f"#{s.number} {short_date(s.date)} “{s.title}”" for s in dropped) + ".")
    sessions = []
    for number, day in enumerate(days, 1):
        content = _session_content(carried[number - 1][0]) if number <= len(carried) else {"topic": None}
        sessions.append({"number": number, "date": day, **content})
    own_time = [(s, days[i]) for i, (_, s) in enumerate(carried[:len(days)]) if s.start or s.room]
    for s, day in own_time:
        report.append(f"#{s.number} “{s.title}” had its own time or room ({short_date(s.date)}); on "
                      f"{short_date(day)} it meets at the regular time and place.")
    leftovers = carried[len(days):]
    other_topics = list(raw.get("other_topics") or [])
    other_papers = list(raw.get("other_papers") or [])
    if leftovers:
        report.append(f"{len(leftovers)} class{'es' * (len(leftovers) != 1)} no longer fit (the new term has "
                      f"{len(days)} class days): " + "; ".join(f"#{s.number} “{s.title}”" for _, s in leftovers)
                      + ". The topics are kept in other_topics and the papers in other_papers.")
        other_topics += [r["topic"] for r, s in leftovers if r.get("topic")]
        other_papers += [p for r, _ in leftovers for p in r.get("papers") or []]
        lost = [res["title"] for r, _ in leftovers for res in r.get("resources") or []]
        if lost:
            report.append("Their resources were left out: " + "; ".join(f"“{t}”" for t in lost) + ".")
    empty = days[len(carried):]
    if empty:
        report.append(f"{len(empty)} new class day{'s' * (len(empty) != 1)} ({_span(empty)}) "
                      f"{'have' if len(empty) != 1 else 'has'} no topic yet.")
    term_end = plan.last_day + (old.term_end - old.last_day) if old.term_end else None
    shift = _Shift(old, [s.date for _, s in carried], plan, days, term_end or plan.last_day)
    deadlines = {d.id: d for d in old.deadlines}
    new_meetings = tuple(MeetingPlan(m.days, m.start, m.end, m.room, m.kind) for m in old.meetings) != plan.meetings
    data: dict[str, object] = {"course": _course_section(raw["course"], plan, term_end, new_meetings)}
    if old.breaks:
        report.append("The old breaks (" + ", ".join(b.name for b in old.breaks) + ") were replaced by the new "
                      "term's" + (": " + ", ".join(b.name for b in plan.breaks) if plan.breaks else " (none)") + ".")
    for key, value in raw.items():
        if key in ("course", "sessions", "other_topics", "other_papers"):
            continue
        if key == "breaks":
            value = sk.break_entries(plan.breaks) or None
        elif key == "deadlines":
            value = _deadline_entries(value or [], deadlines, shift, report) or None
        elif key == "exams":
            value = _exam_entries(value or [], {e.id: e for e in old.exams}, shift, report) or None
        elif key == "office_hours":
            value = _office_hours(value or [], shift, report) or None
        elif key == "project" and isinstance(value, dict) and value.get("deadlines"):
            value = {**value, "deadlines": _deadline_entries(value["deadlines"], deadlines, shift, report)}
            value = {k: v for k, v in value.items() if v}
        if value is not None:
            data[key] = value
    if plan.breaks and "breaks" not in data:
        data = {**{k: v for k, v in data.items() if k == "course"}, "breaks": sk.break_entries(plan.breaks),
                **{k: v for k, v in data.items() if k != "course"}}
    data["sessions"] = sessions
    if other_topics:
        data["other_topics"] = other_topics
    if other_papers:
        data["other_papers"] = other_papers
    return Rolled(_text(old, plan, data, sessions, report, old_file, out), len(days), min(len(carried), len(days)),
                  len(sk.skipped_days(plan)), tuple(report))


def _text(old: Course, plan: TermPlan, data: dict, sessions: list[dict], report: Sequence[str], old_file: str,
          out: str) -> str:
    header = (f"# {plan.title}, {plan.term}: rolled from {old_file} ({old.term}) by `python -m bot new --from`.\n"
              f"# The classes held last time are on the new class days in order ({plan.first_day} to "
              f"{plan.last_day}), with their topics and readings.\n"
              f"# Read the notes at the end of the file, then check it: python -m bot check {out}\n\n")
    notes = "".join(f"# - {line}\n" for line in report) or "# - Nothing to look at: every class and date moved.\n"
    return header + sk.annotate(sk.dump(data), plan, sessions) + "\n# Notes from the roll-over:\n" + notes

