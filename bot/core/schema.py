"""A small schema toolkit for hand-written YAML: walk the node tree, convert values, collect problems with lines.

Both `schedule.yaml` (bot/core/loader.py) and `config/bot.yaml` (bot/settings.py) are read with it, so
an instructor and an operator get the same kind of message for the same kind of mistake. Converters take
the text as written and raise `ValueError` with advice; the `Reader` turns that into a `Problem`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.core.model import is_web_link, parse_weekday

T = TypeVar("T")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
NULL_TAG = "tag:yaml.org,2002:null"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster, same nodes
MAX_NODES = 200_000  # a course of 500 sessions has ~30,000; more is a mistake or an attack
MAX_DEPTH = 30
SCREEN_ABOVE_CHARS = 100_000  # a text this short holds far fewer than MAX_NODES values: built before it is checked


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file, where it is and what to do about it."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class Reader:
    """Walks a node tree, converting values and collecting problems instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.file, line, message))

    def mapping(self, node: yaml.Node, where: str, keys: dict[str, bool]) -> dict[str, yaml.Node] | None:
        """The keys of a mapping node; unknown, repeated and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{where} should be a set of “key: value” lines, but it is {describe(node)}.")
            return None
        found: dict[str, yaml.Node] = {}
        suggested: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in found:
                self.problem(key_node, f"{where} has “{key}” twice; keep only one.")
                continue
            if key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
                tip = f" Did you mean “{hint[0]}”?" if hint else f" Known keys: {', '.join(keys)}."
                suggested.update(hint)
                self.problem(key_node, f"{where} has an unknown key “{key[:60]}”.{tip}")
                continue
            found[key] = value_node
        for key, required in keys.items():
            if required and key not in found and key not in suggested:
                self.problem(node, f"{where} is missing “{key}”.")
        return found

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node]:
        if node is None or is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where} should be a list (lines starting with “- ”), but it is {describe(node)}.")
            return []
        return list(node.value)

    def scalar(self, node: yaml.Node | None, where: str, convert: Callable[[str], T], *,
               required: bool = False) -> T | None:
        """Convert a scalar; `None` for an absent or empty value (`mapping` reports absent required keys)."""
        if node is None:
            return None
        if is_null(node):
            if required:
                self.problem(node, f"{where} is empty; give it a value.")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{where} should be a single value, but it is {describe(node)}.")
            return None
        try:
            return convert(str(node.value))
        except ValueError as exc:
            self.problem(node, f"{where}: {exc}")
            return None

    def text(self, node: yaml.Node | None, where: str, *, required: bool = False) -> str | None:
        value = self.scalar(node, where, lambda raw: raw.strip(), required=required)
        if required and value == "":
            self.problem(node, f"{where} is empty; give it a value.")
        return value or None

    def texts(self, node: yaml.Node | None, where: str) -> tuple[str, ...]:
        items = (self.text(n, f"{where}, item {i}", required=True) for i, n in enumerate(self.sequence(node, where), 1))
        return tuple(t for t in items if t)

    def items(self, node: yaml.Node | None, where: str, convert: Callable[[str], T]) -> tuple[T, ...]:
        """A list of scalars, each converted; a bad item is a problem and left out."""
        found = (self.scalar(n, f"{where}, item {i}", convert, required=True)
                 for i, n in enumerate(self.sequence(node, where), 1))
        return tuple(v for v in found if v is not None)

    def url(self, node: yaml.Node | None, where: str) -> str | None:
        return self.scalar(node, where, web_link)


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a set of key: value lines"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"“{str(node.value)[:80]}”"


def compose(text: str, file: str) -> yaml.Node | None:
    """The node tree of a YAML text; aliases (which can multiply a small file into a huge one), deep nesting and
    more than MAX_NODES values are refused.

    A text that could hold an anchor or alias (a “&” or “*”), or is long enough to hold MAX_NODES values, is first
    screened event by event, so that nothing is built for a refused one; any other text (every usual course file) is
    built at once and its tree checked, which costs a tenth as much. libyaml itself stops at 1,000 levels.
    Raises `ValueError` with a `Problem`-ready message (line, advice) for text that is not YAML.
    """
    try:
        if len(text) > SCREEN_ABOVE_CHARS or "&" in text or "*" in text:
            _screen(text)
        root = yaml.compose(text, Loader=LOADER)
        if root is not None:
            _check_tree(root)
        return root
    except Refused as exc:
        raise FileProblem(Problem(file, exc.line, f"The file {exc.what}.")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in what:
            raise FileProblem(Problem(file, mark.line + 1 if mark is not None else None,
                                      f"The file {TOO_DEEP}.")) from None
        opened = _unclosed_quote(text, mark.line if mark is not None else None)
        if opened is not None and mark is not None:
            raise FileProblem(Problem(file, opened, "A quoted value starts here and is never closed (YAML then "
                                      f"breaks at line {mark.line + 1}): add the closing quote.")) from None
        line = mark.line + 1 if mark is not None else None
        raise FileProblem(Problem(file, line, f"This is not valid YAML here ({what}). "
                                              "Check the indentation and quote text that contains “: ”.")) from None


UNCLOSED = re.compile(r'^\s*(?:-\s+)?(?:[^"#:]+:\s+)?"(?:[^"\\]|\\.)*$')


def _unclosed_quote(text: str, before: int | None) -> int | None:
    """The first line (1-based) before the error whose value opens a double quote it does not close: YAML reads on
    to the next quote and reports a later line, far from the mistake."""
    if before is None:
        return None
    for number, line in enumerate(text.split("\n")[:before], 1):
        if UNCLOSED.match(line):
            return number
    return None


class FileProblem(ValueError):
    """The text as a whole cannot be read; `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class Refused(Exception):
    """The text is YAML, but not a kind a course file can be: anchors, too deep, too many values."""

    def __init__(self, mark: yaml.Mark | None, what: str) -> None:
        self.line = mark.line + 1 if mark is not None else None
        self.what = what
        super().__init__(what)


ALIASES = "uses a YAML anchor or alias (& or *); write each value out in full"
TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep; a course file needs a few"
TOO_MANY = f"has more than {MAX_NODES:,} values; a course file is far smaller"


def _screen(text: str) -> None:
    """Refuse anchors, aliases, deep nesting and too many values from the parser's events, before anything is
    built."""
    loader = LOADER(text)
    try:
        depth = count = 0
        while loader.check_event():
            event = loader.get_event()
            count += 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise Refused(event.start_mark, ALIASES)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise Refused(event.start_mark, TOO_DEEP)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if count > MAX_NODES:
                raise Refused(event.start_mark, TOO_MANY)
    finally:
        loader.dispose()


def _check_tree(root: yaml.Node) -> None:
    """Refuse a built tree nested too deep or with too many values (a text without “&” holds no alias)."""
    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise Refused(node.start_mark, TOO_MANY)
        if isinstance(node, yaml.ScalarNode):
            continue
        if depth > MAX_DEPTH:
            raise Refused(node.start_mark, TOO_DEEP)
        if isinstance(node, yaml.SequenceNode):
            stack += [(child, depth + 1) for child in node.value]
        else:
            stack += [(part, depth + 1) for pair in node.value for part in pair]


# --- converters: text as written → value, or ValueError with advice ------------------------------

def whole_number(raw: str) -> int:
    digits = raw.strip().replace("_", "")
    if not re.fullmatch(r"[-+]?[0-9]{1,9}", digits):  # not 0x1f, 1:30 or 1e9
        raise ValueError(f"“{raw}” should be a whole number, like 3.")
    return int(digits)


def yes_no(raw: str) -> bool:
    word = raw.strip().lower()
    if word not in ("true", "false", "yes", "no", "on", "off"):
        raise ValueError(f"“{raw}” should be true or false.")
    return word in ("true", "yes", "on")


def iso_date(raw: str) -> dt.date:
    text = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        raise ValueError(f"“{text}” should be a date written as YYYY-MM-DD (year, month, day).")
    year, month, day = (int(p) for p in text.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text}” is not a real date (check the month and the day).") from None


def time_of_day(raw: str) -> dt.time:
    text = raw.strip()
    match = TIME_RE.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"“{text}” should be a time written as HH:MM (24-hour), like \"14:00\".")
    return dt.time(int(match[1]), int(match[2]))


def date_and_time(raw: str) -> tuple[dt.date, dt.time | None]:
    """'2025-02-14 23:59' (or with a T) → the date and the time; a date alone → (date, None)."""
    text = raw.strip()
    match = re.fullmatch(r"(\S+?)(?:[ T]+(\S+))?", text)
    if not match or not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", match[1]):
        raise ValueError(f"“{text}” should be a date and time written as YYYY-MM-DD HH:MM (or a date alone, "
                         "which means the end of that day).")
    day = iso_date(match[1])
    if match[2] is None:
        return day, None
    clock = match[2][:-3] if re.fullmatch(r"\d{1,2}:\d{2}:00", match[2]) else match[2]
    try:
        return day, time_of_day(clock)
    except ValueError:
        raise ValueError(f"“{text}” should be a date and a 24-hour time, like {day.isoformat()} 23:59.") from None


def weekday(raw: str) -> int:
    day = parse_weekday(raw)
    if day is None:
        raise ValueError(f"“{raw}” is not a day of the week; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.")
    return day


def time_zone(raw: str) -> ZoneInfo:
    text = raw.strip()
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder of zones: IsADirectoryError
        raise ValueError(f"“{text}” is not a time zone name; use one like America/New_York.") from None


def one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ValueError(f"“{raw}” should be one of: {', '.join(choices)}.")
        return value
    return convert


def web_link(raw: str) -> str:
    text = raw.strip()
    if not is_web_link(text):
        raise ValueError(f"the url “{text[:80]}” should be a web address starting with https:// "
                         "(no spaces, no user name before the site).")
    return text


def identifier(raw: str) -> str:
    text = raw.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", text):
        raise ValueError(f"“{text[:60]}” should be a short id of letters, digits, - or _ (like hw3).")
    return text
