"""The spot check's column and availability indicators, derived on the audit date.

国办秘函〔2019〕19号 judges a site column by when its newest item appeared: within 2 weeks for
动态、要闻, 6 months for 通知公告、政策文件, and (by the 普查's usual reading) 1 year for 人事、
规划计划. The periods come from the suites' `column_update_periods` parameter. A column is
current when its newest item falls inside the period that ends on the audit date, i.e. strictly
after audit date − period: 13 days old is current, 14 days is not; exactly 6 months is not.
A column whose items carry no date is not updated (普查: "未注明信息发布时间的视为不更新").

Per unit, the single-veto counts of §D2 follow (stale 动态/通知 columns, all stale columns,
blank columns) and, from the store's availability probes, the share of failed attempts in the
7 days before the audit date.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd

from govaudit.vocabulary import COLUMN_KIND_NAMES

PERIOD_UNITS = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}
AVAILABILITY_WINDOW_DAYS = 7
VETO_KINDS = ("news", "notices")  # §D2 (a): these two kinds are counted together


def check_periods(value: Any) -> str | None:
    """Validator of `column_update_periods: {news: {weeks: 2}, notices: {months: 6}, ...}`."""
    if not isinstance(value, dict) or not value:
        return "must map column kinds (news, notices, personnel) to a period such as {weeks: 2}"
    for kind, period in value.items():
        if kind not in COLUMN_KIND_NAMES or kind == "other":
            return f"has unknown column kind {kind!r}; kinds with a period: news, notices, personnel"
        if not (isinstance(period, dict) and len(period) == 1 and next(iter(period)) in PERIOD_UNITS
                and isinstance(next(iter(period.values())), int) and not isinstance(next(iter(period.values())), bool)
                and next(iter(period.values())) > 0):
            return f"{kind}: {period!r} must be one positive whole number of days, weeks, months or years"
    return None


def period_text(period: dict[str, int]) -> str:
    (unit, n), = period.items()
    return f"{n}{PERIOD_UNITS[unit]}"


def derive_site_columns(frame: pd.DataFrame, periods: dict[str, dict[str, int]], today: pd.Timestamp) -> None:
    """Adds readable, column_kind_name, update_period, update_cutoff, days_since_update, update_state."""
    frame["readable"] = frame["fetch_error"].isna().astype(bool)
    frame["column_kind_name"] = frame["column_kind"].map(COLUMN_KIND_NAMES).astype("string")
    frame["update_period"] = frame["column_kind"].map(
        {k: period_text(p) for k, p in periods.items()}).astype("string")
    cutoffs = {k: today - pd.DateOffset(**p) for k, p in periods.items()}
    frame["update_cutoff"] = pd.to_datetime(frame["column_kind"].map(cutoffs)).astype("datetime64[ns]")
    newest = pd.to_datetime(frame["newest_date"]).dt.normalize()
    frame["days_since_update"] = (today - newest).dt.days.astype("Int64")
    items = pd.to_numeric(frame["item_count"]).astype("float64")
    dated = pd.to_numeric(frame["dated_count"]).astype("float64")
    state = pd.Series("current", index=frame.index, dtype="string")
    state[frame["update_period"].isna()] = "not_required"
    state[(newest <= frame["update_cutoff"]).fillna(False).astype(bool)] = "stale"
    state[(dated == 0) & frame["update_period"].notna()] = "dateless"
    state[items == 0] = "blank"
    state[~frame["readable"]] = pd.NA
    frame["update_state"] = state
    note = ("最新条目 " + newest.dt.strftime("%Y-%m-%d") + "，距审计日 "
            + frame["days_since_update"].astype("string") + " 天").astype("string")
    note[state.eq("dateless").fillna(False).astype(bool)] = "条目均未注明发布日期（视为不更新）"
    note[state.eq("blank").fillna(False).astype(bool)] = "没有任何条目"
    frame["update_note"] = note
    # pandas' query cannot mask with <NA>: counts compared in row conditions are plain floats.
    for column in ("item_count", "dated_count", "burst_count", "burst_gap_days"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")


def unit_checks(columns: pd.DataFrame, probes: pd.DataFrame | None, today: pd.Timestamp) -> pd.DataFrame:
    """One row per unit that has site columns or availability probes."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(site: str, unit: str, level: Any, crawl_id: Any, url: str) -> dict[str, Any]:
        key = (site, unit)
        if key not in rows:
            home = urlsplit(url)
            rows[key] = {"site": site, "unit": unit, "unit_level": level, "crawl_id": crawl_id,
                         "url": f"{home.scheme}://{home.netloc}/#unit={quote(unit)}",
                         "columns_listed": 0, "columns_unreadable": 0, "stale_news_notices": 0, "stale_columns": 0,
                         "blank_columns": 0, "stale_list": "", "blank_list": "", "probe_attempts": 0,
                         "probe_failures": 0, "probe_failure_share": pd.NA, "probe_window": pd.NA}
        return rows[key]

    for (site, unit), group in columns.groupby(["site", "unit"], sort=False):
        first = group.iloc[0]
        r = row(site, unit, first["unit_level"], first["crawl_id"], str(first["url"]))
        stale = group[group["update_state"].isin(["stale", "dateless"]).fillna(False).astype(bool)]
        blank = group[group["update_state"].eq("blank").fillna(False).astype(bool)]
        r.update(columns_listed=len(group), columns_unreadable=int((~group["readable"]).sum()),
                 stale_news_notices=int(stale["column_kind"].isin(VETO_KINDS).sum()), stale_columns=len(stale),
                 blank_columns=len(blank), stale_list="；".join(_stale_text(c) for c in stale.itertuples()),
                 blank_list="；".join(str(n) for n in blank["column_name"]))
    if probes is not None and len(probes):
        started = pd.to_datetime(probes["started_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        end = today + pd.Timedelta(days=1)
        start = end - pd.Timedelta(days=AVAILABILITY_WINDOW_DAYS)
        recent = probes[(started >= start) & (started < end)]
        window = f"{start:%Y-%m-%d}—{today:%Y-%m-%d}"
        for (site, unit), group in recent.groupby(["site", "unit"], sort=False):
            r = row(site, unit, pd.NA, pd.NA, str(group["url"].iloc[0]))
            failures = int((~group["ok"].astype(bool)).sum())
            r.update(probe_attempts=len(group), probe_failures=failures,
                     probe_failure_share=round(failures / len(group), 4), probe_window=window)
    frame = pd.DataFrame(list(rows.values()))
    for column in ("columns_listed", "columns_unreadable", "stale_news_notices", "stale_columns", "blank_columns",
                   "probe_attempts", "probe_failures", "probe_failure_share"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
    if "probe_window" in frame:  # text or <NA>, as the frame contract has it
        frame["probe_window"] = frame["probe_window"].astype("string")
    return frame


def _stale_text(column: Any) -> str:
    if column.update_state == "dateless":
        return f"{column.column_name}（条目均未注明日期）"
    return f"{column.column_name}（最新 {column.newest_date:%Y-%m-%d}，应{column.update_period}内更新）"
