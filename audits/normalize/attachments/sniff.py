"""The format of a downloaded file, from its first bytes (the link's extension as a hint).

Portals serve reports as `application/octet-stream` from `downfile.jsp?filename=…`, name .wps
files .doc and the other way round, and sometimes answer with an HTML error page: the bytes
decide, the extension only separates formats that share a container.
"""
from __future__ import annotations

import io
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(data: bytes, extension: str = "") -> str:
    """pdf | docx | xlsx | doc | xls | html | unknown."""
    head = data[:1024].lstrip()
    if data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return {"docx": "docx", "xlsx": "xlsx"}.get(extension, "unknown")
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "unknown"
    if data.startswith(OLE_MAGIC):
        if extension in ("xls", "et"):
            return "xls"
        if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k\x00" in data[:65536] or extension == "xls":
            return "xls"
        return "doc"
    if head[:15].lower().startswith((b"<!doctype", b"<html", b"<?xml")) or b"<html" in head[:200].lower():
        return "html"
    return "unknown"
