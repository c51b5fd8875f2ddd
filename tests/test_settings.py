"""Deployment settings: defaults, config/bot.yaml, COURSEBOT_<KEY> overrides, and every problem with file:line
(read with the schema toolkit that reads schedule.yaml, so the messages are of the same kind)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.core.loader import load_course
from bot.core.planner import ReminderSettings, plan
from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTED_SYSTEMS = ROOT / "tests" / "data" / "courses" / "distributed_systems.yaml"
GUILD = "123456789012345678"
CHANNEL = "234567890123456789"


def config(tmp_path: Path, text: str) -> dict[str, str]:
    """An environment whose COURSEBOT_CONFIG names a file holding `text`."""
    path = tmp_path / "bot.yaml"
    path.write_text(text, encoding="utf-8")
    return {"COURSEBOT_CONFIG": str(path)}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    return caught.value.problems


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no config file and no environment, every setting has its default."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings == Settings()
    assert settings.guild_id is None and settings.database == "data/coursebot.sqlite3"
    assert settings.schedule == "schedule.yaml" and settings.critique_cutoff is None  # the course's policy decides


def test_shipped_config_is_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped config/bot.yaml is valid and sets nothing beyond the defaults."""
    monkeypatch.chdir(ROOT)
    assert load_settings({}) == Settings()


def test_values_from_the_file(tmp_path: Path) -> None:
    """Ids, paths and the cut-off are read from the file and converted."""
    env = config(tmp_path, f"guild_id: {GUILD}\nreminder_channel_id: '{CHANNEL}'\ndatabase: /var/lib/cb.sqlite3\n"
                           "critique_cutoff: 12:30\n")
    settings = load_settings(env)
    assert (settings.guild_id, settings.reminder_channel_id) == (int(GUILD), int(CHANNEL))
    assert settings.database == "/var/lib/cb.sqlite3" and settings.critique_cutoff == dt.time(12, 30)


def test_empty_values_keep_defaults(tmp_path: Path) -> None:
    """Keys left empty (as in the shipped file) mean unset ids and default paths."""
    assert load_settings(config(tmp_path, "guild_id:\ndatabase:\nschedule: ''\n")) == Settings()


@pytest.mark.parametrize(("name", "value", "field", "expected"), [
    ("COURSEBOT_GUILD_ID", GUILD, "guild_id", int(GUILD)),
    ("COURSEBOT_ANNOUNCE_CHANNEL_ID", CHANNEL, "announce_channel_id", int(CHANNEL)),
    ("COURSEBOT_DATABASE", "/tmp/x.sqlite3", "database", "/tmp/x.sqlite3"),
    ("COURSEBOT_SCHEDULE", "other.yaml", "schedule", "other.yaml"),
    ("COURSEBOT_CRITIQUE_CUTOFF", "08:00", "critique_cutoff", dt.time(8, 0)),
    ("COURSEBOT_API_BASE", "http://127.0.0.1:8080/", "api_base", "http://127.0.0.1:8080"),
])
def test_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, field: str,
                              expected: object) -> None:
    """Each COURSEBOT_<KEY> sets its setting."""
    monkeypatch.chdir(tmp_path)
    assert getattr(load_settings({name: value}), field) == expected


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    """An environment variable overrides the same key in the file."""
    env = config(tmp_path, f"guild_id: {GUILD}\n") | {"COURSEBOT_GUILD_ID": CHANNEL}
    assert load_settings(env).guild_id == int(CHANNEL)


def test_empty_environment_value_unsets(tmp_path: Path) -> None:
    """An empty COURSEBOT_GUILD_ID unsets the file's guild (global sync)."""
    env = config(tmp_path, f"guild_id: {GUILD}\n") | {"COURSEBOT_GUILD_ID": ""}
    assert load_settings(env).guild_id is None


