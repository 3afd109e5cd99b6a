"""Unit tests of the normaliser's readers: dates, labels, metadata, figures, sections."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from audits.normalize.classify import report_type, report_year, title_year
from audits.normalize.dates import parse_date
from audits.normalize.documents import doc_id
from audits.normalize.figure_groups import find_figures
from audits.normalize.labels import field_for, normalise_label
from audits.normalize.metadata import pairs_from_html, read_metadata
from audits.normalize.section_kinds import load_section_kinds
from audits.normalize.sections import find_sections
from govaudit.records import PageRecord


@pytest.mark.parametrize("text, expected", [
    ("2023-02-20", datetime(2023, 2, 20)),
    ("2023年02月20日", datetime(2023, 2, 20)),
    ("2023年2月20日", datetime(2023, 2, 20)),
    ("2023/2/20", datetime(2023, 2, 20)),
    ("2023.2.20", datetime(2023, 2, 20)),
    ("[2023-02-20]", datetime(2023, 2, 20)),
    ("2023-02-20 08:57", datetime(2023, 2, 20, 8, 57)),
    ("2023-02-20  08:57:00", datetime(2023, 2, 20, 8, 57)),
    ("2023年02月20日 16:40", datetime(2023, 2, 20, 16, 40)),
    ("二〇二三年五月一日", datetime(2023, 5, 1)),
    ("二〇二二年十二月三十一日", datetime(2022, 12, 31)),
    ("２０２３－０２－２０", datetime(2023, 2, 20)),
    ("2019年12月3日星期二", datetime(2019, 12, 3)),
])
def test_dates(text, expected):
    assert parse_date(text, "发文日期") == (expected, None)


@pytest.mark.parametrize("text", ["2023-13-45", "2024926", "2023-02-30", "待定", "2023-02-20 25:61"])
def test_bad_dates_give_a_reason(text):
    value, problem = parse_date(text, "发文日期")
    assert value is None
    assert problem == f"发文日期 {text!r} is not a date"


@pytest.mark.parametrize("text", ["", "   ", "\u3000", None])
def test_empty_date_is_null_without_problem(text):
    assert parse_date(text, "发文日期") == (None, None)


@pytest.mark.parametrize("label, field", [
    ("索引号", "index_no"), ("索　引　号", "index_no"), ("索 引 号:", "index_no"), ("索引号：", "index_no"),
    ("\u00a0索引号\u00a0", "index_no"), ("信息索引号", "index_no"),
    ("发文日期", "issued_date"), ("成文日期", "issued_date"), ("生成日期", "issued_date"), ("产生日期", "issued_date"),
    ("文件编号", "doc_no"), ("文号", "doc_no"), ("文　　号", "doc_no"), ("发文字号", "doc_no"),
    ("发布机构", "publisher"), ("发文机关", "publisher"), ("发文机构", "publisher"), ("制发机构", "publisher"),
    ("组配分类", "category"), ("主题分类", "category"), ("分类", "category"),
    ("发布时间", "published_at"), ("发布日期", "published_at"), ("公开日期", "published_at"),
    ("来源", "source"), ("信息来源", "source"),
    ("公开方式", "disclosure_mode"), ("公开形式", "disclosure_mode"), ("公开属性", "disclosure_mode"),
    ("浏览次数", None), ("有效性", "validity"),
])
def test_label_synonyms(label, field):
    assert field_for(label) == field


def test_label_normalisation():
    assert normalise_label(" 索\u3000引\u00a0号 ：") == "索引号"


def _record(**kw) -> PageRecord:
    base = dict(url="http://x.gov.cn/art/2024/1/5/art_1_2.html", site="s", unit="u", unit_level="township",
                dialect="hanweb", http_status=200)
    return PageRecord(**{**base, **kw})


def test_metadata_block_printed_twice_is_one_block():
    pairs = [["索引号：", "001/2023-1"], ["发布机构", "濮院镇人民政府"], ["发文日期", "2023-02-20"]]
    meta = read_metadata(_record(meta_pairs=pairs + [[k.strip("：") + ":", v] for k, v in pairs]))
    assert meta.values["index_no"] == "001/2023-1"
    assert meta.problems == []


def test_conflicting_values_keep_the_first_and_say_so():
    meta = read_metadata(_record(meta_pairs=[["索引号", "A/2023-1"], ["索 引 号", "B/2023-2"]]))
    assert meta.values["index_no"] == "A/2023-1"
    assert meta.problems == ["索引号 printed with different values: 'A/2023-1' / 'B/2023-2'"]


def test_bad_issued_date_is_a_problem_not_a_crash():
    meta = read_metadata(_record(meta_pairs=[["发文日期", "2023-13-45"], ["文件编号", ""]]))
    assert meta.values["issued_date"] is None and meta.values["doc_no"] is None
    assert meta.problems == ["发文日期 '2023-13-45' is not a date"]


@pytest.mark.parametrize("record, expected, source", [
    (dict(meta_pairs=[["发布日期", "2023-03-01"]], body_text="发布时间:2023-02-01"), datetime(2023, 3, 1), "label"),
    (dict(body_text="标题\n发布时间：2023-02-01 10:00 来源：本站\n正文"), datetime(2023, 2, 1, 10), "page_text"),
    (dict(html="<div>发布日期:&nbsp;<span>2023-02-02</span></div>"), datetime(2023, 2, 2), "page_text"),
    (dict(meta_tags={"PubDate": "2023-02-03 16:30"}), datetime(2023, 2, 3, 16, 30), "meta_tag"),
    (dict(list_date="[2023-02-04]"), datetime(2023, 2, 4), "list_date"),
    (dict(meta_pairs=[["成文日期", "2023-02-05"]]), datetime(2023, 2, 5), "issued_date"),
    (dict(), None, None),
])
def test_published_at_fallbacks(record, expected, source):
    meta = read_metadata(_record(**record))
    assert (meta.values["published_at"], meta.values["published_from"]) == (expected, source)
    assert meta.problems == []


def test_metadata_from_html_when_the_spider_stored_no_pairs():
    page = """<table><tr><th>索&nbsp;引&nbsp;号：</th><td>330483/2024-7</td><th>发布机构</th><td>桐乡市濮院镇人民政府</td></tr>
    <tr><td>发文日期:</td><td>2024年1月5日</td><td>文　　号</td><td></td></tr></table>"""
    assert pairs_from_html(page)[0] == ["索\xa0引\xa0号：", "330483/2024-7"]
    meta = read_metadata(_record(html=page))
    assert meta.values["index_no"] == "330483/2024-7"
    assert meta.values["publisher"] == "桐乡市濮院镇人民政府"
    assert meta.values["issued_date"] == datetime(2024, 1, 5)
    assert meta.values["doc_no"] is None


@pytest.mark.parametrize("url, expected", [
    ("https://www.tx.gov.cn/art/2023/2/20/art_1229518003_59563128.html", "59563128"),
    ("http://www.mee.gov.cn/ywdt/202204/t20220417_974894.shtml", "974894"),
    ("http://example.gov.cn/content/post_508890.html", "http://example.gov.cn/content/post_508890.html"),
])
def test_doc_id(url, expected):
    assert doc_id(url) == expected


@pytest.mark.parametrize("title, expected", [
    ("濮院镇2022年法治政府建设年度报告", "fazhi_annual"),
    ("中村乡人民政府关于2022年法治政府建设工作情况报告", "fazhi_annual"),
    ("湖北省人民政府关于2023年度法治政府建设情况的报告", "fazhi_annual"),
    ("县政府办2022年度政府信息公开工作年度报告", "xxgk_annual"),
    ("2023年部门预算公开", "budget"),
    ("2023年度泸州市中医医院单位决算", "final_accounts"),
    ("【文字解读】《关于2024年法治政府建设情况的报告》文件解读", "routine"),
    ("关于印发《2023年政务公开工作要点》的通知", "routine"),
])
def test_report_type_from_title(title, expected):
    assert report_type(title, None, "", has_metadata=True) == expected


def test_report_type_without_title_or_date():
    assert report_type(None, None, "一、总体情况\n本年新收政府信息公开申请数量 0", False) == "xxgk_annual"
    assert report_type("某镇新闻", None, "正文", has_metadata=False) == "other"


@pytest.mark.parametrize("title, body, t_year, r_year", [
    # the title's year holds when only the opening disagrees (a stale opening is COPY-3's)
    ("濮院镇2023年法治政府建设年度报告", "2022年,濮院镇按照…", 2023, 2023),
    ("某镇2023年法治政府建设年度报告", "2021年以来,我镇…\n一、2023年主要举措\n…\n四、2024年工作安排\n…", 2023, 2023),
    # the body agrees with itself against the title: the title is the odd one out
    ("某镇2022年法治政府建设年度报告", "2023年,我镇…\n一、2023年主要举措\n…\n四、2024年工作安排\n…", 2022, 2023),
    ("某镇法治政府建设年度报告", "前言。\n一、2022年推进法治政府建设的主要举措和成效\n…", None, 2022),
    ("某局2023年政府信息公开工作年度报告", "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。", 2023, 2023),
    ("某镇2022年法治政府建设年度报告", "没有年份的正文", 2022, 2022),
    ("营站政办公开〔2023〕9号:关于检查情况的通报", "", None, None),
])
def test_years(title, body, t_year, r_year):
    assert title_year(title) == t_year
    assert report_year(title, body) == r_year


@pytest.mark.parametrize("text, value, unit, approx", [
    ("发放宣传资料1万余份。", 10000, "份", True),
    ("发放宣传资料一万余份。", 10000, "份", True),
    ("走访企业达三百多家。", 300, "家", True),
    ("解答咨询八十多人次。", 80, "人次", True),
    ("化解纠纷四十余起。", 40, "起", True),
    ("收到政府信息公开申请一件。", 1, "件", False),
    ("公开率为30.80%。", 30.8, "%", False),
    ("收费约2.5万元。", 2.5, "万元", True),
    ("参加培训200人左右。", 200, "人", True),
    ("共1,234条。", 1234, "条", False),
])
def test_figures(text, value, unit, approx):
    figures, _ = find_figures(text)
    assert [(f.value, f.unit, f.approx) for f in figures] == [(value, unit, approx)]


@pytest.mark.parametrize("text", [
    "一是加强机制保障。", "第一责任人", "2022年全年", "自6月20日下沉以来", "桐政办发〔2023〕12号",
    "索引号:001008004005091/2023-103671", "一、2022年推进", "一次到位", "三项制度落地见效", "租房一件事",
    "浏览次数:5072次", "十四个五年规划",
])
def test_not_figures(text):
    assert find_figures(text)[0] == []


def test_groups():
    text = ("下沉案件共办理244起,其中一般程序案件217起,简易程序27起,共涉及11个类型。"
            "全年审查1090件。其中,规范性文件2件,执法决定10件。"
            "共处理举报10件,分别为6件、5件。")
    figures, groups = find_figures(text)
    summary = [(g.total.value, [p.value for p in g.parts], g.complete) for g in groups]
    assert summary == [(244, [217, 27], False), (1090, [2, 10], False), (10, [6, 5], True)]
    eleven = next(f for f in figures if f.value == 11)
    assert eleven.group_id is None


def test_parts_must_share_the_total_unit():
    # a count of another measure where the first part should be ends the list: no group at all
    assert find_figures("共收到申请8件,其中自然人5人,企业3件。")[1] == []
    _, groups = find_figures("共收到申请8件,其中自然人申请5件(涉及5人),企业3件。")
    assert [(g.total.value, [p.value for p in g.parts]) for g in groups] == [(8, [5, 3])]


def test_sections_variants_and_table_rows_are_not_headings():
    body = ("报告说明。\n一.总体情况\n（一）主动公开情况\n二、主动公开政府信息情况\n表格\n"
            "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 0\n四、结转下年度继续办理 0\n"
            "四、政府信息公开行政复议、行政诉讼情况\n第五部分 存在的主要问题及改进情况\n六、其他需要报告的事项\n无。")
    sections = find_sections(body, "xxgk_annual", load_section_kinds())
    assert [s.numeral for s in sections] == ["一", "二", "三", "四", "第五部分", "六"]
    assert [s.kind for s in sections] == ["xx_overview", "xx_proactive", "xx_applications",
                                          "xx_review_litigation", "xx_problems", "xx_other"]


def test_folded_first_responsible_and_next_year_rules():
    body = ("2022年,某局推进法治建设。\n一、2022年主要工作情况\n(一)切实履行党政主要负责人推进法治建设第一责任人职责。内容。\n"
            "二、存在的问题\n问题若干。\n三、2022年工作安排\n安排。")
    sections = find_sections(body, "fazhi_annual", load_section_kinds())
    assert [(s.kind, s.standalone) for s in sections] == [
        ("fz_measures", True), (None, True), ("fz_next_year", True), ("fz_first_responsible", False)]
    folded = sections[-1]
    assert folded.ordinal is None and "第一责任人" in folded.heading
    assert body[folded.start:folded.end].startswith("(一)切实履行")
    assert sections[2].years == "2022"  # FZ-NEXT-1 reads this: names the report year, not the next


def test_bold_headings_without_numerals():
    paragraphs = ["<p><strong>主要举措和成效</strong></p>", "<p>2022年,本镇推进法治建设。</p>",
                  "<p><b>存在的不足和原因</b></p>", "<p>不足。</p>", "<p><strong>（一）子标题</strong></p>",
                  "<p><strong>2023年工作安排</strong></p>", "<p>安排。</p>"]
    html = "".join(paragraphs)
    body = "\n".join(re.sub(r"<[^>]+>", "", p) for p in paragraphs)
    sections = find_sections(body, "fazhi_annual", load_section_kinds(), html)
    assert [(s.heading, s.kind, s.numeral) for s in sections if s.standalone] == [
        ("主要举措和成效", "fz_measures", None), ("存在的不足和原因", "fz_shortcomings", None),
        ("2023年工作安排", "fz_next_year", None)]
    assert body[sections[1].start:].startswith("存在的不足和原因")


@pytest.mark.parametrize("body, standalone", [
    # 第一责任人 is the subject of a section under an unusual heading: standalone, not folded
    ("2022年,某局推进法治建设。\n一、2022年主要工作情况\n内容。\n二、强化组织领导,压实工作责任\n"
     "局党组书记、局长认真履行推进法治建设第一责任人职责,带头学法。\n三、存在的问题和原因\n问题。\n"
     "四、2023年工作安排\n安排。", True),
    # the same words as a numbered point inside the measures section: folded (hx038)
    ("2022年,某局推进法治建设。\n一、2022年主要工作情况\n(一)切实履行党政主要负责人推进法治建设第一责任人职责。内容。\n"
     "二、存在的问题和原因\n问题。\n三、2023年工作安排\n安排。", False),
    # an unusual heading whose first point (not its opening) mentions it: still folded
    ("2022年,某局推进法治建设。\n一、坚持党的领导\n(一)履行法治建设第一责任人职责。内容。\n"
     "二、存在的问题和原因\n问题。\n三、2023年工作安排\n安排。", False),
])
def test_first_responsible_under_an_unusual_heading(body, standalone):
    sections = find_sections(body, "fazhi_annual", load_section_kinds())
    rows = [s for s in sections if s.kind == "fz_first_responsible"]
    assert [s.standalone for s in rows] == [standalone]


@pytest.mark.parametrize("title, body, shown", [
    ("太湖县人民政府关于印发《太湖县人民政府工作规则》的通知", "太政〔2019〕3号\n各乡镇人民政府:…", "太政〔2019〕3号"),
    ("营站政办公开〔2023〕9号:关于检查情况的通报", "正文", "营站政办公开〔2023〕9号"),
    ("关于印发某办法的通知", "桐政办发[2023]12号\n各部门:", "桐政办发[2023]12号"),
    ("某镇2022年法治政府建设年度报告", "2022年,本镇…依据国办发〔2017〕47号文件…", None),  # cited, not its own
])
def test_doc_no_shown(title, body, shown):
    from audits.normalize.body_facts import doc_no_shown
    assert doc_no_shown(title, body) == shown


@pytest.mark.parametrize("body, day", [
    ("本部门2024年预算经县财政局于2024年2月1日批复。", (2024, 2, 1)),
    ("批复时间:2024-01-25。现将部门预算公开如下。", (2024, 1, 25)),
    ("根据《关于批复2024年部门预算的通知》(财预〔2024〕5号),现公开如下。", None),
    ("2024年1月20日,县人大常委会批准本级决算。", (2024, 1, 20)),
])
def test_approval_date(body, day):
    from audits.normalize.body_facts import approval_date
    found = approval_date(body)
    assert (found.year, found.month, found.day) == day if day else found is None


@pytest.mark.parametrize("body", [
    "2023年,我镇…\n第一部分 主要工作及成效\n…\n第四部分 2024年主要工作安排\n…",
    "2023年,我镇…\n一．2023年以来法治政府建设取得的主要成效\n…\n2024年法治政府建设工作思路\n…",
])
def test_body_agreeing_against_the_title_in_any_numbering(body):
    assert report_year("某镇2022年法治政府建设年度报告", body) == 2023
