"""Discord's request limits, enforced with Discord's own 400 error shape.

Discord answers an over-limit body with HTTP 400 and
`{"code": 50035, "message": "Invalid Form Body", "errors": {<nested path>: {"_errors": [...]}}}`;
the bot must handle that, so the fake reproduces the shape and the limits (numbers copied from
Discord's OpenAPI description and developer docs, so the tests need no reference files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CONTENT_MAX = 2000  # a bot's message content (the OpenAPI's 4000 is for Nitro users)
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_TEXT_MAX = 2048
EMBED_AUTHOR_NAME_MAX = 256
EMBED_URL_MAX = 2048
EMBED_TOTAL_MAX = 6000
COLOR_MAX = 0xFFFFFF
NONCE_MAX = 25
ATTACHMENTS_MAX = 10
ACTION_ROWS_MAX = 5
ROW_COMPONENTS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150

COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100  # developer docs; the OpenAPI says 6000, Discord enforces 100
COMMAND_TOTAL_MAX = 4000
CHAT_INPUT_COMMANDS_MAX = 100
CONTEXT_MENU_COMMANDS_MAX = 5

MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5

Path = Sequence[str | int]


class FormErrors:
    """Collects per-field errors and renders Discord's nested `errors` object."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: Path, limit: int) -> None:
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_length(self, path: Path, low: int, high: int) -> None:
        self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def required(self, path: Path) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def __bool__(self) -> bool:
        return bool(self.tree)

    def body(self) -> dict[str, Any]:
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.tree}


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "attachment://"))


def _check_len(errors: FormErrors, path: Path, value: Any, limit: int) -> int:
    """Checks a string's length; returns it (0 for None) so callers can total embed sizes."""
    if value is None:
        return 0
    text = str(value)
    if len(text) > limit:
        errors.max_length(path, limit)
    return len(text)


def _check_url(errors: FormErrors, path: Path, value: Any) -> None:
    if value is None:
        return
    if not _is_url(value):
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
    elif len(value) > EMBED_URL_MAX:
        errors.max_length(path, EMBED_URL_MAX)


