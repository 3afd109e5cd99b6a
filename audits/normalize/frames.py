"""Crawled pages in, typed DataFrames out: the one entry point of normalisation.

Pages are consumed one at a time from an iterator (the store yields them lazily), and only the
rows of the frames are kept, column by column, so memory grows with the frames and not with
the HTML.  Column names and dtypes are those of `govaudit.columns`; the wide tables 二/三/四 have
one fixed column per cell key so a rule can name a cell even when a report lacks the table.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from audits.normalize import body_facts
from audits.normalize.attachments.body import FileReader
from audits.normalize.documents import Page, normalise_page
from audits.normalize.section_kinds import SectionKinds, load_section_kinds
from audits.normalize.shared_strings import shared
from audits.normalize.site_columns import column_row
from audits.normalize.wording import Wording, load_wording
from audits.normalize.frame_set import WIDE_COLUMNS, Frames  # noqa: F401  (WIDE_COLUMNS re-exported)
from govaudit.columns import (
    DOCUMENT_COLUMNS, FIGURE_COLUMNS, FIGURE_GROUP_COLUMNS, SECTION_COLUMNS, SITE_COLUMN_COLUMNS, TABLE_CELL_COLUMNS,
)
from govaudit.records import PageRecord



class _Columns:
    """Rows of one frame, stored column-wise."""

    def __init__(self, columns: dict[str, str]):
        self.columns = columns
        self.data: dict[str, list] = {name: [] for name in columns}

    def add(self, row: dict) -> None:
        for name, values in self.data.items():
            values.append(row.get(name))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: _typed(self.data[name], dtype) for name, dtype in self.columns.items()})


def _typed(values: list, dtype: str) -> pd.Series | pd.api.extensions.ExtensionArray:
    if dtype.startswith("datetime64"):
        utc = "UTC" in dtype
        series = pd.to_datetime(pd.Series(values, dtype="object"), utc=utc)
        return series.astype(dtype) if not utc else series.dt.tz_convert("UTC").astype(dtype)
    return shared(pd.array(values, dtype=dtype))


def build_frames(records: Iterable[PageRecord], crawl_id: int, kinds: SectionKinds | None = None,
                 read_file: FileReader | None = None, wording: Wording | None = None) -> Frames:
    """`read_file(sha256)` gives a downloaded attachment's bytes, so reports published as
    attachments are read (`audits.normalize.attachments`); `wording` is the wording lists
    (expectations/wording.yml) page titles and bodies are scanned for."""
    kinds = kinds or load_section_kinds()
    wording = wording or load_wording()
    docs, sections, cells = _Columns(DOCUMENT_COLUMNS), _Columns(SECTION_COLUMNS), _Columns(TABLE_CELL_COLUMNS)
    figures, groups = _Columns(FIGURE_COLUMNS), _Columns(FIGURE_GROUP_COLUMNS)
    site_columns = _Columns(SITE_COLUMN_COLUMNS)
    wide = {name: _Columns(cols) for name, cols in WIDE_COLUMNS.items()}
    for record in records:
        if record.kind == "column":  # a site column's listing: judged as a whole, not a document
            site_columns.add(column_row(record, crawl_id))
            continue
        page = normalise_page(record, crawl_id, kinds, read_file)
        readable = record.kind == "detail" and not page.document.get("fetch_error")
        page.document.update(wording.scan(record.page_title, record.body_text) if readable
                             else dict.fromkeys(("serious_wording", "wording_typos")))
        docs.add(page.document)
        _add_rows(page, sections, cells, figures, groups, wide)
    return Frames(
        documents=docs.frame(), sections=sections.frame(), table_cells=cells.frame(),
        table2_wide=wide["二"].frame(), table3_wide=wide["三"].frame(), table4_wide=wide["四"].frame(),
        figures=figures.frame(), figure_groups=groups.frame(), site_columns=site_columns.frame(),
    )


def page_body(page: Page, section) -> str:
    return page.body[section.start:section.end]


def _add_rows(page: Page, sections: _Columns, cells: _Columns, figures: _Columns, groups: _Columns,
              wide: dict[str, _Columns]) -> None:
    doc = page.document
    ident = {"doc_id": doc["doc_id"], "url": doc["url"], "crawl_id": doc["crawl_id"]}
    for s in page.sections:
        sections.add({**ident, "ordinal": s.ordinal, "numeral": s.numeral, "heading": s.heading, "start": s.start,
                      "end": s.end, "kind": s.kind, "standalone": s.standalone, "years": s.years,
                      "text_years": body_facts.text_years(page_body(page, s)) if s.standalone else None})
    per_table: dict[str, dict[str, float | None]] = {}
    for c in page.tables.cells:
        cells.add({**ident, "table": c.table, "row_key": c.row_key, "row_label": c.row_label, "col_key": c.col_key,
                   "col_label": c.col_label, "value": c.value, "raw": c.raw})
        per_table.setdefault(c.table, {})[f"{c.row_key}__{c.col_key}"] = c.value
    for name, columns in wide.items():
        if name in per_table or doc["report_type"] == "xxgk_annual":
            columns.add({**ident, "template": doc["table_template"], **per_table.get(name, {})})
    for f in page.figures:
        figures.add({**ident, "figure_id": f.figure_id, "value": f.value, "unit": f.unit, "approx": f.approx,
                     "raw": f.raw, "sentence": f.sentence, "group_id": f.group_id, "role": f.role, "noun": f.noun,
                     "excluded": f.excluded, "pct_kind": f.pct_kind})
    for g in page.groups:
        groups.add({**ident, "group_id": g.group_id, "total": g.total.value, "parts_sum": g.parts_sum,
                    "n_parts": len(g.parts), "complete": g.complete, "unit": g.total.unit, "approx": g.approx,
                    "sentence": g.total.sentence, "marker": g.marker, "nested_in": g.nested_in,
                    "tolerance": g.tolerance, "excess": g.excess, "doubt": g.doubt})
