"""Sharding (SPEC "Many courses, one bot"): `shard_count`/`shard_ids` split the servers across processes, and each
process opens, plans and answers only the courses of its own shards' servers.

Two bots (as two processes would be) run shard 0 and shard 1 of two over one database, against a fake Discord
with a server on each shard.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

from bot.clock import system_clock
from tests.cogs.test_students import embed_text
from tests.conftest import DS_SCHEDULE, SCHEDULE
from tests.harness import (
    STUDENT,
    final_answer,
    make_fake,
    running_bot,
    seed_server,
    settings_for,
)


@contextlib.asynccontextmanager
async def two_shards(tmp_path, database) -> AsyncIterator[tuple]:
    fake = make_fake(shards=2)
    other = fake.add_guild("Distributed Systems", channels=3)
    assert fake.shard_of(fake.guild_id, 2) == 0 and fake.shard_of(other, 2) == 1
    await fake.start()
    try:
        settings = settings_for(fake, tmp_path, guild_id=None, database=database, shard_count=2)
        await seed_server(settings, fake.guild_id, SCHEDULE)
        b_channels = fake.guild_channel_ids(other)
        await seed_server(settings, other, DS_SCHEDULE, {"reminder_channel_id": b_channels[1]})
        clock = system_clock  # frozen by the `frozen` fixture: the scheduler runs on it too
        async with running_bot(fake, dataclasses.replace(settings, shard_ids=(0,)), clock) as first, \
                running_bot(fake, dataclasses.replace(settings, shard_ids=(1,)), clock) as second:
            yield fake, other, first, second
    finally:
        await fake.stop()


async def test_each_process_opens_plans_and_answers_only_its_shards_servers(tmp_path, database, frozen):
    async with two_shards(tmp_path, database) as (fake, other, first, second):
        assert [s.guild_id for s in first.courses] == [fake.guild_id]
        assert [s.guild_id for s in second.courses] == [other]
        assert {g.id for g in first.guilds} == {fake.guild_id} and {g.id for g in second.guilds} == {other}
        ml, ds = first.courses.get(fake.guild_id), second.courses.get(other)
        assert first.courses.get(other) is None and second.courses.get(fake.guild_id) is None
        assert ml.reminders.scheduler.keys() and ds.reminders.scheduler.keys() is not None
        here = await fake.send_interaction(name="deadlines", user=STUDENT)
        there = await fake.send_interaction(name="deadlines", user=STUDENT, guild_id=other)
        assert (here.shard_id, there.shard_id) == (0, 1)
        here_text = embed_text(await final_answer(fake, here))
        there_text = embed_text(await final_answer(fake, there))
        assert ml.course.name not in there_text and ds.course.name not in here_text
        assert "Critique" in here_text and "Critique" not in there_text


async def test_settings_give_each_process_its_shards(tmp_path, database, frozen):
    """The settings' `owns` is Discord's rule: (guild_id >> 22) % shard_count."""
    async with two_shards(tmp_path, database) as (fake, other, first, second):
        for bot, mine, theirs in ((first, fake.guild_id, other), (second, other, fake.guild_id)):
            assert bot.file_settings.owns(mine) and not bot.file_settings.owns(theirs)
            assert bot.shard_count == 2 and list(bot.shards) == list(bot.file_settings.shard_ids)
