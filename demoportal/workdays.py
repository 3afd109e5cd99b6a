"""Chinese working-day arithmetic for generated dates.

The 条例 第二十六条 20-working-day limit counts official working days (weekends are
shifted around holidays), so clean routine items are dated with `chinese_calendar`, the
same calendar the rules use. Dates outside the calendar's range (it stops at the last
published year) fall back to plain Monday–Friday.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=None)  # chinese_calendar validates its whole table on every call: slow in bulk
def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(day: date, n: int) -> date:
    """The date `n` working days after `day` (n = 0 gives `day` itself)."""
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def next_workday(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count
