"""Every fault a real portal throws at the crawler, against the demo portal server.

One server (seed 7, size 300) carries all fault rules at once, each on its own document,
catalog or unit; each case crawls only the unit its fault lives in, with short timeouts and
few retries, then checks what the store holds for the faulty page (status and error) and
what the audit makes of it: "could not check" (FETCH-1..4, PARSE-1), never a missing
row and never a pass. The two cases where the portal recovers (a flaky 500, malformed
markup) must instead be read normally.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from demoportal.server import DemoPortal
from crawler.crawl import run_crawl
from crawler.sites import SITES_DIR
from govaudit.store import Store

pytestmark = pytest.mark.slow  # serves the demo portal, a browser or a service process

TEST_SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 2, "GOVAUDIT_RETRY_BACKOFF_BASE": 0.05,
                 "GOVAUDIT_RETRY_BACKOFF_MAX": 1.5, "DOWNLOAD_MAXSIZE": 1_000_000, "REDIRECT_MAX_TIMES": 5}
CATALOG = {"桐乡市财政局": "/col/col1229427118/index.html", "梧桐街道": "/col/col1229428754/index.html"}


@dataclass(frozen=True)
class Case:
    mode: str
    target: str  # detail (one document) | catalog (the unit's column page) | unit (every request of the unit)
    unit: str
    rule: str | None  # the could-not-check finding expected; None: the page must be read normally
    status: int | None  # stored http_status
    error: str | None  # regex the stored error must match; None: no error
    hits: int | None = None  # requests the fault answered (retries included)
    min_gap: float = 0.0  # least seconds between two of those requests (Retry-After honoured)

    def __str__(self) -> str:
        return self.mode


CASES = [
    Case("500", "catalog", "桐乡市财政局", "FETCH-2", 500, r"^catalog unreachable: HTTP 500 at .*gave up after 2 retries",
         hits=3),
    Case("flaky:2", "detail", "石门镇", None, 200, None, hits=3),
    Case("503", "detail", "乌镇镇", "FETCH-1", 503, r"^HTTP 503 at .*gave up after 2 retries", hits=3, min_gap=0.9),
    Case("412", "unit", "濮院镇", "FETCH-3", 412,
         r"^catalog unreachable: blocked: HTTP 412 .*瑞数.*allow the govaudit User-Agent", hits=1),
    Case("403", "detail", "屠甸镇", "FETCH-3", 403, r"^blocked: HTTP 403 .*politeness\.delay", hits=1),
    Case("429", "detail", "乌镇镇", "FETCH-3", 429, r"^blocked: HTTP 429 .*gave up after 2 retries", hits=3, min_gap=0.9),
    Case("slow:4", "detail", "洲泉镇", "FETCH-1", None, r"^timed out: .*DOWNLOAD_TIMEOUT=2s \(gave up after 2 retries\)",
         hits=3),
    Case("drop", "detail", "洲泉镇", "FETCH-1", None, r"^connection dropped: .*gave up after 2 retries"),
    Case("redirect-loop", "detail", "大麻镇", "FETCH-1", None, r"^too many redirects .*redirect loop.*REDIRECT_MAX_TIMES=5",
         hits=6),
    Case("oversize", "detail", "大麻镇", "FETCH-1", None, r"^page too large: .*DOWNLOAD_MAXSIZE=1000000", hits=1),
    Case("malformed", "detail", "河山镇", None, 200, None, hits=1),
    Case("truncated", "detail", "河山镇", "PARSE-1", 200, None, hits=1),
    Case("bad-gbk", "detail", "石门镇", "FETCH-1", 200, r"^page bytes do not decode as gb18030: invalid bytes .* at offset",
         hits=1),
    Case("stub-paging:15", "unit", "桐乡市人民政府", "FETCH-2", 200,
         r"^catalog paging stopped: records 16-30 came back empty .*only 15 of the 39 records"),
    Case("paging-loop:15", "unit", "桐乡市司法局", "FETCH-2", 200,
         r"^catalog paging stopped: records 16-30 repeated records already listed \(a paging loop\)"),
    Case("offsite", "unit", "崇福镇", "FETCH-4", None, r"^not followed: host \S+ is not one of the site's hosts; "
                                                       r"add it to 'allowed_hosts'"),
]


@dataclass
class CrawlResult:
    status: str
    pages: dict[str, object]  # url → PageRecord
    findings: object  # DataFrame
    log: str


@pytest.fixture(scope="module")
def portal():
    """The demo portal with every fault switched on, and the path each detail fault sits on."""
    with DemoPortal(seed=7, size=300) as server:
        clean = {}
        for doc in server.manifest["documents"]:
            if doc["http_status"] == 200 and not doc["defects"] and not doc["attachments"]:
                clean.setdefault(doc["unit"], []).append(doc["url_path"])
        paths = {}
        for case in CASES:
            if case.target == "detail":
                key = paths[case.mode] = clean[case.unit].pop(0)
            elif case.target == "catalog":
                key = paths[case.mode] = CATALOG[case.unit]
            else:
                key = case.unit
            server.set_fault(key, case.mode)
        server.fault_paths = paths
        yield server


@pytest.fixture(scope="module")
def crawl_unit(portal, tmp_path_factory):
    """Crawl (and audit) one unit, once per site config and unit for the whole module."""
    from audits.audit import audit_crawl

    done: dict[tuple[str, str], CrawlResult] = {}

    def crawl(unit: str, site: str | Path = "demo") -> CrawlResult:
        if (str(site), unit) not in done:
            store = tmp_path_factory.mktemp("faults") / "govaudit.sqlite3"
            summary = run_crawl(site, store, units=[unit], base_url=portal.url, show_progress=False,
                                settings_overrides=TEST_SETTINGS)
            with Store(store) as st:
                pages = {p.url: p for p in st.pages(summary.crawl_id)}
            findings = audit_crawl(store, summary.crawl_id).findings
            done[(str(site), unit)] = CrawlResult(summary.status, pages, findings,
                                                  summary.log_path.read_text(encoding="utf-8"))
        return done[(str(site), unit)]
    return crawl


def _faulty_pages(case: Case, portal, result: CrawlResult) -> list:
    if case.target in ("detail", "catalog"):
        return [result.pages[portal.url_for(portal.fault_paths[case.mode])]]
    if case.mode == "offsite":
        return [p for p in result.pages.values() if urlsplit(p.url).netloc != urlsplit(portal.url).netloc]
    return [p for p in result.pages.values() if p.kind == "catalog"]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fault_is_stored_and_reported(case, portal, crawl_unit):
    result = crawl_unit(case.unit)
    # A faulty portal must not crash or cut short the crawl; a unit whose only catalog could not
    # be read leaves nothing crawled, which is a failed crawl, never a complete one.
    crawled = any(p.kind == "detail" for p in result.pages.values())
    assert result.status == ("complete" if crawled else "failed")
    pages = _faulty_pages(case, portal, result)
    assert pages, f"no stored page for the {case.mode} fault"
    if case.mode == "offsite":
        assert {urlsplit(p.url).hostname for p in pages} == {"www.example.gov.cn", "10.0.0.1", "127.0.0.2"}
    for page in pages:
        assert page.http_status == case.status, page.url
        if case.error:
            assert page.error and re.search(case.error, page.error), page.error
        else:
            assert page.error is None, page.error
        rows = result.findings[result.findings["url"] == page.url]
        if case.rule:
            assert case.rule in set(rows["rule_id"]), f"{page.url}: no {case.rule} finding"
            assert set(rows["kind"]) == {"could_not_check"}, rows[["rule_id", "kind"]].to_string()
        else:
            assert "could_not_check" not in set(rows["kind"]), rows[["rule_id", "kind"]].to_string()


@pytest.mark.parametrize("case", [c for c in CASES if c.hits or c.min_gap], ids=str)
def test_fault_was_retried_as_configured(case, portal, crawl_unit):
    crawl_unit(case.unit)
    key = portal.fault_paths.get(case.mode) or next(
        p for p in portal.manifest["units"] if p["name"] == case.unit)["catalog_path"]
    times = portal.fault_hits()[key]
    if case.hits:
        assert len(times) == case.hits, f"{case.mode}: the server answered {len(times)} requests for {key}"
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert all(gap >= case.min_gap for gap in gaps), f"{case.mode}: Retry-After not honoured, gaps {gaps}"


def test_units_without_faults_are_untouched(portal, crawl_unit):
    """The faults of other documents in a crawled unit leave its clean documents readable."""
    result = crawl_unit("大麻镇")
    faulty = {portal.url_for(p) for m, p in portal.fault_paths.items()}
    clean = [p for url, p in result.pages.items() if url not in faulty and p.http_status == 200]
    expected = [d for d in portal.manifest["documents"] if d["unit"] == "大麻镇" and d["http_status"] == 200]
    assert len(clean) == len(expected) - 2
    assert all(p.error is None and p.meta_pairs and p.body_text for p in clean)


def test_malformed_page_is_read_in_full(portal, crawl_unit):
    result = crawl_unit("河山镇")
    path = portal.fault_paths["malformed"]
    page = result.pages[portal.url_for(path)]
    doc = next(d for d in portal.manifest["documents"] if d["url_path"] == path)
    values = [value for _, value in page.meta_pairs]
    assert doc["index_no"] in values and doc["publisher"] in values and doc["issued_date"] in values
    assert doc["title"] == page.page_title
    assert len(page.body_text) > 500 and "一、" in page.body_text


def _site_copy(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = (SITES_DIR / "demo.yml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "site.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_private_address_is_refused_unless_the_site_allows_it(portal, crawl_unit, tmp_path):
    site = _site_copy(tmp_path, ("allow_private_hosts: true", "allow_private_hosts: false"))
    result = crawl_unit("梧桐街道", site)
    [catalog] = [p for p in result.pages.values() if p.kind == "catalog"]
    assert catalog.url == portal.url_for(CATALOG["梧桐街道"])
    assert re.search(r"^catalog unreachable: not followed: 127\.0\.0\.1 is a private or loopback address; "
                     r"set 'allow_private_hosts: true' in .*site\.yml", catalog.error), catalog.error
    rows = result.findings[result.findings["url"] == catalog.url]
    assert list(rows["rule_id"]) == ["FETCH-4"] and list(rows["kind"]) == ["could_not_check"]
    assert not [p for p in result.pages.values() if p.kind == "detail"]


def test_robots_opt_out_is_logged_with_its_reason(portal, crawl_unit, tmp_path):
    portal.set_fault("/robots.txt", "slow:0")  # answers normally, but counts the requests
    try:
        reason = "the portal's robots.txt disallows /art/, the disclosure pages the law requires to be public"
        site = _site_copy(tmp_path, ("obey_robots: true}", f"obey_robots: false, robots_opt_out_reason: \"{reason}\"}}"))
        opted_out = crawl_unit("凤鸣街道", site)
        assert opted_out.status == "complete"
        assert "robots.txt is NOT obeyed" in opted_out.log and reason in opted_out.log
        assert not portal.fault_hits().get("/robots.txt"), "robots.txt was fetched although the site opted out"
        obeyed = crawl_unit("凤鸣街道")
        assert "robots.txt is NOT obeyed" not in obeyed.log
        assert len(portal.fault_hits()["/robots.txt"]) == 1
    finally:
        portal.set_fault("/robots.txt", "")
