"""Column contracts of the frames that normalisation produces and the rules read.

The rule files in `expectations/` name these columns; the strict rule loader checks every
column a rule names against this module, so a typo in a rule file is an error at load time
rather than a rule that silently evaluates nothing. Keep the lists in step with
`audits.normalize`.
"""
from __future__ import annotations

from govaudit.vocabulary import SEVERITIES, UNIT_LEVELS  # noqa: F401  (part of the frame contract)

# One row per crawled detail page (and per catalog page that could not be read).
DOCUMENT_COLUMNS: dict[str, str] = {
    "doc_id": "string",  # stable id of the document within its site: the article id of the URL, else the URL
    "url": "string",
    "site": "string",
    "host": "string",
    "unit": "string",
    "unit_level": "string",  # township | subdistrict | county_gov | department
    "crawl_id": "Int64",
    "kind": "string",  # detail | catalog
    "title": "string",
    "list_title": "string",
    "list_date": "datetime64[ns]",
    "index_no": "string",  # 索引号
    "publisher": "string",  # 发布机构 / 发文机关
    "disclosure_mode": "string",  # 公开方式
    "issued_date": "datetime64[ns]",  # 发文日期 / 成文日期 / 生成日期
    "category": "string",  # 组配分类 / 主题分类
    "doc_no": "string",  # 文件编号 / 文号 / 发文字号
    "validity": "string",  # 有效性 (有效 / 失效 / 废止), printed by TRS and gov.cn templates
    "published_at": "datetime64[ns]",  # 发布时间 / 发布日期 (else <meta PubDate>, else list date)
    "published_from": "string",  # label | page_text | meta_tag | list_date | issued_date | <NA>
    "issued_date_malformed": "string",  # the 发文日期 as printed when it is no date (2023-02-29, 2023-02); <NA> else
    "published_malformed": "string",  # the 发布日期 as printed when it is no date; <NA> else
    "source": "string",  # 来源 / 信息来源
    "report_type": "string",  # fazhi_annual | xxgk_annual | budget | final_accounts | routine | other
    "report_year": "Int64",  # the title's year, unless the body's opening and headings agree on another
    "title_year": "Int64",  # the year named in the title
    "doc_no_shown": "string",  # a 文号 printed in the title or the first lines of the body (<NA> when none)
    "approval_date": "datetime64[ns]",  # budget/final accounts: the 批复/批准 date the body states (<NA> when none)
    "opening_year": "Int64",  # annual reports: the year the opening sentence reports on (COPY-3 when stale)
    "table_template": "string",  # 2019 | 2021 | <NA>  (xxgk_annual only)
    "body_length": "Int64",
    "content_hash": "string",  # sha256 of the normalised body text
    "http_status": "Int64",
    "fetched_at": "datetime64[ns, UTC]",
    "attachment_count": "Int64",
    "broken_attachments": "Int64",  # attachment links that answered non-2xx (<NA> when not checked)
    "fetch_error": "string",  # why the page could not be fetched (<NA> when it was)
    "body_source": "string",  # html | pdf | docx | doc | xlsx | xls: where the report text was read
    "attachment_problem": "string",  # the report is an attachment that could not be read: why (<NA> otherwise)
    "parse_problems": "string",  # '; '-joined reasons a field could not be read (<NA> when none)
    # Entries of the wording lists (expectations/wording.yml) found in the title or body, as
    # "written→correct（where）" joined by '; ' ('' when none; <NA> when the page has no text).
    "serious_wording": "string",
    "wording_typos": "string",
}

# One row per top-level section heading, plus one row per required kind found only inside
# another section's text (standalone = False).
SECTION_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "url": "string",
    "crawl_id": "Int64",
    "ordinal": "Int64",  # 1-based position of the heading; <NA> for folded rows
    "numeral": "string",  # 一 / 二 / ... as printed
    "heading": "string",
    "start": "Int64",  # character offsets in body_text
    "end": "Int64",
    "kind": "string",  # a key of the section keyword sets (e.g. fz_first_responsible), <NA> when none
    "standalone": "boolean",
    "years": "string",  # comma-separated 4-digit years named in the heading
    "text_years": "string",  # years named in the section's heading and text, plus "next" for 明年/新的一年
}

# Long form of the 信息公开 annual-report tables 二, 三, 四.
TABLE_CELL_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "url": "string",
    "crawl_id": "Int64",
    "table": "string",  # 二 | 三 | 四
    "row_key": "string",
    "row_label": "string",
    "col_key": "string",
    "col_label": "string",
    "value": "Float64",  # "/" and blanks are <NA>, never 0
    "raw": "string",
}

