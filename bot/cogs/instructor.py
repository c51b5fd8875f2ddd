"""The instructor's commands: /course … and /announce. Hidden from students, and checked again at run time."""

from __future__ import annotations

import datetime as dt
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import NO_COURSE_HERE, NO_MENTIONS, acknowledge, course_of, send_doc
from bot.cogs.upload import Uploads
from bot.commands import CLASS_HELP
from bot.core import queries
from bot.core.changes import (
    AddReading,
    Cancel,
    Change,
    ChangeError,
    DeadlineAdd,
    DeadlineMove,
    DeadlineRemove,
    Edit,
    Move,
    OfficeHoursNote,
    RemoveReading,
    Undo,
    deadline_choices,
    describe,
    describe_undo,
    parse_due,
    parse_time,
    reading_choices,
    resolve_day,
)
from bot.core.dates import short_date
from bot.core.loader import ScheduleError
from bot.core.model import DEADLINE_KINDS
from bot.course_state import Outcome
from bot.render import embeds
from bot.server_config import ServerConfig
from bot.service import CourseService
from bot.web import reset_message

log = logging.getLogger(__name__)

INSTRUCTOR_PERMISSIONS = discord.Permissions(manage_guild=True)
CHANGES_PER_PAGE = 10


def is_instructor(interaction: discord.Interaction, config: ServerConfig) -> bool:
    """A member of the course's server with the instructor role, or with Manage Server there (and only there: a
    course's instructors are its own server's)."""
    user = interaction.user
    if not isinstance(user, discord.Member) or interaction.guild_id is None:
        return False
    if interaction.guild_id != config.guild_id:
        return False
    role = config.effective.instructor_role_id
    if role is not None and any(r.id == role for r in user.roles):
        return True
    return interaction.permissions.manage_guild


