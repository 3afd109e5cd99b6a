"""HTML tables expanded into plain grids of cell texts.

Report tables merge cells heavily (三、本年度办理结果 spans twenty rows, 行政诉讼 spans ten
columns).  Expanding every rowspan/colspan into copies of the cell gives each data cell its full
row and column header path, which is what the table readers match labels against.
"""
from __future__ import annotations

import sys

from lxml import html as lxml_html

from audits.normalize.labels import squeeze

MAX_SPAN = 100  # a broken colspan="9999" must not explode memory


def _span(cell, name: str) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(cell.get(name, "1")).strip() or 1)))
    except ValueError:
        return 1


def table_grid(table) -> list[list[str]]:
    """Rows of cell texts (whitespace removed) with spans copied into every covered slot."""
    grid: list[list[str | None]] = []
    pending: dict[tuple[int, int], str] = {}
    rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
    for r, tr in enumerate(rows):
        row: list[str | None] = []
        col = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, col) in pending:
                row.append(pending.pop((r, col)))
                col += 1
            text = squeeze(cell.text_content())
            if len(text) <= 8:
                text = sys.intern(text)  # "0" and "/" fill most cells: keep one copy of each
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dc in range(colspan):
                row.append(text)
                for dr in range(1, rowspan):
                    pending[(r + dr, col + dc)] = text
            col += colspan
        while (r, col) in pending:
            row.append(pending.pop((r, col)))
            col += 1
        grid.append(row)
    return [[c or "" for c in row] for row in grid]


def _owner(tr):
    """The <table> a row belongs to (nested tables keep their own rows)."""
    node = tr.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def html_tables(body_html: str) -> list[list[list[str]]]:
    """Grids of the innermost-first tables of a body; an unparsable body has none."""
    if not body_html or "<table" not in body_html.lower():
        return []
    try:
        root = lxml_html.fromstring(body_html)
    except Exception:  # noqa: BLE001 - lxml raises several types on junk; no tables then
        return []
    return [table_grid(t) for t in root.iter("table")]