@pytest.mark.parametrize(("text", "line", "phrases"), [
    ("guild_id: 123\n", 1, ["guild_id: “123” should be a Discord id", "Copy ID"]),
    ("guild_id:\nstudent_role_id: abc\n", 2, ["student_role_id: “abc” should be a Discord id"]),
    ("critique_cutoff: '25:00'\n", 1, ["critique_cutoff: “25:00” should be a time written as HH:MM"]),
    ("critique_cutoff: noon\n", 1, ["critique_cutoff: “noon” should be a time written as HH:MM"]),
    ("# comment\nguld_id: 1\n", 2, ["unknown key “guld_id”", "Did you mean “guild_id”?"]),
    ("gizmo: 1\n", 1, ["unknown key “gizmo”", "Known keys:", "guild_id", "exam_reminder_days"]),
    ("api_base: ftp://x\n", 1, ["api_base: “ftp://x” should be a URL"]),
    ("guild_id: [1, 2]\n", 1, ["guild_id should be a single value"]),
    ("? [a, b]\n: c\n", 1, ["unknown key"]),
    ("guild_id: : x\n", 1, ["This is not valid YAML here"]),
    ("- guild_id\n", 1, ["The settings should be a set of “key: value” lines"]),
    ("schedule: a.yaml\nschedule: b.yaml\n", 2, ["“schedule” twice"]),
], ids=["short id", "text id", "hour 25", "word time", "unknown key", "unknown far", "bad url", "list value",
        "list key", "yaml syntax", "not a mapping", "twice"])
def test_file_problem_with_line(tmp_path: Path, text: str, line: int, phrases: list[str]) -> None:
    """A bad value or key in the file is one problem that starts with `file:line:`."""
    env = config(tmp_path, text)
    (problem,) = problems(env)
    assert problem.startswith(f"{env['COURSEBOT_CONFIG']}:{line}: ")
    for phrase in phrases:
        assert phrase in problem


def test_several_problems_at_once(tmp_path: Path) -> None:
    """Every problem in the file and the environment is listed, not only the first."""
    env = config(tmp_path, "guild_id: 1\nguld: 2\ncritique_cutoff: later\n") | {"COURSEBOT_DATABASE": "x.db",
                                                                               "COURSEBOT_INSTRUCTOR_ROLE_ID": "x"}
    found = problems(env)
    assert len(found) == 4
    assert sorted(p.split(": ")[0] for p in found) == sorted([
        f"{env['COURSEBOT_CONFIG']}:1", f"{env['COURSEBOT_CONFIG']}:2", f"{env['COURSEBOT_CONFIG']}:3",
        "environment variable COURSEBOT_INSTRUCTOR_ROLE_ID"])


