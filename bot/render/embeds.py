"""Answers → Discord embeds, packed within Discord's limits without dropping content.

Each answer is first described as a `Doc` (title, description lines, sections);
`pack` then splits it at line boundaries into embeds and, past 6000 characters,
into several messages.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import discord
from discord.utils import escape_mentions, format_dt

from bot.core.dates import short_date
from bot.core.model import Course
from bot.core.queries import (
    CourseOver,
    DeadlinesAnswer,
    DueItem,
    ExamDay,
    NoClass,
    OfficeHoursAnswer,
    Readings,
    ScheduleAnswer,
)
from bot.core.search import SearchAnswer
from bot.core.tracker import TrackerStatus
from bot.render import words

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
MESSAGE_EMBED_CHARS_MAX = 6000
EMBEDS_PER_MESSAGE_MAX = 10
CONTENT_MAX = 2000

COLOUR = discord.Colour(0x3B6EA5)
CANCELLED_COLOUR = discord.Colour(0x9E9E9E)
ERROR_COLOUR = discord.Colour(0xC0392B)


MARKDOWN = re.compile(r"([\\*_~`|\[\]])")  # anywhere; escaped [ ] already stop masked links
LINE_START = re.compile(r"^(\s*)([#>\-])", re.MULTILINE)  # headings, quotes, lists and subtext start a line
NOT_A_LINK = re.compile(r"(https?):(?=//)")
ORDERED_LIST = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
# Discord's autolinks, in which it renders no markdown, and the closing punctuation after one ("(see http://x)."):
# a backslash there would become part of the link, so that is left as typed too (it cannot start markdown).
AUTOLINK = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s][.,:;\"')\]]*|<[^: >]+:/[^ >]+>")


def _escape(text: str) -> str:
    """Text that holds no link, escaped; an 'http://' in it keeps its ':' escaped so no backslash makes it one."""
    text = ORDERED_LIST.sub(r"\1\\.", LINE_START.sub(r"\1\\\2", MARKDOWN.sub(r"\\\1", text)))
    return NOT_A_LINK.sub(r"\1\\:", text)


def safe(text: str) -> str:
    """Text from the schedule or a user, shown literally: every markdown character escaped, no mentions.

    discord.py's escape_markdown misses some constructs (a second masked link, a dash after
    blank lines), so every character that can start markdown is escaped, except inside bare
    links, which Discord shows as they are (and which a backslash would break).
    """
    return escape_mentions(_escape_outside_links(text))


def instructor_markdown(text: str) -> str:
    """An instructor's own text (/announce), shown as typed — bold, lists, links — with mentions disarmed.

    An unclosed code block is closed, so it cannot swallow what the embed shows after it.
    """
    text = escape_mentions(text)
    if text.count("```") % 2:
        text += "\n```"
    return text


def _escape_outside_links(text: str) -> str:
    parts, start = [], 0
    for link in AUTOLINK.finditer(text):
        parts += [_escape(text[start:link.start()]), link[0]]
        start = link.end()
    parts.append(_escape(text[start:]))
    return "".join(parts)


def link_target(url: str) -> str:
    """A validated link as the target of a masked link: in <…> (no preview card), '@everyone'/'@here' encoded.

    The target is not shown, but Discord's parser would still see a mention in it; '%40' is the same address.
    """
    return re.sub(r"@(?=everyone|here)", "%40", url)


@dataclass
class Doc:
    """An answer laid out for Discord, before it is fitted to the limits."""

    title: str
    lines: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    footer: str | None = None
    colour: discord.Colour = COLOUR


def _split(line: str, limit: int) -> list[str]:
    """A too-long line in pieces of at most `limit`, each shown as the whole line would be.

    The cut is at the last line break, else space, in the second half; failing both, never inside an escape
    (a markdown one or a mention's) or a link. A link longer than `limit` is cut and its rest shown as escaped
    text. A piece that now starts a description or a field keeps its first characters literal ('# ', '> ',
    '- ', '1. ' would otherwise start a heading, quote or list).
    """
    pieces = []
    while len(line) > limit:
        cut = line.rfind("\n", limit // 2, limit) + 1 or line.rfind(" ", limit // 2, limit) + 1 or limit
        link = next((m for m in AUTOLINK.finditer(line) if m.start() < cut < m.end()), None)
        if link is not None and link.start() > 0:
            cut = link.start()
        elif link is not None:
            line = line[:cut] + _escape_outside_links(line[cut:link.end()]) + line[link.end():]
        elif (len(line[:cut]) - len(line[:cut].rstrip("\\"))) % 2 or line[cut - 1:cut + 1] == "@\u200b":
            cut -= 1
        pieces.append(line[:cut])
        first, newline, others = line[cut:].partition("\n")
        line = ORDERED_LIST.sub(r"\1\\.", LINE_START.sub(r"\1\\\2", first)) + newline + others
    return [*pieces, line]


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into pieces of at most `limit` characters, breaking between lines (and inside a too-long line)."""
    pieces: list[str] = []
    current = ""
    for line in lines:
        if len(line) > limit:
            if current:
                pieces.append(current)
            *whole, line = _split(line, limit)
            pieces += whole
            current = ""
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces or [""]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _embed_chars(embed: discord.Embed) -> int:
    return (len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
            + sum(len(f.name or "") + len(f.value or "") for f in embed.fields))


def pack(doc: Doc) -> list[list[discord.Embed]]:
    """Fit a Doc into messages of embeds, each within every Discord limit."""
    title = _clip(doc.title, TITLE_MAX)
    lines = doc.lines if title == doc.title else [f"**{doc.title}**", *doc.lines]
    fields = [
        (_clip(name if i == 0 else f"{name} (cont.)", FIELD_NAME_MAX), value)
        for name, body in doc.sections for i, value in enumerate(_chunks(body, FIELD_VALUE_MAX))
    ]
    footer = _clip(doc.footer, FOOTER_MAX) if doc.footer else None
    embeds = [discord.Embed(title=title, colour=doc.colour)]
    for i, piece in enumerate(_chunks(lines, DESCRIPTION_MAX) if lines else []):
        if i:
            embeds.append(discord.Embed(colour=doc.colour))
        embeds[-1].description = piece
    reserve = len(footer or "")  # the footer goes on the last embed
    for name, value in fields:
        embed = embeds[-1]
        size = _embed_chars(embed) + len(name) + len(value) + reserve
        if len(embed.fields) >= FIELDS_MAX or size > MESSAGE_EMBED_CHARS_MAX:
            embed = discord.Embed(colour=doc.colour)
            embeds.append(embed)
        embed.add_field(name=name, value=value or "\u200b", inline=False)
    if footer:
        if _embed_chars(embeds[-1]) + len(footer) > MESSAGE_EMBED_CHARS_MAX:
            embeds.append(discord.Embed(colour=doc.colour))
        embeds[-1].set_footer(text=footer)
    messages: list[list[discord.Embed]] = [[]]
    used = 0
    for embed in embeds:
        size = _embed_chars(embed)
        if messages[-1] and (used + size > MESSAGE_EMBED_CHARS_MAX or len(messages[-1]) >= EMBEDS_PER_MESSAGE_MAX):
            messages.append([])
            used = 0
        messages[-1].append(embed)
        used += size
    return messages


def readings(answer: Readings | ExamDay | NoClass | CourseOver) -> Doc:
    if isinstance(answer, NoClass):
        return Doc("No class that day", [safe(words.no_class_text(answer))])
    if isinstance(answer, CourseOver):
        title = "Classes have ended" if answer.still_due else "The course has ended"
        lines = [safe(words.course_over_text(answer))]
        lines += [f"📌 {safe(words.due_item_line(i))}" + _relative(i) for i in answer.still_due]
        return Doc(title, lines)
    if isinstance(answer, ExamDay):
        lines = [safe(x) for x in words.exam_lines(answer)]
        if answer.start is not None and not answer.happening_now:
            lines.append(f"Starts {format_dt(answer.start, 'F')} ({format_dt(answer.start, 'R')})")
        return Doc(words.exam_heading(answer), lines)
    s = answer.session
    heading = words.session_heading(s, answer.kind) + (" — cancelled" if s.cancelled else "")
    lines = [safe(x) for x in (words.due_phrase(answer),) if x]
    if not s.cancelled:
        if answer.happening_now:
            lines.append(safe(words.where_line(answer.class_start, answer.class_end, answer.room, True) or ""))
        else:
            if start := answer.class_start:
                lines.append(f"Class starts {format_dt(start, 'F')} ({format_dt(start, 'R')})")
            if answer.room:
                lines.append(f"Room: {safe(answer.room)}")
    sections = []
    if s.papers and not s.cancelled:
        paper_lines = []
        for i, paper in enumerate(s.papers, 1):
            title, extra = words.paper_line(paper)
            shown = f"[{safe(title)}](<{link_target(paper.url)}>)" if paper.url else safe(title)
            paper_lines.append(f"{i}. **{shown}**" + (f"\n   {safe(extra)}" if extra else ""))
        sections.append(("Papers", paper_lines))
    if s.resources and not s.cancelled:
        sections.append((s.resources_heading, [f"• {_linked(words.resource_line(r), r.url)}" for r in s.resources]))
    colour = CANCELLED_COLOUR if s.cancelled else COLOUR
    return Doc(heading, lines, sections, words.neighbours_line(answer.previous, answer.next), colour)


def _linked(text: str, url: str | None) -> str:
    return f"[{safe(text)}](<{link_target(url)}>)" if url else safe(text)


def _relative(item: DueItem) -> str:
    return f" ({format_dt(item.due, 'R')})" if item.exact_time else ""


@functools.lru_cache(maxsize=512)
def readings_messages(answer: Readings | ExamDay | NoClass | CourseOver) -> list[list[discord.Embed]]:
    """The packed readings answer; answers are immutable values, so the hot command renders each once."""
    return pack(readings(answer))


def schedule(answer: ScheduleAnswer) -> Doc:
    sections = []
    for week in answer.weeks:
        label = f"Week {week.number} · from {short_date(week.monday)}" if week.number else \
            f"Week of {short_date(week.monday)}"
        dated = []  # classes and what is due, in date order (a class before what is due at the end of its day)
        for s in week.sessions:
            if s.cancelled:
                line = f"~~{short_date(s.date)} · Class {s.number} · {safe(s.title)}~~ (cancelled)"
            elif s.is_exam:
                line = f"{short_date(s.date)} · Class {s.number} · **{safe(s.title)}** (exam)"
            else:
                line = (f"{short_date(s.date)} · Class {s.number} · **{safe(s.title)}**"
                        + words.papers_mark(s, answer.has_critiques, " — "))
            dated.append((s.date, 0, line))
        for item in week.due:
            date, title, tail = words.week_due_parts(item)
            mark = "🖊" if item.kind == "exam" else "📌"
            dated.append((item.date, 1, f"{mark} {date} · **{safe(title)}**{safe(tail)}"))
        body = [f"🏖 {safe(words.break_line(b))}" for b in week.breaks]
        body += [line for _, _, line in sorted(dated, key=lambda x: x[:2])]
        sections.append((label, body or ["No classes this week."]))
    lines = ["The course has ended."] if answer.course_over else []
    if answer.starts:
        lines.append(f"The course starts {short_date(answer.starts)}.")
    return Doc("Schedule", lines, sections, "/readings DATE for the papers of a class")


def office_hours(answer: OfficeHoursAnswer) -> Doc:
    lines = [f"**Note from the instructor:** {safe(answer.notice)}"] if answer.notice else []
    if answer.pause:
        lines.append(safe(words.break_now_line(answer.pause)))
    if not answer.slots:
        lines.append("No office hours are listed in the syllabus.")
    sections = []
    for slot in answer.slots:
        h = slot.hours
        body = [words.office_hours_when(h) + (f" · {safe(h.place)}" if h.place else "")]
        if h.link:
            body.append(f"Join: <{link_target(h.link)}>")
        if slot.in_progress and slot.next_end:
            body.append(f"**Happening now**, until {format_dt(slot.next_end, 't')}")
        elif slot.next_start:
            body.append(f"Next: {format_dt(slot.next_start, 'F')} ({format_dt(slot.next_start, 'R')})")
        else:
            body.append(words.no_more_office_hours(answer.course_over))
        skipped = words.skipped_line(slot, answer.now.date())
        if skipped and slot.next_start:
            body.append(skipped)
        if h.note:
            body.append(safe(h.note))
        sections.append((safe(h.who), body))
    return Doc("Office hours", lines, sections)


def deadlines(answer: DeadlinesAnswer, count_line: str | None = None) -> Doc:
    if answer.course_over:
        return Doc("Deadlines", ["Nothing is due any more: the course has ended."])
    if not answer.items:
        return Doc("Deadlines", [words.NOTHING_DUE] + ([count_line] if count_line else []))
    lines = []
    for item in answer.items:
        mark = {"critique": "📝", "exam": "🖊"}.get(item.kind, "📌")
        lines.append(f"{mark} {safe(words.due_item_line(item))}" + _relative(item))
    if answer.hidden_critiques:
        lines.append(f"…and {answer.hidden_critiques} later critique deadlines (/schedule all).")
    if count_line:
        lines += ["", count_line]
    footer = f"Critiques are due before class, {answer.critique_form}. /critique rules" if answer.critique_form \
        else None
    return Doc("What is due next", lines, footer=footer)


def search(answer: SearchAnswer) -> Doc:
    query = safe(answer.query)
    if not answer.hits:
        tip = f" Did you mean “{safe(answer.suggestion)}”?" if answer.suggestion else ""
        return Doc("Search", [f"Nothing in the syllabus matches “{query}”.{tip}"])
    more = f" (showing {len(answer.hits)} of {answer.total})" if answer.total > len(answer.hits) else ""
    lines = []
    for i, hit in enumerate(answer.hits, 1):
        detail = f" — {safe(hit.detail)}" if hit.detail else ""
        lines.append(f"{i}. **{safe(hit.title)}**{detail}\n   {safe(words.hit_place(hit))}")
    return Doc(f"Results for “{query}”{more}", lines)


def critique_rules(course: Course) -> Doc:
    return Doc("Critique rules", [safe(line) for line in words.critique_rules_lines(course)])


def help_doc(course: Course) -> Doc:
    lines = [f"`{c.usage}` — {description}" for c, description in words.help_lines(course)]
    sections = []
    if course.staff:
        sections.append(("Staff", [safe(x) for x in words.staff_lines(course)]))
    if course.links:
        sections.append(("Links", [f"[{safe(name)}](<{link_target(url)}>)" for name, url in course.links]))
    return Doc(f"{course.name} ({course.term})", lines, sections, footer=words.date_tip(course))


def tracker(state: TrackerStatus) -> Doc:
    colour = ERROR_COLOUR if state.warning else COLOUR
    return Doc("Your critiques", [safe(line) for line in words.tracker_lines(state)], colour=colour)
