"""Metadata-block checks and the learned 索引号 patterns (META-1, IDX-1, IDX-2).

There is no national 索引号 format; every site has its own (sometimes two). So the pattern is
learned per host: each 索引号 is reduced to its shape (digits -> \\d, capitals -> [A-Z], runs
collapsed to {n}, separators kept), and a shape counts as learned when at least the share of
the host's index numbers that metadata.yml sets has it. An index number whose shape is rarer
than that matches none of the learned patterns (IDX-1).
"""
from __future__ import annotations

import re
from typing import Any, ClassVar

import pandas as pd

from audits.rules.audit_types import AuditExpectation, audit_type

FIELD_LABELS = {
    "index_no": "索引号", "publisher": "发布机构", "issued_date": "发文日期", "issued_date_text": "发文日期",
    "disclosure_mode": "公开方式",
    "title": "标题", "published_at": "发布日期", "doc_no": "文号", "category": "分类",
}
_TOKEN = re.compile(r"\d+|[A-Z]+|[a-z]+|[\u4e00-\u9fff]+|.", re.S)
# Characters replaced by one representative of their class before shaping: the shape of a value
# depends only on its run lengths per class, so 索引号 that differ only in their digits (nearly
# all of them) share one reduced value and index_shape runs once per reduced value, not per row.
_REDUCE = str.maketrans({**{c: "0" for c in "0123456789"},
                         **{chr(c): "A" for c in range(ord("A"), ord("Z") + 1)},
                         **{chr(c): "a" for c in range(ord("a"), ord("z") + 1)},
                         **{chr(c): "\u4e00" for c in range(0x4E00, 0xA000)}})


def index_shape(value: str) -> str:
    parts = []
    for token in _TOKEN.findall(value):
        if token.isdigit():
            parts.append(rf"\d{{{len(token)}}}")
        elif token.isascii() and token.isupper():
            parts.append(f"[A-Z]{{{len(token)}}}")
        elif token.isascii() and token.islower():
            parts.append(f"[a-z]{{{len(token)}}}")
        elif re.match(r"[\u4e00-\u9fff]", token):
            parts.append(f"[\\u4e00-\\u9fff]{{{len(token)}}}")
        else:
            parts.append(re.escape(token))
    return "".join(parts)


def learned_shapes(documents: pd.DataFrame) -> pd.DataFrame:
    """index_no_shape, index_no_shape_share (share of the host's index numbers with that
    shape) and host_index_no_count, one row per document."""
    index_no = documents["index_no"].astype("string").str.strip().replace("", pd.NA)
    reduced = index_no.str.translate(_REDUCE)
    shapes = {value: index_shape(value) for value in reduced.dropna().unique()}
    shape = reduced.map(shapes).astype("string")
    host = documents["host"].astype("string").fillna("")
    count = index_no.groupby(host).transform("count")
    same = shape.groupby([host, shape.fillna("")]).transform("size")
    share = (same / count).where(shape.notna()).round(4).astype("Float64")
    return pd.DataFrame({
        "index_no_shape": shape,
        "index_no_shape_share": share,
        "host_index_no_count": count.astype("Int64"),
    }, index=documents.index)


def index_year(index_no: pd.Series, pattern: str) -> pd.Series:
    # str.extract's first group, searched value by value without building a frame of all groups
    # (nearly every 索引号 is distinct); the few distinct years found are converted once each.
    search = re.compile(pattern).search
    values = index_no.astype("string")
    found = [None if value is pd.NA or (hit := search(value)) is None else hit.group(1) for value in values.tolist()]
    codes, years = pd.factorize(pd.Series(found, dtype=object))
    numbers = pd.to_numeric(pd.Series(years, dtype="string"), errors="coerce").astype("Int64").array
    return pd.Series(numbers.take(codes, allow_fill=True), index=index_no.index)


@audit_type
class ExpectFieldsFilled(AuditExpectation):
    """Every field in `fields` is present and not blank."""

    map_metric = "govaudit.expect_fields_filled"
    fields: list
    audit_kwargs: ClassVar[tuple[str, ...]] = ("fields",)

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        return list(kw["fields"])

    @classmethod
    def _missing(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.DataFrame:
        return pd.DataFrame({
            field: (df[field].isna() | df[field].astype("string").str.strip().eq("")).fillna(True).astype(bool)
            for field in kw["fields"]
        }, index=df.index)

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return ~cls._missing(df, kw).any(axis=1)

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return pd.Series(pd.NA, index=df.index, dtype="string")  # a blank field is the finding itself

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        missing = cls._missing(rows, kw)
        observed = pd.Series([
            "缺少 " + "、".join(FIELD_LABELS.get(f, f) for f in kw["fields"] if row[f])
            for row in missing.to_dict("records")
        ], index=rows.index, dtype="string")
        expected = "、".join(FIELD_LABELS.get(f, f) for f in kw["fields"]) + " 均已填写"
        return observed, pd.Series(expected, index=rows.index, dtype="string")

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        return "、".join(f"{FIELD_LABELS.get(f, f)}（{f}）" for f in kw["fields"]) + " 均不为空"
