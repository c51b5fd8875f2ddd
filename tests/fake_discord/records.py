"""What the fake records about REST traffic, and the faults tests queue for it."""

from __future__ import annotations

import http
import math
import re
import time
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
