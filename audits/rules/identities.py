"""Table identities (I3-1, I3-2, I3-3, I4-1): sums of cells that must agree.

One expectation states a family of equations through a template, e.g. for every column c of
table 三: new__{c} + carried__{c} = outcome_total__{c} + carry_next__{c}. The template keeps the
rule file short and lets a tuner see the exact arithmetic. An equation with a blank cell ("/" or
empty, which the normaliser keeps as <NA>, never 0) is skipped; a row where every equation has a
blank cell is "could not check".
"""
from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from audits.rules.audit_types import AuditExpectation, audit_type

_LABELS = {
    "new": "新收", "carried": "上年结转", "granted": "予以公开", "partial": "部分公开",
    "outcome_total": "办理结果总计", "carry_next": "结转下年",
    "natural": "自然人", "commercial": "商业企业", "research": "科研机构", "public_interest": "社会公益组织",
    "legal_service": "法律服务机构", "other_org": "其他", "total": "总计",
    "review": "行政复议", "suit_direct": "直接起诉", "suit_after_review": "复议后起诉",
    "upheld": "维持", "corrected": "纠正", "other": "其他结果", "pending": "尚未审结",
    "refused": "不予公开", "unavailable": "无法提供", "not_processed": "不予处理",
    "rules": "规章", "normative_docs": "规范性文件", "made": "本年制发", "repealed": "本年废止", "in_force": "现行有效",
    "new_made": "本年新制作", "new_published": "本年新公开", "total_published": "对外公开总数", "cases": "",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def label(column: str) -> str:
    parts = []
    for part in re.split(r"__", column):
        match = re.match(r"^(.*?)_(\d+)$", part)
        if match and match.group(1) in _LABELS:
            parts.append(f"{_LABELS[match.group(1)]}{match.group(2)}")
        elif part in _LABELS:
            parts.append(_LABELS[part])
        else:  # table 四 leaves: review_upheld -> 行政复议·维持
            pieces = part.split("_")
            for cut in range(1, len(pieces)):
                head, tail = "_".join(pieces[:cut]), "_".join(pieces[cut:])
                if head in _LABELS and tail in _LABELS:
                    parts += [_LABELS[head], _LABELS[tail]]
                    break
            else:
                parts.append(part)
    return "·".join(p for p in parts if p)


def equations(kw: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    for_each = kw.get("for_each") or {}
    if not for_each:
        return [(list(kw["left"]), list(kw["right"]))]
    (name, values), = for_each.items()
    return [([t.replace("{" + name + "}", str(v)) for t in kw["left"]],
             [t.replace("{" + name + "}", str(v)) for t in kw["right"]]) for v in values]


@audit_type
class ExpectCellSumsToMatch(AuditExpectation):
    """For each value of for_each: sum(left cells) = sum(right cells) within tolerance."""

    map_metric = "govaudit.expect_cell_sums_to_match"
    left: list
    right: list
    for_each: dict = {}
    tolerance: float = 0.0
    blank_as_zero: bool = False
    audit_kwargs: ClassVar[tuple[str, ...]] = ("left", "right", "for_each", "tolerance", "blank_as_zero")

    @classmethod
    def problems(cls, kw: dict[str, Any]) -> list[str]:
        found = []
        for_each = kw.get("for_each") or {}
        if len(for_each) > 1:
            found.append("for_each takes one placeholder name with its list of values")
        names = set(for_each)
        for side in ("left", "right"):
            terms = kw.get(side)
            if not isinstance(terms, list) or not terms:
                found.append(f"{side} must be a non-empty list of column names or templates")
                continue
            for term in terms:
                unknown = set(_PLACEHOLDER.findall(str(term))) - names
                if unknown:
                    found.append(f"{side} term {term!r} uses {{{unknown.pop()}}} which for_each does not define")
        return found

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        columns: list[str] = []
        for left, right in equations(kw):
            columns += [c for c in left + right if c not in columns]
        return columns

    @classmethod
    def _sides(cls, df: pd.DataFrame, kw: dict[str, Any]) -> list[tuple[list[str], list[str], np.ndarray,
                                                                          np.ndarray, np.ndarray]]:
        """Per equation: its columns, the sums of each side (a blank cell adds nothing) and whether
        the row is checkable. The cells are read as numbers once for every equation: table 三's
        templates expand to dozens of equations over the same columns."""
        cells = numeric_cells(df, cls.input_columns(kw))
        values = {column: cells[column].to_numpy() for column in cells.columns}
        blank_as_zero = bool(kw.get("blank_as_zero"))
        found = []
        for left, right in equations(kw):
            lcells = np.column_stack([values[c] for c in left])
            rcells = np.column_stack([values[c] for c in right])
            given_left, given_right = ~np.isnan(lcells), ~np.isnan(rcells)
            if blank_as_zero:  # checkable when the left side is given and some right cell is
                complete = given_left.all(axis=1) & given_right.any(axis=1)
            else:
                complete = given_left.all(axis=1) & given_right.all(axis=1)
            found.append((left, right, np.nansum(lcells, axis=1), np.nansum(rcells, axis=1), complete))
        return found

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        ok = np.ones(len(df), dtype=bool)
        tolerance = float(kw.get("tolerance") or 0)
        for _, _, lsum, rsum, complete in cls._sides(df, kw):
            ok &= ~complete | (np.abs(lsum - rsum) <= tolerance + 1e-9)
        return pd.Series(ok, index=df.index)

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        any_complete = np.zeros(len(df), dtype=bool)
        for *_, complete in cls._sides(df, kw):
            any_complete |= complete
        reason = pd.Series(pd.NA, index=df.index, dtype="string")
        reason[~any_complete] = "表格相关单元格全部为空或缺失"
        return reason

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        tolerance = float(kw.get("tolerance") or 0)
        observed = pd.Series("", index=rows.index, dtype=object)
        expected = pd.Series("", index=rows.index, dtype=object)
        for left, right, lsum, rsum, complete in cls._sides(rows, kw):
            bad = complete & (np.abs(lsum - rsum) > tolerance + 1e-9)
            for position in np.flatnonzero(bad):
                index = rows.index[position]
                text = (" + ".join(f"{label(c)} {_num(rows.at[index, c])}" for c in left)
                        + f" = {_num(lsum[position])}" + " ≠ "
                        + " + ".join(f"{label(c)} {_num(rows.at[index, c])}" for c in right)
                        + f" = {_num(rsum[position])}")
                observed[index] = f"{observed[index]}; {text}" if observed[index] else text
                want = f"{' + '.join(map(label, left))} = {' + '.join(map(label, right))}"
                expected[index] = f"{expected[index]}; {want}" if expected[index] else want
        return observed.astype("string"), expected.astype("string")

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        text = f"{' + '.join(kw['left'])} = {' + '.join(kw['right'])}"
        for_each = kw.get("for_each") or {}
        for name, values in for_each.items():
            text += f"，对 {name} ∈ {{{', '.join(map(str, values))}}} 逐一检查"
        if kw.get("tolerance"):
            text += f"（允许误差 {kw['tolerance']}）"
        if kw.get("blank_as_zero"):
            text += "（空白单元格按0计）"
        return text


@audit_type
class ExpectCellsAtMost(AuditExpectation):
    """No given cell exceeds max_value (blank cells are ignored)."""

    map_metric = "govaudit.expect_cells_at_most"
    cells: list
    max_value: float = 0.0
    audit_kwargs: ClassVar[tuple[str, ...]] = ("cells", "max_value")

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return list(kw["cells"])

    @classmethod
    def _values(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.DataFrame:
        return numeric_cells(df, list(kw["cells"]))

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return ~(cls._values(df, kw) > float(kw.get("max_value") or 0)).any(axis=1)

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        reason = pd.Series(pd.NA, index=df.index, dtype="string")
        reason[cls._values(df, kw).isna().all(axis=1)] = "相关单元格全部为空或缺失"
        return reason

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        values = cls._values(rows, kw)
        limit = float(kw.get("max_value") or 0)
        observed = pd.Series([
            "，".join(f"{label(c)} {_num(v)}" for c, v in record.items() if pd.notna(v) and v > limit)
            for record in values.to_dict("records")
        ], index=rows.index, dtype="string")
        return observed, pd.Series(f"各栏不超过 {_num(limit)}", index=rows.index, dtype="string")

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        return f"{'、'.join(kw['cells'])} 均不超过 {kw.get('max_value', 0)}（空白不计）"


def numeric_cells(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` as float (blank or unreadable → NaN); numeric columns are converted without
    pd.to_numeric, which costs a pass per column and call (tables 二/三/四 are checked cell by cell)."""
    data = {}
    for column in columns:
        values = df[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            data[column] = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            data[column] = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    return pd.DataFrame(data, index=df.index, columns=columns)


def _num(value: Any) -> str:
    if value is None or pd.isna(value):
        return "空"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"
