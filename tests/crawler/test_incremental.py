"""Weekly re-crawls against the demo portal server: cheap when nothing changed, exact about
what did, honest when a page fails, and resumable after being killed half-way.

Counts come from the crawl's own wire statistics (govaudit/wire/*, measured below the HTTP
cache, so a 304 is a 304) and from the server side (the fault rules count requests).
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from demoportal.server import DemoPortal
from crawler.crawl import run_crawl
from crawler.sites import load_site
from govaudit.store import Store
from crawler.catalog_sync import changes
from tests.crawl_waits import wait_for_pages

pytestmark = pytest.mark.slow  # serves the demo portal

REPO = Path(__file__).resolve().parents[2]
TEST_SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "GOVAUDIT_RETRY_BACKOFF_BASE": 0.05}


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(seed=7, size=300) as server:
        yield server


def _wire(store: Path, crawl_id: int) -> dict[str, int]:
    with Store(store) as st:
        stats = st.crawl(crawl_id)["stats"]["closed"]
    return {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("govaudit/wire/")}


def _pages(store: Path, crawl_id: int) -> dict[str, object]:
    with Store(store) as st:
        return {urlsplit(p.url).path: p for p in st.pages(crawl_id)}


def _crawl(portal: DemoPortal, store: Path, **kw):
    return run_crawl("demo", store, base_url=portal.url, show_progress=False, settings_overrides=TEST_SETTINGS, **kw)


def test_unchanged_portal_is_revalidated_not_refetched(portal, tmp_path):
    # A full re-crawl (`govaudit crawl --full`) asks about every page again; the default re-crawl
    # budget, which leaves unchanged entries unfetched, is tested in test_recrawl.py.
    store = tmp_path / "govaudit.sqlite3"
    first, second = _crawl(portal, store), _crawl(portal, store, full=True)
    assert first.status == second.status == "complete"
    assert second.carried == 0 and second.fetched == first.fetched
    w1, w2 = _wire(store, first.crawl_id), _wire(store, second.crawl_id)
    documents = len(portal.manifest["documents"])
    # One spider per CMS dialect of the mixed site, each reading robots.txt: the repeats revalidate.
    repeats = len(load_site("demo").dialects) - 1
    assert w1["full_responses"] >= documents and w1.get("not_modified", 0) == repeats, w1
    assert w2["responses"] == w1["responses"], "the second crawl asks for the same pages"
    assert w2["full_responses"] * 10 < w1["full_responses"], (w1, w2)
    assert w2["not_modified"] >= documents - 10, (w1, w2)
    assert w2["bytes"] * 20 < w1["bytes"], (w1, w2)
    # A revalidated page is read from the cached copy: the stored records are the same.
    p1, p2 = _pages(store, first.crawl_id), _pages(store, second.crawl_id)
    assert p1.keys() == p2.keys()
    for path, page in p1.items():
        assert (page.http_status, page.meta_pairs, page.body_text, page.error) == \
               (p2[path].http_status, p2[path].meta_pairs, p2[path].body_text, p2[path].error), path
    assert second.changes == {"new": 0, "changed": 0, "gone": 0}


def test_changed_new_and_deleted_documents_are_reported(tmp_path):
    with DemoPortal(seed=7, size=300) as portal:
        store = tmp_path / "govaudit.sqlite3"
        first = _crawl(portal, store)
        routine = [d for d in portal.manifest["documents"] if d["report_type"] == "routine"
                   and d["http_status"] == 200 and not d["defects"]]
        edited, withdrawn = routine[0], routine[1]
        result = portal.change(change=[edited["doc_id"]], delete=[withdrawn["doc_id"]], add=1)
        [added] = result["added"]
        second = _crawl(portal, store, full=True)  # the body edit leaves the catalog entry as it was
        assert second.changes == {"new": 1, "changed": 1, "gone": 1}
        with Store(store) as st:
            rows = {(r["change"], r["doc_key"]): r for r in changes(st, second.crawl_id)}
        assert set(rows) == {("changed", edited["doc_id"]), ("gone", withdrawn["doc_id"]), ("new", str(added["doc_id"]))}
        assert rows[("changed", edited["doc_id"])]["fields"] == ["body"]
        assert rows[("changed", edited["doc_id"])]["previous_crawl_id"] == first.crawl_id
        assert urlsplit(rows[("new", str(added["doc_id"]))]["url"]).path == added["url_path"]
        assert rows[("new", str(added["doc_id"]))]["unit"] == added["unit"]
        # Only what changed crossed the wire in full: the edited page, the new one and the
        # catalog windows that moved; everything else was a 304.
        w2 = _wire(store, second.crawl_id)
        assert w2["full_responses"] <= 25, w2
        page = _pages(store, second.crawl_id)[edited["url_path"]]
        assert "第1次更正" in page.body_text
        assert added["url_path"] in {d["url_path"] for d in portal.manifest["documents"]}
        assert withdrawn["url_path"] not in {d["url_path"] for d in portal.manifest["documents"]}


def test_a_page_failing_on_recrawl_is_not_served_from_the_cache(tmp_path):
    with DemoPortal(seed=7, size=300) as portal:
        store = tmp_path / "govaudit.sqlite3"
        doc = next(d for d in portal.manifest["documents"] if d["unit"] == "乌镇镇" and d["http_status"] == 200)
        first = _crawl(portal, store, units=["乌镇镇"])
        assert _pages(store, first.crawl_id)[doc["url_path"]].error is None
        portal.set_fault(doc["url_path"], "drop")
        second = _crawl(portal, store, units=["乌镇镇"], full=True)  # asked again, not carried over
        page = _pages(store, second.crawl_id)[doc["url_path"]]
        assert page.error and page.error.startswith("connection dropped"), page.error
        assert page.body_text == "" and page.http_status is None
        assert len(portal.fault_hits()[doc["url_path"]]) >= 2  # retried, not answered from the cache
        with Store(store) as st:
            stats = st.crawl(second.crawl_id)["stats"]["closed"]
        assert "httpcache/errorrecovery" not in stats


KILLABLE = """
import json, sys
from crawler.crawl import run_crawl
run_crawl("demo", sys.argv[1], base_url=sys.argv[2], show_progress=False, settings_overrides=json.loads(sys.argv[3]))
"""


def test_killed_crawl_is_partial_and_resumes_without_duplicates(portal, tmp_path):
    from audits.audit import audit_crawl, render

    store = tmp_path / "govaudit.sqlite3"
    slow = {**TEST_SETTINGS, "DOWNLOAD_DELAY": 0.05, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "RANDOMIZE_DOWNLOAD_DELAY": False}
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(store), portal.url, json.dumps(slow)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        crawl_id = wait_for_pages(store, 40, proc)
        proc.send_signal(signal.SIGINT)  # Ctrl-C: the runner stops the crawl process and records it
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "KeyboardInterrupt" in err
    documents = {d["url_path"] for d in portal.manifest["documents"]}
    with Store(store) as st:
        killed = st.crawl(crawl_id)
        stored = st.page_count(crawl_id)
    assert killed["status"] == "partial"
    assert 40 <= stored < len(documents)

    audit = audit_crawl(store, crawl_id)
    assert audit.crawl_status == "partial"
    report = render(store, audit.run_id, tmp_path / "reports").read_text(encoding="utf-8")
    assert "本次采集不完整" in report

    resumed = _crawl(portal, store, resume=crawl_id)
    assert resumed.crawl_id == crawl_id and resumed.status == "complete"
    with Store(store) as st:
        # site-column listings (kind="column", read for the spot check) are not catalog documents
        urls = [r[0] for r in st.conn.execute("SELECT url FROM pages WHERE crawl_id=? AND kind != 'column'",
                                              (crawl_id,))]
        assert [c["id"] for c in st.crawls()] == [crawl_id]
    assert len(urls) == len(set(urls)) == len(documents)
    assert {urlsplit(u).path for u in urls} == documents
    # The pages fetched before the kill were revalidated, not fetched again.
    assert _wire(store, crawl_id).get("not_modified", 0) >= 40 - 5
