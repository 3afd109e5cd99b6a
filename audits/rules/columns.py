"""Every column a rule may name, per frame: the schema's, the wide tables', and the derived ones.

The loader checks rule files against this, so it is the single answer to "does this column
exist?". Derived columns are computed by `derive.py` before validation; some need a suite
parameter (e.g. the 索引号 year pattern), and a rule that reads such a column without the
parameter being set in any file is a load error.
"""
from __future__ import annotations

from dataclasses import dataclass

from audits.normalize.frame_set import WIDE_COLUMNS
from govaudit.columns import AUDIT_FRAMES, FRAMES


@dataclass(frozen=True)
class Derived:
    dtype: str
    meaning: str
    needs: tuple[str, ...] = ()  # suite parameters the computation reads


# Columns of the document joined onto rows of the other frames (when the frame lacks them).
CONTEXT_COLUMNS = ("site", "host", "unit", "unit_level", "report_type", "report_year", "title")

DERIVED: dict[str, dict[str, Derived]] = {
    "documents": {
        "published_date": Derived("datetime64[ns]", "发布日期（published_at 的日期部分）"),
        "issued_day": Derived("datetime64[ns]", "发文日期（issued_date 的日期部分）"),
        "fetched_date": Derived("datetime64[ns]", "抓取日期（北京时间），无抓取时间时为审计时间"),
        "fetched_ok": Derived("bool", "页面已取得（无抓取错误，HTTP 状态 2xx/3xx）"),
        "parsed_ok": Derived("bool", "页面有正文或元数据"),
        "readable": Derived("bool", "可检查的详情页：kind 为 detail、已取得且已解析"),
        "issued_year": Derived("Int64", "发文日期的年份"),
        "lag_working_days": Derived("Int64", "发文日期到发布日期之间的工作日数（含调休）"),
        "index_no_shape": Derived("string", "索引号的形状（数字→\\d，大写字母→[A-Z]）"),
        "index_no_shape_share": Derived("Float64", "同一主机下与本索引号形状相同者所占比例"),
        "host_index_no_count": Derived("Int64", "同一主机下有索引号的文档数"),
        "index_no_year": Derived("Int64", "索引号中的年份", needs=("index_no_year_pattern",)),
        "future_dates": Derived("string", "晚于抓取日期的日期（发文日期、发布日期、索引号年份）"),
        "malformed_dates": Derived("string", "填写了但不是有效日期的日期字段及其原文"),
        "issued_date_text": Derived("string", "发文日期：有效日期或填写的原文（空表示未填写）"),
        "doc_no_unfilled": Derived("bool", "标题或正文开头印有文号而文件编号为空"),
        "approval_lag_days": Derived("Int64", "正文所述批复（批准）日期到发布日期的天数"),
        "next_year_unnamed": Derived("boolean", "下一年度安排部分（标题无年份）全文未提到下一年度"),
        "publisher_expected": Derived("string", "站点配置中本单位的全称", needs=("publisher_full_name_pattern",)),
        "publisher_ok": Derived("boolean",
                                "发布机构为规范全称：等于本单位全称、为转载的其他机关名称，或（无配置时）符合全称格式",
                                needs=("publisher_full_name_pattern",)),
        "section_kinds": Derived("string", "独立成节的部分类型（逗号分隔）"),
        "folded_section_kinds": Derived("string", "仅并入其他部分的内容类型（逗号分隔）"),
        "section_heading_years": Derived("string", "各类型部分标题中的年份"),
        "heading_years": Derived("string", "所有独立标题中出现的年份"),
        "heading_count": Derived("Int64", "识别出的独立章节标题数"),
        "previous_year_url": Derived("string", "同一单位同类上一年度报告的网址",
                                     needs=("similarity_report_types", "similarity_shingle_chars")),
        "previous_year_similarity": Derived("Float64", "与上一年度报告的相似度（0–1）",
                                            needs=("similarity_report_types", "similarity_shingle_chars")),
        "peer_url": Derived("string", "同年同类报告中与本报告最相似的其他单位报告的网址",
                            needs=("similarity_report_types", "similarity_shingle_chars")),
        "peer_similarity": Derived("Float64", "与其他单位同年同类报告的最高相似度（0–1，单位名称已屏蔽）",
                                   needs=("similarity_report_types", "similarity_shingle_chars")),
    },
    "site_columns": {
        "readable": Derived("bool", "栏目列表页已取得并读出"),
        "column_kind_name": Derived("string", "栏目类别的中文名称"),
        "update_period": Derived("string", "该类栏目应更新的周期（如 2周、6个月）", needs=("column_update_periods",)),
        "update_cutoff": Derived("datetime64[ns]", "审计日期减去更新周期：最新条目不晚于此日即为不更新",
                                 needs=("column_update_periods",)),
        "days_since_update": Derived("Int64", "最新条目距审计日期的天数", needs=("column_update_periods",)),
        "update_note": Derived("string", "更新情况的说明（最新条目日期与天数，或条目均无日期）",
                               needs=("column_update_periods",)),
        "update_state": Derived("string", "更新状态：current 正常 | stale 不更新 | dateless 条目无日期（视为不更新）"
                                          " | blank 空白 | not_required 无更新周期", needs=("column_update_periods",)),
    },
    "table3_wide": {
        "narrative_new_applications": Derived("Float64", "正文所述本年新收申请数",
                                              needs=("narrative_application_pattern",)),
    },
}
for _frame in ("sections", "table_cells", "table2_wide", "table3_wide", "table4_wide", "figures", "figure_groups",
               "site_columns", "unit_checks"):
    DERIVED.setdefault(_frame, {})
    for _name in CONTEXT_COLUMNS:
        DERIVED[_frame].setdefault(_name, Derived("string", f"所属文档的 {_name}"))


def base_columns() -> dict[str, dict[str, str]]:
    frames = {name: dict(columns) for name, columns in {**FRAMES, **AUDIT_FRAMES}.items()}
    frames["table2_wide"] = dict(WIDE_COLUMNS["二"])
    frames["table3_wide"] = dict(WIDE_COLUMNS["三"])
    frames["table4_wide"] = dict(WIDE_COLUMNS["四"])
    return frames


def frame_columns() -> dict[str, set[str]]:
    """Frame name -> every column name a rule may use on it."""
    out = {}
    for frame, columns in base_columns().items():
        derived = {n for n in DERIVED.get(frame, {}) if n not in columns}
        out[frame] = set(columns) | derived
    return out


def derived_needs(frame: str, column: str) -> tuple[str, ...]:
    base = base_columns().get(frame, {})
    if column in base:
        return ()
    spec = DERIVED.get(frame, {}).get(column)
    return spec.needs if spec else ()
