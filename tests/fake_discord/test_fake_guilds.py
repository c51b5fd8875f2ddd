"""Self-tests for several guilds and sharding: a real discord.py client (plain and AutoSharded) against the fake.

No test sleeps to wait: each waits on discord.py's own events (client.wait_for) or on the fake's frames.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands

from . import FakeDiscord, GatewayFrame, custom_ids
from .conftest import ErrorLog
from .models import DEFAULT_BOT_PERMISSIONS
from .permissions import MANAGE_EVENTS, SEND_MESSAGES, VIEW_CHANNEL

USER_ID = 1140000000000000001
_T = TypeVar("_T")


class _Seen:
    """Mixin of the test clients: a /where command (answers with where discord.py thinks it was used, and a button)
    and the interactions the client received."""

    def _setup_seen(self) -> None:
        self.interactions: list[discord.Interaction] = []
        self.tree = app_commands.CommandTree(self)  # type: ignore[type-var]

        class Here(discord.ui.View):
            @discord.ui.button(label="Here", custom_id="here")
            async def here(self, interaction: discord.Interaction, button: discord.ui.Button[Here]) -> None:
                await interaction.response.edit_message(content=f"clicked in {interaction.guild_id}", view=None)

        @self.tree.command(name="where", description="Where was this used?")
        async def where(interaction: discord.Interaction) -> None:
            guild, channel = interaction.guild, interaction.channel
            text = f"{guild.id if guild else None}|{guild.name if guild else None}|{channel.id if channel else None}"
            await interaction.response.send_message(text, view=Here())

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.interactions.append(interaction)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s identify delay against the fake."""


class Client(_Seen, discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self._setup_seen()


class ShardedClient(_Seen, discord.AutoShardedClient):
    def __init__(self, **sharding: Any) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05, **sharding)
        self._setup_seen()


async def _run(client: discord.Client, fake: FakeDiscord) -> asyncio.Task[None]:
    task = asyncio.create_task(client.start(fake.token))
    await asyncio.wait_for(client.wait_until_ready(), 10)
    return task


async def _stop(client: discord.Client, task: asyncio.Task[None], fake: FakeDiscord, errors: ErrorLog) -> None:
    await client.close()
    await asyncio.wait_for(task, 5)
    assert fake.unknown_requests == []
    assert [r.getMessage() for r in errors.records] == []


@pytest_asyncio.fixture
async def second(fake: FakeDiscord) -> int:
    """A second guild the bot is in ("Second Guild", 2 text channels), added before it connects."""
    return fake.add_guild("Second Guild")


@pytest_asyncio.fixture
async def client(fake: FakeDiscord, second: int, errors: ErrorLog) -> AsyncIterator[Client]:
    bot = Client()
    task = await _run(bot, fake)
    try:
        yield bot
    finally:
        await _stop(bot, task, fake, errors)


async def _after(client: discord.Client, event: str, action: Awaitable[_T]) -> tuple[_T, Any]:
    """Runs `action` and waits until discord.py has dispatched `event`; returns both results."""
    waiter = client.wait_for(event, timeout=5)
    result = await action
    return result, await waiter


def _carries(interaction_id: int) -> Callable[[GatewayFrame], bool]:
    return lambda frame: bool(frame.d["id"] == str(interaction_id))


def _soon() -> dt.datetime:
    return discord.utils.utcnow() + dt.timedelta(hours=24)


