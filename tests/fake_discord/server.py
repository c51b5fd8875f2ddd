"""FakeDiscord: an aiohttp server on 127.0.0.1 that the unmodified discord.py client talks to.

REST lives under `/api/v10`, the gateway websocket at `/gateway` on the same port. Every REST
request is recorded; tests wait (never sleep-poll) on an asyncio.Event renewed on every change for
requests, gateway frames and readiness, and can inject faults (5xx, 429, slow answers, dropped
gateway, a gateway that keeps the bot waiting for HELLO, INVALID_SESSION, unacknowledged heartbeats).
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web

from . import models
from .driver import BotDriver
from .gateway import Gateway, GatewayFrame
from .guild_admin import GuildAdmin
from .interactions import InteractionRecord
from .multipart import RecordedFile, parse_body
from .records import FaultInjection, Injection, RecordedRequest, injected_reply
from .responses import ResponseViews
from .rest import RestApi
from .rest_events import EventAdmin
from .world import World

__all__ = ["FakeDiscord", "Injection", "InteractionRecord", "RecordedFile", "RecordedRequest"]

_T = TypeVar("_T")
_API_PATH = re.compile(r"/api/v(?P<version>\d+)(?P<path>/.*)")


class FakeDiscord(BotDriver, ResponseViews, EventAdmin, FaultInjection, GuildAdmin):
    """A fake Discord (one bot; its default guild, and more with add_guild; shards) for end-to-end tests."""

    def __init__(
        self,
        *,
        application_id: int = 1100000000000000001,
        bot_user_id: int | None = None,
        bot_username: str = "coursebot",
        guild_id: int = 1110000000000000001,
        guild_name: str = "Fake Guild",
        owner_id: int = 1120000000000000001,
        channels: Sequence[int | Mapping[str, Any]] = (
            {"id": 1130000000000000001, "name": "general"},
            {"id": 1130000000000000002, "name": "announcements"},
        ),
        roles: Sequence[Mapping[str, Any]] = (),
        token: str = "fake-token",
        heartbeat_interval: int = 41250,
        interaction_deadline: float | None = 3.0,
        allowed_privileged_intents: int = models.PRIVILEGED_INTENTS,
        bot_permissions: int = models.DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = models.DEFAULT_EVERYONE_PERMISSIONS,
        shards: int = 1,
    ) -> None:
        self.token = token
        self.shards = shards  # what GET /gateway/bot recommends (AutoShardedClient without shard_count opens as many)
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline
        self.allowed_privileged_intents = allowed_privileged_intents
        self.application_flags = (
            models.APP_FLAG_PRESENCE_LIMITED | models.APP_FLAG_MEMBERS_LIMITED | models.APP_FLAG_MESSAGE_CONTENT_LIMITED
        )
        self.world = World(
            application_id=application_id,
            bot_user_id=bot_user_id if bot_user_id is not None else application_id,
            bot_username=bot_username,
            guild_id=guild_id,
            guild_name=guild_name,
            owner_id=owner_id,
            channels=channels,
            roles=roles,
            bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions,
        )
        self.requests: list[RecordedRequest] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self.injections: list[Injection] = []  # queued with inject() (records.FaultInjection)
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self.base_url = ""
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user_id(self) -> int:
        return self.world.bot_user_id

    @property
    def guild_id(self) -> int:
        return self.world.guild_id

    @property
    def channel_ids(self) -> list[int]:
        """The default guild's text channels (`guild_channel_ids(guild_id)` for another guild's)."""
        return self.world.guild.text_channel_ids

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway"

    async def start(self) -> None:
        """Binds 127.0.0.1 on an ephemeral port; base_url is set afterwards."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = self.world.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self.gateway.released.set()  # a held connection would otherwise wait for ever
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- waiting -------------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wakes every waiter; called on each recorded request, answer and gateway frame."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    # Explicit timeout parameters (ruff ASYNC109) are deliberate: these waits are the public test API.
    async def _wait(self, check: Callable[[], _T | None], timeout: float, what: str) -> _T:  # noqa: ASYNC109
        async def until() -> _T:
            while True:
                changed = self._changed
                result = check()
                if result:
                    return result
                await changed.wait()

        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            recent = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-10:]]
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}; last requests: {recent}") from None

    async def wait_for_request(
        self,
        method: str,
        path_pattern: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[RecordedRequest], bool] | None = None,
        since: int = 0,
        answered: bool = False,
    ) -> RecordedRequest:
        """The first request (from index `since` of `requests`, so no race with earlier ones) matching
        `method` and the full-match regex `path_pattern`; with answered=True, once it has a status."""
        pattern = re.compile(path_pattern)

        def find() -> RecordedRequest | None:
            for req in self.requests[since:]:
                if req.method == method and pattern.fullmatch(req.path) and (predicate is None or predicate(req)):
                    if not answered or req.status is not None:
                        return req
            return None

        return await self._wait(find, timeout, f"{method} {path_pattern}")

    async def wait_for_gateway(
        self,
        op: int,
        *,
        direction: str = "recv",
        event: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        since: int = 0,
        predicate: Callable[[GatewayFrame], bool] | None = None,
    ) -> GatewayFrame:
        """The first gateway frame (from index `since` of `gateway_frames`) with this op (and event)."""

        def find() -> GatewayFrame | None:
            for frame in self.gateway.frames[since:]:
                if frame.op == op and frame.direction == direction and (event is None or frame.t == event):
                    if predicate is None or predicate(frame):
                        return frame
            return None

        return await self._wait(find, timeout, f"gateway op {op} {event or ''}")

    async def wait_until_ready(self, timeout: float = 10, *, shard_id: int | None = None) -> None:  # noqa: ASYNC109
        """Until the bot has identified and was sent READY + GUILD_CREATEs (or RESUMED after a drop): on every shard
        it has a session for (shard_id=None), or on that shard."""
        what = "the bot to connect to the gateway" + ("" if shard_id is None else f" on shard {shard_id}")
        await self._wait(lambda: self.gateway.is_ready(shard_id) or None, timeout, what)

    async def wait_for_callback(
        self,
        interaction: InteractionRecord,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> RecordedRequest:
        """The answered POST /interactions/{id}/{token}/callback of this interaction."""
        path = rf"/interactions/{interaction.id}/{re.escape(interaction.token)}/callback"
        return await self.wait_for_request("POST", path, timeout=timeout, answered=True)

    @property
    def session_id(self) -> str | None:
        """The current gateway session of shard 0 (changes on every IDENTIFY, not on RESUME); `gateway.shards` has
        each shard's."""
        return self.gateway.current.session_id if self.gateway.current else None

    @property
    def gateway_frames(self) -> list[GatewayFrame]:
        return self.gateway.frames

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests to routes the fake does not implement (answered 404): a test should keep this empty."""
        return [r for r in self.requests if r.route is None]

    # --- HTTP plumbing -------------------------------------------------------------------------

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        m = _API_PATH.fullmatch(request.path)
        path = m.group("path") if m else request.path
        parsed, files = parse_body(request.headers.get("Content-Type", ""), raw)
        rec = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=parsed,
            files=files,
            headers=dict(request.headers),
            time=time.monotonic(),
            body=raw,
        )
        self.requests.append(rec)
        self._notify()
        match = self.rest.match(request.method, path) if m else None
        if match is not None:
            rec.route = f"{request.method} {match[0].template}"
        headers: dict[str, str] = {}
        injection = next((i for i in self.injections if i.matches(request.method, path)), None)
        if injection is not None:
            injection.hits += 1
            if injection.delay:
                await asyncio.sleep(injection.delay)  # the *server* is slow; tests never sleep
        fault = injection if injection is not None and (injection.status is not None or injection.drop) else None
        if fault is not None and not fault.after:
            rec.injected = True
            status, body, headers = injected_reply(fault)
        elif match is None:
            status, body = 404, {"message": "404: Not Found", "code": 0}
        elif match[0].auth and request.headers.get("Authorization") != f"Bot {self.token}":
            status, body = 401, {"message": "401: Unauthorized", "code": 0}
        else:
            status, body = await match[0].handler(rec, match[1])
            if fault is not None:  # after=True: Discord did it, the bot never hears so
                rec.injected, rec.applied = True, (status, body)
                status, body, headers = injected_reply(fault)
        rec.status, rec.response = (0, None) if fault is not None and fault.drop else (status, body)
        self._notify()
        if fault is not None and fault.drop:
            assert request.transport is not None
            request.transport.abort()  # the client sees the connection close without an answer
            raise ConnectionResetError("fault injection: connection dropped")
        if status == 204 or body is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json" (no charset), as Discord sends: discord.py compares the header verbatim.
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        attachment_id = request.match_info["attachment_id"]
        stored = self.world.files.get(int(attachment_id)) if attachment_id.isdigit() else None
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type=stored.content_type or "application/octet-stream")

    # --- fault injection -----------------------------------------------------------------------

    async def drop_gateway(self, code: int = 4000, reason: str = "", *, shard_id: int | None = None) -> None:
        """Closes the bot's websocket (shard 0's, or `shard_id`'s) with `code` (4000: discord.py resumes; 4004: it
        gives up)."""
        await self.gateway.drop(code, reason, shard_id)

    async def invalidate_session(self, resumable: bool = False, *, shard_id: int | None = None) -> None:
        """Sends op 9 INVALID_SESSION; unless resumable, the session is forgotten (RESUME fails)."""
        await self.gateway.invalidate_session(resumable, shard_id)

    async def request_reconnect(self, *, shard_id: int | None = None) -> None:
        """Sends op 7 RECONNECT; discord.py closes and resumes."""
        await self.gateway.request_reconnect(shard_id)

    def hold_gateway(self, held: bool = True) -> None:
        """While held, new gateway connections are accepted but get no HELLO, so a bot that lost its connection
        stays disconnected (REST keeps working) until `hold_gateway(False)`; then HELLO is sent and the bot
        resumes or identifies as usual. Events dispatched meanwhile are buffered for its RESUME."""
        if held:
            self.gateway.released.clear()
        else:
            self.gateway.released.set()

    async def wait_for_held_connection(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until a connection attempt is waiting on the hold (the bot has tried to reconnect)."""
        await self._wait(lambda: self.gateway.held > 0 or None, timeout, "a gateway connection on hold")

    def set_heartbeat_acks(self, enabled: bool) -> None:
        """Stops/starts answering heartbeats with op 11 (a zombied connection)."""
        self.gateway.ack_heartbeats = enabled

    # --- world setup ---------------------------------------------------------------------------

    def add_user(self, user_id: int, username: str | None = None, *, bot: bool = False) -> dict[str, Any]:
        return copy.deepcopy(self.world.add_user(user_id, username, bot=bot))

    def close_dms(self, user_id: int, closed: bool = True) -> None:
        """With closed DMs, POSTing to the user's DM channel gets 403 code 50007, as on Discord."""
        self.world.add_user(user_id)
        (self.world.closed_dms.add if closed else self.world.closed_dms.discard)(user_id)

    def restrict_channel(self, channel_id: int, code: int | None = 50013) -> None:
        """Makes the channel answer 403 Missing Permissions (50013) or Missing Access (50001); None lifts it."""
        if code is None:
            self.world.restricted_channels.pop(channel_id, None)
        else:
            self.world.restricted_channels[channel_id] = code

    # --- inspection ----------------------------------------------------------------------------

    def messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Snapshot of all messages in a channel (oldest first), ephemeral interaction replies included."""
        return copy.deepcopy(self.world.messages.get(channel_id, []))

    def dm_channel_id(self, user_id: int) -> int | None:
        return self.world.dm_channels.get(user_id)

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        channel_id = self.world.dm_channels.get(user_id)
        return self.messages(channel_id) if channel_id is not None else []

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The command tree as last synced (global when guild_id is None), with assigned ids."""
        return copy.deepcopy(self.world.commands.get(guild_id, []))

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    def expire_interaction(self, interaction: InteractionRecord) -> None:
        """Ends the token's life early: callbacks 404 (10062), webhooks 401 (50027)."""
        interaction.expired = True
