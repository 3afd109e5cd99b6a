"""Reports read from PDF, .docx, .xlsx and .xls files: the same sections, table 三 cells and
figures as the report's HTML body gives, and table 三 equal to the generated numbers."""
from __future__ import annotations

import pytest

from audits.normalize.attachments.extract import extract_attachment
from audits.normalize.figure_groups import find_figures
from audits.normalize.section_kinds import load_section_kinds
from audits.normalize.sections import find_sections
from audits.normalize.tables import read_tables
from demoportal.bodies import blocks_text
from tests.attachment_samples import clean_report, expected_t3, portal, sample


def _t3(html: str, text: str = "") -> dict[tuple[str, str], float | None]:
    return {(c.row_key, c.col_key): c.value for c in read_tables(html, text).cells if c.table == "三"}


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx", "xls"])
def test_table_three_cells_equal_the_generated_values(fmt):
    doc = clean_report("xxgk_annual")
    extracted = extract_attachment(sample("xxgk_annual", fmt), fmt)
    assert extracted.source == fmt
    cells = _t3(extracted.html, extracted.text)
    assert cells == expected_t3(doc)
    assert len(cells) == 25 * 7  # every row of the 2021 template, every column


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_tables_two_and_four_read_as_from_the_html_body(fmt):
    doc = clean_report("xxgk_annual")
    blocks = portal().report_blocks(doc)
    html = "".join(text for kind, text in blocks if kind == "table")
    extracted = extract_attachment(sample("xxgk_annual", fmt), fmt)
    want = {(c.table, c.row_key, c.col_key): c.value for c in read_tables(html).cells}
    got = {(c.table, c.row_key, c.col_key): c.value for c in read_tables(extracted.html, extracted.text).cells}
    assert {t for t, _, _ in got} == {"二", "三", "四"}
    assert got == want


@pytest.mark.parametrize("kind", ["fazhi_annual", "xxgk_annual"])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_sections_found_as_in_the_html_body(kind, fmt):
    kinds = load_section_kinds()
    doc = clean_report(kind)
    html_text = blocks_text(portal().report_blocks(doc))
    extracted = extract_attachment(sample(kind, fmt), fmt)
    want = [(s.numeral, s.kind) for s in find_sections(html_text, kind, kinds) if s.standalone]
    got = [(s.numeral, s.kind) for s in find_sections(extracted.text, kind, kinds, extracted.html) if s.standalone]
    assert len(want) >= 4 and all(k for _, k in want)
    assert got == want


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_figures_found_as_in_the_html_body(fmt):
    doc = clean_report("fazhi_annual")
    html_figures, html_groups = find_figures(blocks_text(portal().report_blocks(doc)))
    extracted = extract_attachment(sample("fazhi_annual", fmt), fmt)
    figures, groups = find_figures(extracted.text)
    assert len(html_figures) >= 10
    assert [(f.value, f.unit) for f in figures] == [(f.value, f.unit) for f in html_figures]
    assert [(g.total.value, len(g.parts)) for g in groups] == [(g.total.value, len(g.parts)) for g in html_groups]


def test_pdf_paragraphs_survive_line_wrapping_and_page_breaks():
    doc = clean_report("fazhi_annual")
    paragraphs = [text for kind, text in portal().report_blocks(doc) if kind == "p"]
    extracted = extract_attachment(sample("fazhi_annual", "pdf"), "pdf")
    lines = set(extracted.lines)
    missing = [p[:30] for p in paragraphs if p not in lines]
    assert not missing, f"paragraphs not read back whole: {missing}"
    assert extracted.pages >= 2
    assert not any(line.strip("- ").isdigit() for line in extracted.lines)  # page numbers dropped


@pytest.mark.skipif(__import__("audits.normalize.attachments.word97", fromlist=["converter"]).converter() is None,
                    reason="LibreOffice is not installed (Debian libreoffice-writer-nogui); the could-not-check "
                           "path is tested in test_attachment_malformed")
def test_doc_converted_by_libreoffice_reads_like_the_docx(tmp_path):
    import subprocess

    from audits.normalize.attachments.word97 import converter

    source = tmp_path / "report.docx"
    source.write_bytes(sample("xxgk_annual", "docx"))
    subprocess.run([converter(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(source)], check=True, timeout=120,
                   capture_output=True)
    extracted = extract_attachment((tmp_path / "report.doc").read_bytes(), "doc")
    assert extracted.source == "doc"
    assert _t3(extracted.html, extracted.text) == expected_t3(clean_report("xxgk_annual"))
