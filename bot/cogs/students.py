"""The student commands: parse options → core answer → embed → respond."""

from __future__ import annotations

import weakref

import discord
from discord import app_commands
from discord.ext import commands

from bot import critiques
from bot.cogs.common import acknowledge, course_of, send_doc, send_messages
from bot.cogs.kept_answers import KeptAnswers, Messages
from bot.commands import COMMANDS_BY_NAME
from bot.core import queries
from bot.core.search import search
from bot.render import embeds, words
from bot.service import CourseService


def _describe(name: str) -> str:
    return COMMANDS_BY_NAME[name].description


def _option(command: str, option: str) -> str:
    return next(o.description for o in COMMANDS_BY_NAME[command].options if o.name == option)


class Students(commands.Cog):
    """/readings, /next, /schedule, /officehours, /deadlines, /search, /critique rules, /help."""

    critique = app_commands.Group(name="critique", description="Critiques: the rules, and your own tracker")

    def __init__(self) -> None:
        self._answers: weakref.WeakKeyDictionary[CourseService, KeptAnswers] = weakref.WeakKeyDictionary()

    def _readings_messages(self, service: CourseService, command: str, date: str | None) -> Messages:
        """/readings and /next, made once for every student asking while the answer holds (bot/core/expiry.py)."""
        kept = self._answers.setdefault(service, KeptAnswers())
        course, now = service.course, service.clock()
        if command == "next":
            return kept.get(course, (command, None), now,
                            lambda: embeds.readings_messages(queries.next_class(course, now)))
        return kept.get(course, (command, date), now,
                        lambda: embeds.readings_messages(queries.readings(course, date, now)))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        """With global commands /critique stays registered; in a course without critiques it says so."""
        command = interaction.command.qualified_name if interaction.command else ""
        service = course_of(interaction)
        if command.startswith("critique") and not service.course.has_critiques:
            raise app_commands.CheckFailure(words.NO_CRITIQUES)
        return True

    @app_commands.command(name="readings", description=_describe("readings"))
    @app_commands.describe(date=_option("readings", "date"))
    async def readings(self, interaction: discord.Interaction, date: str | None = None) -> None:
        await send_messages(interaction, self._readings_messages(course_of(interaction), "readings", date))

    @readings.autocomplete("date")
    async def date_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        service = course_of(interaction)
        pairs = queries.class_choices(service.course, current, service.clock())
        return [app_commands.Choice(name=label, value=value) for label, value in pairs]

    @app_commands.command(name="next", description=_describe("next"))
    async def next_class(self, interaction: discord.Interaction) -> None:
        await send_messages(interaction, self._readings_messages(course_of(interaction), "next", None))

    @app_commands.command(name="schedule", description=_describe("schedule"))
    @app_commands.describe(week=_option("schedule", "week"))
    async def schedule(self, interaction: discord.Interaction, week: str | None = None) -> None:
        service = course_of(interaction)
        await send_doc(interaction, embeds.schedule(queries.schedule(service.course, week, service.clock())))

    @app_commands.command(name="officehours", description=_describe("officehours"))
    async def officehours(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        await send_doc(interaction, embeds.office_hours(queries.office_hours(service.course, service.clock())))

    @app_commands.command(name="deadlines", description=_describe("deadlines"))
    async def deadlines(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        now = service.clock()
        answer = queries.deadlines(service.course, now)
        count = None
        if service.course.has_critiques:
            status = await critiques.critique_status(service.store, service.course, interaction.user.id, now)
            count = status.count_line()
        await send_doc(interaction, embeds.deadlines(answer, count), ephemeral=True)

    @app_commands.command(name="search", description=_describe("search"))
    @app_commands.describe(query=_option("search", "query"))
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]) -> None:
        service = course_of(interaction)
        await send_doc(interaction, embeds.search(search(service.course, query, now=service.clock())))

    @critique.command(name="rules", description=_describe("critique rules"))
    async def critique_rules(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        await send_doc(interaction, embeds.critique_rules(service.course))

    @critique.command(name="log", description=_describe("critique log"))
    @app_commands.describe(date=_option("critique log", "date"))
    async def critique_log(self, interaction: discord.Interaction, date: app_commands.Range[str, 1, 100]) -> None:
        service = course_of(interaction)
        await acknowledge(interaction)
        user = interaction.user.id
        message = await critiques.log_critique(service.store, service.course, user, date, service.clock())
        await send_doc(interaction, embeds.Doc("Critique tracker", [embeds.safe(message)]), ephemeral=True)

    @critique_log.autocomplete("date")
    async def critique_date_choices(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        service = course_of(interaction)
        pairs = queries.class_choices(service.course, current, service.clock(), with_papers_only=True)
        return [app_commands.Choice(name=label, value=value) for label, value in pairs]

    @critique.command(name="status", description=_describe("critique status"))
    async def critique_status(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        state = await critiques.critique_status(service.store, service.course, interaction.user.id, service.clock())
        await send_doc(interaction, embeds.tracker(state), ephemeral=True)

    @critique.command(name="remove", description=_describe("critique remove"))
    @app_commands.describe(date=_option("critique remove", "date"))
    async def critique_remove(self, interaction: discord.Interaction, date: app_commands.Range[str, 1, 100]) -> None:
        service = course_of(interaction)
        await acknowledge(interaction)
        user = interaction.user.id
        message = await critiques.remove_critique(service.store, service.course, user, date, service.clock())
        await send_doc(interaction, embeds.Doc("Critique tracker", [embeds.safe(message)]), ephemeral=True)

    @app_commands.command(name="help", description=_describe("help"))
    async def help(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        await send_doc(interaction, embeds.help_doc(service.course), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Loaded by name (`bot.load_extension("bot.cogs.students")`)."""
    await bot.add_cog(Students())
