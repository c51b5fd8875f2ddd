"""The live calendar feed: an aiohttp server in the bot's own process and event loop.

The contract, kept here:
- `GET`/`HEAD /calendar/<token>.ics` answers the course's calendar (`text/calendar; charset=utf-8`) with a
  strong ETag (a hash of the bytes) and `304 Not Modified` when `If-None-Match` names it. The bytes are
  those `/calendar` attaches, built from the course as it stands: a change is in the very next response,
  and while the course is unchanged the bytes (and so the ETag) are too. They are built once per course
  version (the course object and its revisions, which `CourseState` replaces on every change), so a 304 or
  a repeated GET never rebuilds them.
- The token is the course's secret "feed_token" in the store (`secrets.token_urlsafe(32)`, made on the
  first start with the feed), compared in constant time. `reset` replaces it: the old URL is 404 at once.
- Anything else (a wrong or malformed token, another path) is a bare 404; another method on the feed's
  path a bare 405. No client ever sees a stack trace; nothing here logs a URL or a token (aiohttp's access
  log is off: its request lines carry the token).
- The server runs when `feed_port` is set; while `calendar_feed` is off (the settings in effect, which /setup
  may change) every request is a 404 and `/calendar` shows no link.

`CalendarFeed` is the HTTP server alone, one for every course of the process: `FeedRoutes` says which course a
token serves. `CourseFeed` is one course's side: its token in the store, its settings and its calendar. None of
them knows anything about Discord.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.clock import Clock
from bot.core.changes import ChangeError
from bot.core.ics import build_calendar
from bot.course_state import CourseState
from bot.settings import Settings
from bot.store import Store

if TYPE_CHECKING:
    from aiohttp.helpers import ETag

log = logging.getLogger(__name__)

FEED_TOKEN = "feed_token"  # noqa: S105 (the name the store keeps the secret under, not a secret)
FEED_PATH = re.compile(r"/calendar/([A-Za-z0-9_-]{1,128})\.ics")
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Every fetch asks again (a change must show at once); the ETag makes asking cheap. The URL holds a secret,
# so no shared cache keeps it.
CACHE_CONTROL = "private, no-cache"
SHUTDOWN_TIMEOUT = 1.0  # seconds for requests in flight; SIGTERM must exit within 5
MAX_LINE = 2048  # request line and each header: tighter than aiohttp's 8190
MAX_HEADERS = 64  # aiohttp's default is 128
MAX_BODY = 1024  # a feed request has no body
PLAIN_HEADERS = {"Server": "coursebot", "X-Content-Type-Options": "nosniff"}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_url(public_url: str, token: str) -> str:
    """'https://cal.example.edu/calendar/<token>.ics'."""
    return f"{public_url.rstrip('/')}/calendar/{token}.ics"


def webcal_url(url: str) -> str:
    """The same address as webcal:// (the scheme calendar apps open as a subscription)."""
    return "webcal://" + url.split("://", 1)[1]


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: tuple[ETag, ...] | None, etag: str) -> bool:
    """RFC 9110 13.1.2: '*' or any listed tag, compared weakly (W/"x" matches "x")."""
    if not if_none_match:
        return False
    value = etag.strip('"')
    return any(tag.value in ("*", value) for tag in if_none_match)


def _bare(status: int, **headers: str) -> web.Response:
    return web.Response(status=status, headers={**PLAIN_HEADERS, **headers})


Tagged = tuple[bytes, str]  # a calendar's bytes and their ETag
Source = Callable[[], Tagged | None]  # one course's calendar as it stands; None when there is nothing to serve


def tagged(body: bytes | None) -> Tagged | None:
    return None if body is None else (body, strong_etag(body))


class CalendarFeed:
    """`GET`/`HEAD /calendar/<token>.ics` on host:port: `lookup(token)` gives the course's source, or None (404)."""

    def __init__(self, host: str, port: int, lookup: Callable[[str], Source | None]) -> None:
        self.host = host
        self.port = port
        self._lookup = lookup
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Listen (port 0 picks a free one); returns the port bound."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{path:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT,
                               max_line_size=MAX_LINE, max_field_size=MAX_LINE, max_headers=MAX_HEADERS)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @staticmethod
    def url(public_url: str, token: str) -> str:
        return feed_url(public_url, token)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return self._answer(request)
        except Exception:  # logged without the request (its path is the secret); the client learns nothing
            log.exception("calendar feed: a request failed")
            return _bare(500)

    def _answer(self, request: web.Request) -> web.StreamResponse:
        match = FEED_PATH.fullmatch(request.path)
        source = self._lookup(match[1]) if match is not None else None
        if source is None:
            return _bare(404)
        if request.method not in ("GET", "HEAD"):
            return _bare(405, Allow="GET, HEAD")
        served = source()
        if served is None:
            return _bare(404)
        body, etag = served
        headers = {**PLAIN_HEADERS, "ETag": etag, "Cache-Control": CACHE_CONTROL}
        if _matches(request.if_none_match, etag):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = CONTENT_TYPE
        return web.Response(body=body, headers=headers)


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """What a student subscribes to."""

    https: str
    webcal: str


