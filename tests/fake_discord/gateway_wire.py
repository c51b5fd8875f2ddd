"""The gateway's wire pieces: close codes, recorded frames, per-connection compression, sessions, connections.

Frames are compressed the way discord.py asks in its URL query (`compress=zlib-stream`: one zlib
stream per connection, each frame ending with a Z_SYNC_FLUSH; `zstd-stream` when zstandard is
available; plain text frames otherwise).
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from .gateway import Gateway

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
    shard_id: int | None = None  # the shard of the connection's session (None before IDENTIFY/RESUME)


class _Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


def compressor_for(compress: str | None) -> _Compressor | None:
    """The compressor discord.py asked for in the URL query; ValueError for an unknown one, ImportError
    for zstd-stream without a zstd module."""
    if compress is None:
        return None
    if compress == "zlib-stream":
        return _ZlibStream()
    if compress == "zstd-stream":
        return _ZstdStream()
    raise ValueError(f"Unknown compression {compress}")


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
    shard_id: int = 0  # IDENTIFY's `shard: [shard_id, shard_count]`; [0, 1] without it
    shard_count: int = 1
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    ready: bool = False  # READY/RESUMED sent, and neither dropped nor told to reconnect since

    def owns(self, guild_id: int | None) -> bool:
        """Whether Discord sends this guild's events to this session: guild `(guild_id >> 22) % shard_count`
        (DMs, guild_id None, go to shard 0)."""
        if guild_id is None:
            return self.shard_id == 0
        return (int(guild_id) >> 22) % self.shard_count == self.shard_id


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
        self._gateway.record(payload, "send", self)

    async def close(self, code: int, message: str = "") -> None:
        await self.ws.close(code=code, message=message.encode())


