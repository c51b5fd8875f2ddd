"""Command line only: `python -m bot [run|console|check]`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from bot.core.loader import ScheduleError, load_course
from bot.core.model import Course
from bot.settings import Settings, SettingsError, load_settings

HOW_TO_CONNECT = (
    "DISCORD_TOKEN is not set, so the bot cannot connect to Discord.\n"
    "  To run it: export DISCORD_TOKEN=<your bot's token> (Discord Developer Portal → your application → Bot),\n"
    "             then python -m bot\n"
    "  To try it offline: python -m bot console [--now \"2024-09-17 09:00\"]"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="coursebot: a Discord bot for a course.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot on Discord (the default; needs DISCORD_TOKEN)")
    console = sub.add_parser("console", help="answer slash commands offline, in the terminal")
    console.add_argument("--now", help='pretend it is this instant: "2024-09-17 09:00" or ISO 8601')
    reminders = sub.add_parser("reminders", help="print the reminder plan: when, where, the text, and its state")
    reminders.add_argument("--from", dest="start", metavar="DATE", help="first day (9/18, 2024-09-18, today, ...)")
    reminders.add_argument("--to", dest="end", metavar="DATE", help="last day (default: the end of the term)")
    calendar = sub.add_parser("calendar", help="write the course calendar (.ics) for calendar apps")
    calendar.add_argument("-o", "--output", default="course.ics", help="the file to write (- for standard output)")
    check = sub.add_parser("check", help="validate schedule.yaml and the settings")
    check.add_argument("path", nargs="?", help="the schedule file (default: the `schedule` setting)")
    return parser


def _check(path_arg: str | None) -> int:
    problems: list[str] = []
    schedule = path_arg
    try:
        settings = load_settings()
        schedule = schedule or settings.schedule
    except SettingsError as exc:
        problems += exc.problems
        schedule = schedule or "schedule.yaml"
    try:
        course = load_course(schedule)
    except ScheduleError as exc:
        problems += [str(p) for p in exc.problems]
        course = None
    if problems:
        for line in problems:
            print(line)
        print(f"{len(problems)} problem{'s' * (len(problems) != 1)} found.")
        return 1
    assert course is not None
    papers = sum(len(s.papers) for s in course.sessions)
    cancelled = sum(s.cancelled for s in course.sessions)
    print(f"{schedule}: OK — {course.title}, {course.term}: {len(course.sessions)} classes "
          f"({cancelled} cancelled), {papers} paper{'s' * (papers != 1)}, {course.first_day} to {course.last_day}.")
    return 0


def _current_course_or_exit(settings: Settings) -> Course:
    """schedule.yaml with the instructor's stored changes, or exit 1 with the problems."""
    import asyncio

    from bot.course_state import current_course
    from bot.store import StoreError

    try:
        return asyncio.run(current_course(settings.schedule, settings.database, Path(settings.database).exists()))
    except ScheduleError as exc:
        print("The schedule has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
    except StoreError as exc:
        print(exc, file=sys.stderr)
    sys.exit(1)


def _reminders(settings: Settings, course: Course, start: str | None, end: str | None) -> int:
    import asyncio

    from bot.clock import system_clock
    from bot.core.dates import QueryError, parse_when
    from bot.delivery import plan_with_states
    from bot.render.text import reminder_plan
    from bot.store import StoreError

    now = system_clock()
    try:
        first = parse_when(course, start, now).date if start else dt.date.min
        last = parse_when(course, end, now).date if end else dt.date.max
    except QueryError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        rows = asyncio.run(plan_with_states(course, settings.reminders, settings.database,
                                            Path(settings.database).exists()))
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    rows = [(r, e) for r, e in rows if first <= r.at.astimezone(course.timezone).date() <= last]
    print(reminder_plan(rows, settings.reminder_channel_id, now, course.timezone))
    return 0


def _calendar(course: Course, output: str) -> int:
    from bot.clock import system_clock
    from bot.core.ics import build_calendar

    data = build_calendar(course, system_clock())
    if output == "-":
        sys.stdout.buffer.write(data)
        return 0
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        print(f"Cannot write {output}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    events = data.count(b"BEGIN:VEVENT")
    print(f"Wrote {output}: {events} events ({course.title}, {course.term}). Import it into your calendar app.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args.path)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print("The settings have problems:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 1
    if args.command == "console":
        from bot import console
        from bot.clock import fixed_clock, system_clock

        course = _current_course_or_exit(settings)
        try:
            clock = fixed_clock(console.parse_now(args.now, course)) if args.now else system_clock
        except console.UsageError as exc:
            print(exc, file=sys.stderr)
            return 2
        return console.run(course, clock, settings=settings)
    if args.command == "calendar":
        return _calendar(_current_course_or_exit(settings), args.output)
    if args.command == "reminders":
        return _reminders(settings, _current_course_or_exit(settings), args.start, args.end)
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        print(HOW_TO_CONNECT, file=sys.stderr)
        return 2
    from bot.app import run_bot

    return run_bot(settings, token, Path.cwd())


if __name__ == "__main__":
    sys.exit(main())
