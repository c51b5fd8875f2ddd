"""Self-tests for Guild Scheduled Events: a real discord.py client creating, editing, cancelling and deleting
events against the fake, Discord's validation, the 100-event cap, permissions, gateway events and faults."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import aiohttp
import discord
import pytest
import pytest_asyncio

from . import FakeDiscord
from .conftest import ErrorLog as _ErrorLog
from .models import DEFAULT_BOT_PERMISSIONS
from .permissions import CREATE_EVENTS, MANAGE_EVENTS

EVENTS = r"/guilds/\d+/scheduled-events"
_T = TypeVar("_T")


class Client(discord.Client):
    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(intents=intents or discord.Intents.default(), guild_ready_timeout=0.05)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s identify delay against the fake."""


async def _start(fake: FakeDiscord, intents: discord.Intents | None = None) -> tuple[Client, asyncio.Task[None]]:
    client = Client(intents)
    task = asyncio.create_task(client.start(fake.token))
    await fake.wait_until_ready()
    await asyncio.wait_for(client.wait_until_ready(), 5)
    return client, task


@pytest_asyncio.fixture
async def client(fake: FakeDiscord, errors: _ErrorLog) -> AsyncIterator[Client]:
    bot, task = await _start(fake)
    try:
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
    assert fake.unknown_requests == []
    assert [r.getMessage() for r in errors.records] == []


def _guild(client: Client, fake: FakeDiscord) -> discord.Guild:
    guild = client.get_guild(fake.guild_id)
    assert guild is not None
    return guild


def _soon(hours: float = 24) -> dt.datetime:
    return discord.utils.utcnow() + dt.timedelta(hours=hours)


async def _create(guild: discord.Guild, name: str = "Lecture 1", **kwargs: Any) -> discord.ScheduledEvent:
    start = kwargs.pop("start_time", _soon())
    return await guild.create_scheduled_event(
        name=name,
        start_time=start,
        end_time=kwargs.pop("end_time", start + dt.timedelta(hours=2)),
        entity_type=discord.EntityType.external,
        location=kwargs.pop("location", "Room 101"),
        privacy_level=discord.PrivacyLevel.guild_only,
        **kwargs,
    )


async def _after(client: Client, event: str, action: Awaitable[_T]) -> _T:
    """Runs `action` and waits until discord.py has dispatched `event` (the listener is registered first)."""
    waiter = client.wait_for(event, timeout=5)
    result = await action
    await waiter
    return result


async def _grant(fake: FakeDiscord, client: Client, bits: int) -> None:
    """Gives the bot's role DEFAULT | bits and waits until the client's cache shows it (GUILD_ROLE_UPDATE)."""
    await _after(client, "guild_role_update", fake.set_bot_permissions(DEFAULT_BOT_PERMISSIONS | bits))
    assert _guild(client, fake).me.guild_permissions.value == DEFAULT_BOT_PERMISSIONS | bits


def _hour(start: dt.datetime) -> dict[str, Any]:
    """admin_create_event fields for a one-hour external event."""
    return {"start": start, "end": start + dt.timedelta(hours=1), "location": "x"}


