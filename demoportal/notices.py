"""Routine notices, policy documents and budget/决算 disclosures that fill a catalog.

Titles are chosen when the document list is built (cheap); bodies are written on request.
Some titles name people with characters that exist in GBK but not in GB2312 (喆, 堃), as
real personnel notices do, so a page served as GBK cannot be read with a strict gb2312
decoder.
"""
from __future__ import annotations

from random import Random

from .figures import _split
from .styled_figures import money as styled_money
from .units import short_name

# (title template, 组配分类, carries a 文号)
ROUTINE_TOPICS: tuple[tuple[str, str, bool], ...] = (
    ("关于做好{Y}年度防汛防台工作的通知", "通知公告", True),
    ("关于印发《{s}{Y}年安全生产工作要点》的通知", "政策文件", True),
    ("关于开展{Y}年度“12·4”国家宪法日宣传活动的通知", "通知公告", True),
    ("{n}关于{road}道路施工期间交通管制的公告", "通知公告", False),
    ("{n}关于公布行政执法人员名单的公告", "通知公告", False),
    ("关于调整{s}安全生产委员会组成人员的通知", "通知公告", True),
    ("关于印发《{s}农村人居环境整治提升实施方案》的通知", "政策文件", True),
    ("关于进一步加强生活垃圾分类工作的实施意见", "政策文件", True),
    ("{n}关于征集民生实事项目的公告", "通知公告", False),
    ("关于{Y}年度城乡居民基本医疗保险参保缴费的通告", "通知公告", False),
    ("关于开展冬季消防安全大检查的通知", "通知公告", True),
    ("关于印发《{s}突发事件总体应急预案》的通知", "政策文件", True),
    ("关于规范村级小微权力运行的若干意见", "政策文件", True),
    ("{n}关于做好春节期间烟花爆竹禁放工作的通告", "通知公告", False),
    ("关于公布{s}行政规范性文件清理结果的通知", "政策文件", True),
    ("关于开展“双随机、一公开”联合抽查工作的通知", "其他文件", True),
)
# Titles with characters outside GB2312.
GBK_ONLY_TOPICS: tuple[tuple[str, str, bool], ...] = (
    ("关于表彰王喆等同志为优秀法律明白人的通报", "其他文件", True),
    ("关于李堃同志职务任免的通知", "人事信息", True),
    ("关于表彰陈喆、沈堃等优秀网格员的决定", "其他文件", True),
)
ROADS = ("梧桐大道", "复兴路", "庆丰路", "振兴东路", "世纪大道", "康泾塘路", "光明路", "校场路")

OPENINGS = {
    "county_gov": "各镇人民政府、街道办事处,市政府各部门、各直属单位:",
    "department": "各镇(街道)司法所,局机关各科室、各直属单位:",
    "township": "各村(社区)、镇属各单位:",
    "subdistrict": "各社区、街道各部门:",
}
GENERIC = (
    "为切实做好相关工作,进一步压实工作责任,根据上级有关文件精神,结合本地实际,现就有关事项通知如下。",
    "各单位要高度重视,明确分管领导和具体联系人,认真抓好各项任务落实。",
    "要加强统筹协调,建立工作台账,实行清单化管理,确保各项工作按时保质完成。",
    "要加大宣传力度,充分利用微信公众号、宣传栏等载体,营造良好的社会氛围。",
    "要强化督查考核,对工作推进不力、问题整改不到位的单位予以通报。",
    "请各单位于每月底前将工作进展情况报送至牵头部门,联系电话:0573-88021234。",
    "本通知自印发之日起施行,此前有关规定与本通知不一致的,以本通知为准。",
    "现予以公布,请广大群众相互转告,自觉遵守。",
)


def routine_title(r: Random, unit, year: int, gbk: bool) -> tuple[str, str, bool]:
    pool = GBK_ONLY_TOPICS if gbk and r.random() < 0.4 else ROUTINE_TOPICS
    template, category, numbered = r.choice(pool)
    title = template.format(Y=year, s=short_name(unit), n=unit.full_name, road=r.choice(ROADS))
    return title, category, numbered


def budget_title(unit, year: int, final: bool) -> str:
    s = short_name(unit) if unit.level != "county_gov" else "桐乡市人民政府办公室"
    return f"{s}{year}年度部门决算公开" if final else f"{s}{year}年部门预算公开"


def _cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def routine_blocks(r: Random, unit, title: str, issued, doc_no: str | None = None,
                   style=None) -> list[tuple[str, str]]:
    paragraphs = [OPENINGS[unit.level]] + r.sample(GENERIC[:6], r.randint(2, 4))
    paragraphs.append(r.choice(("特此通知。", "特此公告。", "请认真贯彻执行。")))
    paragraphs += [unit.full_name, _cn_date(issued)]
    if style is not None and doc_no and (line := style.pick(r, "doc_no_line").format(no=doc_no)):
        paragraphs.insert(0, line)  # the 文号 line above the text, as printed documents carry it
    return [("p", p) for p in paragraphs]


def budget_blocks(r: Random, unit, year: int, final: bool, style=None) -> list[tuple[str, str]]:
    income = round(r.uniform(300, 30000), 2)
    three = round(r.uniform(2, 60), 2)
    car, reception = (round(x / 100, 2) for x in _split(r, int(three * 100), 2))
    three = round(car + reception, 2)
    kind = "决算" if final else "预算"
    lead = (f"根据《中华人民共和国预算法》和《地方预决算公开操作规程》有关规定,现将{unit.full_name}"
            f"{year}年度部门{kind}公开如下。")
    three_line = (f"{year}年度“三公”经费{kind}{three}万元,其中因公出国(境)费0万元,"
                  f"公务用车购置及运行费{car}万元,公务接待费{reception}万元。")
    if style is not None:
        three_line = styled_money(r, year, kind, three, car, reception, style.pick(r, "money"))
    return [
        ("p", lead),
        ("h", "一、部门职责及机构设置情况"),
        ("p", f"{unit.full_name}是负责本辖区相关公共事务管理的行政机关,内设机构及下属单位情况详见附件。"),
        ("h", f"二、{year}年度部门{kind}收支情况"),
        ("p", f"{year}年度收入{kind}{income}万元,支出{kind}{income}万元,收支平衡。"),
        ("h", f"三、“三公”经费{kind}情况"),
        ("p", three_line),
        ("h", "四、其他重要事项的情况说明"),
        ("p", "机关运行经费、政府采购、国有资产占用及绩效目标等情况详见附件。"),
    ]