class Instructor(commands.Cog):
    """/course cancel|move|add-reading|remove-reading|officehours|deadline …|upload|download|changes|undo|reload|
    calendar-reset, /announce."""

    course = app_commands.Group(name="course", description="Change the course plan (instructors only)",
                                default_permissions=INSTRUCTOR_PERMISSIONS, guild_only=True)
    deadline = app_commands.Group(name="deadline", description="Move, add or remove a deadline", parent=course)

    def __init__(self) -> None:
        self._uploads: dict[int | None, Uploads] = {}

    def uploads(self, service: CourseService) -> Uploads:
        """The course's pending upload preview (each server's own)."""
        return self._uploads.setdefault(service.guild_id, Uploads(service))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        service = course_of(interaction)
        command = interaction.command.qualified_name if interaction.command else ""
        if not service.has_course and command != "course upload":
            raise app_commands.CheckFailure(NO_COURSE_HERE)
        if not is_instructor(interaction, service.config):
            raise app_commands.CheckFailure("Only the instructor (or someone with Manage Server) can use this "
                                            "command in the course's server. Nothing was changed.")
        return True

    # --- helpers ---------------------------------------------------------------------------

    def _day(self, interaction: discord.Interaction, text: str) -> dt.date:
        service = course_of(interaction)
        return resolve_day(service.course, text, service.clock())

    async def _record(self, interaction: discord.Interaction, edit: Edit) -> None:
        """Store the change (it validates itself), then announce it and tell the instructor."""
        state = course_of(interaction).state
        change = Change(edit, author_id=interaction.user.id, author=interaction.user.display_name)
        outcome = await state.record(change)
        assert outcome.change is not None
        await self._done(interaction, outcome, describe(outcome.change, outcome.before))

    async def _announce(self, service: CourseService, title: str, lines: list[str], author: str) -> str:
        """Post to the announcement channel; returns a sentence for the instructor about what happened."""
        channel_id = service.settings.announce_channel_id
        if channel_id is None:
            return "Not announced: announce_channel_id is not set."
        doc = embeds.Doc(title, [embeds.safe(line) for line in lines], footer=f"— {author}")
        channel = service.client.get_partial_messageable(channel_id)
        try:
            for message in embeds.pack(doc):
                await channel.send(embeds=message, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.error("announcement failed channel=%s status=%s", channel_id, exc.status)
            return f"The announcement could not be posted in <#{channel_id}> (Discord said {exc.status})."
        return f"Announced in <#{channel_id}>."

    async def _done(self, interaction: discord.Interaction, outcome: Outcome, summary: str) -> None:
        """Announce a change, then tell the instructor what was stored, announced and re-planned."""
        service = course_of(interaction)
        note = await self._announce(service, "Course update", [summary], interaction.user.display_name)
        lines = [f"Saved as change #{outcome.change.id}: {summary}" if outcome.change else summary, note]
        lines += _conflict_lines(outcome)
        lines.append(f"Reminders re-planned: {service.reminders.pending_count()} still to post.")
        await send_doc(interaction, embeds.Doc("Done", [embeds.safe(x) for x in lines]), ephemeral=True)

    # --- the commands ----------------------------------------------------------------------

    @course.command(name="cancel", description="Cancel a class (its reminders are withdrawn)")
    @app_commands.describe(date=CLASS_HELP, reason="Why (shown to students)")
    async def cancel(self, interaction: discord.Interaction, date: str,
                     reason: app_commands.Range[str, 1, 300] | None = None) -> None:
        await acknowledge(interaction)
        await self._record(interaction, Cancel(self._day(interaction, date), reason))

    @course.command(name="move", description="Move a class to another day (its reminders move with it)")
    @app_commands.describe(date=CLASS_HELP, to="The new day: month/day, a month and day, or YYYY-MM-DD")
    async def move(self, interaction: discord.Interaction, date: str, to: str) -> None:
        await acknowledge(interaction)
        await self._record(interaction, Move(self._day(interaction, date), self._day(interaction, to)))

    @course.command(name="add-reading", description="Add a paper to a class")
    @app_commands.describe(date=CLASS_HELP, title="The paper's title", authors="e.g. Lastname et al.",
                           url="A link to the paper")
    async def add_reading(self, interaction: discord.Interaction, date: str,
                          title: app_commands.Range[str, 1, 300],
                          authors: app_commands.Range[str, 1, 200] | None = None,
                          url: app_commands.Range[str, 1, 500] | None = None) -> None:
        await acknowledge(interaction)
        await self._record(interaction, AddReading(self._day(interaction, date), title, authors, url))

    @course.command(name="remove-reading", description="Remove a reading from a class")
    @app_commands.describe(date=CLASS_HELP, title="The reading's title (autocomplete lists them)")
    async def remove_reading(self, interaction: discord.Interaction, date: str,
                             title: app_commands.Range[str, 1, 300]) -> None:
        await acknowledge(interaction)
        await self._record(interaction, RemoveReading(self._day(interaction, date), title))

    @course.command(name="officehours", description="Post a note about office hours (shown by /officehours)")
    @app_commands.describe(text="e.g. No office hours on Oct 9; Thursday 2-3pm instead (or: clear)")
    async def officehours(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 500]) -> None:
        await acknowledge(interaction)
        cleared = text.strip().lower() in ("clear", "none", "-")
        await self._record(interaction, OfficeHoursNote("" if cleared else text))

    @deadline.command(name="move", description="Give a deadline a new day or time (its reminders follow)")
    @app_commands.rename(ident="id")
    @app_commands.describe(ident="The deadline (autocomplete lists them)",
                           to="The new day: Sunday, tomorrow, a date (month/day)…",
                           time="The new time: 23:59, 11:59pm, 5pm (default: the time it has)")
    async def deadline_move(self, interaction: discord.Interaction, ident: app_commands.Range[str, 1, 100],
                            to: app_commands.Range[str, 1, 100],
                            time: app_commands.Range[str, 1, 20] | None = None) -> None:
        await acknowledge(interaction)
        service = course_of(interaction)
        day, typed = parse_due(service.course, to, service.clock())
        chosen = parse_time(time) if time is not None else None
        if typed is not None and chosen is not None and typed != chosen:
            raise ChangeError(f"“{to}” and time:{time} give two different times; give the time once. "
                              "Nothing was changed.")
        await self._record(interaction, DeadlineMove(ident.strip(), day, chosen or typed))

    @deadline.command(name="add", description="Add a deadline: homework, a quiz, a project milestone…")
    @app_commands.describe(title="What students hand in, e.g. Homework 4",
                           due="The day, then any time: Friday 11:59pm, month/day 23:59 (a day alone: the end of it)",
                           kind="homework, quiz, project or other (default: other)")
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in DEADLINE_KINDS])
    async def deadline_add(self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 200],
                           due: app_commands.Range[str, 1, 100], kind: app_commands.Choice[str] | None = None) -> None:
        await acknowledge(interaction)
        service = course_of(interaction)
        day, time = parse_due(service.course, due, service.clock())
        await self._record(interaction, DeadlineAdd(title, day, time, kind.value if kind else "other"))

    @deadline.command(name="remove", description="Remove a deadline (its reminders are withdrawn)")
    @app_commands.rename(ident="id")
    @app_commands.describe(ident="The deadline (autocomplete lists them)")
    async def deadline_remove(self, interaction: discord.Interaction,
                              ident: app_commands.Range[str, 1, 100]) -> None:
        await acknowledge(interaction)
        await self._record(interaction, DeadlineRemove(ident.strip()))

    @course.command(name="upload", description="Replace the course with a schedule.yaml file (previewed first)")
    @app_commands.describe(file="A schedule.yaml (at most 1 MB): /course download gives the current one")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        await acknowledge(interaction)
        await self.uploads(course_of(interaction)).start(interaction, file)

    @course.command(name="download", description="The course as it stands, as a schedule.yaml file")
    async def download(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        await self.uploads(course_of(interaction)).download(interaction)

    @course.command(name="calendar-reset", description="Give the calendar feed a new link (the old one stops working)")
    async def calendar_reset(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        await interaction.followup.send(await reset_message(course_of(interaction).feed), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @course.command(name="changes", description="The log of changes to the course, newest first")
    async def changes(self, interaction: discord.Interaction) -> None:
        pages = change_pages(course_of(interaction))
        view = ChangesView(pages, interaction) if len(pages) > 1 else discord.utils.MISSING
        await interaction.response.send_message(embeds=pages[0], ephemeral=True, view=view,
                                                allowed_mentions=NO_MENTIONS)

    @course.command(name="undo", description="Revert the newest change still in effect")
    async def undo(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        state = course_of(interaction).state
        outcome = await state.undo(interaction.user.id, interaction.user.display_name)
        assert outcome.undone is not None
        summary = describe_undo(outcome.undone, outcome.before, outcome.after)
        await self._done(interaction, outcome, summary)

    @course.command(name="reload", description="Re-read schedule.yaml and announce what changed")
    async def reload(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        service = course_of(interaction)
        try:
            outcome = await service.state.reload()
        except ScheduleError as exc:
            lines = ["schedule.yaml has problems, so it was not loaded; the running schedule stays:"]
            lines += [str(p) for p in exc.problems]
            await send_doc(interaction, embeds.Doc("Reload refused", [embeds.safe(x) for x in lines]), ephemeral=True)
            return
        if outcome.differences:
            note = await self._announce(service, "Schedule updated", list(outcome.differences),
                                        interaction.user.display_name)
            lines = ["schedule.yaml reloaded. Changes:", *outcome.differences, note]
        else:
            lines = ["schedule.yaml reloaded: nothing changed for students, so nothing was announced."]
        lines += _conflict_lines(outcome)
        await send_doc(interaction, embeds.Doc("Reloaded", [embeds.safe(x) for x in lines]), ephemeral=True)

    @app_commands.command(name="announce", description="Post an announcement to the announcement channel")
    @app_commands.describe(message="The announcement", ping="Who to notify (nobody unless you pick)")
    @app_commands.choices(ping=[app_commands.Choice(name="everyone", value="everyone"),
                                app_commands.Choice(name="students (the students' role)", value="students")])
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def announce(self, interaction: discord.Interaction, message: app_commands.Range[str, 1, 4000],
                       ping: app_commands.Choice[str] | None = None) -> None:
        service = course_of(interaction)
        channel_id = service.settings.announce_channel_id
        if channel_id is None:
            raise ChangeError("announce_channel_id is not set, so there is nowhere to post. Nothing was sent.")
        content, mentions = None, NO_MENTIONS
        if ping is not None and ping.value == "everyone":
            content, mentions = "@everyone", discord.AllowedMentions(everyone=True, users=False, roles=False)
        elif ping is not None:
            role = service.settings.student_role_id
            if role is None:
                raise ChangeError("student_role_id is not set, so I cannot ping the students' role. Nothing was sent.")
            content = f"<@&{role}>"
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(role)])
        doc = embeds.Doc("Announcement", [embeds.instructor_markdown(message)],
                         footer=f"— {interaction.user.display_name}")
        await acknowledge(interaction)
        channel = service.client.get_partial_messageable(channel_id)
        for i, page in enumerate(embeds.pack(doc)):
            await channel.send(content=content if i == 0 else None, embeds=page, allowed_mentions=mentions)
        log.info("announcement posted channel=%s author=%s ping=%s", channel_id, interaction.user.id,
                        ping.value if ping else None)
        await interaction.followup.send(f"Announced in <#{channel_id}>.", ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @move.autocomplete("date")
    @cancel.autocomplete("date")
    @add_reading.autocomplete("date")
    @remove_reading.autocomplete("date")
    async def date_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        service = course_of(interaction)
        if not is_instructor(interaction, service.config):  # discord.py skips cog checks for autocomplete
            return []
        pairs = queries.class_choices(service.course, current, service.clock())
        return [app_commands.Choice(name=label, value=value) for label, value in pairs]

    @deadline_move.autocomplete("ident")
    @deadline_remove.autocomplete("ident")
    async def deadline_ids(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """'hw3 · Homework 3 (primary-backup) · Fri Feb 14, 11:59pm': those still ahead first."""
        service = course_of(interaction)
        if not is_instructor(interaction, service.config):
            return []
        pairs = deadline_choices(service.course, current, service.clock())
        return [app_commands.Choice(name=label, value=value) for label, value in pairs]

    @remove_reading.autocomplete("title")
    async def title_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The readings of the class picked in `date`, filtered by what is typed."""
        service = course_of(interaction)
        if not is_instructor(interaction, service.config):
            return []
        date = getattr(interaction.namespace, "date", None) or ""
        titles = reading_choices(service.course, date, current, service.clock())
        return [app_commands.Choice(name=t[:100], value=t[:100]) for t in titles]


def _conflict_lines(outcome: Outcome) -> list[str]:
    return [f"Stored change #{c.id} ({c.kind}) no longer applies and is not in effect: {why}"
            for c, why in outcome.conflicts]


def change_pages(service: CourseService) -> list[list[discord.Embed]]:
    """The change log, newest first, as pages of embeds."""
    state = service.state
    undone = {c.undoes for c in state.log if c.undoes is not None}
    by_id = {c.id: c for c in state.log}
    lines = []
    for c in reversed(state.log):
        when = short_date(c.created_at.astimezone(service.course.timezone).date()) if c.created_at else "?"
        what = c.edit.summary()
        if isinstance(c.edit, Undo) and (target := by_id.get(c.edit.target)) is not None:
            what += f" ({target.edit.summary()})"
        elif c.id in undone:
            what += " — undone"
        lines.append(f"#{c.id} · {when} · {c.author or c.author_id}: {what}")
    if not lines:
        lines = [f"No changes yet: the course is as {state.source} describes it."]
    pages = []
    for start in range(0, len(lines), CHANGES_PER_PAGE):
        chunk = lines[start:start + CHANGES_PER_PAGE]
        page = start // CHANGES_PER_PAGE + 1
        total = (len(lines) - 1) // CHANGES_PER_PAGE + 1
        doc = embeds.Doc(f"Course changes (page {page} of {total})", [embeds.safe(x) for x in chunk])
        pages.append(embeds.pack(doc)[0])
    return pages


class ChangesView(discord.ui.View):
    """◀ ▶ through the pages of the change log, for the instructor who asked."""

    def __init__(self, pages: list[list[discord.Embed]], origin: discord.Interaction) -> None:
        super().__init__(timeout=600)
        self.pages = pages
        self.page = 0
        self.owner_id = origin.user.id
        self.guild_id = origin.guild_id
        self._sync_buttons()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        """The instructor who asked, in their course's server: a click from anywhere else turns no page."""
        if interaction.user.id != self.owner_id or interaction.guild_id != self.guild_id:
            await interaction.response.send_message("Only the instructor who asked for this change log can turn "
                                                    "its pages.", ephemeral=True, allowed_mentions=NO_MENTIONS)
            return False
        return True

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.following.disabled = self.page == len(self.pages) - 1

    async def _show(self, interaction: discord.Interaction, step: int) -> None:
        self.page = max(0, min(len(self.pages) - 1, self.page + step))
        self._sync_buttons()
        await interaction.response.edit_message(embeds=self.pages[self.page], view=self)

    @discord.ui.button(label="◀ Newer", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, -1)

    @discord.ui.button(label="Older ▶", style=discord.ButtonStyle.secondary)
    async def following(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, +1)


async def setup(bot: commands.Bot) -> None:
    """Loaded by name (`bot.load_extension("bot.cogs.instructor")`)."""
    await bot.add_cog(Instructor())
