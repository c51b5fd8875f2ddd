"""What every cog does to answer: send packed embeds, ephemeral when personal, never pinging."""

from __future__ import annotations

import logging

import discord

from bot.render.embeds import Doc, pack
from bot.service import CourseService

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


COURSE = "course"  # the key of `interaction.extras` that holds the interaction's course
SETUP_COMMANDS = ("setup", "course")  # what a server without a course may use: /setup, /course upload
NO_COURSE_HERE = "This server has no course yet: an instructor can set it up with /setup and /course upload."
NO_COURSE_IN_DM = ("In a direct message I cannot tell which course you mean: use the commands in your course's "
                   "server.")


def course_of(interaction: discord.Interaction) -> CourseService:
    """The course of the server the interaction comes from, as the command tree resolved it: never another's."""
    service = interaction.extras.get(COURSE)
    if not isinstance(service, CourseService):
        raise RuntimeError("the command tree resolves the course before any command runs")
    return service


async def reply_error(interaction: discord.Interaction, message: str) -> None:
    """An ephemeral plain-text answer, whether or not the interaction was already acknowledged."""
    text = message[:2000]
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except Exception as exc:  # the reply is best effort: the error itself is already handled
        log.error("could not send an error reply interaction=%s: %s", interaction.id, exc)


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
