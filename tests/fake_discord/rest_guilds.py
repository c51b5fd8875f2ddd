"""REST routes of guilds: the guild, its channels, roles and members, and the bot's own guild list (and leaving one).

Any guild the fake models answers while the bot is in it; one it was removed from answers 403 Missing Access
(50001), an id the fake does not know 404 Unknown Guild (10004), as Discord does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from .guild import Guild
from .rest_common import UNKNOWN_GUILD, Reply, RestBase, _int, error

if TYPE_CHECKING:
    from .records import RecordedRequest


class GuildRoutes(RestBase):
    """Mixin of RestApi: `add_guild_routes` registers the routes."""

    def add_guild_routes(self, add: Callable[..., None]) -> None:
        add("GET", "/users/@me/guilds", self.list_my_guilds)
        add("DELETE", "/users/@me/guilds/{guild_id}", self.leave_guild)
        add("GET", "/guilds/{guild_id}", self.get_guild)
        add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self.get_guild_roles)
        add("GET", "/guilds/{guild_id}/members", self.get_guild_members)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member)

    async def list_my_guilds(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        """The bot's guilds by id; `before`/`after`/`limit` (1-200, default 200) page through them."""
        try:
            limit = int(req.query.get("limit", "200"))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 200:
            return error(400, 50035, "Invalid Form Body")
        guilds = sorted(self.world.bot_guilds(), key=lambda g: g.guild_id)
        if "after" in req.query:
            guilds = [g for g in guilds if g.guild_id > _int(req.query["after"])]
        if "before" in req.query:
            guilds = [g for g in guilds if g.guild_id < _int(req.query["before"])][-limit:]
        return 200, [g.my_guild_payload() for g in guilds[:limit]]

    async def leave_guild(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        """The bot leaves: GUILD_DELETE follows, as when it is kicked."""
        guild = self.world.guilds.get(_int(p["guild_id"]))
        if guild is None or not guild.has_bot:
            return UNKNOWN_GUILD
        await self.fake.remove_guild(guild.guild_id)
        return 204, None

    async def get_guild(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        return guild if not isinstance(guild, Guild) else (200, guild.guild_payload())

    async def get_guild_channels(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        return guild if not isinstance(guild, Guild) else (200, [copy.deepcopy(c) for c in guild.channels.values()])

    async def get_guild_roles(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        return guild if not isinstance(guild, Guild) else (200, [copy.deepcopy(r) for r in guild.roles.values()])

    async def get_guild_members(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        if not isinstance(guild, Guild):
            return guild
        limit = int(req.query.get("limit", "1"))
        after = int(req.query.get("after", "0"))
        ids = sorted(uid for uid in guild.members if uid > after)[:limit]
        return 200, [guild.member_payload(uid) for uid in ids]

    async def get_guild_member(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        if not isinstance(guild, Guild):
            return guild
        user_id = _int(p["user_id"])
        if user_id not in guild.members:
            return error(404, 10007, "Unknown Member")
        return 200, guild.member_payload(user_id)
