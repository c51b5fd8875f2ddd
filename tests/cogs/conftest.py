"""Fixtures for end-to-end tests: a fake Discord on 127.0.0.1 and the real bot connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import time_machine

from bot.app import CourseBot
from bot.clock import system_clock
from tests.fake_discord import FakeDiscord
from tests.harness import TestClock, at, running_bot, settings_for


@pytest.fixture
def clock() -> TestClock:
    return TestClock(at(2024, 9, 17, 9, 0))


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path, clock: TestClock) -> AsyncIterator[CourseBot]:
    # Reminders are off here: the scheduler runs on the wall clock, these tests on a fixed one.
    async with running_bot(fake, settings_for(fake, tmp_path, reminder_channel_id=None), clock) as running:
        yield running


@pytest.fixture
def frozen():
    """The wall clock at Tue Sep 17 2024 09:00 in New York, for the bot and its scheduler alike."""
    with time_machine.travel(at(2024, 9, 17, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def live_settings(fake, tmp_path):
    """Settings with every channel set, reminders included."""
    return settings_for(fake, tmp_path)


@pytest.fixture
async def live_bot(fake, live_settings, frozen) -> AsyncIterator[CourseBot]:
    """The bot on the (frozen) system clock, with reminders on."""
    async with running_bot(fake, live_settings, system_clock) as running:
        yield running
