"""A syllabus page (text, HTML or Markdown) → its lines of text, each with the links it holds.

Every shape becomes the same thing: one `Line` per paragraph, list item, heading or table cell, in page order, so
the reading of sessions and citations (bot/core/importer/__init__.py) does not care where the page came from.
A table row's cells become consecutive lines (the date cell starts a session; a cell's <br> or <li> splits it),
each knowing its column's header ("Due") and which table it is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from bot.core.importer.events import section_of
from bot.core.importer.when import leading_date

KINDS = ("text", "html", "markdown")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MD_BARE = re.compile(r"<(https?://[^>\s]+)>")
MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
MD_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|>\s*)+")
SEPARATOR = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")
URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:]")
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table",
              "section", "article", "header", "footer", "dt", "dd", "dl", "blockquote", "pre", "hr", "caption",
              "thead", "tbody", "title"}
HEADER_WORDS = re.compile(r"(?i:dates?|day|week|when|session|class|lecture|topics?|subject|readings?|read|"
                          r"materials?|preparation|due|deadlines?|assignments?|homework|notes?)")
ITALIC_TAGS = {"em", "i", "cite"}
SKIP_TAGS = {"script", "style", "head", "noscript", "template", "svg"}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the page: its text (whitespace collapsed), its (text, url) links, whether a heading, its column."""

    text: str
    links: tuple[tuple[str, str], ...] = ()
    heading: bool = False
    column: str | None = None  # a table cell's column header ("Due", "Readings"), when the table has one
    table: int | None = None  # which table of the page the line is in (1, 2, ...), None outside tables
    italic: tuple[str, ...] = ()  # the spans the page sets in italics (*Title*, <em>, <i>, <cite>): often a title
    theme: str | None = None  # a class's line made from a week (weeks.py): the week's theme, its topic if it has none
    note: str | None = None  # and what was guessed making it, for a `# check:`
    outside: bool = False  # a line that ends the class above it (the schedule of weeks ended, a break between weeks)
    row: int | None = None  # a text table's row (its cells share it), to read a row outside the classes as one


def guess_kind(text: str, name: str = "") -> str:
    """'html', 'markdown' or 'text', from the file name's extension, else from the content."""
    lowered = name.lower()
    if lowered.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lowered.endswith((".md", ".markdown")):
        return "markdown"
    if lowered.endswith(".txt"):
        return "text"
    head = text[:4000].lower()
    if re.search(r"<(html|body|table|p|div|ul|h[1-6])\b", head):
        return "html"
    if re.search(r"^#{1,6} \S", text, re.M) or MD_LINK.search(text) or re.search(r"^\|.*\|\s*$", text, re.M):
        return "markdown"
    return "text"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _is_header(cells: list[str]) -> bool:
    """A row of column names: short, no digits, and one of them a schedule's column ("Date", "Topic", ...)."""
    return len(cells) >= 2 and all(len(c.split()) <= 3 and not re.search(r"\d", c) for c in cells) and any(
        HEADER_WORDS.fullmatch(c.strip()) for c in cells)


def _text_line(cell: str, column: str | None = None, table: int | None = None, row: int | None = None) -> Line | None:
    cleaned = _clean(cell)
    return Line(cleaned, tuple((u, u) for u in URL.findall(cleaned)), column=column, table=table,
                row=row) if cleaned else None


def _caps_heading(raw: str) -> bool:
    """A plain-text page's heading in capitals ("COURSE CALENDAR", "ASSIGNMENTS"): it ends the class above."""
    text = raw.strip().rstrip(":")
    return 4 <= len(text) <= 40 and len(text.split()) <= 5 and text.isupper() and not re.search(r"\d", text)


def _section_heading(raw: str) -> bool:
    """A plain-text page's short heading naming a section of facts ("Important dates"): it ends the class above."""
    text = raw.strip().rstrip(":")
    return len(text.split()) <= 4 and not re.search(r"[\d.,;]", text) and section_of(text) is not None


def _gapped(raw: str) -> list[tuple[int, str]]:
    """The cells of a line whose columns are runs of 2+ spaces apart, with where each starts."""
    return [(m.start(), m[0]) for m in re.finditer(r"\S+(?: \S+)*", raw.expandtabs(8))]


def text_lines(text: str) -> list[Line]:
    """A flattened page: one line per non-blank line; bare URLs kept as links.

    A table pasted as text is read as one: tab-separated cells, or cells 2+ spaces apart under a header row that
    shows the columns ("Date    Topic    Reading"); each cell is a line knowing its column, as in an HTML table.
    """
    found: list[Line] = []
    table, headers, tabbed = 0, [], False
    starts: list[int] = []
    for row, raw in enumerate(text.splitlines()):
        if not raw.strip():
            continue
        if "\t" in raw.strip():
            cells = raw.strip("\r\n").split("\t")
            if not tabbed:
                table, tabbed, starts = table + 1, True, []
                headers = [_clean(c) for c in cells] if _is_header([_clean(c) for c in cells if c.strip()]) else []
                if headers:
                    continue
            found += [x for i, c in enumerate(cells)
                      if (x := _text_line(c, headers[i] if i < len(headers) else None, table, row))]
            continue
        tabbed = False
        gapped = _gapped(raw)
        if starts and (len(gapped) > 1 or raw[:1].isspace()) and all(
                any(abs(at - s) <= 2 for s in starts) for at, _ in gapped):
            for at, cell in gapped:
                column = next((h for s, h in reversed(list(zip(starts, headers, strict=True))) if s <= at + 1),
                              headers[0])
                found += [x for x in [_text_line(cell, column, table, row)] if x]
            continue
        starts = []
        if len(gapped) > 2 and _is_header([c for _, c in gapped]):
            table, starts, headers = table + 1, [s for s, _ in gapped], [_clean(c) for _, c in gapped]
            continue
        if len(gapped) > 1 and leading_date(gapped[0][1]):  # "Sep 8 (M)    Topic    Reading: …" with no header
            found += [x for _, cell in gapped if (x := _text_line(cell))]
            continue
        if _caps_heading(raw) or _section_heading(raw):
            found.append(Line(_clean(raw), outside=True))
            continue
        found += [x for x in [_text_line(raw)] if x]
    return found


