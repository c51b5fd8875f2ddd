"""bot/web.py's server alone, through a real HTTP client (aiohttp's), with a body and a token the test holds."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot import web
from bot.core.changes import Change, OfficeHoursNote
from bot.course_state import CourseState
from bot.settings import Settings
from bot.store import Store
from bot.web import CalendarFeed, feed_url, webcal_url
from tests.conftest import DS_SCHEDULE, SCHEDULE

TOKEN = "k3Y_-" + "a" * 38  # the shape of secrets.token_urlsafe(32): 43 characters of [A-Za-z0-9_-]
OTHER = "Z" * 43
NOW = dt.datetime(2024, 9, 10, 12, 0, tzinfo=dt.timezone.utc)
BODY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@dataclass
class Source:
    """What the server serves: the test changes it between requests."""

    body: bytes | None = BODY
    token: str | None = TOKEN
    fail: bool = False

    def get_body(self) -> bytes | None:
        if self.fail:
            raise RuntimeError(f"broken provider for {TOKEN}")
        return self.body

    def lookup(self, token: str) -> web.Source | None:
        """The server's routing: this source for its token, nothing for any other."""
        return (lambda: web.tagged(self.get_body())) if self.token is not None and token == self.token else None


@dataclass
class Served:
    source: Source
    feed: CalendarFeed
    http: aiohttp.ClientSession

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.feed.port}{path}"

    async def get(self, path: str = f"/calendar/{TOKEN}.ics", method: str = "GET",
                  **headers: str) -> tuple[aiohttp.ClientResponse, bytes]:
        async with self.http.request(method, self.url(path), headers=headers) as response:
            return response, await response.read()


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    source = Source()
    feed = CalendarFeed("127.0.0.1", 0, source.lookup)
    await feed.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Served(source, feed, http)
    finally:
        await feed.stop()


FEED = f"/calendar/{TOKEN}.ics"


async def test_get_serves_the_calendar(served: Served) -> None:
    """200 with the bytes, text/calendar in UTF-8, a strong quoted ETag and a Cache-Control."""
    response, body = await served.get()
    assert response.status == 200
    assert body == BODY
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/") and len(etag) > 20
    assert "no-cache" in response.headers["Cache-Control"]
    assert "aiohttp" not in response.headers.get("Server", "")


async def test_head_has_the_headers_and_no_body(served: Served) -> None:
    """HEAD: the same status, ETag and length as GET, no body."""
    get, _ = await served.get()
    head, body = await served.get(method="HEAD")
    assert head.status == 200 and body == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(BODY))


@pytest.mark.parametrize("header", ["{etag}", 'W/{etag}', '"other", {etag}', "*"])
async def test_if_none_match_gives_304(served: Served, header: str) -> None:
    """If-None-Match naming the current ETag (in a list, weak, or '*') is answered 304 with no body."""
    first, _ = await served.get()
    etag = first.headers["ETag"]
    response, body = await served.get(**{"If-None-Match": header.format(etag=etag)})
    assert response.status == 304 and body == b""
    assert response.headers["ETag"] == etag
    assert "Cache-Control" in response.headers


async def test_a_change_is_in_the_next_request(served: Served) -> None:
    """New bytes: 200 with them and a new ETag at once; an old ETag no longer gives 304."""
    first, _ = await served.get()
    served.source.body = BODY.replace(b"2.0", b"2.0\r\nX-CHANGED:1")
    second, body = await served.get(**{"If-None-Match": first.headers["ETag"]})
    assert second.status == 200 and body == served.source.body
    assert second.headers["ETag"] != first.headers["ETag"]


