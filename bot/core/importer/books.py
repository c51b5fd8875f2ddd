"""A reading as humanities pages cite it → a book resource: "Author, *Title*, pp. 1–30", 'Author, "Essay", pp. 3–9',
"Author, Title (Publisher, 1999), ch. 3", "Title — Author".

The title is the italic span (or the quoted one, or what lies between the author and the pages), followed by the
pages or chapter the class reads ("Origins of the French Revolution, pp. 1–34"); a parenthesis ("(Canvas)",
"(Harper, 1988)") is its note. An article with a journal ('Author, "Title," *Journal* 14 (1988)') is not one of
these: it is left to citations.py, which makes it a paper.
"""

from __future__ import annotations

import re

from bot.core.importer.apa import JOURNAL_HINT

NUMBER = r"[\dxivlc]+(?:\s*[–—-]\s*[\dxivlc]+)?"
LOCATOR = re.compile(rf"(?:^|,\s*|\s+)(?P<loc>(?:pp?\.|pages?|chs?\.|chapters?|§+)\s*{NUMBER}(?:\s*(?:,|and|&)\s*"
                     rf"{NUMBER})*)", re.I)
PERSON = (r"(?:[A-Z]\.\s*)*[A-Z][\w'’\-]+(?:\s+(?:(?:de|van|von|der|da|di|du|la|le)\s+)?(?:[A-Z]\.\s*)*"
          r"[A-Z][\w'’\-]+){0,3}")
AUTHORS = re.compile(rf"{PERSON}(?:(?:\s*,\s*|\s*,?\s+and\s+|\s*&\s*){PERSON})*(?:,?\s+et\s+al\.?)?")
PARENS = re.compile(r"\s*\(([^()]*)\)")
QUOTE = re.compile(r'^(?P<a>[^"“”]+?),\s*["“](?P<t>[^"“”]{3,}?)[,.]?["”]\s*,?\s*(?P<rest>.*)$')
DASHED = re.compile(r"^(?P<t>.{3,}?)\s+[—–]\s+(?:by\s+)?(?P<a>[^—–()]+?)(?P<rest>\s*\(.*\))?\.?$")


def _authors(text: str) -> str | None:
    text = text.strip(" ,;:")
    return text if AUTHORS.fullmatch(text) and len(text.split()) <= 10 else None


def _rest(rest: str) -> tuple[str | None, str | None, str]:
    """The pages or chapter, the note (the parentheses) and what else is left."""
    notes = [p.strip() for p in PARENS.findall(rest) if p.strip()]
    plain = PARENS.sub("", rest)
    loc = LOCATOR.search(plain)
    left = (plain[:loc.start()] + plain[loc.end():]) if loc else plain
    return (loc["loc"] if loc else None), ("; ".join(notes) or None), left.strip(" ,.;:")


def _book(title: str, authors: str | None, rest: str, kind: str | None) -> tuple[str, str, str | None, str | None]:
    loc, note, _ = _rest(rest)
    title = title.strip(" ,.;:")
    return kind or "book", f"{title}, {loc}" if loc else title, authors, note


def read_book(text: str, italic: tuple[str, ...] = (), kind: str | None = None
              ) -> tuple[str, str, str | None, str | None] | None:
    """(kind, title, authors, note) of a book or chapter cited the humanities' way, else None."""
    span = next((s for s in italic if len(s) >= 3 and s in text), None)
    if span:
        at = text.index(span)
        before, after = text[:at], text[at + len(span):]
        if re.search(r"[\"“”\d]", before):
            return None  # a quoted article before an italic journal, or an APA citation
        authors = _authors(before) if before.strip(" ,;:") else None
        if before.strip(" ,;:") and authors is None:
            return None
        if not authors and (m := re.match(r"\s*(?:[—–-]|,?\s*by)\s+([^(,]+)", after)) and _authors(m[1]):
            authors, after = _authors(m[1]), after[m.end():]
        return _book(span, authors, after, kind) if authors or not _rest(after)[2] else None
    if (m := QUOTE.match(text)) and (authors := _authors(m["a"])):
        return _book(m["t"], authors, m["rest"], kind) if not _rest(m["rest"])[2] else None
    head, comma, tail = text.partition(", ")
    if comma and (authors := _authors(head)) and tail:
        loc, _, left = _rest(tail)
        publisher = re.search(r"\([^()]*[A-Za-z][^()]*,\s*(?:1[5-9]|20)\d\d\)", tail)  # "(Harper, 1988)"
        if (loc or publisher) and left and not JOURNAL_HINT.search(left):
            return _book(left, authors, tail, kind)
    if (m := DASHED.match(text)) and (authors := _authors(m["a"])) and not re.search(r"\d{4}", m["t"]):
        return _book(m["t"], authors, m["rest"] or "", kind)
    return None
