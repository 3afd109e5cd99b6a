"""Word .docx reports, read with python-docx: paragraphs in body order, headings, tables.

A paragraph whose style is a heading (Heading 1…, 标题 1…, Title) is marked as one, so a
report whose headings carry no numeral ("主要举措和成效" in bold Heading 2) still has its
sections found. Tables come as grids: python-docx repeats a horizontally merged cell in every
column it spans and returns the top cell for a vertically merged one, which is exactly a grid
with merged cells copied. The archive is checked against the zip caps before python-docx
inflates anything.
"""
from __future__ import annotations

import io

from audits.normalize.attachments.model import Extracted, Limits, Unreadable
from audits.normalize.attachments.zipguard import check_zip

_HEADING_STYLES = ("heading", "标题", "title")


def read_docx(data: bytes, limits: Limits, source: str = "docx") -> Extracted:
    import docx
    from docx.table import Table

    check_zip(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, lxml and zip errors on junk
        raise Unreadable(f"Word 文件已损坏，无法打开（{type(exc).__name__}）") from None
    out = Extracted(source, pages=1)
    # Style names by id, read once: python-docx's paragraph.style searches the styles part
    # on every call, which costs more than the rest of the file.
    style_names = {style.style_id: (style.name or "").lower() for style in document.styles}
    budget = limits.max_paragraphs
    for block in document.iter_inner_content():
        if budget <= 0:
            out.notes.append(f"Word 文件超过 {limits.max_paragraphs} 段，其余部分未读取")
            break
        if isinstance(block, Table):
            rows = _rows(block)
            budget -= len(rows)
            out.table(rows)
        else:
            style_id = block._p.style  # noqa: SLF001 - the pStyle value, without the lookup
            out.paragraph(block.text, heading=style_names.get(style_id or "", "").startswith(_HEADING_STYLES))
            budget -= 1
    return out


def _rows(table) -> list[list[str]]:
    """Cell texts row by row; `_cells` expands spans once for the whole table (row.cells would
    expand the whole table again for every row)."""
    try:
        cells, width = table._cells, table._column_count  # noqa: SLF001
    except AttributeError:  # another python-docx: the public, slower way
        return [[cell.text for cell in row.cells] for row in table.rows]
    texts = [cell.text for cell in cells]
    return [texts[i:i + width] for i in range(0, len(texts), width)]