@pytest.mark.asyncio
async def test_create_edit_cancel_delete(fake: FakeDiscord, client: Client) -> None:
    await _grant(fake, client, CREATE_EVENTS)
    guild = _guild(client, fake)
    assert guild.me.guild_permissions.create_events and not guild.me.guild_permissions.manage_events
    event = await _after(client, "scheduled_event_create", _create(guild, description="Intro"))
    assert (event.name, event.location, event.description) == ("Lecture 1", "Room 101", "Intro")
    assert event.status is discord.EventStatus.scheduled and event.entity_type is discord.EntityType.external
    assert event.creator_id == fake.bot_user_id and event.channel_id is None
    [stored] = fake.scheduled_events()
    assert stored["creator_id"] == str(fake.bot_user_id) and stored["entity_metadata"] == {"location": "Room 101"}
    frame = await fake.wait_for_gateway(0, direction="send", event="GUILD_SCHEDULED_EVENT_CREATE")
    assert frame.d["id"] == str(event.id) and frame.d["guild_id"] == str(fake.guild_id)
    cached = guild.get_scheduled_event(event.id)
    assert cached is not None and cached.name == "Lecture 1"

    new_start = _soon(48)
    new_end = new_start + dt.timedelta(hours=1)
    edited = await event.edit(name="Lecture 1 (moved)", start_time=new_start, end_time=new_end)
    assert edited.name == "Lecture 1 (moved)" and edited.start_time == new_start
    edited = await edited.edit(location="Room 202")
    assert edited.location == "Room 202"
    fetched = await guild.fetch_scheduled_event(event.id, with_counts=True)
    assert fetched.location == "Room 202" and fetched.user_count == 0
    assert [e.id for e in await guild.fetch_scheduled_events()] == [event.id]

    cancelled = await edited.cancel()
    assert cancelled.status is discord.EventStatus.cancelled
    assert await guild.fetch_scheduled_events() == []  # Discord drops finished events from the list
    assert fake.scheduled_events()[0]["status"] == 4
    with pytest.raises(discord.HTTPException) as finished:
        await cancelled.edit(name="again")
    assert (finished.value.status, finished.value.code) == (400, 180000)

    await _after(client, "scheduled_event_delete", cancelled.delete())
    assert fake.scheduled_events() == [] and guild.get_scheduled_event(event.id) is None
    with pytest.raises(discord.NotFound) as unknown:
        await guild.fetch_scheduled_event(event.id)
    assert unknown.value.code == 10070


@pytest.mark.asyncio
async def test_validation_errors(fake: FakeDiscord, client: Client) -> None:
    await _grant(fake, client, CREATE_EVENTS)
    guild = _guild(client, fake)

    async def refused(**kwargs: Any) -> dict[str, Any]:
        with pytest.raises(discord.HTTPException) as exc:
            await _create(guild, **kwargs)
        assert (exc.value.status, exc.value.code) == (400, 50035)
        assert isinstance(exc.value.response, aiohttp.ClientResponse)
        return fake.requests[-1].response["errors"]  # type: ignore[no-any-return]

    assert "name" in await refused(name="x" * 101)
    assert "description" in await refused(description="x" * 1001)
    location = await refused(location="x" * 101)
    assert location["entity_metadata"]["location"]["_errors"][0]["code"] == "BASE_TYPE_BAD_LENGTH"
    past = await refused(start_time=discord.utils.utcnow() - dt.timedelta(minutes=1))
    assert past["scheduled_start_time"]["_errors"][0]["message"] == "Cannot schedule event in the past."
    start = _soon()
    assert "scheduled_end_time" in await refused(start_time=start, end_time=start - dt.timedelta(minutes=5))
    # The fake's clock: "now" moved past the start makes the same request invalid.
    fake.world.now = start + dt.timedelta(seconds=1)
    assert "scheduled_start_time" in await refused(start_time=start)
    fake.world.now = None

    # What discord.py would not send itself, through its raw HTTP client.
    good = {
        "name": "Raw",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + dt.timedelta(hours=1)).isoformat(),
        "entity_metadata": {"location": "Hall"},
    }
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"privacy_level": 1}, ["privacy_level"]),
        ({"entity_type": 7}, ["entity_type"]),
        ({"channel_id": str(fake.channel_ids[0])}, ["channel_id"]),
        ({"scheduled_end_time": None}, ["scheduled_end_time"]),
        ({"entity_metadata": {}}, ["entity_metadata"]),
        ({"name": ""}, ["name"]),
        ({"entity_type": 2, "entity_metadata": None}, ["channel_id"]),  # a voice event needs a voice channel
    ]
    for change, keys in cases:
        with pytest.raises(discord.HTTPException) as exc:
            await client.http.create_guild_scheduled_event(fake.guild_id, **{**good, **change})
        assert exc.value.code == 50035, change
        assert sorted(fake.requests[-1].response["errors"]) == keys, change
    assert fake.scheduled_events() == []

    # Status transitions: SCHEDULED -> COMPLETED is not allowed; ACTIVE -> COMPLETED is.
    event = await _create(guild)
    with pytest.raises(discord.HTTPException) as exc:
        await event.edit(status=discord.EventStatus.completed)
    assert exc.value.code == 50035 and "status" in fake.requests[-1].response["errors"]
    active = await event.start()
    assert active.status is discord.EventStatus.active
    with pytest.raises(discord.HTTPException):
        await active.edit(status=discord.EventStatus.scheduled)
    ended = await active.end()
    assert ended.status is discord.EventStatus.completed
    with pytest.raises(discord.HTTPException) as exc:
        await client.http.edit_scheduled_event(fake.guild_id, event.id, status=2)
    assert exc.value.code == 180000


