"""Two runs of one site: the report tells new from resolved, and gone or edited documents."""
from __future__ import annotations

import lxml.html
import pytest

from audits.report.diff import compare_runs as diff_runs
from tests.report_runs import SITE, document, finding, record, rendered_html

FIRST, SECOND = "2024-04-01T01:00:00+00:00", "2024-04-08T01:00:00+00:00"


def _docs(edited_body: str) -> dict[str, dict]:
    return {
        "pyfz": document("pyfz", "濮院镇", "濮院镇2023年法治政府建设年度报告", report_type="fazhi_annual",
                         report_year=2023, published="2024-04-15"),
        "pyxx": document("pyxx", "濮院镇", "濮院镇2023年政府信息公开工作年度报告", report_type="xxgk_annual",
                         report_year=2023, published="2024-01-20"),
        "pyrt": document("pyrt", "濮院镇", "濮院镇关于开展消防安全检查的通知"),
        "old": document("old", "濮院镇", "濮院镇2021年预算公开", report_type="budget"),
        "edit": document("edit", "梧桐街道", "梧桐街道2023年法治政府建设年度报告", report_type="fazhi_annual",
                         report_year=2023, published="2024-03-15", body=edited_body),
        "wz": document("wz", "乌镇镇", "乌镇镇关于道路施工的公告"),
    }


@pytest.fixture
def two_runs(tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    d1 = _docs("一、主要举措和成效……")
    first = record(store, list(d1.values()), [
        finding("FZ-DATE-1", d1["pyfz"], observed="2024-04-15"),  # still there next week
        finding("META-3", d1["pyrt"], observed="濮院镇"),  # fixed by next week
        finding("DOC-1", d1["old"], observed="〔2021〕第3号"),  # its page vanishes
        finding("DOC-1", d1["wz"], observed="〔2024〕01号"),  # its unit becomes unreachable
    ], started_at=FIRST)
    d2 = _docs("一、主要举措和成效（已修改）……")
    del d2["old"], d2["wz"]
    second = record(store, list(d2.values()), [
        finding("FZ-DATE-1", d2["pyfz"], observed="2024-04-15"),
        finding("XX-SEC-3", d2["pyxx"], observed="缺少第三部分"),  # new this week
        finding("FETCH-2", unit="乌镇镇", url="http://www.tx.gov.cn/col/col_wz/index.html", observed="超时"),
    ], started_at=SECOND)
    return store, first, second


def test_diff_classifies_new_resolved_unverified_and_documents(two_runs):
    store, first, second = two_runs
    diff = diff_runs(store, second)
    assert diff.previous_run_id == first
    assert set(diff.new["finding_key"]) == {f"{SITE}|pyxx|XX-SEC-3", f"{SITE}|http://www.tx.gov.cn/col/col_wz/index.html|FETCH-2"}
    assert diff.resolved["finding_key"].tolist() == [f"{SITE}|pyrt|META-3"]
    reasons = dict(zip(diff.unverified["finding_key"], diff.unverified["reason"]))
    assert reasons == {f"{SITE}|old|DOC-1": "doc_missing", f"{SITE}|wz|DOC-1": "unit_unreachable"}
    assert diff.disappeared["doc_id"].tolist() == ["old"]
    assert diff.not_seen["doc_id"].tolist() == ["wz"]  # unit unreachable: cannot say it was removed
    assert diff.changed["doc_id"].tolist() == ["edit"]
    changed = diff.changed.iloc[0]
    assert changed["previous_content_hash"] != changed["content_hash"]
    open_runs = dict(zip(diff.open["finding_key"], diff.open["open_runs"]))
    assert open_runs[f"{SITE}|pyfz|FZ-DATE-1"] == 2 and open_runs[f"{SITE}|pyxx|XX-SEC-3"] == 1


def test_report_shows_the_changes_since_the_previous_run(two_runs, tmp_path):
    store, first, second = two_runs
    tree = lxml.html.fromstring(rendered_html(store, second))
    changes = tree.get_element_by_id("changes")

    def rows(change: str, attr: str) -> list[str]:
        return sorted(r.get(attr) for r in changes.cssselect(f'tr[data-change="{change}"]'))

    assert rows("new", "data-rule-id") == ["XX-SEC-3"]
    assert rows("unchecked_new", "data-rule-id") == ["FETCH-2"]  # kept apart from failures
    assert rows("resolved", "data-finding-key") == [f"{SITE}|pyrt|META-3"]
    assert rows("unverified", "data-finding-key") == [f"{SITE}|old|DOC-1", f"{SITE}|wz|DOC-1"]
    assert rows("persisting", "data-finding-key") == [f"{SITE}|pyfz|FZ-DATE-1"]
    assert rows("disappeared", "data-doc-id") == ["old"]
    assert rows("not_seen", "data-doc-id") == ["wz"]
    assert rows("changed", "data-doc-id") == ["edit"]
    text = changes.text_content()
    assert "上次审计：第 1 批，2024-04-01 09:00" in text
    assert "文件已不在目录中" in text and "单位目录无法访问" in text
    fz = tree.cssselect('#fix-first tr.finding[data-rule-id="FZ-DATE-1"]')[0].text_content()
    assert "已连续 2 次审计发现" in fz
    assert "新" in tree.cssselect('#fix-first tr.finding[data-rule-id="XX-SEC-3"] .badge.new')[0].text_content()


def test_partial_crawl_or_unevaluated_rule_never_resolves_a_finding(tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    d = {k: document(k, "濮院镇", f"文件{k}") for k in ("a", "b")}
    record(store, list(d.values()), [finding("DOC-1", d["a"]), finding("COPY-1", d["b"])], started_at=FIRST)
    second = record(store, [d["b"]], [], started_at=SECOND, status="partial", skipped=("COPY-1",))
    diff = diff_runs(store, second)
    assert diff.resolved.empty
    assert dict(zip(diff.unverified["rule_id"], diff.unverified["reason"])) == {
        "DOC-1": "crawl_partial", "COPY-1": "rule_not_evaluated"}
    assert diff.disappeared.empty and diff.not_seen["doc_id"].tolist() == ["a"]
