"""A plain-text page copied out of a PDF → its lines as the page meant them (text pages only, before lines.py).

Three things a PDF's text layer does to a syllabus are undone here, each only where it is plain:

- a word broken across two lines with a hyphen ("distri-\\nbuted"): the rest of the word is moved up when it goes
  on in lower case ("distributed"); the hyphen stays when the page elsewhere writes the word with it
  ("self-\\nsupervised" where "self-supervised" is written too) and does not write it without;
- the PDF's page headers and footers: a line with "Page 2 of 4", a lone page number, or a line that recurs with only
  one number changing, that number going up from one to the next ("CS 210 Syllabus 3");
- a bullet ("•", "-", "*", ...) wrapped over two or three lines: its continuation lines are joined to it. A line
  goes on the bullet when it is indented, or when it starts with no bullet, no date and no "Label:", unless the
  bullet has come to its end (a full stop) and the line starts a new sentence in capitals ("Important dates").
"""

from __future__ import annotations

import re

from bot.core.importer.when import leading_date

BROKEN = re.compile(r"([A-Za-z]+)-$")  # a line's last word, cut with a hyphen
GOES_ON = re.compile(r"^([a-z][A-Za-z'’]*)(\S*)\s*(.*)$")  # the next line's first word, going on in lower case
PAGE_OF = re.compile(r"\bpage\s+\d{1,4}\s*(?:of|/)\s*\d{1,4}\b", re.I)
LONE_NUMBER = re.compile(r"(?:[-–—]\s*)?(?:page\s+)?\d{1,3}(?:\s*[-–—])?", re.I)
BULLET = re.compile(r"^\s*(?:[•◦▪▫●○·‣∙*+-]|–|\d{1,2}[.)])\s+")
SYMBOL = re.compile(r"^\s*(?:[•◦▪▫●○·‣∙]|–)\s+")  # a bullet's mark, left out (a number or "-" is kept)
LABEL = re.compile(r"^[A-Z][\w /&()-]{0,30}:(?:\s|$)")
NUMBERED = re.compile(r"\d+")
COUNTED = re.compile(r"\b(?:week|lecture|session|class|module|unit|part|set|homework|hw|assignment|quiz|lab|"
                     r"chapter|problem|exam|day|topic|reading|project|section|step|no\.?|#)\s*$", re.I)
ENDED = re.compile(r"[.!?]$")


def unwrap(text: str) -> str:
    """The page's text with hyphenated line breaks mended, page headers/footers left out, wrapped bullets joined."""
    rows = [row.rstrip() for row in text.splitlines()]
    rows = _drop_headers(rows)
    rows = _mend_hyphens(rows, text)
    return "\n".join(_join_bullets(rows)) + ("\n" if text.endswith("\n") else "")


def _drop_headers(rows: list[str]) -> list[str]:
    """Without the lines that are a PDF's page header or footer."""
    numbered = [at for at, row in enumerate(rows) if LONE_NUMBER.fullmatch(row.strip())]
    dropped = set(numbered) if len(numbered) >= 2 and _rising([_number(rows[at]) for at in numbered]) else set()
    dropped |= {at for at, row in enumerate(rows) if len(row) <= 100 and (m := PAGE_OF.search(row.strip())) and (
        m.start() == 0 or m.end() == len(row.strip()))}  # "Page 2 of 4" starting or ending the line
    shapes: dict[str, list[int]] = {}
    for at, row in enumerate(rows):
        stripped = row.strip()
        numbers = list(NUMBERED.finditer(stripped))
        if 1 <= len(numbers) <= 3 and len(stripped) <= 80 and not leading_date(stripped) and not BULLET.match(row) \
                and not any(COUNTED.search(stripped[:m.start()]) for m in numbers):
            shapes.setdefault(NUMBERED.sub("#", stripped), []).append(at)
    for shape, places in shapes.items():
        if len(places) < 2 or len(shape.replace("#", "").strip()) < 3:
            continue
        counts = [[int(n) for n in NUMBERED.findall(rows[at])] for at in places]
        changing = [i for i in range(len(counts[0])) if len({n[i] for n in counts}) > 1]
        if len(changing) == 1 and _rising([n[changing[0]] for n in counts]):  # only the page number changes
            dropped |= set(places)
    return [row for at, row in enumerate(rows) if at not in dropped]


def _number(row: str) -> int:
    return int(NUMBERED.findall(row)[0])


def _rising(numbers: list[int]) -> bool:
    """Page numbers: each one more than the one before (a page without its header may be skipped)."""
    return all(0 < b - a <= 2 for a, b in zip(numbers, numbers[1:], strict=False))


def _mend_hyphens(rows: list[str], text: str) -> list[str]:
    """A word cut at a line's end with a hyphen, its rest moved up from the next line when it goes on in lower case."""
    rows, emptied = list(rows), set()
    lowered = text.lower()
    for at in range(len(rows) - 1):
        cut = BROKEN.search(rows[at])
        nxt = next((n for n in range(at + 1, min(at + 3, len(rows))) if rows[n].strip()), None)
        if not cut or nxt is None or BULLET.match(rows[nxt]) or not (rest := GOES_ON.match(rows[nxt].strip())):
            continue
        head, tail = cut[1], rest[1]
        hyphened, joined = f"{head}-{tail}".lower(), f"{head}{tail}".lower()
        keep = _written(hyphened, lowered) > 0 and _written(joined, lowered) == 0
        rows[at] = rows[at][:cut.start()] + (f"{head}-{tail}" if keep else f"{head}{tail}") + rest[2]
        rows[nxt] = rows[nxt][:len(rows[nxt]) - len(rows[nxt].lstrip())] + rest[3]
        emptied |= set() if rest[3] else {nxt}
    return [row for at, row in enumerate(rows) if at not in emptied]


def _written(word: str, lowered: str) -> int:
    """How often the page writes the word on one line (a part of a longer word does not count)."""
    return len(re.findall(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered))


def _join_bullets(rows: list[str]) -> list[str]:
    """Each bullet's continuation lines joined to it; a blank line, a bullet, a date or a label ends it."""
    found: list[str] = []
    open_bullet = False
    for row in rows:
        stripped = row.strip()
        if not stripped:
            open_bullet = False
            found.append(row)
            continue
        if open_bullet and _goes_on(found[-1], row):
            found[-1] = f"{found[-1].rstrip()} {stripped}"
            continue
        open_bullet = bool(BULLET.match(row))
        found.append(SYMBOL.sub("", row) if open_bullet else row)
    return found


def _goes_on(bullet: str, row: str) -> bool:
    stripped = row.strip()
    if BULLET.match(row) or leading_date(stripped) or "\t" in stripped:
        return False
    indented = row[:1].isspace()
    if indented:
        return True
    if LABEL.match(stripped) or (ENDED.search(bullet.rstrip()) and stripped[:1].isupper()):
        return False
    return not (stripped.isupper() and len(stripped.split()) <= 5 and not re.search(r"\d", stripped))
