"""findings.xlsx as a 政务公开办 opens it: Chinese headers, a sheet per unit, filters, a frozen
header row, links to the pages (http(s) only), every finding counted once per sheet."""
from __future__ import annotations

from collections import Counter

import openpyxl

from audits.report.render import render_run
from audits.report.workbook import ALL_SHEET, COLUMNS
from tests.report_runs import SITE, finding, realistic_docs, realistic_findings, record

HOSTILE_URL = "javascript:alert(document.cookie)"


def test_workbook_has_headers_a_sheet_per_unit_links_and_counts(tmp_path):
    store = tmp_path / "s.sqlite3"
    docs = realistic_docs()
    found = realistic_findings(docs)
    formula = dict(docs["sjrt"], doc_id="sjx", url=HOSTILE_URL, title="=HYPERLINK(\"http://evil\",\"点我\")")
    found.append(finding("DOC-1", formula, observed="=1+1"))
    run_id = record(store, [*docs.values(), formula], found, started_at="2024-04-08T01:30:00+00:00")
    path = render_run(store, run_id, tmp_path / "r").with_name("findings.xlsx")
    book = openpyxl.load_workbook(path)

    by_unit = Counter(f["unit"] for f in found)
    assert book.sheetnames[0] == ALL_SHEET and set(book.sheetnames[1:]) == set(by_unit)
    assert book.sheetnames[1] == "乌镇镇"  # units in scorecard order, worst (unscored) first
    headers = [header for header, _, _ in COLUMNS]
    for sheet in book.worksheets:
        assert [c.value for c in sheet[1]] == headers
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:Q{sheet.max_row}"
    everything = book[ALL_SHEET]
    assert everything.max_row - 1 == len(found)
    for unit, n in by_unit.items():
        assert book[unit].max_row - 1 == n, unit

    col = {name: i for i, (_, name, _) in enumerate(COLUMNS)}
    rows = list(everything.iter_rows(min_row=2))
    late = next(r for r in rows if r[col["rule_id"]].value == "FZ-DATE-1")
    assert late[col["severity_zh"]].value == "严重" and late[col["kind_zh"]].value == "问题"
    assert late[col["title"]].hyperlink.target == docs["pyfz"]["url"]
    assert late[col["finding_key"]].value == f"{SITE}|pyfz|FZ-DATE-1"
    hostile = next(r for r in rows if r[col["url"]].value == HOSTILE_URL)
    assert hostile[col["title"]].hyperlink is None  # javascript: is never a link
    assert hostile[col["title"]].data_type == "s" and hostile[col["observed"]].data_type == "s"  # not formulas
    unchecked = [r for r in rows if r[col["kind_zh"]].value == "未能检查"]
    assert len(unchecked) == 3 and rows.index(unchecked[0]) > rows.index(late)  # failures first
