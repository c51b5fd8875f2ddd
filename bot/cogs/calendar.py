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
from bot.core.ics_text import calendar_contents
from bot.core.model import Course

if TYPE_CHECKING:
    from bot.app import CourseBot

def calendar_note(course: Course) -> str:
    """What the file holds, in this course's terms."""
    return (f"Import this file into Google Calendar, Apple Calendar or Outlook. "
            f"It has the {calendar_contents(course)} of {course.name}.")


class Calendar(commands.Cog):
    """/calendar."""

    def __init__(self, bot: CourseBot) -> None:
        self.bot = bot

    @app_commands.command(name="calendar", description=COMMANDS_BY_NAME["calendar"].description)
    async def calendar(self, interaction: discord.Interaction) -> None:
        course = self.bot.course
        # The change log's revision of each event gives SEQUENCE and LAST-MODIFIED, as `python -m bot calendar`.
        data = build_calendar(course, self.bot.state.revisions if self.bot.state else None)
        file = discord.File(io.BytesIO(data), filename=calendar_filename(course))
        await interaction.response.send_message(calendar_note(course), file=file, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