@pytest.mark.asyncio
async def test_two_guilds_with_their_own_channels_roles_members_and_events(
    fake: FakeDiscord, second: int, errors: ErrorLog
) -> None:
    ta = fake.add_role("TA", permissions=MANAGE_EVENTS, guild_id=second)
    fake.add_member(1140000000000000002, roles=[ta], username="ta-of-b", guild_id=second)
    with pytest.raises(ValueError, match="unknown role"):
        fake.add_member(1140000000000000002, roles=[ta])  # TA is a role of the second guild only
    lab = fake.add_channel("lab", guild_id=second)
    start = _soon()
    end = start + dt.timedelta(hours=1)
    await fake.admin_create_event(guild_id=second, name="B's lecture", start=start, end=end, location="B1")
    assert fake.scheduled_events() == [] and [e["name"] for e in fake.scheduled_events(second)] == ["B's lecture"]
    assert fake.guild_ids == [fake.guild_id, second]
    assert second >> 22 != fake.guild_id >> 22
    assert len(set(fake.channel_ids) | set(fake.guild_channel_ids(second))) == 5

    client = Client()
    task = await _run(client, fake)
    try:
        ready = await fake.wait_for_gateway(0, direction="send", event="READY")
        assert ready.d["guilds"] == [{"id": str(g), "unavailable": True} for g in (fake.guild_id, second)]
        creates = [f.d for f in fake.gateway_frames if f.t == "GUILD_CREATE"]
        assert [(c["id"], c["unavailable"]) for c in creates] == [(str(fake.guild_id), False), (str(second), False)]

        assert sorted(g.id for g in client.guilds) == sorted([fake.guild_id, second])
        a, b = client.get_guild(fake.guild_id), client.get_guild(second)
        assert a is not None and b is not None and b.name == "Second Guild" and b.me is not None
        assert [c.id for c in a.text_channels] == fake.channel_ids
        assert [c.id for c in b.text_channels] == fake.guild_channel_ids(second)
        assert fake.guild_channel_ids(second)[-1] == lab and [c.name for c in b.text_channels][:1] == ["general"]
        assert {r.name for r in b.roles} == {"@everyone", "coursebot", "TA"} and b.get_role(ta) is not None
        assert [e.name for e in b.scheduled_events] == ["B's lecture"] and list(a.scheduled_events) == []

        member = await b.fetch_member(1140000000000000002)
        assert [r.id for r in member.roles if not r.is_default()] == [ta]
        with pytest.raises(discord.NotFound):
            await a.fetch_member(1140000000000000002)  # not a member of the default guild
        assert sorted(g.id for g in [g async for g in client.fetch_guilds()]) == sorted(fake.guild_ids)
        fetched = await client.fetch_guild(second)
        assert fetched.name == "Second Guild" and fetched.owner_id == fake.world.owner_id

        # Each guild has its own bot role and channel overwrites; the events reach the client for that guild.
        grant = fake.set_bot_permissions(DEFAULT_BOT_PERMISSIONS, guild_id=second)
        _, (_, role) = await _after(client, "guild_role_update", grant)
        assert role.guild.id == second and role.id == fake.world.guilds[second].bot_role_id
        channel = b.get_channel(lab)
        assert isinstance(channel, discord.TextChannel) and channel.permissions_for(b.me).send_messages
        await _after(client, "guild_channel_update", fake.set_overwrite(lab, second, deny=SEND_MESSAGES))
        assert not channel.permissions_for(b.me).send_messages
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("hello")
        assert refused.value.code == 50013
        await a.text_channels[0].send("the default guild still works")
        assert fake.messages(fake.channel_ids[0])[-1]["content"] == "the default guild still works"
    finally:
        await _stop(client, task, fake, errors)