# Every number in a body.
FIGURE_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "url": "string",
    "crawl_id": "Int64",
    "figure_id": "Int64",
    "value": "Float64",
    "unit": "string",  # 起 件 人 人次 份 次 户 家 个 名 条 万元 元 %
    "approx": "boolean",  # 余 多 近 约
    "raw": "string",
    "sentence": "string",
    "group_id": "Int64",  # part/total group this figure belongs to (<NA> when none)
    "role": "string",  # total | part | <NA>
    "noun": "string",  # the words naming the number, back to the previous punctuation
    "excluded": "string",  # change | average: not a count of the thing named (<NA> otherwise)
    "pct_kind": "string",  # percentages: rate | share (must lie in 0–100) | change | other (may exceed 100)
}

# One row per 共…其中… / 分别 group.
FIGURE_GROUP_COLUMNS: dict[str, str] = {
    "doc_id": "string",
    "url": "string",
    "crawl_id": "Int64",
    "group_id": "Int64",
    "total": "Float64",
    "parts_sum": "Float64",
    "n_parts": "Int64",
    "complete": "boolean",  # exhaustive: the parts claim to be the whole (分别为 after a total, last part 其他/其余)
    "unit": "string",
    "approx": "boolean",
    "sentence": "string",
    "marker": "string",  # 其中 | 包括 | 分别为 | 中 ("X中，a、b")
    "nested_in": "Int64",  # group whose part is this group's total (<NA> when none)
    "tolerance": "Float64",  # rounding allowed between total and parts_sum (money: 0.01 per part)
    "excess": "Float64",  # parts_sum − total, 0 when within tolerance, <NA> when in doubt
    "doubt": "string",  # why the group cannot be checked without doubt (<NA> when it can)
}

# One row per site column named in the site config (工作动态, 通知公告…): its first listing page.
SITE_COLUMN_COLUMNS: dict[str, str] = {
    "site": "string",
    "unit": "string",
    "unit_level": "string",
    "crawl_id": "Int64",
    "url": "string",  # the column's listing page
    "column_name": "string",
    "column_kind": "string",  # news | notices | personnel | other
    "kind_source": "string",  # 站点配置, or the keyword of the name the kind was inferred from
    "item_count": "Int64",  # entries listed (<NA> when the listing could not be read)
    "dated_count": "Int64",  # entries with a readable date
    "newest_date": "datetime64[ns]",
    "burst_date": "datetime64[ns]",  # the day with the most entries
    "burst_count": "Int64",
    "burst_gap_days": "Int64",  # days since the entry before that day (<NA> when none before)
    "fetch_error": "string",
    "fetched_at": "datetime64[ns, UTC]",
}

# One row per unit: the spot check's single-veto indicators (built by the audit from
# site_columns and the availability probes, on the audit date).
UNIT_CHECK_COLUMNS: dict[str, str] = {
    "site": "string",
    "unit": "string",
    "unit_level": "string",
    "crawl_id": "Int64",
    "url": "string",  # the unit's place in the report (its site's home, #unit)
    "columns_listed": "Int64",  # site columns in the config
    "columns_unreadable": "Int64",
    "stale_news_notices": "Int64",  # 动态要闻 + 通知公告/政策文件 columns not updated in their period
    "stale_columns": "Int64",  # every column not updated in its period
    "blank_columns": "Int64",
    "stale_list": "string",  # the stale columns with their newest dates
    "blank_list": "string",
    "probe_attempts": "Int64",  # availability probes of the unit's pages in the 7 days before the audit
    "probe_failures": "Int64",  # of them: timeouts and errors
    "probe_failure_share": "Float64",  # failures / attempts (<NA> without attempts)
    "probe_window": "string",  # the days the attempts cover
}

# One row per failing (document, rule), or per page/unit that could not be checked.
FINDING_COLUMNS: dict[str, str] = {
    "finding_key": "string",  # stable identity across runs: site|doc_id-or-url|rule_id
    "site": "string",
    "unit": "string",
    "doc_id": "string",
    "url": "string",
    "title": "string",
    "crawl_id": "Int64",
    "rule_id": "string",
    "suite": "string",
    "kind": "string",  # failure | could_not_check
    "severity": "string",  # critical | warning | info
    "rule_title": "string",
    "message": "string",
    "observed": "string",
    "expected": "string",
    "basis": "string",
    "fix": "string",
    "content_hash": "string",
    "fetched_at": "string",
    "body_source": "string",  # where the document's report text was read (html, pdf, docx, …)
}

