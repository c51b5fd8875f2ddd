"""Direct-message subscriptions: which reminder kinds a stored subscription covers."""

from __future__ import annotations

from bot.core.remind_kinds import DM_KINDS
from bot.delivery import LEGACY_ALL, wants


def test_a_chosen_kind_is_covered_and_others_are_not() -> None:
    assert wants(("exam",), "exam") and not wants(("exam",), "deadline")


def test_all_covers_every_kind() -> None:
    assert all(wants(tuple(DM_KINDS), kind) for kind in DM_KINDS)


def test_an_old_all_covers_the_kinds_added_since() -> None:
    """Before deadlines and exams had reminders, "all" was stored as these three kinds."""
    assert wants(LEGACY_ALL, "exam") and wants(LEGACY_ALL, "deadline")
    assert not wants(("critique", "project"), "exam")  # a real choice stays a choice
