"""A fake Discord (REST + gateway on 127.0.0.1) for testing a real, unmodified discord.py bot.

Typical use in a test::

    fake = FakeDiscord()                      # a default guild, two text channels, token "fake-token"
    await fake.start()
    restore = point_discord_at(fake.base_url)  # Route.BASE + DiscordWebSocket.DEFAULT_GATEWAY
    task = asyncio.create_task(bot.start(fake.token))
    await fake.wait_until_ready()             # READY + GUILD_CREATE sent
    await bot.tree.sync(guild=discord.Object(fake.guild_id))
    interaction = await fake.send_interaction(name="ping", options={...})
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["data"]["content"] == "pong"
    await bot.close(); await task; restore(); await fake.stop()

Also: `options={"file": Upload("a.yaml", b"...", "application/x-yaml")}` for attachment options;
`await fake.set_overwrite(channel_id, role_or_user_id, deny=permissions.SEND_MESSAGES)` (CHANNEL_UPDATE,
REST 403s and interaction permissions follow); `fake.response_message(record)`, `fake.latest_response(record)`,
`await fake.wait_for_response(record, predicate=...)` and `custom_ids(message)` to find the bot's answers and
their buttons; channels may be `{"id": ..., "name": ..., "type": 2}` (0 text, 2 voice, 4 category, 5 news).
Scheduled events (rest_events.py): `fake.scheduled_events()`, `await fake.admin_create_event(...)`,
`admin_edit_event`, `admin_delete_event`, `run_event_automation`, `await fake.set_bot_permissions(bits)`,
`fake.world.now`; `fake.inject(..., after=True)` or `drop=True` apply a request, then lose the answer.

Several guilds (guild_admin.py): `gid = fake.add_guild("B")` (its own roles, channels, members, events;
`joined=False` to keep the bot out), `fake.guild_channel_ids(gid)`, `fake.add_role(name, guild_id=gid)`,
`fake.add_channel(name, guild_id=gid)`, `fake.add_member(uid, roles=..., guild_id=gid)`,
`send_interaction(..., guild_id=gid)`, `set_bot_permissions(bits, guild_id=gid)`, `admin_create_event(guild_id=gid)`;
at run time `await fake.join_guild(gid)` (GUILD_CREATE: on_guild_join) and `await fake.remove_guild(gid)`
(GUILD_DELETE: on_guild_remove; then REST on that guild answers 403 50001). Helpers without guild_id mean the
default guild. Sharding: `FakeDiscord(shards=2)` (GET /gateway/bot), one session per shard in `fake.gateway.shards`;
a session only gets its shard's guilds (`fake.shard_of(gid)`) and their events, DMs go to shard 0;
`InteractionRecord.shard_id` and `GatewayFrame.shard_id` tell where things went; `wait_until_ready(shard_id=1)`,
`drop_gateway(..., shard_id=1)`.

Pass `guild_ready_timeout=0.05` to the client, or discord.py waits 2 s for more guilds before
`on_ready`; and discord.py sleeps 5 s before every re-IDENTIFY (Client.before_identify_hook).
"""

from .gateway import GatewayFrame
from .interactions import InteractionRecord, Upload
from .multipart import RecordedFile
from .redirect import point_discord_at
from .responses import custom_ids, iter_components
from .server import FakeDiscord, Injection, RecordedRequest

__all__ = [
    "FakeDiscord",
    "GatewayFrame",
    "Injection",
    "InteractionRecord",
    "RecordedFile",
    "RecordedRequest",
    "Upload",
    "custom_ids",
    "iter_components",
    "point_discord_at",
]
