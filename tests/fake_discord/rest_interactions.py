"""REST routes for interactions: the initial callback and the interaction webhook (follow-ups, @original).

Discord's rules are enforced: one initial response per interaction within `interaction_deadline`
seconds (else 10062 Unknown interaction), callback types valid for the interaction type, follow-ups
only after the initial response, tokens valid for 15 minutes.
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from . import models
from .interactions import ALLOWED_CALLBACKS, APPLICATION_COMMAND, INTERACTION_TTL, InteractionRecord
from .rest_common import (
    ALREADY_ACKNOWLEDGED,
    EMPTY_MESSAGE,
    INVALID_WEBHOOK_TOKEN,
    TOO_LARGE,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    Reply,
    RestBase,
    _int,
    _truthy,
    body_of,
    refuse_new_message,
)
from .validation import FormErrors, is_empty_message, validate_choices, validate_message, validate_modal

if TYPE_CHECKING:
    from .records import RecordedRequest


class InteractionRoutes(RestBase):
    """POST /interactions/{id}/{token}/callback and /webhooks/{application_id}/{token}[/messages/{id}]."""

    async def interaction_callback(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        record = self.fake.interactions.get(_int(p["interaction_id"]))
        if record is None or record.token != p["token"] or record.expired:
            return UNKNOWN_INTERACTION
        deadline = self.fake.interaction_deadline
        if record.response_type is None and deadline is not None and req.time - record.created > deadline:
            return UNKNOWN_INTERACTION
        if record.responded:
            return ALREADY_ACKNOWLEDGED
        body = body_of(req)
        cb_type = body.get("type")
        errors = FormErrors()
        if cb_type not in (1, 4, 5, 6, 7, 8, 9, 10, 12):
            errors.add(["type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.")
            return 400, errors.body()
        if cb_type not in ALLOWED_CALLBACKS.get(record.type, frozenset()):
            errors.add(["type"], "INTERACTION_CALLBACK_TYPE_INVALID", "Invalid response type for this interaction.")
            return 400, errors.body()
        raw_data = body.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        if cb_type in (4, 7):
            validate_message(data, errors, ("data",))
        elif cb_type == 8:
            validate_choices(data.get("choices"), errors, ("data", "choices"))
        elif cb_type == 9:
            validate_modal(body.get("data"), errors, ("data",))
        if errors:
            return 400, errors.body()
        if cb_type == 4 and is_empty_message(data, len(req.files)):
            return EMPTY_MESSAGE
        if sum(len(f.data) for f in req.files) > models.ATTACHMENT_SIZE_LIMIT:
            return TOO_LARGE

        ephemeral = bool(int(data.get("flags") or 0) & models.MESSAGE_FLAG_EPHEMERAL)
        response: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_loading": cb_type == 5,
                "response_message_ephemeral": ephemeral,
                "channel_id": str(record.channel_id),
            }
        }
        if record.guild_id is not None:
            response["interaction"]["guild_id"] = str(record.guild_id)
        if cb_type in (4, 5):
            flags = models.MESSAGE_FLAG_LOADING if cb_type == 5 else 0
            body_for_message = data if cb_type == 4 else {"flags": int(data.get("flags") or 0)}
            message = await self._interaction_message(record, req, body_for_message, flags)
            record.original_message_id = int(message["id"])
            response["interaction"]["response_message_id"] = message["id"]
            if cb_type == 4:
                response["resource"] = {"type": 4, "message": copy.deepcopy(message)}
        elif cb_type in (6, 7):
            target = record.payload.get("message")
            if target is None:
                return UNKNOWN_MESSAGE
            found = self.world.find_message(int(target["channel_id"]), int(target["id"]))
            if found is None:
                return UNKNOWN_MESSAGE
            message = found
            record.original_message_id = int(message["id"])
            response["interaction"]["response_message_id"] = message["id"]
            if cb_type == 7:
                self._apply_edit(message, data, req)
                await self.fake.gateway.emit_message("MESSAGE_UPDATE", message)
                response["resource"] = {"type": 7, "message": copy.deepcopy(message)}
        elif cb_type == 12:
            response["resource"] = {"type": 12, "activity_instance": {"id": str(self.world.snowflake())}}
        record.response_type = cb_type
        record.callback = req
        if _truthy(req.query.get("with_response")):
            return 200, response
        return 204, None

    async def _interaction_message(
        self, record: InteractionRecord, req: RecordedRequest, body: dict[str, Any], flags: int
    ) -> dict[str, Any]:
        world = self.world
        user = record.payload.get("member", {}).get("user") or record.payload.get("user")
        metadata: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "user": user,
            "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
        }
        cmd_type = record.command["type"] if record.command else 1
        if record.type == APPLICATION_COMMAND:
            message_type = 20 if cmd_type == 1 else 23
            metadata["name"] = record.payload["data"]["name"]
            metadata["command_type"] = cmd_type
        else:
            message_type = 19
        attachments = world.store_files(record.channel_id, [f.as_upload() for f in req.files], self.fake.base_url)
        extra = {
            "webhook_id": str(world.application_id),
            "application_id": str(world.application_id),
            "interaction_metadata": metadata,
        }
        message, _ = world.create_message(
            record.channel_id,
            body,
            attachments,
            author_id=world.bot_user_id,
            message_type=message_type,
            flags=flags,
            extra=extra,
        )
        await self.fake.gateway.emit_message("MESSAGE_CREATE", message)
        return message

    def _webhook_record(self, p: dict[str, str]) -> tuple[InteractionRecord | None, Reply | None]:
        if _int(p["app_id"]) != self.world.application_id:
            return None, UNKNOWN_WEBHOOK
        record = self.fake.interaction_by_token(p["token"])
        if record is None:
            return None, UNKNOWN_WEBHOOK
        if record.expired or time.monotonic() - record.created > INTERACTION_TTL:
            return None, INVALID_WEBHOOK_TOKEN
        return record, None

    def _webhook_message(self, p: dict[str, str]) -> tuple[dict[str, Any], None] | tuple[None, Reply]:
        """The message a webhook message route names (@original or a follow-up), or Discord's error for it."""
        record, err = self._webhook_record(p)
        if err or record is None:
            return None, err or UNKNOWN_WEBHOOK
        if p["message_id"] == "@original":
            wanted = record.original_message_id
        else:
            wanted = _int(p["message_id"])
            if wanted not in record.followup_ids and wanted != record.original_message_id:
                return None, UNKNOWN_MESSAGE
        message = self.world.find_message_anywhere(wanted) if wanted is not None else None
        return (message, None) if message else (None, UNKNOWN_MESSAGE)

    async def webhook_execute(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        record, err = self._webhook_record(p)
        if err or record is None:
            return err or UNKNOWN_WEBHOOK
        if not record.responded:
            return UNKNOWN_WEBHOOK
        body = body_of(req)
        if refused := refuse_new_message(req, body):
            return refused
        message = await self._interaction_message(record, req, body, 0)
        record.followup_ids.append(int(message["id"]))
        return (200, copy.deepcopy(message)) if _truthy(req.query.get("wait")) else (204, None)

    async def webhook_get_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        message, err = self._webhook_message(p)
        return err if message is None else (200, copy.deepcopy(message))

    async def webhook_edit_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        message, err = self._webhook_message(p)
        return err if message is None else await self._edit_reply(message, req)

    async def webhook_delete_message(self, req: RecordedRequest, p: dict[str, str]) -> Reply:
        message, err = self._webhook_message(p)
        if message is None:
            return err
        self.world.delete_message(message)
        await self.fake.gateway.emit_message("MESSAGE_DELETE", message)
        return 204, None