def test_environment_problem_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad environment value names its variable instead of a file and line."""
    monkeypatch.chdir(tmp_path)
    (problem,) = problems({"COURSEBOT_GUILD_ID": "my server"})
    assert problem.startswith("environment variable COURSEBOT_GUILD_ID: guild_id: “my server” should be a Discord id")


def test_config_names_a_missing_file(tmp_path: Path) -> None:
    """COURSEBOT_CONFIG naming a file that does not exist is a problem, not a silent default."""
    missing = tmp_path / "nope.yaml"
    assert problems({"COURSEBOT_CONFIG": str(missing)}) == [
        f"{missing}: COURSEBOT_CONFIG names a file that does not exist."]


@pytest.mark.parametrize("kind", ["directory", "binary"])
def test_unreadable_config_file(tmp_path: Path, kind: str) -> None:
    """A config path that is a folder, or a file that is not text, is one problem naming the path."""
    path = tmp_path / "bot.yaml"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"\xff\xfe\x00")
    (problem,) = problems({"COURSEBOT_CONFIG": str(path)})
    assert problem.startswith(f"{path}: ")


def test_settings_are_frozen() -> None:
    """Settings cannot be changed after loading."""
    with pytest.raises(AttributeError):
        Settings().guild_id = 1  # type: ignore[misc]


# Reminder settings


def test_reminder_defaults() -> None:
    """By default: 18:00 and 08:00, 24 and 2 hours before, 7/1/0 days before deadlines, digest on, office hours off."""
    settings = Settings()
    assert (settings.reminder_evening, settings.reminder_morning) == (dt.time(18, 0), dt.time(8, 0))
    assert settings.reminder_hours_before == (24, 2) and settings.project_reminder_days == (7, 1, 0)
    assert settings.weekly_digest is True and settings.office_hours_reminder is False


def test_reminder_values_from_the_file(tmp_path: Path) -> None:
    """Times, YAML lists and booleans are read from the file and converted."""
    env = config(tmp_path, "reminder_evening: 19:30\nreminder_morning: '07:45'\nreminder_hours_before: [48, 2]\n"
                           "project_reminder_days:\n  - 14\n  - 1\nweekly_digest: false\noffice_hours_reminder: yes\n")
    settings = load_settings(env)
    assert (settings.reminder_evening, settings.reminder_morning) == (dt.time(19, 30), dt.time(7, 45))
    assert settings.reminder_hours_before == (48, 2) and settings.project_reminder_days == (14, 1)
    assert settings.weekly_digest is False and settings.office_hours_reminder is True


@pytest.mark.parametrize("key", ["reminder_evening", "reminder_morning"])
def test_empty_reminder_time_turns_it_off(tmp_path: Path, key: str) -> None:
    """An empty reminder_evening / reminder_morning in the file means no such reminder (None), not the default."""
    assert getattr(load_settings(config(tmp_path, f"{key}:\n")), key) is None


@pytest.mark.parametrize("key", ["weekly_digest", "office_hours_reminder", "reminder_hours_before"])
def test_empty_reminder_switch_keeps_its_default(tmp_path: Path, key: str) -> None:
    """An empty boolean or list in the file keeps its default."""
    assert getattr(load_settings(config(tmp_path, f"{key}:\n")), key) == getattr(Settings(), key)


@pytest.mark.parametrize(("name", "value", "field", "expected"), [
    ("COURSEBOT_REMINDER_EVENING", "20:15", "reminder_evening", dt.time(20, 15)),
    ("COURSEBOT_REMINDER_EVENING", "", "reminder_evening", None),
    ("COURSEBOT_REMINDER_MORNING", "7:05", "reminder_morning", dt.time(7, 5)),
    ("COURSEBOT_REMINDER_MORNING", "  ", "reminder_morning", None),
    ("COURSEBOT_REMINDER_HOURS_BEFORE", "24, 2", "reminder_hours_before", (24, 2)),
    ("COURSEBOT_REMINDER_HOURS_BEFORE", "2,24,24", "reminder_hours_before", (24, 2)),
    ("COURSEBOT_REMINDER_HOURS_BEFORE", "[48, 6]", "reminder_hours_before", (48, 6)),
    ("COURSEBOT_PROJECT_REMINDER_DAYS", "3", "project_reminder_days", (3,)),
    ("COURSEBOT_PROJECT_REMINDER_DAYS", "0, 14", "project_reminder_days", (14, 0)),
    ("COURSEBOT_WEEKLY_DIGEST", "false", "weekly_digest", False),
    ("COURSEBOT_WEEKLY_DIGEST", "0", "weekly_digest", False),
    ("COURSEBOT_OFFICE_HOURS_REMINDER", "on", "office_hours_reminder", True),
    ("COURSEBOT_OFFICE_HOURS_REMINDER", "True", "office_hours_reminder", True),
], ids=lambda v: v if isinstance(v, str) and v.startswith("COURSEBOT") else None)
def test_reminder_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                       field: str, expected: object) -> None:
    """Each COURSEBOT_<KEY> for reminders sets its setting; lists are comma-separated, largest first."""
    monkeypatch.chdir(tmp_path)
    assert getattr(load_settings({name: value}), field) == expected


@pytest.mark.parametrize(("text", "line", "phrases"), [
    ("reminder_evening: '25:00'\n", 1, ["reminder_evening: “25:00” should be a time written as HH:MM"]),
    ("guild_id:\nreminder_morning: eight\n", 2, ["reminder_morning: “eight” should be a time written as HH:MM"]),
    ("reminder_hours_before: [24, two]\n", 1, ["reminder_hours_before, item 2: “two” should be a whole number"]),
    ("reminder_hours_before: '-2'\n", 1, ["reminder_hours_before: “-2” should be whole numbers", "like \"24, 2\""]),
    ("reminder_hours_before: 24 2\n", 1, ["reminder_hours_before: “24 2” should be whole numbers"]),
    ("project_reminder_days: [[7], 1]\n", 1, ["project_reminder_days, item 1 should be a single value"]),
    ("project_reminder_days: {a: 1}\n", 1, ["project_reminder_days should be a single value"]),
    ("# reminders\n\nweekly_digest: maybe\n", 3, ["weekly_digest: “maybe” should be true or false"]),
    ("office_hours_reminder: 2\n", 1, ["office_hours_reminder: “2” should be true or false"]),
    ("weekly_digest: [true]\n", 1, ["weekly_digest should be a single value"]),
], ids=["hour 25", "word time", "word in list", "negative", "no comma", "nested list", "mapping", "maybe",
        "number bool", "list bool"])
def test_reminder_file_problem_with_line(tmp_path: Path, text: str, line: int, phrases: list[str]) -> None:
    """A bad reminder value in the file is one problem that starts with `file:line:`."""
    env = config(tmp_path, text)
    (problem,) = problems(env)
    assert problem.startswith(f"{env['COURSEBOT_CONFIG']}:{line}: ")
    for phrase in phrases:
        assert phrase in problem


def test_reminder_environment_problem_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad COURSEBOT_REMINDER_HOURS_BEFORE names the variable and shows the expected form."""
    monkeypatch.chdir(tmp_path)
    (problem,) = problems({"COURSEBOT_REMINDER_HOURS_BEFORE": "a day"})
    assert problem == ("environment variable COURSEBOT_REMINDER_HOURS_BEFORE: reminder_hours_before: “a day” should "
                       "be whole numbers from 0 to 999 separated by commas, like \"24, 2\".")


