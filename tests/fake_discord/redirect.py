"""Points discord.py at the fake, and back.

Two class attributes carry every URL discord.py 2.7.1 needs for a bot:
- `discord.http.Route.BASE`: the REST base. The webhook adapters (discord/webhook/async_.py and
  sync.py) import the same `Route`, so interaction callbacks and follow-ups follow it too.
- `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`: the first gateway URL (Client.connect does not
  call GET /gateway/bot; AutoShardedClient does, and the fake answers with its own ws URL). Resumes
  use READY's `resume_gateway_url`, which the fake sets to itself.
Not redirected (not needed by a bot that does not download assets): `discord.asset.Asset.BASE`
(cdn.discordapp.com) and the display-only URLs (jump_url, Invite.BASE). Note that
`discord.http._set_api_version()` rewrites Route.BASE to discord.com, so do not call it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def point_discord_at(base_url: str) -> Callable[[], None]:
    """Redirects discord.py to `base_url` (e.g. "http://127.0.0.1:54321"); returns an undo function."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    base = base_url.rstrip("/")
    Route.BASE = base + "/api/v10"
    ws_base = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(ws_base + "/gateway")

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore
