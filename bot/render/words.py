"""Phrases shared by the terminal and Discord renderers, so both say the same thing."""

from __future__ import annotations

from bot.core.dates import clock_time, short_date
from bot.core.model import WEEKDAY_NAMES, Course, OfficeHours, Paper, Resource, Session
from bot.core.queries import CourseOver, DueItem, NoClass, Readings
from bot.core.search import Hit
from bot.core.tracker import TrackerStatus

RESOURCE_LABELS = {"book": "book", "slides": "slides", "blog": "blog post", "web": "web page",
                   "tutorial": "tutorial", "news": "news article"}


def session_heading(session: Session) -> str:
    """'Wed Sep 18 · Class 7 · Self-supervised learning - Vision'."""
    return f"{short_date(session.date)} · Class {session.number} · {session.title}"


def session_label(session: Session) -> str:
    """'Mon Sep 16 Vision Transformers' for previous/next links; 'Mon Aug 26 (class 1)' without a topic."""
    return f"{short_date(session.date)} {session.topic or f'(class {session.number})'}"


def paper_line(paper: Paper) -> tuple[str, str | None]:
    """The title, and the citation line under it (with the note, if any)."""
    extra = " · ".join(p for p in (paper.citation(), paper.note) if p)
    return paper.title, extra or None


def resource_line(resource: Resource) -> str:
    label = RESOURCE_LABELS.get(resource.kind, resource.kind)
    by = f" ({resource.authors})" if resource.authors else ""
    note = f" — {resource.note}" if resource.note else ""
    return f"{resource.title}{by} [{label}]{note}"


def due_phrase(answer: Readings) -> str:
    """What is due at this class, in one sentence."""
    s = answer.session
    if s.cancelled:
        return f"This class is cancelled{': ' + s.reason if s.reason else ''}. Nothing is due for it."
    parts = []
    if s.papers:
        when = f"before class at {clock_time(answer.class_start.timetz())}" if answer.class_start else "before class"
        if answer.critique_open:
            parts.append(f"Critiques for these papers are due {when} (printed) — {answer.relative}")
        else:
            parts.append("The critique deadline for this class has passed")
    else:
        parts.append("No papers are assigned for this class, so no critique is due")
    parts += [f"{d.title} due {short_date(d.due)}" for d in answer.deadlines]
    return ". ".join(parts) + "."


def status_line(answer: Readings) -> str:
    """'Today', 'Tomorrow', 'In 5 days', '3 days ago': when the class is, relative to now."""
    return answer.relative[0].upper() + answer.relative[1:]


def neighbours_line(previous: Session | None, following: Session | None) -> str | None:
    parts = []
    if previous:
        parts.append(f"Previous: {session_label(previous)}")
    if following:
        parts.append(f"Next: {session_label(following)}")
    return " · ".join(parts) or None


def no_class_text(answer: NoClass) -> str:
    day = short_date(answer.date)
    if answer.before is None and answer.after is not None:
        return f"There is no class on {day}: the course starts {session_label(answer.after)}."
    if answer.after is None and answer.before is not None:
        return f"There is no class on {day}: the course has ended (the last class was {session_label(answer.before)})."
    around = " and ".join(f"{session_label(s)}" for s in (answer.before, answer.after) if s)
    return f"There is no class on {day}. The nearest classes are {around}."


def course_over_text(answer: CourseOver) -> str:
    return f"The course has ended: the last class was {session_label(answer.last)}. Good luck!"


def due_item_line(item: DueItem) -> str:
    """'Critiques for Class 8 (Vision-Language Models) — Mon Sep 23, before class — in 6 days'."""
    if item.kind == "critique" and item.session:
        what = f"Critiques for class {item.session.number}: {item.title}"
        when = f"{short_date(item.date)}, before class"
        if item.exact_time:
            when = f"{short_date(item.date)}, before {clock_time(item.due.timetz())}"
    else:
        what, when = item.title, short_date(item.date)
    return f"{what} — {when} — {item.relative}"


def office_hours_when(hours: OfficeHours) -> str:
    """'Wednesdays 10am–11am'."""
    return f"{WEEKDAY_NAMES[hours.weekday]}s {clock_time(hours.start)}–{clock_time(hours.end)}"


def hit_place(hit: Hit) -> str:
    """Where a search hit sits: its class, or the syllabus's closing lists."""
    if hit.session is not None:
        kind = {"class": "class topic", "resource": "extra resource"}.get(hit.kind, hit.kind)
        return f"{short_date(hit.session.date)} · Class {hit.session.number} · {hit.session.title} ({kind})"
    return "Other papers of interest (not assigned to a class)" if hit.kind == "other paper" \
        else "Other possible topics (not scheduled)"


def critique_rules_lines(course: Course) -> list[str]:
    """The critique policy: the numbers first, then every rule from the syllabus."""
    p = course.critiques
    lines = [
        f"Critiques: {p.required} in total, at most {p.max_per_class} per class, {p.length}, {p.format}.",
        f"Due: {p.due}",
        "Late critiques are not accepted." if not p.late_accepted else "Late critiques are accepted.",
        "Do not use LLMs to write them." if not p.llms_allowed else "LLMs may be used.",
        "",
        "Two paragraphs:" if len(p.paragraphs) == 2 else "Paragraphs:",
    ]
    lines += [f" {i}. {text}" for i, text in enumerate(p.paragraphs, 1)]
    if p.rules:
        lines += ["", "All the rules from the syllabus:"]
        lines += [f" - {rule}" for rule in p.rules]
    return lines


def tracker_lines(state: TrackerStatus) -> list[str]:
    """The critique tracker's status, as a student reads it."""
    lines = [f"You have logged {state.done} of {state.required} critiques."]
    if state.warning:
        lines.append(f"⚠ {state.warning}")
    elif state.needed:
        lines.append(f"{len(state.remaining)} classes with papers are left for the {state.needed} you still need.")
    else:
        lines.append("That is all of them. Well done!")
    if state.counted:
        lines += ["", "Logged:"]
        lines += [f" - Class {s.number} · {short_date(s.date)} · {s.title}" for s, _ in state.counted]
    if state.not_counted:
        lines += ["", "Kept but not counted:"]
        lines += [f" - Class {r.number} · {short_date(r.class_date)}: {why}" for r, why in state.not_counted]
    if state.needed and state.remaining:
        upcoming = ", ".join(f"{short_date(s.date)} (#{s.number})" for s in state.remaining[:6])
        more = f" and {len(state.remaining) - 6} more" if len(state.remaining) > 6 else ""
        lines += ["", f"Next classes with papers: {upcoming}{more}."]
    lines += ["", "/critique log DATE after you hand one in · /critique remove DATE to undo"]
    return lines
