"""Self-tests for attachment/channel/role options, channel permission overwrites and ephemeral component flows.

A real discord.py client against a fake whose guild also has a voice channel and a category, so
`channel_types` and non-text channels in GUILD_CREATE are exercised.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands

from . import FakeDiscord, Upload, custom_ids, point_discord_at
from .conftest import ErrorLog as _ErrorLog
from .models import ALL_PERMISSIONS
from .permissions import EMBED_LINKS, SEND_MESSAGES, VIEW_CHANNEL

USER_ID = 1140000000000000001
GENERAL, ANNOUNCEMENTS = 1130000000000000001, 1130000000000000002
VOICE, CATEGORY = 1130000000000000003, 1130000000000000004
STAFF_ROLE = 1150000000000000001




class ConfirmView(discord.ui.View):
    """Confirm edits the message (callback type 7); Cancel defers (type 6), then edits @original."""

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)

    @discord.ui.button(label="Cancel", custom_id="cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="cancelled", view=None)


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.received: list[tuple[discord.Attachment, bytes]] = []
        self.seen: list[object] = []
        tree = self.tree
        course = app_commands.Group(name="course", description="Course management")

        @course.command(name="upload", description="Reads an uploaded file")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            self.received.append((file, data))
            await interaction.response.send_message(f"{file.filename}:{len(data)}:{file.content_type}")

        tree.add_command(course)

        @tree.command(name="where", description="Picks a text channel")
        async def where(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
            self.seen.append(channel)
            await interaction.response.send_message(f"#{channel.name}")

        @tree.command(name="inspect", description="Shows a channel's and a role's resolved data")
        async def inspect(
            interaction: discord.Interaction, channel: app_commands.AppCommandChannel, role: discord.Role
        ) -> None:
            self.seen.extend([channel, role, interaction.app_permissions])
            await interaction.response.send_message(f"{channel.permissions.send_messages}:{role.name}")

        @tree.command(name="confirm", description="Ephemeral follow-up with Confirm/Cancel")
        async def confirm(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            await interaction.followup.send("sure?", view=ConfirmView(), ephemeral=True)

        @tree.command(name="confirm_original", description="Deferred, then the original gets Confirm/Cancel")
        async def confirm_original(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content="really?", view=ConfirmView())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s identify wait against the fake."""


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    channels = (
        {"id": GENERAL, "name": "general"},
        {"id": ANNOUNCEMENTS, "name": "announcements"},
        {"id": VOICE, "name": "lecture-hall", "type": 2},
        {"id": CATEGORY, "name": "Course", "type": 4},
    )
    async with FakeDiscord(channels=channels, roles=({"id": STAFF_ROLE, "name": "Staff"},)) as server:
        restore = point_discord_at(server.base_url)
        try:
            yield server
        finally:
            restore()




async def _start(fake: FakeDiscord) -> tuple[Bot, asyncio.Task[None]]:
    client = Bot()
    task = asyncio.create_task(client.start(fake.token))
    await fake.wait_until_ready()
    await asyncio.wait_for(client.wait_until_ready(), 5)
    guild = discord.Object(fake.guild_id)
    client.tree.copy_global_to(guild=guild)
    await client.tree.sync(guild=guild)
    return client, task


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord, errors: _ErrorLog) -> AsyncIterator[Bot]:
    client, task = await _start(fake)
    try:
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
    assert fake.unknown_requests == []
    assert [r.getMessage() for r in errors.records] == []


