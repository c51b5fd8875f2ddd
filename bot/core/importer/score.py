"""How close a draft is to a hand transcription of the same page: the importer's quality, as the tests and
bench/bench_import.py measure it.

Readings are matched by title (fuzzy: a page's typos and the transcriber's fixes aside); a reading counts on the
right date when its best match is on that class's date, in the same list when it is also a paper (or resource) in
both. A paper's split is right when its authors, venue and year are those of the transcription. Deadlines are
matched by their instant and kind, exams by day and times, office hours by weekday, times and place; the course
keys are the time zone, meeting days, class times and room.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.model import Course

SAME_TITLE = 85  # token_set_ratio at or above which two titles are the same reading


@dataclass(frozen=True, slots=True)
class Score:
    dates_right: int  # the transcription's class dates that the draft has
    dates: int  # the transcription's classes
    extra_dates: int  # the draft's class dates the transcription does not have
    items: int  # the transcription's readings
    on_date: int
    same_list: int
    papers: int  # the transcription's papers
    split_right: int
    facts: int  # the transcription's deadlines, exams, office hours and course keys
    facts_right: int

    @staticmethod
    def share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0


def readings(course: Course) -> list[tuple[dt.date, str, str]]:
    """Every reading of the classes as (date, 'papers' | 'resources', title)."""
    return [(s.date, "papers", p.title) for s in course.sessions for p in s.papers] + [
        (s.date, "resources", r.title) for s in course.sessions for r in s.resources]


def _best(found: list[tuple[dt.date, str, str]], title: str) -> tuple[dt.date, str, str] | None:
    lowered = title.lower()
    best = max(found, key=lambda f: (fuzz.token_set_ratio(f[2].lower(), lowered), fuzz.ratio(f[2].lower(), lowered)),
               default=None)
    return best if best and fuzz.token_set_ratio(best[2].lower(), lowered) >= SAME_TITLE else None


def _facts(course: Course) -> set[tuple[object, ...]]:
    found: set[tuple[object, ...]] = {("deadline", d.due, d.due_time, d.kind) for d in course.deadlines}
    found |= {("exam", e.date, e.start, e.end) for e in course.exams if e.session is None}
    found |= {("exam in class", s.date) for s in course.sessions if s.is_exam}
    found |= {("office hours", h.weekday, h.start, h.end, h.place) for h in course.office_hours}
    found |= {("break", b.start, b.end) for b in course.breaks}
    found |= {("course", "timezone", str(course.timezone)), ("course", "meeting_days", course.meeting_days),
              ("course", "class_start", course.class_start), ("course", "class_end", course.class_end),
              ("course", "room", course.room)}
    return found


def score(draft: Course, reference: Course) -> Score:
    ours = {s.date for s in draft.sessions}
    theirs = {s.date for s in reference.sessions}
    found = readings(draft)
    on_date = same_list = 0
    for day, listing, title in readings(reference):
        best = _best(found, title)
        if best and best[0] == day:
            on_date += 1
            same_list += best[1] == listing
    our_papers = {(s.date, p.title.lower()): p for s in draft.sessions for p in s.papers}
    papers = [(s.date, p) for s in reference.sessions for p in s.papers]
    split = 0
    for day, paper in papers:
        match = our_papers.get((day, paper.title.lower()))
        if match is None:
            best = _best([(d, "papers", t) for d, t in our_papers], paper.title)
            match = our_papers.get((best[0], best[2])) if best else None
        split += match is not None and (match.authors, match.venue, match.year) == (paper.authors, paper.venue,
                                                                                    paper.year)
    expected, got = _facts(reference), _facts(draft)
    return Score(len(ours & theirs), len(theirs), len(ours - theirs), len(readings(reference)), on_date, same_list,
                 len(papers), split, len(expected), len(expected & got))
