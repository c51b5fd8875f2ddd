"""Deployment settings: `config/bot.yaml`, each key overridable by `COURSEBOT_<KEY>`.

The token is deliberately not a setting: it comes from `DISCORD_TOKEN` only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from bot.core.planner import ReminderSettings

DEFAULT_CONFIG = "config/bot.yaml"


@dataclass(frozen=True, slots=True)
class Settings:
    guild_id: int | None = None
    reminder_channel_id: int | None = None
    announce_channel_id: int | None = None
    instructor_role_id: int | None = None
    student_role_id: int | None = None
    database: str = "data/coursebot.sqlite3"
    schedule: str = "schedule.yaml"
    critique_cutoff: dt.time = dt.time(12, 0)
    reminder_evening: dt.time | None = dt.time(18, 0)
    reminder_morning: dt.time | None = dt.time(8, 0)
    reminder_hours_before: tuple[int, ...] = (24, 2)
    project_reminder_days: tuple[int, ...] = (7, 1, 0)
    weekly_digest: bool = True
    office_hours_reminder: bool = False
    api_base: str | None = None  # tests only: where the fake Discord listens

    @property
    def reminders(self) -> ReminderSettings:
        """The planner's view of these settings."""
        return ReminderSettings(
            evening_before=self.reminder_evening, morning_of=self.reminder_morning,
            hours_before=self.reminder_hours_before, project_days_before=self.project_reminder_days,
            digest=self.weekly_digest, office_hours=self.office_hours_reminder, cutoff=self.critique_cutoff,
        )


class SettingsError(Exception):
    """The settings could not be read; `problems` holds one line per problem, with file and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


ID_KEYS = {"guild_id", "reminder_channel_id", "announce_channel_id", "instructor_role_id", "student_role_id"}
TIME_KEYS = {"critique_cutoff", "reminder_evening", "reminder_morning"}
LIST_KEYS = {"reminder_hours_before", "project_reminder_days"}
BOOL_KEYS = {"weekly_digest", "office_hours_reminder"}
NULLABLE_KEYS = ID_KEYS | {"api_base", "reminder_evening", "reminder_morning"}
KEYS = {f.name for f in fields(Settings)}


def _convert(key: str, value: Any) -> Any:
    """A raw value (text from YAML or the environment) → the setting's type, or ValueError with advice."""
    if key in LIST_KEYS and value is not None and str(value).strip() in ("", "[]"):
        return ()  # an explicit empty list turns those reminders off
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if key in NULLABLE_KEYS else _default(key)
    text = str(value).strip()
    if key in ID_KEYS:
        if not re.fullmatch(r"\d{17,20}", text):
            raise ValueError(f"{key} should be a Discord id (a number of 17 to 20 digits), not “{text}”. "
                             "Copy it with Developer Mode: right-click → Copy ID.")
        return int(text)
    if key in TIME_KEYS:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ValueError(f"{key} should be a time as HH:MM, like \"12:00\", not “{value}”.")
        return dt.time(int(m[1]), int(m[2]))
    if key in LIST_KEYS:
        parts = [p.strip() for p in text.strip("[]").split(",") if p.strip()]
        if not all(re.fullmatch(r"\d{1,3}", p) for p in parts):
            raise ValueError(f"{key} should be whole numbers separated by commas, like \"24, 2\", not “{value}”.")
        return tuple(sorted({int(p) for p in parts}, reverse=True))
    if key in BOOL_KEYS:
        if text.lower() not in ("true", "false", "yes", "no", "on", "off", "1", "0"):
            raise ValueError(f"{key} should be true or false, not “{value}”.")
        return text.lower() in ("true", "yes", "on", "1")
    if key == "api_base":
        text = text.rstrip("/")
        if not re.fullmatch(r"https?://[^\s/]+(?:/[^\s]*)?", text):
            raise ValueError(f"api_base should be a URL like http://127.0.0.1:8080, not “{value}”.")
        return text
    return text


def _default(key: str) -> Any:
    return next(f.default for f in fields(Settings) if f.name == key)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (if any) and apply environment overrides; raise `SettingsError` listing every problem."""
    env = os.environ if env is None else env
    path = Path(env.get("COURSEBOT_CONFIG", DEFAULT_CONFIG))
    problems: list[str] = []
    raw: dict[str, tuple[Any, str]] = {}
    if path.exists():
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except UnicodeDecodeError:
            raise SettingsError([f"{path}: the settings file is not UTF-8 text."]) from None
        except OSError as exc:
            raise SettingsError([f"{path}: cannot read the settings file ({exc.strerror or exc})."]) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise SettingsError([f"{path}{line}: this is not valid YAML ({getattr(exc, 'problem', exc)})."]) from None
        if root is not None and not isinstance(root, yaml.MappingNode):
            raise SettingsError([f"{path}:1: the settings should be “key: value” lines."])
        for key_node, value_node in (root.value if root is not None else []):
            where = f"{path}:{key_node.start_mark.line + 1}"
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(f"{where}: a setting's name should be a plain word, like guild_id.")
                continue
            if key_node.value not in KEYS:
                known = ", ".join(sorted(KEYS))
                problems.append(f"{where}: unknown setting “{key_node.value}”. Known settings: {known}.")
                continue
            is_list = isinstance(value_node, yaml.SequenceNode) and key_node.value in LIST_KEYS
            if is_list and all(isinstance(n, yaml.ScalarNode) for n in value_node.value):
                raw[key_node.value] = (",".join(n.value for n in value_node.value), where)
                continue
            if not isinstance(value_node, yaml.ScalarNode):
                problems.append(f"{where}: {key_node.value} should be a single value.")
                continue
            is_null = value_node.tag == "tag:yaml.org,2002:null"
            raw[key_node.value] = (None if is_null else value_node.value, where)
    elif "COURSEBOT_CONFIG" in env:
        problems.append(f"{path}: COURSEBOT_CONFIG names a file that does not exist.")
    for key in KEYS:
        name = f"COURSEBOT_{key.upper()}"
        if name in env:
            raw[key] = (env[name], f"environment variable {name}")
    values: dict[str, Any] = {}
    for key, (value, where) in raw.items():
        try:
            values[key] = _convert(key, value)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise SettingsError(problems)
    return Settings(**values)
