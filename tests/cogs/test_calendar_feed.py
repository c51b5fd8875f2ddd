"""The live calendar feed end to end: the real bot against the fake Discord, its feed fetched with aiohttp's client.

/calendar shows the links; an instructor's change is in the next GET (new ETag, higher SEQUENCE); the bytes
stay the same otherwise; /course calendar-reset retires the old link at once; a restart keeps the token.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from bot.app import CourseBot
from bot.core.ics import event_uid
from bot.web import FEED_TOKEN
from tests.harness import (
    INSTRUCTOR,
    INSTRUCTOR_ROLE,
    NEW_YORK,
    STUDENT,
    STUDENT_ROLE,
    final_answer,
    running_bot,
    settings_for,
)

pytestmark = pytest.mark.asyncio

EPHEMERAL = 1 << 6
PUBLIC = "https://cal.example.edu"
TEACHER = {"user": INSTRUCTOR, "roles": [INSTRUCTOR_ROLE]}
PUPIL = {"user": STUDENT, "roles": [STUDENT_ROLE]}
LINK = re.compile(re.escape(PUBLIC) + r"/calendar/([A-Za-z0-9_-]{43})\.ics")


def feed_settings(fake, tmp_path: Path, **overrides):
    """Port 0: the feed binds a free port (bot.feed_server.port); reminders off, as in the other cog tests."""
    values = {"reminder_channel_id": None, "feed_port": 0, "public_url": PUBLIC, **overrides}
    return settings_for(fake, tmp_path, **values)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot(fake, tmp_path, clock) -> AsyncIterator[CourseBot]:
    async with running_bot(fake, feed_settings(fake, tmp_path), clock) as running:
        yield running


async def token_of(bot: CourseBot) -> str:
    assert bot.store is not None
    token = await bot.store.secret(FEED_TOKEN)
    assert token is not None
    return token


def local(bot: CourseBot, token: str) -> str:
    """The feed as the proxy reaches it."""
    assert bot.feed is not None
    return f"http://127.0.0.1:{bot.feed_server.port}/calendar/{token}.ics"


async def fetch(http: aiohttp.ClientSession, url: str, etag: str | None = None) -> tuple[int, bytes, str | None]:
    headers = {"If-None-Match": etag} if etag else {}
    async with http.get(url, headers=headers) as response:
        return response.status, await response.read(), response.headers.get("ETag")


async def command(fake, name: str, subcommand=(), options=None, who=None) -> dict:
    interaction = await fake.send_interaction(name=name, subcommand=subcommand, options=options, **(who or TEACHER))
    return await final_answer(fake, interaction)


def unfolded(data: bytes) -> str:
    return data.decode().replace("\r\n ", "")


def by_key(data: bytes) -> dict[str, object]:
    return {str(e["UID"]).split(".")[0]: e for e in Calendar.from_ical(data).walk("VEVENT")}


async def test_calendar_shows_both_links_and_the_same_bytes(bot, fake, http) -> None:
    """/calendar (ephemeral): the https link, its webcal:// form, how to subscribe, and the feed's very bytes."""
    token = await token_of(bot)
    interaction = await fake.send_interaction(name="calendar", **PUPIL)
    callback = await fake.wait_for_callback(interaction)
    data = callback.json["data"]
    assert data["flags"] & EPHEMERAL
    content = data["content"]
    assert f"<{PUBLIC}/calendar/{token}.ics>" in content
    assert f"`webcal://cal.example.edu/calendar/{token}.ics`" in content
    assert all(app in content for app in ("Google Calendar", "Apple Calendar", "Outlook"))
    status, body, _ = await fetch(http, local(bot, token))
    assert status == 200
    assert callback.files[0].data == body


async def test_feed_bytes_and_headers(bot, http) -> None:
    """200, text/calendar; the refresh lines exactly as RFC 7986 spells them, METHOD, NAME and SOURCE."""
    token = await token_of(bot)
    async with http.get(local(bot, token)) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["Cache-Control"]
        body = await response.read()
    text = unfolded(body)
    for line in ("REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "METHOD:PUBLISH",
                 "NAME:Machine Learning at Scale (Fall 2024)", f"SOURCE:{PUBLIC}/calendar/{token}.ics"):
        assert f"\r\n{line}\r\n" in text, line
    cal = Calendar.from_ical(body)
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert len(cal.walk("VEVENT")) == 32
    assert len(vobject.readOne(body.decode()).vevent_list) == 32


async def test_unchanged_course_same_bytes_and_304(bot, http) -> None:
    """Repeated GETs give identical bytes and ETag; If-None-Match with it gives 304 and no body."""
    url = local(bot, await token_of(bot))
    first = await fetch(http, url)
    second = await fetch(http, url)
    assert first == second and first[0] == 200
    status, body, etag = await fetch(http, url, first[2])
    assert (status, body, etag) == (304, b"", first[2])


