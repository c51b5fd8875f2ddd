"""An author-first (APA-like) citation: "Lamport, L. (1998). The part-time parliament. ACM TOCS." → its parts.

The title ends at the first full stop that does not follow an initial ("B. F. Skinner"); the venue loses its
volume, issue, pages and DOI ("Psychological Review, 63(2), 81–97."); a chapter "In E. Editor (Ed.), Book (pp.
1–20). Publisher." has the book as its venue; a book (a publisher where a journal would be) is a resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD = re.compile(r"^(?P<a>[^()]{2,200}?)\s*\((?P<y>(?:19|20)\d\d)[a-z]?(?:,\s*[A-Z][a-z]+\.?(?:\s+\d{1,2})?)?\)"
                  r"[.:]?\s*"
                  r"(?P<rest>\S.*)$")
END = re.compile(r"[.?!](?=\s|$)")
INITIAL = re.compile(r"(?:^|[\s(.])(?:[A-Z]|[A-Z][a-z]?\.[A-Z]|Vol|No|pp|Ed|Eds|vs|St|Dr|Jr|Sr|et al|chs?|chap)$")
LINK = re.compile(r"\s*(?:https?://\S+|doi:\s*\S+|Retrieved from\s+\S+)\s*", re.I)
NUMBERS = re.compile(r"(?:,\s*|\s+)(?:vol\.\s*)?\d+\s*(?:\([^)]*\))?"
                     r"(?:\s*[,:]\s*(?:pp?\.\s*)?[\divxlcIVXLC]+(?:\s*[–—-]\s*[\divxlcIVXLC]+)?)?\s*\.?\s*$", re.I)
CHAPTER = re.compile(r"^In\s+(?:(?P<eds>.{1,120}?)\s*\((?:Eds?\.|Ed\.|Editors?)\),?\s*)?(?P<book>.+?)\s*"
                     r"(?:\((?:[^()]*\b(?:pp?\.|Vol\.|chap)[^()]*)\))?\s*\.\s*(?P<publisher>[^.]*)\.?$", re.I)
PUBLISHER = re.compile(r"\b(press|publishers?|publishing|publications|books|wiley|norton|routledge|erlbaum|sage|"
                       r"penguin|random house|harper\w*|macmillan|houghton|mifflin|prentice|pearson|springer|"
                       r"o'reilly|addison|mcgraw|cengage|elsevier science|little, brown|farrar|straus|"
                       r"knopf|viking|doubleday|basic|free press|belknap|bantam|vintage|simon & schuster)\b", re.I)
JOURNAL_HINT = re.compile(r"\d+\s*\(\d+|\bjournal\b|\breview\b|\bproceedings\b|\btransactions\b|\bquarterly\b|"
                          r"\bbulletin\b|\bletters\b|\bconference\b|\bsymposium\b|\bworkshop\b", re.I)


@dataclass(frozen=True, slots=True)
class Apa:
    kind: str  # "paper" or "book"
    title: str
    authors: str
    venue: str | None
    year: int
    check: str | None = None


def _title_end(rest: str) -> int | None:
    for m in END.finditer(rest):
        if m[0] == "." and INITIAL.search(rest[:m.start()]):
            continue
        return m.end()
    return None


def read_apa(text: str) -> Apa | None:
    m = HEAD.match(text)
    if not m:
        return None
    rest = LINK.sub(" ", m["rest"]).strip()
    cut = _title_end(rest)
    title, after = (rest[:cut], rest[cut:].strip()) if cut else (rest, "")
    title = title.strip().rstrip(".").strip()
    if not after:  # "On random graphs I. Publicationes Mathematicae 6: 290–297.": the title ended at the "I."
        for stop in reversed(list(re.finditer(r"\.\s+(?=[A-Z])", title))):
            tail = title[stop.end():]
            if NUMBERS.search(tail) and "." not in NUMBERS.sub("", tail) and len(tail.split()) <= 10:
                title, after = title[:stop.start()], tail
                break
    authors = re.sub(r"\s+", " ", m["a"]).strip(" ,;")
    authors += "." * bool(re.search(r"\b[A-Z]$", authors))
    if not title or not authors:
        return None
    if chapter := CHAPTER.match(after):
        return Apa("paper", title, authors, chapter["book"].strip(" ,.") or None, int(m["y"]))
    venue = NUMBERS.sub("", after).strip(" ,.;") or None
    if venue and PUBLISHER.search(venue) and not JOURNAL_HINT.search(after):
        return Apa("book", title, authors, venue, int(m["y"]))
    unsure = venue and not NUMBERS.search(after) and not JOURNAL_HINT.search(after) and not re.search(
        r"\b[A-Z]{2,}\b", venue)
    return Apa("paper", title, authors, venue, int(m["y"]),
               "a paper or a book? the venue has no volume or pages" if unsure else None)
