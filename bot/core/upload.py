"""A course file sent with /course upload: read it safely, validate it, and preview what confirming would change.

Nothing here stores anything: the preview is what the instructor confirms, and `bot.course_state` stores it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.changes import Change, diff, rebase
from bot.core.dates import short_date
from bot.core.loader import MAX_FILE_BYTES, load_text
from bot.core.model import Course


class UploadError(Exception):
    """The attachment is not a course file we can read; the message says why, for the instructor."""


def size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def check_size(filename: str, size: int) -> None:
    """Refuse a file too large to be a course before downloading it."""
    if size > MAX_FILE_BYTES:
        raise UploadError(f"{filename} is {size_text(size)}; a course file is at most {size_text(MAX_FILE_BYTES)}. "
                          "Nothing was changed.")


def read_upload(filename: str, data: bytes) -> str:
    """The attachment as text: at most 1 MB of UTF-8 (a byte-order mark is dropped), never a binary file."""
    check_size(filename, len(data))
    if b"\x00" in data:
        raise UploadError(f"{filename} is a binary file, not a schedule.yaml (text). Nothing was changed.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(f"{filename} is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8 "
                          "and upload it again. Nothing was changed.") from None
    if not text.strip():
        raise UploadError(f"{filename} is empty. Nothing was changed.")
    return text


@dataclass(frozen=True, slots=True)
class Preview:
    """What confirming an upload would do, computed against the course as it stands."""

    filename: str
    text: str
    base: Course  # the uploaded file's course
    after: Course  # with the earlier changes that still apply
    differences: tuple[str, ...]
    dropped: tuple[tuple[Change, str], ...]
    warnings: tuple[str, ...]


def preview(filename: str, text: str, current: Course, log: list[Change], now: dt.datetime) -> Preview:
    """Validate (raises ScheduleError with every problem and its line) and compare with the running course."""
    loaded = load_text(text, filename)
    rebased = rebase(loaded.course, log)
    warnings = [str(w) for w in loaded.warnings]
    warnings += term_warnings(loaded.course, current, now)
    return Preview(filename, text, loaded.course, rebased.course, tuple(diff(current, rebased.course)),
                   rebased.dropped, tuple(warnings))


def term_warnings(new: Course, current: Course, now: dt.datetime) -> list[str]:
    """A file for another term or one already over is allowed, but the instructor should know before confirming."""
    lines = []
    if (new.term, new.first_day) != (current.term, current.first_day):
        lines.append(f"This file is for {new.term} (from {short_date(new.first_day)}), but the running course is "
                     f"{current.term} (from {short_date(current.first_day)}): confirming replaces it.")
    end = new.term_end or new.last_day
    if end < now.astimezone(new.timezone).date():
        lines.append(f"This course ended on {short_date(end)}: students would see a course that is over.")
    return lines


def dropped_lines(dropped: tuple[tuple[Change, str], ...]) -> list[str]:
    """The earlier changes an upload does not keep, one line each."""
    return [f"Change #{c.id} ({c.edit.summary()}) is not kept: {why.rstrip('.')}." for c, why in dropped]


def summary(prev: Preview) -> list[str]:
    """The announcement's lines: what students will notice."""
    if not prev.differences:
        return ["The course file was replaced; nothing changed for students."]
    return list(prev.differences)

