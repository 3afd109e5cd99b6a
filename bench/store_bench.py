"""What the shared PostgreSQL store costs and gains against the embedded SQLite file (the baseline,
run in the same script on the same machine): pages written one commit each (as the crawl pipeline
writes them) by one process and by several at once, and an audit run recorded and read back.

PostgreSQL runs from initdb in a temporary directory on loopback (tests/mockserver/postgres.py,
Debian's postgresql binaries) with fsync off, as the tests run it, while the SQLite file syncs as
it does in use: the ratios say how the two compare on one machine, not what a real server on its
own machine does.

    python bench/store_bench.py --pages 400 --writers 1 4
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.history import load_run  # noqa: E402
from govaudit.db import dispose_engines  # noqa: E402
from govaudit.records import PageRecord  # noqa: E402
from govaudit.store import Store  # noqa: E402
from tests.mockserver import postgres  # noqa: E402
from tests.report_runs import realistic_run  # noqa: E402


def page(n: int) -> PageRecord:
    return PageRecord(url=f"http://bench.example/{n}.html", site="bench", unit=f"单位{n % 20}",
                      unit_level="department", dialect="generic", kind="detail", list_title=f"通知{n}",
                      list_date="2024-04-01", http_status=200, headers={"Content-Type": "text/html"},
                      fetched_at="2024-04-08T01:00:00+00:00", encoding="utf-8", html="<p>正文内容</p>" * 400,
                      page_title=f"通知{n}", meta_pairs=[["发布机构", "单位"]], meta_tags={},
                      body_text="正文内容" * 400, body_html="<p>正文内容</p>" * 400, attachments=[], error=None)


def write_pages(store: Any, crawl_id: int, numbers: range) -> None:
    with Store(store) as st:
        for n in numbers:
            st.save_page(crawl_id, page(n))


def pages_per_second(store: Any, pages: int, writers: int) -> float:
    with Store(store) as st:
        crawl_id = st.start_crawl("bench", [])
    dispose_engines()
    context = multiprocessing.get_context("fork")
    share = pages // writers
    processes = [context.Process(target=write_pages, args=(store, crawl_id, range(i * share, (i + 1) * share)))
                 for i in range(writers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(p.exitcode for p in processes):
        raise RuntimeError("a writer failed")
    with Store(store) as st:
        assert st.page_count(crawl_id) == share * writers
    return share * writers / elapsed


def run_round_trip(store: Any, rounds: int = 5) -> tuple[float, float]:
    """Seconds to record one realistic run and to load it back, fastest of `rounds`."""
    recorded, loaded = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        run_id, _ = realistic_run(store)
        recorded.append(time.perf_counter() - started)
        started = time.perf_counter()
        load_run(store, run_id)
        loaded.append(time.perf_counter() - started)
    return min(recorded), min(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    bin_dir = postgres.binaries()
    if bin_dir is None:
        sys.exit("PostgreSQL binaries not found (Debian package postgresql)")
    server = postgres.start(bin_dir)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = []
            for writers in args.writers:
                base = pages_per_second(Path(tmp) / f"w{writers}.sqlite3", args.pages, writers)
                url = server.create_database(f"bench_w{writers}")
                pg = pages_per_second(url, args.pages, writers)
                rows.append((f"{args.pages} pages, {writers} writer(s) (pages/s)", base, pg, pg / base))
            base_record, base_load = run_round_trip(Path(tmp) / "runs.sqlite3")
            pg_record, pg_load = run_round_trip(server.create_database("bench_runs"))
            rows.append(("record one audit run (s)", base_record, pg_record, pg_record / base_record))
            rows.append(("load one audit run (s)", base_load, pg_load, pg_load / base_load))
    finally:
        dispose_engines()
        postgres.stop(server)
    print("| measure | SQLite (baseline) | PostgreSQL | ratio |")
    print("|---|---|---|---|")
    for name, base, pg, ratio in rows:
        print(f"| {name} | {base:.3g} | {pg:.3g} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
