"""The kinds of reminder a student can get by direct message (/remind on): those the loaded course has, the
words that choose them, and their labels in this course's terms."""

from __future__ import annotations

import re

from bot.core.dates import QueryError
from bot.core.model import Course

# Every kind a student can get by direct message, with a label that fits any course; `dm_kinds` gives the labels
# and the kinds of the course that is loaded. Office hours are not offered by DM.
DM_KINDS = {"critique": "critique deadlines", "deadline": "homework and other deadlines",
            "project": "project deadlines", "exam": "exams", "digest": "the weekly digest"}
# A word a student may type → the kinds it means (those the course has).
_KIND_WORDS = {
    "critique": ("critique",), "critiques": ("critique",),
    "deadline": ("deadline", "project"), "deadlines": ("deadline", "project"), "due": ("deadline", "project"),
    "homework": ("deadline",), "homeworks": ("deadline",), "hw": ("deadline",), "assignment": ("deadline",),
    "assignments": ("deadline",), "quiz": ("deadline",), "quizzes": ("deadline",),
    "project": ("project",), "projects": ("project",), "proposal": ("project",), "milestones": ("project",),
    "exam": ("exam",), "exams": ("exam",), "midterm": ("exam",), "midterms": ("exam",),
    "final": ("exam", "project"), "finals": ("exam", "project"),
    "digest": ("digest",), "weekly": ("digest",), "week": ("digest",),
}


def _deadline_label(course: Course) -> str:
    """'homework and quiz deadlines': the kinds of deadline (other than the project's) this course has."""
    kinds = {d.kind for d in course.deadlines}
    named: list[str] = [k for k in ("homework", "quiz") if k in kinds]
    if "other" in kinds:
        if not named:
            return "other deadlines" if "project" in kinds else "deadlines"
        named.append("other")
    return (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]) + " deadlines"


def dm_kinds(course: Course) -> dict[str, str]:
    """The kinds of reminder this course has, by direct message, each with its label, in a fixed order."""
    kinds = {d.kind for d in course.deadlines}
    has = {"critique": course.critiques is not None and any(s.has_papers for s in course.sessions),
           "deadline": bool(kinds - {"project"}), "project": "project" in kinds, "exam": bool(course.all_exams()),
           "digest": True}
    labels = dict(DM_KINDS, deadline=_deadline_label(course) if has["deadline"] else DM_KINDS["deadline"])
    return {k: labels[k] for k in DM_KINDS if has[k]}


def kind_label(course: Course, kind: str) -> str:
    """The label of a kind (also of one a student chose before the course changed)."""
    return dm_kinds(course).get(kind) or DM_KINDS.get(kind, kind)


def _choice_word(course: Course, kind: str) -> str:
    if kind == "deadline":
        kinds = {d.kind for d in course.deadlines}
        return "homework" if "homework" in kinds else "quizzes" if "quiz" in kinds else "deadlines"
    return {"critique": "critiques", "exam": "exams"}.get(kind, kind)


def kind_choices(course: Course) -> str:
    """'critiques, project, digest': the words that choose this course's kinds, for help and error texts."""
    return ", ".join(_choice_word(course, k) for k in dm_kinds(course))


def parse_kinds(course: Course, text: str | None) -> tuple[str, ...]:
    """'critiques, project' → ('critique', 'project'); empty or 'all' → every kind of this course.

    A word that names no kind this course has is a QueryError listing the words that do.
    """
    available = dm_kinds(course)
    words = [w for w in re.split(r"[\s,;/+&]+|\band\b", (text or "").lower()) if w]
    if not words or ("all" in words and all(w == "all" or w in _KIND_WORDS for w in words)):
        return tuple(available)
    for word in words:
        if word != "all" and not any(k in available for k in _KIND_WORDS.get(word, ())):
            raise QueryError(f"I don't know the reminder kind “{word[:40]}” in this course. "
                             f"Choose from: {kind_choices(course)} — or all.")
    chosen = {k for w in words for k in _KIND_WORDS.get(w, ())}
    return tuple(k for k in available if k in chosen)
