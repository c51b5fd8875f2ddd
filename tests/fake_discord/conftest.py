"""The fake's own tests: a bare fake Discord (its default guild), with discord.py pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from . import FakeDiscord, point_discord_at


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """Overrides tests/conftest.py's course-shaped fake: these tests check the fake itself."""
    async with FakeDiscord() as server:
        restore = point_discord_at(server.base_url)
        try:
            yield server
        finally:
            restore()
