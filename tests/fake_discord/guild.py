"""One guild of the fake's world: its roles, channels, members, permission overwrites and scheduled events.

Users, DM channels, messages, files and commands are the World's (world.py): a user is the same in
every guild, a guild channel is also indexed in `world.channels` (ids are unique across guilds). The
bot is "in" a guild while it is one of its members (`has_bot`); removed, it keeps no access there.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import models
from .event_store import ScheduledEventStore
from .permissions import ChannelPermissions

if TYPE_CHECKING:
    from .world import World


@dataclass
class Member:
    """A guild member: the user id and the role ids it holds (@everyone implied)."""

    user_id: int
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=models.iso_now)


class Guild(ChannelPermissions, ScheduledEventStore):
    """A guild; its @everyone role has the guild's id, the bot's managed role is `bot_role_id`."""

    def __init__(
        self,
        world: World,
        guild_id: int,
        name: str,
        owner_id: int,
        *,
        channels: Sequence[int | Mapping[str, Any]],
        roles: Sequence[Mapping[str, Any]] = (),
        bot_permissions: int = models.DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = models.DEFAULT_EVERYONE_PERMISSIONS,
        bot_member: bool = True,
    ) -> None:
        self.world = world
        self.guild_id = guild_id
        self.name = name
        self.owner_id = owner_id
        self.members: dict[int, Member] = {}
        self.roles: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}  # this guild's channels (also in world.channels)
        self.scheduled_events: dict[int, dict[str, Any]] = {}

        self.add_role(guild_id, "@everyone", permissions=everyone_permissions, position=0)
        self.bot_role_id = world.snowflake()
        bot_name = world.users[world.bot_user_id]["username"]
        self.add_role(self.bot_role_id, bot_name, permissions=bot_permissions, position=1, managed=True)
        for position, role in enumerate(roles, start=2):
            self.add_role(
                int(role["id"]),
                str(role.get("name", f"role-{role['id']}")),
                permissions=int(role.get("permissions", 0)),
                position=int(role.get("position", position)),
            )
        if bot_member:
            self.add_bot()
        world.add_user(owner_id, "owner")
        self.members.setdefault(owner_id, Member(owner_id, []))
        for position, channel in enumerate(channels):
            if isinstance(channel, Mapping):
                parent = channel.get("parent_id")
                self.add_channel(
                    int(channel["id"]),
                    str(channel.get("name", f"channel-{position}")),
                    type=int(channel.get("type", 0)),
                    parent_id=None if parent is None else int(parent),
                )
            else:
                self.add_channel(int(channel), f"channel-{position}")

    # World's shared state, as the permission and event mixins expect it.
    @property
    def users(self) -> dict[int, dict[str, Any]]:  # type: ignore[override]
        return self.world.users

    @property
    def snowflake(self) -> Callable[[], int]:  # type: ignore[override]
        return self.world.snowflake

    @property
    def now(self) -> _dt.datetime | None:  # type: ignore[override]
        return self.world.now

    @property
    def bot_user_id(self) -> int:
        return self.world.bot_user_id

    @property
    def has_bot(self) -> bool:
        """Whether the bot is in this guild (a member of it)."""
        return self.world.bot_user_id in self.members

    @property
    def text_channel_ids(self) -> list[int]:
        return [cid for cid, c in self.channels.items() if c["type"] == 0]

    # --- guild objects -------------------------------------------------------------------------

    def add_bot(self) -> Member:
        """The bot joins (with its managed role and a fresh joined_at)."""
        member = self.members[self.bot_user_id] = Member(self.bot_user_id, [self.bot_role_id])
        return member

    def add_role(
        self, role_id: int, name: str, *, permissions: int, position: int = 0, managed: bool = False
    ) -> dict[str, Any]:
        bot_id = self.bot_user_id if managed else None
        role = models.role_payload(
            role_id, name, permissions=permissions, position=position, managed=managed, bot_id=bot_id
        )
        self.roles[role_id] = role
        return role

    def add_channel(self, channel_id: int, name: str, *, type: int = 0, parent_id: int | None = None) -> dict[str, Any]:
        """A guild channel: 0 text, 2 voice, 4 category, 5 announcement (the types discord.py builds from these)."""
        if channel_id in self.world.channels:
            raise ValueError(f"channel id {channel_id} is taken")
        channel = models.guild_channel_payload(channel_id, self.guild_id, name, len(self.channels), type, parent_id)
        self.channels[channel_id] = self.world.channels[channel_id] = channel
        self.world.messages.setdefault(channel_id, [])
        return channel

    def add_member(self, user_id: int, roles: Sequence[int] | None = None, *, username: str | None = None) -> Member:
        """Adds the user to the guild, or replaces its roles when `roles` is given."""
        unknown = [int(r) for r in roles or () if int(r) not in self.roles]
        if unknown:  # checked first: a refused call changes nothing
            hint = "pass them in FakeDiscord(roles=...) or add them with fake.add_role first"
            raise ValueError(f"unknown role ids {unknown} in guild {self.guild_id}: {hint}")
        self.world.add_user(user_id, username)
        member = self.members.get(user_id)
        if member is None:
            member = self.members[user_id] = Member(user_id, [int(r) for r in roles or ()])
        elif roles is not None:
            member.roles = [int(r) for r in roles]
        return member

    def member_payload(self, user_id: int) -> dict[str, Any]:
        member = self.members[user_id]
        return models.member_payload(self.users[user_id], member.roles, member.joined_at)

    def guild_payload(self) -> dict[str, Any]:
        """The guild object (REST GET /guilds/{id})."""
        first_channel = next(iter(self.channels), None)
        return {
            "id": str(self.guild_id),
            "name": self.name,
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

    def guild_create_payload(self, *, joined: bool = False) -> dict[str, Any]:
        """GUILD_CREATE: the guild plus channels and (like Discord without presences) only the bot member.

        After READY it carries `unavailable: false`; for a guild the bot has just joined there is no
        `unavailable` (discord.py then fires on_guild_join rather than on_guild_available)."""
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
        if joined:
            del data["unavailable"]
        return data

    def my_guild_payload(self) -> dict[str, Any]:
        """The partial guild of GET /users/@me/guilds."""
        return {
            "id": str(self.guild_id),
            "name": self.name,
            "icon": None,
            "banner": None,
            "owner": self.owner_id == self.bot_user_id,
            "permissions": str(self.permissions_of(self.bot_user_id)),
            "features": [],
        }

    def members_chunk(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """One GUILD_MEMBERS_CHUNK answering a REQUEST_GUILD_MEMBERS (op 8) for this guild."""
        query = data.get("query")
        user_ids = data.get("user_ids")
        limit = int(data.get("limit") or 0)
        members = []
        not_found = []
        if user_ids is not None:
            for uid in user_ids if isinstance(user_ids, list) else [user_ids]:
                if int(uid) in self.members:
                    members.append(self.member_payload(int(uid)))
                else:
                    not_found.append(str(uid))
        else:
            for uid in self.members:
                name = self.users[uid]["username"]
                if query and not name.lower().startswith(str(query).lower()):
                    continue
                members.append(self.member_payload(uid))
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(self.guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        return chunk
