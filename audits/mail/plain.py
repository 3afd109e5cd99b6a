"""Findings in plain Chinese for the digest: no column names, no section-kind keys.

A rule's observed value is built from the frame columns it reads (`fetched_date=2024-03-01，
published_at=…`) and section rules name kinds by their keys (`fz_measures,fz_shortcomings`).
That is exact for a rule tuner and opaque for a township head reading a phone. The digest shows
the same facts with each column's Chinese label and each kind's title from section_kinds.yml.
Anything not recognised is left as written: the text is still right, only less friendly.
"""
from __future__ import annotations

import re
from functools import lru_cache

COLUMN_LABELS = {
    "doc_id": "文件编号", "url": "页面地址", "unit": "单位", "title": "标题", "list_title": "目录标题",
    "list_date": "目录日期", "index_no": "索引号", "publisher": "发布机构", "disclosure_mode": "公开方式",
    "issued_date": "发文日期", "category": "组配分类", "doc_no": "文号", "published_at": "发布日期",
    "published_from": "发布日期来源", "source": "来源", "report_type": "报告类型", "report_year": "报告年度",
    "title_year": "标题年份", "table_template": "表格版本", "body_length": "正文字数", "content_hash": "内容摘要",
    "http_status": "HTTP 状态", "fetched_at": "抓取时间", "fetched_date": "抓取日期",
    "attachment_count": "附件数", "broken_attachments": "失效附件数", "fetch_error": "抓取错误",
    "parse_problems": "解析问题", "total": "总数", "parts_sum": "分项合计", "n_parts": "分项数",
    "value": "数值", "row_key": "行", "col_key": "列", "table": "表", "heading": "标题", "years": "年份",
    "deadline": "截止日期", "lag_days": "间隔天数", "working_days": "工作日数", "similarity": "相似度",
    "previous_year_similarity": "与上年相似度", "peer_similarity": "与同级相似度", "peer_url": "相似页面",
    "previous_year_url": "上年报告", "sections_present": "已有部分", "sections_folded": "并入其他部分",
}
_ASSIGNMENT = re.compile(r"\b([a-z][a-z0-9_]*)=")
_KIND_KEY = re.compile(r"\b(?:fz|xx)_[a-z0-9_]+\b")
_LIST_COMMA = re.compile(r"(?<=[\u4e00-\u9fff”])\s*,\s*(?=[“\u4e00-\u9fff])")


@lru_cache(maxsize=1)
def kind_titles() -> dict[str, str]:
    """Section kind key → its title, from the shipped section_kinds.yml (empty if unreadable)."""
    from audits.normalize.section_kinds import load_section_kinds

    try:
        kinds = load_section_kinds()
    except Exception:  # a broken keyword file is reported by the audit itself, not by the mail
        return {}
    return {kind.name: kind.title for family in kinds.families.values() for kind in family.kinds}


def plain(text: object) -> str:
    """`text` with column names and kind keys replaced by their Chinese names."""
    if text is None or not isinstance(text, str):
        return "" if text is None else str(text)
    titles = kind_titles()
    out = _ASSIGNMENT.sub(lambda m: f"{COLUMN_LABELS.get(m.group(1), m.group(1))}：", text)
    out = _KIND_KEY.sub(lambda m: f"“{titles[m.group(0)]}”" if m.group(0) in titles else m.group(0), out)
    return _LIST_COMMA.sub("、", out)