def markdown_lines(text: str) -> list[Line]:
    """Headings, list items and paragraphs; a table row's cells one line each; [text](url) kept as links."""
    found: list[Line] = []
    rows = text.splitlines()
    headers: list[str] = []
    table, in_table = 0, False
    for at, raw in enumerate(rows):
        stripped = raw.strip()
        if not stripped.startswith("|"):
            headers, in_table = [], in_table and not stripped
        elif not in_table:
            table, in_table = table + 1, True
        if not stripped or SEPARATOR.fullmatch(stripped) or re.fullmatch(r"[-*_=]{3,}", stripped):
            continue
        cells = [c for c in stripped.strip("|").split("|")] if stripped.startswith("|") else [stripped]
        if stripped.startswith("|") and at + 1 < len(rows) and SEPARATOR.fullmatch(rows[at + 1].strip()):
            headers = [_clean(MD_EMPHASIS.sub(r"\2", c)) for c in cells]
        heading = stripped.startswith("#")
        for index, cell in enumerate(cells):
            column = headers[index] if stripped.startswith("|") and index < len(headers) else None
            for part in re.split(r"<br\s*/?>", cell):
                links = tuple((_clean(t), u) for t, u in MD_LINK.findall(part)) + tuple(
                    (u, u) for u in MD_BARE.findall(part))
                plain = MD_BARE.sub(r"\1", MD_LINK.sub(lambda m: m[1], MD_PREFIX.sub("", part)))
                italic = tuple(_clean(MD_EMPHASIS.sub(r"\2", m[2])) for m in MD_EMPHASIS.finditer(plain)
                               if m[1] == "*")
                plain = _clean(MD_EMPHASIS.sub(r"\2", plain))
                if plain:
                    in_row = stripped.startswith("|")
                    found.append(Line(plain, links, heading, column, table if in_row else None, italic,
                                      row=at if in_row else None))
    return found


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.href: str | None = None
        self.anchor: list[str] = []
        self.skipping = 0
        self.heading = False
        self.headers: list[str] = []  # the current table's column headers
        self.row_headers: list[str] = []
        self.cell = -1
        self.column: str | None = None
        self.tables: list[int] = []  # the open tables (nested ones inside the outermost)
        self.table_count = 0
        self.italic: list[str] = []
        self.in_italic: list[str] | None = None
        self.row = 0

    def flush(self) -> None:
        text = _clean("".join(self.parts))
        if text:
            self.lines.append(Line(text, tuple(self.links), self.heading, self.column,
                                   self.tables[0] if self.tables else None, tuple(self.italic),
                                   row=self.row if self.tables else None))
            if self.column == "":  # a header cell: its text names the column
                self.row_headers.append(text)
        self.parts, self.links, self.heading, self.italic = [], [], False, []

    def _table(self, tag: str, start: bool) -> None:
        if tag == "table":
            self.headers, self.column = [], None
            if start:
                self.table_count += 1
                self.tables.append(self.table_count)
            elif self.tables:
                self.tables.pop()
        elif tag == "tr" and start:
            self.cell, self.row_headers, self.row = -1, [], self.row + 1
        elif tag == "tr" and self.row_headers:
            self.headers = self.row_headers
        elif tag in {"td", "th"} and start:
            self.cell += 1
            self.column = "" if tag == "th" else (self.headers[self.cell] if self.cell < len(self.headers) else None)
        elif tag in {"td", "th"}:
            self.column = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.flush()
            self._table(tag, True)
            self.heading = tag in {"h1", "h2", "h3", "h4", "h5", "h6"}
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.anchor = []
        elif tag in ITALIC_TAGS:
            self.in_italic = []

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.flush()
            self._table(tag, False)
        elif tag == "a" and self.href is not None:
            if re.match(r"(https?:|mailto:|/|\.|[\w-]+\.(html?|pdf))", self.href):
                self.links.append((_clean("".join(self.anchor)), self.href))
            self.href = None
        elif tag in ITALIC_TAGS and self.in_italic is not None:
            if span := _clean("".join(self.in_italic)):
                self.italic.append(span)
            self.in_italic = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.parts.append(data)
        if self.href is not None:
            self.anchor.append(data)
        if self.in_italic is not None:
            self.in_italic.append(data)


def html_lines(text: str) -> list[Line]:
    """Block elements and table cells one line each (scripts and styles left out), <a href> kept as links."""
    parser = _Flattener()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.lines


def page_lines(text: str, kind: str) -> list[Line]:
    if kind not in KINDS:
        raise ValueError(f"kind should be one of {', '.join(KINDS)}, not “{kind}”.")
    return {"text": text_lines, "html": html_lines, "markdown": markdown_lines}[kind](text)