async def test_same_bytes_same_etag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A course's feed hashes its bytes once per course version, however often they are fetched; two courses on one
    server each serve their own bytes under their own token."""
    hashed: list[bytes] = []
    real = web.strong_etag
    monkeypatch.setattr(web, "strong_etag", lambda body: hashed.append(body) or real(body))
    store = await Store.open(str(tmp_path / "feed.sqlite3"))
    routes = web.FeedRoutes()
    server = CalendarFeed("127.0.0.1", 0, routes.lookup)
    port = await server.start()
    try:
        feeds = []
        for scope, schedule in ((0, SCHEDULE), (7, DS_SCHEDULE)):
            state = CourseState(str(schedule), store.scoped(scope), lambda: NOW, _replan)
            await state.load()
            feed = web.CourseFeed(lambda: Settings(feed_port=0), store.scoped(scope), state, lambda: NOW, routes)
            await feed.start()
            feeds.append((feed, state))
        async with aiohttp.ClientSession() as http:
            bodies = []
            for feed, state in feeds:
                url = f"http://127.0.0.1:{port}/calendar/{feed.token}.ics"
                tags = set()
                for _ in range(5):
                    async with http.get(url) as response:
                        tags.add(response.headers["ETag"])
                        bodies.append(await response.read())
                assert len(tags) == 1 and state.course is not None
                assert state.course.name.encode() in bodies[-1]
            assert len(hashed) == 2 and bodies[0] != bodies[-1]
            ml_feed, ml_state = feeds[0]
            await ml_state.record(Change(OfficeHoursNote("Moved this week"), author_id=1, author="T"))
            async with http.get(f"http://127.0.0.1:{port}/calendar/{ml_feed.token}.ics") as response:
                assert response.status == 200
            assert len(hashed) == 3  # a new course version: hashed again (the control)
    finally:
        await server.stop()
        await store.close()


async def _replan(course: object) -> None:
    """The feed needs no reminders."""


async def test_a_new_token_invalidates_the_old_url(served: Served) -> None:
    """After the token changes the old URL is 404 and the new one 200."""
    served.source.token = OTHER
    assert (await served.get())[0].status == 404
    assert (await served.get(f"/calendar/{OTHER}.ics"))[0].status == 200


@pytest.mark.parametrize("path", [
    f"/calendar/{OTHER}.ics", f"/calendar/{TOKEN[:-1]}.ics", f"/calendar/{TOKEN}x.ics", f"/calendar/{TOKEN}",
    f"/calendar/{TOKEN}.ics/", f"/calendar/{TOKEN}.ICS", f"/CALENDAR/{TOKEN}.ics", f"/calendar//{TOKEN}.ics",
    f"/{TOKEN}.ics", "/calendar/.ics", "/calendar/", "/", "/calendar/%2e%2e%2fsecret.ics",
    f"/calendar/{TOKEN}%00.ics", "/calendar/" + "a" * 500 + ".ics", "/favicon.ico",
])
async def test_wrong_tokens_and_paths_get_a_bare_404(served: Served, path: str) -> None:
    """Anything but the feed's exact path is 404, and the answer tells nothing (no token, no calendar)."""
    response, body = await served.get(path)
    assert response.status == 404
    assert TOKEN.encode() not in body and b"VCALENDAR" not in body and len(body) < 40
    assert "ETag" not in response.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_get_405_on_the_feed_and_404_elsewhere(served: Served, method: str) -> None:
    """Another method on the feed is 405 (Allow: GET, HEAD) without the calendar; on another path 404."""
    response, body = await served.get(method=method)
    assert response.status == 405 and response.headers["Allow"] == "GET, HEAD"
    assert b"VCALENDAR" not in body
    assert (await served.get(f"/calendar/{OTHER}.ics", method=method))[0].status == 404


@pytest.mark.parametrize(("token", "body"), [(None, BODY), (TOKEN, None)], ids=["no token", "no body"])
async def test_nothing_to_serve_is_404(served: Served, token: str | None, body: bytes | None) -> None:
    """Without a token (the feed is off) or without a body every request is 404."""
    served.source.token, served.source.body = token, body
    response, answer = await served.get()
    assert response.status == 404 and b"VCALENDAR" not in answer