class FeedRoutes:
    """Which course's feed each token serves: the one table the shared server looks a request up in.

    A dict lookup by the whole token, then a constant-time comparison with the course's own token: a guess
    that is not a token learns nothing from the time it takes (tokens are 256 random bits)."""

    def __init__(self) -> None:
        self._by_token: dict[str, CourseFeed] = {}

    def lookup(self, token: str) -> Source | None:
        feed = self._by_token.get(token)
        if feed is None or feed.token is None or not hmac.compare_digest(token.encode(), feed.token.encode()):
            return None
        return feed.served if feed.on else None

    def add(self, token: str, feed: CourseFeed) -> None:
        self._by_token[token] = feed

    def drop(self, token: str | None) -> None:
        if token is not None:
            self._by_token.pop(token, None)

    def __iter__(self) -> Iterator[CourseFeed]:
        return iter(self._by_token.values())


class CourseFeed:
    """One course's feed: its token in the store, its links, and its calendar built once per course version."""

    def __init__(self, settings: Callable[[], Settings], store: Store, state: CourseState, clock: Clock,
                 routes: FeedRoutes) -> None:
        self._settings = settings
        self._store = store
        self._state = state
        self._clock = clock
        self._routes = routes
        self.token: str | None = None
        self._cached: tuple[object, object, str | None, bytes, str] | None = None

    @property
    def on(self) -> bool:
        """Serving now: the server is up and /setup has not turned the feed off."""
        return self.token is not None and self._settings().calendar_feed is not False  # unset means on

    async def start(self) -> None:
        """Read the token (making it on the first start) and serve it; logs the course, never the token."""
        token = await self._store.secret(FEED_TOKEN)
        if token is None:
            token = new_token()
            await self._store.set_secret(FEED_TOKEN, token, self._clock())
            log.info("calendar feed: made a new feed token (stored in the database) course=%s", self._store.scope)
        self.token = token
        self._routes.add(token, self)

    def stop(self) -> None:
        """Stop serving this course (the bot left its server); the token stays stored for its return."""
        self._routes.drop(self.token)

    async def reset(self) -> FeedLinks | None:
        """A new token, stored first: the old link is 404 from now on. The new links (None without public_url)."""
        token = new_token()
        await self._store.set_secret(FEED_TOKEN, token, self._clock())
        self._routes.drop(self.token)
        self.token = token
        self._routes.add(token, self)
        log.info("calendar feed: token replaced course=%s", self._store.scope)
        return self.links()

    def links(self) -> FeedLinks | None:
        """The https and webcal:// links, when the feed is on and public_url says where students reach it."""
        url = self._url()
        return FeedLinks(url, webcal_url(url)) if url is not None and self.on else None

    def calendar(self) -> bytes:
        """The course's .ics as it stands (the feed's bytes, and /calendar's file), cached per course version."""
        return self._tagged()[0]

    def served(self) -> Tagged | None:
        """What the feed serves: the bytes and their ETag, both computed once per course version."""
        return self._tagged() if self.on and self._state.course is not None else None

    def _tagged(self) -> Tagged:
        course, revisions, url = self._state.course, self._state.revisions, self._url() if self.on else None
        cached = self._cached
        if cached is not None and cached[0] is course and cached[1] is revisions and cached[2] == url:
            return cached[3], cached[4]
        assert course is not None
        body = build_calendar(course, revisions, url)
        self._cached = (course, revisions, url, body, strong_etag(body))
        return body, self._cached[4]

    def _url(self) -> str | None:
        public = self._settings().public_url
        return feed_url(public, self.token) if public and self.token else None


async def open_feed_server(settings: Settings) -> tuple[CalendarFeed, FeedRoutes] | None:
    """The process's feed server and its routes when `feed_port` is set, else None (raises OSError when the
    port cannot be bound)."""
    if settings.feed_port is None:
        return None
    routes = FeedRoutes()
    server = CalendarFeed(settings.feed_host, settings.feed_port, routes.lookup)
    port = await server.start()
    log.info("calendar feed listening host=%s port=%d", server.host, port)
    return server, routes


def calendar_bytes(feed: CourseFeed | None, state: CourseState) -> bytes:
    """What /calendar attaches: the feed's bytes when it runs, else the same calendar without a feed URL."""
    if feed is not None:
        return feed.calendar()
    assert state.course is not None
    return build_calendar(state.course, state.revisions)


async def reset_message(feed: CourseFeed | None) -> str:
    """/course calendar-reset: replace the token; the new links for the instructor's eyes only."""
    if feed is None:
        raise ChangeError("The live calendar feed is off (feed_port is not set), so there is no link to reset. "
                          "Nothing was changed.")
    links = await feed.reset()
    lead = "The calendar feed has a new link; the old one stopped working just now."
    if links is None:
        return (f"{lead} Students will see the new link in /calendar once the feed is on and public_url is set "
                "(it is not shown here without them).")
    return (f"{lead} Subscribed students must subscribe again with the new link (/calendar shows it to them):\n"
            f"<{links.https}>\n`{links.webcal}`")