@pytest.mark.asyncio
async def test_at_most_100_live_events(fake: FakeDiscord, client: Client) -> None:
    await _grant(fake, client, CREATE_EVENTS)
    guild = _guild(client, fake)
    start = _soon()
    first = None
    for i in range(100):
        created = await fake.admin_create_event(name=f"e{i}", **_hour(start))
        first = first or created
    assert first is not None
    with pytest.raises(discord.HTTPException) as exc:
        await _create(guild, name="one too many")
    assert (exc.value.status, exc.value.code) == (400, 30038)
    assert exc.value.text == "Maximum number of uncompleted guild scheduled events reached (100)"
    await fake.admin_edit_event(int(first["id"]), status=4)  # a cancelled event no longer counts
    assert (await _create(guild, name="fits again")).name == "fits again"
    assert len(await guild.fetch_scheduled_events()) == 100


@pytest.mark.asyncio
async def test_permissions(fake: FakeDiscord, client: Client) -> None:
    guild = _guild(client, fake)
    with pytest.raises(discord.Forbidden) as exc:
        await _create(guild)
    assert exc.value.code == 50013
    start = _soon()
    theirs = await _after(client, "scheduled_event_create", fake.admin_create_event(name="Owner's", **_hour(start)))
    assert theirs["creator_id"] == str(fake.world.owner_id)

    await _grant(fake, client, CREATE_EVENTS)
    mine = await _create(guild)
    assert (await mine.edit(name="mine, edited")).name == "mine, edited"
    other = guild.get_scheduled_event(int(theirs["id"]))
    assert other is not None
    with pytest.raises(discord.Forbidden):
        await other.edit(name="not mine")
    with pytest.raises(discord.Forbidden):
        await other.delete()

    await _grant(fake, client, MANAGE_EVENTS)  # Manage Events alone also covers creating
    assert (await other.edit(name="managed")).name == "managed"
    await other.delete()
    await mine.delete()
    assert fake.scheduled_events() == []


@pytest.mark.asyncio
async def test_admin_helpers_reach_the_cache(fake: FakeDiscord, client: Client) -> None:
    guild = _guild(client, fake)
    start = _soon()
    fields = {**_hour(start), "location": "B2"}
    created = await _after(client, "scheduled_event_create", fake.admin_create_event(name="Office hour", **fields))
    event_id = int(created["id"])
    cached = guild.get_scheduled_event(event_id)
    assert cached is not None and cached.location == "B2" and cached.creator_id == fake.world.owner_id

    await _after(client, "scheduled_event_update", fake.admin_edit_event(event_id, name="Office hour (moved)"))
    assert guild.get_scheduled_event(event_id).name == "Office hour (moved)"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="status"):
        await fake.admin_edit_event(event_id, status=3)  # SCHEDULED -> COMPLETED: Discord refuses
    await fake.admin_edit_event(event_id, status=2, force=True)
    await _after(client, "scheduled_event_delete", fake.admin_delete_event(event_id))
    assert fake.scheduled_events() == [] and guild.get_scheduled_event(event_id) is None
    with pytest.raises(LookupError):
        await fake.admin_delete_event(event_id)


