"""The first course behaves as before: its answers at instants across the term, and its reminder plan, match the
reference outputs captured before the general course model (tests/data/reference/ml_at_scale.txt).

A deliberate change to the first course's answers regenerates the file with
`python -m tests.tools.reference > tests/data/reference/ml_at_scale.txt` and shows up, line by line, in review.
"""

from __future__ import annotations

import difflib

from tests.tools.reference import REFERENCE, render


def test_first_course_answers_are_unchanged() -> None:
    expected = REFERENCE.read_text(encoding="utf-8")
    actual = render()
    if actual != expected:
        lines = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "reference", "now", n=1)
        diff = "".join(lines)
        raise AssertionError(f"the first course's answers changed:\n{diff[:6000]}")
