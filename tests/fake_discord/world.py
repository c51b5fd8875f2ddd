"""The fake's data: one guild with roles, text channels and members, DM channels, messages, commands.

Kept separate from the HTTP and gateway plumbing so REST handlers, the gateway and the test-facing
API all read and change the same state the same way (e.g. a nonce is deduplicated whichever path
created the message).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import models
from .event_store import ScheduledEventStore
from .models import SnowflakeGenerator
from .permissions import ChannelPermissions


@dataclass
class StoredFile:
    """An uploaded attachment, kept so tests can check bytes and the bot can download it again."""

    attachment_id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str = ""

    def attachment(self) -> dict[str, Any]:
        """The Discord attachment object for this file."""
        data: dict[str, Any] = {
            "id": str(self.attachment_id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        return data


@dataclass
class Member:
    """A guild member: the user id and the role ids it holds (@everyone implied)."""

    user_id: int
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=models.iso_now)


class World(ChannelPermissions, ScheduledEventStore):
    """All state of the fake Discord; every id is an int here and a string on the wire."""

    def __init__(
        self,
        *,
        application_id: int,
        bot_user_id: int,
        bot_username: str,
        guild_id: int,
        guild_name: str,
        owner_id: int,
        channels: Sequence[int | Mapping[str, Any]],
        roles: Sequence[Mapping[str, Any]],
        bot_permissions: int,
        everyone_permissions: int,
    ) -> None:
        self.snowflake = SnowflakeGenerator()
        self.application_id = application_id
        self.bot_user_id = bot_user_id
        self.guild_id = guild_id
        self.guild_name = guild_name
        self.owner_id = owner_id
        self.users: dict[int, dict[str, Any]] = {}
        self.members: dict[int, Member] = {}
        self.roles: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.closed_dms: set[int] = set()
        self.restricted_channels: dict[int, int] = {}  # channel id -> error code (50001/50013)
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.nonces: dict[tuple[int, int, str], dict[str, Any]] = {}
        self.files: dict[int, StoredFile] = {}
        self.base_url = ""  # set by FakeDiscord.start(); attachment URLs point back at the fake
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, int, str], tuple[int, int, dict[str, Any]]] = {}
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        self.now = None  # a test may set an aware datetime: "now" for scheduled events (else the wall clock)

        self.add_role(guild_id, "@everyone", permissions=everyone_permissions, position=0)
        self.bot_role_id = self.snowflake()
        self.add_role(self.bot_role_id, bot_username, permissions=bot_permissions, position=1, managed=True)
        for position, role in enumerate(roles, start=2):
            self.add_role(
                int(role["id"]),
                str(role.get("name", f"role-{role['id']}")),
                permissions=int(role.get("permissions", 0)),
                position=int(role.get("position", position)),
            )
        self.add_user(bot_user_id, bot_username, bot=True)
        self.members[bot_user_id] = Member(bot_user_id, [self.bot_role_id])
        self.add_user(owner_id, "owner")
        self.members[owner_id] = Member(owner_id, [])
        for position, channel in enumerate(channels):
            if isinstance(channel, Mapping):
                name = str(channel.get("name", f"channel-{position}"))
                parent = channel.get("parent_id")
                self.add_channel(
                    int(channel["id"]),
                    name,
                    type=int(channel.get("type", 0)),
                    parent_id=None if parent is None else int(parent),
                )
            else:
                self.add_text_channel(int(channel), f"channel-{position}")

    # --- guild objects -------------------------------------------------------------------------

    def add_role(
        self, role_id: int, name: str, *, permissions: int, position: int = 0, managed: bool = False
    ) -> dict[str, Any]:
        bot_id = self.bot_user_id if managed else None
        role = models.role_payload(
            role_id, name, permissions=permissions, position=position, managed=managed, bot_id=bot_id
        )
        self.roles[role_id] = role
        return role

    def add_text_channel(self, channel_id: int, name: str) -> dict[str, Any]:
        return self.add_channel(channel_id, name)

    def add_channel(self, channel_id: int, name: str, *, type: int = 0, parent_id: int | None = None) -> dict[str, Any]:
        """A guild channel: 0 text, 2 voice, 4 category, 5 announcement (the types discord.py builds from these)."""
        channel = models.guild_channel_payload(channel_id, self.guild_id, name, len(self.channels), type, parent_id)
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

    def add_user(
        self, user_id: int, username: str | None = None, *, bot: bool = False, global_name: str | None = None
    ) -> dict[str, Any]:
        """Registers (or returns) a user; Discord would 404/400 on ids it does not know."""
        if user_id not in self.users:
            name = username or f"user{user_id % 100000}"
            self.users[user_id] = models.user_payload(user_id, name, bot=bot, global_name=global_name)
        return self.users[user_id]

    def add_member(self, user_id: int, roles: Sequence[int] | None = None, *, username: str | None = None) -> Member:
        """Adds the user to the guild, or replaces its roles when `roles` is given."""
        self.add_user(user_id, username)
        member = self.members.get(user_id)
        if member is None:
            member = self.members[user_id] = Member(user_id, [int(r) for r in roles or ()])
        elif roles is not None:
            member.roles = [int(r) for r in roles]
        unknown = [r for r in member.roles if r not in self.roles]
        if unknown:
            raise ValueError(f"unknown role ids {unknown}; pass them in FakeDiscord(roles=...) first")
        return member

    def member_payload(self, user_id: int) -> dict[str, Any]:
        member = self.members[user_id]
        return models.member_payload(self.users[user_id], member.roles, member.joined_at)

    def guild_payload(self) -> dict[str, Any]:
        """The guild object (REST GET /guilds/{id})."""
        first_channel = next(iter(self.channels), None)
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [copy.deepcopy(r) for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(first_channel) if first_channel else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def guild_create_payload(self) -> dict[str, Any]:
        """GUILD_CREATE: the guild plus channels and (like Discord without presences) only the bot member."""
        data = self.guild_payload()
        channels = []
        for channel in self.channels.values():
            channel = copy.deepcopy(channel)
            channel.pop("guild_id", None)
            channels.append(channel)
        data.update(
            {
                "joined_at": self.members[self.bot_user_id].joined_at,
                "large": False,
                "unavailable": False,
                "member_count": len(self.members),
                "voice_states": [],
                "members": [self.member_payload(self.bot_user_id)],
                "channels": channels,
                "threads": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [self.event_payload(e) for e in self.scheduled_events.values()],
                "soundboard_sounds": [],
            }
        )
        return data

    # --- channels & messages -------------------------------------------------------------------

    def dm_channel_for(self, user_id: int) -> dict[str, Any]:
        """The (stable) DM channel with a user, created on first use like POST /users/@me/channels."""
        channel_id = self.dm_channels.get(user_id)
        if channel_id is None:
            channel_id = self.dm_channels[user_id] = self.snowflake()
            self.channels[channel_id] = models.dm_channel_payload(channel_id, self.users[user_id])
            self.messages.setdefault(channel_id, [])
        return self.channels[channel_id]

    def dm_recipient(self, channel_id: int) -> int | None:
        for user_id, dm_id in self.dm_channels.items():
            if dm_id == channel_id:
                return user_id
        return None

    def store_files(
        self, channel_id: int, files: Sequence[tuple[str, bytes, str | None]], base_url: str
    ) -> list[dict[str, Any]]:
        """Stores uploads and returns Discord attachment objects whose URLs point back at the fake."""
        attachments = []
        for filename, data, content_type in files:
            att_id = self.snowflake()
            url = f"{base_url}/attachments/{channel_id}/{att_id}/{filename}"
            self.files[att_id] = stored = StoredFile(att_id, filename, data, content_type, url)
            attachments.append(stored.attachment())
        return attachments

    def create_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        attachments: list[dict[str, Any]],
        *,
        author_id: int,
        message_type: int = 0,
        flags: int = 0,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Creates a message; with `enforce_nonce`, a repeated nonce returns the first message instead.

        Returns (message, created).
        """
        nonce = body.get("nonce")
        key = (channel_id, author_id, str(nonce))
        if nonce is not None and body.get("enforce_nonce") and key in self.nonces:
            return self.nonces[key], False
        message = models.message_payload(
            message_id=self.snowflake(),
            channel_id=channel_id,
            author=self.users[author_id],
            body=body,
            attachments=attachments,
            message_type=message_type,
            flags=flags,
            extra=extra,
        )
        self.messages.setdefault(channel_id, []).append(message)
        if channel_id in self.channels:
            self.channels[channel_id]["last_message_id"] = message["id"]
        if nonce is not None:
            self.nonces.setdefault(key, message)
        return message, True

    def find_message(self, channel_id: int, message_id: int) -> dict[str, Any] | None:
        for message in self.messages.get(channel_id, ()):
            if int(message["id"]) == message_id:
                return message
        return None

    def find_message_anywhere(self, message_id: int) -> dict[str, Any] | None:
        for messages in self.messages.values():
            for message in messages:
                if int(message["id"]) == message_id:
                    return message
        return None

    def delete_message(self, message: dict[str, Any]) -> None:
        self.messages[int(message["channel_id"])].remove(message)

    # --- application commands ------------------------------------------------------------------

    def overwrite_commands(self, scope: int | None, commands: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Bulk overwrite: ids stay stable per (scope, type, name) and the version changes on edits, as on Discord."""
        result = []
        for cmd in commands:
            cmd_type = int(cmd.get("type") or 1)
            key = (scope, cmd_type, str(cmd["name"]))
            previous = self._command_ids.get(key)
            if previous is None:
                cmd_id = version = self.snowflake()
            else:
                cmd_id, version, old_body = previous
                if old_body != cmd:
                    version = self.snowflake()
            self._command_ids[key] = (cmd_id, version, copy.deepcopy(dict(cmd)))
            result.append(self._command_response(cmd, cmd_id, version, scope))
        self.commands[scope] = result
        return copy.deepcopy(result)

    def _command_response(self, cmd: Mapping[str, Any], cmd_id: int, version: int, scope: int | None) -> dict[str, Any]:
        perms = cmd.get("default_member_permissions")
        data: dict[str, Any] = {
            "id": str(cmd_id),
            "application_id": str(self.application_id),
            "version": str(version),
            "default_member_permissions": None if perms is None else str(perms),
            "type": int(cmd.get("type") or 1),
            "name": cmd["name"],
            "name_localizations": cmd.get("name_localizations"),
            "description": cmd.get("description") or "",
            "description_localizations": cmd.get("description_localizations"),
            "nsfw": bool(cmd.get("nsfw", False)),
            "integration_types": list(cmd.get("integration_types") or [0]),
            "contexts": cmd.get("contexts"),
        }
        if cmd.get("options"):
            data["options"] = copy.deepcopy(list(cmd["options"]))
        if scope is not None:
            data["guild_id"] = str(scope)
        else:
            data["dm_permission"] = cmd.get("dm_permission", True) is not False
        return data

    def find_command(self, name: str, command_type: int, guild_id: int | None) -> dict[str, Any] | None:
        """Looks the command up like Discord's client: guild commands first, then global ones."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, ()):
                if cmd["name"] == name and cmd["type"] == command_type:
                    return cmd
        return None
