"""Excel reports (.xlsx with openpyxl, .xls with xlrd): every sheet as one table grid.

Units that publish tables 二/三/四 as a workbook lay each out as in the 2021 template, one
table per sheet or several under each other with their titles in merged rows; the table
readers find them by their labels, so a sheet is handed over whole as one grid, merged
ranges copied into every cell they cover. Cells are capped over all sheets; .xlsx archives
are checked against the zip caps before openpyxl inflates them.
"""
from __future__ import annotations

import io

from audits.normalize.attachments.model import Extracted, Limits, Unreadable
from audits.normalize.attachments.zipguard import check_zip


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(data: bytes, limits: Limits) -> Extracted:
    import openpyxl

    check_zip(data, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on damaged files
        raise Unreadable(f"Excel 文件已损坏，无法打开（{type(exc).__name__}）") from None
    out = Extracted("xlsx")
    budget = limits.max_cells
    for sheet in book.worksheets:
        rows, cols = sheet.max_row or 0, sheet.max_column or 0
        if rows * cols > budget:
            out.notes.append(f"工作表 {sheet.title} 有 {rows}×{cols} 个单元格，超过上限，未读取")
            continue
        budget -= rows * cols
        grid = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = value
        out.table(grid)
        out.pages += 1
    book.close()
    return out


def read_xls(data: bytes, limits: Limits) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, struct and index errors on junk
        raise Unreadable(f"Excel（.xls）文件已损坏，无法打开（{type(exc).__name__}）") from None
    out = Extracted("xls")
    budget = limits.max_cells
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows * sheet.ncols > budget:
                out.notes.append(f"工作表 {sheet.name} 有 {sheet.nrows}×{sheet.ncols} 个单元格，超过上限，未读取")
                continue
            budget -= sheet.nrows * sheet.ncols
            grid = [[_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
            for r0, r1, c0, c1 in sheet.merged_cells:
                value = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
                for r in range(r0, min(r1, len(grid))):
                    for c in range(c0, min(c1, len(grid[r]))):
                        grid[r][c] = value
            out.table(grid)
            out.pages += 1
            book.unload_sheet(index)
    except Exception as exc:  # noqa: BLE001
        raise Unreadable(f"Excel（.xls）文件已损坏，无法读取（{type(exc).__name__}）") from None
    finally:
        book.release_resources()
    return out
