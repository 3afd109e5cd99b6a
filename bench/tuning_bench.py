"""The rule tuner's loop, from the shell: `govaudit audit` on the demo store against
`python -c "import great_expectations, pandas"`, both timed in the same run on the same machine.

The import is the floor any audit pays (Great Expectations validates, pandas holds the frames);
the ratio says what the audit adds on top: reading the rule files, the frames (from the frame
cache when warm, parsed from the pages when cold), derived columns, validation, findings, the
history and the report. Each command is run several times and the fastest wall time is kept,
with its user+system CPU time beside it (steadier than wall time on a shared machine).

    python bench/tuning_bench.py                     # builds a demo store first when none is given
    python bench/tuning_bench.py --store var/govaudit.sqlite3 --rounds 5
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmarks_md import write_section  # noqa: E402

BIN = Path(sys.executable).parent
ENV = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}


# The section's opening paragraph in BENCHMARKS.md: what is measured and against what.
INTRO = ("`python bench/tuning_bench.py`: the rule tuner's loop measured from the shell on the demo store "
         "(`govaudit demo`, 300 + 178 documents): `govaudit audit` after an edit, against importing Great "
         "Expectations and pandas alone, in the same run. The audit reads the rule files, takes the crawl's "
         "frames from the frame cache in the store (or parses the pages when it is cold), derives columns, "
         "validates with Great Expectations, folds findings, records the run and writes report.html, "
         "findings.xlsx and the CSV/JSON exports.")


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child) and the exit code of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):  # 1: critical findings, which the demo portal has on purpose
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, cpu, done.returncode


def fastest(command: list[str], rounds: int, before_each=None) -> tuple[float, float]:
    runs = []
    for _ in range(rounds):
        if before_each:
            before_each()
        runs.append(timed(command)[:2])
    return min(runs)


def drop_frame_cache(store: Path) -> None:
    import sqlalchemy as sa

    from govaudit import schema
    from govaudit.db import connect

    conn = connect(store)
    try:
        with conn:
            conn.execute(sa.delete(schema.frame_cache))
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store with a demo crawl (default: build one with govaudit demo)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tuning-bench-") as tmp:
        reports = Path(tmp) / "reports"
        store = args.store
        if store is None:
            store = Path(tmp) / "demo.sqlite3"
            print("building a demo store (govaudit demo)…", flush=True)
            timed([str(BIN / "govaudit"), "demo", "--store", str(store), "--reports", str(reports)])
        audit = [str(BIN / "govaudit"), "audit", "--store", str(store), "--reports", str(reports)]
        importing = [sys.executable, "-c", "import great_expectations, pandas"]
        timed(audit)  # fills the frame cache (and the OS file cache) for the warm rounds
        import_wall, import_cpu = fastest(importing, args.rounds)
        warm_wall, warm_cpu = fastest(audit, args.rounds)
        cold_wall, cold_cpu = fastest(audit, 1, lambda: drop_frame_cache(store))
        timed(audit)  # leave the cache warm
    rows = [("`python -c \"import great_expectations, pandas\"` (baseline)", import_wall, import_cpu),
            ("`govaudit audit`, frame cache warm (the tuning loop)", warm_wall, warm_cpu),
            ("`govaudit audit`, frame cache cold (pages parsed, attachments read)", cold_wall, cold_cpu)]
    lines = ["| command | wall (s) | CPU (s) | wall ÷ import | CPU ÷ import |", "|---|---|---|---|---|"]
    for name, wall, cpu in rows:
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / import_wall:.2f}× | {cpu / import_cpu:.2f}× |")
    load = os.getloadavg()[0]
    text = "\n".join(lines) + (
        f"\n\nFastest of {args.rounds} rounds (cold: 1 round), {os.cpu_count()} cores, load average "
        f"{load:.1f} when the run ended (the machine was shared with other work). Targets: the warm audit "
        f"≤5 s and ≤1.5× the import alone.")
    print(text)
    if not args.no_write:
        write_section(ROOT / "BENCHMARKS.md", "## Tuning loop", f"{INTRO}\n\n{text}")


if __name__ == "__main__":
    main()
