"""Several guilds: creating them, their roles, channels and members, and the bot joining or being removed.

A mixin of FakeDiscord. Every helper that takes `guild_id=None` means the default guild (`fake.guild_id`).
The setup helpers (add_guild, add_role, add_channel, add_member) change the world only: a connected bot
is not told (add them before it connects, or use join_guild for a guild it should learn about).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import models

if TYPE_CHECKING:
    from .gateway import Gateway
    from .world import World


class GuildAdmin:
    """Mixin: needs `world`, `gateway` and `shards` (set by FakeDiscord.__init__)."""

    world: World
    gateway: Gateway
    shards: int

    @property
    def guild_ids(self) -> list[int]:
        """The guilds the bot is in, the default guild first, then in the order they were added."""
        return [g.guild_id for g in self.world.bot_guilds()]

    def shard_of(self, guild_id: int, shard_count: int | None = None) -> int:
        """The shard Discord puts a guild on: `(guild_id >> 22) % shard_count` (default: `fake.shards`)."""
        return (int(guild_id) >> 22) % (shard_count or self.shards)

    def guild_channel_ids(self, guild_id: int | None = None) -> list[int]:
        """The text channel ids of a guild (as `fake.channel_ids` for the default guild)."""
        return self.world.guild_of(guild_id).text_channel_ids

    def add_guild(
        self,
        name: str | None = None,
        *,
        channels: int | Sequence[int | Mapping[str, Any]] = 2,
        owner_id: int | None = None,
        guild_id: int | None = None,
        roles: Sequence[Mapping[str, Any]] = (),
        joined: bool = True,
        bot_permissions: int = models.DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = models.DEFAULT_EVERYONE_PERMISSIONS,
    ) -> int:
        """Another guild, with its own @everyone and bot roles, `channels` text channels ("general", "channel-1", ...;
        or a list as for FakeDiscord(channels=...)), members and events. Returns its id.

        Its id's timestamp is one millisecond after the newest guild's, so with 2 shards consecutive guilds land on
        alternate shards (`fake.shard_of(id)`). The owner defaults to the default guild's. With joined=False the bot
        is not in it until `await fake.join_guild(id)`; joined=True while the bot is connected on that guild's
        shard raises (the bot would never hear of it: use joined=False, then join_guild)."""
        world = self.world
        if guild_id is None:
            guild_id = ((max(world.guilds) >> 22) + 1) << 22 | 1
        if joined:
            session = self.gateway.session_for(guild_id)
            if session is not None and session.connection is not None:
                raise RuntimeError("the bot is connected: add_guild(..., joined=False), then await join_guild(id)")
        if isinstance(channels, int):
            names = ["general", *(f"channel-{i}" for i in range(1, channels))][:channels]
            channels = [{"id": world.snowflake(), "name": name} for name in names]
        world.add_guild(
            guild_id,
            name or f"Fake Guild {len(world.guilds) + 1}",
            owner_id if owner_id is not None else world.owner_id,
            channels=channels,
            roles=roles,
            bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions,
            bot_member=joined,
        )
        return guild_id

    def add_role(
        self, name: str, *, permissions: int = 0, guild_id: int | None = None, role_id: int | None = None
    ) -> int:
        """A new role in a guild (after the existing ones); returns its id."""
        guild = self.world.guild_of(guild_id)
        role_id = role_id if role_id is not None else self.world.snowflake()
        guild.add_role(role_id, name, permissions=permissions, position=len(guild.roles))
        return role_id

    def add_channel(
        self,
        name: str,
        *,
        type: int = 0,
        guild_id: int | None = None,
        channel_id: int | None = None,
        parent_id: int | None = None,
    ) -> int:
        """A new channel in a guild (0 text, 2 voice, 4 category, 5 announcement); returns its id."""
        channel_id = channel_id if channel_id is not None else self.world.snowflake()
        self.world.guild_of(guild_id).add_channel(channel_id, name, type=type, parent_id=parent_id)
        return channel_id

    def add_member(
        self,
        user_id: int,
        *,
        roles: Sequence[int] | None = None,
        username: str | None = None,
        guild_id: int | None = None,
    ) -> None:
        """Adds a user to a guild (or replaces its roles there when `roles` is given)."""
        self.world.add_member(user_id, roles, username=username, guild_id=guild_id)

    async def join_guild(self, guild_id: int) -> dict[str, Any]:
        """The bot is added to a guild: GUILD_CREATE (without `unavailable`, so discord.py fires on_guild_join) to the
        session of the guild's shard. Returns a copy of what was sent."""
        guild = self.world.guild_of(guild_id)
        if guild.has_bot:
            raise ValueError(f"the bot is in guild {guild_id} already")
        guild.add_bot()
        payload = guild.guild_create_payload(joined=True)
        if self.gateway.shards:
            await self.gateway.dispatch_guild(guild.guild_id, "GUILD_CREATE", copy.deepcopy(payload))
        return payload

    async def remove_guild(self, guild_id: int) -> None:
        """The bot is kicked from (or leaves) a guild: it is no member any more, so REST on the guild's channels, events
        and commands answers 403 Missing Access; then GUILD_DELETE `{"id", "unavailable": false}` (discord.py:
        on_guild_remove) to the session of the guild's shard. Its roles stay for a later join_guild."""
        guild = self.world.guild_of(guild_id)
        if not guild.has_bot:
            raise ValueError(f"the bot is not in guild {guild_id}")
        del guild.members[self.world.bot_user_id]
        session = self.gateway.session_for(guild.guild_id)
        if session is not None:
            await self.gateway.dispatch_to(session, "GUILD_DELETE", {"id": str(guild.guild_id), "unavailable": False})
