"""Tables 二, 三 and 四 of a 政府信息公开工作年度报告: numbers and HTML.

Labels are those of regulations.md B4–B6 (2021 format for report years ≥ 2021, the 2019
试行 format before). Numbers come from a generator keyed on (seed, unit, year), not on the
document, so year Y's 上年结转 equals year Y−1's 结转下年度继续办理 (I3-5) and tests can
recompute the tables without rendering a page. Clean tables satisfy I3-1..I3-3 and I4-1;
a defect flag breaks exactly one identity and keeps the others.

HTML follows real report markup: merged header cells (rowspan/colspan), then in every data
row the label cells followed by the numeric cells (7 in table 三, 15 in one row of 四).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from random import Random

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
DENY = ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")
UNABLE = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
REJECT = ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
          "5.要求行政机关确认或重新出具已获取信息")
OTHER = ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")
T3_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
T4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def outcome_keys(template: str) -> list[str]:
    keys = ["open", "partial"] + [f"deny{i}" for i in range(1, 9)] + [f"unable{i}" for i in range(1, 4)]
    keys += [f"reject{i}" for i in range(1, 6)]
    keys += [f"other{i}" for i in range(1, 4)] if template == "2021" else ["other"]
    return keys


@dataclass
class XxgkTables:
    template: str  # 2021 | 2019
    t2: list[tuple[str, list[str]]]  # (label, cells) rows of table 二, blocks marked by "§" labels
    t3: dict[str, list[int]]  # row key -> 7 values (six applicant columns + 总计)
    t4: list[int]  # 15 values
    narrative_count: int  # "本年度共收到政府信息公开申请N件"


def carry_out(seed: int, unit_name: str, year: int) -> list[int]:
    """Applications carried into year+1 (six applicant columns)."""
    r = Random(f"{seed}:carry:{unit_name}:{year}")
    return [r.choice((0, 0, 0, 1, 2)), r.choice((0, 0, 0, 0, 1)), 0, 0, 0, 0]


def _scale(level: str) -> tuple[int, int]:
    return {"county_gov": (20, 80), "department": (4, 30)}.get(level, (0, 12))


def _table3(r: Random, seed: int, unit, year: int, template: str, need_some: bool) -> dict[str, list[int]]:
    lo, hi = _scale(unit.level)
    carried = carry_out(seed, unit.name, year - 1)
    nxt = carry_out(seed, unit.name, year)
    base = [r.randint(lo, hi), r.randint(0, hi // 6), r.choice((0, 0, 1)), r.choice((0, 0, 1)),
            r.choice((0, 0, 0, 1)), r.choice((0, 0, 1, 2))]
    if need_some and base[0] < 3:
        base[0] = 3
    new = [b + n for b, n in zip(base, nxt)]  # never fewer new than carried out
    keys = outcome_keys(template)
    weights = {"open": 8, "partial": 2, "unable1": 3, "unable2": 1, "deny4": 1, "deny6": 1, "reject1": 1,
               "reject2": 1, "other1": 1, "other3": 1, "other": 1}
    rows = {k: [0] * 6 for k in keys}
    for c in range(6):
        for _ in range(new[c] + carried[c] - nxt[c]):
            key = r.choices(keys, weights=[weights.get(k, 0.05) for k in keys])[0]
            rows[key][c] += 1
    table = {"new": new, "carried": carried, **rows,
             "total": [sum(rows[k][c] for k in keys) for c in range(6)], "next": nxt}
    return {k: v + [sum(v)] for k, v in table.items()}


def _break_table3(t3: dict[str, list[int]], template: str, rule: str) -> None:
    """Bend one identity of table 三, keeping the other two (see module docstring)."""
    if rule == "I3-1":  # 结转下年 off by one: columns no longer balance, rows still add up
        t3["next"][0] += 1
        t3["next"][6] += 1
    elif rule == "I3-2":  # two row totals moved in opposite directions: columns still balance
        donor = max(outcome_keys(template), key=lambda k: t3[k][6])
        taker = next(k for k in outcome_keys(template) if k != donor)
        t3[donor][6] -= 1
        t3[taker][6] += 1
    elif rule == "I3-3":  # 总计 and 上年结转 raised together: only the outcome sum breaks
        for key in ("total", "carried"):
            t3[key][0] += 1
            t3[key][6] += 1


def _table2(r: Random, unit, template: str, t2_defect: bool) -> list[tuple[str, list[str]]]:
    small = unit.level in ("township", "subdistrict")
    rule_cell = r.choice(("0", "/"))
    issued, repealed = r.randint(0, 2 if small else 6), r.randint(0, 2)
    valid = str(r.randint(2, 9 if small else 40))
    permits, penalties, forced = (str(r.randint(0, 40 if small else 900)) for _ in range(3))
    fee = r.choice(("0", "0", f"{r.uniform(1, 300):.2f}"))
    if template == "2021":
        rules = ["0", "0", "6"] if t2_defect else [rule_cell] * 3
        return [
            ("§第二十条第(一)项", []), ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
            ("规章", rules), ("行政规范性文件", [str(issued), str(repealed), valid]),
            ("§第二十条第(五)项", []), ("信息内容", ["本年处理决定数量"]), ("行政许可", [permits]),
            ("§第二十条第(六)项", []), ("信息内容", ["本年处理决定数量"]),
            ("行政处罚", [penalties]), ("行政强制", [forced]),
            ("§第二十条第(八)项", []), ("信息内容", ["本年收费金额(单位:万元)"]), ("行政事业性收费", [fee]),
        ]
    rules = ["0", "0", "6"] if t2_defect else [rule_cell] * 3
    change = lambda: r.choice(("0", "0", "+1", "-1"))  # noqa: E731
    return [
        ("§第二十条第(一)项", []), ("信息内容", ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
        ("规章", rules), ("规范性文件", [str(issued), str(issued), valid]),
        ("§第二十条第(五)项", []), ("信息内容", ["上一年项目数量", "本年增/减", "处理决定数量"]),
        ("行政许可", [str(r.randint(5, 60)), change(), permits]),
        ("其他对外管理服务事项", [str(r.randint(0, 20)), change(), str(r.randint(0, 50))]),
        ("§第二十条第(六)项", []), ("信息内容", ["上一年项目数量", "本年增/减", "处理决定数量"]),
        ("行政处罚", [str(r.randint(5, 80)), change(), penalties]),
        ("行政强制", [str(r.randint(0, 10)), change(), forced]),
        ("§第二十条第(八)项", []), ("信息内容", ["上一年项目数量", "本年增/减"]),
        ("行政事业性收费", [str(r.randint(0, 5)), change()]),
        ("§第二十条第(九)项", []), ("信息内容", ["采购项目数量", "采购总金额"]),
        ("政府集中采购", [str(r.randint(0, 30)), f"{r.uniform(10, 900):.2f}"]),
    ]


def _table4(r: Random, broken: bool) -> list[int]:
    cells = []
    for block in range(3):
        parts = [r.choice((0, 0, 0, 1)) if block == 0 else r.choice((0, 0, 0, 0, 1)) for _ in range(4)]
        if broken and block == 0 and sum(parts) == 0:
            parts[0] = 1
        total = sum(parts) + (1 if broken and block == 0 else 0)
        cells += parts + [total]
    return cells


def xxgk_tables(seed: int, unit, year: int, template: str, defect: str | None) -> XxgkTables:
    """The tables of one unit-year; `defect` is one of I3-1/2/3, I3-6, I4-1, T2-1 or None."""
    r = Random(f"{seed}:tables:{unit.name}:{year}")
    t3 = _table3(r, seed, unit, year, template, need_some=defect is not None)
    t2 = _table2(r, unit, template, t2_defect=defect == "T2-1")
    t4 = _table4(r, broken=defect == "I4-1")
    if defect in ("I3-1", "I3-2", "I3-3"):
        _break_table3(t3, template, defect)
    count = t3["new"][6] + (r.randint(2, 9) if defect == "I3-6" else 0)
    return XxgkTables(template, t2, t3, t4, count)


def _cells(values, attrs: str = "") -> str:
    return "".join(f"<td{attrs}>{escape(str(v))}</td>" for v in values)


def table2_html(t: XxgkTables) -> str:
    rows = []
    width = max(len(cells) for _, cells in t.t2) + 1
    for label, cells in t.t2:
        if label.startswith("§"):
            rows.append(f'<tr><td colspan="{width}" class="xxgk_bt">{escape(label[1:])}</td></tr>')
            continue
        span = width - len(cells)
        last = f' colspan="{span}"' if span > 1 and len(cells) == 1 else ""
        rows.append(f"<tr><td>{escape(label)}</td>{_cells(cells, last)}</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">' + "".join(rows) + "</table>"


def _t3_label_rows(template: str) -> list[tuple[str, str]]:
    """(row key, label cells HTML) in page order."""
    groups = [("(三)不予公开", "deny", DENY), ("(四)无法提供", "unable", UNABLE), ("(五)不予处理", "reject", REJECT)]
    if template == "2021":
        groups.append(("(六)其他处理", "other", OTHER))
    span = 2 + sum(len(g[2]) for g in groups) + (1 if template == "2019" else 0) + 1
    rows = [("new", '<td colspan="3">一、本年新收政府信息公开申请数量</td>'),
            ("carried", '<td colspan="3">二、上年结转政府信息公开申请数量</td>'),
            ("open", f'<td rowspan="{span}">三、本年度办理结果</td><td colspan="2">(一)予以公开</td>'),
            ("partial", '<td colspan="2">(二)部分公开(区分处理的,只计这一情形,不计其他情形)</td>')]
    for title, prefix, labels in groups:
        for i, label in enumerate(labels, 1):
            head = f'<td rowspan="{len(labels)}">{title}</td>' if i == 1 else ""
            rows.append((f"{prefix}{i}", f"{head}<td>{escape(label)}</td>"))
    if template == "2019":
        rows.append(("other", '<td colspan="2">(六)其他处理</td>'))
    rows += [("total", '<td colspan="2">(七)总计</td>'), ("next", '<td colspan="3">四、结转下年度继续办理</td>')]
    return rows


def table3_html(t: XxgkTables) -> str:
    head = (f'<tr><td colspan="3" rowspan="3">{T3_NOTE}</td><td colspan="7">申请人情况</td></tr>'
            '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
            "<tr>" + _cells(APPLICANTS[1:6]) + "</tr>")
    body = "".join(f"<tr>{labels}{_cells(t.t3[key])}</tr>" for key, labels in _t3_label_rows(t.template))
    return '<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">' + head + body + "</table>"


def table4_html(t: XxgkTables) -> str:
    head = ('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
            "<tr>" + "".join(f'<td rowspan="2">{x}</td>' for x in T4_RESULTS)
            + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
            "<tr>" + _cells(T4_RESULTS * 2) + "</tr>")
    return ('<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">' + head
            + "<tr>" + _cells(t.t4) + "</tr></table>")
