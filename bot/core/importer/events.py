"""Deadlines, exams, office hours and the meeting pattern, where a page states them in words.

A line is cut into clauses (sentences, and parts between semicolons); a clause is read as office hours when it
says so (or sits under an "Office hours" heading) and names a weekday and a time range; as an exam when it names
one and a date; as a deadline when it names something handed in, a word like "due" (or sits in a "Due" column or
under a "Due dates" heading) and, outside a class's row, a date. Dates stay as the page gives them (`PageDate`):
they are placed in the term's years later (bot/core/importer/facts.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from bot.core.importer.times import DAY_NAME, Span, read_days, read_place, read_span, read_time
from bot.core.importer.when import RANGE_END, PageDate, dates_in

WORK = (r"home ?works?|hw\s*#?\s*\d+|hw\b|assignments?|problem\s+sets?|psets?|ps\s*\d+|labs?\b|projects?|proposals?|"
        r"reports?|papers?|essays?|quiz(?:zes)?|write-?ups?|milestones?|presentations?|checkpoints?|drafts?|"
        r"exercises?|(?:exercise |problem )?sheets?\b|worksheets?|responses?|reflections?|memos?|portfolios?|"
        r"deliverables?|critiques?|posters?|surveys?|questionnaires?")
DELIVERABLE = re.compile(rf"\b(?:{WORK})", re.I)
DUE = re.compile(r"\b(?:due|deadline|turn(?:ed)? in|hand(?:ed)? in|submit(?:ted)?)\b", re.I)
HANDED_OUT = re.compile(r"\b(?:out|released|assigned|posted|handed out|available|announced)\s*$", re.I)
EXAM = re.compile(r"\b(?:(?P<mid>mid-?term)(?:\s+exam(?:ination)?)?(?:\s*#?\s*(?P<mn>\d))?|(?P<fin>final)\s+"
                  r"exam(?:ination)?|(?P<fin2>final)(?=\s*[:(—–])|(?P<ex>exam(?:ination)?)(?:\s*#?\s*(?P<en>\d))?)\b",
                  re.I)
OFFICE = re.compile(r"(?i:\boffice\s*hours?\b|\bstudent\s+hours\b|\bdrop-in\s+hours\b)|\bOH\b")
IN_CLASS = re.compile(r"\b(?:in[- ]class|during (?:class|lecture)|in lecture|at the start of class|"
                      r"(?:at|before|by) (?:the (?:start|beginning) of )?(?:class|lecture))\b", re.I)
ACADEMIC = (r"(?:Prof\.?|Professor|Dr\.?(?:-Ing\.)?|PD\b|Jun\.-Prof\.)"
            r"(?:\s+(?:rer|phil|med|nat|pol|oec|jur|habil|h\.\s?c|ir|ing|drs)\.)*")  # "Dr. rer. nat.", "Dr. ir."
PARTICLE = r"(?:\s+(?:van|von|de|der|den|du|da|di|del|della|la|le|ten|ter|zu))*"  # "Sanne de Vries", "van der Berg"
# "Prof. Dr. Anna Weber", "Dr. ir. Sanne de Vries"
TITLED = re.compile(rf"\b{ACADEMIC}(?:\s+{ACADEMIC})*\s+[A-Z][\w'’-]+(?:{PARTICLE}\s+[A-Z][\w'’-]+)?")
HEADINGS = (("office", re.compile(r"\b(office|student) hours\b", re.I)),
            ("dates", re.compile(r"\b(due dates|deadlines|important dates|key dates|assignments|exams|grading)\b",
                                 re.I)))
URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:]")
CLOCK_WORDS = re.compile(r"(?:\b(?:at|by|before|until)\s+)?(?:\b\d{1,2}(?::\d\d)?\s*[ap]\.?\s?m\b\.?|\b\d{1,2}:\d\d\b|"
                         r"\bnoon\b|\bmidnight\b)(?:\s*\(?(?:[ECMP][SD]?T|UTC|GMT)\b\)?)?", re.I)
ABBREVIATIONS = re.compile(r"(?:\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|jan|feb|mar|apr|jun|jul|aug|sep|"
                           r"sept|oct|nov|dec|prof|dr|mr|ms|mrs|st|no|vs|al|e\.g|i\.e|etc|rm|bldg|rer|nat|phil)|\b[A-Z]|"
                           r"(?<![\d.])\d{1,2}\.\d{1,2})$", re.I)  # and a day.month date's dot: "due 30.4. at 5pm"


@dataclass(frozen=True, slots=True)
class DueRead:
    """A deadline as read: `when` is None on a class's row (the class's date); `at_class`: due when class starts."""

    title: str
    kind: str
    when: PageDate | None
    time: dt.time | None = None
    guess: str | None = None
    at_class: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ExamRead:
    title: str
    when: PageDate | None
    span: Span | None
    room: str | None
    in_class: bool


@dataclass(frozen=True, slots=True)
class HoursRead:
    who: str | None
    days: tuple[int, ...]
    span: Span
    place: str | None
    link: str | None


@dataclass(frozen=True, slots=True)
class BreakRead:
    """Days without classes stated in words ("Spring break Mar 24–28"): the words, the first day, the last."""

    words: str
    when: PageDate
    until: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class MeetingRead:
    days: tuple[int, ...]
    span: Span
    room: str | None


@dataclass(frozen=True, slots=True)
class DueTimeRead:
    """A time the page gives for a kind of deadline in general ("Homework is due Fridays at 11:59pm")."""

    kinds: frozenset[str]
    time: dt.time
    days: tuple[int, ...]
    guess: str | None
    words: frozenset[str] = frozenset()  # the deliverables it names, singular ("paper"), for a title that names one


Event = DueRead | ExamRead | HoursRead | BreakRead | DueTimeRead
BREAK = re.compile(r"\b(?:break|recess|holidays?|vacation|no class(?:es)?|reading (?:week|days?)|thanksgiving)\b", re.I)


def clauses(text: str) -> list[str]:
    """Sentences and semicolon parts; "Wed. October 16", "Prof. X" and "et al." do not end a sentence."""
    out, start = [], 0
    for m in re.finditer(r"(?:(?<=[\w)\]])\.|[!?;])\s+(?=\S)", text):
        if m[0].startswith(".") and ABBREVIATIONS.search(text[start:m.start()]):
            continue
        out.append(text[start:m.start() + 1].strip(" ;"))
        start = m.end()
    out.append(text[start:].strip(" ;"))
    return [c for c in out if c]


def section_of(text: str) -> str | None:
    """The section a short heading-like line opens ("office", "dates"), or None for another heading."""
    return next((name for name, pattern in HEADINGS if pattern.search(text)), None)


def _kind(title: str) -> str:
    lowered = title.lower()
    if "quiz" in lowered:
        return "quiz"
    if re.search(r"project|proposal|milestone|presentation|poster|term paper|final paper|research paper|"
                 r"checkpoint", lowered):
        return "project"
    if re.search(r"home ?work|\bhw|assignment|problem set|pset|\bps\s*\d|exercise|worksheet|\bsheets?\b|\blab\b|"
                 r"(reaction|response|reading|position|critique|short) (paper|response)|essay|reflection|write-?up|"
                 r"\bmemos?\b|\bcase (analysis|study)\b",
                 lowered):
        return "homework"
    return "project" if "report" in lowered else "other"


def _title(subject: str, clause: str) -> str | None:
    """What is due, named as the page names it: "Homework 3 (reliable transport)", "Project proposal"."""
    subject = re.sub(r"^\W+", "", subject)
    subject = re.sub(r"\b(?:is|are|will be|must be|should be|to be)\s*$", "", subject.strip(" ,:;—–-"), flags=re.I)
    subject = re.sub(r"^(?:the|a|an|your|our)\s+", "", subject.strip(), flags=re.I).strip(" ,:;—–-")
    if subject and len(subject.split()) <= 6 and DELIVERABLE.search(subject):
        return subject[0].upper() + subject[1:]
    m = DELIVERABLE.search(subject) or DELIVERABLE.search(clause)
    if not m:
        return None
    source = subject if DELIVERABLE.search(subject) else clause
    before = re.findall(r"(\w+)\s*$", source[:m.start()])
    qualifier = before[0] if before and before[0].lower() in {
        "final", "project", "term", "research", "course", "group", "reaction", "response", "reading", "lab",
        "midterm", "first", "second"} else ""
    tail = re.match(r"\s*(?:#?\s*\d+[a-z]?\b)?(?:\s*\([^)]{1,40}\))?", source[m.end():])
    word = (qualifier + " " if qualifier else "") + m[0] + (tail[0] if tail else "")
    if (re.fullmatch(r"proposals?|reports?|presentations?|papers?", m[0], re.I) and not qualifier
            and re.search(r"\bproject\b", clause, re.I)):
        word = "project " + word
    word = word.strip()
    return word[0].upper() + word[1:]


def _due(clause: str, url: str | None, in_row: bool, column: str | None, section: str | None) -> DueRead | None:
    due_column = bool(column and re.search(r"\b(due|deadline|deliverable)s?\b", column, re.I))
    work_column = bool(column and re.search(r"\b(assignments?|homework|hw|deliverables?)\b", column, re.I))
    if HANDED_OUT.search(clause) and not DUE.search(clause):
        return None
    said_due = DUE.search(clause)
    if not (said_due or due_column or (work_column and not HANDED_OUT.search(clause)) or section == "dates"):
        return None
    if not DELIVERABLE.search(clause) and not due_column:
        return None
    found = dates_in(clause)
    when = found[0][0] if found else None
    if when is None and not in_row:
        return None
    subject = clause[:said_due.start()] if said_due and said_due.start() > 0 else clause
    if said_due and said_due.start() == 0:
        subject = clause[said_due.end():]
    for _, (a, b) in found:
        subject = subject.replace(clause[a:b], " ")
    subject = re.sub(r"\s+", " ", IN_CLASS.sub(" ", CLOCK_WORDS.sub(" ", subject)))  # "HW 1, Fri 1/23 at 11:59pm"
    subject = re.sub(r"(?:[\s,;:—–-]+(?:on|at|by))+\s*$", "", subject.strip(" ,;:—–-"), flags=re.I)
    title = _title(subject, clause)
    if not title and due_column:
        title = re.sub(r"\s+", " ", subject).strip(" ,:;—–-") or None
    if not title:
        return None
    rest = clause
    for _, (a, b) in found:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    clock = read_time(rest)
    at_class = bool(IN_CLASS.search(clause)) or (in_row and _kind(title) == "quiz" and not said_due)
    guess = clock[1] if clock else None
    if clock and clock[0] == dt.time(23, 59) and re.search(r"midnight", clause, re.I):
        guess = "“midnight” read as 23:59 of that day"
    return DueRead(title[:100], _kind(title), when, clock[0] if clock else None, guess, at_class and not clock, url)


def _exam(clause: str) -> ExamRead | None:
    m = EXAM.search(clause)
    if not m or re.search(r"\breview\b|\bstudy\b|\bpractice\b|\bgrades?\b", clause, re.I):
        return None
    found = dates_in(clause)
    if not found:
        return None
    if m["mid"]:
        title = f"Midterm {m['mn']}" if m["mn"] else "Midterm exam"
    elif m["fin"] or m["fin2"]:
        title = "Final exam"
    else:
        title = f"Exam {m['en']}" if m["en"] else "Exam"
        if kind := re.search(r"\b(written|oral|online|take-home)\s+$", clause[:m.start()], re.I):  # "Written exam"
            title = f"{kind[1].capitalize()} exam" + (f" {m['en']}" if m["en"] else "")
    rest = clause
    for _, (a, b) in found:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    span = read_span(rest)
    after = rest[span.where[1]:] if span else rest[max(b for _, (_, b) in found):]
    room = read_place(after) if not IN_CLASS.search(after) else None
    return ExamRead(title, found[0][0], span, room, bool(IN_CLASS.search(clause)))


def _break(clause: str) -> BreakRead | None:
    found = dates_in(clause)
    if not BREAK.search(clause) or not found or len(clause) > 160:
        return None
    when, (start, end) = found[0]
    until = None
    if r := RANGE_END.match(clause, end):
        month = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
        until = (month.index(r["mon"].lower()[:3]) + 1 if r["mon"] else int(r["m"]) if r["m"] else when.month,
                 int(r["d"]))
        end = r.end()
    elif len(found) > 1 and re.fullmatch(r"\s*(?:[–—-]|to|through|thru)\s*", clause[end:found[1][1][0]]):
        until, end = (found[1][0].month, found[1][0].day or when.day or 1), found[1][1][1]
    words = (clause[:start] + " " + clause[end:]).strip(" ,:;()—–-")
    return BreakRead(words, when, until)


def _who(segment: str) -> str | None:
    for inside in re.findall(r"\(([^()]{2,60})\)", segment):
        parts = [p.strip() for p in inside.split(",")]
        name = parts[0]
        if re.fullmatch(r"(?:(?:Prof\.?|Professor|Dr\.?)\s+)?[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2}", name):
            role = next((p for p in parts[1:] if re.fullmatch(r"TAs?|instructor|teaching assistant", p, re.I)), None)
            return f"{name} ({role})" if role else name
    if m := TITLED.search(segment):
        return m[0]
    if m := re.match(r"\s*([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2})\s*(?:\((TA|instructor)\))?\s*[:—–-]\s", segment):
        if not read_days(m[1])[0]:
            return f"{m[1]} ({m[2]})" if m[2] else m[1]
    if re.search(r"\bTAs?\b", segment):
        return "TA"
    return None


def _segments(clause: str) -> list[str]:
    """"Mondays 2-3pm and Thursdays 4-5pm, Gates 344": one part per time range (a part without one joins the next)."""
    parts = re.split(rf";|,?\s+(?:and|also|&|plus)\s+(?=(?i:{DAY_NAME})\b|[A-Z][\w.]*\s*[(:])", clause)
    out: list[str] = []
    for part in parts:
        if out and not read_span(out[-1]):
            out[-1] = f"{out[-1]} and {part}"
        else:
            out.append(part)
    return out


def _hours(clause: str, links: tuple[str, ...]) -> list[HoursRead]:
    found = []
    for segment in _segments(clause):
        span = read_span(segment)
        days, where = read_days(segment[:span.where[0]] if span else segment)
        if not span or not days or re.search(r"\bby appointment only\b", segment, re.I):
            continue
        link = next(iter(URL.findall(segment)), None) or next(iter(links), None)
        online = re.search(r"\b(zoom|online|virtual|teams|google meet)\b", segment, re.I)
        place = "Online" if online else read_place(segment[span.where[1]:])
        found.append(HoursRead(_who(segment), days, span, place, link if online or link else None))
    place = next((h.place for h in reversed(found) if h.place), None)  # said once, after the last range
    who = next((h.who for h in reversed(found) if h.who), None)
    return [dataclasses.replace(h, place=h.place or place, who=h.who or who) for h in found]


def read_events(text: str, links: tuple[str, ...] = (), *, in_row: bool = False, column: str | None = None,
                section: str | None = None) -> list[Event]:
    """The deadlines, exams and office hours a line states; [] when it states none (it is then something else)."""
    if len(text) > 600:
        return []
    out: list[Event] = []
    office = bool(OFFICE.search(text)) or section == "office"
    for clause in clauses(text):
        if office and (hours := _hours(clause, links)):
            out += hours
            continue
        due = _due(clause, next(iter(links), None), in_row, column, section)
        if due and not (EXAM.search(due.title) and not DUE.search(clause)):
            out.append(due)
        elif exam := _exam(clause):
            out.append(exam)
        elif pause := _break(clause):
            out.append(pause)
        elif not in_row and (standing := _due_time(clause)):
            out.append(standing)
    return out


def _due_time(clause: str) -> DueTimeRead | None:
    """A deadline's time said for a kind of work, with no date: "problem sets are due Fridays at 11:59pm"."""
    if not DUE.search(clause) or dates_in(clause) or IN_CLASS.search(clause) or not (clock := read_time(clause)):
        return None
    kinds = frozenset(_kind(m[0]) for m in DELIVERABLE.finditer(clause))
    if not kinds:
        return None
    words = frozenset(re.sub(r"e?s$", "", m[0].lower()) if m[0].lower().endswith("s") else m[0].lower()
                      for m in DELIVERABLE.finditer(clause))
    return DueTimeRead(kinds, clock[0], read_days(clause)[0], clock[1], words)


def meeting_pattern(text: str) -> MeetingRead | None:
    """"Lectures: MW 10:30-11:50am, Kirk Hall 101", "Tue/Thu 2:00–3:15pm": days, times and room; else None."""
    if OFFICE.search(text) or EXAM.search(text) or DUE.search(text) or re.search(
            r"\b(section|recitation|lab|discussion|tutorial|review session)s?\b\s*[:(]", text, re.I):
        return None
    span = read_span(text)
    if not span:
        return None
    days, where = read_days(text[:span.where[0]])
    if not days or where is None or span.where[0] - where[1] > 25:
        return None
    room = read_place(text[span.where[1]:])
    return MeetingRead(days, span, room)
