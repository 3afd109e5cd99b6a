"""Publication-deadline expectations (FZ-DATE-*, XX-DATE-*).

Deadlines are written in the rule files as month-day strings ("03-31" = the last valid day)
relative to report_year + year_offset, because that is how the regulations state them
("每年4月1日之前" for the previous year's report). Dates are compared by calendar day: a page
stamped 2023-03-31 23:59 is on time.
"""
from __future__ import annotations

import re
from typing import Any, ClassVar, Optional

import pandas as pd

from audits.rules.audit_types import AuditExpectation, audit_type, fmt_date, missing_inputs

_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def month_day_problem(value: Any, name: str) -> str | None:
    if not isinstance(value, str) or not _MONTH_DAY.match(value):
        return f"{name} must be a quoted month-day such as \"03-31\", got {value!r}"
    try:
        pd.Timestamp(f"2024-{value}")
    except ValueError:
        return f"{name} {value!r} is not a day of the year"
    return None


def day_in_year(years: pd.Series, month_day: pd.Series | str) -> pd.Series:
    """The date month_day of each year (NaT where the year or the month-day is missing)."""
    if isinstance(month_day, str):
        month_day = pd.Series(month_day, index=years.index)
    text = pd.to_numeric(years, errors="coerce").astype(float).map(
        lambda y: "" if pd.isna(y) else f"{int(y):04d}-") + month_day.astype("string").fillna("?")
    return pd.to_datetime(text.astype(object), format="%Y-%m-%d", errors="coerce")


def as_day(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    return values.dt.normalize()


@audit_type
class ExpectPublishedByDeadline(AuditExpectation):
    """Published on or before a deadline day of report_year + year_offset.

    Either one `deadline` for every row, or `deadline_by_level` mapping each unit level to its
    deadline. With `only_until`, rows published after that day pass here because a stricter
    rule (XX-DATE-1) owns them; this gives the township "warn after 01-31, fail after 03-31" pair.
    """

    map_metric = "govaudit.expect_published_by_deadline"
    date_column: str = "published_at"
    year_column: str = "report_year"
    year_offset: int = 1
    deadline: Optional[str] = None
    deadline_by_level: Optional[dict] = None
    level_column: str = "unit_level"
    only_until: Optional[str] = None
    audit_kwargs: ClassVar[tuple[str, ...]] = (
        "date_column", "year_column", "year_offset", "deadline", "deadline_by_level", "level_column", "only_until",
    )

    @classmethod
    def problems(cls, kw: dict[str, Any]) -> list[str]:
        found = []
        if (kw.get("deadline") is None) == (kw.get("deadline_by_level") is None):
            found.append("give exactly one of deadline or deadline_by_level")
        if kw.get("deadline") is not None:
            found.append(month_day_problem(kw["deadline"], "deadline"))
        for level, value in (kw.get("deadline_by_level") or {}).items():
            found.append(month_day_problem(value, f"deadline_by_level.{level}"))
        if kw.get("only_until") is not None:
            found.append(month_day_problem(kw["only_until"], "only_until"))
        return [p for p in found if p]

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        columns = [kw.get("date_column") or "published_at", kw.get("year_column") or "report_year"]
        if kw.get("deadline_by_level"):
            columns.append(kw.get("level_column") or "unit_level")
        return columns

    @classmethod
    def _deadline(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        years = pd.to_numeric(df[kw.get("year_column") or "report_year"], errors="coerce") + (kw.get("year_offset") or 0)
        if kw.get("deadline_by_level"):
            levels = df[kw.get("level_column") or "unit_level"].astype("string")
            return day_in_year(years, levels.map(kw["deadline_by_level"]).astype("string"))
        return day_in_year(years, kw["deadline"])

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        published = as_day(df[kw.get("date_column") or "published_at"])
        ok = published <= cls._deadline(df, kw)
        if kw.get("only_until"):
            years = pd.to_numeric(df[kw.get("year_column") or "report_year"], errors="coerce") + (kw.get("year_offset") or 0)
            ok |= published > day_in_year(years, kw["only_until"])
        return ok | published.isna() | cls._deadline(df, kw).isna()

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        reason = missing_inputs(df, cls.input_columns(kw))
        if kw.get("deadline_by_level"):
            level = df[kw.get("level_column") or "unit_level"].astype("string")
            unknown = level.notna() & ~level.isin(list(kw["deadline_by_level"]))
            reason[unknown & reason.isna()] = "单位层级 " + level[unknown] + " 没有设定期限"
        return reason

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        observed = "发布于 " + fmt_date(rows[kw.get("date_column") or "published_at"])
        expected = "不晚于 " + fmt_date(cls._deadline(rows, kw))
        return observed, expected

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        if kw.get("deadline_by_level"):
            when = "、".join(f"{level} {day}" for level, day in kw["deadline_by_level"].items())
        else:
            when = kw["deadline"]
        text = f"{kw.get('date_column') or 'published_at'} 不晚于 {kw.get('year_column') or 'report_year'}+{kw.get('year_offset', 1)} 年的 {when}"
        if kw.get("only_until"):
            text += f"（晚于 {kw['only_until']} 的由更严的规则处理）"
        return text


@audit_type
class ExpectPublishedNotBefore(AuditExpectation):
    """Published on or after a day of report_year + year_offset (a report cannot precede its year's end)."""

    map_metric = "govaudit.expect_published_not_before"
    date_column: str = "published_at"
    year_column: str = "report_year"
    year_offset: int = 0
    earliest: str
    audit_kwargs: ClassVar[tuple[str, ...]] = ("date_column", "year_column", "year_offset", "earliest")

    @classmethod
    def problems(cls, kw: dict[str, Any]) -> list[str]:
        problem = month_day_problem(kw.get("earliest"), "earliest")
        return [problem] if problem else []

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return [kw.get("date_column") or "published_at", kw.get("year_column") or "report_year"]

    @classmethod
    def _earliest(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        years = pd.to_numeric(df[kw.get("year_column") or "report_year"], errors="coerce") + (kw.get("year_offset") or 0)
        return day_in_year(years, kw["earliest"])

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        published = as_day(df[kw.get("date_column") or "published_at"])
        earliest = cls._earliest(df, kw)
        return (published >= earliest) | published.isna() | earliest.isna()

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        return ("发布于 " + fmt_date(rows[kw.get("date_column") or "published_at"]),
                "不早于 " + fmt_date(cls._earliest(rows, kw)))

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        return (f"{kw.get('date_column') or 'published_at'} 不早于 "
                f"{kw.get('year_column') or 'report_year'}+{kw.get('year_offset', 0)} 年的 {kw['earliest']}")
