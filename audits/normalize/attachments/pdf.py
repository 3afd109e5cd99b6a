"""PDF reports with a text layer, read with pdfplumber: paragraphs in reading order, tables as grids.

Report PDFs are printed from Word: one column, paragraphs indented two characters, lines
wrapped at the right margin, a page number at the foot, and ruled tables whose header cells
are merged (table 三's 申请人情况 spans seven columns, 三、本年度办理结果 twenty rows). Lines
are joined into paragraphs (a wrapped line runs to the right margin; a new paragraph is
indented or follows a short line), so a sentence broken across lines or pages is one
sentence again. Tables are rebuilt from pdfplumber's cell boxes: a merged cell's text is
copied into every slot it covers, as `audits.normalize.grid` does for HTML spans.
A PDF without any characters is a scan; an encrypted or truncated one cannot be opened.
"""
from __future__ import annotations

import io
import re
from bisect import bisect_left, bisect_right

from audits.normalize.attachments.model import Extracted, Limits, Unreadable

_PAGE_NUMBER = re.compile(r"^[-—–\s第页共/]*\d{1,3}[-—–\s页/共\d]*$")
_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(rf"^[{_NUMERALS}]{{1,3}}[、.．]|^[（(][{_NUMERALS}]{{1,3}}[)）]|^第[{_NUMERALS}]+部分")


