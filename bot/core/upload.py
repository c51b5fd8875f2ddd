"""A course file sent with /course upload: read it safely, validate it, and preview what confirming would change.

Nothing here stores anything: the preview is what the instructor confirms, and `bot.course_state` stores it.
"""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass

from bot.core.changes import Change, diff, rebase
from bot.core.course_yaml import course_to_yaml
from bot.core.dates import short_date
from bot.core.loader import MAX_FILE_BYTES, load_text
from bot.core.model import Course


class UploadError(Exception):
    """The attachment is not a course file we can read; the message says why, for the instructor."""


def size_text(size: int) -> str:
    """'1.03 MB', '870 kB': precise enough that a file just over the limit does not read as the limit."""
    return f"{size / 1_000_000:.2f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def check_size(filename: str, size: int) -> None:
    """Refuse a file too large to be a course before downloading it."""
    if size > MAX_FILE_BYTES:
        raise UploadError(f"{filename} is {size_text(size)}; a course file is at most {size_text(MAX_FILE_BYTES)}. "
                          "Nothing was changed.")


def read_upload(filename: str, data: bytes) -> str:
    """The attachment as text: at most 1 MB of UTF-8 (or UTF-16 with its byte-order mark, as Windows' Notepad
    saves "Unicode"), never a binary file."""
    check_size(filename, len(data))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _text_or_empty(filename, data.decode("utf-16"))
        except UnicodeDecodeError:
            raise UploadError(f"{filename} starts like UTF-16 text but cannot be read as it: save it as UTF-8 and "
                              "upload it again. Nothing was changed.") from None
    if b"\x00" in data:
        raise UploadError(f"{filename} is a binary file, not a schedule.yaml (text). Nothing was changed.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        shown = data[start:exc.start + 20].split(b"\n")[0].decode("utf-8", "replace")[:60]
        raise UploadError(f"{filename} is not UTF-8 text: line {line} (“{shown}”) has a character saved in another "
                          "encoding (Windows-1252 or Latin-1, often). Save the file as UTF-8 and upload it again. "
                          "Nothing was changed.") from None
    return _text_or_empty(filename, text)


def _text_or_empty(filename: str, text: str) -> str:
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


def preview(filename: str, text: str, current: Course | None, log: list[Change], now: dt.datetime) -> Preview:
    """Validate (raises ScheduleError with every problem and its line) and compare with the running course (None
    in a server without a course yet: the whole file is new).

    A course of another term is not compared class by class (its class 6 is not the running course's class 6):
    the change is one line, the new course. The course as it would download must fit the upload limit too, so
    that /course download, edit, /course upload always works.
    """
    loaded = load_text(text, filename)
    rebased = rebase(loaded.course, log)
    warnings = [str(w) for w in loaded.warnings]
    warnings += term_warnings(loaded.course, current, now)
    size = len(course_to_yaml(rebased.course).encode())
    if size > MAX_FILE_BYTES:
        raise UploadError(f"{filename} is valid, but the course as /course download writes it would be "
                          f"{size_text(size)}, over the {size_text(MAX_FILE_BYTES)} limit (long notes or comments "
                          "take the room): shorten it and upload it again. Nothing was changed.")
    if current is None or other_term(loaded.course, current):
        new = loaded.course
        differences: tuple[str, ...] = (f"New course: {new.name}, {new.term}: {len(new.sessions)} classes from "
                       f"{short_date(new.first_day)} to {short_date(new.last_day)}.",)
    else:
        differences = tuple(diff(current, rebased.course))
    return Preview(filename, text, loaded.course, rebased.course, differences, rebased.dropped, tuple(warnings))


def other_term(new: Course, current: Course | None) -> bool:
    return current is None or (new.term, new.first_day) != (current.term, current.first_day)


def term_warnings(new: Course, current: Course | None, now: dt.datetime) -> list[str]:
    """A file for another term or one already over is allowed, but the instructor should know before confirming."""
    lines = []
    if current is not None and other_term(new, current):
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

