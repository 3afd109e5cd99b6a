"""The crawler downloads report attachments from the demo portal into the store, within limits."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlparse

import pytest

from crawler.crawl import run_crawl
from demoportal import build_portal
from demoportal.attachment_units import ATTACHMENT_UNITS
from govaudit.store import Store

pytestmark = pytest.mark.slow  # serves the demo portal

UNITS = [ATTACHMENT_UNITS[1].name]  # .docx reports, .xlsx table 三 beside some


def _attachments(store_path, crawl_id):
    with Store(store_path) as store:
        pages = [p for p in store.pages(crawl_id) if p.kind == "detail"]
        files = {a["sha256"]: store.attachment_file(a["sha256"]) for p in pages for a in p.attachments
                 if a.get("sha256")}
    return pages, files


def test_report_files_are_stored_with_their_bytes(demo_portal, tmp_path):
    store_path = tmp_path / "s.sqlite3"
    summary = run_crawl("demo", store_path, units=UNITS, base_url=demo_portal.url, show_progress=False)
    assert summary.status == "complete"
    pages, files = _attachments(store_path, summary.crawl_id)
    portal = build_portal(7, 300)
    links = [a for p in pages for a in p.attachments]
    assert links and all(a.get("download") == "1" and a["status"] == "200" for a in links)
    for link in links:
        name = parse_qs(urlparse(link["url"]).query)["filename"][0]
        expected = portal.report_files.file(name)[0]
        assert files[link["sha256"]] == expected
        assert link["sha256"] == hashlib.sha256(expected).hexdigest() and int(link["size"]) == len(expected)
    assert {link["url"].rsplit(".", 1)[-1] for link in links} == {"docx", "xlsx"}


def test_files_over_the_size_limit_are_not_stored_and_say_why(demo_portal, tmp_path):
    store_path = tmp_path / "s.sqlite3"
    summary = run_crawl("demo", store_path, units=UNITS, base_url=demo_portal.url, show_progress=False,
                        settings_overrides={"GOVAUDIT_ATTACHMENT_MAXSIZE": 20_000})
    pages, files = _attachments(store_path, summary.crawl_id)
    links = [a for p in pages for a in p.attachments]
    big = [a for a in links if a["url"].endswith(".docx")]  # ~39 kB each; the .xlsx are ~7 kB
    assert big and all("GOVAUDIT_ATTACHMENT_MAXSIZE=20000" in a["error"] and "sha256" not in a for a in big)
    assert all(a["status"] == "too_large" for a in big)  # not counted as a broken link (ATTACH-1)
    small = [a for a in links if a["url"].endswith(".xlsx")]
    assert small and all(a.get("sha256") in files for a in small)
    with Store(store_path) as store:
        assert store.conn.execute("SELECT MAX(size) FROM attachment_files").fetchone()[0] <= 20_000


def test_download_can_be_switched_off_and_links_are_still_checked(demo_portal, tmp_path):
    store_path = tmp_path / "s.sqlite3"
    summary = run_crawl("demo", store_path, units=UNITS, base_url=demo_portal.url, show_progress=False,
                        settings_overrides={"GOVAUDIT_DOWNLOAD_ATTACHMENTS": False})
    pages, files = _attachments(store_path, summary.crawl_id)
    links = [a for p in pages for a in p.attachments]
    assert links and all(a["status"] == "200" and "download" not in a for a in links) and not files


def test_a_file_slower_than_the_timeout_is_recorded_with_the_setting(demo_portal, tmp_path):
    store_path = tmp_path / "s.sqlite3"
    demo_portal.set_fault("/module/download/downfile.jsp", "slow:3")
    try:
        summary = run_crawl("demo", store_path, units=UNITS, base_url=demo_portal.url, show_progress=False,
                            settings_overrides={"GOVAUDIT_ATTACHMENT_TIMEOUT": 1, "RETRY_TIMES": 0})
    finally:
        demo_portal.set_fault("/module/download/downfile.jsp", "")
    pages, files = _attachments(store_path, summary.crawl_id)
    links = [a for p in pages for a in p.attachments]
    assert links and not files
    assert all("GOVAUDIT_ATTACHMENT_TIMEOUT=1s" in a["error"] for a in links)
