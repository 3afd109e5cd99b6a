"""Two weekly runs of the demo portal, the portal changed in between, and what the report says.

Between the runs a webmaster corrects one page's metadata (its META-1 finding is resolved),
shortens the 发布机构 of a clean page (a new META-3 finding), withdraws a page (it disappears
from the catalog) and edits the body of a published page (content changed after publication).
"""
from __future__ import annotations

from urllib.parse import urlparse

import lxml.html
import pytest

from audits.audit import run_site
from demoportal.server import DemoPortal

pytestmark = pytest.mark.slow  # serves the demo portal, a browser or a service process


def _pick(docs, **want):
    return next(d for d in docs if all(d[k] == v for k, v in want.items() if k != "defects")
                and [x["rule_id"] for x in d["defects"]] == want.get("defects", []))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two_runs")
    store, reports = tmp / "govaudit.sqlite3", tmp / "reports"
    with DemoPortal(seed=7, size=300) as portal:
        first = run_site("demo", store_path=store, reports_dir=reports, base_url=portal.url)
        docs = portal.manifest["documents"]
        routine = [d for d in docs if d["report_type"] == "routine" and d["http_status"] == 200]
        corrected = _pick(docs, defects=["META-1"])
        clean = [d for d in routine if not d["defects"]]
        shortened = clean[0]
        withdrawn = next(d for d in clean if d["unit"] != shortened["unit"])
        edited = next(d for d in clean if d["unit"] not in (shortened["unit"], withdrawn["unit"]))
        portal.change(correct=[corrected["doc_id"]], shorten=[shortened["doc_id"]],
                      delete=[withdrawn["doc_id"]], change=[edited["doc_id"]])
        # Full: two of the edits leave their catalog entries as they were, which a budgeted
        # re-crawl only notices when the page's turn comes (tests/crawler/test_recrawl.py).
        second = run_site("demo", store_path=store, reports_dir=reports, base_url=portal.url, full=True)
    picked = {"corrected": corrected, "shortened": shortened, "withdrawn": withdrawn, "edited": edited}
    return first, second, picked


def _rows(report, css: str):
    tree = lxml.html.fromstring(report.read_text(encoding="utf-8"))
    return [(tr.get("data-change"), urlparse(tr.get("data-url", "")).path, tr.get("data-rule-id"))
            for tr in tree.xpath(f"//section[@id='changes']//tr[contains(@class, '{css}')]")]


def test_second_run_reports_new_and_resolved_findings(two_runs):
    first, second, picked = two_runs
    rows = _rows(second.report_path, "change")
    assert ("resolved", picked["corrected"]["url_path"], "META-1") in rows
    assert ("new", picked["shortened"]["url_path"], "META-3") in rows
    new = [r for r in rows if r[0] == "new"]
    resolved = [r for r in rows if r[0] == "resolved"]
    assert new == [("new", picked["shortened"]["url_path"], "META-3")]
    assert resolved == [("resolved", picked["corrected"]["url_path"], "META-1")]


def test_second_run_reports_the_disappeared_and_the_edited_document(two_runs):
    _, second, picked = two_runs
    rows = _rows(second.report_path, "doc-change")
    assert [r[1] for r in rows if r[0] == "disappeared"] == [picked["withdrawn"]["url_path"]]
    assert [r[1] for r in rows if r[0] == "changed"] == [picked["edited"]["url_path"]]


def test_first_run_has_no_changes_section_rows(two_runs):
    first, _, _ = two_runs
    assert _rows(first.report_path, "change") == [] and _rows(first.report_path, "doc-change") == []


def test_the_catalog_sync_agrees(two_runs):
    _, second, picked = two_runs
    assert second.crawl.changes == {"new": 0, "changed": 3, "gone": 1}