def test_default_settings_give_default_reminder_settings() -> None:
    """Settings().reminders is the planner's default ReminderSettings()."""
    assert Settings().reminders == ReminderSettings()


def test_reminders_maps_every_setting() -> None:
    """Settings.reminders carries each reminder setting into ReminderSettings (the cut-off is the course's)."""
    settings = Settings(critique_cutoff=dt.time(9, 30), reminder_evening=None, reminder_morning=dt.time(7, 0),
                        reminder_hours_before=(48,), deadline_reminder_hours=(12,), project_reminder_days=(3, 0),
                        exam_reminder_days=(2,), weekly_digest=False, office_hours_reminder=True)
    assert settings.reminders == ReminderSettings(evening_before=None, morning_of=dt.time(7, 0), hours_before=(48,),
                                                  deadline_hours_before=(12,), project_days_before=(3, 0),
                                                  exam_days_before=(2,), digest=False, office_hours=True)
    assert "cutoff" not in {f.name for f in dataclasses.fields(ReminderSettings)}


def test_reminder_settings_from_a_file_reach_the_planner(tmp_path: Path) -> None:
    """A loaded file's reminder keys end up in load_settings(...).reminders."""
    env = config(tmp_path, "reminder_evening:\nreminder_hours_before: 6\noffice_hours_reminder: true\n")
    reminders = load_settings(env).reminders
    assert reminders.evening_before is None and reminders.hours_before == (6,) and reminders.office_hours is True


# Lead times of every kind: deadline_reminder_hours, exam_reminder_days (and the two that were there)


def test_lead_time_defaults() -> None:
    """Homework and other deadlines 24 and 2 hours before; exams and projects 7 days, 1 day and that morning."""
    settings = Settings()
    assert settings.deadline_reminder_hours == (24, 2) and settings.exam_reminder_days == (7, 1, 0)
    assert settings.reminders.deadline_hours_before == (24, 2) and settings.reminders.exam_days_before == (7, 1, 0)


