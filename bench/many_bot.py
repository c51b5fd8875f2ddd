"""The bot process of bench_many.py (not shipped): the real CourseBot, or a bare discord.py bot as the floor.

Run by bench_many.py with one argument, a JSON object:
  {"mode": "course", "token": ..., "settings": {Settings fields}, "breakdown": bool,
   "profile": null | "startup" (cProfile of setup_hook) | "steady" (from quiet to exit), "profile_out": path}
  {"mode": "floor", "token": ..., "api_base": ..., "answers": {json.dumps(date option): the course bot's callback
   data for that /readings}}
It prints one JSON line per milestone on stdout: {"ready": {...}} at on_ready (seconds from `bot.start` to READY,
CPU seconds, VmRSS/VmHWM from /proc/self/status, and with "breakdown" the seconds of each step of start-up), then
{"quiet": {...}} once every course's first Discord-events sync is done, and at exit {"gc": {...}}: the garbage
collector's pauses by generation from "quiet" on (gc.callbacks) and the CPU seconds used since. SIGTERM closes
the bot as `python -m bot` does. The course bot is bot.app.CourseBot itself: the subclass only times (or
profiles) its `setup_hook`, and the breakdown wraps a few of its functions from outside (bot/ is not changed).
Logging is configured as run_bot does (INFO, discord.py at WARNING).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.app import CourseBot  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fake_discord import point_discord_at  # noqa: E402


def memory() -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of this process, in MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def emit(**what: Any) -> None:
    print(json.dumps(what), flush=True)


def instrument() -> dict[str, float]:
    """Seconds spent in the steps of start-up, summed over courses (wrappers installed from outside; bot/ is not
    changed): wall time for the coroutines (so their database reads count), CPU-bound time for the rest."""
    import functools
    import logging as logging_module

    import bot.app
    import bot.course_state
    import bot.courses
    import bot.delivery
    import bot.scheduler

    spent: dict[str, float] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        spent[label] = 0.0
        if asyncio.iscoroutinefunction(original):
            @functools.wraps(original)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spent[label] += time.perf_counter() - start
        else:
            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent[label] += time.perf_counter() - start
        setattr(owner, name, wrapper)

    timed(bot.courses, "open_course", "open the courses (bot.service.open_course)")
    timed(bot.course_state, "load_text", "  parse + validate the uploads (bot.core.loader.load_text)")
    timed(bot.courses.Courses, "start", "start the courses (bot.courses.Courses.start)")
    timed(bot.delivery, "plan", "  plan the reminders (bot.core.planner.plan)")
    timed(bot.scheduler.ReminderScheduler, "sync", "  schedule them (bot.scheduler.ReminderScheduler.sync)")
    timed(bot.app.CourseBot, "sync_commands", "sync the commands (CourseBot.sync_commands)")
    timed(logging_module.StreamHandler, "emit", "log lines written (logging.StreamHandler.emit, anywhere)")
    return spent


class TimedCourseBot(CourseBot):
    setup_seconds = 0.0
    profile: cProfile.Profile | None = None  # set: profile setup_hook alone

    async def setup_hook(self) -> None:
        start = time.perf_counter()
        if self.profile is not None:
            self.profile.enable()
        await super().setup_hook()
        if self.profile is not None:
            self.profile.disable()
        self.setup_seconds = time.perf_counter() - start


class FloorBot(commands.Bot):
    """A minimal discord.py bot: one app command, /readings, answering each `date` with the very message the course
    bot answered it with (made into discord.Embed objects once, at start)."""

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None,
                         allowed_mentions=discord.AllowedMentions.none())
        self.answers = {date: ([discord.Embed.from_dict(e) for e in data.get("embeds", [])],
                               data.get("content") or None, bool(data.get("flags", 0) & 64))
                        for date, data in answers.items()}

    async def setup_hook(self) -> None:
        @self.tree.command(name="readings", description="The readings of a class (benchmark floor)")
        @app_commands.describe(date="A date, 'next', or #number")
        async def readings(interaction: discord.Interaction, date: str | None = None) -> None:
            embeds, content, ephemeral = self.answers[json.dumps(date)]
            await interaction.response.send_message(content, embeds=embeds, ephemeral=ephemeral)

        await self.tree.sync()


async def main(config: dict[str, Any]) -> int:
    profile = cProfile.Profile() if config.get("profile") else None
    spent = instrument() if config.get("breakdown") else None
    if config["mode"] == "course":
        settings = Settings(**config["settings"])
        bot: commands.Bot = TimedCourseBot(settings)
        if profile is not None and config["profile"] == "startup":
            bot.profile = profile
    else:
        point_discord_at(config["api_base"])
        bot = FloorBot(config["answers"])
    started = started_cpu = 0.0

    async def when_quiet() -> None:
        if isinstance(bot, CourseBot):
            while True:
                tasks = [s.events_task for s in bot.courses if s.events_task is not None and not s.events_task.done()]
                if not tasks:
                    break
                await asyncio.wait(tasks)
        emit(quiet={"seconds": time.perf_counter() - started, **memory()})
        gc.callbacks.append(collected)
        quiet_cpu[0] = time.process_time()
        if profile is not None and config["profile"] == "steady":
            profile.enable()

    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}  # the collector's pauses once quiet, by generation
    began = [0.0]
    quiet_cpu = [0.0]

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - began[0]) * 1000)

    async def on_ready() -> None:
        ready = time.perf_counter()
        if profile is not None and config["profile"] == "startup":
            profile.dump_stats(config["profile_out"])
        info = {"seconds": ready - started, "cpu": time.process_time() - started_cpu, "guilds": len(bot.guilds),
                **memory()}
        if isinstance(bot, TimedCourseBot):
            info.update(setup_seconds=bot.setup_seconds, courses=len(bot.courses),
                        with_course=sum(s.has_course for s in bot.courses),
                        reminders=sum(len(s.reminders.scheduler.keys()) for s in bot.courses),
                        jobs=sum(s.reminders.scheduler.job_count() for s in bot.courses))
        if spent is not None:
            info["breakdown"] = dict(spent)
        emit(ready=info)
        asyncio.create_task(when_quiet())

    bot.add_listener(on_ready, "on_ready")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        started, started_cpu = time.perf_counter(), time.process_time()
        await bot.start(config["token"])
    if profile is not None and config["profile"] == "steady":
        profile.disable()
        profile.dump_stats(config["profile_out"])
    emit(gc={gen: {"count": len(p), "total_ms": sum(p), "max_ms": max(p, default=0.0)} for gen, p in pauses.items()},
         cpu_after_quiet=time.process_time() - quiet_cpu[0])
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.WARNING)
    sys.exit(asyncio.run(main(json.loads(sys.argv[1]))))
