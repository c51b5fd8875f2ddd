"""Command line only: `python -m bot [run|console|check|new|import]`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.core.loader import ScheduleError, load_file
from bot.core.model import Course, Revision
from bot.settings import Configured, Settings, SettingsError, load_settings, read_settings

HOW_TO_CONNECT = (
    "DISCORD_TOKEN is not set, so the bot cannot connect to Discord.\n"
    "  To run it: export DISCORD_TOKEN=<your bot's token> (Discord Developer Portal → your application → Bot),\n"
    "             then python -m bot\n"
    "  To try it offline: python -m bot console [--now \"YYYY-MM-DD HH:MM\"]"
)


NEW_OPTIONS = {  # `new`'s options: metavar, help (the question asked in a terminal is the help)
    "title": ("TITLE", "the course title, like Distributed Systems"),
    "code": ("CODE", "the course code, like CS 452 (optional)"),
    "instructor": ("NAME", "who teaches it (optional)"),
    "term": ("TERM", "the term, like Spring 2026"),
    "first": ("YYYY-MM-DD", "the first day of classes"),
    "last": ("YYYY-MM-DD", "the last day of classes"),
    "timezone": ("Area/City", "the course's time zone, like America/New_York"),
    "days": ("Tue,Thu", "the meeting days, like Tue,Thu"),
    "start": ("HH:MM", "when classes start, 24-hour (optional)"),
    "end": ("HH:MM", "when classes end, 24-hour (optional)"),
    "room": ("ROOM", "where classes meet (optional)"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="coursebot: a Discord bot for a course.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot on Discord (the default; needs DISCORD_TOKEN)")
    console = sub.add_parser("console", help="answer slash commands offline, in the terminal")
    console.add_argument("--now", help='pretend it is this instant: "YYYY-MM-DD HH:MM" (course time) or ISO 8601')
    reminders = sub.add_parser("reminders", help="print the reminder plan: when, where, the text, and its state")
    reminders.add_argument("--from", dest="start", metavar="DATE", help="first day (month/day, YYYY-MM-DD, today, ...)")
    reminders.add_argument("--to", dest="end", metavar="DATE", help="last day (default: the end of the term)")
    reminders.add_argument("--now", metavar="INSTANT", help='show states as at this instant: "2025-02-14 21:00" '
                           "(the course's time zone) or ISO 8601 with an offset (default: the clock)")
    calendar = sub.add_parser("calendar", help="write the course calendar (.ics) for calendar apps")
    calendar.add_argument("-o", "--output", default="course.ics", help="the file to write (- for standard output)")
    check = sub.add_parser("check", help="validate schedule.yaml and the settings")
    check.add_argument("path", nargs="?", help="the schedule file (default: the `schedule` setting)")
    new = sub.add_parser("new", help="write a skeleton schedule.yaml for a new term (or roll an old one onto it)")
    new.add_argument("-o", "--output", default="schedule.yaml", help="the file to write (- for standard output)")
    new.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    new.add_argument("--from", dest="source", metavar="OLD.yaml", help="an old course to roll onto the new term")
    for name, what in NEW_OPTIONS.items():
        new.add_argument(f"--{name}", metavar=what[0], help=what[1])
    new.add_argument("--break", dest="breaks", action="append", default=[], metavar="NAME:FROM:TO",
                     help='a break without classes, like "Spring break:2025-03-24:2025-03-28" (repeat for more)')
    forget = sub.add_parser("forget-server", help="delete everything stored for one server's course (stop the bot "
                            "first)")
    forget.add_argument("guild", metavar="SERVER_ID", help="the server's id (Developer Mode → right-click → Copy ID)")
    forget.add_argument("--yes", action="store_true", help="delete (without it: only say what would be deleted)")
    imp = sub.add_parser("import", help="a draft schedule.yaml from a syllabus page (text, HTML or Markdown)")
    imp.add_argument("page", metavar="PAGE", help="the syllabus page, saved as a file")
    imp.add_argument("--year", type=int, metavar="YYYY", help="the year of the first class (default: inferred)")
    imp.add_argument("--kind", choices=("text", "html", "markdown"), help="the page's format (default: guessed)")
    imp.add_argument("-o", "--output", default="schedule.yaml", help="the file to write (- for standard output)")
    imp.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    return parser


def _check(path_arg: str | None) -> int:
    """Validate the course file and the settings: every problem (exit 1), or the warnings and a summary (exit 0)."""
    problems: list[str] = []
    schedule = path_arg
    try:
        settings = load_settings()
        schedule = schedule or settings.schedule
    except SettingsError as exc:
        problems += exc.problems
        schedule = schedule or "schedule.yaml"
    try:
        loaded = load_file(schedule)
    except ScheduleError as exc:
        problems += [str(p) for p in exc.problems]
        loaded = None
    if problems:
        for line in problems:
            print(line)
        print(f"{len(problems)} problem{'s' * (len(problems) != 1)} found.")
        return 1
    assert loaded is not None
    for warning in loaded.warnings:  # odd but possible (a make-up class in a break): shown, never fatal
        where = f"{warning.file}:{warning.line}" if warning.line else warning.file
        print(f"{where}: warning: {warning.message}")

    def count(n: int, one: str, many: str = "") -> str:
        return f"{n or 'no'} {one if n == 1 else many or one + 's'}"

    course = loaded.course
    cancelled = sum(s.cancelled for s in course.sessions)
    exams = course.all_exams()
    in_class = sum(e.session is not None for e in exams)
    has = [f"{count(len(course.sessions), 'class', 'classes')} ({cancelled or 'none'} cancelled)",
           count(len(exams), "exam") + (f" ({in_class} in class)" if in_class else ""),
           count(len(course.deadlines), "deadline"), count(sum(len(s.papers) for s in course.sessions), "paper")]
    warned = f" with {count(len(loaded.warnings), 'warning')}" if loaded.warnings else ""
    print(f"{schedule}: OK{warned} — {course.name}, {course.term}: {', '.join(has)}, "
          f"{course.first_day} to {course.end}.")
    return 0


def _ask(values: dict[str, object], rolling: bool) -> None:
    """In a terminal: ask for what is missing (and, for a fresh skeleton, the optional values too)."""
    from bot.core.skeleton import missing

    needed = missing(values, rolling)
    optional = [] if rolling else [k for k in ("code", "instructor", "start", "end", "room") if not values.get(k)]
    for name in [k for k in NEW_OPTIONS if k in needed or k in optional]:
        hint = " (Enter to leave out)" if name in optional else ""
        values[name] = input(f"{NEW_OPTIONS[name][1][0].upper()}{NEW_OPTIONS[name][1][1:]}{hint}: ").strip()
    if not values["breaks"]:
        while answer := input("A break, as NAME:YYYY-MM-DD:YYYY-MM-DD (Enter when done): ").strip():
            values["breaks"].append(answer)  # type: ignore[attr-defined]


def _new(args: argparse.Namespace) -> int:
    """Write a new term's schedule.yaml (rolled from --from when given); nothing is written on a problem."""
    from bot.core import loader, rollover, skeleton

    output, rolling = args.output, args.source is not None
    if output != "-" and Path(output).exists() and not args.force:
        print(f"{output} already exists; choose another file with -o, or add --force to replace it.", file=sys.stderr)
        return 1
    values: dict[str, object] = {k: getattr(args, k) for k in NEW_OPTIONS} | {"breaks": list(args.breaks)}
    if skeleton.missing(values, rolling) and sys.stdin.isatty():
        try:
            _ask(values, rolling)
        except (EOFError, KeyboardInterrupt):
            print("\nNothing written.", file=sys.stderr)
            return 2
    try:
        plan = skeleton.parse_plan(values, rolling)
        if rolling:
            rolled = rollover.roll(loader.read_text(args.source), plan, args.source, output)
            text, report = rolled.text, rolled.report
            summary = f"{rolled.classes} classes, {rolled.carried} with last term's topics"
            skipped = rolled.skipped
        else:
            text, report = skeleton.skeleton_text(plan, output), ()
            summary = f"{len(skeleton.class_days(plan))} classes"
            skipped = len(skeleton.skipped_days(plan))
        loader.load_text(text, output)  # the file we write always passes `check`
    except skeleton.PlanError as exc:
        hint = "Give the missing values as options, or run in a terminal to be asked.\n" * any(
            p.startswith("Missing") for p in exc.problems)
        print("\n".join(exc.problems) + f"\n{hint}Nothing written.", file=sys.stderr)
        return 2
    except loader.ScheduleError as exc:
        print("\n".join(str(p) for p in exc.problems) + "\nNothing written.", file=sys.stderr)
        return 1
    summary += f", {skipped} class day{'s' * (skipped != 1)} in breaks skipped" if skipped else ", no breaks"
    if output == "-":
        sys.stdout.write(text)
    else:
        try:
            with open(output, "w" if args.force else "x", encoding="utf-8") as file:
                file.write(text)
        except OSError as exc:
            print(f"Cannot write {output}: {exc.strerror or exc}. Nothing written.", file=sys.stderr)
            return 1
    out = sys.stderr if output == "-" else sys.stdout
    print(f"Wrote {output}: {summary}. Next: fill in the topics, then python -m bot check {output}", file=out)
    for line in report:
        print(f"  - {line}", file=out)
    return 0


