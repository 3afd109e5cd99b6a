"""The TRS, gkmlpt and jpaas spiders against the demo portal's units on those platforms.

Per dialect every manifest document is found exactly once and in its unit; the GBK site that
declares gb2312 decodes names outside GB2312 exactly; a unit with two catalog columns counts
each document once; a TRS stub page deep in the pager and a failing gkmlpt list API become
"could not check" findings of the unit's catalog, never a crash or a silent gap.
"""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlparse

import pytest

from crawler.crawl import run_crawl
from govaudit.store import Store
from demoportal.server import DemoPortal

pytestmark = pytest.mark.slow

TEST_SETTINGS = {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 1, "GOVAUDIT_RETRY_BACKOFF_BASE": 0.05,
                 "GOVAUDIT_RETRY_BACKOFF_MAX": 0.5}
DIALECTS = ("trs", "gkmlpt", "jpaas")


def _pages(store_path, crawl_id):
    with Store(store_path) as store:
        return list(store.pages(crawl_id))


@pytest.mark.parametrize("cms", DIALECTS)
def test_every_document_of_the_dialect_found_exactly_once(cms, demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    units = {u["name"] for u in demo_portal.manifest["units"] if u["cms"] == cms}
    assert units, f"the demo portal has no {cms} unit"
    pages = [p for p in _pages(store_path, summary.crawl_id) if p.unit in units]
    assert {p.dialect for p in pages} == {cms}
    assert not [p.error for p in pages if p.kind == "catalog"], "catalogs read without a problem"
    found = Counter(urlparse(p.url).path for p in pages if p.kind == "detail")
    expected = {d["url_path"]: d for d in demo_portal.manifest["documents"] if d["unit"] in units}
    assert set(found) == set(expected)
    assert max(found.values()) == 1
    by_path = {urlparse(p.url).path: p for p in pages}
    for path, doc in expected.items():
        page = by_path[path]
        assert page.unit == doc["unit"]
        if doc["http_status"] == 200:
            assert page.page_title == doc["title"] and page.error is None
            assert len(page.body_text) > 50, f"{path}: body not read"
            values = {v for _, v in page.meta_pairs}
            assert doc["index_no"] is None or doc["index_no"] in values


def test_trs_list_pages_were_walked(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    with Store(store_path) as store:
        stats = store.crawl(summary.crawl_id)["stats"]["closed"]
    for unit in (u for u in demo_portal.manifest["units"] if u["cms"] in ("trs", "jpaas")):
        pages = sum(-(-sum(1 for d in demo_portal.manifest["documents"] if d["unit"] == unit["name"]
                               and (len(unit["catalog_paths"]) == 1 or path.endswith("tzgg/index.html")
                                    or d["report_type"].endswith("_annual"))) // unit["per_page"])
                    for path in unit["catalog_paths"])
        assert stats[f"govaudit/unit/{unit['name']}/catalog_pages"] >= pages, unit["name"]


def test_gbk_site_declaring_gb2312_reads_names_outside_gb2312(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    unit = next(u for u in demo_portal.manifest["units"] if u["charset"] == "gb2312")
    by_path = {urlparse(p.url).path: p for p in _pages(store_path, summary.crawl_id) if p.unit == unit["name"]}
    named = [d for d in demo_portal.manifest["documents"] if d["unit"] == unit["name"]
             and re.search("[堃喆镕]", d["title"]) and d["http_status"] == 200]
    assert {c for d in named for c in "堃喆镕" if c in d["title"]} == set("堃喆镕")
    for doc in named:
        page = by_path[doc["url_path"]]
        assert 'charset=gb2312' in page.html and page.encoding == "gb18030"
        assert page.page_title == doc["title"] and doc["title"] in page.html
        assert "\ufffd" not in page.html and page.error is None
    listed = [p.list_title for p in by_path.values() if p.list_title and re.search("[堃喆镕]", p.list_title)]
    assert sorted(listed) == sorted(d["title"] for d in named)


def test_unit_with_two_catalogs_counts_each_document_once(demo_portal, demo_crawl):
    store_path, summary = demo_crawl
    unit = next(u for u in demo_portal.manifest["units"] if len(u["catalog_paths"]) == 2)
    with Store(store_path) as store:
        stats = store.crawl(summary.crawl_id)["stats"]["closed"]
    docs = [d for d in demo_portal.manifest["documents"] if d["unit"] == unit["name"]]
    annual = [d for d in docs if d["report_type"].endswith("_annual")]
    # The 通知公告 column lists everything, the 年度报告 column the annual reports again.
    assert stats[f"govaudit/unit/{unit['name']}/listed"] == len(docs)
    assert stats[f"govaudit/unit/{unit['name']}/listed_again"] == len(annual)
    row = next(r for r in summary.units if r["unit"] == unit["name"])
    assert row["pages"] + row["failed"] == len(docs)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """The portal with a TRS unit whose list pages from index_2 on are stubs and a gkmlpt
    classification whose list API fails; both units crawled and audited once."""
    from audits.audit import audit_crawl

    with DemoPortal(seed=7, size=300, faults={"桐乡市住房和城乡建设局": "stub-paging:2",
                                               "/wjj/gkmlpt/api/all/2742": "500"}) as portal:
        store = tmp_path_factory.mktemp("dialect-faults") / "govaudit.sqlite3"
        summary = run_crawl("demo", store, units=["桐乡市住房和城乡建设局", "桐乡市卫生健康局"], base_url=portal.url,
                            show_progress=False, settings_overrides=TEST_SETTINGS)
        findings = audit_crawl(store, summary.crawl_id).findings
        yield portal, summary, _pages(store, summary.crawl_id), findings


def _catalog_findings(findings, url):
    return findings[findings["url"] == url]


def test_trs_stub_page_is_a_catalog_problem_not_a_crash(faulty):
    portal, summary, pages, findings = faulty
    assert summary.status == "complete"
    stubs = [p for p in pages if p.kind == "catalog" and p.unit == "桐乡市住房和城乡建设局"]
    # 34 documents, 8 a page: list.shtml and list_1 are served, list_2 … list_4 are stubs.
    assert sorted(urlparse(p.url).path for p in stubs) == [f"/zjj/xxgk/zcwj/list_{k}.shtml" for k in (2, 3, 4)]
    for stub in stubs:
        assert re.search(r"catalog page \d+ of \d+ .* is a \d{3}-byte stub; the documents it should list could not "
                         r"be checked", stub.error), stub.error
        rows = _catalog_findings(findings, stub.url)
        assert set(rows["rule_id"]) == {"FETCH-2"} and set(rows["kind"]) == {"could_not_check"}
    listed = [p for p in pages if p.kind == "detail" and p.unit == "桐乡市住房和城乡建设局"]
    assert len(listed) == 2 * 8  # the two good pages, 8 items each


def test_gkmlpt_api_error_is_a_catalog_problem_not_a_crash(faulty):
    portal, summary, pages, findings = faulty
    assert summary.status == "complete"
    [failed] = [p for p in pages if p.kind == "catalog" and p.unit == "桐乡市卫生健康局"]
    assert "/wjj/gkmlpt/api/all/2742?page=1" in failed.url and failed.http_status == 500
    assert failed.error.startswith("catalog unreachable: HTTP 500")
    rows = _catalog_findings(findings, failed.url)
    assert set(rows["rule_id"]) == {"FETCH-2"} and set(rows["kind"]) == {"could_not_check"}
    # The other classifications are still read in full.
    manifest_docs = [d for d in portal.manifest["documents"] if d["unit"] == "桐乡市卫生健康局"
                     and d["report_type"] != "routine"]
    found = {urlparse(p.url).path for p in pages if p.kind == "detail" and p.unit == "桐乡市卫生健康局"}
    assert {d["url_path"] for d in manifest_docs} <= found
