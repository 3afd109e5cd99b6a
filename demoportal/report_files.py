"""The bytes of every attachment file that holds a report, rendered on request.

A document published as a file (`attachment_reports`) names its files in `attachments`;
the first is the report, a second (.xlsx) holds its table 三. Rendering a PDF takes a good
fraction of a second, so the last few files are kept.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from . import attachment_files as files
from .model import Document
from .xxgk_tables import XxgkTables, table3_html

CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Real portals serve most files as a generic download; the reader must not trust the type.
GENERIC = "application/octet-stream"


class ReportFiles:
    """`blocks(doc)` and `tables(doc)` are the portal's: what the report says and its tables."""

    def __init__(self, seed: int, documents: list[Document], blocks: Callable[[Document], list[tuple[str, str]]],
                 tables: Callable[[Document], XxgkTables | None]):
        self.seed, self.blocks, self.tables = seed, blocks, tables
        self.owner: dict[str, tuple[Document, int]] = {
            name: (doc, k) for doc in documents if doc.flags.get("attached_report")
            for k, (name, _status) in enumerate(doc.attachments)}
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    def __contains__(self, name: str) -> bool:
        return name in self.owner

    def file(self, name: str) -> tuple[bytes, str]:
        data = self._cache.get(name)
        if data is None:
            data = self.render(name)
            self._cache[name] = data
            if len(self._cache) > 16:
                self._cache.popitem(last=False)
        ext = name.rsplit(".", 1)[-1]
        return data, CONTENT_TYPES[ext] if self.owner[name][0].unit.level == "county_gov" else GENERIC

    def render(self, name: str) -> bytes:
        doc, k = self.owner[name]
        form = doc.flags["attached_report"]
        blocks = self.blocks(doc)
        if form == "scan":
            return files.scanned_pdf(f"{self.seed}:{doc.doc_id}", pages=3)
        if form == "encrypted":
            return files.pdf_report(doc.title, blocks, encrypt_with=f"tx{doc.doc_id}")
        if form == "truncated":
            return files.truncated(files.pdf_report(doc.title, blocks))
        if form == "pdf":
            return files.pdf_report(doc.title, blocks)
        tables = self.tables(doc) if form == "docx+xlsx" else None
        table3 = table3_html(tables) if tables is not None else None
        if k == 1 and table3 is not None:
            return files.xlsx_tables([("表三 收到和处理政府信息公开申请情况", table3)])
        if table3:
            blocks = [("p", "（本表见附件2）") if kind == "table" and text == table3 else (kind, text)
                      for kind, text in blocks]
        return files.docx_report(doc.title, blocks)
