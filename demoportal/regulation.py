"""The deadlines of the regulations, as the demo generator places its documents against them.

These are written from the regulations themselves, not read from expectations/: the demo is the
ground truth the rules are measured against, so a wrong rule setting must disagree with it.
tests/rules/test_regulation_deadlines.py compares both sides with the regulation table.
Month-days are the LAST VALID DAY (published on it: on time; the day after: late).
"""
from __future__ import annotations

# 《法治政府建设与责任落实督察工作规定》（厅字〔2019〕28号）第二十四条: "每年4月1日之前" the previous
# year's 法治政府建设年度报告 is made public, by every level: the last valid day is 3月31日.
FAZHI_LAST_DAY = (3, 31)
# 第二十五条: the report covers the previous year, so it cannot appear before that year's last day.
FAZHI_EARLIEST_DAY = (12, 31)  # of the report year itself

# 《中华人民共和国政府信息公开条例》（国务院令第711号）第四十九条: 县级以上人民政府部门 "每年1月31日前",
# 县级以上地方人民政府 (本级政府 report) "每年3月31日前". 乡镇/街道 are not named there: the
# 2007 regime's 3月31日 stays the hard limit, and most county notices ask them for 1月31日 (a warning).
XXGK_LAST_DAY = {"department": (1, 31), "county_gov": (3, 31), "township": (3, 31), "subdistrict": (3, 31)}
XXGK_LOCAL_LEVELS = ("township", "subdistrict")
XXGK_LOCAL_WARN_DAY = (1, 31)

# 条例 第二十六条: "自该政府信息形成或者变更之日起20个工作日内及时公开" (official working days, 调休 included).
ROUTINE_MAX_WORKDAYS = 20

# Not a regulation's value but arithmetic: a share (率, 出庭应诉率, 审查率) cannot exceed 100 %.
PERCENT_MAX = 100.0
