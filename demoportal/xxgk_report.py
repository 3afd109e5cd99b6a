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
    "按照《中华人民共和国政府信息公开条例》和上级政务公开工作要求,{u}编制了{Y}年度政府信息公开工作年度报告,所列数据统计时间为{Y}年全年。",
    "{u}{Y}年度政府信息公开工作年度报告依据《中华人民共和国政府信息公开条例》第五十条编制,数据截至{Y}年12月31日。",
)
OVERVIEW_LEADS = (
    "{Y}年,{u}认真贯彻落实《条例》和上级关于政务公开工作的部署要求,坚持以公开为常态、不公开为例外,不断提升政务公开质量。",
    "{Y}年,{u}紧紧围绕中心工作,深化重点领域信息公开,加大政策解读和回应关切力度,政府信息公开工作取得新成效。",
    "{Y}年,{u}以群众需求为导向,进一步健全政务公开工作机制,推动决策、执行、管理、服务、结果公开。",
    "{Y}年,{u}持续推进政务公开标准化规范化建设,及时回应社会关切,切实保障人民群众知情权、参与权和监督权。",
)
ACTIVE = (
    "围绕财政预决算、重大建设项目、民生实事等重点领域,及时发布相关信息{a}条",
    "对重要政策文件同步开展解读,发布图文解读、问答解读等{b}篇",
    "动态调整主动公开基本目录,梳理法定主动公开事项{c}项",
    "及时公开防汛防台、安全生产等突发事件应对信息{d}条",
    "做好村(社区)务公开,指导村(社区)更新公开栏{c}次",
    "公开行政许可、行政处罚等“双公示”信息{a}条",
    "发布民生实事项目进展情况{d}期,主动接受群众监督",
    "公开涉及群众切身利益的重大决策草案{d}件,广泛征集社会意见",
    "集中公开惠农补贴、社会救助等资金发放信息{c}批次",
    "回应公众关注热点{b}次,召开新闻发布会或情况通报会{d}场",
    "在重要节点发布权威信息,及时澄清不实传言",
    "公开年度重点工作任务及完成情况,晒出工作成绩单",
)
MANAGEMENT = (
    "严格落实“先审查、后公开”和“一事一审”制度,全年未发生泄密事件",
    "定期清理已公开的政府信息,标注过期失效信息{c}条",
    "建立政府信息公开属性源头认定机制,发文时同步明确公开属性",
    "规范政府信息公开审查流程,坚持“谁制作、谁审查,谁签发、谁把关”",
    "落实行政规范性文件统一登记、统一编号、统一发布制度",
    "开展政府信息公开专项检查,整改发现问题{d}个",
    "对历年公开的政策文件进行梳理,集中公开现行有效政策",
    "加强个人信息保护,对公开内容中涉及的身份证号、电话号码等进行脱敏处理",
    "建立信息发布台账,实行信息发布登记和复核制度",
    "完善依申请公开登记、审核、办理、答复、归档全流程管理",
)
PLATFORM = (
    "依托桐乡市人民政府门户网站政府信息公开专栏,规范栏目设置,及时更新内容",
    "用好政务微信公众号,发布各类信息{a}条",
    "在便民服务中心设置政府信息查阅点,全年接待查阅群众{b}人次",
    "利用公示栏、电子显示屏等载体,提高信息覆盖面",
    "优化网站信息检索功能,提升群众获取信息的便捷度",
    "推进政务新媒体规范化建设,关停整合低效账号{d}个",
    "开设“政策直通车”专栏,集中展示惠企惠民政策{c}项",
    "通过“浙里办”平台推送办事指南和政策信息",
    "在村(社区)文化礼堂设置政务公开专区,打通服务群众“最后一公里”",
    "开展政府开放日活动{d}次,邀请群众代表走进机关",
)
SUPERVISION = (
    "将政务公开工作纳入年度考核,明确专人负责",
    "组织开展政务公开业务培训{d}次,提升工作人员业务能力",
    "主动接受社会监督,畅通意见反馈渠道",
    "定期开展网站自查,及时整改发现的问题",
    "健全政务公开工作责任制,形成主要领导亲自抓、分管领导具体抓的工作格局",
    "聘请政务公开社会监督员{d}名,收集意见建议{c}条",
    "对照上级测评指标开展自查自纠,逐项销号整改",
    "将信息公开工作情况纳入对下属单位的考核内容",
    "建立政务公开工作例会制度,定期研究解决重点问题",
    "开展政务公开第三方评估,根据评估意见改进工作",
)
PROBLEMS = (
    "政策解读的形式还不够丰富", "部分栏目信息更新不够及时", "公开内容的深度和广度有待拓展",
    "工作人员业务能力有待进一步提高", "基层政务公开标准化建设还需深化", "依申请公开答复的规范性有待加强",
    "政策解读与文件发布的同步性不够", "回应群众关切的主动性和时效性有待提升", "信息发布审核把关还需更加严格",
    "政务新媒体内容与群众需求契合度不高", "村(社区)务公开质量参差不齐", "公开信息的可读性和实用性不够强",
)
IMPROVEMENTS = (
    "加强业务培训,提高工作人员的政策水平和业务能力", "强化栏目日常维护,确保信息发布及时准确",
    "丰富政策解读形式,提升解读质量", "完善信息公开审查机制,防止泄密和不当公开",
    "深化基层政务公开标准化规范化建设", "加强依申请公开办理答复的规范管理",
    "建立政策文件与解读材料同步起草、同步审签、同步发布机制", "健全舆情收集研判和回应机制",
    "落实信息发布“三审三校”制度", "围绕群众需求优化政务新媒体内容供给",
    "加强对村(社区)务公开的指导和督查", "推行图解、视频等通俗化表达方式",
)
RECTIFIED = (
    "针对上年度栏目更新不及时的问题,建立栏目责任清单,实行每月巡查",
    "针对上年度政策解读形式单一的问题,新增图解、视频解读{d}件",
    "针对上年度依申请公开答复不够规范的问题,统一答复文书格式",
    "针对上年度基层公开不够全面的问题,完善村(社区)公开目录",
    "针对上年度信息发布审核不严的问题,严格执行信息发布审核制度",
    "针对上年度工作人员业务不熟的问题,开展专题培训{d}次",
    "针对上年度回应关切不够及时的问题,建立热点问题快速响应机制",
    "针对上年度政务新媒体更新频率不高的问题,落实专人每日维护",
    "针对上年度公开内容可读性不强的问题,推出“一图读懂”系列产品{d}期",
)
FOCUS = (
    "公开财政预决算及“三公”经费信息{c}条", "公开重大建设项目批准和实施信息{d}条", "公开公共资源配置信息{c}条",
    "公开社会公益事业建设信息{d}条", "公开乡村振兴项目资金使用信息{c}条", "公开安全生产领域信息{d}条",
    "公开生态环境领域信息{c}条", "公开义务教育领域信息{d}条", "公开养老服务领域信息{c}条",
    "公开就业创业领域信息{d}条", "公开征地拆迁及补偿安置信息{d}条", "公开涉企优惠政策及兑现情况{c}条",
)
EXTRA_LEADS = (
    "全年政务公开工作纳入重要议事日程,主要负责同志多次听取工作汇报。",
    "对照年度政务公开工作要点,逐项细化任务、明确责任、抓好落实。",
    "坚持把政务公开作为转变作风、提升效能的重要抓手。",
    "以标准化规范化建设为主线,不断提升公开质量和群众满意度。",
    "聚焦群众关注的热点难点问题,持续加大信息公开力度。",
)
KEY_TASKS = (
    "围绕优化营商环境,集中公开涉企政策{c}项,做好政策兑现信息公开",
    "围绕乡村振兴,公开农村集体“三资”管理信息{c}条",
    "围绕民生保障,公开低保、特困等救助信息{d}批次",
    "推进基层政务公开标准化规范化,更新完善标准目录{d}个领域",
    "开展政策“进村入企”宣讲{d}场,覆盖群众和企业{b}人次",
    "推进政务公开与政务服务融合,在服务大厅设置政策咨询窗口",
    "落实重大行政决策预公开制度,决策草案公开征求意见{d}次",
    "开展“政府开放日”“12·4”宪法宣传日等公开活动{d}场",
    "编印政策汇编{d}册,免费发放给群众和企业",
    "推动会议公开,邀请利益相关方和群众代表列席会议{d}人次",
)
CATEGORIES = ("机构职能", "政策文件", "财政信息", "工作动态", "人事信息", "规划计划", "公告公示")