async def test_an_instructor_move_is_in_the_next_get(bot, fake, http) -> None:
    """/course move: the next GET (old ETag) is 200 with a new ETag, class 7 moved, its SEQUENCE higher, UID kept."""
    url = local(bot, await token_of(bot))
    _, before, etag = await fetch(http, url)
    answer = await command(fake, "course", "move", {"date": "9/18", "to": "9/19"})
    assert "Saved as change" in str(answer), answer
    status, after, new_etag = await fetch(http, url, etag)
    assert status == 200 and new_etag != etag
    old, new = by_key(before)["class-7"], by_key(after)["class-7"]
    assert old["DTSTART"].dt == dt.date(2024, 9, 18) and new["DTSTART"].dt == dt.date(2024, 9, 19)
    assert int(new["SEQUENCE"]) > int(old["SEQUENCE"])
    assert str(new["UID"]) == str(old["UID"])
    assert set(by_key(after)) == set(by_key(before))
    assert (await fetch(http, url, new_etag))[0] == 304


async def test_calendar_reset(bot, fake, http) -> None:
    """/course calendar-reset: the new link in the (ephemeral) reply; the old URL 404 at once, the new one 200."""
    old = await token_of(bot)
    assert (await fetch(http, local(bot, old)))[0] == 200
    answer = await command(fake, "course", "calendar-reset")
    assert answer["flags"] & EPHEMERAL
    new = await token_of(bot)
    assert new != old
    assert LINK.findall(answer["content"]) == [new]
    assert f"webcal://cal.example.edu/calendar/{new}.ics" in answer["content"]
    assert (await fetch(http, local(bot, old)))[0] == 404
    status, body, _ = await fetch(http, local(bot, new))
    assert status == 200 and f"SOURCE:{PUBLIC}/calendar/{new}.ics" in unfolded(body)


@pytest.mark.parametrize(("who", "refused"), [(PUPIL, True), (TEACHER, False)], ids=["student", "instructor (control)"])
async def test_only_the_instructor_resets(bot, fake, http, who, refused) -> None:
    """A student's /course calendar-reset is refused and the link keeps working; the instructor's is not."""
    old = await token_of(bot)
    answer = await command(fake, "course", "calendar-reset", who=who)
    assert ("Only the instructor" in answer["content"]) is refused
    assert (await token_of(bot) == old) is refused
    assert ((await fetch(http, local(bot, old)))[0] == 200) is refused


async def test_a_restart_keeps_the_token(fake, tmp_path, clock, http) -> None:
    """The token is made once and read back from the database on the next start: the link survives."""
    settings = feed_settings(fake, tmp_path)
    async with running_bot(fake, settings, clock) as first:
        token = await token_of(first)
        _, body, etag = await fetch(http, local(first, token))
    async with running_bot(fake, settings, clock) as second:
        assert await token_of(second) == token
        assert await fetch(http, local(second, token)) == (200, body, etag)


async def test_stopped_with_the_bot(fake, tmp_path, clock, http) -> None:
    """close() stops the feed: nothing answers on its port afterwards."""
    async with running_bot(fake, feed_settings(fake, tmp_path), clock) as running:
        url = local(running, await token_of(running))
        assert (await fetch(http, url))[0] == 200
    with pytest.raises(aiohttp.ClientConnectionError):
        await fetch(http, url)


@pytest.mark.parametrize("wrong", ["{other}", "{token}x", "{short}", "../{token}", "{upper}"])
async def test_wrong_tokens_are_404(bot, http, wrong) -> None:
    """A wrong, truncated, padded or case-changed token: 404 with no calendar in it."""
    token = await token_of(bot)
    base = local(bot, token).rsplit("/", 1)[0]
    bad = wrong.format(token=token, other="A" * 43, short=token[:-1], upper=token.upper())
    async with http.get(f"{base}/{bad}.ics") as response:
        assert response.status == 404
        assert b"VCALENDAR" not in await response.read()


async def test_the_token_is_never_logged(fake, tmp_path, clock, http, caplog) -> None:
    """Start-up logs host and port; no record, from start to reset to shutdown, carries a token."""
    with caplog.at_level(logging.DEBUG):
        async with running_bot(fake, feed_settings(fake, tmp_path), clock) as running:
            tokens = [await token_of(running)]
            await fetch(http, local(running, tokens[0]))
            await command(fake, "course", "calendar-reset")
            tokens.append(await token_of(running))
            await fetch(http, local(running, "A" * 43))
    # aiosqlite logs each query's parameters at DEBUG (the store's, not ours; the bot runs at INFO).
    messages = [r.getMessage() for r in caplog.records if r.name != "aiosqlite" or r.levelno >= logging.INFO]
    assert any("calendar feed listening host=127.0.0.1 port=" in m for m in messages)
    assert not [m for m in messages if any(t in m for t in tokens)]


