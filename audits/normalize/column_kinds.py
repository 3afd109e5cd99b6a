"""The kind of a site column, from the site config or, failing that, from the column's name.

The 国办 spot check (国办秘函〔2019〕19号) expects 动态、要闻 columns updated every two weeks,
通知公告、政策文件 columns every six months, and the 普查 names 人事、规划计划 columns as having a
defined frequency. Column names on real portals are short and formulaic (工作动态, 乡镇动态,
通知公告, 政策文件, 人事信息, 规划计划), so a keyword decides; the keyword is kept as the
inference's evidence (`kind_source` = "名称含「动态」") so a reader can see why and correct it
in the site config. Order matters: 规划计划 before 通知/计划-free names, 政策解读 is not a 政策文件.
"""
from __future__ import annotations

# (kind, keywords) in the order they are tried; the first keyword found in the name decides.
KIND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("other", ("政策解读", "解读", "互动", "咨询", "信箱", "专题", "办事", "服务")),
    ("personnel", ("人事", "任免", "干部任前", "规划计划", "规划", "计划")),
    ("notices", ("通知公告", "公示公告", "通知", "公告", "公示", "政策文件", "规范性文件", "文件")),
    ("news", ("动态", "要闻", "新闻", "资讯", "快讯", "简报")),
)


def infer_kind(name: str, configured: str | None) -> tuple[str, str]:
    """(kind, how it was decided): the configured kind, else the first keyword of the name."""
    if configured:
        return configured, "站点配置"
    for kind, keywords in KIND_KEYWORDS:
        for word in keywords:
            if word in name:
                return kind, f"名称含「{word}」"
    return "other", "名称无类别关键词"
