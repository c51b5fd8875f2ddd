"""Import time and quality per syllabus test page, against the targets in the issue.

Run: .venv/bin/python bench/bench_import.py [--runs 20] [--out FILE.md]
The pages are the ones in tests/data/syllabi/ that have a hand transcription (a .yaml of the same name beside
them; the seed's is tests/data/courses/ml_at_scale.yaml). For each page it times `import_page` (in process, median
and slowest of --runs, after one warm-up) and `python -m bot import PAGE -o FILE` once end to end (a new Python
process: start-up, imports, reading, writing), then scores the draft against the transcription with
bot/core/importer/score.py: class dates right, readings on the right date, in the same list (papers or
resources), papers whose authors/venue/year are split as transcribed, and facts right (deadlines, exams, office
hours, breaks, time zone, meeting days, class times and room). It prints one Markdown table (and writes it to
--out when given) and exits 1 when a target is missed on a page the importer was tuned on. A page in UNTUNED was
written to try the importer on a shape it was not tuned for, and is left as it scores: its row says "not tuned",
its misses are listed but do not fail the run, and a page that gives no draft at all (ImportProblem) says so.

Targets: every date right; ≥ 95% on the right date; ≥ 90% in the same list; ≥ 90% split right; the command ≤ 1 s
for a 30-session page (a longer page gets a proportional budget).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.core.importer import ImportProblem, import_page  # noqa: E402
from bot.core.importer.lines import guess_kind  # noqa: E402
from bot.core.importer.score import Score, score  # noqa: E402
from bot.core.loader import load_text  # noqa: E402

SYLLABI = REPO / "tests" / "data" / "syllabi"
SEED = ("ml_at_scale.txt", REPO / "tests" / "data" / "courses" / "ml_at_scale.yaml")
COMMAND_MS_PER_30_SESSIONS = 1000.0
TARGETS = {"on_date": 0.95, "same_list": 0.90, "split": 0.90}
# Written after the importer's changes to try it on a shape it was not tuned for, and never tuned to. (urban_lms.html,
# ethics_plain.txt, signals_md.md, nlp_berlin.html, netsci_dutch.md and distsys_pdf.txt were such pages until the
# importer was fixed for them; they now count like the others.)
UNTUNED: set[str] = set()


@dataclass(frozen=True, slots=True)
class Row:
    page: str
    shape: str
    sessions: int
    p50_ms: float
    max_ms: float
    command_ms: float
    score: Score  # nothing right when the page gives no draft (`problem` then says why)
    checks: int
    problem: str = ""

    @property
    def budget_ms(self) -> float:
        return COMMAND_MS_PER_30_SESSIONS * max(1.0, self.sessions / 30)

    def missed(self) -> list[str]:
        s, share = self.score, Score.share
        found = ["no draft"] if self.problem else []
        found += [] if (s.dates_right, s.extra_dates) == (s.dates, 0) else ["dates"]
        found += [] if share(s.on_date, s.items) >= TARGETS["on_date"] else ["on date"]
        found += [] if share(s.same_list, s.items) >= TARGETS["same_list"] else ["same list"]
        found += [] if share(s.split_right, s.papers) >= TARGETS["split"] else ["split"]
        found += [] if self.command_ms <= self.budget_ms else ["time"]
        return found


def pages() -> list[tuple[str, Path]]:
    found = [SEED]
    for page in sorted(SYLLABI.iterdir()):
        if page.suffix in {".txt", ".md", ".html", ".htm"} and page.with_suffix(".yaml").exists():
            found.append((page.name, page.with_suffix(".yaml")))
    return found


def shape(name: str, text: str) -> str:
    kind = guess_kind(text, name)
    table = "<table" in text.lower() or "\n|" in text
    return f"{kind}{' table' if table else ''}"


def command_ms(page: Path, untuned: bool = False) -> float:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "draft.yaml"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "bot", "import", str(page), "-o", str(out)], cwd=REPO,
                              capture_output=True, text=True, check=False, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0 and not untuned:
        raise SystemExit(f"python -m bot import {page.name} failed: {done.stderr}")
    return elapsed


def bench_page(name: str, transcription: Path, runs: int) -> Row:
    text = (SYLLABI / name).read_text(encoding="utf-8")
    kind = guess_kind(text, name)
    reference = load_text(transcription.read_text(encoding="utf-8")).course
    try:
        draft = import_page(text, kind=kind, source=name)  # warm-up (and the draft scored)
    except ImportProblem as problem:
        if name not in UNTUNED:
            raise
        draft, failed = None, str(problem)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            import_page(text, kind=kind, source=name)
        except ImportProblem:
            pass
        times.append((time.perf_counter() - start) * 1000)
    wall = command_ms(SYLLABI / name, name in UNTUNED)
    if draft is None:  # the transcription's totals, none of them right
        nothing = dataclasses.replace(score(reference, reference), dates_right=0, on_date=0, same_list=0,
                                      split_right=0, facts_right=0)
        return Row(name, shape(name, text), 0, statistics.median(times), max(times), wall, nothing, 0, failed)
    course = load_text(draft.text).course
    return Row(name, shape(name, text), len(course.sessions), statistics.median(times), max(times), wall,
               score(course, reference), draft.checks)


def table(rows: list[Row], runs: int) -> str:
    pct = lambda part, whole: f"{part}/{whole} ({Score.share(part, whole):.0%})"  # noqa: E731
    lines = [
        f"| page | shape | classes | import_page p50 / max of {runs} | `python -m bot import` (wall) | dates right "
        "| readings on the right date | in the same list | papers split right | facts right | `# check:` lines |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r.score
        page = f"{r.page} (not tuned)" if r.page in UNTUNED else r.page
        dates = f"{s.dates_right}/{s.dates}" + (f" (+{s.extra_dates} extra)" if s.extra_dates else "") + (
            f" (no draft: “{r.problem.split(':')[0]}”)" if r.problem else "")
        missed = r.missed()
        lines.append(f"| {page} | {r.shape} | {r.sessions} | {r.p50_ms:.1f} / {r.max_ms:.1f} ms | "
                     f"{r.command_ms:.0f} ms | {dates} | {pct(s.on_date, s.items)} | {pct(s.same_list, s.items)} | "
                     f"{pct(s.split_right, s.papers)} | {pct(s.facts_right, s.facts)} | {r.checks} |"
                     + (f" **missed: {', '.join(missed)}**" if missed else ""))
    lines += ["", "Targets: every date right; ≥ 95% of the readings on the right date; ≥ 90% in the same list "
              "(papers or resources); ≥ 90% of the papers with authors, venue and year as transcribed; the command "
              "≤ 1 s for a 30-session page. Facts: deadlines (instant and kind), exams (day and times), office hours "
              "(day, times, place), breaks, and the course's time zone, meeting days, class times and room, as "
              "transcribed (where a page names no time zone, its transcription keeps the placeholder UTC, except "
              "the seed's, which is America/New_York from the course's own knowledge). A page marked “not tuned” "
              "was written after the importer's last changes to try a shape it was not tuned for, and is reported "
              "as it scores (its misses do not fail the run).",
              "", f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed import_page calls per page (default 20)")
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    rows = [bench_page(name, transcription, args.runs) for name, transcription in pages()]
    text = table(rows, args.runs)
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    missed = [f"{r.page}: {', '.join(r.missed())}" for r in rows if r.missed() and r.page not in UNTUNED]
    untuned = [f"{r.page}: {', '.join(r.missed())}" for r in rows if r.missed() and r.page in UNTUNED]
    if untuned:
        print("Missed on pages not tuned for (not counted in the exit status): " + "; ".join(untuned) + ".",
              file=sys.stderr)
    if missed:
        print("Missed: " + "; ".join(missed) + ".", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
