"""Deployment settings: `config/bot.yaml`, each key overridable by `COURSEBOT_<KEY>`.

The file is read with the same schema toolkit as `schedule.yaml` (bot/core/schema.py): the same node tree
with lines, the same converters, the same kind of message for the same kind of mistake. Every problem is
collected (file:line, or the environment variable's name) before `SettingsError` is raised.

The token is deliberately not a setting: it comes from `DISCORD_TOKEN` only.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from bot.core import schema
from bot.core.planner import ReminderSettings
from bot.core.schema import FileProblem, Problem, Reader

DEFAULT_CONFIG = "config/bot.yaml"
LEAD_TIME_MAX = 999  # hours or days: more is a typo


@dataclass(frozen=True, slots=True)
class Settings:
    guild_id: int | None = None
    reminder_channel_id: int | None = None
    announce_channel_id: int | None = None
    instructor_role_id: int | None = None
    student_role_id: int | None = None
    database: str = "data/coursebot.sqlite3"
    schedule: str = "schedule.yaml"
    critique_cutoff: dt.time | None = None  # the default for a course whose schedule.yaml sets none
    reminder_evening: dt.time | None = dt.time(18, 0)
    reminder_morning: dt.time | None = dt.time(8, 0)
    reminder_hours_before: tuple[int, ...] = (24, 2)  # critiques, when the class start is known
    deadline_reminder_hours: tuple[int, ...] = (24, 2)  # homework, quizzes, other deadlines
    project_reminder_days: tuple[int, ...] = (7, 1, 0)
    exam_reminder_days: tuple[int, ...] = (7, 1, 0)
    weekly_digest: bool = True
    office_hours_reminder: bool = False
    feed_port: int | None = None  # the live calendar feed's port (off when unset)
    feed_host: str = "127.0.0.1"
    public_url: str | None = None  # where students reach the feed (the operator's HTTPS proxy)
    calendar_feed: bool = True  # a server may turn the feed off with /setup
    scheduled_events: bool | None = None  # Discord events: None = on when the bot may create events
    events_days: int = 14
    shard_count: int | None = None  # discord.py's sharding: how many shards the bot's servers are split into
    shard_ids: tuple[int, ...] | None = None  # the shards this process runs (all of them when unset)
    api_base: str | None = None  # tests only: where the fake Discord listens

    def owns(self, guild_id: int) -> bool:
        """Whether this process serves the server: Discord puts it on shard (id >> 22) % shard_count."""
        if self.shard_count is None or self.shard_ids is None:
            return True
        return (guild_id >> 22) % self.shard_count in self.shard_ids

    @property
    def reminders(self) -> ReminderSettings:
        """The planner's view of these settings (the critique cut-off is the course's: `Course.cutoff`)."""
        return ReminderSettings(
            evening_before=self.reminder_evening, morning_of=self.reminder_morning,
            hours_before=self.reminder_hours_before, deadline_hours_before=self.deadline_reminder_hours,
            project_days_before=self.project_reminder_days, exam_days_before=self.exam_reminder_days,
            digest=self.weekly_digest, office_hours=self.office_hours_reminder,
        )


class SettingsError(Exception):
    """The settings could not be read; `problems` holds one line per problem, with file and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# --- converters: the toolkit's, plus the few kinds of value only the deployment has --------------

class _Empty:
    """An empty value: the setting is unset (None) where it may be, its default otherwise."""


EMPTY = _Empty()


def discord_id(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"\d{17,20}", text):
        raise ValueError(f"“{text[:60]}” should be a Discord id (a number of 17 to 20 digits). "
                         "Copy it with Developer Mode: right-click → Copy ID.")
    return int(text)


def switch(raw: str) -> bool:
    """true/false, yes/no, on/off (the toolkit's), and 1/0 as environment variables often say it."""
    text = raw.strip()
    return text == "1" if text in ("1", "0") else schema.yes_no(text)


def lead_time(raw: str) -> int:
    number = schema.whole_number(raw)
    if not 0 <= number <= LEAD_TIME_MAX:
        raise ValueError(f"“{raw.strip()}” should be a whole number from 0 to {LEAD_TIME_MAX}.")
    return number


