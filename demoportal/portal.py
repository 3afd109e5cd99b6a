"""The demo portal as one object: units, documents, page rendering and the manifest.

`build_portal(seed, size)` is deterministic: the same arguments give byte-identical pages
and manifest. Pages are rendered on request; a small LRU keeps recently served detail
pages so a crawl that re-fetches a page does not pay for it twice.

Between two crawls the portal can change (`demoportal.changes`): `revise` edits a
body, `withdraw` removes a document, `publish` adds one. `last_modified` feeds the server's
Last-Modified headers, so conditional requests see exactly what moved.
"""
from __future__ import annotations

import dataclasses
import json
from collections import OrderedDict
from datetime import datetime, timedelta, timezone

from .attachment_reports import attachment_documents, stub_blocks
from .attachment_units import ATTACHMENT_UNITS
from .bodies import blocks_text, document_blocks, report_tables
from .catalog_pages import MAX_RECORDS_PER_PAGE, column_page, list_title
from .detail_page import render_detail
from .generator import build_documents
from .site_columns import COLUMNS_BY_ID, column_page as site_column_page, manifest_entries
from .model import Document
from .report_files import ReportFiles
from .dialect_docs import build_dialect_documents
from .dialect_pages import (CONTENT_END, dialect_detail, gkmlpt_api, gkmlpt_index, jpaas_column, trs_catalog,
                            trs_list_page)
from .styles import style_for
from .units import ALL_UNITS, HOST_TITLE, SITE_NAME, UNITS_BY_COLUMN, Unit
from .xxgk_tables import XxgkTables


