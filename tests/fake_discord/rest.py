"""The REST route table of the fake (`/api/v10/...`) and the non-interaction routes.

Each handler takes the recorded request and the path parameters and returns (status, JSON body, or
None for 204); the HTTP plumbing (recording, auth, fault injection) is in server.py.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import models
from . import permissions as perms
from .rest_common import (
    DM_CLOSED,
    MISSING_ACCESS,
    NOT_AUTHOR,
    RESTRICTED,
    UNKNOWN_CHANNEL,
    UNKNOWN_COMMAND,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    Reply,
    _int,
    body_of,
    error,
    refuse_new_message,
)
from .rest_events import EventRoutes
from .rest_guilds import GuildRoutes
from .rest_interactions import InteractionRoutes
from .validation import FormErrors, is_empty_message, validate_commands

if TYPE_CHECKING:
    from .records import RecordedRequest
    from .server import FakeDiscord

Handler = Callable[["RecordedRequest", dict[str, str]], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class RestApi(InteractionRoutes, EventRoutes, GuildRoutes):
    """The route table and handlers; all state lives in `fake.world`."""

    def __init__(self, fake: FakeDiscord) -> None:
        super().__init__(fake)
        self.routes: list[Route] = []
        r = self._add
        r("GET", "/gateway", self.get_gateway, auth=False)
        r("GET", "/gateway/bot", self.get_gateway_bot)
        r("GET", "/users/@me", self.get_me)
        r("POST", "/users/@me/channels", self.create_dm)
        r("GET", "/users/{user_id}", self.get_user)
        r("GET", "/oauth2/applications/@me", self.get_application)
        r("GET", "/applications/@me", self.get_application)
        for prefix in ("/applications/{app_id}/commands", "/applications/{app_id}/guilds/{guild_id}/commands"):
            r("GET", prefix, self.get_commands)
            r("PUT", prefix, self.put_commands)
            r("GET", prefix + "/{command_id}", self.get_command)
            r("DELETE", prefix + "/{command_id}", self.delete_command)
        r("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback, auth=False)
        r("POST", "/webhooks/{app_id}/{token}", self.webhook_execute, auth=False)
        r("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_get_message, auth=False)
        r("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_edit_message, auth=False)
        r("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_delete_message, auth=False)
        r("GET", "/channels/{channel_id}", self.get_channel)
        r("GET", "/channels/{channel_id}/messages", self.get_messages)
        r("POST", "/channels/{channel_id}/messages", self.create_message)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r("POST", "/channels/{channel_id}/typing", self.typing)
        self.add_guild_routes(r)
        self.add_event_routes(r)

    def _add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append(Route(method, template, re.compile(regex), handler, auth))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method == method:
                m = route.pattern.fullmatch(path)
                if m:
                    return route, m.groupdict()
        return None

    # --- session / identity --------------------------------------------------------------------

    async def get_gateway(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, {"url": self.fake.gateway_url}

    async def get_gateway_bot(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return 200, {"url": self.fake.gateway_url, "shards": self.fake.shards, "session_start_limit": limit}

    async def get_me(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        user = dict(self.world.users[self.world.bot_user_id])
        user.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return 200, user

    async def get_user(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        user = self.world.users.get(_int(p["user_id"]))
        return (200, dict(user)) if user else UNKNOWN_USER

    async def create_dm(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        body = body_of(req)
        user_id = _int(body.get("recipient_id"))
        if user_id not in self.world.users:
            return error(400, 50033, "Invalid Recipient(s)")
        return 200, copy.deepcopy(self.world.dm_channel_for(user_id))

    async def get_application(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        world = self.world
        return 200, {
            "id": str(world.application_id),
            "name": world.users[world.bot_user_id]["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.fake.application_flags,
            "owner": dict(world.users[world.owner_id]),
            "team": None,
            "hook": True,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "tags": [],
            "approximate_guild_count": len(world.bot_guilds()),
            "bot": dict(world.users[world.bot_user_id]),
            "integration_types_config": {"0": {}},
        }

    # --- application commands ------------------------------------------------------------------

    def _scope(self, p: dict[str, str]) -> tuple[int | None, Reply | None]:
        if _int(p["app_id"]) != self.world.application_id:
            return None, error(403, 50001, "Missing Access")
        if "guild_id" not in p:
            return None, None
        guild_id = _int(p["guild_id"])
        return guild_id, (None if self.world.bot_in(guild_id) else MISSING_ACCESS)

    async def get_commands(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        scope, err = self._scope(p)
        return err or (200, copy.deepcopy(self.world.commands.get(scope, [])))

    async def put_commands(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        scope, err = self._scope(p)
        if err:
            return err
        errors = validate_commands(req.json)
        if errors:
            return 400, errors.body()
        return 200, self.world.overwrite_commands(scope, req.json)

    def _find_command(self, p: dict[str, str]) -> tuple[int | None, dict[str, Any] | None, Reply | None]:
        scope, err = self._scope(p)
        if err:
            return scope, None, err
        for cmd in self.world.commands.get(scope, []):
            if cmd["id"] == p["command_id"]:
                return scope, cmd, None
        return scope, None, UNKNOWN_COMMAND

    async def get_command(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        _, cmd, err = self._find_command(p)
        return err or (200, copy.deepcopy(cmd))

    async def delete_command(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        scope, cmd, err = self._find_command(p)
        if err or cmd is None:
            return err or UNKNOWN_COMMAND
        self.world.commands[scope].remove(cmd)
        return 204, None

    # --- channels & messages -------------------------------------------------------------------

    def _channel(self, p: dict[str, str], needed: int = 0) -> tuple[int, Reply | None]:
        """The channel id, or Discord's error: unknown, restricted by the test, in a guild the bot is not in or where
        it lacks View Channel (403 50001), or one of the `needed` permission bits (403 50013) there after overwrites."""
        channel_id = _int(p["channel_id"])
        channel = self.world.channels.get(channel_id)
        if channel is None:
            return channel_id, UNKNOWN_CHANNEL
        code = self.world.restricted_channels.get(channel_id)
        if code:
            return channel_id, RESTRICTED[code]
        if channel["type"] != 1:
            if not self.world.bot_in(_int(channel.get("guild_id"))):
                return channel_id, MISSING_ACCESS
            granted = self.world.permissions_in(self.world.bot_user_id, channel_id)
            if not granted & perms.VIEW_CHANNEL:
                return channel_id, MISSING_ACCESS
            if needed & ~granted:
                return channel_id, RESTRICTED[50013]
        return channel_id, None

    def _bot_may(self, channel_id: int, bits: int) -> bool:
        return self.world.permissions_in(self.world.bot_user_id, channel_id) & bits == bits

    async def get_channel(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        channel_id, err = self._channel(p)
        return err or (200, copy.deepcopy(self.world.channels[channel_id]))

    async def create_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        channel_id, err = self._channel(p, perms.SEND_MESSAGES | (perms.ATTACH_FILES if req.files else 0))
        if err:
            return err
        if self.world.channels[channel_id]["type"] == 4:
            return error(400, 50008, "Cannot send messages in a non-text channel")
        recipient = self.world.dm_recipient(channel_id)
        if recipient is not None and recipient in self.world.closed_dms:
            return DM_CLOSED
        body = body_of(req)
        if refused := refuse_new_message(req, body):
            return refused
        if body.get("embeds") and recipient is None and not self._bot_may(channel_id, perms.EMBED_LINKS):
            # Without Embed Links Discord refuses an embed-only message and drops the embeds of any other.
            body = {**body, "embeds": []}
            if is_empty_message(body, len(req.files)):
                return RESTRICTED[50013]
        attachments = self.world.store_files(channel_id, [f.as_upload() for f in req.files], self.fake.base_url)
        message_type = 19 if body.get("message_reference") else 0
        message, created = self.world.create_message(
            channel_id, body, attachments, author_id=self.world.bot_user_id, message_type=message_type
        )
        if created:
            await self.fake.gateway.emit_message("MESSAGE_CREATE", message)
        return 200, copy.deepcopy(message)

    async def get_messages(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        channel_id, err = self._channel(p)
        if err:
            return err
        try:
            limit = int(req.query.get("limit", "50"))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            errors = FormErrors()
            errors.add(["limit"], "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
            return 400, errors.body()
        visible = [
            m for m in self.world.messages.get(channel_id, []) if not int(m["flags"]) & models.MESSAGE_FLAG_EPHEMERAL
        ]
        before, after, around = (req.query.get(k) for k in ("before", "after", "around"))
        if before:
            visible = [m for m in visible if int(m["id"]) < int(before)]
        if after:
            visible = [m for m in visible if int(m["id"]) > int(after)][:limit]
        if around:
            idx = next((i for i, m in enumerate(visible) if int(m["id"]) >= int(around)), len(visible))
            start = max(0, idx - limit // 2)
            visible = visible[start : start + limit]
        newest_first = list(reversed(visible))[:limit]
        return 200, copy.deepcopy(newest_first)

    async def get_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        channel_id, err = self._channel(p)
        if err:
            return err
        message = self.world.find_message(channel_id, _int(p["message_id"]))
        return (200, copy.deepcopy(message)) if message else UNKNOWN_MESSAGE

    async def edit_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        channel_id, err = self._channel(p)
        if err:
            return err
        message = self.world.find_message(channel_id, _int(p["message_id"]))
        if message is None:
            return UNKNOWN_MESSAGE
        if int(message["author"]["id"]) != self.world.bot_user_id:
            return NOT_AUTHOR
        return await self._edit_reply(message, req)

    async def delete_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        channel_id, err = self._channel(p)
        if err:
            return err
        message = self.world.find_message(channel_id, _int(p["message_id"]))
        if message is None:
            return UNKNOWN_MESSAGE
        self.world.delete_message(message)
        await self.fake.gateway.emit_message("MESSAGE_DELETE", message)
        return 204, None

    async def typing(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        _, err = self._channel(p)
        return err or (204, None)
