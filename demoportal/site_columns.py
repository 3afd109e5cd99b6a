"""Site columns of the demo portal (工作动态, 通知公告…) for the spot-check indicators.

Each scenario is a unit's set of columns whose item dates are given as ages before *today*
(Beijing time, when the page is served): freshness is judged against the audit date, so a
column that is 14 days stale must be 14 days stale whenever the demo runs. The manifest lists
the ages and the findings they must give (COL-STALE, COL-BLANK, COL-BURST and the unit vetoes),
together with clean counterparts exactly at the thresholds (13 days, 6 months less a day, four
stale or four blank columns). Items are listed, never served: a column is read for its
listing only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from html import escape

from dateutil.relativedelta import relativedelta

from .catalog_pages import FOOTER
from .model import SEVERITY
from .units import HOST_TITLE

BEIJING = timezone(timedelta(hours=8))
# Ages: (months, days) before today; (6, -1) is "6 months less a day". None: listed without a date.
Age = tuple[int, int] | None


@dataclass(frozen=True)
class DemoColumn:
    unit: str
    name: str
    column_id: int
    ages: tuple[Age, ...]
    kind: str | None = None  # as the site config sets it; None: inferred from the name
    defects: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"/col/col{self.column_id}/index.html"


def _c(unit: str, name: str, n: int, ages: tuple[Age, ...], kind: str | None = None,
       defects: tuple[str, ...] = ()) -> DemoColumn:
    return DemoColumn(unit, name, 1229600000 + n, ages, kind, defects)


def _days(*days: int) -> tuple[Age, ...]:
    return tuple((0, d) for d in days)


STALE = ("COL-STALE",)
COLUMNS: tuple[DemoColumn, ...] = (
    # 石门镇: five 动态/通知 columns not updated (veto a); a kind-less column is never stale.
    _c("石门镇", "工作动态", 1, _days(20, 30, 45), defects=STALE),
    _c("石门镇", "镇村要闻", 2, _days(15, 40), defects=STALE),
    _c("石门镇", "图片新闻", 3, _days(14, 60), defects=STALE),
    _c("石门镇", "通知公告", 4, ((7, 0), (9, 0)), defects=STALE),
    _c("石门镇", "政策文件", 5, ((6, 0), (8, 3)), defects=STALE),
    _c("石门镇", "便民服务", 6, ((36, 0),)),
    # 屠甸镇: five blank columns (veto c), one of each kind and more.
    *(_c("屠甸镇", name, 10 + i, (), defects=("COL-BLANK",))
      for i, name in enumerate(("乡镇动态", "通知公告", "人事信息", "政策解读", "财政资金"))),
    _c("屠甸镇", "工作动态", 15, _days(2, 9)),
    # 梧桐街道: ten stale columns, only four of them 动态/通知 (veto b, not a).
    *(_c("梧桐街道", name, 20 + i, ((0, 30), (1, 0)) if i < 2 else ((7, 0),), defects=STALE)
      for i, name in enumerate(("街道动态", "社区要闻", "通知公告", "政策文件"))),
    *(_c("梧桐街道", name, 24 + i, ((13, 0), (14, 0)), defects=STALE)
      for i, name in enumerate(("人事信息", "干部任免", "规划计划", "年度计划", "发展规划", "人事任免"))),
    # 凤鸣街道: clean counterparts exactly at the thresholds, four blank columns (no veto).
    _c("凤鸣街道", "工作动态", 40, _days(13, 20)),
    _c("凤鸣街道", "通知公告", 41, ((6, -1), (7, 0))),  # 6 months less a day
    _c("凤鸣街道", "人事信息", 42, ((12, -1), (13, 0))),  # a year less a day
    _c("凤鸣街道", "街道要闻", 43, _days(1, 1, 1, 1, 91)),  # four on one day after a long gap: no burst
    _c("凤鸣街道", "社区动态", 44, _days(1, 1, 1, 1, 1, 59)),  # five on one day after 58 days: no burst
    *(_c("凤鸣街道", name, 45 + i, (), defects=("COL-BLANK",))
      for i, name in enumerate(("专题专栏", "政策解读", "办事指南", "财政资金"))),
    # 龙翔街道: a bulk back-filled column, a column of dateless items, a kind set in the config.
    _c("龙翔街道", "工作动态", 60, _days(3, 3, 3, 3, 3, 3, 123), defects=("COL-BURST",)),
    _c("龙翔街道", "通知公告", 61, (None, None, None), defects=STALE),
    _c("龙翔街道", "街道风采", 62, _days(1, 30), kind="news"),
)
COLUMNS_BY_ID = {c.column_id: c for c in COLUMNS}

# The unit-level vetoes the columns above must give (and no other unit).
UNIT_VETOES = {"石门镇": ("VETO-COL-A",), "屠甸镇": ("VETO-COL-C",), "梧桐街道": ("VETO-COL-B",)}

# Availability: 1 request in 10 to 河山镇's catalog answers only after the probe's timeout
# (a share of 10 % ≥ 5 %). `govaudit demo` does not switch it on: probing tests do, with
# `DemoPortal(faults=AVAILABILITY_FAULT)` and a short probe timeout.
AVAILABILITY_UNIT = "河山镇"
AVAILABILITY_FAULT = {"/col/col1229428715/": "slow-every:10/3"}


def today() -> date:
    return datetime.now(BEIJING).date()


def item_date(age: Age, on: date) -> date | None:
    return None if age is None else on - relativedelta(months=age[0], days=age[1])


def column_page(column: DemoColumn, on: date | None = None) -> str:
    on = on or today()
    records = []
    for i, age in enumerate(column.ages):
        day = item_date(age, on)
        path = f"/art/{(day or on).year}/{column.column_id}/art_{column.column_id}_{i + 1}.html"
        shown = f"<span>{day.isoformat()}</span>" if day else ""
        title = escape(f"{column.unit}{column.name}信息（{i + 1}）")
        records.append(f'<record><![CDATA[\n<li><a href="{path}" target="_blank" title="{title}">{title}</a>'
                       f"{shown}</li>]]></record>")
    return f"""<!DOCTYPE html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(column.name)} {HOST_TITLE}</title>
<meta name="ColumnName" content="{escape(column.name)}"></head>
<body>
<div class="crumb">当前位置:<a href="/">首页</a> &gt; {escape(column.unit)} &gt;
<span>{escape(column.name)}</span></div>
<div id="{column.column_id}"><script type="text/xml"><datastore>
<recordset>
{chr(10).join(records)}
</recordset>
</datastore></script></div>
<div class="footer">{FOOTER}</div>
</body>
</html>
"""


def manifest_entries() -> dict:
    def defect(rule: str) -> dict:
        return {"rule_id": rule, "severity": SEVERITY[rule], "kind": "failure"}

    return {
        "site_columns": [{"unit": c.unit, "name": c.name, "url_path": c.path, "kind": c.kind,
                          "item_ages": [None if a is None else {"months": a[0], "days": a[1]} for a in c.ages],
                          "defects": [defect(r) for r in c.defects]} for c in COLUMNS],
        "unit_vetoes": [{"unit": unit, "defects": [defect(r) for r in rules]} for unit, rules in UNIT_VETOES.items()],
        "availability": {"unit": AVAILABILITY_UNIT, "faults": AVAILABILITY_FAULT,
                         "defects": [defect("VETO-AVAIL")]},
    }
