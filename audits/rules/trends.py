"""Trend and peer expectations (TREND-1, PEER-1): informational signals, not violations.

Both compare a value with a reference (the same unit's previous year; the median of its peers)
as a symmetric factor (max+1)/(min+1), so that a jump from 40 to 3 counts as much as 3 to 40
and zero counts do not divide by zero. Rows without a reference (first year on record, too few
peers) are outside the rule, neither passes nor "could not check".
"""
from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from audits.rules.audit_types import AuditExpectation, audit_type


def _factor(value: pd.Series, reference: pd.Series) -> pd.Series:
    high = pd.concat([value, reference], axis=1).max(axis=1)
    low = pd.concat([value, reference], axis=1).min(axis=1)
    return (high + 1) / (low + 1)


@audit_type
class ExpectYearOverYearChangeWithin(AuditExpectation):
    """`column` changes by at most max_ratio against the same group's previous year."""

    map_metric = "govaudit.expect_year_over_year_change_within"
    column: str
    group_by: list = ["site", "unit"]
    year_column: str = "report_year"
    max_ratio: float = 3.0
    min_base: float = 10.0
    audit_kwargs: ClassVar[tuple[str, ...]] = ("column", "group_by", "year_column", "max_ratio", "min_base")
    explain_needs_context: ClassVar[bool] = True

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return [kw["column"], kw.get("year_column", "report_year"), *kw.get("group_by", ["site", "unit"])]

    @classmethod
    def previous(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        groups = list(kw.get("group_by", ["site", "unit"]))
        year, column = kw.get("year_column", "report_year"), kw["column"]
        table = df[groups + [year, column]].copy()
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
        table[year] = pd.to_numeric(table[year], errors="coerce")
        means = table.dropna().groupby(groups + [year], dropna=True)[column].mean().rename("previous").reset_index()
        means[year] = means[year] + 1
        keyed = table.reset_index().merge(means, on=groups + [year], how="left").set_index("index")
        return keyed["previous"].reindex(df.index)

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        value = pd.to_numeric(df[kw["column"]], errors="coerce").astype(float)
        previous = cls.previous(df, kw)
        big = pd.concat([value, previous], axis=1).max(axis=1) >= float(kw.get("min_base", 10))
        return ~(big & (_factor(value, previous) > float(kw.get("max_ratio", 3)))) | previous.isna() | value.isna()

    @classmethod
    def excluded(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return cls.previous(df, kw).isna()

    @classmethod
    def explain(cls, rows_and_all: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        previous = cls.previous(rows_and_all, kw)
        value = pd.to_numeric(rows_and_all[kw["column"]], errors="coerce")
        observed = "上年 " + previous.map("{:g}".format) + " → 本年 " + value.astype(float).map("{:g}".format)
        expected = pd.Series(f"变化不超过 {kw.get('max_ratio', 3)} 倍", index=rows_and_all.index, dtype="string")
        return observed.astype("string"), expected

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        return (f"{kw['column']} 与同一 {'+'.join(kw.get('group_by', ['site', 'unit']))} 上一年相比变化不超过 "
                f"{kw.get('max_ratio', 3)} 倍（两年中较大者不足 {kw.get('min_base', 10)} 时不计）")


@audit_type
class ExpectNearPeerMedian(AuditExpectation):
    """`column` is within max_ratio of the median of its peer group."""

    map_metric = "govaudit.expect_near_peer_median"
    column: str
    peer_group: list = ["unit_level", "report_year"]
    max_ratio: float = 5.0
    min_peers: int = 5
    min_base: float = 10.0
    audit_kwargs: ClassVar[tuple[str, ...]] = ("column", "peer_group", "max_ratio", "min_peers", "min_base")
    explain_needs_context: ClassVar[bool] = True

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return [kw["column"], *kw.get("peer_group", ["unit_level", "report_year"])]

    @classmethod
    def _median(cls, df: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        groups = list(kw.get("peer_group", ["unit_level", "report_year"]))
        value = pd.to_numeric(df[kw["column"]], errors="coerce").astype(float)
        keys = [df[g] for g in groups]
        grouped = value.groupby(keys, dropna=True)
        return grouped.transform("median"), grouped.transform("count")

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        value = pd.to_numeric(df[kw["column"]], errors="coerce").astype(float)
        median, count = cls._median(df, kw)
        big = pd.concat([value, median], axis=1).max(axis=1) >= float(kw.get("min_base", 10))
        outlier = big & (_factor(value, median) > float(kw.get("max_ratio", 5)))
        return ~outlier | (count < int(kw.get("min_peers", 5))) | value.isna() | median.isna()

    @classmethod
    def excluded(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        median, count = cls._median(df, kw)
        return median.isna() | (count.fillna(0) < int(kw.get("min_peers", 5)))

    @classmethod
    def explain(cls, rows_and_all: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        median, _ = cls._median(rows_and_all, kw)
        value = pd.to_numeric(rows_and_all[kw["column"]], errors="coerce").astype(float)
        observed = "本单位 " + value.map("{:g}".format) + "，同类中位数 " + median.map("{:g}".format)
        expected = pd.Series(f"与中位数相差不超过 {kw.get('max_ratio', 5)} 倍", index=rows_and_all.index,
                             dtype="string")
        return observed.astype("string"), expected

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        peers = "+".join(kw.get("peer_group", ["unit_level", "report_year"]))
        return (f"{kw['column']} 与同类（{peers}）中位数相差不超过 "
                f"{kw.get('max_ratio', 5)} 倍（同类少于 {kw.get('min_peers', 5)} 个时不计）")
