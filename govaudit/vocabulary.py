"""Words that the site configs, the crawler, the store and the rules must spell the same way.

A unit's level decides its deadlines (条例第四十九条 gives departments 31 January and 县级以上
governments 31 March), so it is checked where a site config is read and used where a rule applies.
"""
from __future__ import annotations

UNIT_LEVELS = ("township", "subdistrict", "county_gov", "department")
FINDING_KINDS = ("failure", "could_not_check")
SEVERITIES = ("critical", "warning", "info")

# Kinds of site column, by how often the 国办 spot check (国办秘函〔2019〕19号) expects them updated.
COLUMN_KINDS = ("news", "notices", "personnel", "other")
COLUMN_KIND_NAMES = {"news": "动态、要闻类", "notices": "通知公告、政策文件类", "personnel": "人事、规划计划类",
                     "other": "其他栏目"}
