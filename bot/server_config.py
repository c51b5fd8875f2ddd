"""A course's settings: the config file and environment first, then what an admin set with /setup in its server.

A value from `config/bot.yaml` or a `COURSEBOT_*` variable wins (the operator's word is final, and /setup says
so); a value set with /setup fills what they leave unset. The channel and role ids of the config file belong to
the server named by `guild_id`: every other server's course has only what its own admins set with /setup.
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
    """One server's course: the file/environment settings, the values stored for its server, and those in effect."""

    def __init__(self, settings: Settings, origins: Mapping[str, str], guild_id: int | None = None) -> None:
        self.file = settings
        self.origins = dict(origins)
        self.stored: dict[str, Value] = {}
        self.guild_id = settings.guild_id if guild_id is None else guild_id
        self.effective = settings

    @classmethod
    def for_server(cls, settings: Settings, origins: Mapping[str, str], guild_id: int) -> ServerConfig:
        """The configured server (`guild_id`) gets the operator's channels and roles; another server keeps only the
        operator's switches (a feed or events turned off for the whole bot) and what its admins store."""
        if guild_id == settings.guild_id:
            return cls(settings, origins, guild_id)
        ids: dict[str, Any] = {key: None for key in SERVER_KEYS if key not in SWITCHES}
        cleared = dataclasses.replace(settings, guild_id=guild_id, **ids)
        return cls(cleared, {k: v for k, v in origins.items() if k in SWITCHES}, guild_id)

    async def load(self, store: Store) -> Settings:
        """Read what /setup stored for this server."""
        if self.guild_id is not None:
            self.stored = {k: from_text(k, v) for k, v in (await store.server_settings(self.guild_id)).items()
                           if k in SERVER_KEYS}
        return self._recompute()

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

    async def store(self, store: Store, values: Mapping[str, Value], set_by: int,
                    now: dt.datetime) -> tuple[Settings, list[Shown]]:
        """Store the values the operator does not own (all at once); returns the new settings and those refused."""
        assert self.guild_id is not None, "settings are stored for a server"
        owned = {row.key: row for row in self.shown() if row.from_operator}
        refused = [owned[k] for k in values if k in owned]
        accepted = {k: v for k, v in values.items() if k not in owned}
        if accepted:
            await store.set_server_settings(self.guild_id, {k: to_text(k, v) for k, v in accepted.items()}, set_by,
                                            now)
            self.stored |= accepted
        return self._recompute(), refused

    def _recompute(self) -> Settings:
        overlay: dict[str, Any] = {k: v for k, v in self.stored.items() if k not in self.origins}
        self.effective = dataclasses.replace(self.file, **overlay)
        return self.effective


def default_origins(settings: Settings, where: str = "the bot's settings") -> dict[str, str]:
    """Origins for settings made in code (tests, the console): every value that is set counts as the operator's."""
    return {key: where for key in SERVER_KEYS if key not in SWITCHES and getattr(settings, key) is not None}
