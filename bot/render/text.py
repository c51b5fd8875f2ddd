"""Answers → plain text for the terminal console (and logs): same words as the embeds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.core.dates import clock_time, relative_instant, short_date
from bot.core.model import Course
from bot.core.queries import (
    CourseOver,
    DeadlinesAnswer,
    ExamDay,
    NoClass,
    OfficeHoursAnswer,
    Readings,
    ScheduleAnswer,
)
from bot.core.search import SearchAnswer
from bot.render import words

if TYPE_CHECKING:
    from bot.core.planner import Reminder
    from bot.store import LedgerEntry


def readings(answer: Readings | ExamDay | NoClass | CourseOver) -> str:
    if isinstance(answer, NoClass):
        return words.no_class_text(answer)
    if isinstance(answer, CourseOver):
        return "\n".join([words.course_over_text(answer)] + [f" - {words.due_item_line(i)}" for i in answer.still_due])
    if isinstance(answer, ExamDay):
        return "\n".join([f"{words.exam_heading(answer)}  ({answer.relative})", *words.exam_lines(answer)])
    s = answer.session
    lines = [f"{words.session_heading(s, answer.kind)}  ({answer.relative})" + ("  [CANCELLED]" if s.cancelled else "")]
    where = None if s.cancelled else words.where_line(answer.class_start, answer.class_end, answer.room,
                                                      answer.happening_now)
    lines += [x for x in (where, words.due_phrase(answer)) if x]
    if s.papers and not s.cancelled:
        lines += ["", "Papers"]
        for i, paper in enumerate(s.papers, 1):
            title, extra = words.paper_line(paper)
            lines.append(f"{i:>2}. {title}")
            if extra:
                lines.append(f"    {extra}")
            if paper.url:
                lines.append(f"    {paper.url}")
    if s.resources and not s.cancelled:
        lines += ["", s.resources_heading]
        lines += [f" - {words.resource_line(r)}" + (f" {r.url}" if r.url else "") for r in s.resources]
    nav = words.neighbours_line(answer.previous, answer.next)
    if nav:
        lines += ["", nav]
    return "\n".join(lines)


def schedule(answer: ScheduleAnswer) -> str:
    lines: list[str] = [f"The course starts {short_date(answer.starts)}.", ""] if answer.starts else []
    for week in answer.weeks:
        label = f"Week {week.number}" if week.number else "Week"
        lines.append(f"{label} of {short_date(week.monday)}")
        lines += [f"  {words.break_line(b)}" for b in week.breaks]
        if not week.sessions and not week.due and not week.breaks:
            lines.append("  No classes this week.")
        dated = []  # classes and what is due, in date order (a class before what is due at the end of its day)
        for s in week.sessions:
            mark = "  (cancelled)" if s.cancelled else words.papers_mark(s, answer.has_critiques, "  — ")
            if s.is_exam and not s.cancelled:
                mark = "  (exam)"
            dated.append((s.date, 0, f"  {short_date(s.date)} · Class {s.number} · {s.title}{mark}"))
        dated += [(i.date, 1, f"  {words.week_due_line(i)}") for i in week.due]
        lines += [line for _, _, line in sorted(dated, key=lambda x: x[:2])]
        lines.append("")
    if answer.course_over:
        lines.append("The course has ended.")
    return "\n".join(lines).rstrip()


def office_hours(answer: OfficeHoursAnswer) -> str:
    lines = []
    if answer.notice:
        lines += [f"Note from the instructor: {answer.notice}", ""]
    if answer.pause:
        lines += [words.break_now_line(answer.pause), ""]
    if not answer.slots:
        lines.append("No office hours are listed in the syllabus.")
    for slot in answer.slots:
        h = slot.hours
        where = words.office_hours_where(h)
        lines.append(f"{h.who}: {words.office_hours_when(h)}" + (f", {where}" if where else ""))
        if slot.in_progress and slot.next_end:
            lines.append(f"  Happening now, until {clock_time(slot.next_end.timetz())}.")
        elif slot.next_start:
            when = f"{short_date(slot.next_start.date())} {clock_time(slot.next_start.timetz())}"
            zone = slot.next_start.tzinfo or dt.timezone.utc
            lines.append(f"  Next: {when} ({relative_instant(slot.next_start, answer.now, zone)})")
        else:
            lines.append(f"  {words.no_more_office_hours(answer.course_over)}")
        skipped = words.skipped_line(slot, answer.now.astimezone(answer.now.tzinfo).date())
        if skipped and slot.next_start:
            lines.append(f"  {skipped}")
        if h.note:
            lines.append(f"  {h.note}")
    return "\n".join(lines)


def deadlines(answer: DeadlinesAnswer, count_line: str | None = None) -> str:
    if answer.course_over:
        return "Nothing is due any more: the course has ended."
    if not answer.items:
        return words.NOTHING_DUE
    lines = ["What is due next"]
    lines += [f" - {words.due_item_line(i)}" for i in answer.items]
    if answer.hidden_critiques:
        lines.append(f" ({answer.hidden_critiques} later critique deadlines: /schedule all)")
    if count_line:
        lines += ["", count_line]
    return "\n".join(lines)


def search(answer: SearchAnswer) -> str:
    if not answer.hits:
        tip = f" Did you mean “{answer.suggestion}”?" if answer.suggestion else ""
        return f"Nothing in the syllabus matches “{answer.query}”.{tip}"
    more = f" (showing {len(answer.hits)} of {answer.total})" if answer.total > len(answer.hits) else ""
    lines = [f"Results for “{answer.query}”{more}"]
    for i, hit in enumerate(answer.hits, 1):
        lines.append(f"{i:>2}. {hit.title}" + (f" — {hit.detail}" if hit.detail else ""))
        lines.append(f"    {words.hit_place(hit)}")
    return "\n".join(lines)


def critique_rules(course: Course) -> str:
    return "\n".join(words.critique_rules_lines(course))


def help_text(course: Course) -> str:
    lines = [f"{course.name} ({course.term}) — what I can do:"]
    lines += [f"  {c.usage:<22} {description}" for c, description in words.help_lines(course)]
    lines += ["", words.date_tip(course)]
    if course.staff:
        lines += ["", "Staff:", *(f"  {x}" for x in words.staff_lines(course))]
    if course.links:
        lines += ["", "Links:", *(f"  {x}" for x in words.link_lines(course))]
    return "\n".join(lines)


def reminder_plan(rows: list[tuple[Reminder, LedgerEntry | None]], channel_id: int | None, now: dt.datetime,
                  zone: dt.tzinfo) -> str:
    """The plan as an operator reads it: when, where, state, and the exact text."""
    where = f"channel {channel_id}" if channel_id else "no channel (reminder_channel_id is not set)"
    lines = [f"{len(rows)} reminder{'s' * (len(rows) != 1)} → {where}"]
    if not channel_id:
        lines.append("Nothing will be posted until reminder_channel_id is set.")
    for reminder, entry in rows:
        local = reminder.at.astimezone(zone)
        state = entry.state if entry else _unattempted(reminder, now)
        if entry and entry.message_id:
            state += f", message {entry.message_id}"
        if entry and entry.detail:
            state += f": {entry.detail}"
        lines += ["", f"{short_date(local.date())} {local:%H:%M %Z}  {reminder.key}  [{state}]"]
        lines += [f"    {line}" for line in reminder.text.splitlines()]
    return "\n".join(lines)


def _unattempted(reminder: Reminder, now: dt.datetime) -> str:
    if reminder.at > now:
        return "pending"
    if now < reminder.useful_until:
        return "missed: posts late when the bot starts"
    return "missed: will be recorded as skipped (its deadline passed)"
