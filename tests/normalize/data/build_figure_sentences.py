"""Builds figure_sentences.jsonl: labelled "total and parts" sentences in the phrasings of real
reports (信息公开年报, 法治政府建设报告, 三公 notices, 12345 and 信访 bulletins), written by hand as
sentence frames and filled with numbers drawn so that the label is known by construction.

Each frame names its groups: which slot is the total, which slots are its parts, whether the list
is exhaustive; every other number in the frame is a decoy (another measure, a change, an
average, a share, an 另有 item, a status of counted items) and must not be summed.  A frame is
filled several times: clean (the arithmetic holds, must not be flagged) and, for frames with a
group, bent (parts above a plain total, or an exhaustive list that does not reach its total).
Run `python tests/normalize/data/build_figure_sentences.py` to rewrite the file; it is seeded and
deterministic.  The frames are not the demo portal's templates.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

# (frame, groups, money) — groups: [(total slot, [part slots], exhaustive)]; slots are {T},{A},{B}…
# Decoy slots start with x (counts of another measure or changes), p (percentages), y (years).
FRAMES: list[tuple[str, list[tuple[str, list[str], bool]], bool]] = [
    ("本年度共收到政府信息公开申请{T}件,其中自然人申请{A}件、法人或其他组织申请{B}件,另有上年结转申请{x1}件。",
     [("T", ["A", "B"], False)], False),
    ("{y}年,我局共受理政府信息公开申请{T}件,其中当面申请{A}件,网上申请{B}件,信函申请{C}件。",
     [("T", ["A", "B", "C"], False)], False),
    ("全年共办理依申请公开{T}件,其中予以公开{A}件,部分公开{B}件,无法提供{C}件,其他处理{D}件。",
     [("T", ["A", "B", "C", "D"], True)], False),
    ("全年主动公开政府信息{T}条,其中政府网站发布{A}条,政务微博发布{B}条,政务微信发布{C}条,浏览量达{x1}人次。",
     [("T", ["A", "B", "C"], False)], False),
    ("“三公”经费共计{T}万元,其中因公出国(境)费{A}万元,公务接待费{B}万元,公务用车购置及运行费{C}万元;"
     "公务用车购置及运行费中,购置费{C1}万元、运行维护费{C2}万元。",
     [("T", ["A", "B", "C"], False), ("C", ["C1", "C2"], False)], True),
    ("{y}年“三公”经费决算{T}万元,比上年减少{x1}万元,其中公务接待费{A}万元,比上年减少{x2}万元,"
     "公务用车运行维护费{B}万元。", [("T", ["A", "B"], False)], True),
    ("全年共救助困难群众{T}户,其中低保户{A}户,特困供养户{B}户;发放临时救助金{x1}万元,涉及{x2}户。",
     [("T", ["A", "B"], False)], False),
    ("12345热线共受理群众诉求{T}件,其中咨询类{A}件,投诉类{B}件,求助类{C}件,其他类{D}件,按期办结率{p1}%。",
     [("T", ["A", "B", "C", "D"], True)], False),
    ("本月共收到群众来信{T}件,其中直接答复{A}件,转办有效信件{B}件,已办结{x1}件,办结率{p1}%。",
     [("T", ["A", "B"], True)], False),
    ("全年共调解各类矛盾纠纷{T}起,调解成功{x1}起,其中婚姻家庭纠纷{A}起,邻里纠纷{B}起,合同纠纷{C}起。",
     [("T", ["A", "B", "C"], False)], False),
    ("共审查行政规范性文件和合同{T}件,其中行政规范性文件{A}件,其余为合同{B}件。",
     [("T", ["A", "B"], True)], False),
    ("全年共开展普法宣传活动{T}场次,分别为“宪法宣传周”活动{A}场次、民法典宣传{B}场次、"
     "“八五”普法讲座{C}场次,发放宣传资料{x1}份。", [("T", ["A", "B", "C"], True)], False),
    ("全县共有人民调解委员会{T}个,其中村(居)调委会{A}个,乡镇调委会{B}个,行业性专业性调委会{C}个。",
     [("T", ["A", "B", "C"], False)], False),
    ("本年度共办理行政复议案件{T}件(其中新收{A}件,上年结转{B}件),已审结{x1}件。",
     [("T", ["A", "B"], False)], False),
    ("在审结的{T}件行政复议案件中,维持{A}件,撤销{B}件,确认违法{C}件,驳回{D}件。",
     [("T", ["A", "B", "C", "D"], False)], False),
    ("共办理人大代表建议和政协提案{T}件,分别为人大代表建议{A}件、政协提案{B}件,满意率{p1}%。",
     [("T", ["A", "B"], True)], False),
    ("接待群众来访{T}批{T2}人次,其中集体访{A}批{A2}人次,个体访{B}批{B2}人次。",
     [("T", ["A", "B"], False), ("T2", ["A2", "B2"], False)], False),
    ("全年部门预算支出{T}万元,其中基本支出{A}万元,项目支出{B}万元,较上年增长{p1}%。",
     [("T", ["A", "B"], False)], True),
    ("政府采购预算{T}万元,其中货物类{A}万元,工程类{B}万元,服务类{C}万元,授予中小企业合同金额{x1}万元。",
     [("T", ["A", "B", "C"], False)], True),
    ("全年组织行政执法人员培训{T}人次,其中新任执法人员{A}人次,另有{x1}名执法人员参加法律职业资格考试。",
     [("T", ["A"], False)], False),
    ("共办理行政处罚案件{T}起,其中一般程序{A}起,简易程序{B}起,罚没款{x1}万元。",
     [("T", ["A", "B"], False)], False),
    ("全年共发布政策解读{T}篇,其中图解{A}篇,视频解读{B}篇;同时召开新闻发布会{x1}场。",
     [("T", ["A", "B"], False)], False),
    ("{y}年共召开政府常务会议{T}次,其中专题学法{A}次,审议议题{x1}项。",
     [("T", ["A"], False)], False),
    ("累计办理法律援助案件{T}件,其中民事案件{A}件,刑事案件{B}件,为农民工讨薪{x1}万元。",
     [("T", ["A", "B"], False)], False),
    ("本单位{y}年度总支出{T}万元,其中基本支出{A}万元,项目支出{B}万元,较上年度决算数增加{x1}万元。",
     [("T", ["A", "B"], False)], True),
    ("全年共受理网上申请{T}件,日均{x1}件,其中企业申请{A}件,个人申请{B}件。",
     [("T", ["A", "B"], False)], False),
    ("全年共聘请法律顾问{T}名,其中律师{A}名,高校专家{B}名,其他人员{C}名,审核合同{x1}份。",
     [("T", ["A", "B", "C"], True)], False),
    ("共有公务用车{T}辆,其中:一般公务用车{A}辆、执法执勤用车{B}辆、其他用车{C}辆。",
     [("T", ["A", "B", "C"], True)], False),
    ("共受理投诉举报{T}件。其中,产品质量类{A}件,占{p1}%;食品安全类{B}件,占{p2}%;其他类{C}件,占{p3}%。",
     [("T", ["A", "B", "C"], True)], False),
    ("全镇共创成民主法治村(社区){T}个,分别为国家级{A}个、省级{B}个、市级{C}个。",
     [("T", ["A", "B", "C"], True)], False),
    # no group: numbers that must not be paired
    ("全年办理行政许可{x1}件,行政处罚{x2}件,行政强制{x3}件,收费金额{x4}万元。", [], True),
    ("本年度主动公开规范性文件{x1}件,同比增长{p1}%,政策解读{x2}篇,回应关切{x3}次。", [], False),
    ("群众满意率{p1}%,按期办结率{p2}%,回访{x1}人次。", [], False),
    ("货物、工程、服务类采购金额分别为{x1}万元、{x2}万元和{x3}万元。", [], True),
    ("{y}年预算数比上年预算执行数减少{x1}万元,比上年预算数减少{x2}万元。", [], True),
    ("全县设立公共法律服务站{x1}个,配备村(居)法律顾问{x2}名,开展法治讲座{x3}场。", [], False),
]


def _count(r: random.Random, low: int = 1, high: int = 400) -> int:
    return r.randint(low, high)


def _money(r: random.Random) -> float:
    return round(r.uniform(0.5, 300), 2)


def _fill(frame: str, groups, money: bool, r: random.Random, bend: str | None) -> dict:
    values: dict[str, float] = {}
    num = (lambda: _money(r)) if money else (lambda: _count(r))
    for total, parts, exhaustive in reversed(groups):  # nested groups first: their totals are parts above
        for p in parts:
            values.setdefault(p, num())
        s = round(sum(values[p] for p in parts), 2)
        values[total] = s if exhaustive else round(s + (0 if r.random() < 0.4 else (num() if not money else _money(r))), 2)
    verdict = "consistent" if groups else "no_group"
    if bend and groups:
        total, parts, exhaustive = groups[0]
        delta = r.choice([1, 2, 3, 5, 10, 25]) if not money else round(r.uniform(0.5, 5), 2)
        if bend == "exceed" or not exhaustive:
            values[total] = round(sum(values[p] for p in parts) - delta, 2)
            if values[total] <= 0:
                values[parts[0]] += delta * 3
                values[total] = round(sum(values[p] for p in parts) - delta, 2)
            verdict = "parts_exceed_total"
        else:
            values[total] = round(sum(values[p] for p in parts) + delta, 2)
            verdict = "exhaustive_sum_mismatch"
    fmt: dict[str, str] = {}
    for slot in set(__import__("re").findall(r"\{(\w+)\}", frame)):
        if slot in values:
            v = values[slot]
            fmt[slot] = f"{v:.2f}" if money else str(int(round(v)))
        elif slot.startswith("p"):
            fmt[slot] = f"{r.uniform(60, 100):.1f}" if "增长" not in frame else f"{r.uniform(5, 180):.1f}"
        elif slot.startswith("y"):
            fmt[slot] = str(r.randint(2019, 2024))
        else:
            fmt[slot] = f"{_money(r):.2f}" if money and "万元" in frame.split("{" + slot + "}")[1][:2] else str(_count(r))
    sentence = frame.format(**fmt)
    labelled = [{"total": float(fmt[t]), "parts": [float(fmt[p]) for p in ps], "exhaustive": ex,
                 "nested_in": next((i for i, (_, ps2, _) in enumerate(groups) if t in ps2), None)}
                for t, ps, ex in groups]
    return {"sentence": sentence, "groups": labelled, "verdict": verdict}


def build(seed: int = 20261129) -> list[dict]:
    r = random.Random(seed)
    rows: list[dict] = []
    for i, (frame, groups, money) in enumerate(FRAMES):
        plans = [None] * 6 + (["exceed", "exceed", "short"] if groups else [None, None, None])
        if groups and not groups[0][2]:
            plans[-1] = "exceed"
        for k, bend in enumerate(plans):
            row = _fill(frame, groups, money, r, bend)
            rows.append({"id": f"fg{i:02d}-{k}", "frame": i, **row})
    return rows


if __name__ == "__main__":
    out = Path(__file__).with_name("figure_sentences.jsonl")
    rows = build()
    out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    print(f"{len(rows)} sentences → {out}")
