"""`python -m bot forget-server SERVER_ID`: the operator removes what is stored for one server's course.

The bot keeps a server's data when it is removed from the server (invited back, it resumes). This command is how
it goes for good: it says what it would delete, and deletes it only with --yes, in one transaction. The bot must
be stopped first: a running bot holds the course in memory and would write some of it again.
"""

from __future__ import annotations

import asyncio

from bot.settings import Settings, discord_id
from bot.store import Store, StoreError, database_exists, redacted

LABELS = {"course_changes": "instructor changes", "course_uploads": "uploaded course files",
          "reminder_ledger": "reminder ledger rows", "critiques": "critique tracker rows",
          "dm_subscriptions": "DM reminder subscriptions", "course_secrets": "feed tokens",
          "scheduled_events": "Discord event records", "server_settings": "/setup values"}


def forget_server(settings: Settings, guild_text: str, *, delete: bool) -> int:
    """Print what is stored for the server (and delete it with `delete`); exit 0, or 1 on a problem, 2 on usage."""
    try:
        guild_id = discord_id(guild_text)
    except ValueError as exc:
        print(f"SERVER_ID: {exc}")
        return 2
    if not database_exists(settings.database):
        print(f"Nothing is stored yet ({redacted(settings.database)} does not exist).")
        return 0
    try:
        counts = asyncio.run(_forget(settings, guild_id, delete))
    except StoreError as exc:
        print(exc)
        return 1
    listed = ", ".join(f"{n} {LABELS[table]}" for table, n in counts.items() if n) or "nothing"
    if not delete:
        print(f"Stored for server {guild_id}: {listed}.")
        if any(counts.values()):
            print("Stop the bot, then run this again with --yes to delete it (one transaction; it cannot be undone: "
                  "back up the database first).")
        return 0
    print(f"Deleted for server {guild_id}: {listed}.")
    if guild_id == settings.guild_id:
        print("schedule.yaml itself was not touched: it is still this server's course at the next start.")
    return 0


async def _forget(settings: Settings, guild_id: int, delete: bool) -> dict[str, int]:
    store = await Store.open(settings.database)
    try:
        course = store.scoped(0 if guild_id == settings.guild_id else guild_id)
        if delete:
            return await course.forget(guild_id)
        counts = await course.course_rows()
        counts["server_settings"] = len(await store.server_settings(guild_id))
        return counts
    finally:
        await store.close()
