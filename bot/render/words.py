"""Phrases shared by the terminal and Discord renderers, so both say the same thing.

Every phrase is built from the answer (and so from the course that is loaded): times, rooms,
policies and examples are never written in here.
"""

from __future__ import annotations

import datetime as dt

from bot.commands import Command, student_commands
from bot.core.dates import accepted_forms, clock_time, example_session, short_date
from bot.core.model import WEEKDAY_NAMES, Break, Course, OfficeHours, Paper, Resource, Session
from bot.core.queries import CourseOver, DueItem, ExamDay, NoClass, OfficeHoursSlot, Readings
from bot.core.search import Hit
from bot.core.tracker import NO_CRITIQUES as NO_CRITIQUES  # shown by the console and the cogs
from bot.core.tracker import TrackerStatus

RESOURCE_LABELS = {"book": "book", "slides": "slides", "blog": "blog post", "web": "web page",
                   "tutorial": "tutorial", "news": "news article", "video": "video", "other": "resource"}
KIND_LABELS = {"section": "section", "lab": "lab", "exam": "exam"}


def session_heading(session: Session, kind: str = "lecture") -> str:
    """'Wed Sep 18 · Class 7 · Self-supervised learning - Vision'; a section or lab says so."""
    label = f"Class {session.number}" + (f" ({KIND_LABELS[kind]})" if kind in KIND_LABELS else "")
    return f"{short_date(session.date)} · {label} · {session.title}"


def session_label(session: Session) -> str:
    """'Mon Sep 16 Vision Transformers' for previous/next links; 'Mon Aug 26 (class 1)' without a topic."""
    return f"{short_date(session.date)} {session.topic or f'(class {session.number})'}"


def span(start: dt.datetime | None, end: dt.datetime | None) -> str | None:
    """'2pm–3:15pm', '2pm', or None when the time is unknown."""
    if start is None:
        return None
    return clock_time(start.timetz()) + (f"–{clock_time(end.timetz())}" if end is not None else "")


def where_line(start: dt.datetime | None, end: dt.datetime | None, room: str | None, now_on: bool) -> str | None:
    """'Happening now, until 3:15pm, in Gates G20', or '2pm–3:15pm · Gates G20'; None when nothing is known."""
    if now_on and end is not None:
        return f"Happening now, until {clock_time(end.timetz())}" + (f", in {room}" if room else "") + "."
    parts = [p for p in (span(start, end), room) if p]
    return " · ".join(parts) or None


def paper_line(paper: Paper) -> tuple[str, str | None]:
    """The title, and the citation line under it (with the note, if any)."""
    extra = " · ".join(p for p in (paper.citation(), paper.note) if p)
    return paper.title, extra or None


def resource_line(resource: Resource) -> str:
    label = RESOURCE_LABELS.get(resource.kind, resource.kind)
    by = f" ({resource.authors})" if resource.authors else ""
    note = f" — {resource.note}" if resource.note else ""
    return f"{resource.title}{by} [{label}]{note}"


def due_when(item: DueItem) -> str:
    """'Fri Feb 14, 11:59pm' when the time is stated; 'Fri Feb 14' otherwise."""
    return short_date(item.date) + (f", {clock_time(item.due.astimezone(item.due.tzinfo).timetz())}"
                                    if item.exact_time else "")


def due_short(item: DueItem) -> str:
    """'Homework 3 due Fri Feb 14, 11:59pm', 'Final exam Wed May 7, 2:30pm–4:20pm, Kane Hall 130'."""
    if item.kind == "exam":
        return exam_phrase(item)
    return f"{item.title} due {due_when(item)}"


def exam_phrase(item: DueItem) -> str:
    when = short_date(item.date)
    times = span(item.due if item.exact_time else None, item.end)
    return ", ".join(p for p in (f"{item.title} {when}", times, item.room) if p)


def due_phrase(answer: Readings) -> str:
    """What is due at this class, in one or two sentences, in the course's own terms."""
    s = answer.session
    if s.cancelled:
        return f"This class is cancelled{': ' + s.reason.rstrip('.') if s.reason else ''}. Nothing is due for it."
    parts = []
    if s.is_exam:
        parts.append("This is an exam, held in class")
    elif answer.critique_due is not None:
        when = f"before class at {clock_time(answer.class_start.timetz())}" if answer.class_start else "before class"
        form = f" ({answer.critique_form})" if answer.critique_form else ""
        if answer.critique_open:
            parts.append(f"Critiques for these papers are due {when}{form} — {answer.relative}")
        else:
            parts.append("The critique deadline for this class has passed")
    elif answer.critique_form is not None and not s.papers:
        parts.append("No papers are assigned for this class, so no critique is due")
    elif not s.papers and not s.resources and not answer.due:
        parts.append("No readings are listed for this class")
    parts += [due_short(d) + (f" — {d.relative}" if d.exact_time and not d.passed else "") for d in answer.due]
    return ". ".join(parts) + "." if parts else ""


