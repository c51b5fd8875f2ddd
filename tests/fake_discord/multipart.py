"""Request-body parsing: JSON, or multipart/form-data with a `payload_json` part and `files[n]` parts.

discord.py sends a message with files as multipart (payload_json + files[0..9]); the body is read
whole first so the raw bytes can be recorded too, hence a small parser of our own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class RecordedFile:
    """One uploaded file part."""

    field: str  # e.g. "files[0]"
    filename: str
    data: bytes
    content_type: str | None

    def as_upload(self) -> tuple[str, bytes, str | None]:
        return self.filename, self.data, self.content_type


def _param(header: str, name: str) -> str | None:
    for piece in header.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        if key.lower() == name:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"')
            return value
    return None


def parse_multipart(content_type: str, raw: bytes) -> tuple[Any, list[RecordedFile]]:
    """Returns (payload_json parsed, files); other non-file fields are ignored, like Discord does."""
    boundary = _param(content_type, "boundary")
    if not boundary:
        return None, []
    payload: Any = None
    files: list[RecordedFile] = []
    delimiter = b"--" + boundary.encode()
    for chunk in raw.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, body = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if body.endswith(b"\r\n"):
            body = body[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _param(disposition, "name") or ""
        filename = _param(disposition, "filename")
        if name == "payload_json":
            payload = json.loads(body.decode("utf-8"))
        elif filename is not None:
            files.append(RecordedFile(name, filename, body, headers.get("content-type")))
    return payload, files


def parse_body(content_type: str, raw: bytes) -> tuple[Any, list[RecordedFile]]:
    """JSON bodies are parsed; undecodable ones become None (handlers then see an empty body)."""
    if content_type.startswith("multipart/form-data"):
        return parse_multipart(content_type, raw)
    if not raw:
        return None, []
    try:
        return json.loads(raw.decode("utf-8")), []
    except (UnicodeDecodeError, ValueError):
        return None, []
