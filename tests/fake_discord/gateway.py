"""The fake gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, faults.

Frames are compressed the way discord.py asks in its URL query (`compress=zlib-stream`: one zlib
stream per connection, each frame ending with a Z_SYNC_FLUSH; `zstd-stream` when zstandard is
available; plain text frames otherwise). Dispatches are numbered per session and kept, so a RESUME
replays what the bot missed while disconnected, as Discord does.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import WSMsgType, web

from . import models

if TYPE_CHECKING:
    from .server import FakeDiscord

# Gateway close codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_INVALID_API_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014


@dataclass
class GatewayFrame:
    """One gateway payload, as received from the bot or sent to it."""

    op: int
    d: Any
    t: str | None
    s: int | None
    time: float
    direction: str  # "recv" (bot -> fake) or "send" (fake -> bot)


class _Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class _ZlibStream:
    """zlib-stream: a single deflate stream per connection, flushed with Z_SYNC_FLUSH per frame."""

    def __init__(self) -> None:
        self._obj = zlib.compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data) + self._obj.flush(zlib.Z_SYNC_FLUSH)


class _ZstdStream:
    """zstd-stream: one zstd stream per connection, a block flushed per frame (only if a zstd module exists)."""

    def __init__(self) -> None:
        self._compress: Callable[[bytes], bytes]
        try:
            import zstandard  # type: ignore[import-not-found,unused-ignore]

            obj = zstandard.ZstdCompressor().compressobj()
            self._compress = lambda data: obj.compress(data) + obj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        except ImportError:
            from compression.zstd import ZstdCompressor  # type: ignore[import-not-found,unused-ignore]

            comp = ZstdCompressor()
            self._compress = lambda data: comp.compress(data, mode=ZstdCompressor.FLUSH_BLOCK)

    def compress(self, data: bytes) -> bytes:
        return self._compress(data)


@dataclass
class GatewaySession:
    """A gateway session: survives its connection so it can be resumed."""

    session_id: str
    intents: int
    identify: dict[str, Any]
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None


class GatewayConnection:
    """One websocket connection; serialises sends so compressed frames stay in order."""

    def __init__(self, ws: web.WebSocketResponse, compressor: _Compressor | None, gateway: Gateway) -> None:
        self.ws = ws
        self.compressor = compressor
        self.session: GatewaySession | None = None
        self._gateway = gateway
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                raise ConnectionResetError("gateway connection closed")
            if self.compressor is None:
                await self.ws.send_str(text)
            else:
                await self.ws.send_bytes(self.compressor.compress(text.encode()))
        self._gateway.record(payload, "send")

    async def close(self, code: int, message: str = "") -> None:
        await self.ws.close(code=code, message=message.encode())


class Gateway:
    """Serves /gateway for one bot user."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.connections: set[GatewayConnection] = set()
        self.frames: list[GatewayFrame] = []
        self.connect_queries: list[dict[str, str]] = []  # the URL query of each connection attempt
        self.ack_heartbeats = True
        self.released = asyncio.Event()  # cleared by FakeDiscord.hold_gateway: new connections wait for HELLO
        self.released.set()
        self.held = 0  # connections waiting on the hold right now

    def record(self, payload: dict[str, Any], direction: str) -> None:
        frame = GatewayFrame(
            op=int(payload.get("op", -1)),
            d=payload.get("d"),
            t=payload.get("t"),
            s=payload.get("s"),
            time=time.monotonic(),
            direction=direction,
        )
        self.frames.append(frame)
        self.fake._notify()

    # --- connection lifecycle -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.connect_queries.append(dict(request.query))
        version = request.query.get("v", "10")
        encoding = request.query.get("encoding", "json")
        compress = request.query.get("compress")
        if encoding != "json":
            return web.json_response({"message": "Only encoding=json is supported by the fake", "code": 0}, status=400)
        compressor: _Compressor | None
        if compress is None:
            compressor = None
        elif compress == "zlib-stream":
            compressor = _ZlibStream()
        elif compress == "zstd-stream":
            try:
                compressor = _ZstdStream()
            except ImportError:
                return web.json_response({"message": "zstd is not available", "code": 0}, status=400)
        else:
            return web.json_response({"message": f"Unknown compression {compress}", "code": 0}, status=400)

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
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self.fake._gateway_disconnected()  # only un-readies if the current session lost its link
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
        self.record(payload, "recv")
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
        if shard is not None and not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
            await conn.close(CLOSE_INVALID_SHARD, "Invalid shard.")
            return
        session = GatewaySession(session_id=uuid.uuid4().hex, intents=intents, identify=dict(data))
        self.sessions[session.session_id] = session
        self.current = session
        conn.session = session
        session.connection = conn
        world = fake.world
        bot_user = dict(world.users[world.bot_user_id])
        bot_user.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        ready: dict[str, Any] = {
            "v": 10,
            "user": bot_user,
            "user_settings": {},
            "guilds": [{"id": str(world.guild_id), "unavailable": True}],
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
        await self.dispatch_to(session, "GUILD_CREATE", world.guild_create_payload())
        fake._gateway_ready()

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
        self.current = session
        since = data.get("seq") or 0
        for event in [e for e in session.events if e["s"] > since]:
            await conn.send(event)
        await self.dispatch_to(session, "RESUMED", {"_trace": ['["fake-discord-gateway"]']})
        self.fake._gateway_ready()

    async def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        world = self.fake.world
        guild_ids = data.get("guild_id")
        guild_ids = guild_ids if isinstance(guild_ids, list) else [guild_ids]
        if str(world.guild_id) not in [str(g) for g in guild_ids]:
            return
        query = data.get("query")
        user_ids = data.get("user_ids")
        limit = int(data.get("limit") or 0)
        members = []
        not_found = []
        if user_ids is not None:
            wanted = user_ids if isinstance(user_ids, list) else [user_ids]
            for uid in wanted:
                if int(uid) in world.members:
                    members.append(world.member_payload(int(uid)))
                else:
                    not_found.append(str(uid))
        else:
            for uid in world.members:
                name = world.users[uid]["username"]
                if query and not name.lower().startswith(str(query).lower()):
                    continue
                members.append(world.member_payload(uid))
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(world.guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        await self.dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    # --- dispatching & faults ------------------------------------------------------------------

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

    async def emit_message(self, event: str, message: dict[str, Any]) -> None:
        """MESSAGE_CREATE/UPDATE/DELETE for a stored message, filtered by intents as Discord does:
        GUILD_MESSAGES / DIRECT_MESSAGES to get it at all, MESSAGE_CONTENT to read others' guild messages."""
        session = self.current
        if session is None or int(message.get("flags") or 0) & models.MESSAGE_FLAG_EPHEMERAL:
            return
        world = self.fake.world
        is_guild = world.channels.get(int(message["channel_id"]), {}).get("type") == 0
        needed = models.INTENT_GUILD_MESSAGES if is_guild else models.INTENT_DIRECT_MESSAGES
        if not session.intents & needed:
            return
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": message["id"], "channel_id": message["channel_id"]}
        else:
            data = copy.deepcopy(message)
            author_id = int(message["author"]["id"])
            mentioned = any(int(u["id"]) == world.bot_user_id for u in message.get("mentions", []))
            can_read = session.intents & models.INTENT_MESSAGE_CONTENT or not is_guild or mentioned
            if author_id != world.bot_user_id and not can_read:
                data.update({"content": "", "embeds": [], "attachments": [], "components": []})
            if is_guild and author_id in world.members:
                member = world.member_payload(author_id)
                member.pop("user")
                data["member"] = member
        if is_guild:
            data["guild_id"] = str(world.guild_id)
        await self.dispatch_to(session, event, data)

    async def dispatch(self, event: str, data: Any) -> int:
        if self.current is None:
            raise RuntimeError("no gateway session: the bot has not identified yet")
        return await self.dispatch_to(self.current, event, data)

    def _live(self) -> GatewayConnection:
        conn = self.current.connection if self.current else None
        if conn is None:
            raise RuntimeError("the bot is not connected to the gateway")
        return conn

    async def drop(self, code: int = 4000, message: str = "") -> None:
        conn = self._live()
        if conn.session is not None:
            conn.session.connection = None  # from now on events are buffered for the RESUME
        self.fake._gateway_disconnected()
        await conn.close(code, message)

    async def invalidate_session(self, resumable: bool = False) -> None:
        conn = self._live()
        if not resumable and conn.session is not None:
            self.sessions.pop(conn.session.session_id, None)
        self.fake._gateway_going_away()
        await conn.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def request_reconnect(self) -> None:
        self.fake._gateway_going_away()
        await self._live().send({"op": 7, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001, "Fake Discord stopping.")