async def test_a_failure_reaches_no_client(caplog: pytest.LogCaptureFixture) -> None:
    """A provider that raises: a bare 500 without a trace (even with asyncio's debug mode, where aiohttp's own
    error page would show one), logged without the URL."""
    asyncio.get_running_loop().set_debug(True)  # before the server starts: aiohttp reads it then
    source = Source(fail=True)
    feed = CalendarFeed("127.0.0.1", 0, source.lookup)
    port = await feed.start()
    try:
        async with aiohttp.ClientSession() as http:
            with caplog.at_level(logging.DEBUG):
                for accept in ("text/plain", "text/html"):
                    async with http.get(f"http://127.0.0.1:{port}{FEED}", headers={"Accept": accept}) as response:
                        body = await response.read()
                        assert response.status == 500
                        assert b"Traceback" not in body and b"RuntimeError" not in body and TOKEN.encode() not in body
            assert any(r.exc_info for r in caplog.records), "the failure is logged"
            assert all(TOKEN not in r.getMessage() for r in caplog.records)
            source.fail = False
            async with http.get(f"http://127.0.0.1:{port}{FEED}") as response:
                assert response.status == 200
    finally:
        await feed.stop()


async def test_no_log_line_carries_the_token(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    """Requests, good and bad, leave no token in any log record (aiohttp's access log is off)."""
    with caplog.at_level(logging.DEBUG):
        for path in (FEED, f"/calendar/{OTHER}.ics"):
            await served.get(path)
        await served.get(method="POST")
    assert all(TOKEN not in r.getMessage() and OTHER not in r.getMessage() for r in caplog.records)


async def raw_request(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


@pytest.mark.parametrize(("size", "refused"), [(1000, False), (4000, True)])
async def test_header_limits(served: Served, size: int, refused: bool) -> None:
    """A 4 kB header is refused (aiohttp's default allows 8 kB); a 1 kB one is not, and no refusal says more."""
    request = (f"GET {FEED} HTTP/1.1\r\nHost: x\r\nX-Pad: {'p' * size}\r\nConnection: close\r\n\r\n").encode()
    answer = await raw_request(served.feed.port, request)
    status = int(answer.split(b" ", 2)[1])
    assert (status >= 400) is refused, answer[:200]
    assert b"Traceback" not in answer


async def test_a_request_body_is_not_read(served: Served) -> None:
    """A large POST body is refused without being taken in."""
    async with served.http.post(served.url(FEED), data=b"x" * 2_000_000) as response:
        assert response.status in (405, 413)


async def test_port_zero_binds_a_free_port_and_stop_releases_it() -> None:
    """start() returns the bound port; after stop() nothing answers there."""
    feed = CalendarFeed("127.0.0.1", 0, Source().lookup)
    port = await feed.start()
    assert port > 0 and feed.port == port
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}{FEED}") as response:
            assert response.status == 200
        await feed.stop()
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.get(f"http://127.0.0.1:{port}{FEED}"):
                pass


def test_links() -> None:
    """The https link and its webcal:// form; a trailing slash in public_url is not doubled."""
    url = feed_url("https://cal.example.edu/", TOKEN)
    assert url == f"https://cal.example.edu/calendar/{TOKEN}.ics" == CalendarFeed.url("https://cal.example.edu", TOKEN)
    assert webcal_url(url) == f"webcal://cal.example.edu/calendar/{TOKEN}.ics"
    assert len(web.new_token()) == 43 and web.new_token() != web.new_token()


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(("source", "knows_discord"), [
    (Path(web.__file__).read_text(), False),
    ("import discord\nfrom aiohttp import web\n", True),  # the control: the check sees an import of discord
])
def test_web_module_knows_nothing_of_discord(tmp_path: Path, source: str, knows_discord: bool) -> None:
    """bot/web.py imports aiohttp, never discord (the boundary; the control shows the check can fail)."""
    path = tmp_path / "module.py"
    path.write_text(source)
    packages = imported_packages(path)
    assert "aiohttp" in packages
    assert ("discord" in packages) is knows_discord
