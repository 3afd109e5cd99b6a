"""build_frames over a real SQLite store, the frame contracts, CSV export, the `frames`
command, and the strict loading of the section kinds file."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_USAGE, app
from audits.normalize import build_frames
from audits.normalize.frames import WIDE_COLUMNS
from audits.normalize.section_kinds import SectionKindsError, load_section_kinds
from govaudit.columns import DOCUMENT_COLUMNS, FRAMES
from govaudit.records import PageRecord
from govaudit.store import Store
from tests.seed_page import seed_record
from test_normalize_tables import OTHER_2021, T2_2021, T4, _t3

XXGK_URL = "http://www.example.gov.cn/xxgk/202401/t20240119_246126.html"


def xxgk_record() -> PageRecord:
    body_html = ("<p>一、总体情况</p><p>2023年,本街道共受理申请8件,其中网络申请5件,邮寄申请3件。</p>"
                 "<p>二、主动公开政府信息情况</p>" + T2_2021 + "<p>三、收到和处理政府信息公开申请情况</p>"
                 + _t3(OTHER_2021, {"new": (5, 0, 2, 1, 0, 0, 8)}) + "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + T4
                 + "<p>五、存在的主要问题及改进情况</p><p>问题和改进。</p><p>六、其他需要报告的事项</p><p>无。</p>")
    from lxml import html

    text = "\n".join(p.text_content() for p in html.fromstring(f"<div>{body_html}</div>").iter("p"))
    return PageRecord(
        url=XXGK_URL, site="demo", unit="沿江街道", unit_level="subdistrict", dialect="trs",
        page_title="沿江街道2023年政府信息公开工作年度报告", http_status=200, fetched_at="2024-02-01T00:00:00Z",
        meta_pairs=[["索 引 号：", "014421391/2024-246126"], ["发文日期", "2024-01-19"], ["发文日期:", "2024-01-19"]],
        body_text=text, body_html=body_html, attachments=[{"url": "http://x/a.pdf", "text": "附件", "status": "200"},
                     {"url": "http://x/b.pdf", "text": "附件2", "status": "404"}],
    )


def failed_record() -> PageRecord:
    return PageRecord(url="http://www.example.gov.cn/gone.html", site="demo", unit="沿江街道",
                      unit_level="subdistrict", dialect="trs", http_status=404, list_title="已删除的文件",
                      list_date="2024-01-02")


@pytest.fixture()
def store(tmp_path) -> Path:
    path = tmp_path / "store.sqlite3"
    with Store(path) as st:
        crawl_id = st.start_crawl("demo", ["沿江街道", "濮院镇"])
        for record in (xxgk_record(), failed_record(), seed_record()):
            st.save_page(crawl_id, record)
        st.finish_crawl(crawl_id, "complete", {})
    return path


@pytest.fixture()
def built(store):
    with Store(store) as st:
        return build_frames(st.pages(1), crawl_id=1)


def test_frames_follow_the_schema(built):
    for name, columns in FRAMES.items():
        if name == "findings":
            continue
        df = getattr(built, name)
        assert list(df.columns) == list(columns), name
        assert {c: str(t) for c, t in df.dtypes.items()} == {c: str(pd.Series([], dtype=t).dtype) for c, t in columns.items()}, name
    for name, columns in WIDE_COLUMNS.items():
        assert list(getattr(built, {"二": "table2_wide", "三": "table3_wide", "四": "table4_wide"}[name]).columns) == list(columns)


def test_xxgk_document_from_the_store(built):
    doc = built.documents.set_index("url").loc[XXGK_URL]
    assert doc["doc_id"] == "246126"
    assert doc["index_no"] == "014421391/2024-246126"
    assert doc["report_type"] == "xxgk_annual" and doc["report_year"] == 2023 and doc["table_template"] == "2021"
    assert doc["published_at"] == pd.Timestamp("2024-01-19") and doc["published_from"] == "issued_date"
    assert doc["attachment_count"] == 2
    if "broken_attachments" in DOCUMENT_COLUMNS:
        assert doc["broken_attachments"] == 1
    assert doc["fetched_at"] == pd.Timestamp("2024-02-01", tz="UTC")
    assert pd.isna(doc["parse_problems"])
    kinds = built.sections[built.sections["url"] == XXGK_URL]
    assert list(kinds[kinds["standalone"]]["kind"]) == ["xx_overview", "xx_proactive", "xx_applications",
                                                         "xx_review_litigation", "xx_problems", "xx_other"]


def test_wide_tables(built):
    wide = built.table3_wide.set_index("url").loc[XXGK_URL]
    assert wide["template"] == "2021"
    assert wide["new__natural"] == 5 and wide["new__total"] == 8
    assert pd.isna(wide["other__total"])  # the 2019-only row is absent in a 2021 table
    four = built.table4_wide.set_index("url").loc[XXGK_URL]
    assert four["cases__review_total"] == 3 and pd.isna(four["cases__suit_after_review_upheld"])
    two = built.table2_wide.set_index("url").loc[XXGK_URL]
    assert two["normative_docs__in_force"] == 25 and pd.isna(two["rules__made"])
    long = built.table_cells[built.table_cells["url"] == XXGK_URL]
    assert set(long["table"]) == {"二", "三", "四"}


def test_unfetched_page_is_a_document_with_its_error(built):
    doc = built.documents.set_index("url").loc["http://www.example.gov.cn/gone.html"]
    assert doc["fetch_error"] == "HTTP 404"
    assert doc["report_type"] == "other"
    assert doc["title"] == "已删除的文件" and doc["list_date"] == pd.Timestamp("2024-01-02")
    assert pd.isna(doc["parse_problems"])


def test_groups_in_the_narrative(built):
    groups = built.figure_groups[built.figure_groups["url"] == XXGK_URL]
    assert list(zip(groups["total"], groups["parts_sum"])) == [(8, 8)]


def test_to_csv_writes_utf8_with_bom(built, tmp_path):
    written = built.to_csv(tmp_path / "out")
    assert {p.name for p in written} >= {"documents.csv", "sections.csv", "table_cells.csv", "table3_wide.csv"}
    raw = (tmp_path / "out" / "documents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader((tmp_path / "out" / "documents.csv").open(encoding="utf-8-sig")))
    assert {r["unit"] for r in rows} >= {"沿江街道"}


def test_frames_command_prints_and_exports(store, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["frames", "--store", str(store), "--crawl", "latest", "--frame", "sections",
                                 "--unit", "沿江街道"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "xx_review_litigation" in result.output and "sections of crawl 1" in result.output
    result = runner.invoke(app, ["frames", "--store", str(store), "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "csv" / "figure_groups.csv").exists()


@pytest.mark.parametrize("args, message", [
    (["--frame", "nope"], "unknown frame"),
    (["--crawl", "99"], "no crawl with id 99"),
])
def test_frames_command_usage_errors(store, args, message):
    result = CliRunner().invoke(app, ["frames", "--store", str(store), *args])
    assert result.exit_code == EXIT_USAGE
    assert message in result.output


KINDS_OK = """\
fazhi_annual:
  kinds:
    fz_measures:
      any: [举措]
"""


@pytest.mark.parametrize("text, line, message", [
    (KINDS_OK.replace("any:", "anyy:"), 4, "unknown key 'anyy'"),
    (KINDS_OK.replace("[举措]", "['举措(']"), 4, "is not a valid pattern"),
    (KINDS_OK + "    fz_measures:\n      any: [x]\n", 5, "appears twice"),
    (KINDS_OK.replace("  kinds:", "  fallback_kind: fz_nothing\n  kinds:"), 2, "fallback_kind 'fz_nothing'"),
    (KINDS_OK.replace("any: [举措]", "any: 举措"), 4, "must be a list"),
])
def test_section_kinds_typo_names_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "section_kinds.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SectionKindsError) as err:
        load_section_kinds(path)
    assert f"{path}:{line}:" in str(err.value)
    assert message in str(err.value)


def test_shipped_section_kinds_load():
    kinds = load_section_kinds()
    assert {"fazhi_annual", "xxgk_annual"} <= set(kinds.families)
    assert [k.item for k in kinds.families["xxgk_annual"].kinds if k.item] == [1, 4, 3, 2, 6, 5]
