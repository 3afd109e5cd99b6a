"""Files that cannot be read give a reason, never a crash, and stay within the memory caps."""
from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from audits.normalize.attachments.extract import extract_attachment
from audits.normalize.attachments.model import Limits, Unreadable
from demoportal.attachment_files import pdf_report, scanned_pdf, truncated
from tests.attachment_samples import clean_report, portal, sample

MiB = 1024 * 1024


def _reason(data: bytes, ext: str, limits: Limits = Limits()) -> str:
    with pytest.raises(Unreadable) as caught:
        extract_attachment(data, ext, limits)
    return str(caught.value)


def test_scanned_pdf_is_a_scan_without_text_layer():
    assert _reason(scanned_pdf("scan", pages=2), "pdf").startswith("扫描件，无文字层")


def test_encrypted_pdf_says_it_needs_a_password():
    doc = clean_report("fazhi_annual")
    data = pdf_report(doc.title, portal().report_blocks(doc), encrypt_with="secret")
    assert "已加密" in _reason(data, "pdf")


@pytest.mark.parametrize("share", [0.3, 0.6, 0.95])
def test_truncated_pdf_is_incomplete(share):
    assert "不完整" in _reason(truncated(sample("fazhi_annual", "pdf"), share), "pdf")


def test_pdf_with_damaged_body_but_intact_end_is_unreadable_not_a_crash():
    data = bytearray(sample("fazhi_annual", "pdf"))
    data[200:4000] = b"\x00" * 3800  # objects destroyed, %%EOF still there
    reason = _reason(bytes(data), "pdf")
    assert "PDF" in reason


def test_pdf_beyond_the_page_limit_is_read_in_part_with_a_note():
    extracted = extract_attachment(sample("fazhi_annual", "pdf"), "pdf", Limits(max_pages=1))
    assert extracted.pages == 1 and "只读取了前 1 页" in extracted.notes[0]


def test_html_error_page_served_as_the_file():
    assert "网页" in _reason("<!DOCTYPE html><html><body>404 文件不存在</body></html>".encode(), "pdf")


def test_garbage_and_empty_files():
    assert "无法识别" in _reason(b"\x01\x02garbage" * 10, "pdf")
    assert "无法识别" in _reason(b"", "docx")


@pytest.mark.parametrize("ext", ["docx", "xlsx"])
def test_truncated_zip_office_file(ext):
    assert "损坏" in _reason(sample("xxgk_annual", ext)[:3000], ext)


def _bomb(ext: str, inflated_mib: int) -> bytes:
    """A valid-looking Office archive whose main part inflates to `inflated_mib` MiB of zeros."""
    part = "word/document.xml" if ext == "docx" else "xl/workbook.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(part, "w", force_zip64=True) as member:
            block = b"\x00" * MiB
            for _ in range(inflated_mib):
                member.write(block)
    return out.getvalue()


@pytest.mark.slow  # a stress input held to a memory bound
@pytest.mark.parametrize("ext", ["docx", "xlsx"])
def test_zip_bomb_is_refused_within_a_memory_bound(ext):
    bomb = _bomb(ext, 256)
    assert len(bomb) < 2 * MiB  # 256 MiB inflated from well under 2 MiB
    tracemalloc.start()
    try:
        reason = _reason(bomb, ext)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "压缩炸弹" in reason
    # Bound: the bomb's own bytes plus parsing overhead, far below what inflating would take.
    assert peak < 32 * MiB, f"peak {peak / MiB:.1f} MiB while refusing a zip bomb"


def test_many_small_members_over_the_total_cap_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(40):
            archive.writestr(f"word/media/pad{i}.bin", bytes(range(256)) * 4096)  # 1 MiB each, ratio ~100
    reason = _reason(out.getvalue(), "docx", Limits(max_unzipped_bytes=16 * MiB))
    assert "16 MB" in reason and "压缩炸弹" in reason


def test_doc_without_libreoffice_names_the_missing_converter(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine where no converter is installed
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    reason = _reason(ole, "doc")
    assert "LibreOffice" in reason and "libreoffice-writer-nogui" in reason
    assert ".wps" in _reason(ole, "wps")


def test_a_page_with_too_many_characters_is_skipped_with_a_note():
    whole = extract_attachment(sample("fazhi_annual", "pdf"), "pdf")
    extracted = extract_attachment(sample("fazhi_annual", "pdf"), "pdf", Limits(max_page_chars=300))
    assert extracted.notes and all("超过上限 300" in note for note in extracted.notes)
    assert extracted.pages == whole.pages and len(extracted.lines) < len(whole.lines)