def lead_times(raw: str) -> tuple[int, ...]:
    """'24, 2' or '[24, 2]' (a list written on one line, as in an environment variable) → (24, 2)."""
    text = raw.strip()
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    parts = [p.strip() for p in inner.split(",")] if inner.strip() else []
    if all(parts):
        try:
            return _ordered(lead_time(p) for p in parts)
        except ValueError:
            pass
    raise ValueError(f"“{text[:60]}” should be whole numbers from 0 to {LEAD_TIME_MAX} separated by commas, "
                     "like \"24, 2\".")


def _ordered(values: Any) -> tuple[int, ...]:
    return tuple(sorted(set(values), reverse=True))


def api_base(raw: str) -> str:
    text = raw.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(?:/\S*)?", text):
        raise ValueError(f"“{text[:80]}” should be a URL like http://127.0.0.1:8080.")
    return text


def port(raw: str) -> int:
    number = schema.whole_number(raw)
    if not 1 <= number <= 65535:
        raise ValueError(f"“{raw.strip()}” should be a port number from 1 to 65535, like 8080.")
    return number


def public_url(raw: str) -> str:
    text = raw.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#@]+(?:/[^\s?#]*)?", text):
        raise ValueError(f"“{text[:80]}” should be the address students reach the feed at, like "
                         "https://calendar.example.edu (no query or fragment).")
    return text


def days_ahead(raw: str) -> int:
    number = schema.whole_number(raw)
    if not 1 <= number <= 90:
        raise ValueError(f"“{raw.strip()}” should be a whole number of days from 1 to 90.")
    return number


def shard_count(raw: str) -> int:
    number = schema.whole_number(raw)
    if not 1 <= number <= 10_000:
        raise ValueError(f"“{raw.strip()}” should be the number of shards, a whole number from 1 to 10000.")
    return number


def shard_ids(raw: str) -> tuple[int, ...]:
    """'0,2' or '[0, 2]' → (0, 2)."""
    text = raw.strip()
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    parts = [p.strip() for p in inner.split(",")]
    if all(p.isdigit() for p in parts):
        return tuple(sorted({int(p) for p in parts}))
    raise ValueError(f"“{text[:60]}” should be shard numbers separated by commas, like \"0,2\".")


def _text(raw: str) -> str:
    return raw.strip()


@dataclass(frozen=True, slots=True)
class Key:
    """How one setting is read: its converter, and whether an empty value unsets it (else: its default)."""

    convert: Callable[[str], Any]
    nullable: bool = False
    is_list: bool = False


ID = Key(discord_id, nullable=True)
LEAD_TIMES = Key(lead_times, is_list=True)
SWITCH = Key(switch)
TIME = Key(schema.time_of_day, nullable=True)  # empty: none (no cut-off default; that reminder off)
KEYS: dict[str, Key] = {
    "guild_id": ID, "reminder_channel_id": ID, "announce_channel_id": ID, "instructor_role_id": ID,
    "student_role_id": ID, "database": Key(_text), "schedule": Key(_text),
    "critique_cutoff": TIME, "reminder_evening": TIME, "reminder_morning": TIME,
    "reminder_hours_before": LEAD_TIMES, "deadline_reminder_hours": LEAD_TIMES, "project_reminder_days": LEAD_TIMES,
    "exam_reminder_days": LEAD_TIMES, "weekly_digest": SWITCH, "office_hours_reminder": SWITCH,
    "feed_port": Key(port, nullable=True), "feed_host": Key(_text), "public_url": Key(public_url, nullable=True),
    "calendar_feed": SWITCH, "scheduled_events": Key(switch, nullable=True), "events_days": Key(days_ahead),
    "shard_count": Key(shard_count, nullable=True), "shard_ids": Key(shard_ids, nullable=True),
    "api_base": Key(api_base, nullable=True),
}
assert set(KEYS) == {f.name for f in fields(Settings)}, "every setting needs a Key"


