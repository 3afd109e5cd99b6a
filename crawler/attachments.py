"""Which attachment links to download, and the record of one downloaded file.

Many units publish their annual report as an attachment (a detail page saying "详见附件" and
a PDF, Word or Excel file). The auditor can only read such a report if the crawl keeps its
bytes, so links that look like a report's file are fetched with GET, within limits (size,
count per page, timeout per file: `crawler.settings`), and stored in the store's
`attachment_files` table; every other link is only probed with HEAD, as before. The decision
is made on what the page and link print, never by reading the file.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from govaudit.records import PageRecord

# Formats the auditor can read (or convert): the ones report files are published in.
DOCUMENT_EXTENSIONS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,4})$")
# A page about a report, or a link naming one (法治政府建设年度报告.pdf, 年报, 表格).
_REPORT_WORDS = re.compile(r"报告|年报|报表|统计表|情况表|信息公开")
# A body this short says no more than "详见附件": whatever the title, its attachment is the text.
STUB_BODY_CHARS = 120
# Status recorded for a file beyond GOVAUDIT_ATTACHMENT_MAXSIZE: not a broken link.
TOO_LARGE = "too_large"


@dataclass
class AttachmentFile:
    """Bytes of one downloaded attachment, yielded by the spider before its page record."""

    sha256: str
    url: str
    content_type: str
    content: bytes

    @classmethod
    def of(cls, url: str, content_type: str, content: bytes) -> "AttachmentFile":
        return cls(hashlib.sha256(content).hexdigest(), url, content_type, content)


def file_extension(attachment: dict[str, str]) -> str:
    """Lower-case extension of the file a link names: in the path, a filename= parameter,
    or the link text (附件1.pdf), in that order; "" when none says."""
    try:
        parts = urlsplit(attachment.get("url", ""))
    except ValueError:  # a malformed link: only its text can say; it is not fetched anyway
        parts = None
    candidates = [unquote(parts.path)] if parts else []
    for values in (parse_qs(parts.query).values() if parts else ()):
        candidates.extend(values)
    candidates.append(attachment.get("text", ""))
    for text in candidates:
        match = _EXTENSION.search(text.strip())
        if match and match.group(1).lower() in DOCUMENT_EXTENSIONS:
            return match.group(1).lower()
    return ""


def is_report_candidate(record: PageRecord, attachment: dict[str, str]) -> bool:
    """True when the link is a document file on a page that is (or points to) a report."""
    if not file_extension(attachment):
        return False
    if len(re.sub(r"\s", "", record.body_text)) <= STUB_BODY_CHARS:
        return True
    titles = " ".join(t for t in (record.page_title, record.list_title, attachment.get("text")) if t)
    return bool(_REPORT_WORDS.search(titles))


def candidates(record: PageRecord, limit: int) -> list[dict[str, str]]:
    """The attachments of a page to download, at most `limit` (the first ones, in page order)."""
    return [a for a in record.attachments if is_report_candidate(record, a)][:max(0, limit)]
