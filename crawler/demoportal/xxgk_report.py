"""Body of a 政府信息公开工作年度报告: six sections around the three tables.

The 总体情况 section states "本年度共收到政府信息公开申请N件", N equal to table 三 新收
总计 on clean pages (I3-6 bends only that sentence). Narrative pools are varied enough
that two years of one unit share little wording beyond the fixed table labels.
"""
from __future__ import annotations

from random import Random

from .fazhi_report import NUMERALS, unit_words
from .figures import _split
from .xxgk_tables import XxgkTables, table2_html, table3_html, table4_html

Block = tuple[str, str]

SECTION_TITLES = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                  "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")

INTROS = (
    "本报告根据《中华人民共和国政府信息公开条例》(以下简称《条例》)要求编制,全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分。本报告所列数据的统计期限为{Y}年1月1日至{Y}年12月31日。",
    "根据《中华人民共和国政府信息公开条例》规定,现公布{u}{Y}年政府信息公开工作年度报告。报告中所列数据的统计期限自{Y}年1月1日起至{Y}年12月31日止。如对本报告有疑问,请与{u}党政办公室联系。",
    "本年度报告由{u}依据《中华人民共和国政府信息公开条例》编制。报告电子版可在桐乡市人民政府门户网站政府信息公开专栏查阅。统计期限为{Y}年1月1日至{Y}年12月31日。",
)
OVERVIEW_LEADS = (
    "{Y}年,{u}认真贯彻落实《条例》和上级关于政务公开工作的部署要求,坚持以公开为常态、不公开为例外,不断提升政务公开质量。",
    "{Y}年,{u}紧紧围绕中心工作,深化重点领域信息公开,加大政策解读和回应关切力度,政府信息公开工作取得新成效。",
    "{Y}年,{u}以群众需求为导向,进一步健全政务公开工作机制,推动决策、执行、管理、服务、结果公开。",
    "{Y}年,{u}持续推进政务公开标准化规范化建设,及时回应社会关切,切实保障人民群众知情权、参与权和监督权。",
)
ACTIVE = (
    "围绕财政预决算、重大建设项目、民生实事等重点领域,及时发布相关信息",
    "对重要政策文件同步开展解读,运用图文、问答等形式提高解读质量",
    "动态调整主动公开基本目录,确保法定主动公开内容应公开尽公开",
    "及时公开疫情防控、防汛防台等突发事件应对信息",
    "做好村(社区)务公开,推动政务公开向基层延伸",
)
MANAGEMENT = (
    "严格落实“先审查、后公开”和“一事一审”制度,全年未发生泄密事件",
    "定期清理已公开的政府信息,对过期失效信息及时标注",
    "建立政府信息公开属性源头认定机制,发文时同步明确公开属性",
    "规范政府信息公开审查流程,坚持“谁制作、谁审查,谁签发、谁把关”",
    "落实行政规范性文件统一登记、统一编号、统一发布制度",
)
PLATFORM = (
    "依托桐乡市人民政府门户网站政府信息公开专栏,规范栏目设置,及时更新内容",
    "用好政务微信公众号,发布各类信息{n1}条",
    "在便民服务中心设置政府信息查阅点,方便群众查阅",
    "利用公示栏、电子显示屏等载体,提高信息覆盖面",
    "优化网站信息检索功能,提升群众获取信息的便捷度",
)
SUPERVISION = (
    "将政务公开工作纳入年度考核,明确专人负责",
    "组织开展政务公开业务培训{n2}次,提升工作人员业务能力",
    "主动接受社会监督,畅通意见反馈渠道",
    "定期开展网站自查,及时整改发现的问题",
    "健全政务公开工作责任制,形成主要领导亲自抓、分管领导具体抓的工作格局",
)
PROBLEMS = (
    "政策解读的形式还不够丰富", "部分栏目信息更新不够及时", "公开内容的深度和广度有待拓展",
    "工作人员业务能力有待进一步提高", "基层政务公开标准化建设还需深化", "依申请公开答复的规范性有待加强",
)
IMPROVEMENTS = (
    "加强业务培训,提高工作人员的政策水平和业务能力", "强化栏目日常维护,确保信息发布及时准确",
    "丰富政策解读形式,提升解读质量", "完善信息公开审查机制,防止泄密和不当公开",
    "深化基层政务公开标准化规范化建设", "加强依申请公开办理答复的规范管理",
)
CATEGORIES = ("机构职能", "政策文件", "财政信息", "工作动态", "人事信息", "规划计划", "公告公示")


