"""The settings the running course uses: the config file and environment first, then what an admin set with /setup.

A value from `config/bot.yaml` or a `COURSEBOT_*` variable wins (the operator's word is final, and /setup says
so); a value set with /setup fills what they leave unset. Without `guild_id`, the first server where /setup
stores something becomes the course's server: its admins may change the course, and /setup elsewhere is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.settings import Settings
from bot.store import Store

# The settings /setup may change, and how each is named there (the option names SPEC.md fixes).
SERVER_KEYS: dict[str, str] = {
    "reminder_channel_id": "reminder_channel",
    "announce_channel_id": "announce_channel",
    "instructor_role_id": "instructor_role",
    "student_role_id": "student_role",
    "calendar_feed": "calendar_feed",
    "scheduled_events": "scheduled_events",
}
SWITCHES = ("calendar_feed", "scheduled_events")
Value = int | bool


def from_text(key: str, text: str) -> Value:
    """A stored value as the setting's type: a switch is "1"/"0", an id its digits."""
    return text == "1" if key in SWITCHES else int(text)


def to_text(key: str, value: Value) -> str:
    return ("1" if value else "0") if key in SWITCHES else str(value)


@dataclass(frozen=True, slots=True)
class Shown:
    """One setting as /setup shows it: its value and where that value comes from."""

    key: str
    option: str
    value: Value | None
    source: str  # "set here", "config/bot.yaml", "COURSEBOT_REMINDER_CHANNEL_ID", "not set" or "default"

    @property
    def from_operator(self) -> bool:
        """Set in the config file or the environment, so /setup cannot change it."""
        return self.source not in ("set here", "not set", "default")


class ServerConfig:
    """The file/environment settings, the values stored for the course's server, and the settings in effect."""

    def __init__(self, settings: Settings, origins: Mapping[str, str]) -> None:
        self.file = settings
        self.origins = dict(origins)
        self.stored: dict[str, Value] = {}
        self.course_guild: int | None = settings.guild_id
        self.effective = settings

    async def load(self, store: Store) -> Settings:
        """Read what /setup stored for the course's server (the configured one, or the first that used /setup)."""
        if self.course_guild is None:
            servers = await store.servers_with_settings()
            self.course_guild = servers[0] if servers else None
        if self.course_guild is not None:
            self.stored = {k: from_text(k, v) for k, v in (await store.server_settings(self.course_guild)).items()
                           if k in SERVER_KEYS}
        return self._recompute()

    def refusal(self, guild_id: int) -> str | None:
        """Why /setup may not change settings in this server, or None when it may."""
        if self.course_guild is None or guild_id == self.course_guild:
            return None
        if self.file.guild_id is not None:
            return ("This bot runs the course of another server (guild_id in its settings), so /setup here "
                    "changes nothing. Nothing was stored.")
        return ("This bot already runs the course of another server, set up there with /setup. One bot serves "
                "one server's course; nothing was stored.")

    def owned_elsewhere(self, guild_ids: dict[str, bool]) -> bool:
        """Before any server claimed the course: True when an id the operator configured is not of this server
        (`guild_ids` says, for each configured channel or role, whether this server has it). Their server is the
        course's, so no other server's admin may claim it."""
        return self.course_guild is None and any(not here for here in guild_ids.values())

    def operator_ids(self) -> dict[str, int]:
        """The channel and role ids set in the config file or environment."""
        return {row.key: row.value for row in self.shown()
                if row.from_operator and row.key not in SWITCHES and isinstance(row.value, int)}

    def shown(self) -> list[Shown]:
        """Every /setup setting with its value and source, in the order of the options."""
        rows = []
        for key, option in SERVER_KEYS.items():
            if key in self.origins:
                rows.append(Shown(key, option, getattr(self.file, key), self.origins[key]))
            elif key in self.stored:
                rows.append(Shown(key, option, self.stored[key], "set here"))
            elif key in SWITCHES:
                rows.append(Shown(key, option, getattr(self.file, key), "default"))
            else:
                rows.append(Shown(key, option, None, "not set"))
        return rows

    async def store(self, store: Store, guild_id: int, values: Mapping[str, Value], set_by: int,
                    now: dt.datetime) -> tuple[Settings, list[Shown]]:
        """Store the values the operator does not own (all at once); returns the new settings and those refused."""
        owned = {row.key: row for row in self.shown() if row.from_operator}
        refused = [owned[k] for k in values if k in owned]
        accepted = {k: v for k, v in values.items() if k not in owned}
        if accepted:
            await store.set_server_settings(guild_id, {k: to_text(k, v) for k, v in accepted.items()}, set_by, now)
            self.course_guild = guild_id
            self.stored |= accepted
        return self._recompute(), refused

    def _recompute(self) -> Settings:
        overlay: dict[str, Any] = {k: v for k, v in self.stored.items() if k not in self.origins}
        self.effective = dataclasses.replace(self.file, **overlay)
        return self.effective


def default_origins(settings: Settings, where: str = "the bot's settings") -> dict[str, str]:
    """Origins for settings made in code (tests, the console): every value that is set counts as the operator's."""
    return {key: where for key in SERVER_KEYS if key not in SWITCHES and getattr(settings, key) is not None}
