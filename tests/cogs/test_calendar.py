"""/calendar end to end through the fake Discord, and `python -m bot calendar -o PATH`."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.harness import STUDENT

EPHEMERAL = 1 << 6

RunBot = Callable[..., subprocess.CompletedProcess[str]]


def class_7(cal: Calendar):
    return next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("class-7."))


@pytest.mark.asyncio
async def test_calendar_attachment(bot, fake):
    """/calendar answers privately with one .ics file that parses and holds class 7."""
    interaction = await fake.send_interaction(name="calendar", user=STUDENT)
    callback = await fake.wait_for_callback(interaction)
    assert callback.status in (200, 204), callback.response
    assert callback.json["type"] == 4
    data = callback.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    assert "Google Calendar" in data["content"]
    assert len(callback.files) == 1
    upload = callback.files[0]
    assert upload.filename == "machine-learning-at-scale-fall-2024.ics"
    cal = Calendar.from_ical(upload.data)
    assert len(cal.walk("VEVENT")) == 32
    event = class_7(cal)
    assert str(event["SUMMARY"]) == "Class 7: Self-supervised learning - Vision"
    assert event["DTSTART"].dt == dt.date(2024, 9, 18)
    assert "Vision Transformers Need Registers" in str(event["DESCRIPTION"])
    assert event["DTSTAMP"].dt == dt.datetime.combine(bot.course.first_day, dt.time(0), dt.timezone.utc)


def test_cli_writes_calendar(run_bot: RunBot, tmp_path: Path) -> None:
    """`python -m bot calendar -o PATH` writes a parseable .ics with every class."""
    path = tmp_path / "course.ics"
    result = run_bot("calendar", "-o", str(path))
    assert result.returncode == 0, result.stderr
    data = path.read_bytes()
    cal = Calendar.from_ical(data)
    assert sum(str(e["UID"]).startswith("class-") for e in cal.walk("VEVENT")) == 29
    assert class_7(cal)["DTSTART"].dt == dt.date(2024, 9, 18)
    assert b"\r\n" in data


def test_cli_calendar_to_stdout(run_bot: RunBot) -> None:
    """`-o -` writes the calendar to standard output."""
    result = run_bot("calendar", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert len(Calendar.from_ical(result.stdout).walk("VEVENT")) == 32
