"""The real bot plus a trivial /echo command, the latency floor for bench_discord.py. Not shipped."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import discord

from bot.app import CourseBot, serve
from bot.settings import load_settings


class EchoBot(CourseBot):
    async def setup_hook(self) -> None:
        @self.tree.command(name="echo", description="Echo the text back (benchmark floor)")
        async def echo(interaction: discord.Interaction, text: str = "pong") -> None:
            await interaction.response.send_message(text)

        await super().setup_hook()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.WARNING)
    sys.exit(asyncio.run(serve(EchoBot(load_settings()), os.environ["DISCORD_TOKEN"])))
