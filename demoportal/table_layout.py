"""An HTML table of the demo reports as positioned cells, for the PDF, Word and Excel writers.

The report tables are written once, as HTML with rowspan/colspan (`xxgk_tables`); the files
that publish the same report as an attachment merge the same cells, so a reader that gets
table 三 right from a PDF or a workbook gets the numbers the page would have shown.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import html as lxml_html


@dataclass(frozen=True)
class Slot:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def table_slots(table_html: str) -> tuple[int, int, list[Slot]]:
    """(rows, columns, cells at their top-left slot) of the first table in `table_html`."""
    table = lxml_html.fromstring(table_html)
    if table.tag != "table":
        table = next(table.iter("table"))
    taken: set[tuple[int, int]] = set()
    slots: list[Slot] = []
    width = 0
    rows = list(table.iter("tr"))
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rowspan, colspan = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            slots.append(Slot(r, c, rowspan, colspan, td.text_content().strip()))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
            width = max(width, c)
    return len(rows), width, slots
