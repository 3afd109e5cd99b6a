"""Working-day lag between two dates, counted with the official Chinese holiday calendar.

条例 第二十六条 gives 20 working days (工作日) from 形成 to 公开. Weekends are not enough: the
Spring Festival week is off, and the 调休 Saturdays around it are working days, which the
`chinesecalendar` package knows. It only knows the years the State Council has announced, so a
date outside that range gives no number but a reason (the row becomes "could not check").
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar
import numpy as np
import pandas as pd


@lru_cache(maxsize=1)
def _calendar() -> tuple[pd.Timestamp, np.ndarray, tuple[int, int]]:
    years = sorted({day.year for day in chinese_calendar.constants.holidays})
    first, last = years[0], years[-1]
    days = pd.date_range(date(first, 1, 1), date(last, 12, 31), freq="D")
    # chinese_calendar.is_workday per day, over the whole range at once: a 调休 working day, or a
    # Monday–Friday that is no holiday (calling it day by day cost a second per process).
    swapped = days.isin(pd.DatetimeIndex(list(chinese_calendar.constants.workdays)))
    holiday = days.isin(pd.DatetimeIndex(list(chinese_calendar.constants.holidays)))
    working = (swapped | ((days.dayofweek <= 4) & ~holiday)).astype(np.int32)
    return days[0], np.cumsum(working), (first, last)


def supported_years() -> tuple[int, int]:
    return _calendar()[2]


def working_day_lag(start: pd.Series, end: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Working days in (start, end] per row, and a reason where it cannot be counted."""
    origin, cumulative, (first, last) = _calendar()
    start_day = pd.to_datetime(start, errors="coerce").dt.normalize()
    end_day = pd.to_datetime(end, errors="coerce").dt.normalize()
    lag = pd.Series(pd.NA, index=start.index, dtype="Int64")
    reason = pd.Series(pd.NA, index=start.index, dtype="string")
    known = start_day.notna() & end_day.notna()
    reason[start_day.isna()] = "缺少发文日期"
    reason[start_day.notna() & end_day.isna()] = "缺少发布日期"
    inside = known & start_day.dt.year.between(first, last) & end_day.dt.year.between(first, last)
    for label, days in (("发文日期", start_day), ("发布日期", end_day)):
        outside = known & ~days.dt.year.between(first, last) & reason.isna()
        reason[outside] = (f"{label} " + days[outside].dt.strftime("%Y-%m-%d")
                           + f" 超出节假日日历支持范围（{first}–{last} 年）")
    if inside.any():
        s = (start_day[inside] - origin).dt.days.to_numpy()
        e = (end_day[inside] - origin).dt.days.to_numpy()
        lag[inside] = cumulative[e] - cumulative[s]
    return lag, reason