def read_pdf(data: bytes, limits: Limits) -> Extracted:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    out = Extracted("pdf")
    if b"%%EOF" not in data[-2048:]:
        # pdfminer reads what it can of a cut-off file: half a report would look like a report
        # missing its last sections, so a file without its end marker is not read at all.
        raise Unreadable("PDF 文件不完整（缺少文件结尾标记 %%EOF，可能在上传或下载时被截断），无法读取")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on damaged files
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect) \
                or "password" in repr(exc).lower():
            raise Unreadable("PDF 已加密（需要密码才能打开），无法读取内容") from None
        raise Unreadable(f"PDF 文件已损坏或不完整，无法打开（{type(cause).__name__}）") from None
    with pdf:
        try:
            total = len(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            raise Unreadable(f"PDF 文件已损坏或不完整，无法读取页面（{type(exc).__name__}）") from None
        if total > limits.max_pages:
            out.notes.append(f"PDF 共 {total} 页，只读取了前 {limits.max_pages} 页")
        chars = 0
        paragraph = _Paragraphs(out)
        for number in range(min(total, limits.max_pages)):
            try:
                page = pdf.pages[number]
                count = len(page.chars)
                chars += count
                if count > limits.max_page_chars:  # not a report page; laying it out would take minutes
                    out.notes.append(f"PDF 第 {number + 1} 页有 {count} 个字符，"
                                     f"超过上限 {limits.max_page_chars}，未读取")
                else:
                    paragraph.new_page()
                    _read_page(page, paragraph)
                page.close()
            except Unreadable:
                raise
            except Exception as exc:  # noqa: BLE001
                raise Unreadable(f"PDF 第 {number + 1} 页已损坏，无法读取（{type(exc).__name__}）") from None
            out.pages += 1
        paragraph.close()
    if chars == 0:
        raise Unreadable("扫描件，无文字层（PDF 只有图像，没有可读取的文字）")
    return out


class _Paragraphs:
    """Joins wrapped lines into paragraphs, and a table broken by a page break into one table
    (the part at the top of a page continues the table that ended the previous page when
    both have the same outer edges)."""

    def __init__(self, out: Extracted):
        self.out, self.heading = out, False
        self.parts: list[str] = []
        self.pending: tuple[list[float], list[list[str]], tuple[float, float]] | None = None
        self.page_start = True

    def new_page(self) -> None:
        self.page_start = True

    def add(self, text: str, starts: bool, ends: bool) -> None:
        self.page_start = False
        self.flush_table()
        if starts:
            self.flush()
        if not self.parts:
            self.heading = bool(_HEADING.match(text))
        self.parts.append(text)
        if ends:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.out.paragraph("".join(self.parts), heading=self.heading)
        self.parts = []

    def table(self, xs: list[float], grid: list[list[str]], edges: tuple[float, float]) -> None:
        self.flush()
        if self.pending and self.page_start and all(abs(a - b) < 2 for a, b in zip(edges, self.pending[2])):
            xs, grid = _joined(self.pending[0], self.pending[1], xs, grid)
        else:
            self.flush_table()
        self.pending, self.page_start = (xs, grid, edges), False

    def flush_table(self) -> None:
        if self.pending:
            self.out.table(self.pending[1])
        self.pending = None

    def close(self) -> None:
        self.flush_table()
        self.flush()


def _joined(xs_a: list[float], grid_a: list[list[str]], xs_b: list[float],
            grid_b: list[list[str]]) -> tuple[list[float], list[list[str]]]:
    """Two grids stacked on the union of their column edges (a slot takes the cell covering it)."""
    union = sorted({*xs_a, *xs_b})

    def spread(xs: list[float], grid: list[list[str]]) -> list[list[str]]:
        index = [max(0, bisect_right(xs, x + 0.05) - 1) for x in union]
        return [[row[i] if i < len(row) else "" for i in index] for row in grid]
    return union, spread(xs_a, grid_a) + spread(xs_b, grid_b)


def _read_page(page, paragraphs: _Paragraphs) -> None:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    lines = [ln for ln in page.extract_text_lines(return_chars=False)
             if not any(_inside(ln, box) for box in boxes) and ln["text"].strip()]
    lines = [ln for ln in lines if not _PAGE_NUMBER.match(ln["text"].strip())]
    items = [(ln["top"], "line", ln) for ln in lines] + [(t.bbox[1], "table", t) for t in tables]
    left = min((ln["x0"] for ln in lines), default=0)
    right = max((ln["x1"] for ln in lines), default=page.width)
    for _, kind, item in sorted(items, key=lambda x: x[0]):
        if kind == "table":
            xs, grid = _grid(item)
            paragraphs.table(xs, grid, (round(item.bbox[0], 1), round(item.bbox[2], 1)))
            continue
        size = max(item["bottom"] - item["top"], 6)
        text = item["text"].strip()
        starts = item["x0"] > left + size * 1.2 or bool(_HEADING.match(text))
        # Line breaking keeps punctuation off a line's start, so a wrapped line may stop up to
        # two characters short of the margin; a paragraph's last line usually stops further.
        ends = item["x1"] < right - size * 2.5
        paragraphs.add(text, starts, ends)


def _inside(line: dict, box: tuple) -> bool:
    middle = (line["top"] + line["bottom"]) / 2
    return box[1] - 1 <= middle <= box[3] + 1 and line["x0"] >= box[0] - 2 and line["x1"] <= box[2] + 2


def _grid(table) -> tuple[list[float], list[list[str]]]:
    """The table's slots, every merged cell's text copied into each slot it covers."""
    cells = table.cells
    texts = table.extract()
    xs = sorted({round(c[0], 1) for c in cells})
    ys = sorted({round(c[1], 1) for c in cells})
    grid = [["" for _ in xs] for _ in ys]
    for r, row in enumerate(table.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            text = re.sub(r"\s+", "", (texts[r][c] if r < len(texts) and c < len(texts[r]) else "") or "")
            c0, r0 = bisect_left(xs, round(box[0], 1) - 0.05), bisect_left(ys, round(box[1], 1) - 0.05)
            c1 = bisect_left(xs, round(box[2], 1) - 0.05)
            r1 = bisect_left(ys, round(box[3], 1) - 0.05)
            for rr in range(r0, max(r1, r0 + 1)):
                for cc in range(c0, max(c1, c0 + 1)):
                    if rr < len(grid) and cc < len(xs):
                        grid[rr][cc] = text
    return xs, grid
