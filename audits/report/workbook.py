"""findings.xlsx: the run's findings as the workbook a 政务公开办 forwards to a township.

One sheet of every finding with Chinese headers, then one sheet per unit (so a unit's sheet can
be sent on alone), each with a frozen header row, filters and the page title linked to the page.
Only http(s) addresses become links: a page's URL is hostile input and a `javascript:` or
`file:` link in a workbook is as dangerous as in a browser. Text that Excel would take for a
formula (a hostile title starting with "=") is stored as text, never as a formula.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from audits.report.context import safe_href
from govaudit.untrusted import plain

if TYPE_CHECKING:
    from audits.report.standing import Standing

ALL_SHEET = "全部问题"
COLUMNS = (  # (header, source column or derived name, width)
    ("单位", "unit", 14), ("严重程度", "severity_zh", 8), ("类型", "kind_zh", 10), ("状态", "status", 10),
    ("规则", "rule_id", 12), ("规则名称", "rule_title", 28), ("页面", "title", 40), ("说明", "message", 40),
    ("实际情况", "observed", 24), ("应当", "expected", 20), ("依据", "basis", 30), ("整改建议", "fix", 30),
    ("连续发现次数", "open_runs", 8), ("豁免至", "waived_until", 11), ("豁免理由", "waived_reason", 20),
    ("页面地址", "url", 40), ("问题编号", "finding_key", 30),
)
SEVERITY_ZH = {"critical": "严重", "warning": "一般", "info": "提示"}
KIND_ZH = {"failure": "问题", "could_not_check": "未能检查"}
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
LINK_FONT = Font(color="1849A9", underline="single")
BOLD = Font(bold=True)


def findings_table(where: "Standing") -> pd.DataFrame:
    """Counted findings (with new / open-for-N status) then waived ones, worst first."""
    new_keys = set(where.diff.new["finding_key"]) if where.diff.previous_run_id is not None else set()
    open_runs = dict(zip(where.diff.open["finding_key"], where.diff.open["open_runs"]))
    counted = where.counted.assign(
        status=["本周新增" if k in new_keys else "持续" for k in where.counted["finding_key"]],
        open_runs=[open_runs.get(k) for k in where.counted["finding_key"]],
        waived_until=None, waived_reason=None)
    waived = where.waived.assign(status="已豁免", open_runs=None)
    table = pd.concat([counted, waived], ignore_index=True) if len(waived) else counted
    table = table.assign(severity_zh=table["severity"].map(SEVERITY_ZH), kind_zh=table["kind"].map(KIND_ZH),
                         _kind=table["kind"].map({"failure": 0}).fillna(1),
                         _sev=table["severity"].map(SEVERITY_ORDER).fillna(3))
    table = table.sort_values(["_kind", "_sev", "unit", "rule_id", "url"], kind="stable", na_position="last")
    return table.drop(columns=["_kind", "_sev"]).reset_index(drop=True)


def sheet_title(unit: str, taken: set[str]) -> str:
    base = (_SHEET_UNSAFE.sub("_", unit or "未标明单位").strip("'") or "未标明单位")[:28]
    title, n = base, 2
    while title in taken:
        title, n = f"{base[:26]}_{n}", n + 1
    taken.add(title)
    return title


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):  # a hostile title's ESC and other controls: openpyxl refuses them
        value = plain(value)
    return value


Row = tuple[list[Any], "str | None"]  # a finding's cell values in COLUMNS order, and its page link
_NAMES = [name for _, name, _ in COLUMNS]
_TITLE_AT = _NAMES.index("title")  # the cell that links to the page


def _rows(table: pd.DataFrame) -> list[Row]:
    """Each finding's cell values, made plain once for the sheet of all findings and its unit's."""
    rows = []
    for row in table.astype(object).to_dict("records"):
        values = [_plain(row.get(name)) for name in _NAMES]
        if not values[_TITLE_AT]:
            values[_TITLE_AT] = _plain(row.get("url"))
        rows.append((values, safe_href(row.get("url"))))
    return rows


def _fill(sheet: Any, rows: list[Row]) -> None:
    """Header, widths, frozen header and filters first, then one row per finding: the workbook is
    written in openpyxl's write-only mode, row by row, so memory does not grow with the findings
    (and it is about a tenth faster than building every cell first)."""
    for col_no, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col_no)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    header = []
    for title, _, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for values, href in rows:
        cells: list[Any] = list(values)
        for at, value in enumerate(values):
            link = href if at == _TITLE_AT else None
            formula_like = isinstance(value, str) and value.startswith("=")
            if link or formula_like:
                cell = WriteOnlyCell(sheet, value=value)
                if formula_like:
                    cell.data_type = "s"  # text, never a formula
                if link:
                    cell.hyperlink = link
                    cell.font = LINK_FONT
                cells[at] = cell
        sheet.append(cells)


def write_workbook(path: Path, where: "Standing") -> Path:
    table = findings_table(where)
    rows = _rows(table)
    book = Workbook(write_only=True)
    _fill(book.create_sheet(ALL_SHEET), rows)
    taken = {ALL_SHEET}
    units = [u for u in where.cards["unit"] if (table["unit"] == u).any()]
    units += [u for u in table["unit"].dropna().unique() if u not in units]
    unit_of = table["unit"].tolist()
    for unit in units:
        _fill(book.create_sheet(sheet_title(str(unit), taken)),
              [r for r, u in zip(rows, unit_of) if not pd.isna(u) and u == unit])
    tmp = path.with_name(f".{path.name}.tmp")
    book.save(tmp)
    os.replace(tmp, path)
    return path
