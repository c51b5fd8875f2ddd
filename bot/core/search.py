"""Typo-tolerant search over titles, authors, venues, topics, deadlines, exams and staff.

Each query word is matched against the vocabulary of the syllabus with rapidfuzz
(edit-distance ratio, prefixes count as exact), and an entry scores the mean of its
best match per query word; entries matching more query words exactly rank first. The
index is built once per course object.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.dates import QueryError, relative_day, relative_instant
from bot.core.model import Course, Paper, Session

STOPWORDS = frozenset("a an and the of for in on to with by from at is are as et al".split())
WORD_RE = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
PART_RE = re.compile(r"[a-z0-9]+")  # the parts of "llm.int8" and "hal's", so "int8" finds LLM.int8()
MATCH_CUTOFF = 72.0
MAX_QUERY_WORDS = 12
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: what it is, where it sits in the course, and how well it matched."""

    kind: str  # "paper" | "resource" | "class" | "deadline" | "exam" | "staff" | "other paper" | "other topic"
    title: str
    detail: str | None  # authors · venue year, the resource kind, a deadline's kind, a person's role
    session: Session | None
    score: float
    date: dt.date | None = None  # a deadline's or exam's day
    time: dt.time | None = None  # its due (or start) time, when stated
    relative: str | None = None  # "in 2 h", "in 3 days": when the search was given `now`


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    query: str
    hits: tuple[Hit, ...]
    total: int
    suggestion: str | None  # a near word from the syllabus when nothing matched


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    title: str
    detail: str | None
    session: Session | None
    words: frozenset[str]
    text: str  # lowercased, for phrase bonuses
    date: dt.date | None = None
    at: dt.datetime | None = None  # a deadline's due instant or an exam's start


class SearchIndex:
    """The searchable entries of one course and their vocabulary."""

    def __init__(self, course: Course) -> None:
        entries: list[_Entry] = []
        for s in course.sessions:
            if s.topic:
                entries.append(_entry("class", s.topic, f"Class {s.number}", s))
            entries.extend(_entry("paper", p.title, p.citation() or None, s, p) for p in s.papers)
            entries.extend(_entry("resource", r.title, r.kind, s, extra=(r.authors, r.note)) for r in s.resources)
        entries.extend(_entry("other paper", p.title, p.citation() or None, None, p) for p in course.other_papers)
        entries.extend(_entry("other topic", t, None, None) for t in course.other_topics)
        for d in course.deadlines:
            words = (d.kind, "deadline", "due", d.id, d.details)
            entries.append(_entry("deadline", d.title, d.kind, course.session_on(d.due), extra=words, date=d.due,
                                  at=course.due_at(d) if d.time else None))
        for exam in course.all_exams():
            session = course.session_number(exam.session) if exam.session is not None else None
            entries.append(_entry("exam", exam.title, exam.room, session, extra=("exam", exam.id, exam.details),
                                  date=exam.date, at=course.exam_start_at(exam)))
        entries.extend(_entry("staff", m.name, " · ".join(p for p in (m.role, m.contact) if p) or None, None,
                              extra=("staff",)) for m in course.staff)
        entries.extend(_entry("staff", h.who, "office hours", None, extra=("office", "hours", h.place))
                       for h in course.office_hours if not any(m.name in h.who for m in course.staff))
        self.entries = tuple(entries)
        self.vocabulary = sorted({w for e in entries for w in e.words})
        postings: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            for w in e.words:
                postings.setdefault(w, []).append(i)
        self.postings = postings  # word → the entries that contain it: a query touches only those

    def word_scores(self, word: str) -> dict[str, float]:
        """Each vocabulary word close to `word`, with its similarity (100 = same or a prefix of it)."""
        scores = {
            v: score for v, score, _ in process.extract(word, self.vocabulary, scorer=fuzz.ratio,
                                                        score_cutoff=MATCH_CUTOFF, limit=None)
        }
        if len(word) >= 3:  # the sorted vocabulary holds the words `word` starts in one run
            i = bisect.bisect_left(self.vocabulary, word)
            while i < len(self.vocabulary) and self.vocabulary[i].startswith(word):
                scores[self.vocabulary[i]] = 100.0
                i += 1
        return scores

    def best_per_word(self, per_word: list[dict[str, float]]) -> dict[int, list[float]]:
        """For each entry matching any query word, its best score for each query word (0 where none)."""
        best: dict[int, list[float]] = {}
        for q, scores in enumerate(per_word):
            for word, score in scores.items():
                for i in self.postings.get(word, ()):
                    row = best.setdefault(i, [0.0] * len(per_word))
                    if score > row[q]:
                        row[q] = score
        return best

    def suggest(self, words: list[str]) -> str | None:
        best: tuple[float, str] | None = None
        for word in words:
            found = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=50)
            if found and (best is None or found[1] > best[0]):
                best = (found[1], found[0])
        return best[1] if best else None


