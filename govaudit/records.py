"""The raw record one crawled page becomes.

Every CMS dialect yields the same record so that storage, normalisation and the rules never
need to know which platform a page came from. Fields hold what the page *said*, undecoded
by any rule: label/value pairs are kept as printed (labels with their odd spacing), dates
as strings. Interpretation belongs to `audits.normalize`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PageRecord:
    url: str
    site: str
    unit: str
    unit_level: str  # township | subdistrict | county_gov | department (from the site config)
    dialect: str  # hanweb, trs, ...
    kind: str = "detail"  # detail | catalog (a catalog that could not be read is stored too) | column
    list_title: str | None = None  # title as printed in the catalog list (often truncated)
    list_date: str | None = None  # date as printed in the catalog list
    http_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str | None = None  # ISO 8601, UTC
    encoding: str | None = None  # what the page was decoded with
    html: str = ""  # the decoded page
    page_title: str | None = None  # <meta ArticleTitle> or the heading above the body
    meta_pairs: list[list[str]] = field(default_factory=list)  # [[label, value], ...] in page order
    meta_tags: dict[str, str] = field(default_factory=dict)  # <meta name=...> of the head (PubDate, ...)
    body_text: str = ""  # text of the article body, paragraphs separated by newlines
    body_html: str = ""  # HTML of the article body (tables are parsed from it)
    attachments: list[dict[str, str]] = field(default_factory=list)  # [{"url", "text"}]
    error: str | None = None  # why the page could not be fetched or read; None when it was
    # kind="column": one listing page of a site column (动态、通知公告…) read for freshness only,
    # its entries as printed ([{"url", "title", "date"}]) and the kind the site config gave it.
    column_name: str | None = None
    column_kind: str | None = None  # news | notices | personnel | other | None (inferred by the audit)
    listing: list[dict[str, str | None]] = field(default_factory=list)
    # A re-crawl that left the page unfetched (its catalog entry unchanged, crawler.recrawl)
    # stores the last fetched copy with the id of the crawl that fetched it; None: fetched now.
    carried_from: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