def _numbers(r: Random) -> dict[str, int]:
    return {"a": r.randint(20, 900), "b": r.randint(5, 120), "c": r.randint(3, 60), "d": r.randint(1, 12)}


# Wording habits differ between the people who write a unit's report from year to year.
SYNONYMS = (("进一步", "持续"), ("及时", "第一时间"), ("政府信息", "政务信息"), ("加强", "强化"), ("提升", "提高"),
            ("完善", "健全"), ("推进", "推动"), ("工作人员", "干部职工"), ("确保", "保证"), ("严格", "认真"),
            ("开展", "组织开展"), ("定期", "每季度"), ("建立", "建立健全"), ("全年", "本年度内"))


def _wording(r: Random) -> list[tuple[str, str]]:
    return [pair for pair in SYNONYMS if r.random() < 0.5]


def _vary(text: str, wording: list[tuple[str, str]]) -> str:
    for old, new in wording:
        text = text.replace(old, new)
    return text


def _pick(r: Random, pool: tuple[str, ...], k: int) -> str:
    return ";".join(sentence.format(**_numbers(r)) for sentence in r.sample(pool, k))


def _overview(r: Random, words, year: int, tables: XxgkTables, wording) -> list[Block]:
    total = r.randint(40, 600) if words["all"] != "全市" else r.randint(800, 3000)
    cats = r.sample(CATEGORIES, 3)
    parts = _split(r, int(total * r.uniform(0.6, 1.0)), 3)
    frame = r.choice(("本年度通过桐乡市人民政府门户网站主动公开政府信息共{t}条", "{Y}年共主动公开政府信息{t}条",
                      "全年累计在政府信息公开专栏发布信息共{t}条"))
    active = ("(一)主动公开情况。" + frame.format(t=total, Y=year)
              + f",其中{cats[0]}{parts[0]}条,{cats[1]}{parts[1]}条,{cats[2]}{parts[2]}条。"
              + _vary(_pick(r, ACTIVE, 4), wording) + "。")
    focus = "围绕重点领域信息公开," + _pick(r, FOCUS, 4).replace(";", ",") + "。"
    n = tables.narrative_count
    online = r.randint(0, n) if n else 0
    apply = (f"(二)依申请公开情况。本年度共收到政府信息公开申请{n}件"
             + (f",其中网上申请{online}件,信函及当面申请{n - online}件" if n else "")
             + f"。上年结转政府信息公开申请{tables.t3['carried'][6]}件,均已依法依规办理。"
             + r.choice(("严格按照法定时限答复,答复文书规范完整。", "对申请人提出的疑问,主动沟通解释,减少行政争议。",
                         "坚持依法答复、便民答复,未发生逾期答复的情况。")))
    management = "(三)政府信息管理。" + _vary(_pick(r, MANAGEMENT, 4), wording) + "。"
    platform = "(四)政府信息公开平台建设。" + _vary(_pick(r, PLATFORM, 4), wording) + "。"
    supervision = "(五)监督保障。" + _vary(_pick(r, SUPERVISION, 4), wording) + "。"
    lead = _vary(r.choice(OVERVIEW_LEADS).format(Y=year, **words) + "".join(r.sample(EXTRA_LEADS, 2)), wording)
    return [("p", lead), ("p", active), ("p", focus), ("p", apply), ("p", management), ("p", platform),
            ("p", supervision)]


