"""What govaudit needs to know about Great Expectations' own expectation types.

GX decides pass/fail for these; this module only adds the finding side: which columns are
inputs (a null input on a row the rule applies to is "could not check"), how to word the
observed and expected values of a failing row, and a one-line description for `rules list`.
Types not listed here still work, with a generic wording.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
# GX types whose findings govaudit words itself (`describe`, `explain`); others get a generic wording.
SUPPORTED_TYPES = (
    "expect_column_values_to_be_between", "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal", "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex", "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set", "expect_column_values_to_not_be_null", "expect_column_values_to_be_null",
)
# Kwargs a rule file may not set: the runner owns them (meta comes from the rule's meta block,
# result_format is fixed so failures map back to rows, mostly would hide failing rows).
RESERVED_KWARGS = {
    "id", "meta", "notes", "result_format", "description", "catch_exceptions", "rendered_content",
    "severity", "windows", "batch_id", "mostly", "condition_parser",
}
_NULL_IS_FAILURE = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"}


def input_columns(type_: str, kw: dict[str, Any]) -> list[str]:
    columns: list[str] = []
    for key in COLUMN_KWARGS:
        value = kw.get(key)
        if isinstance(value, str):
            columns.append(value)
        elif isinstance(value, list):
            columns += [str(v) for v in value]
    return columns


def unchecked_columns(type_: str, kw: dict[str, Any]) -> list[str]:
    """Inputs whose null makes a row uncheckable (for null checks the null is the finding)."""
    return [] if type_ in _NULL_IS_FAILURE else input_columns(type_, kw)


def _show(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").astype("string").fillna("（空）")
    if pd.api.types.is_float_dtype(series):  # counts read as floats print as 204, not 204.0
        series = series.map(lambda v: v if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    return series.astype("string").fillna("（空）")


def explain(type_: str, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
    columns = input_columns(type_, kw)
    if len(columns) == 1:
        observed = _show(rows[columns[0]])
    else:
        observed = pd.Series("", index=rows.index, dtype="string")
        for i, column in enumerate(columns):
            observed = observed + ("" if i == 0 else "，") + f"{column}=" + _show(rows[column])
    return observed, pd.Series(expected(type_, kw), index=rows.index, dtype="string")


def expected(type_: str, kw: dict[str, Any]) -> str:
    """The expectation as a message fragment: bounds without the column name where that reads better."""
    if type_ == "expect_column_values_to_be_between":
        low, high = kw.get("min_value"), kw.get("max_value")
        if low is not None and high is not None:
            return f"{low}–{high}"
        if high is not None:
            return f"{'<' if kw.get('strict_max') else '≤'} {high}"
        return f"{'>' if kw.get('strict_min') else '≥'} {low}"
    return describe(type_, kw)


def describe(type_: str, kw: dict[str, Any]) -> str:
    column = kw.get("column")
    if type_ == "expect_column_values_to_be_between":
        low, high = kw.get("min_value"), kw.get("max_value")
        lt, gt = ("<" if kw.get("strict_max") else "≤"), ("<" if kw.get("strict_min") else "≤")
        if low is not None and high is not None:
            return f"{low} {gt} {column} {lt} {high}"
        return f"{column} {lt} {high}" if high is not None else f"{column} {'>' if kw.get('strict_min') else '≥'} {low}"
    if type_ == "expect_column_pair_values_a_to_be_greater_than_b":
        return f"{kw['column_A']} {'≥' if kw.get('or_equal') else '>'} {kw['column_B']}"
    if type_ == "expect_column_pair_values_to_be_equal":
        return f"{kw['column_A']} = {kw['column_B']}"
    if type_ == "expect_column_values_to_match_regex":
        return f"{column} 符合 {kw['regex']}"
    if type_ == "expect_column_values_to_not_match_regex":
        return f"{column} 不含 {kw['regex']}"
    if type_ == "expect_column_values_to_be_in_set":
        return f"{column} ∈ {{{', '.join(map(str, kw['value_set']))}}}"
    if type_ == "expect_column_values_to_not_be_in_set":
        return f"{column} ∉ {{{', '.join(map(str, kw['value_set']))}}}"
    if type_ == "expect_column_values_to_not_be_null":
        return f"{column} 不为空"
    if type_ == "expect_column_values_to_be_null":
        return f"{column} 为空"
    shown = ", ".join(f"{k}={v}" for k, v in kw.items() if k != "row_condition")
    return f"{type_}({shown})"
