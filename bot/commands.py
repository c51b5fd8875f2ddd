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


DATE_HELP = "A date: 9/18, Sep 18, 2024-09-18, today, tomorrow, next, wed, or #7"

STUDENT_COMMANDS: tuple[Command, ...] = (
    Command("readings", "What to read and hand in for a class (the next class if no date)",
            (Option("date", DATE_HELP),)),
    Command("next", "The next class: topic, papers and what is due"),
    Command("schedule", "The classes of a week (this week and next by default)",
            (Option("week", "this, next, last, a week number like 3, a date like 9/18, or all"),)),
    Command("officehours", "Office hours: who, when, where, and the next one"),
    Command("deadlines", "What is due next: critiques, the project proposal, the final paper"),
    Command("search", "Find papers, authors and topics in the syllabus (typos are fine)",
            (Option("query", "Words from a title, an author, a topic or a venue", required=True),)),
    Command("critique rules", "How critiques work: length, format, deadline, limits"),
    Command("critique log", "Note a critique you handed in (private: only you see your tracker)",
            (Option("date", "The class it was for: 9/18, Sep 18, #7, today…", required=True),)),
    Command("critique status", "Your critiques so far, and how many classes with papers are left"),
    Command("critique remove", "Take a critique off your tracker",
            (Option("date", "The class: 9/18, Sep 18, #7…", required=True),)),
    Command("calendar", "Download the course calendar (.ics) for your calendar app"),
    Command("remind on", "Get reminders by direct message (all kinds unless you pick some)",
            (Option("kinds", "critiques, project, digest — or all"),)),
    Command("remind off", "Stop direct-message reminders"),
    Command("remind status", "Whether you get direct-message reminders, and which"),
    Command("help", "What this bot can do"),
)

COMMANDS_BY_NAME = {c.name: c for c in STUDENT_COMMANDS}

# Offline only: what `python -m bot reminders` shows, from the console.
CONSOLE_COMMANDS = (
    Command("reminders", "The reminder plan from now (or between two dates), with each one's state",
            (Option("from", DATE_HELP), Option("to", DATE_HELP))),
)
