"""Files that are not course files, whatever their size or shape, are refused with one problem, not a hang or a crash.

A course file comes from an instructor and, through `/course upload`, from anyone holding the role: a file over
1 MB, a YAML alias bomb ("billion laughs") or a deeply nested document must be refused before it is built. The
assertions are about the answer (a ScheduleError that says why), not about timings; a refusal that expanded the
bomb or recursed 1000 levels would not finish, or would raise something else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.loader import MAX_FILE_BYTES, ScheduleError, load_file, load_text
from bot.core.schema import MAX_DEPTH, MAX_NODES, SCREEN_ABOVE_CHARS
from tests.conftest import DS_SCHEDULE

DS = DS_SCHEDULE.read_text(encoding="utf-8")

# Nine lists of nine references to the list before: 9**9 (387 million) strings once expanded.
BILLION_LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + before] * 9)}]\n" for before, name in zip("abcdefgh", "bcdefghi", strict=True))


def problems(text: str) -> list[str]:
    """Every problem `text` is refused with, as printed."""
    with pytest.raises(ScheduleError) as caught:
        load_text(text, "course.yaml")
    return [str(p) for p in caught.value.problems]


def refusal(text: str) -> str:
    """The one problem `text` is refused with, as printed."""
    (problem,) = problems(text)
    return problem


def test_a_file_over_1_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A valid course padded past 1 MB is one problem without a line, from the text and from the file alike."""
    text = DS + "# " + "x" * MAX_FILE_BYTES + "\n"
    expected = "The file is larger than 1 MB; a course file is far smaller. Is it the right file?"
    assert refusal(text) == f"course.yaml: {expected}"
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError) as caught:
        load_file(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: {expected}"]


def test_a_file_just_under_1_mb_is_read() -> None:
    """The limit is on size only: a valid course padded with comments to just under 1 MB loads."""
    padding = "# " + "x" * (MAX_FILE_BYTES - len(DS.encode("utf-8")) - 4) + "\n"
    assert load_text(DS + padding).course.title == "Distributed Systems"


def test_the_limit_counts_bytes_not_characters() -> None:
    """Text of 400,000 three-byte characters (1.2 MB in UTF-8) is over the limit."""
    assert "larger than 1 MB" in refusal(DS + "# " + "€" * 400_000 + "\n")


def test_billion_laughs_is_refused() -> None:
    """A YAML alias bomb is refused at its first anchor, on line 1, without being expanded."""
    message = refusal(BILLION_LAUGHS)
    assert message.startswith("course.yaml:1: ")
    assert "anchor or alias (& or *)" in message and "write each value out in full" in message


def test_a_single_alias_is_refused_too() -> None:
    """Even a harmless-looking anchor in a real course is refused, on its line: the rule is simple to state."""
    text = DS.replace("    role: TA\n", "    role: &ta TA\n", 1).replace("  - name: Marcus Lee\n    role: TA\n",
                                                                       "  - name: Marcus Lee\n    role: *ta\n", 1)
    message = refusal(text)
    line = text[: text.index("&ta")].count("\n") + 1
    assert message.startswith(f"course.yaml:{line}: ") and "anchor or alias" in message


@pytest.mark.parametrize("text", [
    "[" * 1000 + "]" * 1000,
    "{a: " * 1000 + "1" + "}" * 1000,
    "".join(" " * level + "a:\n" for level in range(1000)) + " " * 1000 + "b\n",
    "".join(" " * level + "- \n" for level in range(1000)),
], ids=["flow lists", "flow mappings", "block mappings", "block lists"])
def test_a_document_nested_1000_levels_deep_is_refused(text: str) -> None:
    """Nesting deeper than the limit is one problem saying so, not a RecursionError."""
    assert f"nested more than {MAX_DEPTH} levels deep" in refusal(text)


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 999, 1000, 1001, 5000])
@pytest.mark.parametrize("padding", [0, SCREEN_ABOVE_CHARS], ids=["built then checked", "screened first"])
def test_deep_nesting_is_refused_the_same_whichever_way_the_text_is_checked(levels: int, padding: int) -> None:
    """Short texts are built before their depth is checked, long ones screened first, and libyaml stops at 1,000
    levels by itself: every way, the answer is the depth limit, on the line where it is passed."""
    text = "# " + "x" * padding + "\n" + "a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"
    assert refusal(text) == (f"course.yaml:2: The file is nested more than {MAX_DEPTH} levels deep; a course file "
                             "needs a few.")


@pytest.mark.parametrize("padding", [0, SCREEN_ABOVE_CHARS], ids=["built then checked", "screened first"])
def test_a_course_with_asterisks_and_ampersands_in_its_text_loads(padding: int) -> None:
    """“*” and “&” in quoted text only make the loader screen the file first; they are no anchors."""
    text = DS.replace("title: Distributed Systems", 'title: "Distributed Systems & *Cloud*"', 1)
    text += "# " + "x" * padding + "\n"
    assert load_text(text).course.title == "Distributed Systems & *Cloud*"


def test_nesting_up_to_the_limit_is_only_a_course_problem() -> None:
    """A document nested exactly to the limit is read, then refused for what it is (not a course), not for depth."""
    found = problems("a:" + " [" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert not any("nested" in p for p in found) and any("unknown key “a”" in p for p in found)


def test_too_many_values_are_refused() -> None:
    """A flat list of more values than any course has is refused with the limit in words."""
    assert f"more than {MAX_NODES:,} values" in refusal("[" + "1," * MAX_NODES + "1]\n")
