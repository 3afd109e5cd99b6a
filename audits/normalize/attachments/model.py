"""What reading one attachment file gives, and the caps every reader works within.

Readers turn a file into the same two things an HTML page gives normalisation: plain text
(one paragraph or table row per line) and an HTML rendering of its headings and tables, so
sections, tables 二/三/四 and figures are found by the very code that reads HTML bodies. A file
that cannot be read raises `Unreadable` with a reason a supervisor can act on; it never
raises anything else to its caller (see `extract.extract_attachment`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


class Unreadable(Exception):
    """The file cannot be checked; the message says why (in Chinese, for the report)."""


@dataclass(frozen=True)
class Limits:
    """Caps that keep one hostile file from taking the audit's memory or time."""

    max_pages: int = 60  # PDF pages read; a report is rarely longer, the rest is ignored with a note
    max_page_chars: int = 50_000  # a report page has ~1,000; a page beyond this is skipped with a note
    max_unzipped_bytes: int = 64 * 1024 * 1024  # total inflated size of a .docx/.xlsx
    max_member_ratio: int = 200  # inflated/compressed of one zip member: beyond it, a zip bomb
    max_cells: int = 200_000  # spreadsheet cells read over all sheets
    max_paragraphs: int = 20_000  # .docx paragraphs and table rows
    convert_timeout: float = 60.0  # seconds LibreOffice may take to convert one .doc/.wps


DEFAULT_LIMITS = Limits()


@dataclass
class Extracted:
    source: str  # pdf | docx | doc | xlsx | xls
    lines: list[str] = field(default_factory=list)
    html_parts: list[str] = field(default_factory=list)
    pages: int = 0
    notes: list[str] = field(default_factory=list)  # readable, with a caveat (pages skipped, ...)

    def paragraph(self, text: str, heading: bool = False) -> None:
        text = text.strip()
        if not text:
            return
        self.lines.append(text)
        inner = f"<strong>{escape(text)}</strong>" if heading else escape(text)
        self.html_parts.append(f"<p>{inner}</p>")

    def table(self, grid: list[list[str]]) -> None:
        """A table as a grid whose merged cells are already copied into every slot they cover."""
        rows = [[(c or "").strip() for c in row] for row in grid]
        rows = [r for r in rows if any(r)]
        if not rows:
            return
        for row in rows:
            self.lines.append(" ".join(dict.fromkeys(c for c in row if c)))
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        self.html_parts.append(f"<table>{body}</table>")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def html(self) -> str:
        return "\n".join(self.html_parts)