def _text_channel(bot: Bot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


# --- attachment options ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_attachment_option_gives_the_command_a_readable_attachment(fake: FakeDiscord, bot: Bot) -> None:
    data = b"course: CS101\nweeks: 12\n"
    interaction = await fake.send_interaction(
        name="course", subcommand="upload", options={"file": Upload("schedule.yaml", data, "application/x-yaml")}
    )
    [sub] = interaction.payload["data"]["options"]
    [option] = sub["options"]
    assert option["type"] == 11 and option["name"] == "file"
    attachment = interaction.payload["data"]["resolved"]["attachments"][option["value"]]
    assert attachment["id"] == option["value"]
    assert (attachment["filename"], attachment["size"]) == ("schedule.yaml", len(data))
    assert attachment["content_type"] == "application/x-yaml" and attachment["ephemeral"] is True
    assert attachment["url"].startswith(fake.base_url) and attachment["proxy_url"] == attachment["url"]

    callback = await fake.wait_for_callback(interaction)
    assert callback.json["data"]["content"] == f"schedule.yaml:{len(data)}:application/x-yaml"
    [(received, read)] = bot.received
    assert read == data and received.ephemeral and received.id == int(option["value"])
    assert fake.world.files[received.id].data == data


@pytest.mark.asyncio
async def test_attachment_option_by_snowflake_and_refusals(fake: FakeDiscord, bot: Bot) -> None:
    sent = await _text_channel(bot, GENERAL).send(file=discord.File(io.BytesIO(b"old notes"), "notes.txt"))
    stored_id = sent.attachments[0].id
    interaction = await fake.send_interaction(name="course", subcommand="upload", options={"file": stored_id})
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["data"]["content"].startswith("notes.txt:9:")
    assert bot.received[-1][1] == b"old notes"

    with pytest.raises(ValueError, match="not a known"):
        await fake.send_interaction(name="course", subcommand="upload", options={"file": 12345})
    with pytest.raises(ValueError, match="does not take a file"):
        await fake.send_interaction(name="where", options={"channel": Upload("a.txt", b"a")})


@pytest.mark.asyncio
async def test_download_of_unknown_attachment_is_404(fake: FakeDiscord) -> None:
    [attachment] = fake.world.store_files(GENERAL, [("a.bin", b"\x01\x02", None)], fake.base_url)
    async with aiohttp.ClientSession() as session:
        async with session.get(attachment["url"]) as found:
            assert found.status == 200 and await found.read() == b"\x01\x02"
            assert found.content_type == "application/octet-stream"
        for path in (f"/attachments/{GENERAL}/999/a.bin", f"/attachments/{GENERAL}/not-an-id/a.bin"):
            async with session.get(fake.base_url + path) as missing:
                assert missing.status == 404


# --- permission overwrites ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_guild_create_carries_what_permissions_for_needs(fake: FakeDiscord, errors: _ErrorLog) -> None:
    await fake.set_overwrite(GENERAL, fake.world.bot_role_id, deny=EMBED_LINKS)  # before the bot connects
    client, task = await _start(fake)
    try:
        guild_create = await fake.wait_for_gateway(0, direction="send", event="GUILD_CREATE")
        [me] = guild_create.d["members"]
        assert me["user"]["id"] == str(fake.bot_user_id) and me["roles"] == [str(fake.world.bot_role_id)]
        assert {r["id"] for r in guild_create.d["roles"]} >= {str(fake.guild_id), str(fake.world.bot_role_id)}
        general = next(c for c in guild_create.d["channels"] if c["id"] == str(GENERAL))
        assert general["permission_overwrites"] == [
            {"id": str(fake.world.bot_role_id), "type": 0, "allow": "0", "deny": str(EMBED_LINKS)}
        ]
        guild = client.get_guild(fake.guild_id)
        assert guild is not None and guild.me is not None
        here = _text_channel(client, GENERAL).permissions_for(guild.me)
        assert (here.view_channel, here.send_messages, here.embed_links) == (True, True, False)
        assert _text_channel(client, ANNOUNCEMENTS).permissions_for(guild.me).embed_links
        assert isinstance(guild.get_channel(VOICE), discord.VoiceChannel)
        assert isinstance(guild.get_channel(CATEGORY), discord.CategoryChannel)
        assert errors.records == []
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)


