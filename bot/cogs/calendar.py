"""/calendar: the course as an .ics attachment, for the student's own calendar app (ephemeral)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NO_MENTIONS
from bot.commands import COMMANDS_BY_NAME
from bot.core.ics import build_calendar, calendar_filename

if TYPE_CHECKING:
    from bot.app import CourseBot

CALENDAR_NOTE = ("Import this file into Google Calendar, Apple Calendar or Outlook. "
                 "It has every class, the project deadlines and office hours.")


class Calendar(commands.Cog):
    """/calendar."""

    def __init__(self, bot: CourseBot) -> None:
        self.bot = bot

    @app_commands.command(name="calendar", description=COMMANDS_BY_NAME["calendar"].description)
    async def calendar(self, interaction: discord.Interaction) -> None:
        course = self.bot.course
        data = build_calendar(course, self.bot.clock())
        file = discord.File(io.BytesIO(data), filename=calendar_filename(course))
        await interaction.response.send_message(CALENDAR_NOTE, file=file, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