def papers_mark(session: Session, has_critiques: bool, joiner: str) -> str:
    """' — 3 papers' in /schedule; in a course without critiques a class without papers says nothing."""
    count = len(session.papers)
    if not count and not has_critiques:
        return ""
    return f"{joiner}{count} paper{'s' * (count != 1)}"


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
    pause = f" ({answer.pause.name})" if answer.pause else ""
    if answer.before is None and answer.after is not None:
        text = f"There is no class on {day}{pause}: the course starts {session_label(answer.after)}."
    elif answer.after is None and answer.before is not None:
        if answer.before.date >= answer.today:  # asked ahead of time: the last class is still to come
            text = f"There is no class on {day}{pause}: the last class is {session_label(answer.before)}."
        elif answer.due or answer.later:
            text = (f"There is no class on {day}{pause}: classes have ended "
                    f"(the last class was {session_label(answer.before)}).")
        else:
            text = (f"There is no class on {day}{pause}: the course has ended "
                    f"(the last class was {session_label(answer.before)}).")
    else:
        around = " and ".join(f"{session_label(s)}" for s in (answer.before, answer.after) if s)
        text = f"There is no class on {day}{pause}. The nearest classes are {around}."
    if answer.due:
        text += " That day: " + "; ".join(due_short(i) for i in answer.due) + "."
    if answer.later:
        text += " Still ahead: " + "; ".join(due_short(i) for i in answer.later[:4]) + "."
    return text


def course_over_text(answer: CourseOver) -> str:
    if not answer.still_due:
        return f"The course has ended: the last class was {session_label(answer.last)}. Good luck!"
    return f"Classes have ended: the last class was {session_label(answer.last)}. Still ahead:"


def exam_lines(answer: ExamDay) -> list[str]:
    """An exam held outside class: when, where, and anything else due that day."""
    exam = answer.exam
    lines = [where_line(answer.start, answer.end, exam.room, answer.happening_now)
             or "The time and room are not announced yet."]
    if exam.details:
        lines.append(exam.details)
    lines += [f"Due {'that day' if i.date == exam.date else 'before it'}: {due_short(i)}"
              + (f" — {i.relative}" if i.exact_time and not i.passed else "") + "." for i in answer.due]
    return lines


def exam_heading(answer: ExamDay) -> str:
    return f"{short_date(answer.exam.date)} · {answer.exam.title}"


def due_item_line(item: DueItem) -> str:
    """'Critiques for class 8: Vision-Language Models — Mon Sep 23, before class — in 6 days',
    'Homework 3 (primary-backup) — Fri Feb 14, 11:59pm — in 2 h', 'Final exam — Wed May 7, 2:30pm–4:20pm …'."""
    if item.kind == "critique" and item.session:
        what = f"Critiques for class {item.session.number}: {item.title}"
        when = f"{short_date(item.date)}, before class"
        if item.exact_time:
            when = f"{short_date(item.date)}, before {clock_time(item.due.timetz())}"
    elif item.kind == "exam":
        what = item.title
        when = ", ".join(p for p in (short_date(item.date), span(item.due if item.exact_time else None, item.end),
                                     item.room) if p)
    else:
        what, when = item.title, due_when(item)
    return f"{what} — {when} — {item.relative}"


def break_line(pause: Break) -> str:
    """'Spring break: Mon Mar 24 to Fri Mar 28, no classes'."""
    if pause.start == pause.end:
        return f"{pause.name}: {short_date(pause.start)}, no class"
    return f"{pause.name}: {short_date(pause.start)} to {short_date(pause.end)}, no classes"


def break_now_line(pause: Break) -> str:
    return f"It is {pause.name} (until {short_date(pause.end)}): no office hours until it ends."


def week_due_parts(item: DueItem) -> tuple[str, str, str]:
    """('Fri Feb 14', 'Homework 3', ' due 11:59pm'); ('Wed May 7', 'Final exam', ', 2:30pm–4:20pm, Kane Hall 130')."""
    if item.kind == "exam":
        tail = "".join(f", {p}" for p in (span(item.due if item.exact_time else None, item.end), item.room) if p)
        return short_date(item.date), item.title, tail
    time = f" {clock_time(item.due.timetz())}" if item.exact_time else ""
    return short_date(item.date), item.title, f" due{time}"


def week_due_line(item: DueItem) -> str:
    """'Wed Oct 16 · Project proposal due', 'Fri Feb 14 · Homework 3 due 11:59pm', 'Wed May 7 · Final exam, …'."""
    date, title, tail = week_due_parts(item)
    return f"{date} · {title}{tail}"