def _entry(kind: str, title: str, detail: str | None, session: Session | None,
           paper: Paper | None = None, extra: tuple[str | None, ...] = (), date: dt.date | None = None,
           at: dt.datetime | None = None) -> _Entry:
    parts = [title, detail or ""]
    if paper:
        parts += [paper.authors or "", paper.venue or "", str(paper.year or "")]
    parts += [x or "" for x in extra]
    if session and session.topic and kind not in ("class", "deadline", "exam"):
        parts.append(session.topic)
    text = " ".join(parts).lower()
    words = frozenset(WORD_RE.findall(text) + PART_RE.findall(text)) - STOPWORDS  # "al" would match "hal"
    return _Entry(kind, title, detail, session, words, text, date, at)


_indexes: dict[int, tuple[Course, SearchIndex]] = {}


def index_for(course: Course) -> SearchIndex:
    """The index of a course, built on first use and kept while the course object lives."""
    cached = _indexes.get(id(course))
    if cached is None or cached[0] is not course:
        if len(_indexes) > 8:
            _indexes.clear()
        cached = (course, SearchIndex(course))
        _indexes[id(course)] = cached
    return cached[1]


def query_words(query: str) -> list[str]:
    words = WORD_RE.findall(query.lower()[:MAX_QUERY_LENGTH])
    meaningful = [w for w in words if w not in STOPWORDS]
    return (meaningful or words)[:MAX_QUERY_WORDS]


def search(course: Course, query: str, *, limit: int = 10, now: dt.datetime | None = None) -> SearchAnswer:
    """/search query: ranked hits, each with its class; a suggestion when nothing matches."""
    words = query_words(query)
    if not words:
        raise QueryError(f"Tell me what to look for: a title, an author, a topic or a name, e.g. {examples(course)}.")
    index = index_for(course)
    per_word = [index.word_scores(w) for w in words]
    phrase = " ".join(words)
    hits = []
    for i, best in sorted(index.best_per_word(per_word).items()):
        entry = index.entries[i]
        score = sum(best) / len(best)
        if score < MATCH_CUTOFF or min(best) == 0.0 and len(best) > 1 and score < 90:
            continue
        if phrase in entry.text:
            score += 5
        if entry.kind in ("paper", "class"):
            score += 1
        exact = sum(b == 100.0 for b in best)
        relative = None
        if now is not None and entry.date is not None:
            relative = relative_instant(entry.at, now, course.timezone) if entry.at else \
                relative_day(entry.date, now.astimezone(course.timezone).date())
        hits.append((exact, Hit(entry.kind, entry.title, entry.detail, entry.session, round(score, 1), entry.date,
                                entry.at.timetz().replace(tzinfo=None) if entry.at else None, relative)))
    far_future = dt.date.max
    hits.sort(key=lambda x: (-x[0], -x[1].score, x[1].date or (x[1].session.date if x[1].session else far_future),
                             x[1].title))
    ranked = [h for _, h in hits]
    suggestion = None if ranked else index.suggest(words)
    return SearchAnswer(query.strip()[:MAX_QUERY_LENGTH], tuple(ranked[:limit]), len(ranked), suggestion)


def examples(course: Course) -> str:
    """'“flamingo” or “Dettmers”': a title word and an author's name from the loaded course (else a topic word)."""
    papers = [p for s in course.sessions for p in s.papers] + list(course.other_papers)
    found: list[str] = []
    titled = papers[len(papers) // 3:] + papers
    if titled:
        found.append(max(WORD_RE.findall(titled[0].title.lower()) or [titled[0].title], key=len))
    authors = [p.authors for p in papers[len(papers) // 2:] + papers if p.authors]
    if authors:
        found.append(authors[0].replace(",", " ").split()[0])
    if not found:
        topics = [s.topic for s in course.sessions if s.topic] + [d.title for d in course.deadlines]
        found = [max(WORD_RE.findall(t.lower()) or [t], key=len) for t in topics[len(topics) // 2:][:1]]
    return " or ".join(f"“{w}”" for w in found) or "a word from the syllabus"
