"""What a Discord user does to the bot: slash commands, autocomplete, clicks, messages.

A mixin of FakeDiscord, kept apart from the server plumbing; it builds Discord-shaped
INTERACTION_CREATE / MESSAGE_CREATE payloads from the world and sends them over the gateway.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Mapping, Sequence
from types import EllipsisType
from typing import Any

from .gateway import Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    InteractionRecord,
    build_command_data,
    build_interaction,
    new_token,
)
from .world import World

DEFAULT_USER_ID = 1140000000000000001  # the user who runs commands unless a test says otherwise


class BotDriver:
    """Mixin: needs `world`, `gateway` and `interactions` (set by FakeDiscord.__init__)."""

    world: World
    gateway: Gateway
    interactions: dict[int, InteractionRecord]

    async def dispatch(self, event: str, data: Any, *, guild_id: int | None | EllipsisType = ...) -> int:
        """Sends any gateway DISPATCH event to the bot, on the shard of its guild (`guild_id`, else read from `data`:
        its guild_id, or id for GUILD_CREATE/UPDATE/DELETE; none: shard 0). Returns its sequence number (0: no
        session of the bot covers that shard, so nobody got it)."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id)

    async def send_interaction(
        self,
        *,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        subcommand: str | Sequence[str] = (),
        focused: str | None = None,
        type: int = APPLICATION_COMMAND,
        command_type: int = 1,
        target_id: int | None = None,
        user: int | Mapping[str, Any] = DEFAULT_USER_ID,
        roles: Sequence[int] | None = None,
        permissions: int | None = None,
        guild_id: int | None | EllipsisType = ...,
        channel_id: int | None = None,
        locale: str = "en-US",
        command_guild_id: int | None | EllipsisType = ...,
    ) -> InteractionRecord:
        """Dispatches INTERACTION_CREATE for a synced command (type 2, or 4 = AUTOCOMPLETE with `focused`).

        `subcommand` is "sub", "group sub" or a sequence; `options` maps option names to values (typed
        by the synced definition) or is a raw option list. guild_id=None sends it from the user's DMs (shard 0).
        From another guild of the fake (add_guild), the user becomes a member of that guild with `roles`, the
        channel defaults to its first text channel and permissions are that guild's; from a guild id the fake does
        not model, the default guild's members and channels stand in. It goes to the session of the guild's shard
        (`record.shard_id`; None if the bot has no session on that shard, which then never sees it).
        `command_guild_id` looks the command up in another scope than the one it is sent from (Discord never
        does that): e.g. the fake guild's command sent with another guild_id, to check that the bot refuses it.
        """
        guild = self.world.guild_id if guild_id is ... else guild_id
        user_id = self._ensure_user(user, roles, guild)
        scope = guild if command_guild_id is ... else command_guild_id
        command = self.world.find_command(name, command_type, scope)
        if command is None:
            raise LookupError(f"command {name!r} (type {command_type}) was not synced for guild {scope} or globally")
        if isinstance(subcommand, str):
            subcommand = subcommand.split()
        if type == AUTOCOMPLETE and focused is None:
            raise ValueError("an AUTOCOMPLETE interaction needs focused=<option name>")
        channel = self._interaction_channel(user_id, guild, channel_id)
        data = build_command_data(
            self.world,
            command,
            options=options,
            subcommand=list(subcommand),
            focused=focused if type == AUTOCOMPLETE else None,
            guild_id=guild,
            target_id=target_id,
            user_id=user_id,
            channel_id=int(channel["id"]),
        )
        return await self._send(type, data, user_id, guild, channel, permissions, locale, command=command)

    async def send_component_interaction(
        self,
        *,
        message_id: int,
        custom_id: str,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        user: int | Mapping[str, Any] = DEFAULT_USER_ID,
        roles: Sequence[int] | None = None,
    ) -> InteractionRecord:
        """A button click / select on a message the bot sent (for callback types 6 and 7)."""
        message = self.world.find_message_anywhere(message_id)
        if message is None:
            raise LookupError(f"unknown message {message_id}")
        channel_id = int(message["channel_id"])
        guild_of_channel = self.world.channels[channel_id].get("guild_id")
        guild = int(guild_of_channel) if guild_of_channel is not None else None
        user_id = self._ensure_user(user, roles, guild)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        channel = self._interaction_channel(user_id, guild, channel_id)
        return await self._send(MESSAGE_COMPONENT, data, user_id, guild, channel, None, "en-US", message=message)

    def _ensure_user(self, user: int | Mapping[str, Any], roles: Sequence[int] | None, guild_id: int | None) -> int:
        if isinstance(user, Mapping):
            user_id = int(user["id"])
            self.world.add_user(user_id, user.get("username"))
        else:
            user_id = int(user)
            self.world.add_user(user_id)
        if guild_id is not None:
            self.world.data_guild(guild_id).add_member(user_id, roles)
        return user_id

    def _interaction_channel(self, user_id: int, guild_id: int | None, channel_id: int | None) -> dict[str, Any]:
        """Where the interaction happens: the given channel, the first text channel, or the user's DMs."""
        if guild_id is None:
            return self.world.dm_channel_for(user_id)
        texts = self.world.data_guild(guild_id).text_channel_ids
        if channel_id is None and not texts:
            raise LookupError(f"guild {guild_id} has no text channel: pass channel_id")
        cid = channel_id if channel_id is not None else texts[0]
        if cid not in self.world.channels:
            raise LookupError(f"unknown channel {cid}")
        return self.world.channels[cid]

    async def _send(
        self,
        interaction_type: int,
        data: dict[str, Any],
        user_id: int,
        guild_id: int | None,
        channel: dict[str, Any],
        permissions: int | None,
        locale: str,
        *,
        command: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        interaction_id = self.world.snowflake()
        token = new_token()
        payload = build_interaction(
            self.world,
            interaction_id=interaction_id,
            token=token,
            interaction_type=interaction_type,
            data=data,
            user_id=user_id,
            guild_id=guild_id,
            channel=channel,
            permissions=permissions,
            locale=locale,
            message=message,
        )
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=interaction_type,
            payload=payload,
            created=time.monotonic(),
            channel_id=int(channel["id"]),
            guild_id=guild_id,
            command=command,
        )
        self.interactions[interaction_id] = record
        session = self.gateway.session_for(guild_id)
        record.shard_id = session.shard_id if session is not None else None
        await self.gateway.dispatch("INTERACTION_CREATE", copy.deepcopy(payload), guild_id=guild_id)
        return record

    async def send_user_message(
        self, channel_id: int, content: str, *, user: int = DEFAULT_USER_ID, embeds: Sequence[Any] = ()
    ) -> dict[str, Any]:
        """A message written by a (non-bot) user; the bot gets MESSAGE_CREATE if its intents allow.

        `<@id>` mentions of known users fill `mentions` (a mention of the bot lets it read the content
        even without the MESSAGE_CONTENT intent, as on Discord).
        """
        if channel_id not in self.world.channels:
            raise LookupError(f"unknown channel {channel_id}")
        self.world.add_user(user)
        guild = self.world.guild_of_channel(channel_id)
        if guild is not None:
            guild.add_member(user)
        body = {"content": content, "embeds": list(embeds)}
        mentioned = [int(m) for m in re.findall(r"<@!?(\d+)>", content)]
        extra = {"mentions": [copy.deepcopy(self.world.users[m]) for m in mentioned if m in self.world.users]}
        message, _ = self.world.create_message(channel_id, body, [], author_id=user, extra=extra)
        await self.gateway.emit_message("MESSAGE_CREATE", message)
        return copy.deepcopy(message)

    async def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0, type: int | None = None
    ) -> dict[str, Any]:
        """An admin edits a channel's permission overwrite for a role (type 0) or member (type 1).

        The fake's REST permission checks and interaction permissions follow it, and a connected bot
        gets CHANNEL_UPDATE (so `channel.permissions_for(guild.me)` changes). Returns the channel.
        """
        channel = self.world.set_overwrite(channel_id, target_id, allow=allow, deny=deny, type=type)
        await self._channel_update(channel)
        return channel

    async def remove_overwrite(self, channel_id: int, target_id: int) -> dict[str, Any]:
        """Deletes a channel's overwrite for a role or member (CHANNEL_UPDATE as for set_overwrite)."""
        channel = self.world.remove_overwrite(channel_id, target_id)
        await self._channel_update(channel)
        return channel

    async def _channel_update(self, channel: dict[str, Any]) -> None:
        # To the guild's shard while the bot is in the guild (not connected yet: GUILD_CREATE will carry it).
        await self.gateway.dispatch_guild(int(channel["guild_id"]), "CHANNEL_UPDATE", copy.deepcopy(channel))