def office_hours_when(hours: OfficeHours) -> str:
    """'Wednesdays 10am–11am'."""
    return f"{WEEKDAY_NAMES[hours.weekday]}s {clock_time(hours.start)}–{clock_time(hours.end)}"


def office_hours_where(hours: OfficeHours) -> str | None:
    """'Iribe 4240', 'Online: https://zoom.us/j/123'."""
    if hours.link:
        return f"{hours.place or 'Online'}: {hours.link}"
    return hours.place


NOTHING_DUE = "Nothing is due at the moment: the syllabus lists no deadline or exam ahead."


def no_more_office_hours(course_over: bool) -> str:
    """When an office hour has no occurrence left: the term is over, or only this series has ended."""
    return ("The term is over: no more office hours are scheduled." if course_over
            else "No more of these office hours this term.")


def skipped_line(slot: OfficeHoursSlot, today: dt.date) -> str | None:
    """'Not on Mon Feb 17.' for the skipped dates still ahead."""
    ahead = sorted(d for d in slot.hours.skip if d >= today)
    return f"Not on {', '.join(short_date(d) for d in ahead[:4])}." if ahead else None


def hit_place(hit: Hit) -> str:
    """Where a search hit sits: its class, its due date, the staff, or the syllabus's closing lists."""
    if hit.kind in ("deadline", "exam") and hit.date is not None:
        in_class = f" · Class {hit.session.number}" if hit.session else ""
        time = f", {clock_time(hit.time)}" if hit.time else ""
        relative = f" · {hit.relative}" if hit.relative else ""
        return f"{hit.kind.title()} · {short_date(hit.date)}{time}{in_class}{relative}"
    if hit.kind == "staff":
        return "Course staff"
    if hit.session is not None:
        kind = {"class": "class topic", "resource": "extra resource"}.get(hit.kind, hit.kind)
        return f"{short_date(hit.session.date)} · Class {hit.session.number} · {hit.session.title} ({kind})"
    return "Other papers of interest (not assigned to a class)" if hit.kind == "other paper" \
        else "Other possible topics (not scheduled)"


def help_lines(course: Course) -> list[tuple[Command, str]]:
    """The student commands of this course (no critique commands where there are none, no /officehours
    where the course lists none: the command still answers, but /help does not offer it)."""
    return [(c, c.description) for c in student_commands(course.has_critiques)
            if c.name != "officehours" or course.office_hours]


def date_tip(course: Course) -> str:
    """'Dates: 9/18, Sep 18, 2024-09-18, today, next, #7' from the loaded course."""
    return "Dates: " + accepted_forms(course).replace(", or ", ", ").replace(" (the class number)", "")


def staff_lines(course: Course) -> list[str]:
    return [m.name + (f" ({m.role})" if m.role else "") + (f" · {m.contact}" if m.contact else "")
            for m in course.staff]


def link_lines(course: Course) -> list[str]:
    return [f"{name}: {url}" for name, url in course.links]


def example_class(course: Course) -> str:
    day = example_session(course).date
    return f"{day.month}/{day.day}"


def critique_rules_lines(course: Course) -> list[str]:
    """The critique policy: the numbers first, then every rule from the syllabus."""
    p = course.critiques
    if p is None:
        return ["This course has no critiques."]
    lines = [
        f"Critiques: {p.required} in total, at most {p.max_per_class} per class, {p.length}, {p.format}.",
        f"Due: {p.due}",
        "Late critiques are not accepted." if not p.late_accepted else "Late critiques are accepted.",
        "Do not use LLMs to write them." if not p.llms_allowed else "LLMs may be used.",
    ]
    if p.paragraphs:
        lines += ["", "Two paragraphs:" if len(p.paragraphs) == 2 else "Paragraphs:"]
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
        lines += [f" - Class {s.number} · {short_date(s.date)} · {s.title}"
                  + (f" ({min(r.count, state.per_class)} critiques)" if r.count > 1 else "") for s, r in state.counted]
    if state.not_counted:
        lines += ["", "Kept but not counted:"]
        lines += [f" - Class {r.number} · {short_date(r.class_date)}: {why}" for r, why in state.not_counted]
    if state.needed and state.remaining:
        upcoming = ", ".join(f"{short_date(s.date)} (#{s.number})" for s in state.remaining[:6])
        more = f" and {len(state.remaining) - 6} more" if len(state.remaining) > 6 else ""
        lines += ["", f"Next classes with papers: {upcoming}{more}."]
    lines += ["", "/critique log DATE after you hand one in · /critique remove DATE to undo"]
    return lines
