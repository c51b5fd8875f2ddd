"""Self-tests: a real discord.py client (2.7.1, unmodified) against FakeDiscord over 127.0.0.1.

No test sleeps to wait: everything waits on the fake's recorded requests/frames or on discord.py's
own events, with timeouts.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands

from . import FakeDiscord
from .conftest import ErrorLog as _ErrorLog
from .validation import FormErrors, is_empty_message, validate_commands, validate_message

USER_ID = 1140000000000000001
NONCE = "course-42"




class Bot(discord.Client):
    """A minimal bot with the commands the fake must serve."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.sent: list[discord.Message] = []
        tree = self.tree

        @tree.command(name="ping", description="Replies pong")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        @tree.command(name="long", description="Defers, then edits the original response")
        async def long(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.edit_original_response(content="done after a while")

        @tree.command(name="twice", description="Responds, then sends an ephemeral follow-up")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            await interaction.followup.send("second", ephemeral=True)

        @tree.command(name="announce", description="Sends to the channel twice with the same nonce")
        async def announce(interaction: discord.Interaction) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            await interaction.response.defer(ephemeral=True)
            for _ in range(2):
                self.sent.append(await interaction.channel.send("announcement", nonce=NONCE))
            await interaction.edit_original_response(content="sent")

        async def course_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            names = ["algebra", "analysis", "biology"] if current != "many" else [f"c{i}" for i in range(30)]
            return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current) or current == "many"]

        @tree.command(name="enrol", description="Enrol in a course")
        @app_commands.autocomplete(course=course_names)
        async def enrol(interaction: discord.Interaction, course: str) -> None:
            await interaction.response.send_message(f"enrolled in {course}")

        group = app_commands.Group(name="course", description="Course management")

        @group.command(name="add", description="Add a course")
        async def add(interaction: discord.Interaction, code: str, credits: int, member: discord.Member) -> None:
            await interaction.response.send_message(f"{code}:{credits + 1}:{member.id}:{type(member).__name__}")

        tree.add_command(group)

        class VoteView(discord.ui.View):
            @discord.ui.button(label="Yes", custom_id="vote-yes")
            async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
                await interaction.response.edit_message(content="voted yes", view=None)

        @tree.command(name="vote", description="Sends a button")
        async def vote(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("vote?", view=VoteView())

        @tree.command(name="upload", description="Replies with a file")
        async def upload(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("notes", file=discord.File(io.BytesIO(b"hello"), "notes.txt"))

        @tree.command(name="gated", description="Answers once the test opens the gate")
        async def gated(interaction: discord.Interaction) -> None:
            await self.gate.wait()
            await interaction.response.send_message("late")

        @tree.command(name="shout", description="Tries a too-long reply, then a short one")
        async def shout(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("A" * 2001)
            except discord.HTTPException as exc:
                await interaction.response.send_message(f"rejected {exc.status} {exc.code}")

        self.gate = asyncio.Event()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (identify rate limit); not needed against the fake."""




@pytest_asyncio.fixture
async def bot(fake: FakeDiscord, errors: _ErrorLog) -> AsyncIterator[Bot]:
    client = Bot()
    task = asyncio.create_task(client.start(fake.token))
    try:
        await fake.wait_until_ready()
        await asyncio.wait_for(client.wait_until_ready(), 5)
        guild = discord.Object(fake.guild_id)
        client.tree.copy_global_to(guild=guild)
        await client.tree.sync(guild=guild)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
    assert fake.unknown_requests == []
    assert [r.getMessage() for r in errors.records] == []


async def _channel(client: Bot, fake: FakeDiscord) -> discord.TextChannel:
    channel = client.get_channel(fake.channel_ids[0])
    assert isinstance(channel, discord.TextChannel)
    return channel


@pytest.mark.asyncio
async def test_ready_identify_and_sync(fake: FakeDiscord, bot: Bot) -> None:
    identify = await fake.wait_for_gateway(2)
    assert identify.d["token"] == fake.token
    assert identify.d["intents"] == discord.Intents.default().value
    # discord.py asks for zstd-stream when a zstd module is importable, else zlib-stream; the fake serves both.
    compression = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert fake.gateway.connect_queries[0] == {"v": "10", "encoding": "json", "compress": compression}
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and guild.me is not None
    assert {c.id for c in guild.text_channels} == set(fake.channel_ids)

    commands = fake.commands(fake.guild_id)
    names = ["announce", "course", "enrol", "gated", "long", "ping", "shout", "twice", "upload", "vote"]
    assert sorted(c["name"] for c in commands) == names
    assert all(
        c["application_id"] == str(fake.application_id) and c["guild_id"] == str(fake.guild_id) for c in commands
    )
    assert fake.commands() == []  # nothing global
    # A re-sync keeps the ids, as Discord does.
    again = await bot.tree.sync(guild=discord.Object(fake.guild_id))
    assert {c.name: str(c.id) for c in again} == {c["name"]: c["id"] for c in commands}


@pytest.mark.asyncio
async def test_ping_callback(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="ping")
    ping_id = next(c["id"] for c in fake.commands(fake.guild_id) if c["name"] == "ping")
    assert interaction.payload["data"]["id"] == ping_id
    assert interaction.payload["data"]["guild_id"] == str(fake.guild_id)
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "pong"
    assert callback.query.get("with_response") == "1" and callback.status == 200
    [message] = fake.messages(fake.channel_ids[0])
    assert message["content"] == "pong" and message["type"] == 20
    assert message["interaction_metadata"]["user"]["id"] == str(USER_ID)


@pytest.mark.asyncio
async def test_subcommand_with_typed_and_resolved_options(fake: FakeDiscord, bot: Bot) -> None:
    fake.add_member(1140000000000000002, username="student")
    interaction = await fake.send_interaction(
        name="course", subcommand="add", options={"code": "CS101", "credits": 5, "member": 1140000000000000002}
    )
    [sub] = interaction.payload["data"]["options"]
    assert sub["type"] == 1 and sub["name"] == "add"
    assert {o["name"]: o["type"] for o in sub["options"]} == {"code": 3, "credits": 4, "member": 6}
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["data"]["content"] == "CS101:6:1140000000000000002:Member"


@pytest.mark.asyncio
async def test_autocomplete(fake: FakeDiscord, bot: Bot, errors: _ErrorLog) -> None:
    interaction = await fake.send_interaction(name="enrol", type=4, options={"course": "a"}, focused="course")
    assert interaction.payload["data"]["options"] == [{"name": "course", "type": 3, "value": "a", "focused": True}]
    callback = await fake.wait_for_callback(interaction)
    assert callback.json == {
        "type": 8,
        "data": {"choices": [{"name": "algebra", "value": "algebra"}, {"name": "analysis", "value": "analysis"}]},
    }
    assert callback.status == 200

    too_many = await fake.send_interaction(name="enrol", type=4, options={"course": "many"}, focused="course")
    rejected = await fake.wait_for_callback(too_many)
    assert rejected.status == 400
    assert rejected.response["code"] == 50035
    assert rejected.response["errors"]["data"]["choices"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    errors.records.clear()  # discord.py logs the failed autocomplete; that is expected here


@pytest.mark.asyncio
async def test_defer_then_edit_original(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="long")
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["type"] == 5
    assert callback.response["interaction"]["response_message_loading"] is True
    edit = await fake.wait_for_request(
        "PATCH", rf"/webhooks/{fake.application_id}/[^/]+/messages/@original", answered=True
    )
    assert edit.status == 200 and edit.json["content"] == "done after a while"
    [message] = fake.messages(fake.channel_ids[0])
    assert message["content"] == "done after a while"
    assert message["flags"] == 0  # LOADING cleared


@pytest.mark.asyncio
async def test_followup(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="twice")
    followup = await fake.wait_for_request("POST", rf"/webhooks/{fake.application_id}/[^/]+", answered=True)
    assert followup.query["wait"] == "1" and followup.status == 200
    assert followup.json["flags"] == 64
    assert [m["content"] for m in fake.messages(fake.channel_ids[0])] == ["first", "second"]
    assert len(interaction.followup_ids) == 1
    # The ephemeral follow-up is not visible in the channel history.
    history = [m async for m in (await _channel(bot, fake)).history(limit=10)]
    assert [m.content for m in history] == ["first"]


@pytest.mark.asyncio
async def test_channel_send_same_nonce_gives_one_message(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="announce")
    await fake.wait_for_request("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", answered=True)
    posts = [r for r in fake.requests if r.route == "POST /channels/{channel_id}/messages"]
    assert len(posts) == 2 and all(p.json["nonce"] == NONCE and p.json["enforce_nonce"] for p in posts)
    assert bot.sent[0].id == bot.sent[1].id
    messages = fake.messages(interaction.channel_id)
    assert [m["content"] for m in messages if m["type"] == 0] == ["announcement"]


@pytest.mark.asyncio
async def test_embed_title_too_long_is_discords_400(fake: FakeDiscord, bot: Bot) -> None:
    channel = await _channel(bot, fake)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embed=discord.Embed(title="x" * 257))
    assert caught.value.status == 400 and caught.value.code == 50035
    assert "embeds.0.title" in caught.value.text and "256 or fewer" in caught.value.text
    assert fake.messages(channel.id) == []


@pytest.mark.asyncio
async def test_wrong_token_is_login_failure(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()
    assert fake.requests[-1].status == 401
    assert fake.requests[-1].response == {"message": "401: Unauthorized", "code": 0}


@pytest.mark.asyncio
async def test_500_once_is_retried(fake: FakeDiscord, bot: Bot) -> None:
    channel = await _channel(bot, fake)
    fake.inject("POST", r"/channels/\d+/messages", status=500, times=1)
    message = await channel.send("after a 500")
    posts = [r for r in fake.requests if r.route == "POST /channels/{channel_id}/messages"]
    assert [p.status for p in posts] == [500, 200]
    assert [m["content"] for m in fake.messages(channel.id)] == ["after a 500"]
    assert message.content == "after a 500"


@pytest.mark.asyncio
async def test_429_is_waited_out(fake: FakeDiscord, bot: Bot) -> None:
    channel = await _channel(bot, fake)
    fake.inject("POST", r"/channels/\d+/messages", status=429, retry_after=0.05)
    await channel.send("after a 429")
    posts = [r for r in fake.requests if r.route == "POST /channels/{channel_id}/messages"]
    assert [p.status for p in posts] == [429, 200]
    assert posts[1].time - posts[0].time >= 0.05
    assert posts[0].response == {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}


@pytest.mark.asyncio
async def test_slow_response(fake: FakeDiscord, bot: Bot) -> None:
    channel = await _channel(bot, fake)
    fake.inject("POST", r"/channels/\d+/messages", status=None, delay=0.2)
    started = time.monotonic()
    await channel.send("slowly")
    assert time.monotonic() - started >= 0.2
    assert len(fake.messages(channel.id)) == 1


@pytest.mark.asyncio
async def test_closed_dm_is_403(fake: FakeDiscord, bot: Bot) -> None:
    fake.add_user(1140000000000000003, "quiet")
    fake.close_dms(1140000000000000003)
    user = await bot.fetch_user(1140000000000000003)
    dm = await user.create_dm()
    assert dm.id == fake.dm_channel_id(1140000000000000003)
    with pytest.raises(discord.Forbidden) as caught:
        await dm.send("hello")
    assert caught.value.code == 50007
    fake.close_dms(1140000000000000003, closed=False)
    await dm.send("hello again")
    assert [m["content"] for m in fake.dm_messages(1140000000000000003)] == ["hello again"]


@pytest.mark.asyncio
async def test_unknown_channel_is_404(fake: FakeDiscord, bot: Bot) -> None:
    with pytest.raises(discord.NotFound) as caught:
        await bot.http.send_message(999, params=discord.http.handle_message_parameters(content="x"))
    assert caught.value.code == 10003


@pytest.mark.asyncio
async def test_dm_interaction(fake: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()  # global commands, usable in DMs
    interaction = await fake.send_interaction(name="ping", guild_id=None)
    assert "user" in interaction.payload and "member" not in interaction.payload
    await fake.wait_for_callback(interaction)
    assert [m["content"] for m in fake.dm_messages(USER_ID)] == ["pong"]


@pytest.mark.asyncio
async def test_drop_and_resume_replays_missed_events(fake: FakeDiscord, bot: Bot) -> None:
    since = len(fake.gateway_frames)
    await fake.drop_gateway(4000)
    interaction = await fake.send_interaction(name="ping")  # sent while the bot is away
    resume = await fake.wait_for_gateway(6, since=since)
    assert resume.d["session_id"] == fake.session_id
    await fake.wait_until_ready()
    callback = await fake.wait_for_callback(interaction)
    assert callback.status == 200
    assert [f.op for f in fake.gateway_frames[since:] if f.direction == "recv" and f.op == 2] == []


@pytest.mark.asyncio
async def test_held_gateway_keeps_the_bot_away_until_released(fake: FakeDiscord, bot: Bot) -> None:
    since = len(fake.gateway_frames)
    fake.hold_gateway()
    await fake.drop_gateway(4000)
    await fake.wait_for_held_connection()
    channel = await _channel(bot, fake)
    await channel.send("REST still works")  # while the gateway is away
    interaction = await fake.send_interaction(name="ping")  # buffered for the RESUME
    assert [f.op for f in fake.gateway_frames[since:] if f.direction == "send"] == []  # not even HELLO
    assert interaction.callback is None
    fake.hold_gateway(False)
    resume = await fake.wait_for_gateway(6, since=since)
    assert resume.d["session_id"] == fake.session_id
    assert (await fake.wait_for_callback(interaction)).status == 200
    assert fake.gateway.held == 0


@pytest.mark.asyncio
async def test_invalid_session_reidentifies(fake: FakeDiscord, bot: Bot) -> None:
    since = len(fake.gateway_frames)
    first_session = fake.session_id
    await fake.invalidate_session(resumable=False)
    await fake.wait_for_gateway(2, since=since)
    await fake.wait_for_gateway(0, direction="send", event="GUILD_CREATE", since=since)
    await fake.wait_until_ready()
    assert fake.session_id != first_session
    interaction = await fake.send_interaction(name="ping")
    assert (await fake.wait_for_callback(interaction)).status == 200


@pytest.mark.asyncio
async def test_heartbeat_acks_can_be_stopped(fake: FakeDiscord) -> None:
    fake.heartbeat_interval = 50
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start(fake.token))
    try:
        await fake.wait_until_ready()
        fake.set_heartbeat_acks(False)
        since = len(fake.gateway_frames)
        await fake.wait_for_gateway(1, since=since)
        await fake.wait_for_gateway(1, since=len(fake.gateway_frames))
        assert [f for f in fake.gateway_frames[since:] if f.op == 11] == []
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


@pytest.mark.asyncio
async def test_command_limits_are_enforced(fake: FakeDiscord, bot: Bot) -> None:
    bad = [{"name": "Bad Name", "description": "d" * 101, "type": 1}]
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.bulk_upsert_guild_commands(fake.application_id, fake.guild_id, bad)
    assert caught.value.status == 400 and caught.value.code == 50035
    assert "0.name" in caught.value.text and "0.description" in caught.value.text


@pytest.mark.asyncio
async def test_component_click_updates_message(fake: FakeDiscord, bot: Bot) -> None:
    first = await fake.send_interaction(name="vote")
    callback = await fake.wait_for_callback(first)
    [row] = callback.json["data"]["components"]
    assert row["components"][0]["custom_id"] == "vote-yes"
    message_id = int(callback.response["resource"]["message"]["id"])
    click = await fake.send_component_interaction(message_id=message_id, custom_id="vote-yes")
    update = await fake.wait_for_callback(click)
    assert update.json["type"] == 7 and update.status == 200
    [message] = fake.messages(first.channel_id)
    assert message["content"] == "voted yes" and message["components"] == []


@pytest.mark.asyncio
async def test_files_are_multipart_and_downloadable(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="upload")
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["data"]["attachments"] == [{"id": 0, "filename": "notes.txt"}]
    assert [(f.field, f.filename, f.data) for f in callback.files] == [("files[0]", "notes.txt", b"hello")]
    channel = await _channel(bot, fake)
    sent = await channel.send(file=discord.File(io.BytesIO(b"\x00binary\r\n"), "data.bin"))
    assert await sent.attachments[0].read() == b"\x00binary\r\n"


@pytest.mark.asyncio
async def test_expired_and_late_interactions_are_unknown(fake: FakeDiscord, bot: Bot, errors: _ErrorLog) -> None:
    expired = await fake.send_interaction(name="gated")
    fake.expire_interaction(expired)
    bot.gate.set()
    answer = await fake.wait_for_callback(expired)
    assert answer.status == 404 and answer.response == {"message": "Unknown interaction", "code": 10062}

    fake.interaction_deadline = 0.0  # every answer is now later than Discord's 3 s
    late = await fake.send_interaction(name="ping")
    assert (await fake.wait_for_callback(late)).response["code"] == 10062
    assert len(errors.records) == 2  # discord.py reports both NotFound errors from the commands
    errors.records.clear()


@pytest.mark.asyncio
async def test_user_message_respects_message_content_intent(fake: FakeDiscord, bot: Bot) -> None:
    channel_id = fake.channel_ids[0]
    waiter = bot.wait_for("message", check=lambda m: m.author.id == USER_ID, timeout=5)
    await fake.send_user_message(channel_id, "secret text")
    message = await waiter
    assert message.content == ""  # default intents lack message_content, so Discord blanks it
    assert isinstance(message.author, discord.Member)
    assert fake.messages(channel_id)[0]["content"] == "secret text"


@pytest.mark.asyncio
async def test_fetches(fake: FakeDiscord, bot: Bot) -> None:
    channel = await bot.fetch_channel(fake.channel_ids[1])
    assert isinstance(channel, discord.TextChannel) and channel.name == "announcements"
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None
    fake.add_member(USER_ID, username="alice")
    member = await guild.fetch_member(USER_ID)
    assert member.name == "alice"
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(1)


@pytest.mark.asyncio
async def test_callback_content_limit_then_retry(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="shout")
    first = await fake.wait_for_callback(interaction)
    assert first.status == 400
    assert first.response["errors"]["data"]["content"]["_errors"][0]["message"] == "Must be 2000 or fewer in length."
    second = await fake.wait_for_request(
        "POST", rf"/interactions/{interaction.id}/.+/callback", answered=True, since=fake.requests.index(first) + 1
    )
    assert second.status == 200 and second.json["data"]["content"] == "rejected 400 50035"


@pytest.mark.asyncio
async def test_empty_message_and_restricted_channel(fake: FakeDiscord, bot: Bot) -> None:
    channel = await _channel(bot, fake)
    with pytest.raises(discord.HTTPException) as empty:
        await channel.send()
    assert (empty.value.status, empty.value.code) == (400, 50006)
    fake.restrict_channel(channel.id)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("hi")
    assert forbidden.value.code == 50013
    fake.restrict_channel(channel.id, None)
    await channel.send("hi")


@pytest.mark.asyncio
async def test_mention_lets_the_bot_read_content(fake: FakeDiscord, bot: Bot) -> None:
    waiter = bot.wait_for("message", check=lambda m: m.author.id == USER_ID, timeout=5)
    await fake.send_user_message(fake.channel_ids[0], f"<@{fake.bot_user_id}> hello")
    message = await waiter
    assert message.content == f"<@{fake.bot_user_id}> hello"
    assert bot.user in message.mentions


def test_message_validation_limits() -> None:
    def errors_of(payload: dict[str, Any]) -> dict[str, Any]:
        errors = FormErrors()
        validate_message(payload, errors)
        return errors.tree

    assert errors_of({"content": "x" * 2000}) == {}
    assert errors_of({"content": "x" * 2001})["content"] == {
        "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]
    }
    assert "embeds" in errors_of({"embeds": [{"title": "t"}] * 11})
    big = {"description": "d" * 4000}
    assert errors_of({"embeds": [big]}) == {}
    assert errors_of({"embeds": [big, big]})["embeds"]["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    fields = [{"name": "n", "value": "v"}] * 26
    assert "fields" in errors_of({"embeds": [{"fields": fields}]})["embeds"]["0"]
    assert (
        "value"
        in errors_of({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]})["embeds"]["0"]["fields"]["0"]
    )
    assert "text" in errors_of({"embeds": [{"footer": {"text": "f" * 2049}}]})["embeds"]["0"]["footer"]
    assert "name" in errors_of({"embeds": [{"author": {"name": "a" * 257}}]})["embeds"]["0"]["author"]
    assert is_empty_message({"content": "", "embeds": []}, 0)
    assert not is_empty_message({"content": ""}, 1)


def test_command_validation_limits() -> None:
    ok = {"name": "ok", "description": "fine", "options": [{"type": 3, "name": "o", "description": "d"}]}
    assert not validate_commands([ok])
    assert "0" in validate_commands([{"name": "x" * 33, "description": "d"}]).tree
    too_many = {**ok, "options": [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]}
    assert "options" in validate_commands([too_many]).tree["0"]
    choices = [{"name": f"c{i}", "value": str(i)} for i in range(26)]
    with_choices = {**ok, "options": [{"type": 3, "name": "o", "description": "d", "choices": choices}]}
    assert "choices" in validate_commands([with_choices]).tree["0"]["options"]["0"]
    assert "name" in validate_commands([ok, ok]).tree["1"]