def _overview(r: Random, words, year: int, tables: XxgkTables) -> list[Block]:
    total = r.randint(40, 600) if words["all"] != "全市" else r.randint(800, 3000)
    cats = r.sample(CATEGORIES, 3)
    parts = _split(r, int(total * r.uniform(0.6, 1.0)), 3)
    active = (f"(一)主动公开情况。本年度通过桐乡市人民政府门户网站主动公开政府信息共{total}条,"
              f"其中{cats[0]}{parts[0]}条,{cats[1]}{parts[1]}条,{cats[2]}{parts[2]}条。"
              + ";".join(r.sample(ACTIVE, 2)) + "。")
    n = tables.narrative_count
    online = r.randint(0, n) if n else 0
    apply = (f"(二)依申请公开情况。本年度共收到政府信息公开申请{n}件"
             + (f",其中网上申请{online}件,信函及当面申请{n - online}件" if n else "")
             + f",上年结转{tables.t3['carried'][6]}件,均已依法依规办理。")
    management = "(三)政府信息管理。" + ";".join(r.sample(MANAGEMENT, 2)) + "。"
    platform = ("(四)政府信息公开平台建设。" + ";".join(r.sample(PLATFORM, 2)) + "。").format(n1=r.randint(30, 400))
    supervision = ("(五)监督保障。" + ";".join(r.sample(SUPERVISION, 2)) + "。").format(n2=r.randint(1, 6))
    lead = r.choice(OVERVIEW_LEADS).format(Y=year, **words)
    return [("p", lead), ("p", active), ("p", apply), ("p", management), ("p", platform), ("p", supervision)]


def _others(r: Random, unit, year: int) -> list[Block]:
    lines = [r.choice(("本年度未收取政府信息公开信息处理费。",
                       "依据《政府信息公开信息处理费管理办法》,本年度未发生收取信息处理费的情况。"))]
    if unit.level != "department":
        lines.append("本年度政务公开工作纳入综合考核,考核结果良好;通过网站留言、意见征集等方式开展社会评议,"
                     "群众评价总体满意;本年度未发生因政府信息公开工作被责任追究的情况。")
    motions = r.randint(0, 12), r.randint(0, 9)
    lines.append(f"本年度共办理人大代表建议和政协委员提案{sum(motions)}件,分别为人大代表建议{motions[0]}件、政协委员提案{motions[1]}件,均已按时办结。")
    return [("p", x) for x in lines]


def xxgk_blocks(r: Random, unit, year: int, tables: XxgkTables, drop: int | None) -> list[Block]:
    words = unit_words(unit)
    problems = r.sample(range(len(PROBLEMS)), 2)
    improve = ";".join(f"{'一二'[i]}是{IMPROVEMENTS[p]}" for i, p in enumerate(problems))
    sections = {
        1: _overview(r, words, year, tables),
        2: [("table", table2_html(tables))],
        3: [("table", table3_html(tables))],
        4: [("table", table4_html(tables))],
        5: [("p", f"{year}年,{words['u']}政府信息公开工作虽然取得一定成效,但仍存在一些不足:"
                  + "、".join(PROBLEMS[p] for p in problems) + f"。下一步,将着力做好以下工作:{improve}。")],
        6: _others(r, unit, year),
    }
    # An intro that enumerates six parts would contradict a report with one missing.
    intros = INTROS[1:] if drop else INTROS
    blocks: list[Block] = [("p", r.choice(intros).format(Y=year, **words))]
    ordinal = 0
    for kind in range(1, 7):
        if kind == drop:
            continue
        ordinal += 1
        blocks.append(("h", f"{NUMERALS[ordinal - 1]}、{SECTION_TITLES[kind - 1]}"))
        blocks.extend(sections[kind])
    return blocks
