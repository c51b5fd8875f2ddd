"""Guild Scheduled Events: the REST routes, the gateway dispatches, and what a human admin does to events.

Permissions as Discord checks them: creating needs Create Events or Manage Events (in the channel for
STAGE/VOICE events, guild-wide for EXTERNAL ones); editing or deleting an event the bot created needs
either of them too, an event someone else created needs Manage Events; otherwise 403 50013.
GUILD_SCHEDULED_EVENT_CREATE/UPDATE/DELETE reach the bot only with the GUILD_SCHEDULED_EVENTS intent.
Finished (COMPLETED/CANCELED) events drop out of the list and GUILD_CREATE, as Discord removes them,
but stay in `fake.scheduled_events()` with their status.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import models
from . import permissions as perms
from .event_store import (
    ACTIVE,
    CANCELED,
    COMPLETED,
    ENTITY_EXTERNAL,
    FINISHED_EVENT,
    MAX_LIVE_EVENTS,
    SCHEDULED,
    TOO_MANY_EVENTS,
    UNKNOWN_EVENT,
    parse_time,
    wire_fields,
)
from .guild import Guild
from .rest_common import RESTRICTED, RestBase, _int, _truthy, body_of

if TYPE_CHECKING:
    from .gateway import Gateway
    from .records import RecordedRequest
    from .rest_common import Reply
    from .world import World

EVENT_PERMISSIONS = perms.CREATE_EVENTS | perms.MANAGE_EVENTS
_LIVE = (SCHEDULED, ACTIVE)


async def emit_event(gateway: Gateway, name: str, event: dict[str, Any]) -> None:
    """GUILD_SCHEDULED_EVENT_<name> to the session of the event's guild's shard if its intents include
    GUILD_SCHEDULED_EVENTS and the bot is in that guild (not identified yet: nothing, GUILD_CREATE will carry it)."""
    payload = gateway.fake.world.event_payload(event)
    intent = models.INTENT_GUILD_SCHEDULED_EVENTS
    await gateway.dispatch_guild(int(event["guild_id"]), f"GUILD_SCHEDULED_EVENT_{name}", payload, intent=intent)


@dataclass(frozen=True)
class _Found:
    """A route's scheduled event and its guild."""

    guild: Guild
    event: dict[str, Any]


