"""Publication-deadline expectations (FZ-DATE-*, XX-DATE-*).

Deadlines are written in the rule files as month-day strings ("03-31" = the last valid day)
relative to report_year + year_offset, because that is how the regulations state them
("每年4月1日之前" for the previous year's report). Dates are compared by calendar day: a page
stamped 2023-03-31 23:59 is on time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DayRule:
    """A rule's reading of its kwargs, made once: which columns, and which day of which year.

    The GX metric (`check`), the finding's expected value (`explain`), the plain-language line
    (`describe`) and the loader's checks (`problems`) all read this one object, so a deadline is
    computed by one function however many places show it.
    """

    date_column: str
    year_column: str
    year_offset: int
    day: str | None = None  # one month-day for every row
    day_by_level: tuple[tuple[str, str], ...] = ()  # or one per unit level
    level_column: str = "unit_level"
    only_until: str | None = None

    @classmethod
    def read(cls, kw: dict[str, Any], day_key: str, default_offset: int) -> "DayRule":
        by_level = kw.get(f"{day_key}_by_level") or {}
        return cls(date_column=kw.get("date_column") or "published_at",
                   year_column=kw.get("year_column") or "report_year",
                   year_offset=default_offset if kw.get("year_offset") is None else int(kw["year_offset"]),
                   day=kw.get(day_key), day_by_level=tuple(sorted((str(k), str(v)) for k, v in by_level.items())),
                   level_column=kw.get("level_column") or "unit_level", only_until=kw.get("only_until"))

    @property
    def inputs(self) -> list[str]:
        return [self.date_column, self.year_column, *([self.level_column] if self.day_by_level else [])]

    def years(self, df: pd.DataFrame) -> pd.Series:
        return pd.to_numeric(df[self.year_column], errors="coerce") + self.year_offset

    def days(self, df: pd.DataFrame) -> pd.Series:
        """The rule's day for each row (NaT where the year, or the level's day, is unknown)."""
        if self.day_by_level:
            levels = df[self.level_column].astype("string")
            return day_in_year(self.years(df), levels.map(dict(self.day_by_level)).astype("string"))
        return day_in_year(self.years(df), str(self.day))

    def published(self, df: pd.DataFrame) -> pd.Series:
        return as_day(df[self.date_column])

    def when(self) -> str:
        return "、".join(f"{level} {day}" for level, day in self.day_by_level) if self.day_by_level else str(self.day)


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

    @staticmethod
    def rule(kw: dict[str, Any]) -> DayRule:
        return DayRule.read(kw, "deadline", default_offset=1)

    @classmethod
    def problems(cls, kw: dict[str, Any]) -> list[str]:
        found: list[str | None] = []
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
        return cls.rule(kw).inputs

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        rule = cls.rule(kw)
        published, deadline = rule.published(df), rule.days(df)
        ok = published <= deadline
        if rule.only_until:
            ok |= published > day_in_year(rule.years(df), rule.only_until)
        return ok | published.isna() | deadline.isna()

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        rule = cls.rule(kw)
        reason = missing_inputs(df, rule.inputs)
        if rule.day_by_level:
            level = df[rule.level_column].astype("string")
            unknown = level.notna() & ~level.isin([lv for lv, _ in rule.day_by_level])
            reason[unknown & reason.isna()] = "单位层级 " + level[unknown] + " 没有设定期限"
        return reason

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        rule = cls.rule(kw)
        return "发布于 " + fmt_date(rows[rule.date_column]), "不晚于 " + fmt_date(rule.days(rows))

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        rule = cls.rule(kw)
        text = f"{rule.date_column} 不晚于 {rule.year_column}+{rule.year_offset} 年的 {rule.when()}"
        if rule.only_until:
            text += f"（晚于 {rule.only_until} 的由更严的规则处理）"
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

    @staticmethod
    def rule(kw: dict[str, Any]) -> DayRule:
        return DayRule.read(kw, "earliest", default_offset=0)

    @classmethod
    def problems(cls, kw: dict[str, Any]) -> list[str]:
        problem = month_day_problem(kw.get("earliest"), "earliest")
        return [problem] if problem else []

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return cls.rule(kw).inputs

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        rule = cls.rule(kw)
        published, earliest = rule.published(df), rule.days(df)
        return (published >= earliest) | published.isna() | earliest.isna()

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        rule = cls.rule(kw)
        return "发布于 " + fmt_date(rows[rule.date_column]), "不早于 " + fmt_date(rule.days(rows))

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        rule = cls.rule(kw)
        return f"{rule.date_column} 不早于 {rule.year_column}+{rule.year_offset} 年的 {rule.when()}"
