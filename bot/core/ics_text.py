"""The words of the course calendar (`bot.core.ics`): event summaries and descriptions, from the loaded course only.

Critiques are mentioned only in a course that has them, and their form ("printed, one page") only as that
course's policy states it.
"""

from __future__ import annotations

import datetime as dt

from bot.core.dates import clock_time, short_date
from bot.core.model import WEEKDAY_NAMES, Course, Deadline, Exam, OfficeHours, Session


def _and(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _day(day: dt.date) -> str:
    """'Fri Feb 14, 2025'."""
    return f"{short_date(day)}, {day.year}"


def calendar_contents(course: Course) -> str:
    """'classes, exams, deadlines and office hours': what this course's calendar holds."""
    parts = ["classes"]
    if course.all_exams():
        parts.append("exams")
    if course.deadlines:
        parts.append("deadlines")
    if course.office_hours:
        parts.append("office hours")
    return _and(parts)


def exam_summary(title: str) -> str:
    """'Final exam' as it is; 'Exam: Midterm' when the title does not say it is one."""
    return title if "exam" in title.lower() else f"Exam: {title}"


def class_summary(course: Course, session: Session) -> str:
    """'Class 7: Self-supervised learning - Vision', 'Class 3 (section): …', 'Midterm exam (class 13)', 'CANCELLED: …'.

    A section or lab says so unless its topic already does; an exam held in class is named an exam.
    """
    if session.is_exam:
        summary = f"{exam_summary(session.title)} (class {session.number})"
    else:
        kind = course.session_kind(session)
        label = f"Class {session.number}"
        if kind != "lecture" and not (session.topic or "").lower().startswith(kind):
            label += f" ({kind})"
        summary = f"{label}: {session.topic}" if session.topic else label
    return f"CANCELLED: {summary}" if session.cancelled else summary


def _critique_line(course: Course, session: Session) -> str | None:
    """'Critiques due before class at 2pm (printed, one page, two paragraphs).' — only where critiques exist."""
    if course.critiques is None or session.is_exam:
        return None
    if not session.papers:
        return "No papers are assigned for this class, so no critique is due."
    start = course.session_start(session)
    when = f"before class at {clock_time(start)}" if start else "before class"
    form = course.critiques.form()
    return f"Critiques due {when}" + (f" ({form})" if form else "") + "."


def class_description(course: Course, session: Session) -> str:
    """The class's readings, what is due that day and, where the course has critiques, when they are due."""
    if session.cancelled:
        reason = f": {session.reason.rstrip('.')}" if session.reason else ""
        no_critique = " No critique is due for it." if course.critiques is not None and session.papers else ""
        return f"This class is cancelled{reason}.{no_critique}"
    lines: list[str] = []
    if session.is_exam:
        lines += ["An exam, held in class.", ""]
    elif session.topic is None:
        lines += ["Topic not announced.", ""]
    if session.papers:
        lines.append("Papers" if course.critiques is not None else "Readings")
        for i, paper in enumerate(session.papers, 1):
            citation = paper.citation()
            lines.append(f"{i}. {paper.title}" + (f" — {citation}" if citation else ""))
            lines += [f"   {extra}" for extra in (paper.note, paper.url) if extra]
        lines.append("")
    if critique := _critique_line(course, session):
        lines += [critique, ""]
    if session.resources:
        lines.append(session.resources_heading)
        for resource in session.resources:
            by = f" ({resource.authors})" if resource.authors else ""
            lines.append(f"- {resource.title}{by}" + (f" {resource.url}" if resource.url else ""))
        lines.append("")
    lines += [f"Due today: {d.title}" + (f" at {clock_time(d.time)}" if d.time else "")
              for d in course.deadlines if d.due == session.date]
    return "\n".join(lines).strip()


def deadline_description(course: Course, deadline: Deadline) -> str:
    """Its details, then 'CS 452 Distributed Systems: due Fri Feb 14, 2025 at 11:59pm.' and its link."""
    lines = [deadline.details] if deadline.details else []
    at = f" at {clock_time(deadline.time)}" if deadline.time else ""
    lines.append(f"{course.name}: due {_day(deadline.due)}{at}.")
    if deadline.url:
        lines.append(deadline.url)
    return "\n".join(lines)


def exam_description(course: Course, exam: Exam) -> str:
    """Its details, then 'CS 452 Distributed Systems: Final exam, Wed May 7, 2025, 2:30pm–4:20pm, Kane Hall 130.'"""
    lines = [exam.details] if exam.details else []
    when = [_day(exam.date)]
    if exam.start is not None:
        when.append(clock_time(exam.start) + (f"–{clock_time(exam.end)}" if exam.end else ""))
    if exam.room:
        when.append(exam.room)
    lines.append(f"{course.name}: {exam.title}, {', '.join(when)}.")
    return "\n".join(lines)


def office_hours_description(course: Course, hours: OfficeHours, skipped: list[dt.date]) -> str:
    """Who, when and where, the link, the note, the days without them, and the instructor's latest notice."""
    where = f", {hours.place}" if hours.place else ""
    lines = [f"{hours.who}: {WEEKDAY_NAMES[hours.weekday]}s {clock_time(hours.start)}–{clock_time(hours.end)}"
             f"{where}."]
    if hours.link:
        lines.append(f"Join online: {hours.link}")
    if hours.note:
        lines.append(hours.note)
    if skipped:
        days = [short_date(day) + (f" ({b.name})" if (b := course.break_on(day)) else "") for day in skipped]
        lines.append(f"No office hours on {_and(days)}.")
    if course.office_hours_notice:
        lines += ["", f"Update from the instructor: {course.office_hours_notice}"]
    return "\n".join(lines)
