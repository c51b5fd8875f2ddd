"""`python -m bot` as a real child process against the fake Discord: start, ready, signals, bad token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.harness import REPO, SCHEDULE

pytestmark = pytest.mark.asyncio


def bot_env(fake, tmp_path: Path, token: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEBOT_", "DISCORD_"))}
    env.update({
        "DISCORD_TOKEN": token or fake.token,
        "COURSEBOT_API_BASE": fake.base_url,
        "COURSEBOT_GUILD_ID": str(fake.guild_id),
        "COURSEBOT_DATABASE": str(tmp_path / "bot.sqlite3"),
        "COURSEBOT_SCHEDULE": str(SCHEDULE),  # the frozen first course, never the live schedule.yaml
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


async def start_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def wait_for_line(proc: asyncio.subprocess.Process, needle: str, timeout: float = 20) -> list[str]:
    """Read stderr until a line containing `needle`; return the lines read."""
    lines: list[str] = []

    async def read() -> None:
        while line := await proc.stderr.readline():
            lines.append(line.decode())
            if needle in lines[-1]:
                return
        raise AssertionError(f"the bot exited before logging {needle!r}:\n{''.join(lines)}")

    await asyncio.wait_for(read(), timeout)
    return lines


async def finish(proc: asyncio.subprocess.Process, timeout: float = 10) -> tuple[int, str]:
    _, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, err.decode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signal_stops_cleanly(fake, tmp_path, sig):
    """The bot connects, logs one ready line, and exits 0 within 5 s of SIGTERM/SIGINT."""
    proc = await start_bot(bot_env(fake, tmp_path))
    try:
        before = await wait_for_line(proc, " ready ")
        proc.send_signal(sig)
        code, rest = await finish(proc, timeout=5)
        err = "".join(before) + rest
    finally:
        if proc.returncode is None:
            proc.kill()
    assert code == 0, err
    ready = [line for line in err.splitlines() if " ready " in line]
    assert len(ready) == 1, err
    assert f"guild={fake.guild_id}" in ready[0] and "term=Fall 2024" in ready[0] and "commands=" in ready[0]
    assert fake.token not in err


async def test_wrong_token_exits_1_without_traceback(fake, tmp_path):
    """A token Discord rejects (401) gives exit 1, a clear message and no traceback."""
    secret = "MTIz.wrong-token-value.abc"
    proc = await start_bot(bot_env(fake, tmp_path, token=secret))
    code, err = await finish(proc)
    assert code == 1
    assert "rejected the token" in err and "DISCORD_TOKEN" in err
    assert "Traceback" not in err
    assert secret not in err


async def test_broken_schedule_stops_startup(fake, tmp_path):
    """A schedule with errors stops start-up with the validator's file:line messages."""
    broken = tmp_path / "schedule.yaml"
    broken.write_text(SCHEDULE.read_text().replace("timezone: America/New_York",
                                                                   "timezone: Mars/Olympus"))
    proc = await start_bot(bot_env(fake, tmp_path, COURSEBOT_SCHEDULE=str(broken)))
    code, err = await finish(proc)
    assert code == 1
    assert f"{broken}:" in err and "Mars/Olympus" in err
    assert "Traceback" not in err
