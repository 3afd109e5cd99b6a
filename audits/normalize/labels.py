"""Metadata labels as printed on a page, reduced to the document field they name.

Portals print the same field under many names (发文日期 / 成文日期 / 生成日期) and pad labels
with full-width spaces, &nbsp; and colons of either width ("索　引　号：").  Matching on the
squeezed label against one synonym table keeps every CMS dialect on one code path; the table is
the single place to add a new variant.
"""
from __future__ import annotations

import re

# Whitespace of every width a CMS emits, zero-width marks included.
_SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_EDGE_PUNCT = "：:﹕︰ 　[]【】〖〗|｜"

FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "信息索引号", "索取号"),
    "publisher": ("发布机构", "发文机关", "发文机构", "制发机构", "发布机关", "发文单位"),
    "disclosure_mode": ("公开方式", "公开形式", "公开属性"),
    "issued_date": ("发文日期", "成文日期", "生成日期", "产生日期", "印发日期"),
    "category": ("组配分类", "主题分类", "分类"),
    "doc_no": ("文件编号", "文号", "发文字号", "发文文号"),
    # 日期 / 时间 alone are how some templates print the publication date in the headline.
    "published_at": ("发布时间", "发布日期", "公开日期", "日期", "时间"),
    "source": ("来源", "信息来源"),
    "title": ("标题", "名称", "信息名称", "文件名称"),
}

LABEL_TO_FIELD: dict[str, str] = {
    label: field for field, labels in FIELD_SYNONYMS.items() for label in labels
}

# The first label of each field is the one messages use ("发文日期 '2023-13-45' is not a date").
CANONICAL_LABEL: dict[str, str] = {field: labels[0] for field, labels in FIELD_SYNONYMS.items()}


def squeeze(text: str | None) -> str:
    """Drop every kind of whitespace: Chinese labels and values carry no meaningful spaces."""
    return _SPACE.sub("", text or "")


def collapse(text: str | None) -> str:
    """Runs of whitespace (any width) become one ASCII space; ends are trimmed."""
    return _SPACE.sub(" ", text or "").strip()


def normalise_label(label: str | None) -> str:
    """'索　引　号：' / ' 索 引 号: ' / '索引号&nbsp;' -> '索引号'."""
    return squeeze(label).strip(_EDGE_PUNCT)


def field_for(label: str | None) -> str | None:
    """The document field a printed label names, or None when it names none we keep."""
    return LABEL_TO_FIELD.get(normalise_label(label))


def clean_value(value: str | None) -> str | None:
    """A printed value with its padding removed; an empty value is None (rules decide on it)."""
    text = collapse(value).strip("：:").strip()
    return text or None
