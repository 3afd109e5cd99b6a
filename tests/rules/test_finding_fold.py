"""One finding per (document, rule): failing rows of one document are folded into one finding.

A report with several 共…其中… sentences that do not add up fails FIG-1 once per sentence; the
supervisor gets one finding for the page, listing the first sentences and how many there are,
with the page's evidence and a key that stays the same from one run to the next.
"""
from __future__ import annotations

import dataclasses

from audits.rules import validate
from audits.rules.findings import MAX_LISTED
from audits.rules.loader import load_rules
from rules_frames import document, frames

FULL = load_rules("expectations")
FIGURES = dataclasses.replace(FULL, suites=[s for s in FULL.suites if s.frame == "figure_groups"])


def _group(doc: dict, number: int, total: float, parts: float) -> dict:
    return dict(doc_id=doc["doc_id"], url=doc["url"], crawl_id=1, group_id=number, total=total, parts_sum=parts,
                n_parts=2, complete=False, approx=False, sentence=f"第{number}句：共{total:g}件，其中…",
                tolerance=0.0, excess=max(parts - total, 0.0))


def test_several_failing_rows_of_a_document_become_one_finding_listing_them():
    many, one, clean = (document(n, report_type="xxgk_annual", unit=u)
                        for n, u in ((1, "濮院镇"), (2, "崇福镇"), (3, "洲泉镇")))
    groups = [_group(many, k, 10.0, 10.0 + k) for k in range(1, MAX_LISTED + 3)]  # 7 failing sentences
    groups += [_group(many, 99, 10.0, 8.0), _group(one, 1, 5.0, 6.0), _group(clean, 1, 5.0, 5.0)]
    result = validate.run_rules(frames(documents=[many, one, clean], figure_groups=groups), pack=FIGURES)
    fig1 = result.findings[result.findings["rule_id"] == "FIG-1"]
    assert list(fig1["url"]) == [many["url"], one["url"]]  # one each, in url order; none for the clean page
    folded = fig1.iloc[0]
    listed = folded["message"].split("；")
    assert [m.split("：")[0] for m in listed[:MAX_LISTED]] == [f"“第{k}句" for k in range(1, MAX_LISTED + 1)]
    assert listed[-1] == f"…（共 {MAX_LISTED + 2} 处）"
    assert folded["observed"].split("；")[:3] == ["1", "2", "3"]
    assert (folded["site"], folded["unit"], folded["doc_id"], folded["title"]) == ("demo", "濮院镇", "d1", "文件1")
    assert folded["finding_key"] == "demo|d1|FIG-1" and folded["kind"] == "failure"
    single = fig1.iloc[1]
    assert "；" not in single["message"] and single["observed"] == "1" and single["unit"] == "崇福镇"
    stats = result.rule_stats.set_index("rule_id")
    assert stats.loc["FIG-1", "failed"] == MAX_LISTED + 3  # rows, not findings: 7 + 1
