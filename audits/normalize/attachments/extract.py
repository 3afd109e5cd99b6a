"""One attachment file in, its text and tables out, or a reason it could not be read.

The format is sniffed from the bytes; each format has its own reader module. Whatever a
hostile or broken file does inside a reader, the caller gets an `Extracted` or an
`Unreadable` with a reason: an unexpected error becomes "could not check" with its type
named, never a crashed audit.
"""
from __future__ import annotations

from audits.normalize.attachments.docx import read_docx
from audits.normalize.attachments.model import DEFAULT_LIMITS, Extracted, Limits, Unreadable
from audits.normalize.attachments.pdf import read_pdf
from audits.normalize.attachments.sniff import sniff_format
from audits.normalize.attachments.spreadsheet import read_xls, read_xlsx
from audits.normalize.attachments.word97 import read_word97

READERS = {
    "pdf": lambda data, limits, ext: read_pdf(data, limits),
    "docx": lambda data, limits, ext: read_docx(data, limits),
    "xlsx": lambda data, limits, ext: read_xlsx(data, limits),
    "xls": lambda data, limits, ext: read_xls(data, limits),
    "doc": lambda data, limits, ext: read_word97(data, limits, ext),
}


def extract_attachment(data: bytes, extension: str = "", limits: Limits = DEFAULT_LIMITS) -> Extracted:
    kind = sniff_format(data, extension)
    if kind == "html":
        raise Unreadable("附件地址返回的是网页而不是文件（可能是错误页或登录页）")
    if kind not in READERS:
        raise Unreadable(f"无法识别的文件格式（链接扩展名 .{extension or '?'}，文件头 {data[:8]!r}）")
    try:
        return READERS[kind](data, limits, extension)
    except Unreadable:
        raise
    except MemoryError:
        raise Unreadable("读取该文件所需内存超出上限，未读取") from None
    except RecursionError:
        raise Unreadable("文件结构嵌套过深，疑似恶意文件，未读取") from None
    except Exception as exc:  # noqa: BLE001 - a reader's bug or a parser's surprise is "could not check"
        raise Unreadable(f"读取 {kind} 文件时出错（{type(exc).__name__}: {str(exc)[:120]}）") from None
