"""Helpers for end-to-end checks: wait until the bot has finished with its interactions, and read what it sent.

An answered callback does not mean the bot is done (follow-ups, announcements and the completion listener
come after it), so `settle` waits for discord.py's own tasks: the `CommandTree-invoker` task that runs a
command and the `on_app_command_*` listener tasks. Nothing of the bot is replaced or patched.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

from tests.fake_discord import RecordedRequest

EPHEMERAL = 1 << 6
_BOT_TASKS = ("CommandTree-invoker", "discord.py: on_app_command")
_MESSAGE_ROUTES = re.compile(r"/interactions/\d+/[^/]+/callback|/webhooks/\d+/[^/]+(/messages/[^/]+)?"
                             r"|/channels/\d+/messages(/\d+)?")


async def settle(timeout: float = 10.0) -> None:
    """Until no command or command-completion listener task of discord.py is running on this loop."""
    me = asyncio.current_task()

    def running() -> set[asyncio.Task[Any]]:
        return {t for t in asyncio.all_tasks() if t is not me and not t.done() and t.get_name().startswith(_BOT_TASKS)}

    async def drain() -> None:
        while tasks := running():
            await asyncio.wait(tasks)

    await asyncio.wait_for(drain(), timeout)


def message_bodies(requests: list[RecordedRequest]) -> Iterator[tuple[RecordedRequest, dict[str, Any]]]:
    """Every message body the bot sent: interaction callbacks with a message, follow-ups, edits, channel posts."""
    for request in requests:
        if request.method not in ("POST", "PATCH") or not _MESSAGE_ROUTES.fullmatch(request.path):
            continue
        body = request.json if isinstance(request.json, dict) else {}
        if request.path.endswith("/callback"):
            body = body.get("data") or {} if body.get("type") in (4, 7) else {}
        if body.get("content") or body.get("embeds"):
            yield request, body


def embed_parts(body: dict[str, Any]) -> list[str]:
    """Each text of a message's embeds (title, description, field names and values, footer, author)."""
    parts = []
    for embed in body.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts += [(embed.get("footer") or {}).get("text") or "", (embed.get("author") or {}).get("name") or ""]
    return [p for p in parts if p]
