"""The spot-check indicators of 国办秘函〔2019〕19号 at and just past their thresholds: column
freshness per kind, dateless and blank columns, the unit-level veto combinations, bulk
back-filling, and availability over the 7 days before the audit date."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

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


# Every case below is its own unit (the vetoes count per unit) with its own column URLs, and all
# of them are audited together once, as one county's crawl would be (`audited`).
COLUMNS: list[dict] = []
PROBES: list[dict] = []


def column(n: int, kind: str = "news", newest: date | None = AUDIT_DAY, items: int = 3, dated: int | None = None,
           unit: str = "濮院镇", **extra) -> dict:
    return {"site": "demo", "unit": unit, "unit_level": "township", "crawl_id": 1,
            "url": f"http://demo.test/{quote(unit)}/col/col{n}/index.html", "column_name": f"栏目{n}",
            "column_kind": kind, "kind_source": "站点配置", "item_count": items,
            "dated_count": items if dated is None else dated,
            "newest_date": newest.isoformat() if newest else None, "fetched_at": "2026-11-20T01:00:00Z", **extra}


def case(name: str, columns: list[dict], probes: list[dict] = ()) -> str:
    """Register a case's columns (and probes), each moved to the case's own unit(s): "<name>" or,
    for a second unit of the case, "<name>/<unit>"."""
    def own(unit: str) -> str:
        return name if unit == "濮院镇" else f"{name}/{unit}"
    for row in columns:
        unit = own(row["unit"])
        COLUMNS.append({**row, "unit": unit, "url": row["url"].replace(quote(row["unit"]), quote(unit), 1)})
    PROBES.extend({**probe, "unit": own(probe["unit"])} for probe in probes)
    return name


@pytest.fixture(scope="module")
def audited() -> pd.DataFrame:
    data = frames(site_columns=COLUMNS)
    data["probes"] = pd.DataFrame(PROBES)
    with time_machine.travel(AUDIT_NOW, tick=False):
        return run_rules(data, pack=PACK).findings


def hits(found: pd.DataFrame, rule: str, name: str) -> dict[str, str]:
    """The case's findings of `rule`: column number → kind, or (a unit-level finding) unit → kind,
    the unit named as the case wrote it."""
    mine = found["unit"].eq(name) | found["unit"].str.startswith(f"{name}/")
    rows = found[mine & (found["rule_id"] == rule)]
    units = rows["unit"].str.replace(f"{name}/", "", regex=False).replace(name, "濮院镇")
    return dict(zip(rows["url"].str.extract(r"col(\d+)/")[0].fillna(units), rows["kind"]))


def message(found: pd.DataFrame, rule: str, name: str, kind: str | None = None) -> str:
    rows = found[(found["unit"] == name) & (found["rule_id"] == rule)]
    return rows[rows["kind"] == kind]["message"].iloc[0] if kind else rows["message"].iloc[0]


NEWS_13_14 = case("news 13/14", [column(1, newest=AUDIT_DAY - timedelta(days=13)),
                                 column(2, newest=AUDIT_DAY - timedelta(days=14))])


def test_news_column_13_days_old_is_current_14_days_is_stale(audited):
    assert hits(audited, "COL-STALE", NEWS_13_14) == {"2": "failure"}
    text = message(audited, "COL-STALE", NEWS_13_14)
    assert "栏目2" in text and "2026-11-06" in text and "2周" in text and "14 天" in text


SIX = AUDIT_DAY - relativedelta(months=6)
NOTICES = case("notices 6 months", [column(1, "notices", newest=SIX + timedelta(days=1)),
                                    column(2, "notices", newest=SIX)])


def test_notices_column_exactly_6_months_old_is_stale_a_day_less_is_current(audited):
    assert hits(audited, "COL-STALE", NOTICES) == {"2": "failure"}


YEAR = AUDIT_DAY - relativedelta(years=1)
PERSONNEL = case("personnel 1 year", [column(1, "personnel", newest=YEAR + timedelta(days=1)),
                                      column(2, "personnel", newest=YEAR), column(3, "other", newest=date(2015, 1, 1))])


def test_personnel_column_one_year_and_other_columns_have_no_period(audited):
    assert hits(audited, "COL-STALE", PERSONNEL) == {"2": "failure"}


DATELESS = case("dateless", [column(1, newest=None, items=4, dated=0), column(2, newest=AUDIT_DAY, items=4, dated=1)])


def test_column_whose_items_carry_no_date_counts_as_not_updated(audited):
    assert hits(audited, "COL-STALE", DATELESS) == {"1": "failure"}
    assert "条目均未注明发布日期（视为不更新）" in message(audited, "COL-STALE", DATELESS)


BLANK = case("blank", [column(1, newest=None, items=0), column(2),
                       column(3, items=None, newest=None, fetch_error="column unreachable: HTTP 404")])


def test_blank_column_is_blank_not_stale_and_unreadable_column_is_not_a_pass(audited):
    assert hits(audited, "COL-BLANK", BLANK) == {"1": "failure", "3": "could_not_check"}
    assert "HTTP 404" in message(audited, "COL-BLANK", BLANK, "could_not_check")
    assert hits(audited, "COL-STALE", BLANK) == {}


def _stale(n: int, kind: str, unit: str = "濮院镇") -> dict:
    period = {"news": relativedelta(weeks=2), "notices": relativedelta(months=6), "personnel": relativedelta(years=1)}
    return column(n, kind, newest=AUDIT_DAY - period[kind] - timedelta(days=3), unit=unit)


VETO_A = {(news, notices): case(f"veto a {news}+{notices}", [_stale(i, "news") for i in range(news)]
                                + [_stale(10 + i, "notices") for i in range(notices)] + [column(99)])
          for news, notices in [(3, 1), (3, 2), (0, 5)]}


@pytest.mark.parametrize("news, notices, veto", [(3, 1, False), (3, 2, True), (0, 5, True)])
def test_veto_a_five_stale_news_and_notices_columns_together(audited, news, notices, veto):
    name = VETO_A[news, notices]
    assert hits(audited, "VETO-COL-A", name) == ({"濮院镇": "failure"} if veto else {})
    if veto:
        finding = audited[(audited["rule_id"] == "VETO-COL-A") & (audited["unit"] == name)].iloc[0]
        assert finding["severity"] == "critical"
        assert "栏目10（最新" in finding["message"] and "5 个" in finding["message"]


VETO_B = {stale: case(f"veto b {stale}", [_stale(i, "personnel") for i in range(stale)])  # not counted for (a)
          for stale in (9, 10)}


@pytest.mark.parametrize("stale, veto", [(9, False), (10, True)])
def test_veto_b_ten_stale_columns(audited, stale, veto):
    assert hits(audited, "VETO-COL-B", VETO_B[stale]) == ({"濮院镇": "failure"} if veto else {})
    assert hits(audited, "VETO-COL-A", VETO_B[stale]) == {}


VETO_C = {blank: case(f"veto c {blank}", [column(i, "other", newest=None, items=0) for i in range(blank)]
                      + [column(50)]) for blank in (4, 5)}


@pytest.mark.parametrize("blank, veto", [(4, False), (5, True)])
def test_veto_c_five_blank_columns(audited, blank, veto):
    assert hits(audited, "VETO-COL-C", VETO_C[blank]) == ({"濮院镇": "failure"} if veto else {})


PER_UNIT = case("per unit", [_stale(i, "news", unit="濮院镇") for i in range(3)]
                + [_stale(10 + i, "news", unit="崇福镇") for i in range(3)])


def test_vetoes_count_per_unit(audited):
    assert hits(audited, "VETO-COL-A", PER_UNIT) == {}
    assert len(hits(audited, "COL-STALE", PER_UNIT)) == 6  # both units' columns were read: 3 stale each


BURSTS = {(count, gap): case(f"burst {count}/{gap}", [column(1, burst_date="2026-11-10", burst_count=count,
                                                             burst_gap_days=gap)])
          for count, gap in [(5, 60), (4, 60), (5, 59)]}


@pytest.mark.parametrize("count, gap, flagged", [(5, 60, True), (4, 60, False), (5, 59, False)])
def test_bulk_backfilling_many_items_on_one_day_after_a_long_gap(audited, count, gap, flagged):
    name = BURSTS[count, gap]
    assert hits(audited, "COL-BURST", name) == ({"1": "failure"} if flagged else {})
    if flagged:
        assert "一天发布 5 条，此前 60 天" in message(audited, "COL-BURST", name)


def probes(unit: str, attempts: int, failures: int, days_ago: float) -> list[dict]:
    start = AUDIT_NOW.astimezone(timezone.utc) - timedelta(days=days_ago)
    return [{"site": "demo", "unit": unit, "url": "http://demo.test/col/col1/index.html", "target": "catalog",
             "started_at": (start + timedelta(minutes=i)).isoformat(), "ok": i >= failures,
             "elapsed": 0.2, "error": None if i >= failures else "timed out after 15 s"} for i in range(attempts)]


AVAILABILITY = {failures: case(f"availability {failures}", [column(1)], probes("濮院镇", 100, failures, days_ago=3))
                for failures in (4, 5)}


@pytest.mark.parametrize("failures, veto", [(4, False), (5, True)])
def test_availability_five_percent_of_attempts_over_the_week(audited, failures, veto):
    name = AVAILABILITY[failures]
    assert hits(audited, "VETO-AVAIL", name) == ({"濮院镇": "failure"} if veto else {})
    if veto:
        text = message(audited, "VETO-AVAIL", name)
        assert "共探测 100 次，失败 5 次" in text and "2026-11-14—2026-11-20" in text


# The window is the 7 calendar days (Beijing time) ending on the audit date: 11-14 to 11-20.
RECENT = probes("濮院镇", 100, 4, days_ago=1)
OLD_OUTSIDE = case("old failures outside", [column(1)],
                   probes("濮院镇", 40, 40, days_ago=7) + RECENT)  # 11-13 09:00: before the window, ignored
OLD_INSIDE = case("old failures inside", [column(1)],
                  probes("濮院镇", 40, 40, days_ago=6) + RECENT)  # 11-14 09:00: inside


def test_availability_counts_only_the_last_seven_days(audited):
    assert hits(audited, "VETO-AVAIL", OLD_OUTSIDE) == {}
    assert hits(audited, "VETO-AVAIL", OLD_INSIDE) == {"濮院镇": "failure"}


@pytest.mark.parametrize("name, kind, source", [
    ("工作动态", "news", "名称含「动态」"), ("乡镇要闻", "news", "名称含「要闻」"), ("通知公告", "notices", "名称含「通知公告」"),
    ("政策文件", "notices", "名称含「政策文件」"), ("政策解读", "other", "名称含「政策解读」"),
    ("人事信息", "personnel", "名称含「人事」"), ("规划计划", "personnel", "名称含「规划计划」"),
    ("财政资金", "other", "名称无类别关键词")])
def test_column_kind_inferred_from_the_name_with_the_keyword_shown(name, kind, source):
    assert infer_kind(name, None) == (kind, source)
    assert infer_kind(name, "other") == ("other", "站点配置")
