"""What was read from a page → the draft's text: skeleton.py's YAML dumping, `# check:` comments, a closing list.

Each comment goes on a line of its own above the line it is about (a comment after a long folded title would
break it). The draft is loaded before it is returned; should a reading still upset the loader, the readings are
left out (and listed) rather than hand over a file that does not load.
"""

from __future__ import annotations

import re

from bot.core.importer import Draft, ImportProblem, Page, PlacedSession
from bot.core.importer.citations import Item
from bot.core.importer.extras import course_keys, extra_checks, extra_sections, term_end
from bot.core.loader import ScheduleError, load_text
from bot.core.skeleton import dump

HEADER = """\
# {title}: a DRAFT imported from {source} by `python -m bot import`.
# Read it through before using it:
# - a line marked `# check:` is a guess (a year, a lost day, a topic, whether a reading is a paper or a resource);
# - what could not be read is null, and listed at the end of this file;
# - papers are readings cited with authors, venue and year; everything else (books, slides, blogs, videos) is a
#   resource with a `kind`;
# - then: python -m bot check FILE   (every key is described in docs/instructors.md, section 4)

"""


def _paper(item: Item) -> dict[str, object]:
    data: dict[str, object] = {"title": item.title, "authors": item.authors, "venue": item.venue, "year": item.year}
    data |= {k: v for k, v in (("url", item.url), ("note", item.note)) if v}
    return data


def _resource(item: Item) -> dict[str, object]:
    data: dict[str, object] = {"title": item.title, "kind": item.kind}
    data |= {k: v for k, v in (("authors", item.authors), ("url", item.url), ("note", item.note)) if v}
    return data


def _session(number: int, placed: PlacedSession, with_readings: bool) -> dict[str, object]:
    raw = placed.raw
    data: dict[str, object] = {"number": number, "date": placed.date,
                               "topic": "; ".join(raw.topics) if raw.topics else None}
    if raw.exam and not raw.reason:
        data["kind"] = "exam"
    data["status"] = "cancelled" if raw.reason else "scheduled"
    if raw.reason:
        data["reason"] = raw.reason
    items = raw.items if with_readings else ()
    data["papers"] = [_paper(i) for i in items if i.kind == "paper"]
    data["resources"] = [_resource(i) for i in items if i.kind != "paper"]
    return data


def numbers(page: Page) -> tuple[list[int], dict[int, str]]:
    """Each class's number: the page's own ("Lecture 3 — …") when its labels number the classes in order and leave
    room for the unlabelled ones (a holiday); else its place in the list, with a check where a label says otherwise."""
    labels = [p.raw.date.number for p in page.sessions]
    out: list[int] = []
    for at, label in enumerate(labels):
        after = next((n for n in labels[at + 1:] if n is not None), None)
        number = label if label is not None else (out[-1] + 1 if out else 1)
        if (out and number <= out[-1]) or (after is not None and number >= after):
            break
        out.append(number)
    if len(out) == len(labels) and any(n is not None for n in labels):
        return out, {}
    places = list(range(1, len(labels) + 1))
    first = next(((n, label) for n, label in zip(places, labels, strict=True) if label is not None and label != n),
                 None)
    return places, {first[0]: f"the page numbers this class {first[1]}; its numbers do not leave room for every "
                              "class listed, so the classes are numbered in order from here on"} if first else {}


def _checks(page: Page) -> dict[tuple[object, ...], str]:
    """(session number, what, index) → the comment: ('date'|'topic', 0) or ('papers'|'resources', i); and
    (section, index) for an entry of breaks, office_hours, deadlines or exams, ('course', key) for a course key."""
    checks: dict[tuple[object, ...], str] = extra_checks(page)
    given, said = numbers(page)
    for number, placed in zip(given, page.sessions, strict=True):
        if placed.checks or number in said:
            checks[(number, "date", 0)] = "; ".join(placed.checks + tuple(x for x in [said.get(number)] if x))
        topic = [c for c in (placed.raw.topic_check,) if c]
        if len(placed.raw.topics) > 1:
            topic.append("the page has several lines here, joined with “;”")
        if topic:
            checks[(number, "topic", 0)] = "; ".join(topic)
        kinds = {"papers": [i for i in placed.raw.items if i.kind == "paper"],
                 "resources": [i for i in placed.raw.items if i.kind != "paper"]}
        for what, items in kinds.items():
            for index, item in enumerate(items):
                if item.check:
                    checks[(number, what, index)] = item.check
    if page.year.how in {"weekdays", "pattern"} and page.sessions:
        how = ("the weekdays the page names" if page.year.how == "weekdays"
               else "the weekdays the dates fall on (no year on the page)")
        year = f"the year {page.year.year} was inferred from {how}"
        key = (given[0], "date", 0)
        checks[key] = f"{checks[key]}; {year}" if key in checks else year
    if page.slash_order == "inferred" and page.sessions:
        order = "dates like 1/2 are read day/month (2 January): the page writes one whose first number is over 12"
        key = (given[0], "date", 0)
        checks[key] = f"{checks[key]}; {order}" if key in checks else order
    return checks


