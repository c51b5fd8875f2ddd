"""Payload builders for the fake Discord: snowflakes, users, members, roles, channels, guilds, messages.

The shapes follow Discord's API v10 (and what discord.py 2.7 actually reads: e.g. a member needs
`flags`, an interaction needs `attachment_size_limit`), so the real client parses them without
special-casing the fake.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions), copied so tests need no reference files.
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    (1 << 0)  # CREATE_INSTANT_INVITE
    | (1 << 6)  # ADD_REACTIONS
    | (1 << 9)  # STREAM
    | (1 << 10)  # VIEW_CHANNEL
    | (1 << 11)  # SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | (1 << 15)  # ATTACH_FILES
    | (1 << 16)  # READ_MESSAGE_HISTORY
    | (1 << 18)  # USE_EXTERNAL_EMOJIS
    | (1 << 20)  # CONNECT
    | (1 << 21)  # SPEAK
    | (1 << 25)  # USE_VAD
    | (1 << 26)  # CHANGE_NICKNAME
    | (1 << 31)  # USE_APPLICATION_COMMANDS
    | (1 << 38)  # SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | (1 << 13)  # + MANAGE_MESSAGES

# Gateway intents that need to be enabled for the application.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Application flags advertising the (unverified-bot) privileged intents.
APP_FLAG_PRESENCE_LIMITED = 1 << 13
APP_FLAG_MEMBERS_LIMITED = 1 << 15
APP_FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # 10 MiB: the limit for a guild without boosts.


class SnowflakeGenerator:
    """Makes real-looking, strictly increasing snowflakes (timestamps are now, so `created_at` is sane)."""

    def __init__(self, worker: int = 1) -> None:
        self._worker = worker & 0x1F
        self._counter = itertools.count()
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            value = (ms << 22) | (self._worker << 17) | (next(self._counter) & 0xFFF)
            if value <= self._last:
                value = self._last + 1
            self._last = value
            return value


def iso_now() -> str:
    """Discord's timestamp format (ISO 8601 with microseconds and +00:00)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


def user_payload(user_id: int, username: str, *, bot: bool = False, global_name: str | None = None) -> dict[str, Any]:
    """A user object as in REST and gateway payloads."""
    data: dict[str, Any] = {
        "id": str(user_id),
        "username": username,
        "global_name": global_name,
        "discriminator": "0",
        "avatar": None,
        "avatar_decoration_data": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "primary_guild": None,
        "collectibles": None,
    }
    if bot:
        data["bot"] = True
    return data


def role_payload(
    role_id: int,
    name: str,
    *,
    permissions: int,
    position: int = 0,
    managed: bool = False,
    bot_id: int | None = None,
) -> dict[str, Any]:
    """A guild role; permissions are a string, as Discord sends them."""
    data: dict[str, Any] = {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        data["tags"] = {"bot_id": str(bot_id)}
    return data


def member_payload(user: Mapping[str, Any], roles: Iterable[int], joined_at: str) -> dict[str, Any]:
    """A guild member with its user (what GUILD_CREATE and GET /guilds/{id}/members/{id} return)."""
    return {
        "user": dict(user),
        "nick": None,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in roles],
        "joined_at": joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "avatar_decoration_data": None,
    }


def text_channel_payload(channel_id: int, guild_id: int, name: str, position: int) -> dict[str, Any]:
    """A guild text channel (type 0)."""
    return guild_channel_payload(channel_id, guild_id, name, position)


GUILD_CHANNEL_TYPES = (0, 2, 4, 5)  # text, voice, category, announcement


def guild_channel_payload(
    channel_id: int, guild_id: int, name: str, position: int, type: int = 0, parent_id: int | None = None
) -> dict[str, Any]:
    """A guild channel of one of GUILD_CHANNEL_TYPES, with the fields that type has on Discord."""
    if type not in GUILD_CHANNEL_TYPES:
        raise ValueError(f"the fake models guild channel types {GUILD_CHANNEL_TYPES}, not {type}")
    data: dict[str, Any] = {
        "id": str(channel_id),
        "type": type,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": None if parent_id is None else str(parent_id),
        "nsfw": False,
        "flags": 0,
    }
    if type == 4:
        return data
    data.update({"last_message_id": None, "rate_limit_per_user": 0})
    if type == 2:
        data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1})
    else:
        data["topic"] = None
    return data


def dm_channel_payload(channel_id: int, recipient: Mapping[str, Any]) -> dict[str, Any]:
    """A DM channel (type 1), as POST /users/@me/channels returns it."""
    return {
        "id": str(channel_id),
        "type": 1,
        "last_message_id": None,
        "flags": 0,
        "recipients": [dict(recipient)],
    }


def interaction_channel(channel: Mapping[str, Any]) -> dict[str, Any]:
    """The partial `channel` object embedded in interactions (discord.py needs it to resolve the channel)."""
    data = dict(channel)
    if data.get("type") == 0:
        data.setdefault("guild_id", channel.get("guild_id"))
    return data


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    author: Mapping[str, Any],
    body: Mapping[str, Any],
    attachments: list[dict[str, Any]],
    message_type: int = 0,
    flags: int = 0,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A full message object built from a (validated) create-message body."""
    embeds = []
    for embed in body.get("embeds") or []:
        embed = dict(embed)
        embed.setdefault("type", "rich")
        embeds.append(embed)
    data: dict[str, Any] = {
        "id": str(message_id),
        "type": message_type,
        "content": body.get("content") or "",
        "channel_id": str(channel_id),
        "author": dict(author),
        "attachments": attachments,
        "embeds": embeds,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": bool(body.get("tts", False)),
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "flags": flags | (int(body.get("flags") or 0) & ~MESSAGE_FLAG_LOADING),
        "components": list(body.get("components") or []),
    }
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("message_reference"):
        ref = dict(body["message_reference"])
        ref.setdefault("channel_id", str(channel_id))
        data["message_reference"] = ref
    if extra:
        data.update(extra)
    return data


def snowflake_str(value: Any) -> str:
    """Normalise an int/str id to Discord's string form."""
    return str(int(value))
