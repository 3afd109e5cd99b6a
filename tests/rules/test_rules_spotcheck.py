"""The spot-check indicators of 国办秘函〔2019〕19号 at and just past their thresholds: column
freshness per kind, dateless and blank columns, the unit-level veto combinations, bulk
back-filling, and availability over the 7 days before the audit date."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from audits.normalize.column_kinds import infer_kind
from audits.rules.loader import load_rules
from audits.rules.validate import run_rules
from rules_frames import frames

AUDIT_DAY = date(2026, 11, 20)
AUDIT_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
PACK = load_rules("expectations")


def column(n: int, kind: str = "news", newest: date | None = AUDIT_DAY, items: int = 3, dated: int | None = None,
           unit: str = "濮院镇", **extra) -> dict:
    return {"site": "demo", "unit": unit, "unit_level": "township", "crawl_id": 1,
            "url": f"http://demo.test/col/col{n}/index.html", "column_name": f"栏目{n}", "column_kind": kind,
            "kind_source": "站点配置", "item_count": items, "dated_count": items if dated is None else dated,
            "newest_date": newest.isoformat() if newest else None, "fetched_at": "2026-11-20T01:00:00Z", **extra}


def audit(columns: list[dict], probes: pd.DataFrame | None = None) -> pd.DataFrame:
    data = frames(site_columns=columns)
    if probes is not None:
        data["probes"] = probes
    with time_machine.travel(AUDIT_NOW, tick=False):
        return run_rules(data, pack=PACK).findings


def hits(found: pd.DataFrame, rule: str) -> dict[str, str]:
    rows = found[found["rule_id"] == rule]
    return dict(zip(rows["url"].str.extract(r"col(\d+)/")[0].fillna(rows["unit"]), rows["kind"]))


def test_news_column_13_days_old_is_current_14_days_is_stale():
    found = audit([column(1, newest=AUDIT_DAY - timedelta(days=13)), column(2, newest=AUDIT_DAY - timedelta(days=14))])
    assert hits(found, "COL-STALE") == {"2": "failure"}
    message = found[found["rule_id"] == "COL-STALE"]["message"].iloc[0]
    assert "栏目2" in message and "2026-11-06" in message and "2周" in message and "14 天" in message


def test_notices_column_exactly_6_months_old_is_stale_a_day_less_is_current():
    six = AUDIT_DAY - relativedelta(months=6)
    found = audit([column(1, "notices", newest=six + timedelta(days=1)), column(2, "notices", newest=six)])
    assert hits(found, "COL-STALE") == {"2": "failure"}


def test_personnel_column_one_year_and_other_columns_have_no_period():
    year = AUDIT_DAY - relativedelta(years=1)
    found = audit([column(1, "personnel", newest=year + timedelta(days=1)), column(2, "personnel", newest=year),
                   column(3, "other", newest=date(2015, 1, 1))])
    assert hits(found, "COL-STALE") == {"2": "failure"}


def test_column_whose_items_carry_no_date_counts_as_not_updated():
    found = audit([column(1, newest=None, items=4, dated=0), column(2, newest=AUDIT_DAY, items=4, dated=1)])
    assert hits(found, "COL-STALE") == {"1": "failure"}
    assert "条目均未注明发布日期（视为不更新）" in found[found["rule_id"] == "COL-STALE"]["message"].iloc[0]


def test_blank_column_is_blank_not_stale_and_unreadable_column_is_not_a_pass():
    found = audit([column(1, newest=None, items=0), column(2), column(3, items=None, newest=None,
                                                                    fetch_error="column unreachable: HTTP 404")])
    assert hits(found, "COL-BLANK") == {"1": "failure", "3": "could_not_check"}
    assert "HTTP 404" in found[(found["rule_id"] == "COL-BLANK") & (found["kind"] == "could_not_check")]["message"].iloc[0]
    assert hits(found, "COL-STALE") == {}


def _stale(n: int, kind: str, unit: str = "濮院镇") -> dict:
    period = {"news": relativedelta(weeks=2), "notices": relativedelta(months=6), "personnel": relativedelta(years=1)}
    return column(n, kind, newest=AUDIT_DAY - period[kind] - timedelta(days=3), unit=unit)


@pytest.mark.parametrize("news, notices, veto", [(3, 1, False), (3, 2, True), (0, 5, True)])
def test_veto_a_five_stale_news_and_notices_columns_together(news, notices, veto):
    rows = [_stale(i, "news") for i in range(news)] + [_stale(10 + i, "notices") for i in range(notices)]
    found = audit(rows + [column(99)])
    assert hits(found, "VETO-COL-A") == ({"濮院镇": "failure"} if veto else {})
    if veto:
        finding = found[found["rule_id"] == "VETO-COL-A"].iloc[0]
        assert finding["severity"] == "critical" and finding["unit"] == "濮院镇"
        assert "栏目10（最新" in finding["message"] and "5 个" in finding["message"]


@pytest.mark.parametrize("stale, veto", [(9, False), (10, True)])
def test_veto_b_ten_stale_columns(stale, veto):
    rows = [_stale(i, "personnel") for i in range(stale)]  # personnel columns do not count for (a)
    found = audit(rows)
    assert hits(found, "VETO-COL-B") == ({"濮院镇": "failure"} if veto else {})
    assert hits(found, "VETO-COL-A") == {}


@pytest.mark.parametrize("blank, veto", [(4, False), (5, True)])
def test_veto_c_five_blank_columns(blank, veto):
    rows = [column(i, "other", newest=None, items=0) for i in range(blank)] + [column(50)]
    found = audit(rows)
    assert hits(found, "VETO-COL-C") == ({"濮院镇": "failure"} if veto else {})


def test_vetoes_count_per_unit():
    rows = [_stale(i, "news", unit="濮院镇") for i in range(3)] + [_stale(10 + i, "news", unit="崇福镇") for i in range(3)]
    assert hits(audit(rows), "VETO-COL-A") == {}


@pytest.mark.parametrize("count, gap, flagged", [(5, 60, True), (4, 60, False), (5, 59, False)])
def test_bulk_backfilling_many_items_on_one_day_after_a_long_gap(count, gap, flagged):
    found = audit([column(1, burst_date="2026-11-10", burst_count=count, burst_gap_days=gap)])
    assert hits(found, "COL-BURST") == ({"1": "failure"} if flagged else {})
    if flagged:
        assert "一天发布 5 条，此前 60 天" in found[found["rule_id"] == "COL-BURST"]["message"].iloc[0]


def probes(unit: str, attempts: int, failures: int, days_ago: float) -> list[dict]:
    start = AUDIT_NOW.astimezone(timezone.utc) - timedelta(days=days_ago)
    return [{"site": "demo", "unit": unit, "url": "http://demo.test/col/col1/index.html", "target": "catalog",
             "started_at": (start + timedelta(minutes=i)).isoformat(), "ok": i >= failures,
             "elapsed": 0.2, "error": None if i >= failures else "timed out after 15 s"} for i in range(attempts)]


@pytest.mark.parametrize("failures, veto", [(4, False), (5, True)])
def test_availability_five_percent_of_attempts_over_the_week(failures, veto):
    table = pd.DataFrame(probes("濮院镇", 100, failures, days_ago=3))
    found = audit([column(1)], table)
    assert hits(found, "VETO-AVAIL") == ({"濮院镇": "failure"} if veto else {})
    if veto:
        message = found[found["rule_id"] == "VETO-AVAIL"]["message"].iloc[0]
        assert "共探测 100 次，失败 5 次" in message and "2026-11-14—2026-11-20" in message


def test_availability_counts_only_the_last_seven_days():
    # The window is the 7 calendar days (Beijing time) ending on the audit date: 11-14 to 11-20.
    old_failures = probes("崇福镇", 40, 40, days_ago=7)  # 11-13 09:00: before the window, ignored
    recent = probes("崇福镇", 100, 4, days_ago=1)
    found = audit([column(1)], pd.DataFrame(old_failures + recent))
    assert hits(found, "VETO-AVAIL") == {}
    with_old_inside = probes("崇福镇", 40, 40, days_ago=6)  # 11-14 09:00: inside
    found = audit([column(1)], pd.DataFrame(with_old_inside + recent))
    assert hits(found, "VETO-AVAIL") == {"崇福镇": "failure"}


@pytest.mark.parametrize("name, kind, source", [
    ("工作动态", "news", "名称含「动态」"), ("乡镇要闻", "news", "名称含「要闻」"), ("通知公告", "notices", "名称含「通知公告」"),
    ("政策文件", "notices", "名称含「政策文件」"), ("政策解读", "other", "名称含「政策解读」"),
    ("人事信息", "personnel", "名称含「人事」"), ("规划计划", "personnel", "名称含「规划计划」"),
    ("财政资金", "other", "名称无类别关键词")])
def test_column_kind_inferred_from_the_name_with_the_keyword_shown(name, kind, source):
    assert infer_kind(name, None) == (kind, source)
    assert infer_kind(name, "other") == ("other", "站点配置")
