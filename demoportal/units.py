"""The fifteen disclosing units of the demo 桐乡市 portal.

Each unit is one catalog column of a 大汉 Hanweb site, with the identifiers a real column
page carries (column id, jpage unit id, web id), the 15-digit Zhejiang 索引号 unit code, the
full official name that a clean page prints as 发布机构, and the 文号 代字 its documents use.
Values are fixed rather than generated: the site configuration (`crawler/sites/demo.yml`)
names the same catalogs, and a test keeps the two in step.

Beside the fifteen Hanweb units, `DIALECT_UNITS` puts five more on the other platforms a
county mixes in (three TRS WCM, one of them a legacy GBK site declaring gb2312; one Guangdong
gkmlpt; one Hanweb jpaas). 运河街道 is invented for the demo: the real county has no fifth
subdistrict, but the jpaas platform needs a township-level unit to carry the township defects.
"""
from __future__ import annotations

from dataclasses import dataclass

SITE_NAME = "tongxiang-demo"
HOST_TITLE = "桐乡市人民政府"
# The county's second 索引号 scheme (real tx.gov.cn pages mix it with the 15-digit one).
COUNTY_INDEX_PREFIX = "330483ZFC00000"

LEVELS = ("county_gov", "department", "township", "subdistrict")


@dataclass(frozen=True)
class Unit:
    name: str  # short name, as the catalog and the seed page print it
    level: str  # county_gov | department | township | subdistrict
    full_name: str  # standard full name, printed as 发布机构 on clean pages
    column_id: int  # 10-digit 1229xxxxxx Hanweb column id
    unit_id: int  # jpage list-unit id (the <div id> of the data island)
    webid: int
    index_code: str  # 15-digit Zhejiang 索引号 unit code
    daizi: str  # 文号 代字, e.g. 濮政发
    per_page: int  # jpage perPage of this unit's column template
    record_style: str  # list-item markup variant (see pages.RECORD_STYLES)
    routine_weight: float  # share of the routine/budget items this unit publishes
    # Units on other platforms (demoportal.dialect_units): which CMS serves the unit and how.
    cms: str = "hanweb"  # hanweb | trs | gkmlpt | jpaas
    home: str = ""  # TRS: the unit's channel directory; gkmlpt: the prefix of its /gkmlpt/ tree
    columns: tuple[str, ...] = ()  # TRS: sub-channels (年度报告 first, then 通知公告, which lists everything)
    list_stem: str = "index"  # TRS list pages: index.html, index_1.html … (or list.shtml …)
    list_ext: str = "html"
    pager: str = "createPageHTML"  # TRS pager script: createPageHTML | createPage | createPageHTML6
    charset: str = "utf-8"  # utf-8 | gb2312 (declared in <meta> only, served as GBK bytes)

    @property
    def catalog_path(self) -> str:
        """The first catalog column (TRS units with sub-channels have one per channel)."""
        return self.catalog_paths[0]

    @property
    def catalog_paths(self) -> tuple[str, ...]:
        if self.cms == "trs":
            return tuple(f"{self.home}{c}/{self.list_stem}.{self.list_ext}" for c in self.columns) or \
                (f"{self.home}{self.list_stem}.{self.list_ext}",)
        if self.cms == "gkmlpt":
            return (f"{self.home}gkmlpt/index",)
        return (f"/col/col{self.column_id}/index.html",)

    @property
    def directory(self) -> str:
        """The 政府信息公开目录 branch the unit sits in (breadcrumb text)."""
        return {"county_gov": "市政府公开目录", "department": "部门公开目录"}.get(self.level, "乡镇公开目录")


def _u(name, level, full, col, uid, webid, code, daizi, per_page, style, weight) -> Unit:
    return Unit(name, level, full, col, uid, webid, code, daizi, per_page, style, weight)


