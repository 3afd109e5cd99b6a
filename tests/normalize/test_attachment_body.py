"""Which text counts as the report: a stub page takes its attachment's, a full page keeps its own."""
from __future__ import annotations

import hashlib

from audits.normalize.attachments.body import choose_body, is_stub
from audits.normalize.documents import normalise_page
from audits.normalize.section_kinds import load_section_kinds
from demoportal.attachment_files import scanned_pdf
from demoportal.bodies import blocks_text
from govaudit.records import PageRecord
from tests.attachment_samples import clean_report, portal, sample

STUB = "根据《中华人民共和国政府信息公开条例》等规定，现将本单位年度报告予以公开（详见附件）。"


def _record(body: str, files: dict[str, bytes], title: str, names: list[str] | None = None) -> PageRecord:
    attachments = []
    for i, (ext, data) in enumerate(files.items()):
        name = (names or [])[i] if names else f"附件{i + 1}.{ext}"
        attachments.append({"url": f"http://127.0.0.1/module/download/downfile.jsp?filename=f{i}.{ext}",
                            "text": name, "status": "200", "download": "1",
                            "sha256": hashlib.sha256(data).hexdigest(), "size": str(len(data))})
    return PageRecord(url="http://127.0.0.1/art/2024/1/10/art_1_1.html", site="t", unit="测试局",
                      unit_level="department", dialect="hanweb", page_title=title, http_status=200,
                      body_text=body, body_html=f"<p>{body}</p>", attachments=attachments,
                      meta_pairs=[["索引号：", "001008004002012/2024-000001"], ["发布机构：", "测试局"]])


def _reader(*files: bytes):
    store = {hashlib.sha256(data).hexdigest(): data for data in files}
    return store.get


def test_stub_detection():
    assert is_stub(STUB) and is_stub("") and is_stub("详见附件")
    assert not is_stub(blocks_text(portal().report_blocks(clean_report("fazhi_annual"))))


def test_stub_page_takes_the_pdf_as_its_body_and_is_audited_like_html():
    doc = clean_report("fazhi_annual")
    pdf = sample("fazhi_annual", "pdf")
    page = normalise_page(_record(STUB, {"pdf": pdf}, doc.title), 1, load_section_kinds(), _reader(pdf))
    row = page.document
    assert row["body_source"] == "pdf" and row["attachment_problem"] is None
    assert row["report_type"] == "fazhi_annual" and row["report_year"] == doc.report_year
    assert {s.kind for s in page.sections if s.standalone} >= {"fz_measures", "fz_shortcomings", "fz_next_year"}
    assert row["body_length"] > 1000 and len(page.figures) >= 10


def test_stub_page_with_docx_report_and_xlsx_table_three():
    doc = clean_report("xxgk_annual")
    docx, xlsx = sample("xxgk_annual", "docx"), sample("xxgk_annual", "xlsx")
    page = normalise_page(_record(STUB, {"docx": docx, "xlsx": xlsx}, doc.title), 1, load_section_kinds(),
                          _reader(docx, xlsx))
    assert page.document["body_source"] == "docx"
    tables = {c.table for c in page.tables.cells}
    assert tables == {"二", "三", "四"}
    cells = {(c.row_key, c.col_key): c.value for c in page.tables.cells if c.table == "三"}
    assert len(cells) == 25 * 7
    assert page.document["table_template"] == "2021"


def test_full_html_body_stays_the_body_and_takes_only_missing_tables_from_attachments():
    doc = clean_report("xxgk_annual")
    blocks = [(k, t) for k, t in portal().report_blocks(doc) if not (k == "table" and "申请人情况" in t)]
    text = blocks_text(blocks)
    xlsx = sample("xxgk_annual", "xlsx")
    record = _record(text, {"xlsx": xlsx}, doc.title)
    record.body_html = "".join(t if k == "table" else f"<p>{t}</p>" for k, t in blocks)
    body = choose_body(record, text, _reader(xlsx))
    assert body.source == "html" and body.text == text and "申请人情况" in body.extra_html
    page = normalise_page(record, 1, load_section_kinds(), _reader(xlsx))
    assert page.document["body_source"] == "html"
    assert {c.table for c in page.tables.cells} == {"二", "三", "四"}


def test_stub_page_whose_only_attachment_is_a_scan_cannot_be_checked():
    doc = clean_report("fazhi_annual")
    scan = scanned_pdf("x")
    page = normalise_page(_record(STUB, {"pdf": scan}, doc.title), 1, load_section_kinds(), _reader(scan))
    row = page.document
    assert row["body_source"] == "pdf" and row["body_length"] == 0 and not page.sections
    assert "扫描件，无文字层" in row["attachment_problem"] and "附件1.pdf" in row["attachment_problem"]


def test_failed_download_and_missing_bytes_are_reasons_too():
    record = _record(STUB, {}, "某局2024年法治政府建设年度报告")
    record.attachments = [{"url": "http://127.0.0.1/a.pdf", "text": "报告.pdf", "status": "error", "download": "1",
                           "error": "attachment too large: … GOVAUDIT_ATTACHMENT_MAXSIZE=10 bytes"}]
    body = choose_body(record, STUB, _reader())
    assert "未能下载" in body.problem and "GOVAUDIT_ATTACHMENT_MAXSIZE" in body.problem
    record.attachments[0].update(status="200", sha256="0" * 64)
    assert "不在存储库中" in choose_body(record, STUB, _reader()).problem


def test_pages_without_downloaded_attachments_are_untouched():
    record = _record(STUB, {}, "通知")
    record.attachments = [{"url": "http://127.0.0.1/a.pdf", "text": "附件1.pdf", "status": "200"}]
    body = choose_body(record, STUB, None)
    assert (body.text, body.source, body.problem) == (STUB, "html", None)


def test_a_file_over_the_size_limit_is_not_a_broken_link_but_leaves_the_report_unchecked():
    record = _record(STUB, {}, "某局2024年法治政府建设年度报告")
    record.attachments = [{"url": "http://127.0.0.1/a.pdf", "text": "报告.pdf", "status": "too_large", "download": "1",
                           "error": "attachment too large: … GOVAUDIT_ATTACHMENT_MAXSIZE=10 bytes"}]
    row = normalise_page(record, 1, load_section_kinds(), _reader()).document
    assert row["broken_attachments"] is None
    assert "GOVAUDIT_ATTACHMENT_MAXSIZE" in row["attachment_problem"]