def _annotate(text: str, checks: dict[tuple[object, ...], str]) -> str:
    out, number, listing, index, section, entry = [], 0, "", -1, "", -1
    for line in text.splitlines():
        if m := re.fullmatch(r"(\w+):.*", line):
            section, entry = m[1], -1
        elif section != "sessions" and line.startswith("  - "):
            entry += 1
        if section == "sessions" and (m := re.fullmatch(r"  - number: (\d+)", line)):
            number, listing, index = int(m[1]), "", -1
        elif m := re.fullmatch(r"    (papers|resources):.*", line):
            listing, index = m[1], -1
        elif number and line.startswith("      - "):
            index += 1
        key: tuple[object, ...] | None = None
        if section == "course" and (m := re.fullmatch(r"  (\w+):.*", line)):
            key = ("course", m[1])
        elif section not in {"course", "sessions"} and line.startswith("  - "):
            key = (section, entry)
        elif section == "sessions" and (m := re.fullmatch(r"    (date|topic): .*", line)):
            key = (number, m[1], 0)
        elif number and listing and line.startswith("      - "):
            key = (number, listing, index)
        if key in checks:
            indent = len(line) - len(line.lstrip(" "))
            out.append(" " * indent + f"# check: {checks[key]}")
        out.append(line)
    return "\n".join(out) + "\n"


def _text(page: Page, source: str, with_readings: bool) -> str:
    first, last = page.sessions[0].date, page.sessions[-1].date
    season = "Spring" if first.month <= 5 else "Summer" if first.month <= 7 else "Fall"
    course: dict[str, object] = {
        "title": page.title, "instructor": page.instructor or "TBA", "term": page.term or f"{season} {first.year}",
        "first_day": first, "last_day": last,
    }
    if (end := term_end(page)) is not None:
        course["term_end"] = end
    course |= course_keys(page)
    data: dict[str, object] = {"course": course, **extra_sections(page),
                               "sessions": [_session(n, p, with_readings)
                                            for n, p in zip(numbers(page)[0], page.sessions, strict=True)]}
    if page.other_topics:
        data["other_topics"] = list(page.other_topics)
    if page.other_papers and with_readings:
        data["other_papers"] = [_paper(i) for i in page.other_papers]
    body = _annotate(dump(data), _checks(page))
    notes = {
        "  instructor: TBA\n": "  instructor: TBA  # check: the page names no instructor\n",
        "  title: Untitled course\n": "  title: Untitled course  # check: the page's title was not found\n",
        "  timezone: UTC\n": "  timezone: UTC  # check: the page gives no time zone; put the course's, like "
                             "America/New_York\n",
    }
    if not page.term:
        notes["  term: "] = "  # check: the term is guessed from the first class\n  term: "
    for old, new in notes.items():
        if old.startswith("  instructor: TBA") and page.instructor:
            continue
        body = body.replace(old, new, 1)
    return HEADER.format(title=page.title, source=source) + body


def _closing(page: Page, unread: list[str]) -> str:
    facts = page.facts
    missing = [] if facts and facts.zone else ["the time zone (UTC is a placeholder)"]
    missing += [] if facts and facts.meeting else ["the class times and room (null)"]
    missing += [f"session {n}: no topic on the page (null)" for n, p in zip(numbers(page)[0], page.sessions,
                                                                            strict=True)
                if not p.raw.topics and not p.raw.reason]
    absent = [name for name, got in (("office hours", facts and facts.hours), ("deadlines", facts and facts.deadlines),
                                     ("exams", facts and (facts.exams or any(p.raw.exam for p in page.sessions))))
              if not got]
    if absent:
        missing.append(f"no {' or '.join(absent)} found on the page: add any it states by hand")
    if not missing + unread:
        return ""
    lines = ["", "# Could not be read from the page (fill in by hand):"]
    lines += [f"# - {' '.join(x.split())}" for x in missing + unread]
    return "\n".join(lines) + "\n"


def write(page: Page, source: str) -> Draft:
    unread = list(page.unread)
    text = _text(page, source, True) + _closing(page, unread)
    try:
        load_text(text)
    except ScheduleError as exc:
        unread += [f"readings left out, the loader said: {p.message}" for p in exc.problems]
        text = _text(page, source, False) + _closing(page, unread)
        try:
            load_text(text)
        except ScheduleError as again:
            raise ImportProblem("The draft would not load: " + "; ".join(p.message for p in again.problems)) from None
    placed = page.sessions
    readings = not any(u.startswith("readings left out") for u in unread)
    return Draft(
        text=text, sessions=len(placed), cancelled=sum(bool(p.raw.reason) for p in placed),
        papers=sum(i.kind == "paper" for p in placed for i in p.raw.items) if readings else 0,
        resources=sum(i.kind != "paper" for p in placed for i in p.raw.items) if readings else 0,
        year=page.year.year, year_how=page.year.how, checks=text.count("# check:"), unread=tuple(unread),
        deadlines=len(page.facts.deadlines) if page.facts else 0, exams=len(page.facts.exams) if page.facts else 0,
        office_hours=len(page.facts.hours) if page.facts else 0,
    )
