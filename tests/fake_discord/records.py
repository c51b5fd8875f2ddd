"""What the fake records about REST traffic, and the faults tests queue for it."""

from __future__ import annotations

import http
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .multipart import RecordedFile


@dataclass
class RecordedRequest:
    """One REST request as the fake saw it (and, once answered, what it answered)."""

    method: str
    path: str  # after /api/v10, without the query string, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # parsed JSON body; for multipart, the payload_json part
    files: list[RecordedFile]
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    body: bytes = b""
    route: str | None = None  # e.g. "POST /channels/{channel_id}/messages"; None for unknown routes
    status: int | None = None
    response: Any = None
    injected: bool = False
    applied: tuple[int, Any] | None = None  # with Injection.after: what the route really answered


@dataclass
class Injection:
    """A queued fault for requests matching `method` and `path` (a regex, full match)."""

    method: str
    path: re.Pattern[str]
    status: int | None
    times: int | None  # None: every matching request
    json: Any
    delay: float
    retry_after: float
    is_global: bool
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    after: bool = False  # apply the request first, then answer with the injected status
    drop: bool = False  # close the connection instead of answering (status 0 is recorded)

    def matches(self, method: str, path: str) -> bool:
        live = self.times is None or self.hits < self.times
        return live and self.method in (method, "*") and self.path.fullmatch(path) is not None


def injected_reply(injection: Injection) -> tuple[int, Any, dict[str, str]]:
    status = injection.status or 500
    headers = dict(injection.headers)
    body = injection.json
    if status == 429:
        retry = injection.retry_after
        if body is None:
            body = {"message": "You are being rate limited.", "retry_after": retry, "global": injection.is_global}
        headers.setdefault("Retry-After", str(math.ceil(retry)))
        headers.setdefault("X-RateLimit-Limit", "5")
        headers.setdefault("X-RateLimit-Remaining", "0")
        headers.setdefault("X-RateLimit-Reset", f"{time.time() + retry:.3f}")
        headers.setdefault("X-RateLimit-Reset-After", f"{retry:.3f}")
        headers.setdefault("X-RateLimit-Bucket", "fakebucket0000000000000000000000")
        headers.setdefault("X-RateLimit-Scope", "global" if injection.is_global else "user")
        headers.setdefault("Via", "1.1 google")  # discord.py treats a 429 without Via as a Cloudflare ban
        if injection.is_global:
            headers.setdefault("X-RateLimit-Global", "true")
    elif body is None:
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        body = {"message": f"{status}: {phrase}", "code": 0}
    return status, body, headers


class FaultInjection:
    """Mixin of FakeDiscord: queueing faults for the REST plumbing (server.py) to apply."""

    injections: list[Injection]

    def inject(
        self,
        method: str,
        path_regex: str,
        *,
        status: int | None = 500,
        times: int | None = 1,
        json: Any = None,
        delay: float = 0.0,
        retry_after: float = 1.0,
        is_global: bool = False,
        headers: Mapping[str, str] | None = None,
        after: bool = False,
        drop: bool = False,
    ) -> Injection:
        """Answers the next `times` matching requests (None: all) with `status` after `delay` seconds.

        status=None with a delay makes a slow but otherwise normal answer. 429s get Discord's body and
        X-RateLimit-* / Retry-After / Via headers. Earlier injections win when several match.
        after=True applies the request first (Discord did it; `RecordedRequest.applied` keeps the real
        answer), then answers `status`; drop=True closes the connection instead of answering (recorded
        as status 0; with after=True once applied). discord.py retries 500/502/504 (so a POST applied
        then answered 500 is sent again), raises DiscordServerError for 503 and aiohttp's
        ServerDisconnectedError for a drop.
        """
        injection = Injection(
            method=method.upper(),
            path=re.compile(path_regex),
            status=status,
            times=times,
            json=json,
            delay=delay,
            retry_after=retry_after,
            is_global=is_global,
            headers=dict(headers or {}),
            after=after,
            drop=drop,
        )
        self.injections.append(injection)
        return injection

    def clear_injections(self) -> None:
        self.injections.clear()