@pytest.mark.asyncio
async def test_deny_send_messages_is_seen_by_permissions_for_and_enforced(fake: FakeDiscord, bot: Bot) -> None:
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None
    channel = _text_channel(bot, GENERAL)
    assert channel.permissions_for(guild.me).send_messages

    updated = bot.wait_for("guild_channel_update", timeout=5)
    await fake.set_overwrite(GENERAL, fake.bot_user_id, deny=SEND_MESSAGES)
    _, after = await updated
    assert after.id == GENERAL
    perms = channel.permissions_for(guild.me)
    assert perms.view_channel and not perms.send_messages and not perms.embed_links  # implicit: no send, no embeds
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("hello")
    assert (caught.value.status, caught.value.code) == (403, 50013)
    await _text_channel(bot, ANNOUNCEMENTS).send("elsewhere is fine")

    interaction = await fake.send_interaction(name="inspect", options={"channel": GENERAL, "role": STAFF_ROLE})
    await fake.wait_for_callback(interaction)
    assert not int(interaction.payload["app_permissions"]) & SEND_MESSAGES
    assert bot.seen[-1] == discord.Permissions(int(interaction.payload["app_permissions"]))

    updated = bot.wait_for("guild_channel_update", timeout=5)
    await fake.remove_overwrite(GENERAL, fake.bot_user_id)
    await updated
    assert channel.permissions_for(guild.me).send_messages
    await channel.send("hello again")
    assert [m["content"] for m in fake.messages(GENERAL)][-1] == "hello again"


@pytest.mark.asyncio
async def test_overwrite_order_view_and_embed_links(fake: FakeDiscord, bot: Bot) -> None:
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None
    # @everyone may not see the channel, the bot's role may: the role overwrite wins.
    await fake.set_overwrite(ANNOUNCEMENTS, fake.guild_id, deny=VIEW_CHANNEL)
    updated = bot.wait_for("guild_channel_update", timeout=5)
    await fake.set_overwrite(ANNOUNCEMENTS, fake.world.bot_role_id, allow=VIEW_CHANNEL)
    await updated
    assert _text_channel(bot, ANNOUNCEMENTS).permissions_for(guild.me).send_messages
    assert fake.world.permissions_in(USER_ID, ANNOUNCEMENTS) == 0  # a plain member sees nothing
    assert fake.world.permissions_in(fake.world.owner_id, ANNOUNCEMENTS) == ALL_PERMISSIONS
    await bot.fetch_channel(ANNOUNCEMENTS)

    # Without View Channel the bot gets Missing Access on everything in the channel.
    await fake.set_overwrite(ANNOUNCEMENTS, fake.bot_user_id, deny=VIEW_CHANNEL)
    with pytest.raises(discord.Forbidden) as hidden:
        await bot.fetch_channel(ANNOUNCEMENTS)
    assert hidden.value.code == 50001

    # Without Embed Links an embed-only message is refused and other messages lose their embeds.
    channel = _text_channel(bot, GENERAL)
    await fake.set_overwrite(GENERAL, fake.world.bot_role_id, deny=EMBED_LINKS, type=0)
    with pytest.raises(discord.Forbidden) as embed_only:
        await channel.send(embed=discord.Embed(title="t"))
    assert embed_only.value.code == 50013
    sent = await channel.send("text", embed=discord.Embed(title="t"))
    assert sent.embeds == [] and fake.messages(GENERAL)[-1]["embeds"] == []

    with pytest.raises(ValueError, match="neither a role nor a user"):
        fake.world.set_overwrite(GENERAL, 42, deny=VIEW_CHANNEL)


# --- channel and role options ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_channel_and_role_options_resolve_with_invoker_permissions(fake: FakeDiscord, bot: Bot) -> None:
    await fake.set_overwrite(ANNOUNCEMENTS, fake.guild_id, deny=SEND_MESSAGES)
    interaction = await fake.send_interaction(name="inspect", options={"channel": ANNOUNCEMENTS, "role": STAFF_ROLE})
    resolved = interaction.payload["data"]["resolved"]
    channel = resolved["channels"][str(ANNOUNCEMENTS)]
    assert (channel["id"], channel["name"], channel["type"]) == (str(ANNOUNCEMENTS), "announcements", 0)
    assert int(channel["permissions"]) == fake.world.permissions_in(USER_ID, ANNOUNCEMENTS)
    assert not int(channel["permissions"]) & SEND_MESSAGES and int(channel["permissions"]) & VIEW_CHANNEL
    assert resolved["roles"][str(STAFF_ROLE)]["name"] == "Staff"
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["data"]["content"] == "False:Staff"
    app_channel, role = bot.seen[0], bot.seen[1]
    assert isinstance(app_channel, app_commands.AppCommandChannel) and isinstance(role, discord.Role)

    # The owner (like an admin) has every permission everywhere.
    owner = await fake.send_interaction(
        name="inspect", user=fake.world.owner_id, options={"channel": ANNOUNCEMENTS, "role": STAFF_ROLE}
    )
    assert int(owner.payload["data"]["resolved"]["channels"][str(ANNOUNCEMENTS)]["permissions"]) == ALL_PERMISSIONS
    assert (await fake.wait_for_callback(owner)).json["data"]["content"] == "True:Staff"


