"""What every cog does to answer: send packed embeds, ephemeral when personal, never pinging."""

from __future__ import annotations

import discord

from bot.app import NO_MENTIONS
from bot.render.embeds import Doc, pack


async def send_doc(interaction: discord.Interaction, doc: Doc, *, ephemeral: bool = False) -> None:
    """The first message as the interaction response, any overflow as follow-ups."""
    await send_messages(interaction, pack(doc), ephemeral=ephemeral)


async def send_messages(interaction: discord.Interaction, messages: list[list[discord.Embed]], *,
                        ephemeral: bool = False) -> None:
    first, *rest = messages
    if interaction.response.is_done():
        await interaction.followup.send(embeds=first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(embeds=first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    for embeds in rest:
        await interaction.followup.send(embeds=embeds, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)


async def acknowledge(interaction: discord.Interaction) -> None:
    """Defer (ephemeral, "thinking…") before work that waits on the database or another REST call,
    so a busy database or a slow API cannot make us miss Discord's 3-second window."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
