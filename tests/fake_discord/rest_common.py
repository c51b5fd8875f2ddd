"""Shared pieces of the REST routes: Discord's error replies, body helpers, PATCH-message semantics.

Errors use Discord's JSON error bodies and codes (10003 Unknown Channel, 50007 Cannot send messages
to this user, 50035 Invalid Form Body, 40060 already acknowledged, ...) so the bot's error handling
is exercised against what Discord really says.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import models
from .guild import Guild
from .validation import FormErrors, is_empty_message, validate_message

if TYPE_CHECKING:
    from .records import RecordedRequest
    from .server import FakeDiscord

Reply = tuple[int, Any]


def error(status: int, code: int, message: str) -> Reply:
    return status, {"message": message, "code": code}


UNKNOWN_CHANNEL = error(404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = error(404, 10008, "Unknown Message")
UNKNOWN_USER = error(404, 10013, "Unknown User")
UNKNOWN_WEBHOOK = error(404, 10015, "Unknown Webhook")
UNKNOWN_GUILD = error(404, 10004, "Unknown Guild")
UNKNOWN_COMMAND = error(404, 10063, "Unknown application command")
UNKNOWN_INTERACTION = error(404, 10062, "Unknown interaction")
ALREADY_ACKNOWLEDGED = error(400, 40060, "Interaction has already been acknowledged.")
EMPTY_MESSAGE = error(400, 50006, "Cannot send an empty message")
DM_CLOSED = error(403, 50007, "Cannot send messages to this user")
MISSING_ACCESS = error(403, 50001, "Missing Access")
INVALID_WEBHOOK_TOKEN = error(401, 50027, "Invalid Webhook Token")
TOO_LARGE = error(413, 40005, "Request entity too large")
NOT_AUTHOR = error(403, 50005, "Cannot edit a message authored by another user")
RESTRICTED = {50001: MISSING_ACCESS, 50013: error(403, 50013, "Missing Permissions")}


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def body_of(req: RecordedRequest) -> dict[str, Any]:
    """The JSON object body (payload_json for multipart); anything else counts as an empty object."""
    return req.json if isinstance(req.json, dict) else {}


def _int(value: Any) -> int:
    """Snowflakes in paths/bodies; garbage becomes -1 so lookups simply miss (Discord 404s them)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def refuse_new_message(req: RecordedRequest, body: dict[str, Any]) -> Reply | None:
    """Discord's answer to a new message it would not create (invalid form, empty, too large), else None."""
    errors = FormErrors()
    validate_message(body, errors)
    if errors:
        return 400, errors.body()
    if is_empty_message(body, len(req.files)):
        return EMPTY_MESSAGE
    if sum(len(f.data) for f in req.files) > models.ATTACHMENT_SIZE_LIMIT:
        return TOO_LARGE
    return None


class RestBase:
    """State shared by the route classes, and message editing used by channel and webhook routes."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def _guild(self, p: dict[str, str]) -> Guild | Reply:
        """The guild of a /guilds/{guild_id} route, or Discord's error: 404 Unknown Guild for an id it does not
        know, 403 Missing Access for a guild the bot is not (or no longer) in."""
        guild = self.world.guilds.get(_int(p["guild_id"]))
        if guild is None:
            return UNKNOWN_GUILD
        return guild if guild.has_bot else MISSING_ACCESS

    async def _edit_reply(self, message: dict[str, Any], req: RecordedRequest) -> Reply:
        body = body_of(req)
        errors = FormErrors()
        validate_message(body, errors)
        if errors:
            return 400, errors.body()
        trial = copy.deepcopy(message)
        self._apply_edit(trial, body, req, dry_run=True)
        if is_empty_message(trial, 0):
            return EMPTY_MESSAGE
        self._apply_edit(message, body, req)
        await self.fake.gateway.emit_message("MESSAGE_UPDATE", message)
        return 200, copy.deepcopy(message)

    def _apply_edit(
        self, message: dict[str, Any], body: dict[str, Any], req: RecordedRequest, *, dry_run: bool = False
    ) -> None:
        """PATCH semantics: given keys replace, `attachments` lists the ones to keep plus new uploads."""
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = [{**e, "type": e.get("type", "rich")} for e in body["embeds"] or []]
        if "components" in body:
            message["components"] = list(body["components"] or [])
        uploads = [f.as_upload() for f in req.files]
        new = [{"id": "new", "filename": name} for name, _, _ in uploads] if dry_run else []
        if uploads and not dry_run:
            new = self.world.store_files(int(message["channel_id"]), uploads, self.fake.base_url)
        if "attachments" in body:
            keep = {str(a.get("id")) for a in body["attachments"] or [] if isinstance(a, dict)}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in keep] + new
        else:
            message["attachments"] = message["attachments"] + new
        flags = int(message.get("flags") or 0)
        if body.get("flags") is not None:
            flags = (flags & ~4) | (int(body["flags"]) & 4)  # only SUPPRESS_EMBEDS is editable
        if flags & models.MESSAGE_FLAG_LOADING:
            flags &= ~models.MESSAGE_FLAG_LOADING  # the deferred "thinking" message gets its content
        else:
            message["edited_timestamp"] = models.iso_now()
        message["flags"] = flags