class EventRoutes(RestBase):
    """Mixin of RestApi: `add_event_routes` registers the routes."""

    def add_event_routes(self, add: Callable[..., None]) -> None:
        prefix = "/guilds/{guild_id}/scheduled-events"
        add("GET", prefix, self.list_events)
        add("POST", prefix, self.create_event)
        add("GET", prefix + "/{event_id}", self.get_event)
        add("PATCH", prefix + "/{event_id}", self.edit_event)
        add("DELETE", prefix + "/{event_id}", self.delete_event)

    def _event(self, p: dict[str, str]) -> _Found | Reply:
        """The route's guild and event, or Discord's error (guild as in RestBase._guild, then 10070)."""
        guild = self._guild(p)
        if not isinstance(guild, Guild):
            return guild
        event = guild.scheduled_events.get(_int(p["event_id"]))
        return _Found(guild, event) if event is not None else UNKNOWN_EVENT

    def _may(self, guild: Guild, event: dict[str, Any], *, own_ok: bool) -> bool:
        """Whether the bot holds Manage Events (or, with own_ok, Create Events) where `event` is hosted."""
        bot = self.world.bot_user_id
        channel_id = _int(event.get("channel_id"))
        if channel_id in guild.channels:
            granted = guild.permissions_in(bot, channel_id)
        else:
            granted = guild.permissions_of(bot)
        return bool(granted & (EVENT_PERMISSIONS if own_ok else perms.MANAGE_EVENTS))

    async def list_events(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        if not isinstance(guild, Guild):
            return guild
        counted = _truthy(req.query.get("with_user_count"))
        live = [e for _, e in sorted(guild.scheduled_events.items()) if e["status"] in _LIVE]
        return 200, [guild.event_payload(e, with_user_count=counted) for e in live]

    async def get_event(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        found = self._event(p)
        if not isinstance(found, _Found):
            return found
        counted = _truthy(req.query.get("with_user_count"))
        return 200, found.guild.event_payload(found.event, with_user_count=counted)

    async def create_event(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self._guild(p)
        if not isinstance(guild, Guild):
            return guild
        body = body_of(req)
        if not self._may(guild, {"channel_id": body.get("channel_id")}, own_ok=True):
            return RESTRICTED[50013]
        errors = guild.event_errors(body)
        if errors:
            return 400, errors.body()
        if guild.live_event_count() >= MAX_LIVE_EVENTS:
            return TOO_MANY_EVENTS
        event = guild.create_event(body, self.world.bot_user_id)
        await emit_event(self.fake.gateway, "CREATE", event)
        return 200, guild.event_payload(event)

    async def edit_event(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        found = self._event(p)
        if not isinstance(found, _Found):
            return found
        guild, event, body = found.guild, found.event, body_of(req)
        own = _int(event.get("creator_id")) == self.world.bot_user_id
        moved_to = {"channel_id": body["channel_id"]} if body.get("channel_id") is not None else event
        if not self._may(guild, event, own_ok=own) or not self._may(guild, moved_to, own_ok=own):
            return RESTRICTED[50013]
        if event["status"] in (COMPLETED, CANCELED):
            return FINISHED_EVENT
        errors = guild.event_errors(body, event)
        if errors:
            return 400, errors.body()
        guild.update_event(event, body)
        await emit_event(self.fake.gateway, "UPDATE", event)
        return 200, guild.event_payload(event)

    async def delete_event(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        found = self._event(p)
        if not isinstance(found, _Found):
            return found
        guild, event = found.guild, found.event
        if not self._may(guild, event, own_ok=_int(event.get("creator_id")) == self.world.bot_user_id):
            return RESTRICTED[50013]
        del guild.scheduled_events[int(event["id"])]
        await emit_event(self.fake.gateway, "DELETE", event)
        return 204, None


class EventAdmin:
    """Mixin of FakeDiscord: inspecting events and changing them as a human admin would in the client."""

    world: World
    gateway: Gateway

    def scheduled_events(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Copies of all stored events of a guild (default: the default guild), finished ones included with their
        status, oldest first."""
        guild = self.world.guilds.get(guild_id if guild_id is not None else self.world.guild_id)
        return [guild.event_payload(e) for _, e in sorted(guild.scheduled_events.items())] if guild else []

    async def admin_create_event(
        self, *, creator_id: int | None = None, guild_id: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An admin (the guild's owner unless creator_id says otherwise) creates an event in a guild (default: the
        default guild): Discord's validation applies (ValueError with the form errors), the bot gets
        GUILD_SCHEDULED_EVENT_CREATE. Fields as in the REST body; `start`/`end` datetimes and `location` are
        accepted; privacy_level and entity_type default to GUILD_ONLY and EXTERNAL."""
        guild = self.world.guild_of(guild_id)
        body = {"privacy_level": 2, "entity_type": ENTITY_EXTERNAL, **wire_fields(fields)}
        errors = guild.event_errors(body)
        if errors:
            raise ValueError(f"Discord would refuse this event: {errors.tree}")
        event = guild.create_event(body, creator_id if creator_id is not None else guild.owner_id)
        await emit_event(self.gateway, "CREATE", event)
        return guild.event_payload(event)

    async def admin_edit_event(self, event_id: int, *, force: bool = False, **fields: Any) -> dict[str, Any]:
        """An admin edits an event (e.g. `name="x"`, `status=4`, `start=datetime`, `location="Room 2"`); the bot
        gets GUILD_SCHEDULED_EVENT_UPDATE. Discord's rules apply (ValueError) unless force=True, which
        sets the fields as given (e.g. a status Discord's own automation would set). Returns the event."""
        event = self._stored_event(event_id)
        body = wire_fields(fields)
        if not force:
            if event["status"] in (COMPLETED, CANCELED):
                raise ValueError("Discord would refuse: Cannot update a finished event (180000)")
            errors = self.world.event_errors(body, event)
            if errors:
                raise ValueError(f"Discord would refuse this edit: {errors.tree}")
        self.world.update_event(event, body)
        await emit_event(self.gateway, "UPDATE", event)
        return self.world.event_payload(event)

    async def admin_delete_event(self, event_id: int) -> None:
        """An admin deletes an event; the bot gets GUILD_SCHEDULED_EVENT_DELETE."""
        event = self._stored_event(event_id)
        del self.world.guild_of(int(event["guild_id"])).scheduled_events[int(event_id)]
        await emit_event(self.gateway, "DELETE", event)

    async def run_event_automation(self) -> list[dict[str, Any]]:
        """What Discord does by itself at "now" (world.now or the wall clock) for EXTERNAL events: start
        SCHEDULED ones whose start time has passed, complete ACTIVE ones whose end time has passed
        (GUILD_SCHEDULED_EVENT_UPDATE each). Returns the changed events."""
        now = self.world.current_time()
        changed = []
        for event in [e for g in self.world.guilds.values() for e in list(g.scheduled_events.values())]:
            if event["entity_type"] != ENTITY_EXTERNAL:
                continue
            start, end = parse_time(event["scheduled_start_time"]), parse_time(event["scheduled_end_time"])
            before = event["status"]
            if event["status"] == SCHEDULED and start is not None and start <= now:
                event["status"] = ACTIVE
            if event["status"] == ACTIVE and end is not None and end <= now:
                event["status"] = COMPLETED
            if event["status"] == before:
                continue
            await emit_event(self.gateway, "UPDATE", event)
            changed.append(self.world.event_payload(event))
        return changed

    async def set_role_permissions(self, role_id: int, bits: int) -> dict[str, Any]:
        """Sets a role's permissions, in whichever guild has it (GUILD_ROLE_UPDATE to a connected bot in that
        guild); returns the role."""
        guild = self.world.guild_of_role(role_id)
        role = guild.set_role_permissions(role_id, bits)
        data = {"guild_id": str(guild.guild_id), "role": role}
        await self.gateway.dispatch_guild(guild.guild_id, "GUILD_ROLE_UPDATE", data)
        return copy.deepcopy(role)

    async def set_bot_permissions(self, bits: int, *, guild_id: int | None = None) -> dict[str, Any]:
        """The bot's own role in a guild (default: the default guild) gets exactly `bits`, e.g.
        `models.DEFAULT_BOT_PERMISSIONS | permissions.CREATE_EVENTS`."""
        return await self.set_role_permissions(self.world.guild_of(guild_id).bot_role_id, bits)

    def _stored_event(self, event_id: int) -> dict[str, Any]:
        event = self.world.find_event(int(event_id))
        if event is None:
            raise LookupError(f"no scheduled event {event_id}")
        return event