class Portal:
    def __init__(self, seed: int, size: int, documents: list[Document], style: int | None = None,
                 per_page: int | None = None):
        self.seed, self.size = seed, size
        self.style_seed = style or None
        self.style = style_for(style)  # None: the default phrasing
        self.per_page = per_page
        self.units: tuple[Unit, ...] = ALL_UNITS + ATTACHMENT_UNITS
        self.units_by_column = {**UNITS_BY_COLUMN, **{u.column_id: u for u in ATTACHMENT_UNITS}}
        if per_page is not None:
            self._set_per_page(documents, per_page)
        self.documents = documents
        # Every document ever generated or published, by key: copies (COPY-1/COPY-2) point at
        # their source by key, which must survive a withdrawn document.
        self.by_key: list[Document] = list(documents)
        self.by_path = {d.url_path: d for d in documents}
        self.by_unit: dict[str, list[Document]] = {u.name: [] for u in self.units}
        for doc in sorted(documents, key=lambda d: (d.published, d.doc_id), reverse=True):
            self.by_unit[doc.unit.name].append(doc)
        self.attachments = {name: status for d in documents for name, status in d.attachments}
        # TRS W0… files and gkmlpt /attachment/ paths, by path.
        self.attachment_paths = {d.attachment_path(name): status for d in documents if d.unit.cms in ("trs", "gkmlpt")
                                 for name, status in d.attachments}
        # TRS channel directory → unit (a unit with sub-channels has several).
        self.trs_channels = {path.rsplit("/", 1)[0] + "/": u for u in ALL_UNITS if u.cms == "trs"
                             for path in u.catalog_paths}
        # Attachment files that hold a report; documents published later (changes) have none.
        self.report_files = ReportFiles(seed, documents, self.blocks, self.tables)
        self._pages: OrderedDict[str, str] = OrderedDict()
        self.revisions: dict[int, int] = {}  # doc id → times edited after publication
        self.changed_at: dict[int, float] = {}  # doc id → POSIX time of the last edit
        self.modified = max(_posix(d.published) for d in documents)  # newest change anywhere

    def _set_per_page(self, documents: list[Document], per_page: int) -> None:
        """Every Hanweb column lists `per_page` records a page (paging windows of 3 pages):
        the demo's own units list 5 to 15, and its three busiest 5, which makes their
        catalogs far longer in requests than a real column's 15 × 3. Documents are unchanged."""
        if not 1 <= per_page <= MAX_RECORDS_PER_PAGE:
            raise ValueError(f"per_page={per_page}: expected 1 to {MAX_RECORDS_PER_PAGE} records per page")
        paged = {u.name: dataclasses.replace(u, per_page=per_page) for u in self.units if u.cms == "hanweb"}
        self.units = tuple(paged.get(u.name, u) for u in self.units)
        self.units_by_column = {column: paged.get(u.name, u) for column, u in self.units_by_column.items()}
        for doc in documents:
            doc.unit = paged.get(doc.unit.name, doc.unit)

    # changes between crawls -------------------------------------------------------------
    def revise(self, doc: Document) -> None:
        self.revisions[doc.doc_id] = self.revisions.get(doc.doc_id, 0) + 1
        self.touch(doc)

    def touch(self, doc: Document) -> None:
        """The page of `doc` changed: render it again and give it a new Last-Modified."""
        self._pages.pop(doc.url_path, None)
        self.changed_at[doc.doc_id] = self.modified = max(self.modified + 60, datetime.now(timezone.utc).timestamp())

    def withdraw(self, doc: Document) -> None:
        self.documents.remove(doc)
        self.by_path.pop(doc.url_path, None)
        self.by_unit[doc.unit.name].remove(doc)
        self.modified = max(self.modified + 60, datetime.now(timezone.utc).timestamp())

    def publish(self, doc: Document) -> None:
        self.documents.append(doc)
        self.by_key.append(doc)
        self.by_path[doc.url_path] = doc
        self.by_unit[doc.unit.name].insert(0, doc)
        self.by_unit[doc.unit.name].sort(key=lambda d: (d.published, d.doc_id), reverse=True)
        self.modified = max(self.modified + 60, _posix(doc.published))

    def last_modified(self, doc: Document) -> float:
        return self.changed_at.get(doc.doc_id, _posix(doc.published))

    def site_column_html(self, column_id: int) -> str | None:
        """A spot-check column page (demoportal.site_columns), dated relative to today."""
        column = COLUMNS_BY_ID.get(column_id)
        return site_column_page(column) if column else None

    def unit_by_column(self, column_id: int) -> Unit | None:
        return self.units_by_column.get(column_id)

    def catalog(self, unit: Unit) -> list[Document]:
        """The unit's catalog, newest first (the order the CMS lists it)."""
        return self.by_unit[unit.name]

    def blocks(self, doc: Document) -> list[tuple[str, str]]:
        """Blocks of the document's text, wherever it is published (page body or attachment)."""
        return document_blocks(self.seed, doc, self.by_key, self.style)

    report_blocks = blocks

    def page_blocks(self, doc: Document) -> list[tuple[str, str]]:
        """Blocks of the detail page's body: a report published as a file shows a stub."""
        return stub_blocks(doc) if doc.flags.get("attached_report") else self.blocks(doc)

    def body_text(self, doc: Document) -> str:
        return blocks_text(self.blocks(doc))

    def tables(self, doc: Document) -> XxgkTables | None:
        return report_tables(self.seed, doc)

    def detail_html(self, doc: Document) -> str:
        html = self._pages.get(doc.url_path)
        if html is None:
            html = (render_detail(doc, self.page_blocks(doc), self.seed, self.style) if doc.unit.cms == "hanweb"
                    else dialect_detail(doc, self.blocks(doc), self.seed))
            if revision := self.revisions.get(doc.doc_id):
                note = f'<p style="text-indent:2em;">（本文于发布后第{revision}次更正。）</p>\n'
                html = html.replace('<meta name="ContentEnd">', note + '<meta name="ContentEnd">', 1)
                if doc.unit.cms == "gkmlpt":  # the body is a JSON string there: the note must be one too
                    note = json.dumps(note, ensure_ascii=False)[1:-1].replace("</", "<\\/")
                html = html.replace(CONTENT_END, note + CONTENT_END, 1)
            self._pages[doc.url_path] = html
            if len(self._pages) > 256:
                self._pages.popitem(last=False)
        return html

    def column_html(self, unit: Unit) -> str:
        if unit.cms == "jpaas":
            return jpaas_column(unit, self.catalog(unit))
        return column_page(unit, self.catalog(unit))

    def trs_list(self, channel: str, page: int) -> tuple[Unit, str] | None:
        """The unit and HTML of page `page` (0-based) of a TRS channel, or None past its end."""
        unit = self.trs_channels.get(channel)
        if unit is None:
            return None
        listed = trs_catalog(unit, channel, self.catalog(unit))
        if page > 0 and page * unit.per_page >= len(listed):
            return None
        return unit, trs_list_page(unit, channel, self.catalog(unit), page)

    def gkmlpt_index(self, unit: Unit) -> str:
        return gkmlpt_index(unit)

    def gkmlpt_api(self, unit: Unit, category: int, page: int, base: str) -> dict:
        return gkmlpt_api(unit, self.catalog(unit), category, page, base)

    def manifest(self) -> dict:
        styled = {"style": self.style_seed} if self.style_seed else {}
        paged = {"per_page": self.per_page} if self.per_page is not None else {}
        return {
            "seed": self.seed, "size": self.size, **styled, **paged, "site": SITE_NAME, "host_title": HOST_TITLE,
            "units": [self._unit_entry(u) for u in self.units],
            "documents": [self._doc_entry(d) for d in sorted(self.documents, key=lambda d: d.doc_id)],
            **manifest_entries(),
        }

    def _unit_entry(self, unit: Unit) -> dict:
        return {"name": unit.name, "level": unit.level, "cms": unit.cms, "catalog_paths": list(unit.catalog_paths),
                "charset": unit.charset, "full_name": unit.full_name, "column_id": unit.column_id,
                "unit_id": unit.unit_id, "webid": unit.webid, "index_code": unit.index_code, "daizi": unit.daizi,
                "catalog_path": unit.catalog_path, "per_page": unit.per_page, "record_style": unit.record_style,
                "doc_count": len(self.by_unit[unit.name])}

    def _doc_entry(self, doc: Document) -> dict:
        served = doc.http_status == 200
        meta = {name: (doc.meta_value(name) if served else None)
                for name in ("index_no", "publisher", "disclosure_mode", "issued_date", "category", "doc_no")}
        return {
            "doc_id": str(doc.doc_id), "url_path": doc.url_path, "unit": doc.unit.name,
            "title": doc.title, "list_title": list_title(doc.unit, doc), "list_date": doc.published.date().isoformat(),
            "report_type": doc.report_type, "report_year": doc.report_year, "title_year": doc.title_year,
            **meta,
            "published_at": doc.published_at if served else None,
            "source": doc.source if served else None,
            # A page that answers 404 is served as a UTF-8 error page with the charset in the header.
            "encoding": doc.encoding if served else "utf-8",
            "charset_in_header": doc.charset_in_header if served else True,
            "http_status": doc.http_status, "table_template": doc.table_template,
            "attachments": [{"path": doc.attachment_path(name), "status": status}
                            for name, status in doc.attachments] if served else [],
            "defects": [d.to_dict() for d in doc.defects],
            # Pages placed on either side of a rule's limit (demoportal.thresholds); null elsewhere.
            "threshold": doc.flags.get("threshold"),
        }


def _posix(local: datetime) -> float:
    """Portal times are China Standard Time, printed without a zone."""
    return local.replace(tzinfo=timezone(timedelta(hours=8))).timestamp()


def build_portal(seed: int = 7, size: int = 300, style: int | None = None, per_page: int | None = None) -> Portal:
    """The portal; `style` (a style seed, see `styles`) changes phrasing only, never the documents;
    `per_page` (None: each unit's own, 5 to 15) the records per page of every Hanweb column."""
    hanweb = build_documents(seed, size)
    documents = hanweb + build_dialect_documents(seed, len(hanweb))
    return Portal(seed, size, documents + attachment_documents(seed, documents), style, per_page)
