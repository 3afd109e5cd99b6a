"""One crawled page normalised: its document row and the rows it adds to the other frames.

Everything a rule reads about a page is decided here, once, from the stored `PageRecord`;
nothing downstream re-reads HTML.  A field that cannot be read becomes null with a reason in
`parse_problems`, so one odd page never stops a crawl's audit and a null is never silent.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast
from urllib.parse import urlsplit

from lxml import html as lxml_html

from audits.normalize import body_facts, classify
from audits.normalize.attachments.body import FileReader, choose_body
from crawler.attachments import TOO_LARGE
from audits.normalize.dates import parse_date
from audits.normalize.figure_groups import Group, find_figures
from audits.normalize.figures import Figure
from audits.normalize.labels import squeeze
from audits.normalize.metadata import read_metadata
from audits.normalize.section_kinds import SectionKinds
from audits.normalize.sections import Section, find_sections
from audits.normalize.tables import Tables, read_tables, with_missing_tables
from govaudit.records import PageRecord

_HANWEB_ID = re.compile(r"/art_\d+_(\d+)\.s?html?")
_TRS_ID = re.compile(r"/t(?:19|20)\d{6}_(\d+)\.s?html?")


@dataclass
class Page:
    document: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    tables: Tables = field(default_factory=Tables)
    figures: list[Figure] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    body: str = ""


def doc_id(url: str) -> str:
    """Hanweb `art_{col}_{id}.html` -> id; TRS `t{yyyymmdd}_{id}.html` -> id; else the URL."""
    m = _HANWEB_ID.search(url) or _TRS_ID.search(url)
    return m.group(1) if m else url


def content_hash(text: str) -> str:
    """sha256 of the body with all whitespace removed: re-wrapped lines are the same text."""
    return hashlib.sha256(squeeze(text).encode("utf-8")).hexdigest()


def _fetched_at(value: str | None, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"fetched_at {value!r} is not an ISO timestamp")
        return None
    return stamp.replace(tzinfo=timezone.utc) if stamp.tzinfo is None else stamp.astimezone(timezone.utc)


def _fetch_error(record: PageRecord) -> str | None:
    if record.error:
        return record.error
    if record.http_status is not None and not 200 <= record.http_status < 300:
        return f"HTTP {record.http_status}"
    return None


def _body_text(record: PageRecord) -> str:
    if record.body_text or not record.body_html:
        return record.body_text or ""
    try:
        return lxml_html.fromstring(record.body_html).text_content()
    except Exception:  # noqa: BLE001 - junk body: no text
        return ""


def _broken_attachments(record: PageRecord) -> int | None:
    """Attachment links that answered non-2xx; None when no link was checked."""
    statuses = [str(a.get("status") or "").strip() for a in record.attachments or []]
    checked = [s for s in statuses if s and s != TOO_LARGE]  # a file over the size limit answered
    if not checked:
        return None
    return sum(not (s.isdigit() and 200 <= int(s) < 300) for s in checked)


def _host(url: str) -> str | None:
    """Host of a stored URL; None for a link that was stored unfollowed because it is malformed."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def normalise_page(record: PageRecord, crawl_id: int, kinds: SectionKinds,
                   read_file: FileReader | None = None) -> Page:
    """`read_file(sha256)` gives a downloaded attachment's bytes (the store's); without it,
    attachment-borne reports are read as their HTML stub."""
    meta = read_metadata(record)
    problems = list(meta.problems)
    page_text = _body_text(record)
    chosen = choose_body(record, page_text, read_file)
    body, body_html = chosen.text, chosen.html
    problems.extend(chosen.notes)
    values = meta.values
    # the metadata's text fields (title, category) hold str; its date fields hold datetime
    title = cast("str | None", record.page_title or values.get("title") or record.list_title)
    list_date, list_problem = parse_date(record.list_date, "list date")
    if list_problem:
        problems.append(list_problem)
    error = _fetch_error(record)
    has_meta = any(values.get(k) for k in ("index_no", "publisher", "issued_date", "published_at", "doc_no"))
    if record.kind == "catalog" or error:
        rtype = "other"
    else:
        rtype = classify.report_type(title, cast("str | None", values.get("category")), body, has_meta)
    t_year = classify.title_year(title)
    if rtype in classify.ANNUAL_TYPES:
        r_year = classify.report_year(title, body)
    else:
        r_year = t_year
    page = Page(document={}, body=body)
    if not error and record.kind != "catalog":
        if not body.strip() and not has_meta:
            problems.append("no metadata block and no body text found on the page")
        if rtype in classify.ANNUAL_TYPES:
            page.sections = find_sections(body, rtype, kinds, body_html)
        page.tables = read_tables(body_html, body if rtype == "xxgk_annual" else "")
        if chosen.extra_html and rtype == "xxgk_annual":
            page.tables = with_missing_tables(page.tables, read_tables(chosen.extra_html))
        problems.extend(page.tables.problems)
        page.figures, page.groups = find_figures(body)
    page.document = {
        "doc_id": doc_id(record.url),
        "url": record.url,
        "site": record.site,
        "host": _host(record.url),
        "unit": record.unit,
        "unit_level": record.unit_level,
        "crawl_id": crawl_id,
        "kind": record.kind,
        "title": title,
        "list_title": record.list_title,
        "list_date": list_date,
        "index_no": values.get("index_no"),
        "publisher": values.get("publisher"),
        "disclosure_mode": values.get("disclosure_mode"),
        "issued_date": values.get("issued_date"),
        "category": values.get("category"),
        "doc_no": values.get("doc_no"),
        "validity": values.get("validity"),
        "published_at": values.get("published_at"),
        "published_from": values.get("published_from"),
        "issued_date_malformed": values.get("issued_date_malformed"),
        "published_malformed": values.get("published_at_malformed"),
        "source": values.get("source"),
        "report_type": rtype,
        "report_year": r_year,
        "title_year": t_year,
        "doc_no_shown": body_facts.doc_no_shown(title, body) if not error else None,
        "approval_date": body_facts.approval_date(body) if rtype in ("budget", "final_accounts") else None,
        "opening_year": classify.opening_year(body) if rtype in classify.ANNUAL_TYPES else None,
        "table_template": page.tables.template if rtype == "xxgk_annual" else None,
        "body_length": len(squeeze(body)),
        # An unreadable attachment leaves no body: the page's own words identify it instead (two
        # empty bodies must not look like copies of each other).
        "content_hash": content_hash(body if body.strip() else page_text),
        "http_status": record.http_status,
        "fetched_at": _fetched_at(record.fetched_at, problems),
        "attachment_count": len(record.attachments or []),
        "broken_attachments": _broken_attachments(record),
        "fetch_error": error,
        "body_source": chosen.source if record.kind != "catalog" and not error else None,
        "attachment_problem": chosen.problem if record.kind != "catalog" and not error else None,
        "parse_problems": "; ".join(dict.fromkeys(problems)) or None,
    }
    return page
