"""/remind on|off|status: opt-in direct-message reminders, and the one-time notice when DMs are closed."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import COURSE, NO_MENTIONS, acknowledge, course_of, send_doc
from bot.commands import COMMANDS_BY_NAME
from bot.core.remind_kinds import DM_KINDS, dm_kinds, kind_choices, kind_label, parse_kinds
from bot.render import embeds
from bot.service import CourseService

DMS_CLOSED_NOTICE = (
    "I tried to send you a reminder by direct message, but Discord refused: your DMs are closed to members of "
    "this server. I have paused your DM reminders. To get them, allow direct messages (server menu → Privacy "
    "Settings → Direct Messages), then run /remind on again."
)


def _describe(name: str) -> str:
    return COMMANDS_BY_NAME[name].description


class Reminders(commands.Cog):
    """Direct-message reminder subscriptions."""

    remind = app_commands.Group(name="remind", description="Reminders by direct message (opt-in)")

    @remind.command(name="on", description=_describe("remind on"))
    @app_commands.describe(kinds=COMMANDS_BY_NAME["remind on"].options[0].description)  # generic: any course
    async def on(self, interaction: discord.Interaction, kinds: app_commands.Range[str, 1, 100] | None = None) -> None:
        service = course_of(interaction)
        chosen = parse_kinds(service.course, kinds)
        everything = set(chosen) == set(dm_kinds(service.course))
        await acknowledge(interaction)
        # "All" is stored as every kind there is, so a deadline or exam the instructor adds later is included.
        stored = tuple(DM_KINDS) if everything else chosen
        await service.store.subscribe(interaction.user.id, stored, service.clock())
        await service.reminders.replan(service.course)
        names = ", ".join(kind_label(service.course, k) for k in chosen)
        lines = [f"You will get direct messages for: {names}.",
                 "Make sure you allow direct messages from members of this server. /remind off to stop."]
        await send_doc(interaction, embeds.Doc("DM reminders on", lines), ephemeral=True)

    @remind.command(name="off", description=_describe("remind off"))
    async def off(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        await acknowledge(interaction)
        removed = await service.store.unsubscribe(interaction.user.id)
        if removed:
            await service.reminders.replan(service.course)
        text = "DM reminders are off." if removed else "You were not getting DM reminders; nothing to stop."
        await send_doc(interaction, embeds.Doc("DM reminders off", [text]), ephemeral=True)

    @remind.command(name="status", description=_describe("remind status"))
    async def status(self, interaction: discord.Interaction) -> None:
        service = course_of(interaction)
        subscription = await service.store.subscription(interaction.user.id)
        kinds = f"Kinds of reminder in this course: {kind_choices(service.course)} (/remind on kinds:… to choose)."
        if subscription is None:
            lines = ["You do not get DM reminders. /remind on to start (the reminder channel has them all).", kinds]
        elif subscription.dm_closed:
            lines = ["Your DM reminders are paused: Discord refused my last direct message to you.",
                     "Allow direct messages from this server, then /remind on."]
        else:
            names = ", ".join(kind_label(service.course, k) for k in subscription.kinds)
            lines = [f"You get direct messages for: {names}.", kinds]
        await send_doc(interaction, embeds.Doc("DM reminders", lines), ephemeral=True)

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction, command: object) -> None:
        """Tell a student once, after whatever they just did, that their DMs are closed."""
        service = interaction.extras.get(COURSE)
        if not isinstance(service, CourseService) or service.client.is_closed():
            return
        if interaction.user.id in service.reminders.subscribers and await service.store.take_notice(
                interaction.user.id):
            await interaction.followup.send(DMS_CLOSED_NOTICE, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: commands.Bot) -> None:
    """Loaded by name (`bot.load_extension("bot.cogs.reminders")`)."""
    await bot.add_cog(Reminders())