def _problems(r: Random, words, year: int, wording) -> list[Block]:
    problems = r.sample(range(len(PROBLEMS)), 3)
    improve = _vary(";".join(f"{'一二三'[i]}是{IMPROVEMENTS[p]}" for i, p in enumerate(problems)), wording)
    return [
        ("p", "(一)上年度问题整改情况。" + _vary(_pick(r, RECTIFIED, 3), wording) + "。"),
        ("p", f"(二)存在的主要问题。{year}年,{words['u']}政府信息公开工作虽然取得一定成效,但仍存在一些不足:"
              + _vary("、".join(PROBLEMS[p] for p in problems), wording) + "。"),
        ("p", f"(三)改进措施。下一步,将着力做好以下工作:{improve}。"),
    ]


def _others(r: Random, unit, year: int, wording) -> list[Block]:
    lines = [f"{year}年,落实上级政务公开工作要点情况:" + _vary(_pick(r, KEY_TASKS, 4), wording) + "。",
             r.choice(("本年度未收取政府信息公开信息处理费。",
                       "依据《政府信息公开信息处理费管理办法》,本年度未发生收取信息处理费的情况。"))]
    if unit.level != "department":
        lines.append("本年度政务公开工作纳入综合考核,考核结果良好;通过网站留言、意见征集等方式开展社会评议,"
                     "群众评价总体满意;本年度未发生因政府信息公开工作被责任追究的情况。")
    motions = r.randint(0, 12), r.randint(0, 9)
    lines.append(f"本年度共办理人大代表建议和政协委员提案{sum(motions)}件,分别为人大代表建议{motions[0]}件、政协委员提案{motions[1]}件,均已按时办结。")
    return [("p", x) for x in lines]


def _active_lead(r: Random, tables: XxgkTables) -> str:
    rows = dict(tables.t2)
    regs = rows.get("行政规范性文件") or rows.get("规范性文件")
    if regs is None:
        raise ValueError("table 二 has no 规范性文件 row to quote")
    return r.choice(("本年度主动公开政府信息情况详见下表。行政规范性文件方面,本年制发{0}件,现行有效{2}件。",
                     "主动公开政府信息情况统计如下(规范性文件本年新增{0}件,现行有效{2}件):",
                     "具体数据如下表所示,其中行政规范性文件本年制发{0}件,截至年底现行有效{2}件。")).format(*regs)


def _review_lead(r: Random, tables: XxgkTables) -> str:
    review, direct, after = tables.t4[4], tables.t4[9], tables.t4[14]
    if review + direct + after == 0:
        return r.choice(("本年度未发生因政府信息公开工作引起的行政复议、行政诉讼案件。",
                         "本年度无政府信息公开行政复议、行政诉讼案件。"))
    return f"本年度因政府信息公开工作被申请行政复议{review}件,被提起行政诉讼{direct + after}件,具体情况如下表。"


def xxgk_blocks(r: Random, unit, year: int, tables: XxgkTables, drop: int | None) -> list[Block]:
    words = unit_words(unit)
    wording = _wording(r)
    sections = {
        1: _overview(r, words, year, tables, wording),
        2: [("p", _active_lead(r, tables)), ("table", table2_html(tables))],
        3: [("table", table3_html(tables))],
        4: [("p", _review_lead(r, tables)), ("table", table4_html(tables))],
        5: _problems(r, words, year, wording),
        6: _others(r, unit, year, wording),
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