# Routine items are concentrated in the county, 濮院镇 and 司法局, whose small perPage makes
# their catalogs need several dataproxy batches even at the demo size.
UNITS: tuple[Unit, ...] = (
    _u("桐乡市人民政府", "county_gov", "桐乡市人民政府", 1229426391, 7516024, 3291,
       "001008004001001", "桐政办发", 5, "single_quote", 0.3),
    _u("桐乡市司法局", "department", "桐乡市司法局", 1229427105, 7516330, 3291,
       "001008004002027", "桐司发", 5, "double_quote", 0.24),
    _u("桐乡市财政局", "department", "桐乡市财政局", 1229427118, 7516341, 3291,
       "001008004002031", "桐财发", 14, "bold_date", 0.05),
    _u("濮院镇", "township", "桐乡市濮院镇人民政府", 1229428650, 7517802, 3305,
       "001008004005091", "濮政发", 5, "truncated", 0.22),
    _u("崇福镇", "township", "桐乡市崇福镇人民政府", 1229428663, 7517815, 3306,
       "001008004005092", "崇政发", 15, "bracket_date", 0.02),
    _u("乌镇镇", "township", "桐乡市乌镇镇人民政府", 1229428676, 7517828, 3307,
       "001008004005093", "乌政发", 14, "double_quote", 0.02),
    _u("洲泉镇", "township", "桐乡市洲泉镇人民政府", 1229428689, 7517841, 3308,
       "001008004005094", "洲政发", 15, "bold_date", 0.02),
    _u("大麻镇", "township", "桐乡市大麻镇人民政府", 1229428702, 7517854, 3309,
       "001008004005095", "大政发", 15, "single_quote", 0.02),
    _u("河山镇", "township", "桐乡市河山镇人民政府", 1229428715, 7517867, 3310,
       "001008004005096", "河政发", 14, "truncated", 0.02),
    _u("石门镇", "township", "桐乡市石门镇人民政府", 1229428728, 7517880, 3311,
       "001008004005097", "石政发", 15, "bracket_date", 0.02),
    _u("屠甸镇", "township", "桐乡市屠甸镇人民政府", 1229428741, 7517893, 3312,
       "001008004005098", "屠政发", 15, "double_quote", 0.02),
    _u("梧桐街道", "subdistrict", "桐乡市梧桐街道办事处", 1229428754, 7517906, 3313,
       "001008004006001", "梧办发", 14, "bold_date", 0.02),
    _u("凤鸣街道", "subdistrict", "桐乡市凤鸣街道办事处", 1229428767, 7517919, 3314,
       "001008004006002", "凤办发", 15, "single_quote", 0.02),
    _u("龙翔街道", "subdistrict", "桐乡市龙翔街道办事处", 1229428780, 7517932, 3315,
       "001008004006003", "龙办发", 15, "truncated", 0.02),
    _u("高桥街道", "subdistrict", "桐乡市高桥街道办事处", 1229428793, 7517945, 3316,
       "001008004006004", "高办发", 14, "bracket_date", 0.02),
)

HANWEB_UNITS = UNITS
# 桐乡市 units on the other platforms (TRS, gkmlpt, jpaas): a county is a mix of CMSs.
DIALECT_UNITS: tuple[Unit, ...] = (
    Unit("桐乡市交通运输局", "department", "桐乡市交通运输局", 0, 0, 3291, "001008004002041", "桐交发", 10,
         "li", 0.0, cms="trs", home="/xxgk/bm/jtysj/", columns=("ndbg", "tzgg")),
    Unit("桐乡市住房和城乡建设局", "department", "桐乡市住房和城乡建设局", 0, 0, 3291, "001008004002043", "桐建发", 8,
         "table", 0.0, cms="trs", home="/zjj/xxgk/zcwj/", list_stem="list", list_ext="shtml", pager="createPageHTML6"),
    Unit("桐乡市自然资源和规划局", "department", "桐乡市自然资源和规划局", 0, 0, 3291, "001008004002045", "桐自然资规",
         8, "li", 0.0, cms="trs", home="/zrzyj/gkml/", list_ext="htm", pager="createPage", charset="gb2312"),
    Unit("桐乡市卫生健康局", "department", "桐乡市卫生健康局", 0, 0, 3291, "001008004002047", "桐卫健发", 20,
         "json", 0.0, cms="gkmlpt", home="/wjj/"),
    Unit("运河街道", "subdistrict", "桐乡市运河街道办事处", 1229428806, 0, 3317, "001008004006005", "运办发", 15,
         "li", 0.0, cms="jpaas"),
)
ALL_UNITS: tuple[Unit, ...] = UNITS + DIALECT_UNITS

UNITS_BY_NAME: dict[str, Unit] = {u.name: u for u in ALL_UNITS}
UNITS_BY_COLUMN: dict[int, Unit] = {u.column_id: u for u in ALL_UNITS if u.cms in ("hanweb", "jpaas")}


def short_name(unit: Unit) -> str:
    """The name a unit uses in titles (桐乡市人民政府 titles its reports 桐乡市…)."""
    return "桐乡市" if unit.level == "county_gov" else unit.name
