"""INTERACTION_CREATE payloads shaped like Discord's, and the record the fake keeps per interaction.

Option types come from the command tree the bot synced, so a test writes `options={"course": "X"}`
and the bot receives exactly what Discord would send (typed values, nested subcommands, `resolved`
users/roles/channels, the focused option of an autocomplete).
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import models

if TYPE_CHECKING:
    from .guild import Guild
    from .records import RecordedRequest
    from .world import World

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types Discord accepts for each interaction type.
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    1: frozenset({1}),
    APPLICATION_COMMAND: frozenset({4, 5, 9, 12}),
    MESSAGE_COMPONENT: frozenset({4, 5, 6, 7, 9, 12}),
    AUTOCOMPLETE: frozenset({8}),
    MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}

INTERACTION_TTL = 15 * 60  # tokens stay valid for follow-ups for 15 minutes


@dataclass
class InteractionRecord:
    """What the fake knows about one interaction it dispatched."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    created: float  # time.monotonic() when dispatched
    channel_id: int
    guild_id: int | None
    command: dict[str, Any] | None = None
    callback: RecordedRequest | None = None  # the accepted initial response
    response_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    expired: bool = False
    shard_id: int | None = None  # the shard whose session it was dispatched to (None: no session covered it)

    @property
    def responded(self) -> bool:
        return self.response_type is not None


@dataclass(frozen=True)
class Upload:
    """A file a user attaches to an attachment option (type 11): `options={"file": Upload("a.yaml", b"...")}`.

    The fake stores it (downloadable like any attachment) and sends its id as the option value, with the
    attachment object in `data.resolved.attachments`, as Discord does.
    """

    filename: str
    data: bytes
    content_type: str | None = None


def new_token() -> str:
    """Interaction tokens are long URL-safe strings; this one is recognisable in logs."""
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)


def _as_snowflake_str(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value["id"])
    return str(int(value))


def _coerce(opt_type: int, value: Any, focused: bool) -> Any:
    if focused:
        return value if isinstance(value, str) else str(value)
    if opt_type == 4:
        return int(value)
    if opt_type == 10:
        return float(value)
    if opt_type == 5:
        return bool(value)
    if opt_type in (6, 7, 8, 9, 11):
        return _as_snowflake_str(value)
    return str(value)


@dataclass(frozen=True)
class _Context:
    """Who invokes the command where (guild None: in DMs): resolved permissions are theirs in that channel."""

    world: World
    guild: Guild | None
    user_id: int | None
    channel_id: int | None

    def permissions_in(self, user_id: int | None, channel_id: int | None) -> int:
        if user_id is None or channel_id is None:
            return models.ALL_PERMISSIONS
        return self.world.permissions_in(user_id, channel_id)


def _resolve(ctx: _Context, opt_type: int, snowflake: str, resolved: dict[str, dict[str, Any]]) -> None:
    world = ctx.world
    sid = int(snowflake)
    if opt_type in (6, 9) and sid in world.users:
        resolved.setdefault("users", {})[snowflake] = dict(world.users[sid])
        if ctx.guild is not None and sid in ctx.guild.members:
            member = ctx.guild.member_payload(sid)
            member.pop("user")
            member["permissions"] = str(ctx.permissions_in(sid, ctx.channel_id))
            resolved.setdefault("members", {})[snowflake] = member
        return
    roles = (ctx.guild or world.guild).roles
    if opt_type in (8, 9) and sid in roles:
        resolved.setdefault("roles", {})[snowflake] = dict(roles[sid])
        return
    if opt_type == 7 and sid in world.channels:
        channel = copy.deepcopy(world.channels[sid])
        channel.pop("permission_overwrites", None)
        channel.pop("recipients", None)
        channel["permissions"] = str(ctx.permissions_in(ctx.user_id, sid))
        resolved.setdefault("channels", {})[snowflake] = channel
        return
    if opt_type == 11 and sid in world.files:
        attachment = world.files[sid].attachment()
        attachment["ephemeral"] = True  # as Discord marks files uploaded with a slash command
        resolved.setdefault("attachments", {})[snowflake] = attachment
        return
    raise ValueError(f"option value {snowflake} is not a known user/role/channel/attachment of the fake")


def _option_value(ctx: _Context, definition: Mapping[str, Any], value: Any, focused: bool) -> Any:
    """The wire value of one option; stores an Upload and checks a channel against `channel_types`."""
    opt_type = int(definition["type"])
    if isinstance(value, Upload):
        if opt_type != 11:
            raise ValueError(f"option {definition['name']!r} (type {opt_type}) does not take a file")
        if len(value.data) > models.ATTACHMENT_SIZE_LIMIT:
            raise ValueError(f"{value.filename} is larger than Discord lets a user upload")
        channel_id = ctx.channel_id if ctx.channel_id is not None else 0
        upload = (value.filename, value.data, value.content_type)
        value = ctx.world.store_files(channel_id, [upload], ctx.world.base_url)[0]["id"]
    coerced = _coerce(opt_type, value, focused)
    allowed = definition.get("channel_types")
    if opt_type == 7 and allowed and not focused:
        channel = ctx.world.channels.get(int(coerced))
        if channel is not None and channel["type"] not in allowed:
            raise ValueError(
                f"option {definition['name']!r} only offers channel types {allowed}; "
                f"Discord would never send channel {coerced} of type {channel['type']}"
            )
    return coerced


