"""The offline console: slash commands typed in a terminal (or piped in), answered as text.

It runs the same core queries as the Discord cogs and renders them with the
terminal renderer, so what it prints is what the bot will say.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot import critiques
from bot.clock import Clock
from bot.commands import COMMANDS_BY_NAME, CONSOLE_COMMANDS, Command
from bot.core import queries
from bot.core.dates import QueryError, local_now, parse_when
from bot.core.model import Course
from bot.core.search import search
from bot.render import text, words
from bot.settings import Settings
from bot.store import Store, database_exists

PROMPT = "coursebot> "
KNOWN_COMMANDS = {**COMMANDS_BY_NAME, **{c.name: c for c in CONSOLE_COMMANDS}}


@dataclass(frozen=True, slots=True)
class Invocation:
    command: Command
    options: dict[str, str]


class UsageError(ValueError):
    """A console line that is not a known command with known options."""


def parse_line(line: str) -> Invocation:
    """'/readings 9/18', '/readings date:9/18', '/critique rules', '/search flamingo visual'."""
    body = line.strip().lstrip("/").strip()
    words = body.split()
    if not words:
        raise UsageError("Type a command, like /readings next or /help.")
    name = words[0].lower()
    if len(words) > 1 and f"{name} {words[1].lower()}" in KNOWN_COMMANDS:
        name = f"{name} {words[1].lower()}"
    command = KNOWN_COMMANDS.get(name)
    subcommands = [c.split()[1] for c in KNOWN_COMMANDS if c.startswith(f"{name} ")]
    if command is None and subcommands:
        raise UsageError(f"/{name} needs one of: {', '.join(subcommands)} (e.g. /{name} {subcommands[0]}).")
    if command is None:
        close = difflib.get_close_matches(name, KNOWN_COMMANDS, n=1, cutoff=0.5)
        tip = f" Did you mean /{close[0]}?" if close else ""
        raise UsageError(f"There is no command /{name}.{tip} Type /help for the list.")
    rest = body[len(name):].strip() if body.lower().startswith(name) else " ".join(words[len(name.split()):])
    return Invocation(command, _options(command, rest))


def _options(command: Command, rest: str) -> dict[str, str]:
    """Options as Discord shows them (`date:9/23 reason:travel`), or the rest of the line for the first one."""
    if not rest:
        return {}
    names = [o.name for o in command.options]
    if not names:
        raise UsageError(f"/{command.name} takes no options.")
    pattern = re.compile(r"(?:^|\s)([a-z_-]+):", re.IGNORECASE)
    marks = [m for m in pattern.finditer(rest) if m[1].lower() in names]
    if not marks or marks[0].start() != 0:
        unknown = pattern.match(rest)  # "when:9/18" is a mistyped option; "BERT: Pre-training" is text
        if unknown and unknown[1].lower() not in names and not rest[unknown.end():unknown.end() + 1].isspace():
            raise UsageError(f"/{command.name} has no option “{unknown[1]}”; its options: {', '.join(names)}.")
        return {names[0]: rest.strip()}
    found: dict[str, str] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(rest)
        found[m[1].lower()] = rest[m.end():end].strip()
    return found


CALENDAR_HINT = ("The console can't attach files. To get the course calendar (.ics) for your calendar app, run:\n"
                 "  python -m bot calendar -o course.ics")

Answerer = Callable[[Course, dict[str, str], dt.datetime, Settings], str]

ANSWERS: dict[str, Answerer] = {
    "readings": lambda c, o, now, s: text.readings(queries.readings(c, o.get("date"), now)),
    "next": lambda c, o, now, s: text.readings(queries.next_class(c, now)),
    "schedule": lambda c, o, now, s: text.schedule(queries.schedule(c, o.get("week"), now)),
    "officehours": lambda c, o, now, s: text.office_hours(queries.office_hours(c, now)),
    "deadlines": lambda c, o, now, s: text.deadlines(queries.deadlines(c, now)),
    "search": lambda c, o, now, s: text.search(search(c, o.get("query", ""), now=now)),
    "critique rules": lambda c, o, now, s: text.critique_rules(c),
    "calendar": lambda c, o, now, s: CALENDAR_HINT,
    "help": lambda c, o, now, s: text.help_text(c),
    "reminders": lambda c, o, now, s: _reminders(c, o, now, s),
    "critique log": lambda c, o, now, s: _tracker(s, critiques.log_critique, c, o["date"], now),
    "critique remove": lambda c, o, now, s: _tracker(s, critiques.remove_critique, c, o["date"], now),
    "critique status": lambda c, o, now, s: _tracker(s, None, c, "", now),
    "remind on": lambda c, o, now, s: DM_ONLY,
    "remind off": lambda c, o, now, s: DM_ONLY,
    "remind status": lambda c, o, now, s: DM_ONLY,
}
DM_ONLY = "Direct-message reminders need Discord: use /remind on in the course's server. (/reminders shows the plan.)"
CONSOLE_USER = 0  # the console's tracker belongs to whoever sits at the terminal


def _tracker(settings: Settings, action: Callable | None, course: Course, date: str, now: dt.datetime) -> str:
    """Run a tracker action against the real store, as the console user."""

    async def go() -> str:
        store = await Store.open(settings.database)
        try:
            if action is None:
                return "\n".join(words.tracker_lines(await critiques.critique_status(store, course, CONSOLE_USER,
                                                                                     now)))
            return await action(store, course, CONSOLE_USER, date, now)
        finally:
            await store.close()

    return asyncio.run(go())


def _reminders(course: Course, options: dict[str, str], now: dt.datetime, settings: Settings) -> str:
    """The plan from `from` (default: now) to `to` (default: a week later), with ledger states."""
    from bot.delivery import plan_with_states  # imports discord.py: only when asked

    start = parse_when(course, options["from"], now).date if options.get("from") else local_now(course, now).date()
    end = parse_when(course, options["to"], now).date if options.get("to") else start + dt.timedelta(days=7)
    rows = asyncio.run(plan_with_states(course, settings.reminders, settings.database,
                                        database_exists(settings.database)))
    shown = [(r, e) for r, e in rows if start <= r.at.astimezone(course.timezone).date() <= end]
    return text.reminder_plan(shown, settings.reminder_channel_id, now, course.timezone)


def answer(course: Course, line: str, now: dt.datetime, settings: Settings | None = None) -> str:
    """One console line → the text the bot would answer (errors included, as the user sees them)."""
    try:
        invocation = parse_line(line)
        if invocation.command.name.startswith("critique") and not course.has_critiques:
            raise UsageError(words.NO_CRITIQUES)
        missing = [o.name for o in invocation.command.options if o.required and not invocation.options.get(o.name)]
        if missing:
            raise UsageError(f"/{invocation.command.name} needs {', '.join(missing)}: {invocation.command.usage}")
        return ANSWERS[invocation.command.name](course, invocation.options, now, settings or Settings())
    except (UsageError, QueryError) as exc:
        return str(exc)


def run(course: Course, clock: Clock, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
        settings: Settings | None = None) -> int:
    """Read commands until end of input or `quit`; print each answer."""
    interactive = stdin.isatty()
    if interactive:
        print(f"{course.title} ({course.term}) — offline console. Type /help, or quit to leave.", file=stdout)
    first = True
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() in ("quit", "exit", "/quit", "/exit"):
            break
        if not first and not interactive:
            print(file=stdout)
        print(answer(course, line, clock(), settings), file=stdout, flush=True)
        first = False
    return 0


def parse_now(value: str, course: Course) -> dt.datetime:
    """`--now`: 'YYYY-MM-DD HH:MM' or ISO 8601, in the course's time zone unless it carries an offset."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--now “{value}” is not a date and time; use \"YYYY-MM-DD HH:MM\" or ISO 8601.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=course.timezone)