@pytest.mark.parametrize("overrides", [{"feed_port": None}, {"public_url": None}, {"calendar_feed": False}],
                         ids=["no feed_port", "no public_url", "calendar_feed off"])
async def test_calendar_without_links(fake, tmp_path, clock, http, overrides) -> None:
    """Without a feed, a public URL or with the feed turned off, /calendar sends the file alone, as before."""
    async with running_bot(fake, feed_settings(fake, tmp_path, **overrides), clock) as running:
        interaction = await fake.send_interaction(name="calendar", **PUPIL)
        callback = await fake.wait_for_callback(interaction)
        content = callback.json["data"]["content"]
        assert "webcal://" not in content and "/calendar/" not in content
        assert content.startswith("Import this file")
        assert Calendar.from_ical(callback.files[0].data).walk("VEVENT")
        if running.feed is not None:  # the server runs; it serves only while the feed is on
            status = (await fetch(http, local(running, await token_of(running))))[0]
            assert status == (404 if overrides == {"calendar_feed": False} else 200)


async def test_reset_without_a_feed_says_so(fake, tmp_path, clock) -> None:
    """/course calendar-reset with no feed_port: an ephemeral sentence, nothing stored."""
    async with running_bot(fake, feed_settings(fake, tmp_path, feed_port=None), clock) as running:
        answer = await command(fake, "course", "calendar-reset")
        assert "feed is off" in answer["content"] and answer["flags"] & EPHEMERAL
        assert running.store is not None and await running.store.secret(FEED_TOKEN) is None


async def test_office_hours_keep_local_time_across_dst(bot, http) -> None:
    """recurring-ical-events expands office hours at 10:00 New York time both before and after Nov 3, 2024."""
    _, body, _ = await fetch(http, local(bot, await token_of(bot)))
    found = recurring_ical_events.of(Calendar.from_ical(body)).between(dt.date(2024, 10, 28), dt.date(2024, 11, 10))
    hours = sorted(e["DTSTART"].dt for e in found if str(e["UID"]).startswith("office-hours-1."))
    assert [h.astimezone(NEW_YORK).replace(tzinfo=None) for h in hours] == [
        dt.datetime(2024, 10, 30, 10, 0), dt.datetime(2024, 11, 6, 10, 0)]
    assert {h.utcoffset() for h in hours} == {dt.timedelta(hours=-4), dt.timedelta(hours=-5)}


async def test_uids_unique_and_of_this_course_and_term(bot, http) -> None:
    """Every UID is unique and names this course and term; the same in every fetch."""
    url = local(bot, await token_of(bot))
    first = [str(e["UID"]) for e in Calendar.from_ical((await fetch(http, url))[1]).walk("VEVENT")]
    again = [str(e["UID"]) for e in Calendar.from_ical((await fetch(http, url))[1]).walk("VEVENT")]
    assert len(set(first)) == len(first) == 32 and first == again
    assert event_uid(bot.course, "class-7") in first
    assert all(uid.endswith(".machine-learning-at-scale-fall-2024@coursebot") for uid in first)


async def test_the_command_line_writes_the_feeds_bytes_and_follows_setup(fake, tmp_path, clock, http, monkeypatch):
    """`python -m bot calendar` gives the bytes the feed serves; with the feed switched off by /setup, no feed
    address is in the file, as in /calendar's."""
    from bot.__main__ import main

    settings = feed_settings(fake, tmp_path)
    async with running_bot(fake, settings, clock, origins={}) as bot:
        _, served, _ = await fetch(http, local(bot, await token_of(bot)))
    for key, value in {"COURSEBOT_DATABASE": settings.database, "COURSEBOT_SCHEDULE": settings.schedule,
                       "COURSEBOT_FEED_PORT": "8080", "COURSEBOT_PUBLIC_URL": PUBLIC,
                       "COURSEBOT_GUILD_ID": str(fake.guild_id)}.items():
        monkeypatch.setenv(key, value)
    written = tmp_path / "course.ics"
    assert await asyncio.to_thread(main, ["calendar", "-o", str(written)]) == 0
    assert written.read_bytes() == served and b"SOURCE" in served
    async with running_bot(fake, settings, clock, origins={}) as bot:
        answer = await final_answer(fake, await fake.send_interaction(
            name="setup", options={"calendar_feed": False}, user=INSTRUCTOR, permissions=1 << 5))
        assert "Saved: Calendar feed." in answer["embeds"][0]["description"]
    assert await asyncio.to_thread(main, ["calendar", "-o", str(written)]) == 0
    assert b"SOURCE" not in written.read_bytes() and b"BEGIN:VEVENT" in written.read_bytes()
