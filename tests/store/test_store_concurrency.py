"""A crawl writing pages, two audits recording runs and a report reading, all at once in separate
processes on one store: nothing lost, no error, and a reader never sees half a run.

On PostgreSQL the writers run side by side in transactions; on SQLite they take turns (WAL lets
the reader read meanwhile). The result must be the same on both.
"""
from __future__ import annotations

import multiprocessing
import traceback
from typing import Any

import pytest

from audits.history import load_run, site_runs
from govaudit.db import dispose_engines
from govaudit.records import PageRecord
from govaudit.store import Store
from tests.report_runs import SITE, realistic_docs, realistic_findings, realistic_run

PAGES = 120
RUNS_PER_AUDIT = 3
FINDINGS_PER_RUN = len(realistic_findings(realistic_docs()))


def _child(target: Any, errors: Any, *args: Any) -> None:
    try:  # the child opens its own connections (govaudit.db keys engines by process id)
        target(*args)
    except BaseException:
        errors.put(traceback.format_exc())
        raise


def crawl(store: Any, crawl_id: int) -> None:
    with Store(store) as st:
        for n in range(PAGES):
            st.save_page(crawl_id, PageRecord(
                url=f"http://x/{n}.html", site=SITE, unit="濮院镇", unit_level="township", dialect="generic",
                kind="detail", list_title=f"通知{n}", list_date="2024-04-01", http_status=200, headers={},
                fetched_at=None, encoding="utf-8", html="<p>正文</p>" * 50, page_title=None, meta_pairs=[],
                meta_tags={}, body_text="正文" * 50, body_html="<p>正文</p>", attachments=[], error=None))


def audit(store: Any) -> None:
    for _ in range(RUNS_PER_AUDIT):
        realistic_run(store)


def report(store: Any, crawl_id: int, done: Any) -> None:
    """Read what is there until the writers are done; every run read must be whole."""
    seen_pages = 0
    while True:
        finished = done.is_set()  # read once more after the writers have finished
        for run in site_runs(store, SITE):
            findings = load_run(store, run["id"]).findings
            assert len(findings) == FINDINGS_PER_RUN, f"run {run['id']} read with {len(findings)} findings"
        with Store(store) as st:
            pages = st.page_count(crawl_id)
        assert pages >= seen_pages, "pages disappeared"
        seen_pages = pages
        if finished:
            return


@pytest.mark.slow  # child processes
def test_a_crawl_two_audits_and_a_report_at_once(store_ref):
    with Store(store_ref) as st:
        crawl_id = st.start_crawl(SITE, ["濮院镇"])
    dispose_engines()  # no pooled connection is inherited by the forked children
    context = multiprocessing.get_context("fork")
    errors, done = context.Queue(), context.Event()
    writers = [context.Process(target=_child, args=(crawl, errors, store_ref, crawl_id)),
               context.Process(target=_child, args=(audit, errors, store_ref)),
               context.Process(target=_child, args=(audit, errors, store_ref))]
    reader = context.Process(target=_child, args=(report, errors, store_ref, crawl_id, done))
    for process in [*writers, reader]:
        process.start()
    for process in writers:
        process.join(timeout=300)
    done.set()
    reader.join(timeout=300)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == [] and [p.exitcode for p in [*writers, reader]] == [0, 0, 0, 0], "\n".join(problems)

    with Store(store_ref) as st:
        assert st.page_count(crawl_id) == PAGES
        assert sorted(p.url for p in st.pages(crawl_id)) == sorted(f"http://x/{n}.html" for n in range(PAGES))
    runs = site_runs(store_ref, SITE)
    assert len(runs) == 2 * RUNS_PER_AUDIT
    assert all(len(load_run(store_ref, r["id"]).findings) == FINDINGS_PER_RUN for r in runs)
