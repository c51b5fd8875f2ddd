"""The slash commands as SPEC.md fixes them: names, options and one-line descriptions.

One table serves the Discord cogs (descriptions), the console (parsing) and /help,
so the three cannot drift apart. Descriptions stay within Discord's 100 characters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # "readings", or "critique rules" for a subcommand
    description: str
    options: tuple[Option, ...] = ()
    instructor: bool = False

    @property
    def usage(self) -> str:
        opts = " ".join(o.name if o.required else f"[{o.name}]" for o in self.options)
        return f"/{self.name} {opts}".strip()


# Option descriptions are synced once for every course, so they name forms, never a course's dates.
DATE_HELP = "A date: month/day, month and day, YYYY-MM-DD, today, tomorrow, next, a weekday, or #N (class)"
CLASS_HELP = "The class: month/day, a month and day, today, next, or #N (class number)"

STUDENT_COMMANDS: tuple[Command, ...] = (
    Command("readings", "What to read and hand in for a class (the next class if no date)",
            (Option("date", DATE_HELP),)),
    Command("next", "The next class or exam: when, where, what to read and what is due"),
    Command("schedule", "The classes of a week (this week and next by default)",
            (Option("week", "this, next, last, a week number, a date in that week, or all"),)),
    Command("officehours", "Office hours: who, when, where, and the next one"),
    Command("deadlines", "What is due next, soonest first, with the day and time"),
    Command("search", "Find readings, authors, topics, deadlines, exams and staff (typos are fine)",
            (Option("query", "Words from a title, an author, a topic, a deadline or a name", required=True),)),
    Command("critique rules", "How critiques work: length, format, deadline, limits"),
    Command("critique log", "Note a critique you handed in (private: only you see your tracker)",
            (Option("date", CLASS_HELP, required=True),)),
    Command("critique status", "Your critiques so far, and how many classes with papers are left"),
    Command("critique remove", "Take a critique off your tracker",
            (Option("date", CLASS_HELP, required=True),)),
    Command("calendar", "Download the course calendar (.ics) for your calendar app"),
    Command("remind on", "Get reminders by direct message (all kinds unless you pick some)",
            (Option("kinds", "Which kinds (all if empty); /remind status lists this course's kinds"),)),
    Command("remind off", "Stop direct-message reminders"),
    Command("remind status", "Whether you get direct-message reminders, and which"),
    Command("help", "What this bot can do"),
)

COMMANDS_BY_NAME = {c.name: c for c in STUDENT_COMMANDS}


def student_commands(has_critiques: bool) -> tuple[Command, ...]:
    """The commands a course offers: the critique tracker only where the course has critiques."""
    return tuple(c for c in STUDENT_COMMANDS if has_critiques or not c.name.startswith("critique"))

# Offline only: what `python -m bot reminders` shows, from the console.
CONSOLE_COMMANDS = (
    Command("reminders", "The reminder plan from now (or between two dates), with each one's state",
            (Option("from", DATE_HELP), Option("to", DATE_HELP))),
)
