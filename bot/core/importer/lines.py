"""A syllabus page (text, HTML or Markdown) → its lines of text, each with the links it holds.

Every shape becomes the same thing: one `Line` per paragraph, list item, heading or table cell, in page order, so
the reading of sessions and citations (bot/core/importer/__init__.py) does not care where the page came from.
A table row's cells become consecutive lines (the date cell starts a session; a cell's <br> or <li> splits it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

KINDS = ("text", "html", "markdown")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MD_BARE = re.compile(r"<(https?://[^>\s]+)>")
MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
MD_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|>\s*)+")
URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:]")
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table",
              "section", "article", "header", "footer", "dt", "dd", "dl", "blockquote", "pre", "hr", "caption",
              "thead", "tbody", "title"}
SKIP_TAGS = {"script", "style", "head", "noscript", "template", "svg"}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the page: its text (whitespace collapsed), the (text, url) links in it, and whether a heading."""

    text: str
    links: tuple[tuple[str, str], ...] = ()
    heading: bool = False


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


def text_lines(text: str) -> list[Line]:
    """A flattened page: one line per non-blank line; bare URLs kept as links."""
    found = []
    for raw in text.splitlines():
        cleaned = _clean(raw)
        if cleaned:
            found.append(Line(cleaned, tuple((u, u) for u in URL.findall(cleaned))))
    return found


def markdown_lines(text: str) -> list[Line]:
    """Headings, list items and paragraphs; a table row's cells one line each; [text](url) kept as links."""
    found = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or re.fullmatch(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?", stripped) or \
                re.fullmatch(r"[-*_=]{3,}", stripped):
            continue
        cells = [c for c in stripped.strip("|").split("|")] if stripped.startswith("|") else [stripped]
        heading = stripped.startswith("#")
        for cell in cells:
            for part in re.split(r"<br\s*/?>", cell):
                links = tuple((_clean(t), u) for t, u in MD_LINK.findall(part)) + tuple(
                    (u, u) for u in MD_BARE.findall(part))
                plain = MD_BARE.sub(r"\1", MD_LINK.sub(lambda m: m[1], MD_PREFIX.sub("", part)))
                plain = _clean(MD_EMPHASIS.sub(r"\2", plain))
                if plain:
                    found.append(Line(plain, links, heading))
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

    def flush(self) -> None:
        text = _clean("".join(self.parts))
        if text:
            self.lines.append(Line(text, tuple(self.links), self.heading))
        self.parts, self.links, self.heading = [], [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.flush()
            self.heading = tag in {"h1", "h2", "h3", "h4", "h5", "h6"}
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.anchor = []

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.flush()
        elif tag == "a" and self.href is not None:
            if re.match(r"(https?:|mailto:|/|\.|[\w-]+\.(html?|pdf))", self.href):
                self.links.append((_clean("".join(self.anchor)), self.href))
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.parts.append(data)
        if self.href is not None:
            self.anchor.append(data)


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
