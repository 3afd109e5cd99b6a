"""The digest's one line on the 国办 spot check: which units would fail a single-veto indicator
of 国办秘函〔2019〕19号 today, and why, in the recipient's units only.

Kept apart from `digest.py` so the digest's layout can change without touching it; the
indicator names follow the report's box (audits/report/spotcheck_box.py).
"""
from __future__ import annotations

import pandas as pd

VETO_RULES = {"VETO-COL-A": "columns", "VETO-COL-B": "columns", "VETO-COL-C": "blank", "VETO-AVAIL": "unreachable",
              "WORDING-1": "wording"}
NAMES = {
    "zh": {"columns": "栏目不更新", "blank": "空白栏目", "unreachable": "站点无法访问", "wording": "严重表述错误",
           "title": "国办抽查单项否决风险", "none": "无", "sep": "、", "join": "；"},
    "en": {"columns": "columns not updated", "blank": "blank columns", "unreachable": "site unreachable",
           "wording": "serious wording errors", "title": "State Council spot check, single-veto risks",
           "none": "none", "sep": ", ", "join": "; "},
}


def spotcheck_risks(failures: pd.DataFrame, lang: str) -> dict[str, object]:
    """{"title", "text", "units"}: e.g. 石门镇（栏目不更新）；桐乡市司法局（严重表述错误 2 处）."""
    names = NAMES[lang]
    vetoes = failures[failures["rule_id"].isin(VETO_RULES)]
    parts = []
    for unit, rows in vetoes.groupby("unit", sort=True):
        kinds = rows["rule_id"].map(VETO_RULES)
        shown = []
        for kind in dict.fromkeys(kinds):
            n = int((kinds == kind).sum())
            count = f" {n}" + (" 处" if lang == "zh" else "") if kind == "wording" and n > 1 else ""
            shown.append(names[kind] + count)
        listed = names["sep"].join(shown)
        parts.append(f"{unit}（{listed}）" if lang == "zh" else f"{unit} ({listed})")
    return {"title": names["title"], "text": names["join"].join(parts) or names["none"], "units": len(parts)}
