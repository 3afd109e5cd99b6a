"""Phrasing styles of the demo portal: the same documents and defects, written by other hands.

The default portal (style None) is what the rules were written against, and stays byte for byte
what it was.  A style seed picks, for every slot the generator fills, two or three phrasings out
of at least five real-world ones: section headings and their numbering, 其中 sentences (nested
breakdowns, 另有 items, clauses of another measure, statuses of counted items, semicolon lists),
分别 / 其他 lists, percentages (with growth above 100%), 三公 money breakdowns, metadata labels,
the publication-date line and the 文号 line of numbered documents.  Every phrasing keeps the
document's ground truth: a clean sentence is consistent when read as a careful reader reads it,
and a defect flag bends exactly the property its rule checks.  `make eval` crawls styled portals
and measures the rules against the manifest (bench/detection_eval.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from random import Random

NUMBERINGS = ("{n}、", "{n}.", "{n}．", "第{n}部分 ", "")  # "" = bold paragraph without numeral
S1 = ("{Y}年推进法治政府建设的主要举措和成效", "{Y}年度法治政府建设主要做法和成效", "主要工作及成效",
      "{Y}年法治政府建设工作开展情况", "坚持党的领导,统筹推进法治政府建设", "{Y}年以来法治政府建设取得的主要成效")
S2 = ("{Y}年度法治政府建设中存在的问题及原因分析", "{Y}年推进法治政府建设存在的短板和原因",
      "{Y}年度工作中存在的不足及原因", "{Y}年法治政府建设存在的主要问题和原因",
      "{Y}年度推进法治政府建设面临的困难、问题及原因")
# (heading, opening sentence): an unusual heading whose section opens on the 第一责任人 duty.
S3 = (("党政主要负责人履行推进法治建设第一责任人职责情况", ""),
      ("{Y}年度主要负责人履行法治建设第一责任人职责情况", ""),
      ("党政主要负责同志履行法治建设第一责任人职责,加强法治政府建设情况", ""),
      ("强化组织领导,压实法治建设责任", "{party}主要负责同志认真履行推进法治建设第一责任人职责,带头尊法学法守法用法。"),
      ("落实法治建设第一责任人职责情况", ""))
S4 = ("{Y1}年法治政府建设工作思路", "{Y1}年主要工作安排", "{Y1}年度推进法治政府建设的重点任务和安排",
      "{Y1}年推进法治政府建设的工作打算", "{Y1}年度法治政府建设工作计划")
LABELS = (("信息索引号", "发文机关", "公开形式", "成文日期", "主题分类", "发文字号"),
          ("索取号", "发布机关", "公开属性", "生成日期", "分类", "文号"),
          ("索引号", "制发机构", "公开方式", "印发日期", "主题分类", "发文文号"),
          ("信息索引号", "发文单位", "公开形式", "产生日期", "组配分类", "文号"),
          ("索引号", "发布机构", "公开方式", "成文日期", "组配分类", "文件编号"))
DATE_LINES = ("发布时间:{d:%Y-%m-%d %H:%M}", "发布日期:{d.year}年{d.month}月{d.day}日", "发布时间：{d:%Y/%m/%d}",
              "日期:{d:%Y-%m-%d}", "发布时间:{d:%Y.%m.%d %H:%M:%S}")
DOC_NO_LINES = ("{no}", "", "{no}", "", "{no}")  # alone on the first line, or not printed in the body
SLOTS = {"numbering": NUMBERINGS, "s1": S1, "s2": S2, "s3": S3, "s4": S4, "labels": LABELS,
         "date_line": DATE_LINES, "doc_no_line": DOC_NO_LINES, "qizhong": range(6), "fenbie": range(5),
         "percent": range(5), "money": range(5)}


@dataclass(frozen=True)
class Style:
    """The phrasings one style seed allows per slot (indexes into the slot's pool)."""

    seed: int
    choices: dict

    def pick(self, r: Random, slot: str):
        pool = SLOTS[slot]
        return pool[r.choice(self.choices[slot])]


def style_for(seed: int | None) -> Style | None:
    """None (the default portal) for seed None or 0; otherwise a subset of every slot's pool."""
    if not seed:
        return None
    r = Random(f"style:{seed}")
    choices = {slot: sorted(r.sample(range(len(pool)), min(len(pool), r.randint(2, 3))))
               for slot, pool in SLOTS.items()}
    return Style(seed, choices)
