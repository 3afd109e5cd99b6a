"""The one label file (crawler/metadata_labels.yml): TRS, gkmlpt and Hanweb labels read into the same fields."""
from __future__ import annotations

from pathlib import Path

import pytest

from audits.normalize.labels import field_for
from audits.normalize.metadata import read_metadata
from crawler.detail import extract_detail
from govaudit.records import PageRecord
from crawler.labels import LabelFileError, field_synonyms


@pytest.mark.parametrize("printed, field", [
    ("索 引 号：", "index_no"), ("索　引　号", "index_no"), ("索引号:", "index_no"),
    ("成文日期：", "issued_date"), ("发文日期", "issued_date"), ("发布日期：", "published_at"),
    ("发文字号：", "doc_no"), ("文号", "doc_no"), ("文件编号", "doc_no"),
    ("发文机关：", "publisher"), ("发布机构", "publisher"), ("主题分类：", "category"), ("组配分类", "category"),
    ("有 效 性：", "validity"), ("标　　题：", "title"), ("浏览次数：", None),
])
def test_printed_label_names_its_field(printed, field):
    assert field_for(printed) == field


TRS_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>
<table class="xxgk-info">
  <tr><td>索 引 号：</td><td>001008004002041/2023-100012</td><td>主题分类：</td><td>城乡建设、环境保护</td></tr>
  <tr><td>发文机关：</td><td>桐乡市交通运输局</td><td>成文日期：</td><td>2023年02月10日</td></tr>
  <tr><td>标　　题：</td><td colspan="3">桐乡市交通运输局关于……的通知</td></tr>
  <tr><td>发文字号：</td><td>桐交发〔2023〕3号</td><td>发布日期：</td><td>2023年02月16日</td></tr>
  <tr><td>公开方式：</td><td>主动公开</td><td>有 效 性：</td><td>有效</td></tr>
</table>
<div class="TRS_Editor"><div class="Custom_UnionStyle"><p>正文。</p></div></div></body></html>"""


def test_trs_metadata_table_reads_into_document_fields():
    parts = extract_detail(TRS_PAGE, "http://x.gov.cn/xxgk/202302/t20230216_4100012.html")
    record = PageRecord(url="u", site="s", unit="桐乡市交通运输局", unit_level="department", dialect="trs",
                        meta_pairs=parts.meta_pairs, body_text=parts.body_text, html=TRS_PAGE)
    meta = read_metadata(record)
    values = {k: (v.date().isoformat() if hasattr(v, "date") else v) for k, v in meta.values.items()}
    assert values["index_no"] == "001008004002041/2023-100012"
    assert values["publisher"] == "桐乡市交通运输局"
    assert values["issued_date"] == "2023-02-10"  # 成文日期 is the issued date …
    assert values["published_at"] == "2023-02-16"  # … and 发布日期 the publication date
    assert values["doc_no"] == "桐交发〔2023〕3号"
    assert values["category"] == "城乡建设、环境保护" and values["validity"] == "有效"
    assert values["disclosure_mode"] == "主动公开" and meta.problems == []
    assert parts.body_text == "正文。"


def test_label_file_errors_name_file_and_line(tmp_path: Path):
    bad = tmp_path / "labels.yml"
    bad.write_text("index_no: [索引号]\npublisher: [发布机构, 索 引 号]\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=rf"{bad}:2: label '索引号' already names field 'index_no'"):
        field_synonyms(bad)
    bad.write_text("index_no: 索引号\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=rf"{bad}:1: field 'index_no' needs a non-empty list"):
        field_synonyms(bad)
