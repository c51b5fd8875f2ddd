"""The instructor's changes: validated against the course as it stands, applied on top of schedule.yaml.

Each kind of change is one frozen class (`Cancel`, `Move`, `AddReading`, `RemoveReading`, `OfficeHoursNote`,
`DeadlineMove`, `DeadlineAdd`, `DeadlineRemove`) that validates and applies itself (`apply` returns the new
course or raises `ChangeError` with a sentence for the instructor), describes itself (the announcement, and what
undoing it means) and names the calendar events it touches. The log holds `Change` entries: one of those, or an
`Undo` of an earlier entry. The same `apply` validates a change before it is stored and replays the log at
start-up; only the store turns a change into JSON and back (`Change.to_row`, `Change.from_row`).
"""

from bot.core.changes.base import KINDS, Change, ChangeError, Edit, Undo, Unreadable, register, resolve_day
from bot.core.changes.deadlines import (
    DeadlineAdd,
    DeadlineMove,
    DeadlineRemove,
    deadline_choices,
    deadline_label,
    derive_id,
    due_text,
    parse_due,
    parse_time,
)
from bot.core.changes.diff import diff
from bot.core.changes.log import (
    Applied,
    Rebased,
    apply_change,
    apply_log,
    describe,
    describe_undo,
    in_effect,
    prepare,
    rebase,
    revisions,
)
from bot.core.changes.sessions import (
    AddReading,
    Cancel,
    Move,
    OfficeHoursNote,
    RemoveReading,
    label,
    reading_choices,
)

__all__ = [
    "KINDS", "AddReading", "Applied", "Cancel", "Change", "ChangeError", "DeadlineAdd", "DeadlineMove",
    "DeadlineRemove", "Edit", "Move", "OfficeHoursNote", "Rebased", "RemoveReading", "Undo", "Unreadable",
    "apply_change", "apply_log", "deadline_choices", "deadline_label", "derive_id", "describe", "describe_undo", "diff",
    "due_text", "in_effect", "label", "parse_due", "parse_time", "prepare", "reading_choices", "rebase", "register",
    "resolve_day", "revisions",
]
