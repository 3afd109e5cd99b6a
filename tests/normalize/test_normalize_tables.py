"""Tables 二, 三, 四 read from report HTML with merged cells; template detection."""
from __future__ import annotations

import pytest

from audits.normalize.grid import html_tables
from audits.normalize.tables import read_tables

COLS = "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"


def _t3(other_rows: str, values: dict[str, tuple] | None = None) -> str:
    values = values or {}
    outcome_rows = 2 + 8 + 3 + 5 + other_rows.count("<tr>") + 1

    def cells(key: str) -> str:
        return COLS.format(*values.get(key, (0, 0, 0, 0, 0, 0, 0)))

    refused = "".join(
        f"<tr>{'<td rowspan=8>(三)不予公开</td>' if i == 1 else ''}<td>{i}.{label}</td>{cells(f'refused_{i}')}</tr>"
        for i, label in enumerate(["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                                   "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"], 1))
    not_processed = "".join(
        f"<tr>{'<td rowspan=5>(五)不予处理</td>' if i == 1 else ''}<td>{i}.{label}</td>{cells(f'not_processed_{i}')}</tr>"
        for i, label in enumerate(["信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                                   "要求行政机关确认或重新出具已获取信息"], 1))
    return f"""
<p>(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)</p>
<table border=1>
 <tr><td colspan=3 rowspan=3>(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)</td>
     <td colspan=7>申请人情况</td></tr>
 <tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>
 <tr><td>商业<br/>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
 <tr><td colspan=3>一、本年新收政府信息公开申请数量</td>{cells('new')}</tr>
 <tr><td colspan=3>二、上年结转政府信息公开申请数量</td>{cells('carried')}</tr>
 <tr><td rowspan={outcome_rows}>三、本年度办理结果</td><td colspan=2>(一)予以公开</td>{cells('granted')}</tr>
 <tr><td colspan=2>(二)部分公开(区分处理的,只计这一情形,不计其他情形)</td>{cells('partial')}</tr>
 {refused}
 <tr><td rowspan=3>(四)无法提供</td><td>1.本机关不掌握相关政府信息</td>{cells('unavailable_1')}</tr>
 <tr><td>2.没有现成信息需要另行制作</td>{cells('unavailable_2')}</tr>
 <tr><td>3.补正后申请内容仍不明确</td>{cells('unavailable_3')}</tr>
 {not_processed}
 {other_rows}
 <tr><td colspan=2>(七)总计</td>{cells('outcome_total')}</tr>
 <tr><td colspan=3>四、结转下年度继续办理</td>{cells('carry_next')}</tr>
</table>"""


OTHER_2021 = "".join(
    f"<tr>{'<td rowspan=3>(六)其他处理</td>' if i == 1 else ''}<td>{i}.{label}</td>" + COLS.format(0, 0, 0, 0, 0, 0, 0) + "</tr>"
    for i, label in enumerate(["申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                               "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他"], 1))
OTHER_2019 = "<tr><td colspan=2>(六)其他处理</td>" + COLS.format(0, 0, 0, 0, 0, 0, 0) + "</tr>"

T4 = """<table>
<tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>
<tr><td rowspan=2>结果维持</td><td rowspan=2>结果纠正</td><td rowspan=2>其他结果</td><td rowspan=2>尚未审结</td>
    <td rowspan=2>总计</td><td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>
    <td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
<tr><td>1</td><td>2</td><td>0</td><td>0</td><td>3</td><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td>
    <td>/</td><td></td><td>0</td><td>0</td><td>0</td></tr>
</table>"""

T2_2021 = """<table>
<tr><td colspan=4>第二十条第(一)项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>/</td><td>/</td><td>/</td></tr>
<tr><td>行政规范性文件</td><td>5</td><td>1</td><td>25</td></tr>
<tr><td colspan=4>第二十条第(五)项</td></tr>
<tr><td>信息内容</td><td colspan=3>本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan=3>221</td></tr>
<tr><td colspan=4>第二十条第(八)项</td></tr>
<tr><td>信息内容</td><td colspan=3>本年收费金额(单位:万元)</td></tr>
<tr><td>行政事业性收费</td><td colspan=3>190.457379</td></tr>
</table>"""

T2_2019 = """<table>
<tr><td colspan=4>第二十条第(一)项</td></tr>
<tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>规范性文件</td><td></td><td></td><td></td></tr>
</table>"""


def _cells(tables, table):
    return {(c.row_key, c.col_key): c for c in tables.cells if c.table == table}


def test_spans_expand_into_a_grid():
    grid = html_tables("<table><tr><td rowspan=2 colspan=2>A</td><td>b</td></tr><tr><td>c</td></tr></table>")[0]
    assert grid == [["A", "A", "b"], ["A", "A", "c"]]


def test_table_three_2021_keys_values_and_template():
    values = {"new": (5, 0, 2, 1, 0, 0, 8), "refused_3": (1, 0, 0, 0, 0, 0, 1), "carry_next": ("/", "", 0, 0, 0, 0, 0)}
    tables = read_tables(_t3(OTHER_2021, values) + T2_2021)
    cells = _cells(tables, "三")
    assert len(cells) == 25 * 7  # new, carried, 21 outcome rows, total, carry_next
    assert cells[("new", "natural")].value == 5 and cells[("new", "total")].value == 8
    assert cells[("new", "research")].value == 2 and cells[("new", "public_interest")].value == 1
    assert cells[("refused_3", "natural")].value == 1
    assert {k[0] for k in cells} >= {"granted", "partial", "unavailable_3", "not_processed_5", "other_3", "outcome_total", "carried"}
    assert cells[("carry_next", "natural")].value is None and cells[("carry_next", "natural")].raw == "/"
    assert cells[("carry_next", "commercial")].value is None  # blank is null, not zero
    assert "(三)不予公开" in cells[("refused_3", "total")].row_label
    assert cells[("new", "commercial")].col_label.endswith("商业企业")
    assert tables.template == "2021"
    assert tables.problems == []


def test_table_three_2019_other_row():
    tables = read_tables(_t3(OTHER_2019) + T2_2019)
    rows = {c.row_key for c in tables.cells if c.table == "三"}
    assert "other" in rows and "other_1" not in rows
    assert tables.template == "2019"


def test_table_four_blocks():
    cells = _cells(read_tables(T4), "四")
    assert len(cells) == 15
    assert cells[("cases", "review_upheld")].value == 1
    assert cells[("cases", "review_total")].value == 3
    assert cells[("cases", "suit_direct_pending")].value == 1
    assert cells[("cases", "suit_after_review_upheld")].value is None
    assert cells[("cases", "suit_after_review_corrected")].raw == ""


def test_table_two_2021():
    tables = read_tables(T2_2021)
    cells = _cells(tables, "二")
    assert cells[("rules", "made")].value is None
    assert cells[("normative_docs", "in_force")].value == 25
    assert cells[("licensing", "decisions")].value == 221
    assert cells[("fees", "fee_amount")].value == pytest.approx(190.457379)
    assert tables.template == "2021"


@pytest.mark.parametrize("raw", ["abc", "5件", "约3"])
def test_junk_cells_are_null_with_a_reason(raw):
    tables = read_tables(_t3(OTHER_2021, {"new": (raw, 0, 0, 0, 0, 0, 0)}))
    assert _cells(tables, "三")[("new", "natural")].value is None
    assert tables.problems == [f"table 三 cell new/natural {raw!r} is not a number"]


def test_template_from_text_when_tables_are_flattened():
    assert read_tables("", "信息内容 本年新制作数量 本年新公开数量").template == "2019"
    assert read_tables("", "信息内容 本年制发件数").template == "2021"
    assert read_tables("<table><tr><td>x</td></tr></table>", "").template is None
