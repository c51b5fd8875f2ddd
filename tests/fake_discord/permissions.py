"""Permissions as Discord computes them: guild permissions (@everyone | roles), then channel overwrites.

https://discord.com/developers/docs/topics/permissions#permission-overwrites: the owner and
ADMINISTRATOR get everything; otherwise the @everyone overwrite applies first, then all of the
member's role overwrites together (denies, then allows), then the member's own overwrite. Implicit
rules follow: without VIEW_CHANNEL nothing is left; without SEND_MESSAGES neither are mentioning
@everyone, TTS, attaching files nor embedding links.

A mixin of World (kept apart so world.py stays about the data itself).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import models

if TYPE_CHECKING:
    from .guild import Member

# Permission bits (https://discord.com/developers/docs/topics/permissions), copied so tests need no reference files.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_EVENTS = 1 << 33
CREATE_EVENTS = 1 << 44

# Overwrite target types.
OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1

_NEED_SEND = SEND_TTS_MESSAGES | MENTION_EVERYONE | ATTACH_FILES | EMBED_LINKS


def overwrite_payload(target_id: int, target_type: int, allow: int, deny: int) -> dict[str, Any]:
    """A permission overwrite as channels carry it (bitfields as strings)."""
    return {"id": str(target_id), "type": target_type, "allow": str(allow), "deny": str(deny)}


def apply_overwrites(
    base: int, overwrites: list[dict[str, Any]], *, everyone_id: int, role_ids: list[int], user_id: int
) -> int:
    """Discord's overwrite order on top of the guild-level `base` (not for owners/administrators)."""
    by_target = {(int(o["type"]), int(o["id"])): o for o in overwrites}
    everyone = by_target.get((OVERWRITE_ROLE, everyone_id))
    if everyone is not None:
        base = (base & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in role_ids:
        role = by_target.get((OVERWRITE_ROLE, role_id))
        if role is not None:
            allow |= int(role["allow"])
            deny |= int(role["deny"])
    base = (base & ~deny) | allow
    member = by_target.get((OVERWRITE_MEMBER, user_id))
    if member is not None:
        base = (base & ~int(member["deny"])) | int(member["allow"])
    if not base & VIEW_CHANNEL:
        return 0
    if not base & SEND_MESSAGES:
        base &= ~_NEED_SEND
    return base


class ChannelPermissions:
    """World's permission methods; World provides the attributes declared here."""

    guild_id: int
    owner_id: int
    roles: dict[int, dict[str, Any]]
    members: dict[int, Member]
    users: dict[int, dict[str, Any]]
    channels: dict[int, dict[str, Any]]

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions (no channel overwrites): @everyone | roles; owner/admin get all."""
        if user_id == self.owner_id:
            return models.ALL_PERMISSIONS
        member = self.members.get(user_id)
        value = int(self.roles[self.guild_id]["permissions"])
        for role_id in member.roles if member else ():
            value |= int(self.roles[role_id]["permissions"])
        return models.ALL_PERMISSIONS if value & models.ADMINISTRATOR else value

    def permissions_in(self, user_id: int, channel_id: int) -> int:
        """A member's permissions in a guild channel, overwrites and implicit rules applied.

        DM channels have no overwrites: there this is the guild-level value (callers treat DMs apart).
        """
        base = self.permissions_of(user_id)
        channel = self.channels.get(channel_id)
        if channel is None or channel.get("type") == 1 or base & models.ADMINISTRATOR:
            return base
        member = self.members.get(user_id)
        return apply_overwrites(
            base,
            channel.get("permission_overwrites") or [],
            everyone_id=self.guild_id,
            role_ids=list(member.roles) if member else [],
            user_id=user_id,
        )

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0, type: int | None = None
    ) -> dict[str, Any]:
        """Sets (replaces) the overwrite for a role (type 0) or member (type 1) in a guild channel.

        `type` defaults to 0 for a known role id (the guild id is @everyone), else 1 for a known user.
        Returns a copy of the updated channel (what CHANNEL_UPDATE carries, minus guild_id).
        """
        channel = self._guild_channel(channel_id)
        if type is None:
            if target_id in self.roles:
                type = OVERWRITE_ROLE
            elif target_id in self.users:
                type = OVERWRITE_MEMBER
            else:
                raise ValueError(f"{target_id} is neither a role nor a user of the fake")
        if type not in (OVERWRITE_ROLE, OVERWRITE_MEMBER):
            raise ValueError(f"overwrite type must be 0 (role) or 1 (member), not {type}")
        overwrites = [o for o in channel["permission_overwrites"] if int(o["id"]) != target_id]
        overwrites.append(overwrite_payload(target_id, type, allow, deny))
        channel["permission_overwrites"] = overwrites
        return copy.deepcopy(channel)

    def remove_overwrite(self, channel_id: int, target_id: int) -> dict[str, Any]:
        """Deletes the overwrite for a role or member (like DELETE /channels/{id}/permissions/{target})."""
        channel = self._guild_channel(channel_id)
        channel["permission_overwrites"] = [o for o in channel["permission_overwrites"] if int(o["id"]) != target_id]
        return copy.deepcopy(channel)

    def _guild_channel(self, channel_id: int) -> dict[str, Any]:
        channel = self.channels.get(channel_id)
        if channel is None or channel.get("type") == 1:
            raise LookupError(f"unknown guild channel {channel_id}")
        return channel