@pytest.mark.asyncio
async def test_event_automation_uses_the_fakes_clock(fake: FakeDiscord, client: Client) -> None:
    guild = _guild(client, fake)
    start = _soon()
    fields = {"start": start, "end": start + dt.timedelta(hours=2), "location": "Gym"}
    created = await _after(client, "scheduled_event_create", fake.admin_create_event(name="Exam", **fields))
    event_id = int(created["id"])
    assert await fake.run_event_automation() == []
    fake.world.now = start + dt.timedelta(minutes=1)
    [started] = await _after(client, "scheduled_event_update", fake.run_event_automation())
    assert started["status"] == 2
    assert guild.get_scheduled_event(event_id).status is discord.EventStatus.active  # type: ignore[union-attr]
    fake.world.now = start + dt.timedelta(hours=3)
    [ended] = await _after(client, "scheduled_event_update", fake.run_event_automation())
    assert ended["status"] == 3
    assert guild.get_scheduled_event(event_id).status is discord.EventStatus.completed  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_guild_create_carries_events_and_intent_filters_dispatches(fake: FakeDiscord) -> None:
    start = _soon()
    before = await fake.admin_create_event(name="Before login", **_hour(start))
    intents = discord.Intents.default()
    intents.guild_scheduled_events = False
    client, task = await _start(fake, intents)
    try:
        assert [e.id for e in _guild(client, fake).scheduled_events] == [int(before["id"])]
        since = len(fake.gateway_frames)
        await fake.admin_create_event(name="Unseen", **_hour(start))
        await fake.admin_delete_event(int(before["id"]))
        assert not [f for f in fake.gateway_frames[since:] if (f.t or "").startswith("GUILD_SCHEDULED_EVENT")]
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


@pytest.mark.asyncio
async def test_create_applied_but_the_answer_is_lost(fake: FakeDiscord, client: Client) -> None:
    await _grant(fake, client, CREATE_EVENTS)
    guild = _guild(client, fake)
    # 503 after applying: discord.py raises at once, though Discord made the event.
    fake.inject("POST", EVENTS, status=503, after=True)
    with pytest.raises(discord.DiscordServerError):
        await _create(guild, name="made anyway")
    post = await fake.wait_for_request("POST", EVENTS, answered=True)
    assert post.injected and post.status == 503 and post.applied is not None and post.applied[0] == 200
    assert [e["name"] for e in fake.scheduled_events()] == ["made anyway"]
    assert post.applied[1]["id"] == fake.scheduled_events()[0]["id"]

    # The connection drops after Discord applied it: aiohttp's error reaches the bot.
    since = len(fake.requests)
    fake.inject("POST", EVENTS, after=True, drop=True)
    with pytest.raises(aiohttp.ClientError):
        await _create(guild, name="dropped")
    dropped = await fake.wait_for_request("POST", EVENTS, answered=True, since=since)
    assert dropped.status == 0 and dropped.applied is not None
    assert [e["name"] for e in fake.scheduled_events()] == ["made anyway", "dropped"]

    # 500 after applying: discord.py retries the POST by itself, so Discord ends up with two events.
    since = len(fake.requests)
    fake.inject("POST", EVENTS, status=500, after=True)
    event = await _create(guild, name="twice")
    posts = [r for r in fake.requests[since:] if r.method == "POST"]
    assert [r.status for r in posts] == [500, 200]
    assert [e["name"] for e in fake.scheduled_events()].count("twice") == 2
    assert event.id == int(fake.scheduled_events()[-1]["id"])

    # Dropped before Discord saw it: nothing is created.
    fake.inject("POST", EVENTS, drop=True)
    with pytest.raises(aiohttp.ClientError):
        await _create(guild, name="never")
    assert "never" not in [e["name"] for e in fake.scheduled_events()]