@pytest.mark.asyncio
async def test_join_and_remove_at_runtime(fake: FakeDiscord, client: Client, second: int) -> None:
    third = fake.add_guild("Third", joined=False, channels=1)
    assert client.get_guild(third) is None and third not in fake.guild_ids
    with pytest.raises(RuntimeError, match="joined=False"):
        fake.add_guild("Too late")  # the connected bot would never hear of it
    with pytest.raises(discord.Forbidden) as before:
        await client.fetch_guild(third)  # a guild the bot is not in: 403 Missing Access
    assert before.value.code == 50001

    sent, joined = await _after(client, "guild_join", fake.join_guild(third))
    assert "unavailable" not in sent and joined.id == third and joined.name == "Third"
    assert [c.id for c in joined.text_channels] == fake.guild_channel_ids(third) and joined.me is not None
    client.tree.copy_global_to(guild=discord.Object(third))
    await client.tree.sync(guild=discord.Object(third))  # its guild commands may be overwritten now
    assert [c["name"] for c in fake.commands(third)] == ["where"]

    channel = client.get_channel(fake.guild_channel_ids(second)[0])
    assert isinstance(channel, discord.TextChannel)
    await channel.send("before")
    since = len(fake.gateway_frames)
    _, removed = await _after(client, "guild_remove", fake.remove_guild(second))
    assert removed.id == second and client.get_guild(second) is None and fake.guild_ids == [fake.guild_id, third]
    gone = await fake.wait_for_gateway(0, direction="send", event="GUILD_DELETE", since=since)
    assert gone.d == {"id": str(second), "unavailable": False}

    attempts: list[Callable[[], Awaitable[Any]]] = [
        lambda: channel.send("after"),
        lambda: client.http.get_channel(channel.id),
        lambda: client.fetch_guild(second),
        lambda: client.http.get_scheduled_events(second, False),
        lambda: client.tree.sync(guild=discord.Object(second)),
    ]
    for attempt in attempts:
        with pytest.raises(discord.Forbidden) as refused:
            await attempt()
        assert refused.value.code == 50001
    with pytest.raises(discord.NotFound) as unknown:
        await client.fetch_guild(1110000000000999999)  # a guild that does not exist at all
    assert unknown.value.code == 10004
    assert [m["content"] for m in fake.messages(channel.id)] == ["before"]
    # Events of that guild no longer reach the bot.
    await fake.set_overwrite(channel.id, second, deny=VIEW_CHANNEL)
    assert not any(f.t == "CHANNEL_UPDATE" for f in fake.gateway_frames[since:])

    _, back = await _after(client, "guild_join", fake.join_guild(second))
    assert back.id == second and client.get_guild(second) is not None
    leaving = client.get_guild(third)
    assert leaving is not None
    _, left = await _after(client, "guild_remove", leaving.leave())  # DELETE /users/@me/guilds/{id}
    assert left.id == third and fake.guild_ids == [fake.guild_id, second]


@pytest.mark.asyncio
async def test_interaction_and_button_in_another_guild(fake: FakeDiscord, client: Client, second: int) -> None:
    await client.tree.sync()  # global: usable in every guild
    ta = fake.add_role("TA", permissions=MANAGE_EVENTS, guild_id=second)
    record = await fake.send_interaction(name="where", guild_id=second, roles=[ta])
    first_b = fake.guild_channel_ids(second)[0]
    assert record.guild_id == second and record.channel_id == first_b and record.shard_id == 0
    payload = record.payload
    assert payload["guild_id"] == str(second) and payload["channel_id"] == str(first_b)
    assert payload["member"]["roles"] == [str(ta)]
    assert int(payload["member"]["permissions"]) & MANAGE_EVENTS
    answer = await fake.wait_for_response(record)
    assert answer["content"] == f"{second}|Second Guild|{first_b}" and custom_ids(answer) == ["here"]
    assert fake.messages(first_b)[-1]["id"] == answer["id"]

    click = await fake.send_component_interaction(message_id=int(answer["id"]), custom_id="here")
    assert click.payload["guild_id"] == str(second) and click.payload["channel_id"] == str(first_b)
    assert click.payload["member"]["roles"] == [str(ta)]
    clicked = await fake.wait_for_response(click, predicate=lambda m: m["content"].startswith("clicked"))
    assert clicked["content"] == f"clicked in {second}"

    # The default guild is unchanged: the user there has no TA role, and interactions default to it.
    home = await fake.send_interaction(name="where")
    assert home.payload["guild_id"] == str(fake.guild_id) and home.payload["member"]["roles"] == []
    assert (await fake.wait_for_response(home))["content"].startswith(f"{fake.guild_id}|Fake Guild|")

    # Guild-scoped commands of the second guild are looked up there first.
    client.tree.copy_global_to(guild=discord.Object(second))
    await client.tree.sync(guild=discord.Object(second))
    scoped = await fake.send_interaction(name="where", guild_id=second)
    assert scoped.payload["data"]["guild_id"] == str(second) and scoped.command is not None
    assert scoped.command["id"] == fake.commands(second)[0]["id"] != fake.commands()[0]["id"]
    await fake.wait_for_response(scoped)
    assert [i.guild_id for i in client.interactions] == [second, second, fake.guild_id, second]


