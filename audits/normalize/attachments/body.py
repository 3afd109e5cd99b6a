"""Which text of a page is the report: its HTML body, or a downloaded attachment.

A page whose body is a stub ("详见附件", a sentence pointing at the file) publishes its report
as an attachment: the attachment's text and tables are the body, and `body_source` names the
format (pdf, docx, doc, xlsx, xls). A page whose body holds the report keeps it (`html`); its
attachments are extra evidence, read only for tables the body lacks (a table 三 published as
a workbook beside the text). When the report is an attachment and none of its files can be
read, the body is empty (sections and tables "could not check") and `attachment_problem` says
why, file by file.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from audits.normalize.attachments.extract import extract_attachment
from crawler.attachments import file_extension
from audits.normalize.attachments.model import DEFAULT_LIMITS, Extracted, Limits, Unreadable
from audits.normalize.labels import squeeze
from govaudit.records import PageRecord

# A report is thousands of characters; a body this short only points at the attachment.
STUB_MAX_CHARS = 200
_SPREADSHEETS = ("xlsx", "xls")

FileReader = Callable[[str], "bytes | None"]


@dataclass
class Body:
    text: str
    html: str
    source: str = "html"
    problem: str | None = None  # the report is an attachment and could not be read: why
    extra_html: str = ""  # tables of attachments beside an HTML report (extra evidence)
    notes: list[str] = field(default_factory=list)  # for parse_problems


def is_stub(text: str) -> bool:
    return len(squeeze(text)) < STUB_MAX_CHARS


def _name(attachment: dict) -> str:
    return attachment.get("text") or attachment.get("url", "").rsplit("=", 1)[-1].rsplit("/", 1)[-1]


def _extension(attachment: dict) -> str:
    return file_extension(attachment)  # as the crawler read it when it chose to download


def _read(record: PageRecord, read_file: FileReader | None,
          limits: Limits) -> tuple[list[tuple[dict, Extracted]], list[tuple[dict, str]]]:
    readable, unreadable = [], []
    for attachment in record.attachments or []:
        if not attachment.get("download"):
            continue
        sha = attachment.get("sha256")
        if not sha:
            why = attachment.get("error") or f"HTTP {attachment.get('status')}"
            unreadable.append((attachment, f"未能下载（{why}）"))
            continue
        data = read_file(sha) if read_file else None
        if data is None:
            unreadable.append((attachment, "已下载的文件不在存储库中"))
            continue
        try:
            readable.append((attachment, extract_attachment(data, _extension(attachment), limits)))
        except Unreadable as exc:
            unreadable.append((attachment, str(exc)))
    return readable, unreadable


def choose_body(record: PageRecord, html_text: str, read_file: FileReader | None,
                limits: Limits = DEFAULT_LIMITS) -> Body:
    body = Body(html_text, record.body_html or "")
    if not any(a.get("download") for a in record.attachments or []):
        return body
    readable, unreadable = _read(record, read_file, limits)
    problems = [f"附件《{_name(a)}》：{reason}" for a, reason in unreadable]
    body.notes = [f"附件《{_name(a)}》：{note}" for a, x in readable for note in x.notes]
    if not is_stub(html_text):
        body.extra_html = "\n".join(x.html for _, x in readable)
        body.notes += problems
        return body
    documents = [x for _, x in readable if x.source not in _SPREADSHEETS]
    sheets = [x for _, x in readable if x.source in _SPREADSHEETS]
    if documents:
        main = max(documents, key=lambda x: len(x.text))
        body.text, body.html, body.source = main.text, main.html + "\n".join(s.html for s in sheets), main.source
        body.notes += problems
    elif sheets:
        body.text = "\n".join(s.text for s in sheets)
        body.html, body.source = "\n".join(s.html for s in sheets), sheets[0].source
        body.notes += problems
    elif problems:
        first = unreadable[0][0]
        body.text, body.html = "", ""
        body.source = {"wps": "doc", "et": "xls"}.get(_extension(first), _extension(first) or "pdf")
        body.problem = "；".join(problems)
    return body
