"""Annual reports published only as attachment files, with their ground truth.

The three `ATTACHMENT_UNITS` publish each 法治政府建设 and 政府信息公开 annual report of
2022–2025 as a detail page whose body is one sentence ("详见附件") and a file: a PDF with a
text layer, a .docx, a .docx with table 三 as an .xlsx workbook, and the broken files real
portals serve (a scan without text, an encrypted PDF, a truncated PDF). Defects are injected
inside the files with the same flags the HTML reports use, so the same rules must find them;
a file that cannot be read is an ATTACH-2 "could not check". Everything is drawn from
Random(f"{seed}:attachment-reports") and appended after the portal's own documents, whose
ids, dates and defects are untouched.
"""
from __future__ import annotations

import hashlib
from datetime import date
from random import Random

from .attachment_units import ATTACHMENT_UNITS
from .model import Defect, Document

YEARS = range(2022, 2026)
# (unit, report type, year) → how the report is published, and the defect inside it.
#   pdf | docx | docx+xlsx (table 三 in a workbook) | scan | encrypted | truncated
# Unreadable files are the last reports of their series: the next year's report would
# otherwise be "could not check" for COPY-1 (nothing to compare it with), a page the manifest
# calls clean.
PLAN: dict[tuple[int, str, int], tuple[str, dict, Defect | None]] = {
    (0, "fazhi_annual", 2025): ("scan", {}, Defect("ATTACH-2", "report is a scanned PDF without a text layer")),
    (0, "fazhi_annual", 2023): ("pdf", {"drop": 2}, Defect("FZ-SEC-2", "section kind 2 missing (in the PDF)")),
    (0, "xxgk_annual", 2024): ("pdf", {"tables": "I3-1"},
                               Defect("I3-1", "table 三 column identity broken (结转下年) in the PDF")),
    (1, "fazhi_annual", 2024): ("docx", {"fig": "FIG-1"},
                                Defect("FIG-1", "其中 parts exceed the 共 total (in the .docx)")),
    (1, "xxgk_annual", 2023): ("docx+xlsx", {"tables": "I3-3"},
                               Defect("I3-3", "table 三 (七)总计 differs from the sum of outcome rows (in the .xlsx)")),
    (2, "fazhi_annual", 2024): ("encrypted", {}, Defect("ATTACH-2", "report PDF is encrypted")),
    (2, "fazhi_annual", 2025): ("truncated", {}, Defect("ATTACH-2", "report PDF is truncated")),
    (2, "xxgk_annual", 2025): ("scan", {}, Defect("ATTACH-2", "report is a scanned PDF without a text layer")),
    (2, "xxgk_annual", 2023): ("pdf", {"tables": "I4-1"},
                               Defect("I4-1", "table 四 行政复议 总计 differs from its parts (in the PDF)")),
}
DEFAULT_FORMAT = {0: "pdf", 1: "docx", 2: "pdf"}  # clean reports of each unit
XXGK_DEFAULT = {1: "docx+xlsx", 2: "docx"}
EXTENSIONS = {"pdf": ("pdf",), "docx": ("docx",), "docx+xlsx": ("docx", "xlsx"), "scan": ("pdf",),
              "encrypted": ("pdf",), "truncated": ("pdf",)}


def published_as(unit_index: int, kind: str, year: int) -> tuple[str, dict, Defect | None]:
    if (unit_index, kind, year) in PLAN:
        return PLAN[(unit_index, kind, year)]
    if kind == "xxgk_annual" and unit_index in XXGK_DEFAULT and year % 2 == 0:
        return XXGK_DEFAULT[unit_index], {}, None
    return DEFAULT_FORMAT[unit_index], {}, None


def attachment_documents(seed: int, docs: list[Document]) -> list[Document]:
    """The attachment-published reports, keyed after `docs` and with ids above theirs."""
    from .generator import _report  # the same dates, titles and categories as the other reports

    r = Random(f"{seed}:attachment-reports")
    out: list[Document] = []
    for index, unit in enumerate(ATTACHMENT_UNITS):
        for year in YEARS:
            for kind in ("fazhi_annual", "xxgk_annual"):
                doc = _report(r, len(docs) + len(out), unit, kind, year)
                form, flags, defect = published_as(index, kind, year)
                doc.publisher = doc.source = unit.full_name
                doc.flags.update(flags, attached_report=form)
                if defect:
                    doc.defects.append(Defect(defect.rule_id, defect.detail))
                for k, ext in enumerate(EXTENSIONS[form]):
                    name = hashlib.md5(f"{seed}:attached:{doc.key}:{k}".encode()).hexdigest()
                    doc.attachments.append([f"{name}.{ext}", 200])
                out.append(doc)
    next_id = max(d.doc_id for d in docs) + 1000 + r.randint(0, 999)
    taken = {d.serial for d in docs}
    serial = len(docs)
    for doc in sorted(out, key=lambda d: (d.published, d.key)):
        next_id += r.randint(1, 40)
        doc.doc_id = next_id
        while (s := 100_000 + (serial * 7919) % 900_000) in taken:
            serial += 1
        doc.serial, serial = s, serial + 1
    return out


def stub_blocks(doc: Document) -> list[tuple[str, str]]:
    """What the detail page itself says: one sentence pointing at the file."""
    issued = doc.issued if isinstance(doc.issued, date) else doc.published.date()
    return [("p", f"根据《中华人民共和国政府信息公开条例》等规定，现将《{doc.title}》予以公开（详见附件）。"),
            ("p", f"{doc.unit.full_name}"), ("p", f"{issued.year}年{issued.month}月{issued.day}日")]
