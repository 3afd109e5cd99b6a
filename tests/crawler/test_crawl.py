"""The Hanweb spider against the demo portal: completeness, paging, encodings, unit filter, config errors."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from urllib.parse import urlparse

import pytest

from govaudit.store import Store

pytestmark = pytest.mark.slow  # serves the demo portal, a browser or a service process


def _pages(store_path, crawl_id):
    with Store(store_path) as store:
        return list(store.pages(crawl_id))


def test_every_manifest_document_found_exactly_once(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    assert summary.status == "complete"
    pages = [p for p in _pages(store_path, summary.crawl_id) if p.kind == "detail"]
    paths = Counter(urlparse(p.url).path for p in pages)
    expected = {d["url_path"] for d in demo_portal.manifest["documents"]}
    assert set(paths) == expected
    assert max(paths.values()) == 1
    by_path = {urlparse(p.url).path: p for p in pages}
    for doc in demo_portal.manifest["documents"]:
        assert by_path[doc["url_path"]].unit == doc["unit"]


def test_catalogs_needed_several_paging_batches(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    with Store(store_path) as store:
        stats = store.crawl(summary.crawl_id)["stats"]["closed"]
    batches = {k.split("/")[2]: v for k, v in stats.items() if k.endswith("/catalog_pages")}
    paged = [u for u in demo_portal.manifest["units"] if u["doc_count"] > 3 * u["per_page"]]
    assert paged, "the demo portal should have units beyond the first group"
    for unit in paged:
        assert batches.get(unit["name"], 0) >= 1, unit["name"]
    assert max(batches.values()) >= 2


def test_gbk_pages_decode_to_exact_titles(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    by_path = {urlparse(p.url).path: p for p in _pages(store_path, summary.crawl_id)}
    gbk = [d for d in demo_portal.manifest["documents"] if d["encoding"].lower() in ("gbk", "gb2312", "gb18030")
           and d["http_status"] == 200]
    assert gbk, "the demo portal serves some GBK pages"
    for doc in gbk:
        page = by_path[doc["url_path"]]
        assert page.page_title == doc["title"]
        assert "\ufffd" not in page.html
        assert page.error is None


def test_missing_pages_are_stored_with_their_status(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    by_path = {urlparse(p.url).path: p for p in _pages(store_path, summary.crawl_id)}
    missing = [d for d in demo_portal.manifest["documents"] if d["http_status"] == 404]
    assert missing
    for doc in missing:
        page = by_path[doc["url_path"]]
        assert page.http_status == 404 and "404" in page.error


def test_attachment_status_recorded(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    by_path = {urlparse(p.url).path: p for p in _pages(store_path, summary.crawl_id)}
    checked = 0
    for doc in demo_portal.manifest["documents"]:
        for att in doc["attachments"]:
            page = by_path[doc["url_path"]]
            statuses = {urlparse(a["url"]).path + ("?" + urlparse(a["url"]).query if urlparse(a["url"]).query else ""):
                        a.get("status") for a in page.attachments}
            assert statuses.get(att["path"]) == str(att["status"]), (doc["url_path"], att)
            checked += 1
    assert checked


def _govaudit(*args, **kw):
    return subprocess.run([sys.executable, "-m", "audits.cli", *args], capture_output=True, text=True,
                          timeout=300, **kw)


def test_unit_option_limits_the_crawl(demo_portal, tmp_path):
    store = tmp_path / "s.sqlite3"
    result = _govaudit("crawl", "demo", "--base-url", demo_portal.url, "--unit", "濮院镇", "--store", str(store), "-q")
    assert result.returncode == 0, result.stderr
    with Store(store) as st:
        crawl_id = st.resolve_crawl("latest")
        units = {p.unit for p in st.pages(crawl_id)}
        n = st.page_count(crawl_id)
    assert units == {"濮院镇"}
    expected = sum(1 for d in demo_portal.manifest["documents"] if d["unit"] == "濮院镇")
    assert n == expected


def test_unknown_unit_is_a_usage_error(demo_portal, tmp_path):
    result = _govaudit("crawl", "demo", "--base-url", demo_portal.url, "--unit", "不存在镇",
                       "--store", str(tmp_path / "s.sqlite3"), "-q")
    assert result.returncode == 2
    assert "不存在镇" in result.stderr and "濮院镇" in result.stderr


@pytest.mark.parametrize("mutation, field", [
    (("level: township", "level: town"), "level"),
    (("cms: hanweb", "cms: wordpress"), "cms"),
    (("politeness:", "politness:"), "politness"),
    (("base_url: http://127.0.0.1:8800/", "base_url: ftp://x"), "base_url"),
])
def test_site_config_error_names_file_line_and_field(tmp_path, mutation, field):
    from crawler.sites import SITES_DIR

    text = (SITES_DIR / "demo.yml").read_text(encoding="utf-8")
    old, new = mutation
    assert old in text
    bad = tmp_path / "broken.yml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    expected_line = text.splitlines().index(next(ln for ln in text.splitlines() if old in ln)) + 1
    result = _govaudit("crawl", str(bad), "--store", str(tmp_path / "s.sqlite3"), "-q")
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert f"{bad}:{expected_line}" in message
    assert field in message


def test_the_spider_pages_in_the_windows_the_column_announces(tmp_path):
    """A column of 15 records a page, 3 pages a group (the Hanweb default): the spider asks
    dataproxy.jsp for records 46–90, 91–135 … with perpage=15, and lists every document once."""
    from urllib.parse import parse_qs

    from crawler.crawl import run_crawl
    from demoportal.server import DemoPortal

    unit = "桐乡市人民政府"
    with DemoPortal(seed=7, size=1000, per_page=15) as portal:
        summary = run_crawl("demo", tmp_path / "s.sqlite3", units=[unit], base_url=portal.url, show_progress=False)
        windows = [parse_qs(urlparse(r["path"]).query) for r in portal.requests()
                   if urlparse(r["path"]).path.endswith("/dataproxy.jsp")]
        expected = {d["url_path"] for d in portal.manifest["documents"] if d["unit"] == unit}
    assert summary.status == "complete" and len(expected) > 90
    starts = [int(w["startrecord"][0]) for w in windows]
    assert starts == list(range(46, len(expected) + 1, 45))
    assert all(int(w["endrecord"][0]) - int(w["startrecord"][0]) == 44 and w["perpage"] == ["15"] for w in windows)
    details = Counter(urlparse(p.url).path for p in _pages(tmp_path / "s.sqlite3", summary.crawl_id)
                      if p.kind == "detail")
    assert set(details) == expected and max(details.values()) == 1
