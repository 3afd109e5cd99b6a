"""The clause-scoped figure grammar, one phenomenon per row: what a total's parts are, where they
stop, which lists are exhaustive, and the verdict the FIG rules will give.  Rows are written in
the phrasing of real reports (三公 notices, 12345 bulletins, 信息公开年报), not the demo portal's."""
from __future__ import annotations

import pytest

from audits.normalize.figure_groups import find_figures


def _groups(text: str) -> list[tuple[float, list[float], bool]]:
    return [(g.total.value, [p.value for p in g.parts], g.complete) for g in find_figures(text)[1]]


def _verdicts(text: str) -> list[str]:
    return [g.verdict() for g in find_figures(text)[1]]


@pytest.mark.parametrize("text, expected", [
    # nested breakdown: "X中，a、b" opens a group of X, and X's own list stops at the clause end
    ("三公经费共计50万元,其中因公出国(境)费0万元,公务接待费10万元,公务用车购置及运行费40万元;"
     "公务用车购置及运行费中,购置费25万元、运行维护费15万元。",
     [(50, [0, 10, 40], False), (40, [25, 15], False)]),
    # a later clause with its own measure is not a part
    ("全年共救助困难群众120户,其中低保户80户,特困户30户;发放临时救助金36.5万元,涉及45户。",
     [(120, [80, 30], False)]),
    # 另有 items stand outside the total
    ("本年度共收到政府信息公开申请12件,其中自然人申请8件、法人或其他组织申请4件,另有上年结转申请3件。",
     [(12, [8, 4], False)]),
    # a status of items already counted (已办结) is not a further kind
    ("共收到群众来信1563件,其中直接答复430件,受理转办有效信件1133件,已办结1121件,办结率98.94%。",
     [(1563, [430, 1133], False)]),
    # a list ending in 其他 is exhaustive
    ("共受理申请20件,其中予以公开12件,部分公开3件,其他处理5件。", [(20, [12, 3, 5], True)]),
    # 分别为 after a stated total is exhaustive; without a total it is no group
    ("全年共开展法治培训9场,分别为领导干部培训2场、执法人员培训3场、村干部培训4场。", [(9, [2, 3, 4], True)]),
    ("货物、工程、服务类采购分别为3件、2件和1件。", []),
    # changes and shares inside the list are skipped, money converts between 元 and 万元
    ("决算总额2771万元,其中因公出国(境)经费120万元,比上年增长79.1%,公务接待费1033万元,比上年减少86万元,"
     "公务用车购置及运行费1618万元。", [(2771, [120, 1033, 1618], False)]),
    # the nearest count before 其中 is a part of the 包括 group: the total is that group's total
    ("共完成依申请公开答复1453件,包括上年结转申请30件。其中,予以公开966件,其他处理487件。",
     [(1453, [30], False), (1453, [966, 487], True)]),
    # a bracketed list stays inside its bracket
    ("共接收建议提案31件(其中承办27件,协办4件),全部按时办结。", [(31, [27, 4], False)]),
    # semicolon list of one item per clause, ending in 其它: exhaustive across "；"
    ("共受理诉求1000件。其中,咨询类600件,占60%;求助类300件,占30%;其它类100件,占10%。",
     [(1000, [600, 300, 100], True)]),
    # "N件中" opens a group
    ("在立案办复的145件提案中,已经得到解决的有132件,占提案总数的91%。", [(145, [132], False)]),
    # paired measures: both totals get their groups
    ("接待来访6批16人,其中个体访5批5人,集体访1批11人。", [(6, [5, 1], False), (16, [5, 11], False)]),
])
def test_group_structure(text, expected):
    assert _groups(text) == expected


@pytest.mark.parametrize("text, verdicts", [
    # rows that must fail
    ("共发布信息382条,其中微信公众号2443条,网站35条。", ["parts_exceed_total"]),
    ("共受理申请20件,其中予以公开12件,其余处理5件。", ["exhaustive_sum_mismatch"]),
    ("共创建示范村10个,分别为国家级1个、省级3个、市级4个。", ["exhaustive_sum_mismatch"]),
    ("三公经费22.62万元,其中公务接待费20.10万元,公务用车运行维护费3.52万元。", ["parts_exceed_total"]),
    # rows that must pass
    ("三公经费22.62万元,其中公务接待费20.10万元,公务用车运行维护费2.53万元。", ["consistent"]),  # rounding
    ("共办理案件244起,其中一般程序案件217起,简易程序27起,共涉及11个类型。", ["consistent"]),
    ("共收到申请10件,其中网上申请6件。", ["consistent"]),
    ("共化解纠纷四十余起,其中邻里纠纷30起,家庭纠纷20起。", ["not_checked"]),  # hedged total
])
def test_verdicts(text, verdicts):
    assert _verdicts(text) == verdicts


@pytest.mark.parametrize("text, kind", [
    ("办结率98.5%", "rate"), ("群众满意率达100%", "rate"), ("占受理总数的7.28%", "share"),
    ("同比增长128.78%", "change"), ("较上年提高150%", "change"), ("比上年下降5.86%", "change"),
    ("预算完成率112%", "other"),
])
def test_percent_kinds(text, kind):
    (figure,), _ = find_figures(text)
    assert figure.pct_kind == kind