def test_shipped_config_documents_every_setting() -> None:
    """config/bot.yaml names every setting, each with a comment above it."""
    text = (ROOT / "config" / "bot.yaml").read_text(encoding="utf-8")
    keys = list(yaml.safe_load(text))
    assert set(keys) == {f.name for f in dataclasses.fields(Settings)}
    lines = text.splitlines()
    for key in keys:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        above = lines[index - 1] if lines[index - 1].startswith("#") else lines[index - 2]
        assert above.startswith("#"), key


def test_new_lead_times_from_the_file(tmp_path: Path) -> None:
    """Both new keys are read from YAML lists, block lists and single numbers, largest first, duplicates dropped."""
    env = config(tmp_path, "deadline_reminder_hours: [6, 48, 6]\nexam_reminder_days:\n  - 0\n  - 14\n")
    settings = load_settings(env)
    assert settings.deadline_reminder_hours == (48, 6) and settings.exam_reminder_days == (14, 0)
    assert load_settings(config(tmp_path, "exam_reminder_days: 3\n")).exam_reminder_days == (3,)


@pytest.mark.parametrize("key", ["deadline_reminder_hours", "exam_reminder_days", "project_reminder_days"])
def test_an_empty_list_turns_a_kind_off(tmp_path: Path, key: str) -> None:
    """`key: []` in the file means no such reminders (an empty value keeps the default)."""
    assert getattr(load_settings(config(tmp_path, f"{key}: []\n")), key) == ()
    assert getattr(load_settings(config(tmp_path, f"{key}:\n")), key) == getattr(Settings(), key)


@pytest.mark.parametrize(("name", "value", "field", "expected"), [
    ("COURSEBOT_DEADLINE_REMINDER_HOURS", "48, 6", "deadline_reminder_hours", (48, 6)),
    ("COURSEBOT_DEADLINE_REMINDER_HOURS", "[]", "deadline_reminder_hours", ()),
    ("COURSEBOT_DEADLINE_REMINDER_HOURS", "", "deadline_reminder_hours", (24, 2)),
    ("COURSEBOT_EXAM_REMINDER_DAYS", "0,3", "exam_reminder_days", (3, 0)),
    ("COURSEBOT_EXAM_REMINDER_DAYS", "[14]", "exam_reminder_days", (14,)),
    ("COURSEBOT_CRITIQUE_CUTOFF", "", "critique_cutoff", None),
], ids=lambda v: v if isinstance(v, str) and v.startswith("COURSEBOT") else None)
def test_new_lead_times_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                             field: str, expected: object) -> None:
    """COURSEBOT_DEADLINE_REMINDER_HOURS and COURSEBOT_EXAM_REMINDER_DAYS set them; empty keeps the default."""
    monkeypatch.chdir(tmp_path)
    assert getattr(load_settings({name: value}), field) == expected


def test_environment_wins_for_lead_times(tmp_path: Path) -> None:
    """A lead-time variable overrides the file's list."""
    env = config(tmp_path, "exam_reminder_days: [7, 1, 0]\n") | {"COURSEBOT_EXAM_REMINDER_DAYS": "2"}
    assert load_settings(env).exam_reminder_days == (2,)


