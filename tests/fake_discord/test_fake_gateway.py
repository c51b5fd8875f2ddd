"""Gateway-level self-tests: raw websocket frames, compression, close codes, sharding, chunking."""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

import aiohttp
import discord
import pytest

from . import FakeDiscord


class RawGateway:
    """A hand-driven gateway client, to see exactly what the fake sends."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, zlib_stream: bool) -> None:
        self.ws = ws
        self.inflater = zlib.decompressobj() if zlib_stream else None

    async def recv(self) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=5)
        if msg.type is aiohttp.WSMsgType.TEXT:
            assert self.inflater is None
            text: dict[str, Any] = json.loads(msg.data)
            return text
        if msg.type is aiohttp.WSMsgType.BINARY:
            assert self.inflater is not None and msg.data.endswith(b"\x00\x00\xff\xff")
            inflated: dict[str, Any] = json.loads(self.inflater.decompress(msg.data))
            return inflated
        raise ConnectionError(f"websocket closed: {msg.type} {self.ws.close_code}")

    async def send(self, op: int, d: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": d}))


async def _raw(session: aiohttp.ClientSession, fake: FakeDiscord, compress: bool) -> RawGateway:
    query = "?v=10&encoding=json" + ("&compress=zlib-stream" if compress else "")
    ws = await session.ws_connect(fake.gateway_url + query)
    return RawGateway(ws, compress)


@pytest.mark.asyncio
@pytest.mark.parametrize("compress", [False, True])
async def test_identify_heartbeat_resume_raw(fake: FakeDiscord, compress: bool) -> None:
    async with aiohttp.ClientSession() as session:
        gw = await _raw(session, fake, compress)
        hello = await gw.recv()
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
        await gw.send(2, {"token": fake.token, "intents": 513, "properties": {}})
        ready, guild = await gw.recv(), await gw.recv()
        assert (ready["t"], ready["s"], guild["t"], guild["s"]) == ("READY", 1, "GUILD_CREATE", 2)
        assert ready["d"]["resume_gateway_url"] == fake.gateway_url
        assert ready["d"]["guilds"] == [{"id": str(fake.guild_id), "unavailable": True}]
        await fake.wait_until_ready()
        await gw.send(1, 2)
        assert (await gw.recv())["op"] == 11
        await gw.ws.close()

        await fake.dispatch("TYPING_START", {"channel_id": str(fake.channel_ids[0])})  # missed while away
        gw2 = await _raw(session, fake, compress)
        await gw2.recv()
        await gw2.send(6, {"token": fake.token, "session_id": ready["d"]["session_id"], "seq": 1})
        replayed = [await gw2.recv() for _ in range(3)]
        assert [(e["t"], e["s"]) for e in replayed] == [("GUILD_CREATE", 2), ("TYPING_START", 3), ("RESUMED", 4)]
        await gw2.ws.close()

        gw3 = await _raw(session, fake, compress)
        await gw3.recv()
        await gw3.send(6, {"token": fake.token, "session_id": "nope", "seq": 1})
        assert await gw3.recv() == {"op": 9, "d": False, "s": None, "t": None}
        await gw3.ws.close()


@pytest.mark.asyncio
async def test_bad_identify_close_codes(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        for identify, code in [
            ({"token": "wrong", "intents": 0}, 4004),
            ({"token": fake.token}, 4013),
        ]:
            gw = await _raw(session, fake, False)
            await gw.recv()
            await gw.send(2, identify)
            with pytest.raises(ConnectionError):
                await gw.recv()
            assert gw.ws.close_code == code
        gw = await _raw(session, fake, False)
        await gw.recv()
        await gw.send(8, {"guild_id": fake.guild_id})
        with pytest.raises(ConnectionError):
            await gw.recv()
        assert gw.ws.close_code == 4003


@pytest.mark.asyncio
async def test_disallowed_privileged_intents(fake: FakeDiscord) -> None:
    fake.allowed_privileged_intents = 0
    intents = discord.Intents.default()
    intents.message_content = True
    client = discord.Client(intents=intents)
    try:
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await asyncio.wait_for(client.start(fake.token), 10)
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_fatal_close_code_stops_the_client(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start(fake.token))
    try:
        await fake.wait_until_ready()
        await fake.drop_gateway(4004, "Authentication failed.")
        with pytest.raises(discord.ConnectionClosed) as caught:
            await asyncio.wait_for(task, 5)
        assert caught.value.code == 4004
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_members_intent_chunks_and_autosharded_uses_gateway_bot(fake: FakeDiscord) -> None:
    fake.add_member(1140000000000000009, username="late-joiner")
    intents = discord.Intents.default()
    intents.members = True
    client = discord.AutoShardedClient(intents=intents, guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start(fake.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        identify = await fake.wait_for_gateway(2)
        assert identify.d["shard"] == [0, 1]
        await fake.wait_for_gateway(8)
        guild = client.get_guild(fake.guild_id)
        assert guild is not None and guild.chunked
        member = guild.get_member(1140000000000000009)
        assert member is not None and member.name == "late-joiner"
        assert any(r.path == "/gateway/bot" for r in fake.requests)
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


@pytest.mark.asyncio
async def test_unknown_routes_and_injections(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bot {fake.token}"}
        async with session.get(fake.base_url + "/api/v10/nope", headers=auth) as resp:
            assert resp.status == 404
        assert [r.path for r in fake.unknown_requests] == ["/nope"]

        injection = fake.inject("GET", r"/users/@me", status=502, times=None)
        for _ in range(2):
            async with session.get(fake.base_url + "/api/v10/users/@me", headers=auth) as resp:
                assert resp.status == 502
                assert await resp.json() == {"message": "502: Bad Gateway", "code": 0}
        assert injection.hits == 2
        fake.clear_injections()
        async with session.get(fake.base_url + "/api/v10/users/@me", headers=auth) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == "application/json"

        fake.inject("*", r"/users/@me", status=429, retry_after=2.5, is_global=True)
        async with session.get(fake.base_url + "/api/v10/users/@me", headers=auth) as resp:
            assert resp.status == 429
            assert resp.headers["Retry-After"] == "3" and resp.headers["X-RateLimit-Global"] == "true"
            assert resp.headers["Via"] and resp.headers["X-RateLimit-Reset-After"] == "2.500"
            assert await resp.json() == {"message": "You are being rate limited.", "retry_after": 2.5, "global": True}

        req = await fake.wait_for_request("GET", r"/users/@me", predicate=lambda r: r.status == 200)
        assert req.route == "GET /users/@me" and req.headers["Authorization"] == f"Bot {fake.token}"