@pytest.mark.asyncio
async def test_channel_types_of_the_synced_option_are_enforced(fake: FakeDiscord, bot: Bot) -> None:
    where = next(c for c in fake.commands(fake.guild_id) if c["name"] == "where")
    assert where["options"][0]["channel_types"] == [0, 5]
    interaction = await fake.send_interaction(name="where", options={"channel": GENERAL})
    assert (await fake.wait_for_callback(interaction)).json["data"]["content"] == "#general"
    assert isinstance(bot.seen[-1], discord.TextChannel)
    for other in (VOICE, CATEGORY):
        with pytest.raises(ValueError, match="would never send"):
            await fake.send_interaction(name="where", options={"channel": other})
    # An option without channel_types takes any channel.
    voice = await fake.send_interaction(name="inspect", options={"channel": VOICE, "role": fake.guild_id})
    assert voice.payload["data"]["resolved"]["channels"][str(VOICE)]["type"] == 2
    await fake.wait_for_callback(voice)


@pytest.mark.asyncio
async def test_category_refuses_messages(fake: FakeDiscord, bot: Bot) -> None:
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.send_message(CATEGORY, params=discord.http.handle_message_parameters(content="x"))
    assert (caught.value.status, caught.value.code) == (400, 50008)


# --- ephemeral messages with components -----------------------------------------------------------


@pytest.mark.asyncio
async def test_ephemeral_followup_buttons_confirm_with_update(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="confirm")
    prompt = await fake.wait_for_response(interaction, predicate=lambda m: bool(custom_ids(m)))
    assert custom_ids(prompt) == ["confirm", "cancel"]
    assert prompt["flags"] & 64 and prompt["content"] == "sure?"
    assert fake.latest_response(interaction) == prompt
    assert [m["id"] for m in fake.followup_messages(interaction)] == [prompt["id"]]
    original = fake.response_message(interaction)  # the deferred "thinking" placeholder
    assert original is not None and original["flags"] & 64

    click = await fake.send_component_interaction(message_id=int(prompt["id"]), custom_id="confirm")
    assert click.payload["message"]["id"] == prompt["id"] and click.payload["message"]["flags"] & 64
    update = await fake.wait_for_callback(click)
    assert update.json["type"] == 7 and update.status in (200, 204)
    done = fake.response_message(click)
    assert done is not None and done["id"] == prompt["id"]
    assert (done["content"], done["components"], done["flags"] & 64) == ("confirmed", [], 64)


@pytest.mark.asyncio
async def test_deferred_original_with_buttons_cancel_with_deferred_update(fake: FakeDiscord, bot: Bot) -> None:
    interaction = await fake.send_interaction(name="confirm_original")
    prompt = await fake.wait_for_response(interaction)
    assert prompt == fake.response_message(interaction)
    assert custom_ids(prompt) == ["confirm", "cancel"] and prompt["content"] == "really?"
    assert prompt["flags"] == 64  # LOADING cleared, EPHEMERAL kept

    click = await fake.send_component_interaction(message_id=int(prompt["id"]), custom_id="cancel")
    assert (await fake.wait_for_callback(click)).json["type"] == 6
    done = await fake.wait_for_response(click, predicate=lambda m: m["content"] == "cancelled")
    assert done["id"] == prompt["id"] and done["components"] == [] and done["flags"] == 64
    assert fake.messages(GENERAL) and all(m["flags"] & 64 for m in fake.messages(GENERAL))
