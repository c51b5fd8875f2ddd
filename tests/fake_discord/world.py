"""The fake's data: its guilds (guild.py), users, DM channels, messages, files and application commands.

Kept separate from the HTTP and gateway plumbing so REST handlers, the gateway and the test-facing
API all read and change the same state the same way (e.g. a nonce is deduplicated whichever path
created the message). The first guild is the default one: `guild_id`, `members`, `roles`, ... and
the methods without a `guild_id` are about it, as when the fake modelled a single guild.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import models
from .guild import Guild, Member
from .models import SnowflakeGenerator
from .validation import FormErrors

__all__ = ["Guild", "Member", "StoredFile", "World"]


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


class World:
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
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, Guild] = {}  # every guild the fake knows, the bot in it or not (Guild.has_bot)
        self.channels: dict[int, dict[str, Any]] = {}  # every channel: those of all guilds, and DM channels
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.closed_dms: set[int] = set()
        self.restricted_channels: dict[int, int] = {}  # channel id -> error code (50001/50013)
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.nonces: dict[tuple[int, int, str], dict[str, Any]] = {}
        self.files: dict[int, StoredFile] = {}
        self.base_url = ""  # set by FakeDiscord.start(); attachment URLs point back at the fake
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, int, str], tuple[int, int, dict[str, Any]]] = {}
        # A test may set an aware datetime: "now" for scheduled events (else the wall clock).
        self.now: _dt.datetime | None = None
        self.add_user(bot_user_id, bot_username, bot=True)
        self.guild_id = guild_id
        self.guild = self.add_guild(
            guild_id,
            guild_name,
            owner_id,
            channels=channels,
            roles=roles,
            bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions,
        )

    # --- guilds --------------------------------------------------------------------------------

    def add_guild(self, guild_id: int, name: str, owner_id: int, **options: Any) -> Guild:
        """A new guild (options as for Guild: channels, roles, bot_permissions, everyone_permissions, bot_member)."""
        if guild_id in self.guilds:
            raise ValueError(f"guild {guild_id} exists already")
        guild = self.guilds[guild_id] = Guild(self, guild_id, name, owner_id, **options)
        return guild

    def guild_of(self, guild_id: int | None = None) -> Guild:
        """The guild with this id (the default guild for None); LookupError for one the fake does not know."""
        if guild_id is None:
            return self.guild
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            raise LookupError(f"the fake has no guild {guild_id}")
        return guild

    def data_guild(self, guild_id: int | None) -> Guild:
        """Whose members, channels and permissions an interaction "from guild_id" uses: that guild's, or for a guild
        the fake does not model (a test's stand-in for another server) the default guild's."""
        return self.guilds.get(guild_id, self.guild) if guild_id is not None else self.guild

    def guild_of_channel(self, channel_id: int) -> Guild | None:
        """The guild a channel belongs to; None for a DM or unknown channel."""
        guild_id = self.channels.get(channel_id, {}).get("guild_id")
        return self.guilds.get(int(guild_id)) if guild_id is not None else None

    def bot_in(self, guild_id: int | None) -> bool:
        """Whether the bot is in this (known) guild."""
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        return guild is not None and guild.has_bot

    def bot_guilds(self) -> list[Guild]:
        return [g for g in self.guilds.values() if g.has_bot]

    def guild_of_role(self, role_id: int) -> Guild:
        guild = next((g for g in self.guilds.values() if role_id in g.roles), None)
        if guild is None:
            raise LookupError(f"unknown role {role_id}")
        return guild

    def find_event(self, event_id: int) -> dict[str, Any] | None:
        """A stored scheduled event of any guild."""
        found = (g.scheduled_events[event_id] for g in self.guilds.values() if event_id in g.scheduled_events)
        return next(found, None)

    # --- the default guild (and, with guild_id / a channel, any other) --------------------------

    @property
    def guild_name(self) -> str:
        return self.guild.name

    @property
    def owner_id(self) -> int:
        return self.guild.owner_id

    @property
    def bot_role_id(self) -> int:
        return self.guild.bot_role_id

    @property
    def members(self) -> dict[int, Member]:
        return self.guild.members

    @property
    def roles(self) -> dict[int, dict[str, Any]]:
        return self.guild.roles

    @property
    def scheduled_events(self) -> dict[int, dict[str, Any]]:
        return self.guild.scheduled_events

    def add_role(
        self,
        role_id: int,
        name: str,
        *,
        permissions: int,
        position: int = 0,
        managed: bool = False,
        guild_id: int | None = None,
    ) -> dict[str, Any]:
        guild = self.guild_of(guild_id)
        return guild.add_role(role_id, name, permissions=permissions, position=position, managed=managed)

    def add_text_channel(self, channel_id: int, name: str, *, guild_id: int | None = None) -> dict[str, Any]:
        return self.guild_of(guild_id).add_channel(channel_id, name)

    def add_channel(
        self, channel_id: int, name: str, *, type: int = 0, parent_id: int | None = None, guild_id: int | None = None
    ) -> dict[str, Any]:
        return self.guild_of(guild_id).add_channel(channel_id, name, type=type, parent_id=parent_id)

    def add_member(
        self,
        user_id: int,
        roles: Sequence[int] | None = None,
        *,
        username: str | None = None,
        guild_id: int | None = None,
    ) -> Member:
        return self.guild_of(guild_id).add_member(user_id, roles, username=username)

    def member_payload(self, user_id: int, guild_id: int | None = None) -> dict[str, Any]:
        return self.guild_of(guild_id).member_payload(user_id)

    def guild_payload(self, guild_id: int | None = None) -> dict[str, Any]:
        return self.guild_of(guild_id).guild_payload()

    def guild_create_payload(self, guild_id: int | None = None, *, joined: bool = False) -> dict[str, Any]:
        return self.guild_of(guild_id).guild_create_payload(joined=joined)

    def permissions_of(self, user_id: int, guild_id: int | None = None) -> int:
        return self.guild_of(guild_id).permissions_of(user_id)

    def permissions_in(self, user_id: int, channel_id: int) -> int:
        """In the channel's guild (a DM or unknown channel: the default guild's guild-level value)."""
        return (self.guild_of_channel(channel_id) or self.guild).permissions_in(user_id, channel_id)

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0, type: int | None = None
    ) -> dict[str, Any]:
        guild = self.guild_of_channel(channel_id) or self.guild
        return guild.set_overwrite(channel_id, target_id, allow=allow, deny=deny, type=type)

    def remove_overwrite(self, channel_id: int, target_id: int) -> dict[str, Any]:
        return (self.guild_of_channel(channel_id) or self.guild).remove_overwrite(channel_id, target_id)

    def set_role_permissions(self, role_id: int, bits: int) -> dict[str, Any]:
        return self.guild_of_role(role_id).set_role_permissions(role_id, bits)

    def current_time(self) -> _dt.datetime:
        return self.guild.current_time()

    def event_payload(self, event: Mapping[str, Any], *, with_user_count: bool = False) -> dict[str, Any]:
        return self.guild.event_payload(event, with_user_count=with_user_count)

    def event_errors(self, body: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> FormErrors:
        return self.guild_of(int(current["guild_id"]) if current else None).event_errors(body, current)

    def create_event(self, body: Mapping[str, Any], creator_id: int, guild_id: int | None = None) -> dict[str, Any]:
        return self.guild_of(guild_id).create_event(body, creator_id)

    def update_event(self, event: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
        return self.guild_of(int(event["guild_id"])).update_event(event, body)

    def live_event_count(self, guild_id: int | None = None) -> int:
        return self.guild_of(guild_id).live_event_count()

    # --- users ---------------------------------------------------------------------------------

    def add_user(
        self, user_id: int, username: str | None = None, *, bot: bool = False, global_name: str | None = None
    ) -> dict[str, Any]:
        """Registers (or returns) a user; Discord would 404/400 on ids it does not know."""
        if user_id not in self.users:
            name = username or f"user{user_id % 100000}"
            self.users[user_id] = models.user_payload(user_id, name, bot=bot, global_name=global_name)
        return self.users[user_id]

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