@pytest.mark.asyncio
async def test_autosharded_client_gets_each_guild_on_its_shard(
    fake: FakeDiscord, second: int, errors: ErrorLog
) -> None:
    fake.shards = 2
    assert (fake.shard_of(fake.guild_id), fake.shard_of(second)) == (0, 1)
    client = ShardedClient()
    task = await _run(client, fake)
    try:
        assert client.shard_count == 2 and any(r.path == "/gateway/bot" for r in fake.requests)
        identifies = sorted(f.d["shard"] for f in fake.gateway_frames if f.op == 2)
        assert identifies == [[0, 2], [1, 2]] and set(fake.gateway.shards) == {0, 1}
        readies = {f.shard_id: f.d for f in fake.gateway_frames if f.t == "READY"}
        assert readies[0]["shard"] == [0, 2] and readies[1]["shard"] == [1, 2]
        assert readies[0]["guilds"] == [{"id": str(fake.guild_id), "unavailable": True}]
        assert readies[1]["guilds"] == [{"id": str(second), "unavailable": True}]
        creates = {f.shard_id: f.d["id"] for f in fake.gateway_frames if f.t == "GUILD_CREATE"}
        assert creates == {0: str(fake.guild_id), 1: str(second)}
        a, b = client.get_guild(fake.guild_id), client.get_guild(second)
        assert a is not None and b is not None and (a.shard_id, b.shard_id) == (0, 1)

        await client.tree.sync()
        for guild_id, shard in ((second, 1), (fake.guild_id, 0), (None, 0)):  # DMs go to shard 0
            record = await fake.send_interaction(name="where", guild_id=guild_id)
            assert record.shard_id == shard
            frame = await fake.wait_for_gateway(
                0, direction="send", event="INTERACTION_CREATE", predicate=_carries(record.id)
            )
            assert frame.shard_id == shard
            await fake.wait_for_response(record)
        assert [i.guild_id for i in client.interactions] == [second, fake.guild_id, None]

        # A guild joined at run time goes to its shard's session; one removed leaves from there.
        third = fake.add_guild("Third", joined=False)
        assert fake.shard_of(third) == 0
        _, joined = await _after(client, "guild_join", fake.join_guild(third))
        assert joined.shard_id == 0
        since = len(fake.gateway_frames)
        await _after(client, "guild_remove", fake.remove_guild(second))
        deleted = await fake.wait_for_gateway(0, direction="send", event="GUILD_DELETE", since=since)
        assert deleted.shard_id == 1

        # A dropped shard resumes on its own; the other is untouched.
        session_0, session_1 = fake.gateway.shards[0].session_id, fake.gateway.shards[1].session_id
        await fake.drop_gateway(4000, shard_id=1)
        await fake.wait_for_gateway(0, direction="send", event="RESUMED", since=since)
        await fake.wait_until_ready(shard_id=1)
        assert (fake.gateway.shards[0].session_id, fake.gateway.shards[1].session_id) == (session_0, session_1)
    finally:
        await _stop(client, task, fake, errors)


