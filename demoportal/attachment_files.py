"""The files a report is published as: PDF (CJK text layer, ruled tables), .docx, .xlsx,
and the broken ones real portals serve (a scan without text, an encrypted PDF, a truncated one).

Each writer takes the same blocks as the HTML body (("h", heading), ("p", paragraph),
("table", html)), so the file says exactly what the generated report says. PDFs use
reportlab's built-in STSong-Light CID font (no font file needed) with paragraphs indented
two characters, as reports printed from Word are. Output is byte-for-byte deterministic:
PDFs are written invariant, zip members get a fixed timestamp.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from random import Random

from .table_layout import table_slots

Block = tuple[str, str]
FONT = "STSong-Light"
_FIXED = (2020, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def pdf_report(title: str, blocks: list[Block], encrypt_with: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, firstLineIndent=22, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, spaceBefore=6)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=6.5, leading=8, wordWrap="CJK")
    heading = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, alignment=1)
    story = [Paragraph(_escape(title), heading), Spacer(1, 8)]
    for kind, text in blocks:
        if kind == "table":
            rows, cols, slots = table_slots(text)
            data = [["" for _ in range(cols)] for _ in range(rows)]
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            for s in slots:
                data[s.row][s.col] = Paragraph(_escape(s.text), cell)
                if s.rowspan > 1 or s.colspan > 1:
                    style.append(("SPAN", (s.col, s.row), (s.col + s.colspan - 1, s.row + s.rowspan - 1)))
            width = A4[0] - 100
            story += [Table(data, colWidths=_widths(cols, width), style=TableStyle(style)), Spacer(1, 8)]
        else:
            story.append(Paragraph(_escape(text), head if kind == "h" else body))
    out = io.BytesIO()
    kwargs = {}
    if encrypt_with:
        from reportlab.lib.pdfencrypt import StandardEncryption
        kwargs["encrypt"] = StandardEncryption(encrypt_with, ownerPassword=encrypt_with + "-owner", strength=128)
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=50, rightMargin=50, topMargin=60, bottomMargin=60,
                            title=title, invariant=1, **kwargs)
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()


def _widths(cols: int, width: float) -> list[float]:
    if cols <= 4:
        return [width / cols] * cols
    numbers = min(7, cols - 1) if cols >= 8 else cols - 1
    labels = cols - numbers
    label_width = width * (0.45 if cols >= 8 else 0.3)
    return [label_width / labels] * labels + [(width - label_width) / numbers] * numbers


def _page_number(canvas, doc) -> None:
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(doc.pagesize[0] / 2, 30, f"- {doc.page} -")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def scanned_pdf(seed_text: str, pages: int = 2) -> bytes:
    """Pages that are only a picture of text (grey bars where the lines would be): no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as pdf_canvas

    r = Random(seed_text)
    out = io.BytesIO()
    page = pdf_canvas.Canvas(out, pagesize=A4, invariant=1)
    for _ in range(pages):
        image = Image.new("L", (620, 877), 250)
        draw = ImageDraw.Draw(image)
        y = 60
        while y < 820:
            indent = 40 if r.random() < 0.2 else 0
            draw.rectangle((50 + indent, y, 570 - r.randint(0, 200 if indent else 20), y + 9), fill=r.randint(40, 90))
            y += 22
        page.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        page.showPage()
    page.save()
    return out.getvalue()


def truncated(data: bytes, share: float = 0.6) -> bytes:
    """The first part of a file, as a broken upload leaves it."""
    return data[: int(len(data) * share)]


def docx_report(title: str, blocks: list[Block]) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = datetime(2020, 1, 1)
    document.add_heading(title, level=1)
    for kind, text in blocks:
        if kind == "table":
            rows, cols, slots = table_slots(text)
            table = document.add_table(rows=rows, cols=cols)
            table.style = "Table Grid"
            # Cells fetched once (table.cell() re-reads the whole table each call); text first,
            # then merges, which keep the top-left cell's text.
            cells = table._cells
            for s in slots:
                target = cells[s.row * cols + s.col]
                target.text = s.text
                for run in target.paragraphs[0].runs:
                    run.font.size = Pt(7)
            for s in slots:
                if s.rowspan > 1 or s.colspan > 1:
                    cells[s.row * cols + s.col].merge(cells[(s.row + s.rowspan - 1) * cols + s.col + s.colspan - 1])
        elif kind == "h":
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return fixed_zip(out.getvalue())


def xlsx_tables(tables: list[tuple[str, str]]) -> bytes:
    """One sheet per (sheet name, table html), merged cells as in the report's table."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.created = book.properties.modified = datetime(2020, 1, 1)
    for name, table_html in tables:
        sheet = book.create_sheet(name)
        _, _, slots = table_slots(table_html)
        for s in slots:
            value: object = int(s.text) if s.text.isdigit() else s.text
            sheet.cell(row=s.row + 1, column=s.col + 1, value=value)
            if s.rowspan > 1 or s.colspan > 1:
                sheet.merge_cells(start_row=s.row + 1, start_column=s.col + 1,
                                  end_row=s.row + s.rowspan, end_column=s.col + s.colspan)
    out = io.BytesIO()
    book.save(out)
    return fixed_zip(out.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """The same archive with every member dated 2020-01-01, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED)
            member.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time into it
                content = _MODIFIED.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", content)
            copy.writestr(member, content)
    return out.getvalue()
