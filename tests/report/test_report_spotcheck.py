"""The 国办抽查单项否决风险 box at the top of the report and the digest's line: which units would
fail a single-veto indicator, with the evidence, and each probed unit's availability with the
attempts behind it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import lxml.html
import pandas as pd

from audits.history import record_run
from audits.mail.spotcheck_line import spotcheck_risks
from tests.report_runs import rendered_html
from govaudit.columns import DOCUMENT_COLUMNS, FINDING_COLUMNS
from govaudit.schema import RULE_STAT_COLUMNS
from govaudit.store import Store, connect

SITE = "tongxiang"
RUN_AT = datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)


def finding(unit: str, rule_id: str, severity: str, message: str, url: str) -> dict:
    row = {c: None for c in FINDING_COLUMNS}
    row.update(site=SITE, unit=unit, url=url, title=f"{unit}页面", rule_id=rule_id, suite="vetoes", kind="failure",
               severity=severity, rule_title=rule_id, message=message, finding_key=f"{SITE}|{url}|{rule_id}")
    return row


FINDINGS = [
    finding("石门镇", "VETO-COL-A", "critical", "5 个动态要闻、通知公告类栏目未按期更新：工作动态（最新 2026-10-31，应2周内更新）",
            "http://www.tx.gov.cn/#unit=石门镇"),
    finding("濮院镇", "WORDING-1", "critical", "发现严重表述错误：习进平→习近平（正文）", "http://www.tx.gov.cn/art/1.html"),
    finding("龙翔街道", "COL-BURST", "warning", "栏目「工作动态」在 2026-11-17 一天发布 6 条，此前 120 天没有发布",
            "http://www.tx.gov.cn/col/col60/index.html"),
    finding("濮院镇", "META-3", "warning", "发布机构应写全称", "http://www.tx.gov.cn/art/2.html"),
    finding("河山镇", "VETO-AVAIL", "critical", "2026-11-14—2026-11-20 共探测 20 次，失败 2 次（0.1），达到 5%",
            "http://www.tx.gov.cn/#unit=河山镇"),
]


def _store(tmp_path):
    store = tmp_path / "s.sqlite3"
    with Store(store) as st:
        crawl_id = st.start_crawl(SITE, ["石门镇", "濮院镇", "龙翔街道", "河山镇"])
        st.finish_crawl(crawl_id, "complete", {})
    docs = pd.DataFrame([{**{c: None for c in DOCUMENT_COLUMNS}, "unit": "濮院镇", "url": "http://www.tx.gov.cn/art/1.html",
                          "kind": "detail", "site": SITE}], columns=list(DOCUMENT_COLUMNS)).astype(DOCUMENT_COLUMNS)
    findings = pd.DataFrame(FINDINGS, columns=list(FINDING_COLUMNS)).astype(FINDING_COLUMNS)
    stats = pd.DataFrame(columns=list(RULE_STAT_COLUMNS)).astype(RULE_STAT_COLUMNS)
    run_id = record_run(store, site=SITE, crawl_id=crawl_id, documents=docs, findings=findings, rule_stats=stats,
                        rules_dir="expectations", started_at=RUN_AT.isoformat())
    conn = connect(store)
    with conn:
        for unit, failures, days_ago in (("河山镇", 2, 1), ("濮院镇", 0, 2), ("河山镇", 30, 9)):
            for i in range(20 if days_ago < 9 else 30):
                at = (RUN_AT - timedelta(days=days_ago, minutes=i)).isoformat()
                conn.execute("INSERT INTO probes (site, unit, target, url, started_at, elapsed, ok, error) "
                             "VALUES (?, ?, 'catalog', 'http://www.tx.gov.cn/col/1/index.html', ?, 0.3, ?, ?)",
                             (SITE, unit, at, int(i >= failures), None if i >= failures else "timed out: no answer within 15 s"))
    conn.close()
    return store, run_id


def test_box_lists_each_unit_that_would_fail_with_evidence_and_availability(tmp_path):
    store, run_id = _store(tmp_path)
    tree = lxml.html.fromstring(rendered_html(store, run_id))
    box = tree.get_element_by_id("spotcheck")
    # The header says how many units would fail and links to the box, which follows the first
    # screen (scorecard, this week) and comes before the findings to fix first.
    summary = tree.xpath("//header//p[contains(@class, 'spot-summary')]")[0]
    assert summary.xpath(".//a/@href") == ["#spotcheck"] and "3" in summary.text_content()
    order = [e.get("id") for e in tree.xpath("//*[@id='scorecard' or @id='this-week' or @id='spotcheck' or @id='fix-first']")]
    assert order == ["scorecard", "this-week", "spotcheck", "fix-first"], order
    assert box.get("data-vetoed-units") == "3"
    units = {u.get("data-spot-unit"): u for u in box.xpath(".//div[@data-spot-unit]")}
    assert {n for n, u in units.items() if "veto" in u.get("class")} == {"石门镇", "濮院镇", "河山镇"}
    assert "veto" not in units["龙翔街道"].get("class")  # bulk back-filling is a risk, not a veto by itself
    assert "工作动态（最新 2026-10-31" in units["石门镇"].text_content()
    wording = units["濮院镇"].xpath(".//li[@data-spot-indicator='spot_wording']")[0]
    assert "习进平→习近平" in wording.text_content() and wording.xpath(".//a/@href") == ["http://www.tx.gov.cn/art/1.html"]
    avail = units["河山镇"].xpath(".//li[@data-spot-availability]")[0]
    # the 30 failures of nine days ago are outside the 7-day window
    assert "2026-11-14 至 2026-11-20 共探测 20 次，失败 2 次（10.0%" in avail.text_content()
    assert "timed out" in avail.text_content()
    assert "共探测 20 次，失败 0 次（0.0%" in units["濮院镇"].text_content()
    assert "META-3" not in box.text_content() and "发布机构" not in box.text_content()


def test_digest_line_names_units_and_indicators():
    failures = pd.DataFrame(FINDINGS + [finding("濮院镇", "WORDING-1", "critical", "x", "http://www.tx.gov.cn/art/3.html"),
                                        finding("屠甸镇", "VETO-COL-C", "critical", "5 个空白栏目", "u")])
    risks = spotcheck_risks(failures, "zh")
    assert risks["text"] == ("屠甸镇（空白栏目）；河山镇（站点无法访问）；濮院镇（严重表述错误 2 处）；"
                             "石门镇（栏目不更新）")  # by code point
    assert risks["units"] == 4
    assert spotcheck_risks(failures.iloc[0:0], "en")["text"] == "none"
