"""/calendar: the live feed's links when it is on, and the course as an .ics attachment (ephemeral)."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import NO_MENTIONS, course_of
from bot.commands import COMMANDS_BY_NAME
from bot.core.ics import calendar_filename
from bot.core.ics_text import calendar_contents
from bot.core.model import Course
from bot.web import FeedLinks, calendar_bytes


def calendar_note(course: Course) -> str:
    """What the file holds, in this course's terms."""
    return (f"Import this file into Google Calendar, Apple Calendar or Outlook. "
            f"It has the {calendar_contents(course)} of {course.name}.")


def subscribe_note(links: FeedLinks) -> str:
    """The live feed's two links and one line on subscribing."""
    return (f"Subscribe to the live calendar, which follows every change to the course:\n<{links.https}>\n"
            f"`{links.webcal}`\n"
            "Google Calendar: Other calendars → + → From URL, paste the https link. Apple Calendar and Outlook: "
            "open the webcal link (or File → New Calendar Subscription / Add calendar → Subscribe from web).\n")


class Calendar(commands.Cog):
    """/calendar."""

    @app_commands.command(name="calendar", description=COMMANDS_BY_NAME["calendar"].description)
    async def calendar(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        course, state, feed = service.course, service.state, service.feed
        assert state is not None
        # The feed's bytes when it runs (SEQUENCE and LAST-MODIFIED from the change log, as the feed serves them).
        file = discord.File(io.BytesIO(calendar_bytes(feed, state)), filename=calendar_filename(course))
        links = feed.links() if feed is not None else None
        text = (subscribe_note(links) if links else "") + calendar_note(course)
        await interaction.response.send_message(text, file=file, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: commands.Bot) -> None:
    """Loaded by name (`bot.load_extension("bot.cogs.calendar")`)."""
    await bot.add_cog(Calendar())
