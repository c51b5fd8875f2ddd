"""One reading line → a paper (title, authors, venue, year) or a resource (book, slides, blog, video, ...).

A paper has the shape of a citation: "Title, by Authors, Venue, Year", "Title, Smith et al., Venue 2020",
"Title, OpenAI" or author first, "Lamport, L. (1998). The part-time parliament. ACM TOCS.". A resource is named by
a cue ("slides", "blog", "book", "chapter", "video", "tutorial", "web page", a news site); a short line with neither
is taken as a web resource and marked for checking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.importer.apa import NUMBERS, read_apa
from bot.core.importer.books import read_book

ORGS = ("OpenAI", "Google DeepMind", "DeepMind", "Google Research", "Google", "Meta AI", "Meta", "Anthropic",
        "Microsoft Research", "Microsoft", "NVIDIA", "Mistral AI", "Apple", "Amazon", "IBM", "Facebook AI")
CUES = (  # (pattern, kind) in order: the first that matches names the kind
    (r"\bweb ?(page|site)\b|\bwebsite\b|\bhome ?page\b|\bwiki(pedia)?\b", "web"),
    (r"\bslides?\b|\bslide deck\b|\blecture notes\b", "slides"),
    (r"\bblog\b|\bmedium\.com\b|\bsubstack\b|\bdistill\.pub\b|\bdiscussion of\b|\bblog ?post\b", "blog"),
    (r"\bbook\b|\bchapters?\b|\btextbook\b|\bch\.\s*\d", "book"),
    (r"\btutorials?\b|\bcourse notes\b|\bnotebook\b|\bcolab\b", "tutorial"),
    (r"\bvideos?\b|\byoutube\b|\blecture recording\b|\bpodcast\b|\bvimeo\b", "video"),
    (r"\bnew york times\b|\bmagazine\b|\bwashington post\b|\bthe guardian\b|\bwired\b|\bnyt\b", "news"),
    (r"\bnews\b|\bop-?ed\b", "news"),  # only on a line that is not a citation (a venue may be "SIGACT News")
)
NAME = r"[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*(?![\w'’\-]*\s+[a-z]))?"
AUTHORS = re.compile(rf"^(?P<a>{NAME}(?:,?\s+et\s+al\b\.?|(?:,\s*{NAME})*,?\s+and\s+{NAME}))", re.U)
ET_AL = re.compile(r"^(?P<a>.{1,60}?),?\s+et\.?\s+al\b\.?", re.U)
SOLE_AUTHOR = re.compile(r"(?:[A-Z]\.\s*){0,2}[A-Z][a-z][\w'’-]*(?:\s+[A-Z][a-z][\w'’-]*)?")
YEAR_END = re.compile(r"[,\s(]*((?:19|20)\d\d)\)?[.\s]*$")
YEAR_IN = re.compile(r"\b((?:19|20)\d\d)\b")
SECTIONS = r"\d+\.\d+(?:\.\d+)?(?:\s*[–—-]\s*\d+(?:\.\d+)*)?"
SECTION_REF = re.compile(rf"[A-Z][A-Z&]{{1,7}}\s+§?\s*{SECTIONS}(?:\s*(?:,|&|and)\s*{SECTIONS})*|§+\s*{SECTIONS}")
QUOTED = re.compile(r'^(?P<a>[^"“”]{0,160}?)[\s,.:]*["“](?P<t>[^"“”]{4,300}?)[,.]?["”][\s,.:]*(?P<rest>[^"“”]*)$')
NAMES = re.compile(r"[A-Z][\w'’.\-]*(?:(?:\s+|,\s*|\s*&\s*|,?\s+and\s+)(?:[A-Z][\w'’.\-]*|et\.?\s+al\b\.?))*")


@dataclass(frozen=True, slots=True)
class Item:
    """A reading as read from the page: `kind` is "paper" or a resource kind; `check` says what was guessed."""

    kind: str
    title: str
    authors: str | None = None
    venue: str | None = None
    year: int | None = None
    url: str | None = None
    note: str | None = None
    check: str | None = None


def resource_kind(text: str, strict: bool = False) -> str | None:
    """The resource kind a cue in the text names (strict: not the weak cue "news", for a citation's venue)."""
    lowered = text.lower()
    cues = CUES[:-1] if strict else CUES
    return next((kind for pattern, kind in cues if re.search(pattern, lowered)), None)


def _tidy(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text).strip(" ,;.:—–-")
    return text or None


def _authors(text: str) -> str:
    text = re.sub(r",?\s+et\.?\s+al\b\.?", " et al.", text.strip())
    return _tidy(text.removeprefix("by ")) + (".") * text.endswith("et al.")  # type: ignore[operator]


def _venue_year(text: str) -> tuple[str | None, int | None, str | None]:
    """"Neurips 2017" / "ICLR, 2020" / "Arxiv" / "2023" → venue, year, note (a trailing remark sentence)."""
    note = None
    parts = re.split(r"(?<=[\w)])\.\s+(?=[A-Z])", text.strip(), maxsplit=1)
    if len(parts) == 2 and len(parts[1].split()) >= 6 and not YEAR_END.search(parts[1]):
        text, note = parts[0], _tidy(parts[1]) and parts[1].strip()
    year = None
    if m := YEAR_END.search(text):
        year, text = int(m[1]), text[:m.start()]
    elif m := YEAR_IN.search(text):
        year = int(m[1])
    venue = _tidy(text)
    return venue, year, note


def _by(text: str) -> tuple[str, str, str] | None:
    """Title, authors, the rest: "Title, by Smith et al., Venue 2020"."""
    m = list(re.finditer(r"(?:,\s*|\s+)by\s+(?=[A-Z])", text))
    if not m:
        return None
    cut = m[-1]
    title, after = text[:cut.start()], text[cut.end():]
    if em := ET_AL.match(after):
        return title, em[0], after[em.end():]
    if am := AUTHORS.match(after):
        return title, am["a"], after[am.end():]
    head, _, rest = after.partition(",")
    return title, head, rest


def _without_by(text: str) -> tuple[str, str | None, str] | None:
    """Title, authors (or None), the rest, from "Title, Smith et al., Venue 2020" or "Title, OpenAI"."""
    pieces = [m.start() for m in re.finditer(r",\s*", text)]
    for start in pieces:
        after = text[start:].lstrip(", ")
        if em := ET_AL.match(after):
            if "," not in em["a"] and len(em["a"].split()) <= 3:
                return text[:start], em[0], after[em.end():]
        if (am := AUTHORS.match(after)) and " and " in am["a"]:
            return text[:start], am["a"], after[am.end():]
        if org := next((o for o in ORGS if re.match(rf"{re.escape(o)}\b", after)), None):
            return text[:start], org, after[len(org):]
    for start, end in zip(pieces, pieces[1:], strict=False):  # "Title, Thompson, CACM 1968": one author, then venue
        name, rest = text[start:end].strip(", "), text[end:].strip(", ")
        if SOLE_AUTHOR.fullmatch(name) and len(rest.split()) <= 6 and YEAR_END.search(rest) and re.search(
                r"[A-Za-z]{2}", YEAR_END.sub("", rest)):
            return text[:start], name, rest
    if pieces and (YEAR_IN.search(text[pieces[-1]:]) or re.search(
            r",\s*(arxiv|neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|emnlp|naacl|aaai|ijcai|kdd|sosp|osdi|nsdi|"
            r"sigmod|vldb|proc\.|proceedings)\b", text, re.I)):
        first = pieces[0]
        return text[:first], None, text[first:]
    return None


def _linked(anchor: str, text: str) -> tuple[str, str | None, str] | None:
    """A line that starts with a linked title: "[Title](url), Codd, CACM 1970" → title, authors, rest."""
    rest = text[len(anchor):].strip()
    if not anchor or not text.startswith(anchor) or not re.match(r"[,.;(]|by\b", rest):
        return None
    rest = re.sub(r"^[,.;\s]+", "", rest).removeprefix("by ").strip()
    if em := ET_AL.match(rest):
        return anchor, em[0], rest[em.end():]
    if am := AUTHORS.match(rest):
        return anchor, am["a"], rest[am.end():]
    head, comma, tail = rest.partition(",")
    if comma and re.fullmatch(r"[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,3}", head.strip()) and tail.strip():
        return anchor, head, tail
    return anchor, None, rest


def read_item(text: str, url: str | None = None, anchor: str = "", italic: tuple[str, ...] = (),
              hint: str | None = None) -> Item:
    """A reading line → an Item (a paper when it reads as a citation, else a resource by its cue, else `hint`)."""
    text = re.sub(r"\s+", " ", text).strip()
    kind = resource_kind(text)
    if SECTION_REF.fullmatch(text.rstrip(".")):  # "OIS 3.1–3.2": sections of a book the page abbreviates
        return Item("book", text.rstrip("."), url=url)
    if book := read_book(text, italic, resource_kind(text, strict=True) if kind != "book" else None):
        return Item(book[0], book[1], book[2], url=url, note=book[3])
    if quoted := _quoted(text, url):
        return quoted
    if apa := read_apa(text):
        if apa.kind == "book":
            return Item("book", apa.title, apa.authors, url=url)
        return Item("paper", apa.title, apa.authors, apa.venue, apa.year, url, check=apa.check)
    split = _linked(anchor, text) or _by(text) or _without_by(text)
    if split:
        title, authors, rest = split
        venue, year, note = _venue_year(rest)
        title = _tidy(title.strip().strip("“”\"")) or text
        named = _authors(authors) if authors else None
        title_kind = resource_kind(title)
        cited = bool(venue or year or (named and "et al" in named))
        found = resource_kind(rest, strict=True) or (title_kind if title_kind == "book" or not cited else None)
        if found:
            if found == "news" or (found == "book" and not note):
                note = note or _tidy(rest)
                note = note and note + "."
            return Item(found, title, named, url=url, note=note)
        odd = not re.match(r"[\w“\"'‘(\[¿¡]", title) or (named and re.search(r"[;\d]", named))
        return Item("paper", title, named, venue, year, url, note, "the citation may be split wrong" if odd else None)
    head = re.split(r"\s+\(|\.\s+", text, maxsplit=1)[0]
    kind = resource_kind(head) or kind or hint
    if kind:
        return Item(kind, _resource_title(text, kind), url=url, note=_resource_note(text, kind))
    words = len(text.split())
    guess = "web"
    return Item(guess, text if words <= 14 else _resource_title(text, guess), url=url,
                note=None if words <= 14 else text, check="a reading or a resource? kind guessed")


def _quoted(text: str, url: str | None) -> Item | None:
    """A citation with its title in quotes: 'Gelman & Loken (2014), "The Statistical Crisis", American Scientist'."""
    m = QUOTED.match(text)
    if not m:
        return None
    before = m["a"].strip(" ,.:")
    year = None
    if y := re.search(r"\(\s*((?:19|20)\d\d)[a-z]?\s*\)\s*$", before):
        year, before = int(y[1]), before[:y.start()].strip(" ,.:")
    if before and not NAMES.fullmatch(before) or len(before.split()) > 14 or (len(before.split()) == 1 and not year):
        return None
    title = m["t"].strip(" ,.")
    venue, found, note = _venue_year(m["rest"])
    venue = NUMBERS.sub("", venue).strip(" ,.;") or None if venue else None
    authors = _authors(before) + "." * bool(re.search(r"\b[A-Z]$", _authors(before))) if before else None
    if kind := resource_kind(m["rest"], strict=True):
        return Item(kind, title, authors, url=url, note=note)
    if not (authors or venue or year or found):
        return None
    return Item("paper", title, authors, venue, year or found, url, note)


def _resource_title(text: str, kind: str) -> str:
    """The name of a resource in a sentence: "…, Hal's book (" → "Hal's book"; otherwise the line up to a break."""
    head = re.split(r"\s+\(|\s+[-—–]\s+|:\s+(?=[a-z])", text, maxsplit=1)[0]
    if kind == "book":
        m = list(re.finditer(r"((?:The\s+)?(?:[A-Z][\w’'\-]*\s+){0,4}(?:[\w’'\-]+\s+)?book)\b", head))
        if m and len(head.split()) > 8:
            return m[-1][1]
    return _tidy(head) or text


def _resource_note(text: str, kind: str) -> str | None:
    title = _resource_title(text, kind)
    rest = text[text.find(title) + len(title):] if title in text else ""
    if inside := re.fullmatch(r"\s*\(([^()]*)\)[.\s]*", rest):  # "(video, 12 min)": the kind said, then the note
        rest = re.sub(r"^(?:videos?|website|web ?page|blog(?: post)?|slides|podcast|tutorial|book)\b[\s,;:]*", "",
                      inside[1].strip(), flags=re.I)
        return rest or None
    rest = re.sub(r"^\s*\(\s*", "", rest).strip()
    return rest[0].upper() + rest[1:] if len(rest.split()) >= 3 else None
