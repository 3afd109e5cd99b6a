"""The real chain on both backends: the demo portal crawled by the real spider in its subprocess
(pages written by the crawl pipeline), audited, rendered. PostgreSQL must store and find exactly
what SQLite does."""
from __future__ import annotations

import pytest

from audits.audit import audit_crawl, render
from audits.history import load_run
from crawler.crawl import run_crawl
from govaudit.store import Store

UNITS = ["桐乡市司法局", "濮院镇"]


def crawl_and_audit(store, portal_url: str, reports) -> tuple[list[str], list[str], object]:
    summary = run_crawl("demo", store, units=UNITS, base_url=portal_url, show_progress=False)
    assert summary.status == "complete", summary.reason
    audit = audit_crawl(store, summary.crawl_id)
    report = render(store, audit.run_id, reports)
    with Store(store) as st:
        urls = sorted(p.url for p in st.pages(summary.crawl_id))
    keys = sorted(load_run(store, audit.run_id).findings["finding_key"])
    return urls, keys, report


@pytest.mark.postgres
def test_a_crawl_audit_and_report_on_postgresql_match_sqlite(demo_portal, postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVAUDIT_STATE_DIR", str(tmp_path / "state"))  # logs, locks, HTTP cache of a server store
    sqlite_urls, sqlite_keys, _ = crawl_and_audit(tmp_path / "govaudit.sqlite3", demo_portal.url, tmp_path / "r1")
    urls, keys, report = crawl_and_audit(postgres_url, demo_portal.url, tmp_path / "r2")
    assert len(urls) > 10 and urls == sqlite_urls
    assert keys == sqlite_keys and keys
    assert report.is_file() and "test-only-password" not in report.read_text(encoding="utf-8")
    assert [p.name for p in (tmp_path / "state" / "logs").iterdir()] == ["crawl-1.log"]
    assert (tmp_path / "state" / "httpcache").is_dir()