def _import(args: argparse.Namespace) -> int:
    """Write a draft schedule.yaml read from a syllabus page, and say what it holds and what to check."""
    from bot.clock import system_clock
    from bot.core.importer import ImportProblem, guess_kind, import_page

    output = args.output
    if output != "-" and Path(output).exists() and not args.force:
        print(f"{output} already exists; choose another file with -o, or add --force to replace it.", file=sys.stderr)
        return 1
    try:
        page = Path(args.page).read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        print(f"Cannot read {args.page}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    try:
        draft = import_page(page, kind=args.kind or guess_kind(page, args.page), year=args.year,
                            near=system_clock().year, source=Path(args.page).name)
    except ImportProblem as exc:
        print(f"{exc}\nNothing written.", file=sys.stderr)
        return 1
    if output == "-":
        sys.stdout.write(draft.text)
    else:
        try:
            with open(output, "w" if args.force else "x", encoding="utf-8") as file:
                file.write(draft.text)
        except OSError as exc:
            print(f"Cannot write {output}: {exc.strerror or exc}. Nothing written.", file=sys.stderr)
            return 1
    out = sys.stderr if output == "-" else sys.stdout
    how = {"given": "as given", "page": "from the page", "weekdays": "from the weekdays on the page",
           "pattern": "from the meeting days"}[draft.year_how]
    print(f"Wrote {output}: {draft.sessions} classes ({draft.cancelled} cancelled), {draft.papers} papers, "
          f"{draft.resources} resources, {draft.deadlines} deadlines, {draft.exams} exams, {draft.office_hours} "
          f"office hours; year {draft.year} {how}.", file=out)
    print(f"  {draft.checks} lines are marked “# check:”, and the end of the file lists what could not be read. "
          f"Next: fix them, then python -m bot check {output}", file=out)
    return 0


def _current_course_or_exit(settings: Settings) -> Course:
    """schedule.yaml with the instructor's stored changes, or exit 1 with the problems."""
    return _course_and_revisions_or_exit(settings)[0]


def _course_and_revisions_or_exit(settings: Settings) -> tuple[Course, Mapping[str, Revision]]:
    """The course as it stands and the change log's revisions (the calendar's SEQUENCE), or exit 1."""
    import asyncio

    from bot.course_state import current_course_and_revisions
    from bot.store import StoreError, database_exists

    try:
        return asyncio.run(current_course_and_revisions(settings.schedule, settings.database,
                                                        database_exists(settings.database), settings.critique_cutoff))
    except ScheduleError as exc:
        print("The schedule has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
    except StoreError as exc:
        print(exc, file=sys.stderr)
    sys.exit(1)


def _reminders(settings: Settings, course: Course, start: str | None, end: str | None,
               now_text: str | None = None) -> int:
    """The plan from --from to --to (default: the whole term), each reminder's state as seen at --now."""
    import asyncio

    from bot.clock import system_clock
    from bot.core.dates import QueryError, parse_when
    from bot.delivery import plan_with_states
    from bot.render.text import reminder_plan
    from bot.store import StoreError, database_exists

    now = system_clock()
    if now_text is not None:
        try:
            parsed = dt.datetime.fromisoformat(now_text.strip())
        except ValueError:
            example = dt.datetime.combine(course.first_day, dt.time(9, 0))
            print(f"--now “{now_text[:60]}” is not a date and time. Use \"{example:%Y-%m-%d %H:%M}\" "
                  f"(in the course's time zone, {course.timezone.key}) or ISO 8601 with an offset, "
                  f"like {example.replace(tzinfo=course.timezone).isoformat()}.", file=sys.stderr)
            return 2
        now = parsed if parsed.tzinfo else parsed.replace(tzinfo=course.timezone)
    try:
        first = parse_when(course, start, now).date if start else dt.date.min
        last = parse_when(course, end, now).date if end else dt.date.max
    except QueryError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        rows = asyncio.run(plan_with_states(course, settings.reminders, settings.database,
                                            database_exists(settings.database)))
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    # As seen at --now: what the ledger recorded after that instant had not happened yet.
    rows = [(r, e if e is None or e.updated_at <= now else None) for r, e in rows
            if first <= r.at.astimezone(course.timezone).date() <= last]
    print(reminder_plan(rows, settings.reminder_channel_id, now, course.timezone))
    return 0


def _feed_url(configured: Configured) -> str | None:
    """The live feed's address when the feed is on (the file, the environment, then /setup's switch), so the
    file is the feed's bytes; None without a feed or before its first start made a token."""
    import asyncio

    from bot.server_config import ServerConfig
    from bot.store import Store, database_exists
    from bot.web import FEED_TOKEN, feed_url

    settings = configured.settings
    if settings.feed_port is None or not settings.public_url or not database_exists(settings.database):
        return None

    async def read() -> tuple[bool, str | None]:
        store = await Store.open(settings.database)
        try:
            config = ServerConfig(settings, configured.origins)
            await config.load(store)
            return config.effective.calendar_feed, await store.secret(FEED_TOKEN)
        finally:
            await store.close()

    on, token = asyncio.run(read())
    return feed_url(settings.public_url, token) if on and token else None


def _calendar(course: Course, revisions: Mapping[str, Revision] | None, output: str,
              feed: str | None = None) -> int:
    """Write the course's .ics; `revisions` are the change log's, so the bytes are those /calendar sends."""
    from bot.core.ics import build_calendar

    data = build_calendar(course, revisions, feed)
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
    if args.command == "new":
        return _new(args)
    if args.command == "import":
        return _import(args)
    try:
        configured = read_settings()
    except SettingsError as exc:
        print("The settings have problems:\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 1
    settings = configured.settings
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
        return _calendar(*_course_and_revisions_or_exit(settings), output=args.output, feed=_feed_url(configured))
    if args.command == "forget-server":
        from bot.forget import forget_server

        return forget_server(settings, args.guild, delete=args.yes)
    if args.command == "reminders":
        return _reminders(settings, _current_course_or_exit(settings), args.start, args.end, args.now)
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        print(HOW_TO_CONNECT, file=sys.stderr)
        return 2
    from bot.app import run_bot

    return run_bot(settings, token, Path.cwd(), configured.origins)


if __name__ == "__main__":
    sys.exit(main())
