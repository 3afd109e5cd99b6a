"""Section expectations (FZ-SEC-*, XX-SEC-*, FZ-NEXT-1, COPY-3).

They read per-document summaries that `derive.py` builds from the sections frame:
`section_kinds` (kinds with a standalone heading), `folded_section_kinds` (kinds found only
inside another section's text), `section_heading_years` ("kind=2022,2023;kind=…") and
`heading_years` (every year named in a standalone heading). A document without a body has
these as <NA>, so it is "could not check" rather than "lacks every section".
"""
from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from audits.rules.audit_types import AuditExpectation, audit_type


def _has(series: pd.Series, kind: str) -> pd.Series:
    return series.fillna("").astype(str).map(lambda text: kind in text.split(","))


def _years(text: Any) -> set[int]:
    if not isinstance(text, str) or not text:
        return set()
    return {int(part) for part in text.split(",") if part.strip().isdigit()}


def _kind_years(text: Any, kind: str) -> set[int]:
    if not isinstance(text, str):
        return set()
    years: set[int] = set()
    for entry in text.split(";"):
        name, _, values = entry.partition("=")
        if name == kind:
            years |= _years(values)
    return years


@audit_type
class ExpectSectionPresent(AuditExpectation):
    """The document has a section of `kind` (standalone, or folded when accept_folded)."""

    map_metric = "govaudit.expect_section_present"
    kind: str
    accept_folded: bool = True
    audit_kwargs: ClassVar[tuple[str, ...]] = ("kind", "accept_folded")

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return ["section_kinds", "folded_section_kinds", "heading_count"]

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        ok = cls._found(df, kw)
        return ok | df["section_kinds"].isna() | cls._no_headings(df)

    @classmethod
    def _found(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        ok = _has(df["section_kinds"], kw["kind"])
        if kw.get("accept_folded", True):
            ok |= _has(df["folded_section_kinds"], kw["kind"])
        return ok

    @classmethod
    def _no_headings(cls, df: pd.DataFrame) -> pd.Series:
        if "heading_count" not in df.columns:
            return pd.Series(False, index=df.index)
        return pd.to_numeric(df["heading_count"], errors="coerce").eq(0).fillna(False).astype(bool)

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        """A body in which no heading could be read cannot be said to lack a section."""
        why = super().unchecked(df, kw)
        blind = cls._no_headings(df) & ~cls._found(df, kw) & why.isna()
        return why.mask(blind, "正文中未能识别出任何章节标题（“一、”式或加粗标题），无法判断是否缺少该部分")

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        found = rows["section_kinds"].fillna("").astype(str).replace("", "（无）")
        return "已识别的部分: " + found, pd.Series(f"含有 {kw['kind']} 部分", index=rows.index)

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        where = "独立成节或并入其他部分均可" if kw.get("accept_folded", True) else "须独立成节"
        return f"含有 {kw['kind']} 部分（{where}）"


@audit_type
class ExpectSectionStandalone(AuditExpectation):
    """Content of `kind`, when present, has its own heading (not only folded into another)."""

    map_metric = "govaudit.expect_section_standalone"
    kind: str
    audit_kwargs: ClassVar[tuple[str, ...]] = ("kind",)

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return ["section_kinds", "folded_section_kinds"]

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return _has(df["section_kinds"], kw["kind"]) | ~_has(df["folded_section_kinds"], kw["kind"])

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        return (pd.Series(f"{kw['kind']} 内容仅并入其他部分", index=rows.index),
                pd.Series(f"{kw['kind']} 单独成节", index=rows.index))

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        return f"{kw['kind']} 内容若存在，须有独立标题"


@audit_type
class ExpectSectionHeadingNamesYear(AuditExpectation):
    """The heading of section `kind` names report_year + year_offset."""

    map_metric = "govaudit.expect_section_heading_names_year"
    kind: str
    year_offset: int = 1
    headings_without_year: str = "pass"
    audit_kwargs: ClassVar[tuple[str, ...]] = ("kind", "year_offset", "headings_without_year")

    @classmethod
    def problems(cls, kw: dict[str, Any]) -> list[str]:
        if kw.get("headings_without_year", "pass") not in ("pass", "fail"):
            return [f"headings_without_year must be pass or fail, got {kw['headings_without_year']!r}"]
        return []

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return ["section_heading_years", "section_kinds", "report_year"]

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        kind, offset = kw["kind"], kw.get("year_offset", 1)
        fail_bare = kw.get("headings_without_year", "pass") == "fail"

        if not len(df):
            return pd.Series(dtype=bool)
        # The section test for all rows at once; only documents that have the section read their years.
        present = _has(df["section_kinds"], kind).to_numpy(dtype=bool) & df["report_year"].notna().to_numpy()
        result = []
        for has, text, year in zip(present, df["section_heading_years"], df["report_year"]):
            if not has:
                result.append(True)  # no such section (or no year): the section rule reports it
                continue
            years = _kind_years(text, kind)
            result.append(int(year) + offset in years if years else not fail_bare)
        return pd.Series(result, index=df.index, dtype=bool)

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        named = rows["section_heading_years"].map(
            lambda text: "、".join(map(str, sorted(_kind_years(text, kw["kind"])))) or "未写年份")
        expected = (pd.to_numeric(rows["report_year"]) + kw.get("year_offset", 1)).astype("Int64").astype(str)
        return "标题写的年份: " + named.astype(str), "标题写 " + expected + " 年"

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        bare = "不写年份的标题视为不合格" if kw.get("headings_without_year") == "fail" else "不写年份的标题不计"
        return f"{kw['kind']} 部分的标题写明 report_year+{kw.get('year_offset', 1)} 年（{bare}）"


@audit_type
class ExpectHeadingYearsWithin(AuditExpectation):
    """Every year named in a standalone heading is report_year + one of allowed_offsets."""

    map_metric = "govaudit.expect_heading_years_within"
    allowed_offsets: list = [0, 1]
    audit_kwargs: ClassVar[tuple[str, ...]] = ("allowed_offsets",)

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return ["heading_years", "report_year"]

    @classmethod
    def _stale(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        offsets = list(kw.get("allowed_offsets") or [0, 1])

        def stale(row: pd.Series) -> str:
            if pd.isna(row["report_year"]):
                return ""
            allowed = {int(row["report_year"]) + o for o in offsets}
            return "、".join(str(y) for y in sorted(_years(row["heading_years"]) - allowed))

        return df.apply(stale, axis=1) if len(df) else pd.Series(dtype=str)

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return cls._stale(df, kw).eq("") if len(df) else pd.Series(dtype=bool)

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        allowed = rows["report_year"].map(
            lambda y: "、".join(str(int(y) + o) for o in kw.get("allowed_offsets") or [0, 1]))
        return "标题或开头中出现 " + cls._stale(rows, kw).astype(str) + " 年", "只出现 " + allowed.astype(str) + " 年"

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        offsets = "、".join(f"report_year{o:+d}" if o else "report_year" for o in kw.get("allowed_offsets") or [0, 1])
        return f"各部分标题中的年份只能是 {offsets}"
