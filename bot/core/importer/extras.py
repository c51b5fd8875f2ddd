"""The draft's keys beyond the sessions: the course's zone and meeting pattern, breaks, office hours, deadlines and
exams, each with the `# check:` comment its guess needs (keys as in bot/core/importer/draft.py's `_annotate`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.core.model import WEEKDAYS
from bot.core.skeleton import Flow, Quoted

if TYPE_CHECKING:
    from bot.core.importer import Page


def _hhmm(time: dt.time | None) -> Quoted | None:
    return None if time is None else Quoted(f"{time:%H:%M}")


def term_end(page: Page) -> dt.date | None:
    """The last exam, deadline or break day when it is after the last class (the loader's term_end)."""
    facts = page.facts
    if facts is None:
        return None
    days = [d.due for d in facts.deadlines] + [e.date for e in facts.exams] + [b.end for b in facts.breaks]
    last = page.sessions[-1].date
    return max(days) if days and max(days) > last else None


def course_keys(page: Page) -> dict[str, object]:
    facts = page.facts
    meeting = facts.meeting if facts else None
    days = meeting.days if meeting else page.meeting_days
    return {"timezone": facts.zone if facts and facts.zone else "UTC", "meeting_days": Flow(WEEKDAYS[d] for d in days),
            "class_start": _hhmm(meeting.span.start) if meeting else None,
            "class_end": _hhmm(meeting.span.end) if meeting else None, "room": meeting.room if meeting else None}


def extra_sections(page: Page) -> dict[str, object]:
    facts = page.facts
    if facts is None:
        return {}
    data: dict[str, object] = {}
    if facts.breaks:
        data["breaks"] = [{"name": b.name, "from": b.start, "to": b.end} for b in facts.breaks]
    if facts.hours:
        data["office_hours"] = [
            {k: v for k, v in {"who": h.who, "day": WEEKDAYS[h.day], "start": _hhmm(h.start), "end": _hhmm(h.end),
                               "place": h.place, "link": h.link}.items() if v is not None} for h in facts.hours]
    if facts.deadlines:
        data["deadlines"] = [
            {k: v for k, v in {"id": d.id, "title": d.title, "kind": d.kind,
                               "due": f"{d.due.isoformat()} {d.time:%H:%M}" if d.time else d.due,
                               "url": d.url}.items() if v is not None} for d in facts.deadlines]
    if facts.exams:
        data["exams"] = [
            {k: v for k, v in {"id": e.id, "title": e.title, "date": e.date, "start": _hhmm(e.start),
                               "end": _hhmm(e.end), "room": e.room}.items() if v is not None} for e in facts.exams]
    return data


def extra_checks(page: Page) -> dict[tuple[object, ...], str]:
    facts = page.facts
    checks: dict[tuple[object, ...], str] = {}
    meeting = facts.meeting if facts else None
    if meeting is None:
        checks[("course", "meeting_days")] = "the meeting days are the weekdays most classes fall on"
    elif meeting.span.guess:
        checks[("course", "class_start")] = meeting.span.guess
    if facts and facts.zone_check:
        checks[("course", "timezone")] = facts.zone_check
    if facts is None:
        return checks
    for section, entries in (("office_hours", facts.hours), ("deadlines", facts.deadlines), ("exams", facts.exams)):
        for index, entry in enumerate(entries):
            if check := getattr(entry, "check", None):
                checks[(section, index)] = check
    return checks
