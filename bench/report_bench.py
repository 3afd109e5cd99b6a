"""What the supervisor's outputs cost on a large portal: rendering a stored run (HTML report with
its scorecard and this-week diff) and writing findings.xlsx, against the CSV/JSON exports the
report always wrote (the baseline, run in the same process on the same run).

A synthetic run of N documents over 40 units with ~1 finding per 2 documents is recorded in a
real SQLite store (after a previous week, so the diff has work to do), then each output is timed
on its own, fastest of `--rounds`. Then a year of weekly runs of record (`--weeks`): the diff
and the standing (scorecard and its trend over every stored run) after 2 runs and after the last.

    python bench/report_bench.py --documents 2000 20000
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.history import load_run  # noqa: E402
from audits.report.diff import compare_runs  # noqa: E402
from audits.report.exports import write_exports  # noqa: E402
from audits.report.render import render_html  # noqa: E402
from audits.report.standing import standing  # noqa: E402
from audits.report.workbook import write_workbook  # noqa: E402
from tests.report_runs import RULES, document, finding, record  # noqa: E402

UNITS = [f"第{i}镇" for i in range(40)]


def synthetic_week(n: int, week: int) -> tuple[list, list]:
    docs, found = [], []
    rules = [r for r in RULES if r not in ("FETCH-2",)]
    for i in range(n):
        unit = UNITS[i % len(UNITS)]
        doc = document(f"d{i}", unit, f"{unit}文件{i}", report_type="xxgk_annual" if i % 25 == 0 else "routine",
                       report_year=2023)
        docs.append(doc)
        if (i + week) % 2 == 0:
            found.append(finding(rules[(i // 2) % len(rules)], doc, observed=f"观察值{i}"))
    return docs, found


def fastest(rounds: int, work) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=52, help="weekly runs of record for the history table")
    parser.add_argument("--history-documents", type=int, default=500, help="documents per week in that table")
    args = parser.parse_args()
    print("| documents | findings | CSV/JSON exports (s, baseline) | HTML report (s) | ratio | findings.xlsx (s) | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n in args.documents:
        with tempfile.TemporaryDirectory() as tmp:
            store, out = Path(tmp) / "s.sqlite3", Path(tmp) / "out"
            out.mkdir()
            record(store, *synthetic_week(n, 0), started_at="2024-04-01T01:30:00+00:00")
            run_id = record(store, *synthetic_week(n, 1), started_at="2024-04-08T01:30:00+00:00")
            run, diff = load_run(store, run_id), compare_runs(store, run_id)
            where = standing(store, run, diff)
            exports = fastest(args.rounds, partial(write_exports, run, out, diff.open["open_runs"]))
            html = fastest(args.rounds, partial(render_html, store, run, "zh", diff, where))
            xlsx = fastest(args.rounds, partial(write_workbook, out / "findings.xlsx", where))
            print(f"| {n:,} | {len(run.findings):,} | {exports:.2f} | {html:.2f} | {html / exports:.1f}× "
                  f"| {xlsx:.2f} | {xlsx / exports:.1f}× |")
    history(args.history_documents, args.weeks, args.rounds)


def _standing(store: Path, run, run_id: int) -> None:  # type: ignore[no-untyped-def]
    standing(store, run, compare_runs(store, run_id, run))  # as render_run does: the run loaded once


def history(n: int, weeks: int, rounds: int) -> None:
    """What the history adds to a report: the this-week diff and the standing (scorecard with its
    trend over every stored run of record) after 2 weekly runs (baseline) and after `weeks`."""
    print(f"\n| weekly runs of record ({n:,} documents each) | diff + standing (s) | ratio to 2 runs |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "s.sqlite3"
        base = None
        for week in range(weeks):
            run_id = record(store, *synthetic_week(n, week), started_at=f"{2024 + week // 52}-01-01T01:30:00+00:00")
            if week + 1 in (2, weeks):
                run = load_run(store, run_id)
                seconds = fastest(rounds, partial(_standing, store, run, run_id))
                base = base or seconds
                print(f"| {week + 1} | {seconds:.2f} | {seconds / base:.1f}× |")


if __name__ == "__main__":
    main()
