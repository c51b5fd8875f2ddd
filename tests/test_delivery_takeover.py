"""Two processes on one PostgreSQL: while the other posts a reminder, this one looks again soon; when the other
dies (its hold goes with its connection), this one takes the reminder over and posts it, once."""

from __future__ import annotations

import time_machine

from bot.clock import system_clock
from bot.delivery import HELD_RETRY
from bot.store import Store
from tests.harness import REMINDERS, at, running_bot, settings_for

EVE = "critique:2024-09-18:eve"


def posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{REMINDERS}/messages"]


async def test_a_reminder_held_by_a_process_that_dies_is_taken_over(fake, tmp_path, database):
    settings = settings_for(fake, tmp_path, database=database)
    with time_machine.travel(at(2024, 9, 17, 17, 0), tick=False) as traveller:
        async with running_bot(fake, settings, system_clock) as bot:
            other = await Store.open(database)  # another process of the same shard, posting EVE right now
            try:
                assert await other._engine.hold(f"0/{EVE}")
                traveller.move_to(at(2024, 9, 17, 18, 0))
                outcome = await bot.reminders.deliver(EVE)
                if bot.store.engine == "sqlite":  # one file, one writer: no other process holds anything
                    assert outcome.state == "sent" and len(posts(fake)) == 1
                    return
                assert outcome.state == "held" and posts(fake) == []
                assert bot.reminders.scheduler.next_run(EVE) == at(2024, 9, 17, 18, 0) + HELD_RETRY
                assert (await bot.store.ledger_entry(EVE)) is None  # nothing claimed under the other's hold
            finally:
                await other.close()  # the other process dies: its hold goes with its connection
            traveller.move_to(at(2024, 9, 17, 18, 0) + HELD_RETRY)
            outcome = await bot.reminders.deliver(EVE)
            assert outcome.state == "sent" and len(posts(fake)) == 1
            entry = await bot.store.ledger_entry(EVE)
            assert entry is not None and entry.state == "sent" and entry.attempts == 1
            assert await bot.reminders.deliver(EVE) == outcome.__class__(EVE, "done")
            assert len(posts(fake)) == 1
