"""Figure sentences of the styled portals (see `styles`): the shapes real reports use.

Like `figures`, every sentence is built from numbers first.  A clean sentence is consistent when
read the way a careful reader reads it — nested breakdowns add up inside their own group, 另有
items and clauses of another measure are not parts, a status (已办结) is not a kind, growth
percentages may exceed 100 — so a rule that over-grabs flags a clean page.  FIG-1 bends a total
below its parts, FIG-2 an exhaustive list below its total, FIG-3 a rate to 135%.
"""
from __future__ import annotations

from random import Random

from .figures import _split


def qizhong(r: Random, all_word: str, exceed: bool, variant: int) -> str:
    n = r.randint(60, 400)
    a, b = _split(r, int(n * r.uniform(0.6, 1.0)), 2)
    if exceed:
        a += n  # the parts now exceed the total, whatever the rest says
    if variant == 0:  # nested breakdown of a part; "其他涉法事项" closes the list, so it adds up exactly
        b = n - a + (0 if not exceed else b)
        a1, a2 = _split(r, a, 2)
        return (f"全年共审查各类合同和涉法事项{n}件,其中合同{a}件,其他涉法事项{b}件;"
                f"合同中,采购合同{a1}件、租赁合同{a2}件")
    if variant == 1:  # 另有: outside the total
        return (f"{all_word}共受理行政复议申请{n}件,其中自然人申请{a}件、法人或其他组织申请{b}件,"
                f"另有上年结转申请{r.randint(n, 2 * n)}件")
    if variant == 2:  # a later clause of another measure
        money = round(r.uniform(50, 900), 2)
        return (f"全年共办理法律援助案件{n}件,其中民事案件{a}件,刑事案件{b}件;"
                f"为受援人挽回经济损失{money}万元,涉及{r.randint(n, 3 * n)}户")
    if variant == 3:  # a status of counted items after the parts
        forwarded = b + (n - a - b if not exceed else 0)
        done = r.randint(max(forwarded - 5, 0), forwarded)  # a status of the forwarded letters
        rate = round(100 * done / forwarded, 1) if forwarded else 100
        return f"共收到群众来信{n}件,其中直接答复{a}件,转办有效信件{forwarded}件,已办结{done}件,办结率{rate}%"
    if variant == 4:  # 共 N 件中, changes inside the list
        return (f"{all_word}共调处矛盾纠纷{n}起,比上年增加{r.randint(n, 2 * n)}起,其中婚姻家庭纠纷{a}起,"
                f"比上年减少{r.randint(1, 30)}起,邻里纠纷{b}起")
    # semicolon list, one item and its share per clause
    c = n - a - b if not exceed else r.randint(1, 20)
    parts = (a, b, max(c, 0))
    shares = [min(round(100 * x / n, 1), 99.9) for x in parts]
    return (f"全年共办理行政执法案件{n}起。其中,一般程序案件{parts[0]}起,占{shares[0]}%;"
            f"简易程序案件{parts[1]}起,占{shares[1]}%;其余案件{parts[2]}起,占{shares[2]}%")


def fenbie(r: Random, all_word: str, short: bool, variant: int) -> str:
    n = r.randint(12, 300)
    parts = _split(r, n, 3)
    if short:
        i = parts.index(max(parts))
        parts[i] -= r.randint(1, min(3, parts[i]))
    a, b, c = parts
    if variant == 0:
        return f"{all_word}共开展普法宣传活动{n}场,分别为宪法宣传周活动{a}场、民法典宣传{b}场、“八五”普法讲座{c}场"
    if variant == 1:
        return f"全年共聘请法律顾问{n}名,其中律师{a}名,高校专家{b}名,其他人员{c}名"
    if variant == 2:
        return f"共创建民主法治示范村(社区){n}个,分别是国家级{a}个、省级{b}个和市级{c}个"
    if variant == 3:
        return f"全年共审结行政复议案件{n}件,分别为维持{a}件、撤销{b}件、驳回{c}件"
    return f"全年共组织执法人员培训{n}场,其中新任执法人员培训{a}场、执法骨干培训{b}场,其余{c}场为专题培训"


def percent(r: Random, out_of_range: bool, variant: int) -> str:
    value = 135 if out_of_range else round(r.uniform(90, 99.8), 1)
    growth = round(r.uniform(105, 180), 2)
    if variant == 0:
        return f"行政复议案件数量同比增长{growth}%,按期办结率达{value}%"
    if variant == 1:
        return f"法律顾问参与重大行政决策覆盖率达{value}%,申请量较上年上升{growth}%"
    if variant == 2:
        return f"调解成功的案件占受理总数的{value}%"
    if variant == 3:
        return f"普法宣传覆盖率为{value}%,宣传资料发放量比上年提高{growth}%"
    return f"行政执法案卷评查合格率{value}%,执法案件数较上年增长{growth}%"


def money(r: Random, year: int, kind: str, three: float, car: float, reception: float, variant: int) -> str:
    if variant == 0:
        return (f"{year}年度“三公”经费{kind}{three}万元。其中:因公出国(境)费0万元;"
                f"公务用车购置及运行维护费{car}万元;公务接待费{reception}万元。")
    if variant == 1:
        buy = round(car * r.uniform(0, 0.6), 2)
        run = round(car - buy, 2)
        return (f"{year}年度“三公”经费{kind}{three}万元,其中因公出国(境)费0万元,公务接待费{reception}万元,"
                f"公务用车购置及运行费{car}万元;公务用车购置及运行费中,购置费{buy}万元、运行维护费{run}万元。")
    if variant == 2:
        less, less_reception = round(r.uniform(1, 9), 2), round(r.uniform(0.1, 3), 2)
        return (f"{year}年度“三公”经费{kind}{three}万元,比上年减少{less}万元,"
                f"其中公务接待费{reception}万元,比上年减少{less_reception}万元,公务用车运行维护费{car}万元。")
    if variant == 3:
        total, hosting = round(three * 10000), round(reception * 10000)
        return (f"{year}年度“三公”经费{kind}共计{total}元,其中公务接待费{hosting}元,"
                f"公务用车购置及运行费{total - hosting}元。")
    return (f"{year}年度“三公”经费{kind}数为{three}万元,较上年增长{round(r.uniform(101, 160), 1)}%,"
            f"主要用于公务接待费{reception}万元和公务用车运行维护费{car}万元。")