def build_command_data(
    world: World,
    command: Mapping[str, Any],
    *,
    options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    subcommand: Sequence[str],
    focused: str | None,
    guild_id: int | None,
    target_id: int | None = None,
    user_id: int | None = None,
    channel_id: int | None = None,
) -> dict[str, Any]:
    """`data` of an APPLICATION_COMMAND/AUTOCOMPLETE interaction for a synced command.

    `user_id` / `channel_id` (the invoker and where) give resolved members/channels their permissions
    and uploaded files their channel; without them resolved permissions are ALL_PERMISSIONS. Members and roles
    are resolved in guild `guild_id` (None: DMs; a guild the fake does not model: the default guild).
    """
    ctx = _Context(world, world.data_guild(guild_id) if guild_id is not None else None, user_id, channel_id)
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": command["type"]}
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    resolved: dict[str, dict[str, Any]] = {}
    if command["type"] in (2, 3):
        if target_id is None:
            raise ValueError("context-menu commands need target_id")
        data["target_id"] = str(target_id)
        if command["type"] == 2:
            _resolve(ctx, 6, str(target_id), resolved)
        else:
            message = world.find_message_anywhere(target_id)
            if message is None:
                raise ValueError(f"unknown message {target_id}")
            resolved["messages"] = {str(target_id): dict(message)}
        data["resolved"] = resolved
        return data

    # Walk down the subcommand path using the synced definitions.
    definitions: list[Mapping[str, Any]] = list(command.get("options") or [])
    wrappers: list[dict[str, Any]] = []
    for part in subcommand:
        match = next((o for o in definitions if o["name"] == part and o["type"] in (1, 2)), None)
        if match is None:
            raise ValueError(f"/{command['name']} has no subcommand (group) {part!r}")
        wrappers.append({"type": match["type"], "name": part, "options": []})
        definitions = list(match.get("options") or [])
    if any(o["type"] in (1, 2) for o in definitions):
        raise ValueError(f"/{command['name']} needs a subcommand path (subcommand=...)")

    leaf: list[dict[str, Any]]
    if options is None:
        leaf = []
    elif isinstance(options, Mapping):
        leaf = []
        by_name = {o["name"]: o for o in definitions}
        for name, value in options.items():
            if name not in by_name:
                raise ValueError(f"/{command['name']} has no option {name!r} (has {sorted(by_name)})")
            opt_type = int(by_name[name]["type"])
            is_focused = name == focused
            value = _option_value(ctx, by_name[name], value, is_focused)
            item: dict[str, Any] = {"name": name, "type": opt_type, "value": value}
            if is_focused:
                item["focused"] = True
            elif opt_type in (6, 7, 8, 9, 11):
                _resolve(ctx, opt_type, item["value"], resolved)
            leaf.append(item)
        if focused is not None and focused not in options:
            raise ValueError(f"focused option {focused!r} must be in options")
    else:
        leaf = [dict(o) for o in options]

    nested: list[dict[str, Any]] = leaf
    for wrapper in reversed(wrappers):
        wrapper["options"] = nested
        nested = [wrapper]
    data["options"] = nested
    if resolved:
        data["resolved"] = resolved
    return data


def build_interaction(
    world: World,
    *,
    interaction_id: int,
    token: str,
    interaction_type: int,
    data: Mapping[str, Any],
    user_id: int,
    guild_id: int | None,
    channel: Mapping[str, Any],
    permissions: int | None,
    locale: str,
    message: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A full INTERACTION_CREATE `d` as Discord sends it to a guild-installed bot."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": interaction_type,
        "data": dict(data),
        "channel": models.interaction_channel(channel),
        "channel_id": channel["id"],
        "token": token,
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": models.ATTACHMENT_SIZE_LIMIT,
    }
    if guild_id is not None:
        channel_id = int(channel["id"])
        member = world.data_guild(guild_id).member_payload(user_id)
        member["permissions"] = str(world.permissions_in(user_id, channel_id) if permissions is None else permissions)
        payload.update(
            {
                "guild_id": str(guild_id),
                "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": member,
                "app_permissions": str(world.permissions_in(world.bot_user_id, channel_id)),
                "authorizing_integration_owners": {"0": str(guild_id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {
                "user": dict(world.users[user_id]),
                "app_permissions": str(models.DEFAULT_EVERYONE_PERMISSIONS),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    if message is not None:
        payload["message"] = dict(message)
    return payload
