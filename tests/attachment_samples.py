"""Attachment files for the tests, written by the demo portal's own writers from one report.

Built once per session (rendering a PDF takes a fraction of a second): the portal's clean
reports of one year, their ground-truth table 三, and each published as PDF, .docx, .xlsx and
.xls (the .xls written with xlwt, which the demo portal does not need).
"""
from __future__ import annotations

import io
from functools import lru_cache

from demoportal import build_portal
from demoportal.attachment_files import docx_report, pdf_report, xlsx_tables
from demoportal.table_layout import table_slots
from demoportal.xxgk_tables import table3_html

# Demo table 三 row keys → the normaliser's (regulations.md B5).
T3_KEYS = {"new": "new", "carried": "carried", "open": "granted", "partial": "partial", "total": "outcome_total",
           "next": "carry_next", "other": "other",
           **{f"deny{i}": f"refused_{i}" for i in range(1, 9)}, **{f"unable{i}": f"unavailable_{i}" for i in range(1, 4)},
           **{f"reject{i}": f"not_processed_{i}" for i in range(1, 6)}, **{f"other{i}": f"other_{i}" for i in range(1, 4)}}
T3_COLS = ["natural", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]


@lru_cache(maxsize=1)
def portal():
    return build_portal(7, 300)


def clean_report(kind: str, year: int = 2023):
    p = portal()
    return next(d for d in p.documents if d.report_type == kind and d.report_year == year and not d.defects
                and not d.reserved and not d.flags.get("attached_report") and "copy_of" not in d.flags
                and "copy_peer" not in d.flags)


def expected_t3(doc) -> dict[tuple[str, str], float]:
    t3 = portal().tables(doc).t3
    return {(T3_KEYS[k], col): float(v) for k, values in t3.items() for col, v in zip(T3_COLS, values)}


@lru_cache(maxsize=None)
def sample(kind: str, fmt: str) -> bytes:
    doc = clean_report(kind)
    blocks = portal().report_blocks(doc)
    if fmt == "pdf":
        return pdf_report(doc.title, blocks)
    if fmt == "docx":
        return docx_report(doc.title, blocks)
    table3 = table3_html(portal().tables(doc))
    if fmt == "xlsx":
        return xlsx_tables([("表三", table3)])
    if fmt == "xls":
        return xls_table(table3)
    raise ValueError(fmt)


def xls_table(table_html: str) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("表三")
    _, _, slots = table_slots(table_html)
    for s in slots:
        value: object = int(s.text) if s.text.isdigit() else s.text
        if s.rowspan > 1 or s.colspan > 1:
            sheet.write_merge(s.row, s.row + s.rowspan - 1, s.col, s.col + s.colspan - 1, value)
        else:
            sheet.write(s.row, s.col, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
