"""Finding what the bot answered to an interaction: its original response, follow-ups, their components.

A mixin of FakeDiscord. Ephemeral messages are included (the fake keeps them in their channel with
flag EPHEMERAL 64, though no one else can see them), so a test can click a button on one with
`send_component_interaction(message_id=..., custom_id=...)`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from . import models
from .interactions import InteractionRecord
from .world import World

_T = TypeVar("_T")


def iter_components(message: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every component of a message, depth first (action rows, then the buttons/selects inside them)."""

    def walk(items: Any) -> Iterator[dict[str, Any]]:
        for item in items or ():
            yield item
            yield from walk(item.get("components"))
            if isinstance(item.get("accessory"), dict):
                yield from walk([item["accessory"]])

    return walk(message.get("components"))


def custom_ids(message: Mapping[str, Any]) -> list[str]:
    """The custom_ids of a message's interactive components, in order (e.g. ["confirm", "cancel"])."""
    return [c["custom_id"] for c in iter_components(message) if "custom_id" in c]


class ResponseViews:
    """Mixin: needs `world` and `_wait` (FakeDiscord)."""

    world: World

    async def _wait(self, check: Callable[[], _T | None], timeout: float, what: str) -> _T:  # noqa: ASYNC109
        raise NotImplementedError

    def response_message(self, record: InteractionRecord) -> dict[str, Any] | None:
        """A copy of the interaction's original response message (for callback types 4/5, or the message
        a type 6/7 callback acknowledged or updated); None before the bot answered or if it was deleted."""
        if record.original_message_id is None:
            return None
        message = self.world.find_message_anywhere(record.original_message_id)
        return copy.deepcopy(message) if message is not None else None

    def followup_messages(self, record: InteractionRecord) -> list[dict[str, Any]]:
        """Copies of the interaction's follow-up messages still there, oldest first."""
        found = (self.world.find_message_anywhere(mid) for mid in record.followup_ids)
        return [copy.deepcopy(m) for m in found if m is not None]

    def latest_response(self, record: InteractionRecord) -> dict[str, Any] | None:
        """The newest message the bot sent for this interaction: the last follow-up, else the original response."""
        followups = self.followup_messages(record)
        return followups[-1] if followups else self.response_message(record)

    async def wait_for_response(
        self,
        record: InteractionRecord,
        *,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Until one of the bot's messages for `record` satisfies `predicate` (default: any message that is no
        longer the deferred "thinking" state); returns a copy of the newest such one (follow-ups before the
        original response).

        e.g. ``msg = await fake.wait_for_response(rec, predicate=lambda m: custom_ids(m) == ["ok", "no"])``.
        """

        def ready(message: dict[str, Any]) -> bool:
            if predicate is not None:
                return predicate(message)
            return not int(message.get("flags") or 0) & models.MESSAGE_FLAG_LOADING

        def find() -> dict[str, Any] | None:
            candidates = [*reversed(self.followup_messages(record))]
            original = self.response_message(record)
            if original is not None:
                candidates.append(original)
            return next((m for m in candidates if ready(m)), None)

        return await self._wait(find, timeout, f"a response to interaction {record.id}")