@pytest.mark.asyncio
async def test_client_of_one_shard_sees_only_that_shards_guilds_and_interactions(
    fake: FakeDiscord, second: int, errors: ErrorLog
) -> None:
    fake.shards = 2
    client = ShardedClient(shard_ids=[1], shard_count=2)
    task = await _run(client, fake)
    try:
        [identify] = [f for f in fake.gateway_frames if f.op == 2]
        assert identify.d["shard"] == [1, 2] and list(fake.gateway.shards) == [1]
        assert [g.id for g in client.guilds] == [second]
        assert not any(r.path == "/gateway/bot" for r in fake.requests)  # shard_count given: not asked

        await client.tree.sync()
        elsewhere = await fake.send_interaction(name="where")  # the default guild is on shard 0: nobody gets it
        in_dms = await fake.send_interaction(name="where", guild_id=None)
        assert elsewhere.shard_id is None and in_dms.shard_id is None
        mine = await fake.send_interaction(name="where", guild_id=second)
        assert mine.shard_id == 1
        await fake.wait_for_response(mine)  # sent after the others on the same connection, so they would be in
        assert [i.id for i in client.interactions] == [mine.id]
        sent = [f.d["id"] for f in fake.gateway_frames if f.t == "INTERACTION_CREATE"]
        assert sent == [str(mine.id)] and fake.response_message(elsewhere) is None

        shard_0_guild = fake.add_guild("On shard 0", joined=False)
        shard_1_guild = fake.add_guild("On shard 1", joined=False)
        assert (fake.shard_of(shard_0_guild), fake.shard_of(shard_1_guild)) == (0, 1)
        await fake.join_guild(shard_0_guild)
        _, joined = await _after(client, "guild_join", fake.join_guild(shard_1_guild))
        assert joined.id == shard_1_guild and sorted(g.id for g in client.guilds) == sorted([second, shard_1_guild])
        assert [f.d["id"] for f in fake.gateway_frames if f.t == "GUILD_CREATE"] == [str(second), str(shard_1_guild)]
    finally:
        await _stop(client, task, fake, errors)


@pytest.mark.asyncio
async def test_raw_identify_with_shard_and_gateway_bot(fake: FakeDiscord, second: int) -> None:
    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bot {fake.token}"}
        for shards in (1, 3):
            fake.shards = shards
            async with session.get(fake.base_url + "/api/v10/gateway/bot", headers=auth) as resp:
                body = await resp.json()
            assert body["shards"] == shards and body["url"] == fake.gateway_url
            assert set(body["session_start_limit"]) == {"total", "remaining", "reset_after", "max_concurrency"}

        identify = {"token": fake.token, "intents": 513, "properties": {}, "shard": [1, 2]}
        async with session.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws:
            assert (await ws.receive_json(timeout=5))["op"] == 10
            await ws.send_json({"op": 2, "d": identify})
            ready, create = await ws.receive_json(timeout=5), await ws.receive_json(timeout=5)
            assert ready["t"] == "READY" and ready["d"]["shard"] == [1, 2]
            assert ready["d"]["guilds"] == [{"id": str(second), "unavailable": True}]
            assert (create["t"], create["d"]["id"], create["s"]) == ("GUILD_CREATE", str(second), 2)
            await fake.wait_until_ready(shard_id=1)
            assert fake.gateway.is_ready() and not fake.gateway.is_ready(0)
            await ws.send_json({"op": 8, "d": {"guild_id": [str(fake.guild_id), str(second)], "query": "", "limit": 0}})
            chunk = await ws.receive_json(timeout=5)  # only for the guild of this shard
            assert chunk["t"] == "GUILD_MEMBERS_CHUNK" and chunk["d"]["guild_id"] == str(second)
            assert await fake.dispatch("TYPING_START", {"channel_id": "1"}) == 0  # a DM event: shard 0's
            assert await fake.dispatch("TYPING_START", {"channel_id": "1", "guild_id": str(second)}) == 4

        for bad in ([2, 2], [-1, 2], "0"):
            async with session.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws:
                await ws.receive_json(timeout=5)
                await ws.send_json({"op": 2, "d": {**identify, "shard": bad}})
                closed = await ws.receive(timeout=5)
                assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED) and ws.close_code == 4010