def _convert(key: str, raw: str) -> Any:
    """Text as written → the setting's value, EMPTY for an empty value; ValueError with advice."""
    if not raw.strip():
        return EMPTY
    return KEYS[key].convert(raw)


def _read_file(path: Path, values: dict[str, Any], problems: list[Problem]) -> None:
    """The file's settings into `values`; its problems (with lines) into `problems`."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(file, None, "The settings file is not UTF-8 text."))
        return
    except OSError as exc:
        problems.append(Problem(file, None, f"Cannot read the settings file ({exc.strerror or exc})."))
        return
    try:
        root = schema.compose(text, file)
    except FileProblem as exc:
        problems.append(exc.problem)
        return
    if root is None or schema.is_null(root):
        return
    reader = Reader(file)
    found = reader.mapping(root, "The settings", dict.fromkeys(KEYS, False)) or {}
    for key, node in found.items():
        if KEYS[key].is_list and isinstance(node, yaml.SequenceNode):
            items = reader.items(node, key, lead_time)
            if len(items) == len(node.value):
                values[key] = _ordered(items)
            continue
        if schema.is_null(node):
            values[key] = EMPTY
            continue
        value = reader.scalar(node, key, functools.partial(_convert, key))
        if value is not None:
            values[key] = value
    problems += reader.problems


def _read_environment(env: Mapping[str, str], values: dict[str, Any], problems: list[Problem]) -> None:
    """COURSEBOT_<KEY> overrides into `values`; a bad one is a problem naming its variable."""
    for key in KEYS:
        name = f"COURSEBOT_{key.upper()}"
        if name not in env:
            continue
        try:
            values[key] = _convert(key, env[name])
        except ValueError as exc:
            problems.append(Problem(f"environment variable {name}", None, f"{key}: {exc}"))


@dataclass(frozen=True, slots=True)
class Configured:
    """The settings, and where each value that is set came from ("config/bot.yaml", "COURSEBOT_GUILD_ID")."""

    settings: Settings
    origins: Mapping[str, str]


def _shard_problems(count: int | None, ids: tuple[int, ...] | None, origins: Mapping[str, str]) -> list[Problem]:
    """shard_ids needs shard_count, and each id is below it."""
    if ids is None:
        return []
    where = origins.get("shard_ids", "the settings")
    if count is None:
        return [Problem(where, None, "shard_ids: set shard_count too (the number of shards the bot is split into), "
                                     "e.g. shard_count: 2 with shard_ids: 0,1.")]
    wrong = [i for i in ids if i >= count]
    if wrong:
        return [Problem(where, None, f"shard_ids: shard {wrong[0]} does not exist with shard_count {count} "
                                     f"(shards are numbered 0 to {count - 1}).")]
    return []


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (if any) and apply environment overrides; raise `SettingsError` listing every problem."""
    return read_settings(env).settings


def read_settings(env: Mapping[str, str] | None = None) -> Configured:
    """`load_settings`, keeping where each value came from (/setup shows it, and a value from here wins)."""
    env = os.environ if env is None else env
    path = Path(env.get("COURSEBOT_CONFIG", DEFAULT_CONFIG))
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if path.exists():
        _read_file(path, values, problems)
    elif "COURSEBOT_CONFIG" in env:
        problems.append(Problem(str(path), None, "COURSEBOT_CONFIG names a file that does not exist."))
    origins = {key: str(path) for key in values}
    _read_environment(env, values, problems)
    origins |= {key: f"COURSEBOT_{key.upper()}" for key in KEYS if f"COURSEBOT_{key.upper()}" in env}
    if problems:
        raise SettingsError([str(p) for p in problems])
    kept: dict[str, Any] = {k: None if v is EMPTY else v for k, v in values.items()
                            if v is not EMPTY or KEYS[k].nullable}
    problems += _shard_problems(kept.get("shard_count"), kept.get("shard_ids"), origins)
    if problems:
        raise SettingsError([str(p) for p in problems])
    return Configured(Settings(**kept), {k: origins[k] for k, v in kept.items() if v is not None})