def validate_embeds(embeds: Any, errors: FormErrors, prefix: Path) -> None:
    """Per-embed limits plus the 6000-character total over all embeds of one message."""
    path = [*prefix, "embeds"]
    if not isinstance(embeds, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(embeds) > EMBEDS_MAX:
        errors.max_length(path, EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        ep = [*path, i]
        if not isinstance(embed, Mapping):
            errors.add(ep, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        total += _check_len(errors, [*ep, "title"], embed.get("title"), EMBED_TITLE_MAX)
        total += _check_len(errors, [*ep, "description"], embed.get("description"), EMBED_DESCRIPTION_MAX)
        _check_url(errors, [*ep, "url"], embed.get("url"))
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= COLOR_MAX):
            errors.add([*ep, "color"], "NUMBER_TYPE_MAX", f"int value should be less than or equal to {COLOR_MAX}.")
        footer = embed.get("footer")
        if isinstance(footer, Mapping):
            total += _check_len(errors, [*ep, "footer", "text"], footer.get("text"), EMBED_FOOTER_TEXT_MAX)
            _check_url(errors, [*ep, "footer", "icon_url"], footer.get("icon_url"))
        author = embed.get("author")
        if isinstance(author, Mapping):
            total += _check_len(errors, [*ep, "author", "name"], author.get("name"), EMBED_AUTHOR_NAME_MAX)
            _check_url(errors, [*ep, "author", "url"], author.get("url"))
            _check_url(errors, [*ep, "author", "icon_url"], author.get("icon_url"))
        for key in ("image", "thumbnail"):
            media = embed.get(key)
            if isinstance(media, Mapping):
                _check_url(errors, [*ep, key, "url"], media.get("url"))
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            errors.max_length([*ep, "fields"], EMBED_FIELDS_MAX)
        for j, field in enumerate(fields):
            fp = [*ep, "fields", j]
            for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
                value = field.get(key) if isinstance(field, Mapping) else None
                if value is None or str(value) == "":
                    errors.required([*fp, key])
                else:
                    total += _check_len(errors, [*fp, key], value, limit)
    if total > EMBED_TOTAL_MAX:
        errors.add(path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")


def validate_components(components: Any, errors: FormErrors, prefix: Path, *, v2: bool) -> None:
    """Classic action-row limits (components v2 layouts are only checked for custom_id lengths)."""
    path = [*prefix, "components"]
    if not isinstance(components, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if not v2 and len(components) > ACTION_ROWS_MAX:
        errors.max_length(path, ACTION_ROWS_MAX)

    def walk(items: list[Any], p: list[str | int]) -> None:
        for i, comp in enumerate(items):
            if not isinstance(comp, Mapping):
                continue
            cp = [*p, i]
            if comp.get("type") == 1 and not v2 and len(comp.get("components") or []) > ROW_COMPONENTS_MAX:
                errors.max_length([*cp, "components"], ROW_COMPONENTS_MAX)
            _check_len(errors, [*cp, "custom_id"], comp.get("custom_id"), CUSTOM_ID_MAX)
            if comp.get("type") == 2:
                _check_len(errors, [*cp, "label"], comp.get("label"), BUTTON_LABEL_MAX)
            if comp.get("type") == 3:
                if len(comp.get("options") or []) > SELECT_OPTIONS_MAX:
                    errors.max_length([*cp, "options"], SELECT_OPTIONS_MAX)
                _check_len(errors, [*cp, "placeholder"], comp.get("placeholder"), SELECT_PLACEHOLDER_MAX)
            if isinstance(comp.get("components"), list):
                walk(comp["components"], [*cp, "components"])

    walk(components, path)


def validate_message(payload: Mapping[str, Any], errors: FormErrors, prefix: Path = ()) -> None:
    """Limits of a create/edit-message body (channel message, interaction response, webhook)."""
    content = payload.get("content")
    if content is not None:
        _check_len(errors, [*prefix, "content"], content, CONTENT_MAX)
    if payload.get("embeds") is not None:
        validate_embeds(payload["embeds"], errors, prefix)
    if payload.get("components") is not None:
        v2 = bool(int(payload.get("flags") or 0) & (1 << 15))
        validate_components(payload["components"], errors, prefix, v2=v2)
    nonce = payload.get("nonce")
    if isinstance(nonce, str):
        _check_len(errors, [*prefix, "nonce"], nonce, NONCE_MAX)
    attachments = payload.get("attachments")
    if isinstance(attachments, list) and len(attachments) > ATTACHMENTS_MAX:
        errors.max_length([*prefix, "attachments"], ATTACHMENTS_MAX)


def is_empty_message(payload: Mapping[str, Any], file_count: int) -> bool:
    """Discord rejects a message with no content, embeds, files, components, stickers or poll (code 50006)."""
    return not (
        payload.get("content")
        or payload.get("embeds")
        or file_count
        or payload.get("attachments")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
    )


def _valid_name(name: str, *, lowercase: bool) -> bool:
    if not 1 <= len(name) <= COMMAND_NAME_MAX:
        return False
    if lowercase and name != name.lower():
        return False
    return all(ch.isalnum() or ch in "-_'" for ch in name)


def _name_errors(errors: FormErrors, path: Path, name: Any, *, lowercase: bool, what: str) -> None:
    if not isinstance(name, str) or not name:
        errors.required(path)
    elif len(name) > COMMAND_NAME_MAX:
        errors.bad_length(path, 1, COMMAND_NAME_MAX)
    elif not _valid_name(name, lowercase=lowercase):
        errors.add(path, f"APPLICATION_COMMAND_INVALID_{what}", f"{what.title()} name is invalid")


def _description_errors(errors: FormErrors, path: Path, description: Any) -> int:
    if not isinstance(description, str) or not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
        errors.bad_length(path, 1, COMMAND_DESCRIPTION_MAX)
        return 0
    return len(description)


def validate_choices(choices: Any, errors: FormErrors, path: Path) -> int:
    """Choice lists (command option choices and autocomplete results): <= 25, names 1..100."""
    if choices is None:
        return 0
    if not isinstance(choices, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return 0
    if len(choices) > CHOICES_MAX:
        errors.max_length(path, CHOICES_MAX)
    size = 0
    for i, choice in enumerate(choices):
        name = choice.get("name") if isinstance(choice, Mapping) else None
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            errors.bad_length([*path, i, "name"], 1, CHOICE_NAME_MAX)
        else:
            size += len(name)
        value = choice.get("value") if isinstance(choice, Mapping) else None
        if value is None:
            errors.required([*path, i, "value"])
        elif isinstance(value, str):
            size += _check_len(errors, [*path, i, "value"], value, CHOICE_STRING_VALUE_MAX)
        else:
            size += len(str(value))
    return size


def _validate_options(options: Any, errors: FormErrors, path: Path, depth: int) -> int:
    if options is None:
        return 0
    if not isinstance(options, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return 0
    if len(options) > COMMAND_OPTIONS_MAX:
        errors.max_length(path, COMMAND_OPTIONS_MAX)
    size = 0
    seen: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        op = [*path, i]
        if not isinstance(opt, Mapping):
            errors.add(op, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        name = opt.get("name")
        _name_errors(errors, [*op, "name"], name, lowercase=True, what="OPTION")
        if isinstance(name, str):
            size += len(name)
            if name in seen:
                errors.add(
                    [*op, "name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option name already exists"
                )
            seen.add(name)
        size += _description_errors(errors, [*op, "description"], opt.get("description"))
        opt_type = opt.get("type")
        if opt_type in (1, 2):
            if depth >= (2 if opt_type == 1 else 1):
                errors.add([*op, "type"], "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Invalid nesting of subcommands")
            size += _validate_options(opt.get("options"), errors, [*op, "options"], depth + 1)
            continue
        if opt.get("required"):
            if optional_seen:
                errors.add(
                    [*op, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        if opt.get("autocomplete") and opt.get("choices"):
            errors.add(
                [*op, "autocomplete"],
                "APPLICATION_COMMAND_OPTIONS_AUTOCOMPLETE_AND_CHOICES",
                "Autocomplete cannot be set on options with choices",
            )
        size += validate_choices(opt.get("choices"), errors, [*op, "choices"])
    return size


def validate_commands(commands: Any) -> FormErrors:
    """A bulk-overwrite body: each command's limits, unique names per type, per-type counts."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add([], "BASE_TYPE_ARRAY", "Must be an array.")
        return errors
    seen: set[tuple[int, str]] = set()
    counts: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        if not isinstance(cmd, Mapping):
            errors.add([i], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        cmd_type = int(cmd.get("type") or 1)
        counts[cmd_type] = counts.get(cmd_type, 0) + 1
        name = cmd.get("name")
        _name_errors(errors, [i, "name"], name, lowercase=cmd_type == 1, what="NAME")
        if isinstance(name, str):
            if (cmd_type, name) in seen:
                errors.add(
                    [i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"
                )
            seen.add((cmd_type, name))
        size = len(name) if isinstance(name, str) else 0
        if cmd_type == 1:
            size += _description_errors(errors, [i, "description"], cmd.get("description"))
            size += _validate_options(cmd.get("options"), errors, [i, "options"], 0)
        if size > COMMAND_TOTAL_MAX:
            errors.add([i], "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({COMMAND_TOTAL_MAX})")
    if counts.get(1, 0) > CHAT_INPUT_COMMANDS_MAX:
        errors.max_length([], CHAT_INPUT_COMMANDS_MAX)
    for ctx_type in (2, 3):
        if counts.get(ctx_type, 0) > CONTEXT_MENU_COMMANDS_MAX:
            errors.max_length([], CONTEXT_MENU_COMMANDS_MAX)
    return errors


def validate_modal(data: Any, errors: FormErrors, prefix: Path) -> None:
    """Modal callback (type 9): title <= 45, custom_id <= 100, 1..5 components."""
    if not isinstance(data, Mapping):
        errors.required(prefix)
        return
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= MODAL_TITLE_MAX:
        errors.bad_length([*prefix, "title"], 1, MODAL_TITLE_MAX)
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        errors.bad_length([*prefix, "custom_id"], 1, CUSTOM_ID_MAX)
    components = data.get("components")
    if not isinstance(components, list) or not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        errors.bad_length([*prefix, "components"], 1, MODAL_COMPONENTS_MAX)