@pytest.mark.parametrize(("text", "line", "phrases"), [
    ("deadline_reminder_hours: soon\n", 1, ["deadline_reminder_hours: “soon” should be whole numbers from 0 to 999"]),
    ("# exams\nexam_reminder_days: [7, -1]\n", 2, ["exam_reminder_days, item 2: “-1” should be a whole number from 0"]),
    ("guild_id:\n\nexam_reminder_days: 1000\n", 3, ["exam_reminder_days: “1000” should be whole numbers from 0"]),
    ("deadline_reminder_hours:\n  - 24\n  - 2.5\n", 3, ["deadline_reminder_hours, item 2: “2.5” should be a whole"]),
    ("exam_reminder_days: {final: 7}\n", 1, ["exam_reminder_days should be a single value"]),
    ("exam_reminders_days: [7]\n", 1, ["unknown key “exam_reminders_days”", "Did you mean “exam_reminder_days”?"]),
], ids=["word", "negative item", "too many days", "fraction in block list", "mapping", "misspelt"])
def test_new_lead_time_problems_with_line(tmp_path: Path, text: str, line: int, phrases: list[str]) -> None:
    """A bad lead time is one problem at its file and line (an item's own line in a block list)."""
    env = config(tmp_path, text)
    (problem,) = problems(env)
    assert problem.startswith(f"{env['COURSEBOT_CONFIG']}:{line}: ")
    for phrase in phrases:
        assert phrase in problem


def test_new_lead_time_environment_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad COURSEBOT_EXAM_REMINDER_DAYS names its variable, with the expected form."""
    monkeypatch.chdir(tmp_path)
    (problem,) = problems({"COURSEBOT_EXAM_REMINDER_DAYS": "a week"})
    assert problem == ("environment variable COURSEBOT_EXAM_REMINDER_DAYS: exam_reminder_days: “a week” should be "
                       "whole numbers from 0 to 999 separated by commas, like \"24, 2\".")


def test_lead_times_from_a_file_decide_the_plan(tmp_path: Path) -> None:
    """Loaded settings reach the planner: homework 48 h and 1 h before, exams only the day before, no project ones."""
    env = config(tmp_path, "deadline_reminder_hours: [48, 1]\nexam_reminder_days: [1]\nproject_reminder_days: []\n")
    reminders = plan(load_course(DISTRIBUTED_SYSTEMS), load_settings(env).reminders)
    suffixes = {kind: {r.key.rsplit(":", 1)[1] for r in reminders if r.kind == kind}
                for kind in ("deadline", "exam", "project")}
    assert suffixes == {"deadline": {"48h", "1h"}, "exam": {"1d"}, "project": set()}


def test_a_cut_off_in_the_file_is_a_default_for_the_course(tmp_path: Path) -> None:
    """critique_cutoff in the file is read as a time; unset (the shipped file) it is None, so the course decides."""
    assert load_settings(config(tmp_path, "critique_cutoff: '09:15'\n")).critique_cutoff == dt.time(9, 15)
    assert load_settings(config(tmp_path, "critique_cutoff:\n")).critique_cutoff is None


def test_shards_from_the_file_and_the_environment(tmp_path: Path) -> None:
    """shard_count and shard_ids ("0,2", or "[0, 2]" as an environment variable); a process owns a server by
    Discord's rule (id >> 22) % shard_count."""
    env = config(tmp_path, "shard_count: 4\nshard_ids: 0,2\n")
    settings = load_settings(env)
    assert (settings.shard_count, settings.shard_ids) == (4, (0, 2))
    assert [settings.owns(n << 22) for n in range(4)] == [True, False, True, False]
    settings = load_settings({**env, "COURSEBOT_SHARD_IDS": "[3, 1]"})
    assert settings.shard_ids == (1, 3) and settings.owns(3 << 22) and not settings.owns(2 << 22)
    assert Settings().owns(12345) and Settings(shard_count=2).owns(1 << 22)  # all shards when ids are unset


@pytest.mark.parametrize(("text", "phrase"), [
    ("shard_ids: 0,1\n", "set shard_count too"),
    ("shard_count: 2\nshard_ids: 0,2\n", "shard 2 does not exist with shard_count 2"),
    ("shard_count: 0\n", "the number of shards"),
    ("shard_count: 2\nshard_ids: one\n", "shard numbers separated by commas"),
], ids=["ids without count", "id too big", "zero shards", "words"])
def test_shard_problems(tmp_path: Path, text: str, phrase: str) -> None:
    (problem,) = problems(config(tmp_path, text))
    assert phrase in problem
