"""Figure sentences whose arithmetic the rules check (FIG-1, FIG-2, FIG-3).

Every sentence is built from numbers first, so a clean sentence is consistent by
construction: parts of a "共N…,其中…" group never exceed N, the parts of a "分别" list add
up to N exactly, and percentages stay within 0–100. A defect flag bends exactly one of
these properties and nothing else.
"""
from __future__ import annotations

from random import Random


def _split(r: Random, total: int, parts: int) -> list[int]:
    cuts = sorted(r.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:])]


def qizhong(r: Random, all_word: str, exceed: bool = False) -> str:
    """共N…,其中a…,b…: parts ≤ N when clean, parts > N for FIG-1."""
    kind = r.randrange(3)
    if kind == 0:
        n = r.randint(60, 420)
        a = r.randint(n // 2, n)
        b = n - a + (r.randint(15, 60) if exceed else 0)
        return f"全年共办理行政执法案件{n}起,其中一般程序案件{a}起,简易程序案件{b}起"
    if kind == 1:
        n = r.randint(120, 2600)
        a, b, c = _split(r, int(n * r.uniform(0.5, 0.9)), 3)
        if exceed:
            a += n
        return f"{all_word}各类调解组织共调解矛盾纠纷{n}起,其中婚姻家庭纠纷{a}起,邻里纠纷{b}起,劳资纠纷{c}起"
    n = r.randint(20, 90)
    a = r.randint(5, n)
    b = n - a + (r.randint(8, 30) if exceed else 0)
    return f"共审查各类合同和涉法事项{n}件,其中合同{a}件,其他涉法事项{b}件"


def fenbie(r: Random, all_word: str, short: bool = False) -> str:
    """共N…,分别为a、b、c: exact sum when clean, a smaller sum for FIG-2."""
    kind = r.randrange(3)
    if kind == 0:
        n = r.randint(12, 30)
        parts = _split(r, n, 4)
    elif kind == 1:
        n = r.randint(40, 320)
        parts = _split(r, n, 3)
    else:
        n = r.randint(8, 36)
        parts = _split(r, n, 3)
    if short:  # the largest part is at least n/4 >= 2, so the sum can always drop below n
        i = parts.index(max(parts))
        parts[i] -= r.randint(1, min(3, parts[i]))
    if kind == 0:
        a, b, c, d = parts
        return f"{all_word}共创成民主法治村(社区){n}个,分别为全国级{a}个、省级{b}个、嘉兴市级{c}个、桐乡市级{d}个"
    a, b, c = parts
    if kind == 1:
        return f"共推出“学法用法示范户”“法律明白人”“法治带头人”{n}名,分别为{a}名、{b}名和{c}名"
    return f"全年共开展法治培训{n}场,分别为领导干部专题培训{a}场、执法人员业务培训{b}场、村(社区)干部培训{c}场"


def percent(r: Random, out_of_range: bool = False, exact: str | None = None) -> str:
    """A rate in 0–100 when clean, 135% for FIG-3; `exact` prints that value (a threshold page)."""
    kind = r.randrange(4)
    value = exact or ("135" if out_of_range else None)
    if kind == 0:
        return f"行政机关负责人出庭应诉率达{value or '100'}%"
    if kind == 1:
        return f"矛盾纠纷调解成功率达{value or round(r.uniform(92, 99.6), 1)}%"
    if kind == 2:
        return f"行政规范性文件合法性审查率达{value or '100'}%"
    return f"群众对法治建设工作的满意率达{value or round(r.uniform(90, 98.9), 1)}%"
