"""Guild Scheduled Events in the fake's world: storage, Discord's validation rules and payloads.

https://discord.com/developers/docs/resources/guild-scheduled-event: name 1-100 characters,
description up to 1000, privacy_level 2 (GUILD_ONLY) only, entity_type 1 (STAGE_INSTANCE), 2 (VOICE)
or 3 (EXTERNAL). An EXTERNAL event needs `entity_metadata.location` (1-100) and a
`scheduled_end_time`, and has no channel; a STAGE/VOICE event needs a stage/voice channel. The start
must be in the future when it is set, the end after the start. Status moves SCHEDULED -> ACTIVE or
CANCELED, ACTIVE -> COMPLETED; a CANCELED or COMPLETED event cannot be updated any more (180000).
At most 100 SCHEDULED/ACTIVE events per guild (30038).

"Now" is `world.now` when a test sets it, else the wall clock (which time-machine may freeze).
A mixin of World (kept apart so world.py stays about the rest of the data).
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

from .validation import FormErrors

NAME_MAX = 100
DESCRIPTION_MAX = 1000
LOCATION_MAX = 100
MAX_LIVE_EVENTS = 100  # SCHEDULED + ACTIVE events per guild

PRIVACY_GUILD_ONLY = 2
ENTITY_STAGE_INSTANCE, ENTITY_VOICE, ENTITY_EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
TRANSITIONS = {SCHEDULED: {ACTIVE, CANCELED}, ACTIVE: {COMPLETED}}
_CHANNEL_TYPE_FOR = {ENTITY_STAGE_INSTANCE: 13, ENTITY_VOICE: 2}

# The error bodies Discord answers with (codes from Discord's JSON error code table).
TOO_MANY_MESSAGE = "Maximum number of uncompleted guild scheduled events reached (100)"
TOO_MANY_EVENTS = (400, {"message": TOO_MANY_MESSAGE, "code": 30038})
FINISHED_EVENT = (400, {"message": "Cannot update a finished event", "code": 180000})
UNKNOWN_EVENT = (404, {"message": "Unknown Guild Scheduled Event", "code": 10070})

_FIELDS = (
    "name",
    "description",
    "channel_id",
    "scheduled_start_time",
    "scheduled_end_time",
    "privacy_level",
    "entity_type",
    "entity_metadata",
    "status",
    "image",
)


def parse_time(value: Any) -> _dt.datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (naive counts as UTC); None if unparsable."""
    if isinstance(value, _dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed.astimezone(_dt.timezone.utc)


def wire_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Test-friendly keyword fields as a Discord body: datetimes become ISO strings, `location=` becomes
    entity_metadata, `start`/`end` are short for scheduled_start_time/scheduled_end_time."""
    body: dict[str, Any] = {}
    for key, value in fields.items():
        key = {"start": "scheduled_start_time", "end": "scheduled_end_time"}.get(key, key)
        if isinstance(value, _dt.datetime):
            value = value.isoformat()
        if key == "location":
            body["entity_metadata"] = {"location": value}
        else:
            body[key] = value
    return body


class ScheduledEventStore:
    """World's scheduled-event methods; World provides the attributes declared here."""

    guild_id: int
    users: dict[int, dict[str, Any]]
    channels: dict[int, dict[str, Any]]
    roles: dict[int, dict[str, Any]]
    snowflake: Callable[[], int]
    scheduled_events: dict[int, dict[str, Any]]  # event id -> stored event (ids as strings, like the wire)
    now: _dt.datetime | None  # None: the wall clock

    def current_time(self) -> _dt.datetime:
        return self.now if self.now is not None else _dt.datetime.now(_dt.timezone.utc)

    def set_role_permissions(self, role_id: int, bits: int) -> dict[str, Any]:
        """Replaces a role's permission bits (e.g. the bot's role, `world.bot_role_id`); returns a copy."""
        role = self.roles.get(role_id)
        if role is None:
            raise LookupError(f"unknown role {role_id}")
        role["permissions"] = str(bits)
        return copy.deepcopy(role)

    def live_event_count(self) -> int:
        return sum(1 for e in self.scheduled_events.values() if e["status"] in (SCHEDULED, ACTIVE))

    def event_payload(self, event: Mapping[str, Any], *, with_user_count: bool = False) -> dict[str, Any]:
        """The guild scheduled event object (a copy, with its creator's user object)."""
        data = copy.deepcopy(dict(event))
        creator = self.users.get(int(event["creator_id"])) if event.get("creator_id") else None
        if creator is not None:
            data["creator"] = copy.deepcopy(creator)
        if with_user_count:
            data["user_count"] = 0  # nobody in the fake says "interested"
        return data

    def event_errors(self, body: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> FormErrors:
        """Discord's form errors for a create body (current=None) or a PATCH of `current`."""
        errors = FormErrors()
        merged = {**(current or {}), **body}
        creating = current is None
        for key in ("name", "scheduled_start_time", "privacy_level", "entity_type"):
            if creating and body.get(key) is None:
                errors.required([key])
        name = merged.get("name")
        if "name" in body and (not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX):
            errors.bad_length(["name"], 1, NAME_MAX)
        description = merged.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > DESCRIPTION_MAX):
            errors.max_length(["description"], DESCRIPTION_MAX)
        if "privacy_level" in body and merged.get("privacy_level") != PRIVACY_GUILD_ONLY:
            errors.add(["privacy_level"], "BASE_TYPE_CHOICES", f"Value must be one of {{{PRIVACY_GUILD_ONLY}}}.")
        entity_type = merged.get("entity_type")
        if "entity_type" in body and entity_type not in (ENTITY_STAGE_INSTANCE, ENTITY_VOICE, ENTITY_EXTERNAL):
            errors.add(["entity_type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
        self._check_times(body, merged, creating, errors)
        if entity_type == ENTITY_EXTERNAL:
            self._check_external(merged, errors)
        elif entity_type in _CHANNEL_TYPE_FOR:
            channel = self.channels.get(_snowflake(merged.get("channel_id")))
            if channel is None or channel.get("type") != _CHANNEL_TYPE_FOR[entity_type]:
                errors.add(["channel_id"], "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL", "Unknown or unsuitable channel.")
        if "status" in body and current is not None and body["status"] != current["status"]:
            if body["status"] not in TRANSITIONS.get(int(current["status"]), set()):
                message = f"Cannot change status from {current['status']} to {body['status']}."
                errors.add(["status"], "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", message)
        return errors

    def _check_times(
        self, body: Mapping[str, Any], merged: Mapping[str, Any], creating: bool, errors: FormErrors
    ) -> None:
        start = parse_time(merged.get("scheduled_start_time"))
        for key in ("scheduled_start_time", "scheduled_end_time"):
            value = body.get(key)
            if value is not None and parse_time(value) is None:
                errors.add([key], "DATE_TYPE_PARSE", f"Could not parse {value}. Should be ISO8601.")
        new_start = body.get("scheduled_start_time") is not None
        still_scheduled = creating or merged.get("status") == SCHEDULED
        if start is not None and new_start and still_scheduled and start <= self.current_time():
            message = "Cannot schedule event in the past."
            errors.add(["scheduled_start_time"], "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", message)
        end = parse_time(merged.get("scheduled_end_time"))
        if start is not None and end is not None and end <= start:
            message = "Cannot schedule event to end before starting."
            errors.add(["scheduled_end_time"], "GUILD_SCHEDULED_EVENT_END_BEFORE_START", message)

    @staticmethod
    def _check_external(merged: Mapping[str, Any], errors: FormErrors) -> None:
        metadata = merged.get("entity_metadata")
        location = metadata.get("location") if isinstance(metadata, Mapping) else None
        if location is None:
            errors.required(["entity_metadata", "location"])
        elif not isinstance(location, str) or not 1 <= len(location) <= LOCATION_MAX:
            errors.bad_length(["entity_metadata", "location"], 1, LOCATION_MAX)
        if merged.get("scheduled_end_time") is None:
            errors.required(["scheduled_end_time"])
        if merged.get("channel_id") is not None:
            message = "An EXTERNAL event cannot have a channel."
            errors.add(["channel_id"], "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED", message)

    def create_event(self, body: Mapping[str, Any], creator_id: int) -> dict[str, Any]:
        """Stores a (validated) event created by `creator_id`; returns the stored dict."""
        event_id = self.snowflake()
        event: dict[str, Any] = {
            "id": str(event_id),
            "guild_id": str(self.guild_id),
            "channel_id": None,
            "creator_id": str(creator_id),
            "name": "",
            "description": None,
            "image": None,
            "scheduled_start_time": None,
            "scheduled_end_time": None,
            "privacy_level": PRIVACY_GUILD_ONLY,
            "status": SCHEDULED,
            "entity_type": ENTITY_EXTERNAL,
            "entity_id": None,
            "entity_metadata": None,
            "recurrence_rule": None,
            "auto_start": False,
        }
        self._apply(event, {k: v for k, v in body.items() if k != "status"})
        self.scheduled_events[event_id] = event
        return event

    def update_event(self, event: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
        self._apply(event, body)
        return event

    def _apply(self, event: dict[str, Any], body: Mapping[str, Any]) -> None:
        for key in _FIELDS:
            if key not in body:
                continue
            value = body[key]
            if key in ("scheduled_start_time", "scheduled_end_time") and value is not None:
                parsed = parse_time(value)
                value = parsed.isoformat() if parsed else None
            elif key == "channel_id" and value is not None:
                value = str(value)
            elif key == "image":
                value = None if value is None else f"{self.snowflake():x}"  # a cover image hash
            event[key] = copy.deepcopy(value)
        if event["entity_type"] == ENTITY_EXTERNAL:
            event["channel_id"] = None
            event["entity_metadata"] = {"location": (event.get("entity_metadata") or {}).get("location", "")}
        else:
            event["entity_metadata"] = None


def _snowflake(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