FRAMES: dict[str, dict[str, str]] = {
    "documents": DOCUMENT_COLUMNS,
    "sections": SECTION_COLUMNS,
    "table_cells": TABLE_CELL_COLUMNS,
    "figures": FIGURE_COLUMNS,
    "figure_groups": FIGURE_GROUP_COLUMNS,
    "site_columns": SITE_COLUMN_COLUMNS,
}

# Frames the audit builds on the audit date from the normaliser's frames and the store (not
# from pages): rules name their columns like any other frame's.
AUDIT_FRAMES: dict[str, dict[str, str]] = {
    "unit_checks": UNIT_CHECK_COLUMNS,
}

REPORT_TYPES = ("fazhi_annual", "xxgk_annual", "budget", "final_accounts", "routine", "other")

# The Chinese name of every contract column, for the rule-file reference (expectations/README.md,
# generated by `python -m audits.rules.reference`) and for readers of the CSV exports.
COLUMN_NAMES_ZH: dict[str, str] = {
    "doc_id": "文档编号（URL 中的文章号）", "url": "页面地址", "site": "站点", "host": "主机名", "unit": "单位",
    "unit_level": "单位层级", "crawl_id": "抓取批次", "kind": "页面类型（详情/目录）", "title": "标题",
    "list_title": "目录中的标题", "list_date": "目录中的日期", "index_no": "索引号", "publisher": "发布机构",
    "disclosure_mode": "公开方式", "issued_date": "发文日期（成文日期、生成日期）", "category": "组配分类（主题分类）",
    "doc_no": "文件编号（文号、发文字号）", "validity": "有效性", "published_at": "发布时间", "published_from": "发布时间的来源",
    "source": "信息来源", "report_type": "报告类型", "report_year": "报告年度", "title_year": "标题中的年份",
    "table_template": "年报表格模板（2019/2021）", "body_length": "正文字数", "content_hash": "正文指纹",
    "http_status": "HTTP 状态码", "fetched_at": "抓取时间", "attachment_count": "附件数",
    "broken_attachments": "无法打开的附件数", "fetch_error": "抓取失败原因",
    "body_source": "正文来源（网页/PDF/Word/Excel 附件）", "attachment_problem": "报告附件无法读取的原因",
    "parse_problems": "无法读取的字段及原因",
    "ordinal": "章节序号", "numeral": "章节编号（一、二……）", "heading": "章节标题", "start": "章节起始位置",
    "end": "章节结束位置", "standalone": "有独立标题", "years": "标题中的年份", "table": "表（二/三/四）",
    "row_key": "行键", "row_label": "行名", "col_key": "列键", "col_label": "列名", "value": "数值",
    "raw": "原文", "figure_id": "数字编号", "approx": "约数（余、多、近、约）", "sentence": "所在句子",
    "group_id": "总分组编号", "role": "角色（总数/分项）", "total": "总数", "parts_sum": "分项之和",
    "n_parts": "分项个数", "complete": "分项穷尽总数（分别为、其他）", "template": "表格模板",
    "issued_date_malformed": "发文日期原文（不是有效日期时）", "published_malformed": "发布日期原文（不是有效日期时）",
    "doc_no_shown": "标题或正文开头印有的文号", "approval_date": "正文所述批复（批准）日期",
    "opening_year": "正文开头所述年度", "text_years": "章节标题和正文中的年份（明年记为 next）",
    "noun": "数字前的名称", "excluded": "不计入分项的原因（变化量/平均数）",
    "pct_kind": "百分比类型（比率/占比/变化/其他）", "marker": "分项标志词（其中/包括/分别为/中）",
    "nested_in": "所属上级总分组", "tolerance": "允许的舍入误差", "excess": "分项之和减总数（误差内为0）",
    "doubt": "无法确定读法的原因",
    "serious_wording": "严重表述错误（写法→正确写法）", "wording_typos": "常见错别字（写法→正确写法）",
    "column_name": "栏目名称", "column_kind": "栏目类别（动态要闻/通知公告/人事规划/其他）",
    "kind_source": "栏目类别的依据", "item_count": "栏目条目数", "dated_count": "注明日期的条目数",
    "newest_date": "最新条目日期", "burst_date": "单日发布最多的日期", "burst_count": "该日发布条数",
    "burst_gap_days": "该日之前的空窗天数", "columns_listed": "配置的栏目数", "columns_unreadable": "无法读取的栏目数",
    "stale_news_notices": "不更新的动态要闻、通知公告类栏目数", "stale_columns": "不更新的栏目数",
    "blank_columns": "空白栏目数", "stale_list": "不更新栏目清单", "blank_list": "空白栏目清单",
    "probe_attempts": "可用性探测次数", "probe_failures": "探测失败（超时、错误）次数",
    "probe_failure_share": "探测失败比例", "probe_window": "探测时间范围",
}
