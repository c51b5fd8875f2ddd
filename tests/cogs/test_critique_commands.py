"""/critique exists in the command tree only while the course has critiques (guild commands): a reload that
drops or restores the critiques section re-syncs the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import system_clock
from tests.cogs.test_instructor import FIRST_COURSE, run
from tests.cogs.test_students import embed_text
from tests.harness import running_bot, settings_for

pytestmark = pytest.mark.asyncio


def synced_names(fake) -> set[str]:
    return {c["name"] for c in fake.world.commands.get(fake.guild_id, [])}


def without_critiques(text: str) -> str:
    """The first course's file with its critiques section left out."""
    start = text.index("\ncritiques:\n")
    end = text.index("\nproject:\n")
    return text[:start] + "\n" + text[end:]


async def test_reload_drops_and_restores_the_critique_commands(fake, tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    original = FIRST_COURSE.read_text(encoding="utf-8")
    schedule.write_text(original, encoding="utf-8")
    async with running_bot(fake, settings_for(fake, tmp_path, schedule=str(schedule)), system_clock) as bot:
        assert "critique" in synced_names(fake)
        schedule.write_text(without_critiques(original), encoding="utf-8")
        data, _ = await run(fake, "reload")
        assert "reloaded" in embed_text(data) and not bot.course.has_critiques
        assert "critique" not in synced_names(fake) and "readings" in synced_names(fake)
        schedule.write_text(original, encoding="utf-8")
        await run(fake, "reload")
        assert "critique" in synced_names(fake)


async def test_a_course_without_critiques_starts_without_them(fake, tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(without_critiques(FIRST_COURSE.read_text(encoding="utf-8")), encoding="utf-8")
    async with running_bot(fake, settings_for(fake, tmp_path, schedule=str(schedule)), system_clock):
        assert "critique" not in synced_names(fake) and "deadlines" in synced_names(fake)
