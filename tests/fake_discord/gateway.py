"""The fake gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATEs, heartbeats, RESUME, shards, faults.

Several sessions may be live at once, one per shard (IDENTIFY's `shard: [shard_id, shard_count]`,
[0, 1] without it): each gets READY listing the guilds of its shard the bot is in, then one
GUILD_CREATE per guild, and afterwards only the events of those guilds (DMs go to shard 0), as
Discord routes them: guild `(guild_id >> 22) % shard_count`. Dispatches are numbered per session and
kept, so a RESUME replays what the bot missed while disconnected, as Discord does.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import models
from .gateway_wire import (
    CLOSE_ALREADY_AUTHENTICATED,
    CLOSE_AUTHENTICATION_FAILED,
    CLOSE_DECODE_ERROR,
    CLOSE_DISALLOWED_INTENTS,
    CLOSE_INVALID_API_VERSION,
    CLOSE_INVALID_INTENTS,
    CLOSE_INVALID_SHARD,
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_UNKNOWN_OPCODE,
    GatewayConnection,
    GatewayFrame,
    GatewaySession,
    compressor_for,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

__all__ = ["Gateway", "GatewayConnection", "GatewayFrame", "GatewaySession", "event_guild_id"]

_GUILD_OBJECT_EVENTS = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")


def event_guild_id(event: str, data: Any) -> int | None:
    """The guild a dispatch is about (its `guild_id`, or `id` for GUILD_CREATE/UPDATE/DELETE); None for DMs."""
    if not isinstance(data, dict):
        return None
    value = data.get("id") if event in _GUILD_OBJECT_EVENTS else data.get("guild_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class Gateway:
    """Serves /gateway for one bot user: its sessions, and which one is current for each shard."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, GatewaySession] = {}  # every resumable session
        self.shards: dict[int, GatewaySession] = {}  # shard id -> its current session (identified or resumed last)
        self.connections: set[GatewayConnection] = set()
        self.frames: list[GatewayFrame] = []
        self.connect_queries: list[dict[str, str]] = []  # the URL query of each connection attempt
        self.ack_heartbeats = True
        self.released = asyncio.Event()  # cleared by FakeDiscord.hold_gateway: new connections wait for HELLO
        self.released.set()
        self.held = 0  # connections waiting on the hold right now

    @property
    def current(self) -> GatewaySession | None:
        """Shard 0's current session (a bot without sharding has only that one), else the lowest shard's."""
        if not self.shards:
            return None
        return self.shards.get(0) or self.shards[min(self.shards)]

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The current session Discord sends this guild's events to (DMs: shard 0's); None if no shard covers it."""
        return next((s for s in self.shards.values() if s.owns(guild_id)), None)

    def is_ready(self, shard_id: int | None = None) -> bool:
        """Shard `shard_id`'s session is connected and was sent READY or RESUMED; None: every current session is."""
        if shard_id is not None:
            session = self.shards.get(shard_id)
            return session is not None and session.ready
        return bool(self.shards) and all(s.ready for s in self.shards.values())

    def record(self, payload: dict[str, Any], direction: str, conn: GatewayConnection | None = None) -> None:
        session = conn.session if conn is not None else None
        frame = GatewayFrame(
            op=int(payload.get("op", -1)),
            d=payload.get("d"),
            t=payload.get("t"),
            s=payload.get("s"),
            time=time.monotonic(),
            direction=direction,
            shard_id=session.shard_id if session is not None else None,
        )
        self.frames.append(frame)
        self.fake._notify()

    # --- connection lifecycle -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.connect_queries.append(dict(request.query))
        version = request.query.get("v", "10")
        if request.query.get("encoding", "json") != "json":
            return web.json_response({"message": "Only encoding=json is supported by the fake", "code": 0}, status=400)
        try:
            compressor = compressor_for(request.query.get("compress"))
        except ImportError:
            return web.json_response({"message": "zstd is not available", "code": 0}, status=400)
        except ValueError as exc:
            return web.json_response({"message": str(exc), "code": 0}, status=400)

        ws = web.WebSocketResponse(compress=False, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, compressor, self)
        self.connections.add(conn)
        try:
            if not self.released.is_set():
                await self._hold()
                if ws.closed:
                    return ws
            if version not in ("9", "10"):
                await conn.close(CLOSE_INVALID_API_VERSION, "Invalid API version.")
                return ws
            hello = {"op": 10, "d": {"heartbeat_interval": self.fake.heartbeat_interval}, "s": None, "t": None}
            await conn.send(hello)
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_text(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await conn.close(CLOSE_DECODE_ERROR, "Error while decoding payload.")
        except ConnectionResetError:
            pass
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                session.ready = False
            self.fake._notify()
        return ws

    async def _hold(self) -> None:
        """Keeps an accepted connection waiting for HELLO until the hold is released."""
        self.held += 1
        self.fake._notify()
        try:
            await self.released.wait()
        finally:
            self.held -= 1

    async def _on_text(self, conn: GatewayConnection, text: str) -> None:
        try:
            payload = json.loads(text)
            op = int(payload["op"])
        except (ValueError, KeyError, TypeError):
            await conn.close(CLOSE_DECODE_ERROR, "Error while decoding payload.")
            return
        self.record(payload, "recv", conn)
        data = payload.get("d")
        if op == 1:
            if self.ack_heartbeats:
                await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op in (3, 4, 8):
            if conn.session is None:
                await conn.close(CLOSE_NOT_AUTHENTICATED, "Not authenticated.")
            elif op == 8:
                await self._request_members(conn.session, data or {})
            # presence (3) and voice state (4) updates are only recorded
        else:
            await conn.close(CLOSE_UNKNOWN_OPCODE, "Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        fake = self.fake
        if conn.session is not None:
            await conn.close(CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        if data.get("token") != fake.token:
            await conn.close(CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents >= 1 << 26:
            await conn.close(CLOSE_INVALID_INTENTS, "Invalid intent(s).")
            return
        if intents & models.PRIVILEGED_INTENTS & ~fake.allowed_privileged_intents:
            await conn.close(CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        shard = data.get("shard")
        if shard is not None and not (
            isinstance(shard, list) and len(shard) == 2 and all(isinstance(n, int) for n in shard)
            and 0 <= shard[0] < shard[1]
        ):
            await conn.close(CLOSE_INVALID_SHARD, "Invalid shard.")
            return
        shard_id, shard_count = shard if shard is not None else (0, 1)
        session = GatewaySession(
            session_id=uuid.uuid4().hex,
            intents=intents,
            identify=dict(data),
            shard_id=shard_id,
            shard_count=shard_count,
        )
        self.sessions[session.session_id] = session
        for other in [s for s, current in self.shards.items() if current.shard_count != shard_count]:
            del self.shards[other]  # the bot resharded: the old layout's sessions get nothing more
        self.shards[shard_id] = session
        conn.session = session
        session.connection = conn
        world = fake.world
        guilds = [g for g in world.bot_guilds() if session.owns(g.guild_id)]
        bot_user = dict(world.users[world.bot_user_id])
        bot_user.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        ready: dict[str, Any] = {
            "v": 10,
            "user": bot_user,
            "user_settings": {},
            "guilds": [{"id": str(g.guild_id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": fake.gateway_url,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "application": {"id": str(world.application_id), "flags": fake.application_flags},
            "_trace": ['["fake-discord-gateway"]'],
        }
        if shard is not None:
            ready["shard"] = shard
        await self.dispatch_to(session, "READY", ready)
        for guild in guilds:
            await self.dispatch_to(session, "GUILD_CREATE", guild.guild_create_payload())
        session.ready = session.connection is conn
        fake._notify()

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.fake.token:
            await conn.close(CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        if session is None:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.connection
        if old is not None and old is not conn:
            old.session = None
            await old.close(4000, "Session resumed elsewhere.")
        conn.session = session
        session.connection = conn
        self.shards[session.shard_id] = session
        since = data.get("seq") or 0
        for event in [e for e in session.events if e["s"] > since]:
            await conn.send(event)
        await self.dispatch_to(session, "RESUMED", {"_trace": ['["fake-discord-gateway"]']})
        session.ready = session.connection is conn
        self.fake._notify()

    async def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        """GUILD_MEMBERS_CHUNK for each requested guild of this session's shard that the bot is in."""
        guild_ids = data.get("guild_id")
        for raw_id in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = self.fake.world.guilds.get(int(str(raw_id))) if str(raw_id).isdigit() else None
            if guild is not None and guild.has_bot and session.owns(guild.guild_id):
                await self.dispatch_to(session, "GUILD_MEMBERS_CHUNK", guild.members_chunk(data))

    # --- dispatching ---------------------------------------------------------------------------

    async def dispatch_to(self, session: GatewaySession, event: str, data: Any) -> int:
        """Numbers and stores the event; sends it now if connected, else it is replayed on RESUME."""
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(payload)
        conn = session.connection
        if conn is not None:
            try:
                await conn.send(payload)
            except (ConnectionResetError, RuntimeError):
                pass  # dropped mid-send: it stays in session.events for a RESUME
        return session.seq

    async def dispatch(self, event: str, data: Any, *, guild_id: int | None | EllipsisType = ...) -> int:
        """To the session of the event's guild's shard (guild_id=... reads it from `data`; None: shard 0, as
        for DMs). Returns the sequence number, or 0 if no session of the bot covers that shard."""
        if not self.shards:
            raise RuntimeError("no gateway session: the bot has not identified yet")
        session = self.session_for(event_guild_id(event, data) if guild_id is ... else guild_id)
        return await self.dispatch_to(session, event, data) if session is not None else 0

    async def dispatch_guild(self, guild_id: int, event: str, data: Any, *, intent: int = 0) -> int:
        """A guild's own event (CHANNEL_UPDATE, GUILD_ROLE_UPDATE, ...): only while the bot is in that guild, to its
        shard's session, and (with `intent`) only if that session identified with the intent. 0 if not sent."""
        session = self.session_for(guild_id) if self.fake.world.bot_in(guild_id) else None
        if session is None or (intent and not session.intents & intent):
            return 0
        return await self.dispatch_to(session, event, data)

    async def emit_message(self, event: str, message: dict[str, Any]) -> None:
        """MESSAGE_CREATE/UPDATE/DELETE for a stored message, filtered by intents as Discord does:
        GUILD_MESSAGES / DIRECT_MESSAGES to get it at all, MESSAGE_CONTENT to read others' guild messages."""
        if int(message.get("flags") or 0) & models.MESSAGE_FLAG_EPHEMERAL:
            return
        world = self.fake.world
        guild = world.guild_of_channel(int(message["channel_id"]))
        if guild is not None and not guild.has_bot:
            return
        session = self.session_for(guild.guild_id if guild is not None else None)
        needed = models.INTENT_GUILD_MESSAGES if guild is not None else models.INTENT_DIRECT_MESSAGES
        if session is None or not session.intents & needed:
            return
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": message["id"], "channel_id": message["channel_id"]}
        else:
            data = copy.deepcopy(message)
            author_id = int(message["author"]["id"])
            mentioned = any(int(u["id"]) == world.bot_user_id for u in message.get("mentions", []))
            can_read = session.intents & models.INTENT_MESSAGE_CONTENT or guild is None or mentioned
            if author_id != world.bot_user_id and not can_read:
                data.update({"content": "", "embeds": [], "attachments": [], "components": []})
            if guild is not None and author_id in guild.members:
                member = guild.member_payload(author_id)
                member.pop("user")
                data["member"] = member
        if guild is not None:
            data["guild_id"] = str(guild.guild_id)
        await self.dispatch_to(session, event, data)

    # --- faults --------------------------------------------------------------------------------

    def _session(self, shard_id: int | None) -> GatewaySession:
        session = self.current if shard_id is None else self.shards.get(shard_id)
        if session is None or session.connection is None:
            which = "" if shard_id is None else f" on shard {shard_id}"
            raise RuntimeError(f"the bot is not connected to the gateway{which}")
        return session

    async def drop(self, code: int = 4000, message: str = "", shard_id: int | None = None) -> None:
        session = self._session(shard_id)
        conn = session.connection
        assert conn is not None
        session.connection = None  # from now on events are buffered for the RESUME
        session.ready = False
        self.fake._notify()
        await conn.close(code, message)

    async def invalidate_session(self, resumable: bool = False, shard_id: int | None = None) -> None:
        session = self._session(shard_id)
        conn = session.connection
        assert conn is not None
        if not resumable:
            self.sessions.pop(session.session_id, None)
        session.ready = False
        self.fake._notify()
        await conn.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def request_reconnect(self, shard_id: int | None = None) -> None:
        session = self._session(shard_id)
        conn = session.connection
        assert conn is not None
        session.ready = False
        self.fake._notify()
        await conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001, "Fake Discord stopping.")

