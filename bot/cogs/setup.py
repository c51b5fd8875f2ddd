"""/setup: the server's settings from inside Discord (Manage Server only), each shown with where it comes from."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import acknowledge, course_of, send_doc
from bot.core.changes import ChangeError
from bot.render import embeds
from bot.server_config import Shown
from bot.service import CourseService

log = logging.getLogger(__name__)

# What the bot needs in a channel it posts in: reminders are text, announcements and answers are embeds.
CHANNEL_NEEDS = (("view_channel", "View Channel"), ("send_messages", "Send Messages"), ("embed_links", "Embed Links"))
LABELS = {"reminder_channel_id": "Reminder channel", "announce_channel_id": "Announcement channel",
          "instructor_role_id": "Instructor role", "student_role_id": "Students' role",
          "calendar_feed": "Calendar feed", "scheduled_events": "Discord events"}
SWITCH_WORDS_KEYS = ("calendar_feed", "scheduled_events")
SWITCH_WORDS = {True: "on", False: "off", None: "on when I have the Create Events permission"}
WHEN_UNSET = {
    "reminder_channel_id": "reminders go only to students who turned them on with /remind",
    "announce_channel_id": "course changes are not announced and /announce has nowhere to post",
    "instructor_role_id": "members with Manage Server may change the course",
    "student_role_id": "/announce can ping everyone but not a students' role",
}


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """The permissions the bot lacks to post reminders and announcements in `channel`, by their Discord names."""
    granted = channel.permissions_for(me)
    return [label for flag, label in CHANNEL_NEEDS if not getattr(granted, flag)]


def role_problem(key: str, role: discord.Role) -> str | None:
    """Why this role cannot serve as the instructors' or students' role, or None."""
    if role.is_default():
        if key == "instructor_role_id":
            return "@everyone cannot be the instructor role: every member could change the course."
        return "@everyone is not a students' role: to ping everyone, use /announce with ping: everyone."
    if role.managed:
        return (f"The role {role.name} belongs to a bot or an integration, so no member can be given it: "
                "pick a role you created.")
    return None


class Setup(commands.Cog):
    """/setup [reminder_channel] [announce_channel] [instructor_role] [student_role]."""

    @app_commands.command(name="setup", description="This server's settings for the course bot (Manage Server)")
    @app_commands.describe(reminder_channel="Where reminders are posted",
                           announce_channel="Where course changes and announcements are posted",
                           instructor_role="Members with this role may change the course",
                           student_role="The role an announcement may ping",
                           calendar_feed="The live calendar students subscribe to (on or off)",
                           scheduled_events="The coming classes, exams and office hours as Discord events")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def setup(self, interaction: discord.Interaction,
                    reminder_channel: discord.TextChannel | None = None,
                    announce_channel: discord.TextChannel | None = None,
                    instructor_role: discord.Role | None = None,
                    student_role: discord.Role | None = None,
                    calendar_feed: bool | None = None,
                    scheduled_events: bool | None = None) -> None:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            raise app_commands.CheckFailure("Only members with Manage Server can use /setup. Nothing was changed.")
        service = course_of(interaction)
        chosen = {key: value for key, value in (("reminder_channel_id", reminder_channel),
                                                 ("announce_channel_id", announce_channel),
                                                 ("instructor_role_id", instructor_role),
                                                 ("student_role_id", student_role),
                                                 ("calendar_feed", calendar_feed),
                                                 ("scheduled_events", scheduled_events)) if value is not None}
        problems = [p for key, value in chosen.items()
                    if isinstance(value, discord.Role) and (p := role_problem(key, value))]
        if problems:
            raise ChangeError("\n".join([*problems, "Nothing was stored."]))
        await acknowledge(interaction)
        values = {k: v if isinstance(v, bool) else v.id for k, v in chosen.items()}
        lines = await self._store(service, interaction, values) if chosen else []
        lines += self._overview(service, interaction.guild)
        await send_doc(interaction, embeds.Doc("Course bot settings", lines), ephemeral=True)

    async def _store(self, service: CourseService, interaction: discord.Interaction,
                     values: dict[str, int | bool]) -> list[str]:
        """Store what /setup may change, put it into effect, and say what was and was not stored."""
        before = service.settings
        after, refused = await service.config.store(service.store, values, interaction.user.id, service.clock())
        lines = [f"{LABELS[row.key]} was not changed: it is set in {row.source}, which wins over /setup. "
                 "Change or remove it there." for row in refused]
        saved = [LABELS[k] for k in values if k not in {row.key for row in refused}]
        if saved:
            lines.append("Saved: " + ", ".join(saved) + ". It takes effect now.")
            log.info("server settings stored guild=%s user=%s keys=%s", interaction.guild_id, interaction.user.id,
                     ",".join(k for k in values if k not in {row.key for row in refused}))
        if after.reminder_channel_id != before.reminder_channel_id:
            service.reminders.post_in(after.reminder_channel_id)
            if service.has_course:
                await service.state.replan()
                lines.append(f"Reminders re-planned for <#{after.reminder_channel_id}>: "
                             f"{service.reminders.pending_count()} still to post.")
        if after.scheduled_events != before.scheduled_events and service.has_course:
            await service.sync_events_soon()  # quick; the overview below then says how it went
            report = service.events.last
            if after.scheduled_events is False and report is not None and report.cancelled:
                lines.append(f"The {report.cancelled} coming Discord events I had made were cancelled.")
        return lines

    def _overview(self, service: CourseService, guild: discord.Guild | None) -> list[str]:
        """Each setting, where it comes from, and what the bot cannot do in the chosen channels."""
        lines = []
        for row in service.config.shown():
            lines.append(self._line(row))
            if row.value is not None and row.key.endswith("channel_id"):
                warning = self._channel_warning(guild, row.value)
                if warning:
                    lines.append(warning)
        if service.has_course:
            if status := service.events.status():
                lines.append(status)
            course = service.course
            lines.append(f"Course: {embeds.safe(course.title)} ({embeds.safe(course.term)}).")
        else:
            lines.append("Course: none yet. Upload one with /course upload (a schedule.yaml; `python -m bot import` "
                         "drafts one from a syllabus page).")
        unset = [row.option for row in service.config.shown() if row.value is None and row.source == "not set"]
        if unset:
            lines.append(f"Set a value with /setup and its option, e.g. /setup {unset[0]}: …")
        return lines

    @staticmethod
    def _line(row: Shown) -> str:
        label = LABELS[row.key]
        if row.key in SWITCH_WORDS_KEYS:
            where = {"set here": "set here with /setup", "default": "the default"}.get(
                row.source, f"from {row.source} (wins over /setup)")
            return f"{label}: {SWITCH_WORDS[row.value if isinstance(row.value, bool) else None]} — {where}."
        if row.value is None:
            return f"{label}: not set — {WHEN_UNSET[row.key]}."
        shown = f"<#{row.value}>" if row.key.endswith("channel_id") else f"<@&{row.value}>"
        where = "set here with /setup" if row.source == "set here" else f"from {row.source} (wins over /setup)"
        return f"{label}: {shown} — {where}."

    @staticmethod
    def _channel_warning(guild: discord.Guild | None, channel_id: int) -> str | None:
        channel = guild.get_channel(channel_id) if guild is not None else None
        me = guild.me if guild is not None else None
        if channel is None or me is None:
            return f"⚠ I cannot see <#{channel_id}> in this server: check that it exists and that I may view it."
        missing = missing_permissions(channel, me)
        if not missing:
            return None
        return (f"⚠ In <#{channel_id}> I am missing: {', '.join(missing)}. Nothing can be posted there until my "
                "role has them (Edit Channel → Permissions).")


async def setup(bot: commands.Bot) -> None:
    """Loaded by name (`bot.load_extension("bot.cogs.setup")`)."""
    await bot.add_cog(Setup())
