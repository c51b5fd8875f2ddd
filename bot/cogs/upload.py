"""/course upload and /course download: a whole course file in and out, previewed before anything is stored.

An upload is read (≤ 1 MB of UTF-8), validated in a worker thread (a hostile file cannot stall the bot), and
previewed with Confirm and Cancel for the uploader only. Only the newest preview can be confirmed, and only while
the course is still the one it was made against. Confirm stores it, re-plans, then announces with a nonce made
from the upload's id; the announcement is marked once posted, so a crash in between is announced at the next
start, once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
from typing import TYPE_CHECKING

import discord

from bot.cogs.common import NO_MENTIONS
from bot.core.changes import ChangeError
from bot.core.course_yaml import course_to_yaml
from bot.core.loader import ScheduleError
from bot.core.planner import nonce_for
from bot.core.upload import Preview, check_size, dropped_lines, preview, read_upload
from bot.render import embeds
from bot.service import CourseService
from bot.store import StoredUpload

if TYPE_CHECKING:
    from bot.core.model import Course

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 600.0  # seconds; the interaction's token (for editing the preview) lasts 15 minutes
PREVIEW_LINES = 40
HISTORY_LOOKBACK = 50  # messages of the announcement channel looked at after a restart
CONFIRM, CANCEL = "upload:confirm", "upload:cancel"  # fixed, so that a click after a restart is still answered
FROM_FILE = ("Once confirmed, the course lives in the bot's database and schedule.yaml is no longer read: to change "
             "it later, /course download, edit, and /course upload again.")


class Uploads:
    """The pending preview (the newest wins) and the steps of an upload."""

    def __init__(self, service: CourseService) -> None:
        self.service = service
        self.newest: UploadView | None = None

    async def start(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Read, validate and preview the attachment; the answer is ephemeral and nothing is stored yet."""
        state = self.service.state
        assert state is not None
        check_size(file.filename, file.size)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise ChangeError(f"I could not download {file.filename} from Discord ({exc.status}); please upload it "
                              "again. Nothing was changed.") from None
        text = read_upload(file.filename, data)
        current = state.course  # None in a server whose first course this is
        try:
            prev = await asyncio.to_thread(preview, file.filename, text, current, list(state.log), self.service.clock())
        except ScheduleError as exc:
            lines = [f"{file.filename} has problems, so nothing was changed. Fix them and upload it again:"]
            lines += [str(p) for p in exc.problems]
            await send_lines(interaction, "Upload refused", lines)
            return
        if state.upload is None and current is not None:
            prev = dataclasses.replace(prev, warnings=(*prev.warnings, FROM_FILE))
        view = UploadView(self, prev, current, interaction)
        if self.newest is not None:
            self.newest.superseded = True
        self.newest = view
        log.info("upload previewed file=%s user=%s differences=%d", file.filename, interaction.user.id,
                 len(prev.differences))
        message = await interaction.followup.send(embeds=preview_embeds(prev), view=view, ephemeral=True,
                                                  allowed_mentions=NO_MENTIONS, wait=True)
        view.message = message

    async def confirm(self, view: UploadView, interaction: discord.Interaction) -> list[str]:
        """Store the previewed course, announce it, and return what to tell the instructor."""
        if view.superseded:
            raise ChangeError("A newer upload is waiting to be confirmed, so this one was dropped. Nothing was stored.")
        state = self.service.state
        assert state is not None
        stored = await state.replace(view.preview, view.expected, interaction.user.id, interaction.user.display_name)
        self.newest = None
        note = await self.announce(stored.upload)
        lines = [f"Stored as upload #{stored.upload.id}: {view.preview.filename} is now the course.", note]
        lines += dropped_lines(stored.outcome.conflicts)
        lines.append(f"Reminders re-planned: {self.service.reminders.pending_count()} still to post.")
        return lines

    async def announce(self, upload: StoredUpload, *, after_restart: bool = False) -> str:
        """Post the upload's summary once (nonce from its id), then mark it announced.

        After a restart the post may have gone out before the crash, longer ago than Discord remembers a nonce:
        a page already in the channel's recent history is not posted again.
        """
        assert self.service.store is not None and upload.id is not None
        channel_id = self.service.settings.announce_channel_id
        if channel_id is None:
            await self.service.store.mark_announced(upload.id)
            return "Not announced: no announcement channel is set (/setup announce_channel)."
        doc = embeds.Doc("Course updated", [embeds.safe(line) for line in upload.summary],
                         footer=f"— {upload.author or 'the instructor'}")
        channel = self.service.client.get_partial_messageable(channel_id)
        posted = await self._recent_posts(channel) if after_restart else set()
        try:
            for i, message in enumerate(embeds.pack(doc)):
                if (message[0].title, message[0].description) in posted:
                    continue
                await channel.send(embeds=message, nonce=nonce_for(f"upload:{upload.id}:{i}"),
                                   allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.error("upload announcement failed upload=%s channel=%s status=%s", upload.id, channel_id, exc.status)
            return f"The announcement could not be posted in <#{channel_id}> (Discord said {exc.status})."
        await self.service.store.mark_announced(upload.id)
        log.info("upload announced upload=%s channel=%s", upload.id, channel_id)
        return f"Announced in <#{channel_id}>."

    async def announce_missed(self) -> None:
        """At start-up: announce the uploads a crash left stored but not announced."""
        assert self.service.store is not None
        for upload in await self.service.store.unannounced_uploads():
            log.warning("announcing an upload stored before a restart upload=%s", upload.id)
            await self.announce(upload, after_restart=True)

    async def _recent_posts(self, channel: discord.PartialMessageable) -> set[tuple[str | None, str | None]]:
        """(title, description) of the bot's embeds among the channel's last messages; empty if it cannot read."""
        found: set[tuple[str | None, str | None]] = set()
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                me = self.service.client.user
                if me is not None and message.author.id == me.id and message.embeds:
                    found.add((message.embeds[0].title, message.embeds[0].description))
        except discord.HTTPException as exc:
            log.info("cannot read the announcement channel's history status=%s: relying on the nonce", exc.status)
        return found

    async def download(self, interaction: discord.Interaction) -> None:
        """The course as it stands (the file plus the stored changes), as a schedule.yaml attachment."""
        course = self.service.course
        text = await asyncio.to_thread(course_to_yaml, course)
        name = "schedule.yaml"
        await interaction.followup.send(
            f"The course as it stands ({course.title}, {course.term}): edit it and send it back with "
            "/course upload.", file=discord.File(io.BytesIO(text.encode()), filename=name), ephemeral=True,
            allowed_mentions=NO_MENTIONS)


def preview_embeds(prev: Preview) -> list[discord.Embed]:
    """The preview: warnings first, then what students would see change, then the changes not kept."""
    lines = [f"⚠ {w}" for w in prev.warnings]
    changes = list(prev.differences) or ["Nothing changes for students."]
    if len(changes) > PREVIEW_LINES:
        changes = [*changes[:PREVIEW_LINES], f"… and {len(prev.differences) - PREVIEW_LINES} more."]
    lines += ["What changes:", *changes]
    lines += dropped_lines(prev.dropped)
    lines.append("Confirm to store it, announce it and re-plan the reminders; Cancel changes nothing.")
    doc = embeds.Doc(f"Preview of {prev.filename}", [embeds.safe(x) for x in lines])
    return embeds.pack(doc)[0]


async def send_lines(interaction: discord.Interaction, title: str, lines: list[str]) -> None:
    doc = embeds.Doc(title, [embeds.safe(x) for x in lines])
    for message in embeds.pack(doc):
        await interaction.followup.send(embeds=message, ephemeral=True, allowed_mentions=NO_MENTIONS)


class UploadView(discord.ui.View):
    """Confirm and Cancel under a preview, for the instructor who uploaded the file."""

    def __init__(self, uploads: Uploads, prev: Preview, expected: Course | None,
                 origin: discord.Interaction) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT)
        self.uploads = uploads
        self.preview = prev
        self.expected = expected
        self.owner_id = origin.user.id
        self.origin = origin
        self.message: discord.WebhookMessage | None = None
        self.superseded = False
        self.answered = False

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        """The uploader, in the server of the course it was uploaded to (a click is bound to the preview's
        message, which only its server has)."""
        if interaction.user.id != self.owner_id or interaction.guild_id != self.uploads.service.guild_id:
            await interaction.response.send_message("Only the instructor who uploaded this file can confirm or cancel "
                                                    "it.", ephemeral=True, allowed_mentions=NO_MENTIONS)
            return False
        return True

    async def _finish(self, interaction: discord.Interaction, title: str, lines: list[str]) -> None:
        self.stop()
        doc = embeds.Doc(title, [embeds.safe(x) for x in lines])
        await interaction.edit_original_response(embeds=embeds.pack(doc)[0], view=None)

    async def _first_answer(self, interaction: discord.Interaction) -> bool:
        """Only the first click counts: a second one (a double click) is told so and changes nothing."""
        if self.answered:
            await interaction.response.send_message("This preview is already being answered.", ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return False
        self.answered = True
        await interaction.response.defer()
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success, custom_id=CONFIRM)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        if not await self._first_answer(interaction):
            return
        try:
            lines = await self.uploads.confirm(self, interaction)
        except ChangeError as exc:
            await self._finish(interaction, "Upload not stored", [str(exc)])
            return
        await self._finish(interaction, "Upload stored", lines)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id=CANCEL)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        if not await self._first_answer(interaction):
            return
        if self.uploads.newest is self:
            self.uploads.newest = None
        await self._finish(interaction, "Upload cancelled", ["Nothing was changed."])

    async def on_timeout(self) -> None:
        if self.uploads.newest is self:
            self.uploads.newest = None
        if self.message is None:
            return
        doc = embeds.Doc("Upload timed out", [f"No answer in {PREVIEW_TIMEOUT / 60:.0f} minutes: nothing was changed. "
                                              "Upload the file again when you are ready."])
        try:
            await self.message.edit(embeds=embeds.pack(doc)[0], view=None)
        except discord.HTTPException as exc:
            log.info("could not mark a timed-out upload preview status=%s", exc.status)


class ExpiredPreview(discord.ui.View):
    """Answers a click on a preview this process does not hold (the bot restarted since): it is closed, nothing
    changes. A live preview's own view is bound to its message and answers first."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    async def _expired(self, interaction: discord.Interaction) -> None:
        doc = embeds.Doc("Upload preview closed", ["This preview is no longer open (the bot restarted, or it was "
                                                   "answered or timed out). Nothing was changed: upload the file "
                                                   "again to see a fresh preview."])
        await interaction.response.edit_message(embeds=embeds.pack(doc)[0], view=None)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success, custom_id=CONFIRM)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._expired(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id=CANCEL)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._expired(interaction)
