"""The fake's own tests: a bare fake Discord (its default guild), with discord.py pointed at it."""

from __future__ import annotations

import logging
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


class ErrorLog(logging.Handler):
    """Collects ERROR records from discord.py (failed parsing, exceptions in commands)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest_asyncio.fixture
async def errors() -> AsyncIterator[ErrorLog]:
    """discord.py's errors during a test (a test asserts there were none)."""
    handler = ErrorLog()
    logger = logging.getLogger("discord")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
