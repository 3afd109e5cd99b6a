"""What every CMS dialect shares: units to start from, detail pages, attachments, failures.

A dialect spider only knows how its platform lists documents (data islands, paging
endpoints, index_N pages). It hands each listed document to `detail_request`; fetching,
reading and recording the detail page, checking its attachments and recording failures
are the same everywhere and live here, so adding TRS touches nothing else.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.settings import BaseSettings
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure

from crawler.detail import extract_detail
from govaudit.records import PageRecord
from crawler.sites import Column, SiteConfig, Unit, load_site


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


BLOCKED_STATUSES = {
    412: "a JavaScript challenge page (瑞数-style anti-bot)",
    403: "access forbidden",
    429: "too many requests",
}


def failure_status(failure: Failure, settings: BaseSettings | None = None) -> tuple[int | None, str]:
    """HTTP status (if any) and a plain-language reason for a failed request, naming the URL
    and, where a crawl setting decided the outcome, that setting."""
    setting = (lambda name, default: settings.get(name, default)) if settings is not None else (lambda n, d: d)
    request = failure.request if hasattr(failure, "request") else None
    url = original_url(request) if request is not None else "?"
    tries = (request.meta.get("retry_times", 0) if request is not None else 0)
    retried = f" (gave up after {tries} {'retry' if tries == 1 else 'retries'})" if tries else ""
    if failure.check(HttpError):
        response = failure.value.response
        if response.status in BLOCKED_STATUSES:
            return response.status, (
                f"blocked: HTTP {response.status} at {response.url}, {BLOCKED_STATUSES[response.status]}{retried}; "
                "the portal refuses this client: lower the crawl rate (politeness.delay) and ask the site's "
                "webmaster to allow the govaudit User-Agent and this machine's address")
        return response.status, f"HTTP {response.status} at {response.url}{retried}"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if message == "max redirections reached" and request is not None:
            chain = [*request.meta.get("redirect_urls", []), request.url]
            loop = " (a redirect loop)" if len(set(chain)) < len(chain) else ""
            return None, (f"too many redirects from {url}{loop}: {' → '.join(chain[:4])}"
                          f"{' → …' if len(chain) > 4 else ''}; stopped after REDIRECT_MAX_TIMES="
                          f"{setting('REDIRECT_MAX_TIMES', 20)}")
        return None, message
    if failure.check(DownloadTimeoutError):
        return None, (f"timed out: no complete answer from {url} within DOWNLOAD_TIMEOUT="
                      f"{setting('DOWNLOAD_TIMEOUT', 180)}s{retried}")
    if failure.check(DownloadCancelledError) and "max size" in str(failure.value):
        return None, (f"page too large: {url} is bigger than DOWNLOAD_MAXSIZE={setting('DOWNLOAD_MAXSIZE', 0)} "
                      "bytes; not a normal disclosure page (raise DOWNLOAD_MAXSIZE if it is)")
    if failure.check(ConnectionDone, ConnectionLost, ResponseDataLossError, DownloadFailedError):
        return None, f"connection dropped: {url} closed the connection without a complete answer{retried}"
    if failure.check(DownloadConnectionRefusedError, CannotResolveHostError):
        return None, f"could not connect to {url}: {failure.getErrorMessage()}{retried}"
    return None, f"{failure.type.__name__} at {url}: {failure.getErrorMessage()}{retried}"


def original_url(request: Request) -> str:
    """The URL the catalog listed, before any redirect."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def decoding_problem(response: TextResponse) -> str | None:
    """Why the body does not decode cleanly with the encoding Scrapy chose (GBK and GB2312 are
    read as gb18030), or None. A lenient decode would turn the bad bytes into U+FFFD and lose
    characters without a trace, so a page like that is reported instead of read."""
    codec = response.encoding
    try:
        response.body.decode(codec)
    except UnicodeDecodeError as exc:
        bad = response.body[exc.start:exc.end + 2][:6]
        return (f"page bytes do not decode as {codec}: invalid bytes {bad!r} at offset {exc.start} of {response.url}; "
                "characters would be lost, so the page was not read")
    except LookupError:
        return f"unknown character encoding {codec!r} declared by {response.url}"
    return None


class CatalogSpider(scrapy.Spider):
    """Base of the dialect spiders. Arguments: site (config path), units (comma-separated), base_url."""

    dialect = ""

    def __init__(self, site: str, units: str = "", base_url: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        config: SiteConfig = load_site(site)
        if base_url:
            config = config.with_base_url(base_url)
        self.site_config = config.select_units([u for u in units.split(",") if u] or None)

    async def start(self) -> Any:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        for unit in self.site_config.units:
            yield Request(unit.catalog, callback=self.parse_catalog, errback=self.catalog_failed,
                          cb_kwargs={"unit": unit}, meta={"unit": unit.name}, dont_filter=True)
            for column in unit.columns:
                yield Request(column.url, callback=self.parse_column, errback=self.column_failed,
                              cb_kwargs={"unit": unit, "column": column}, meta={"unit": unit.name},
                              dont_filter=True)

    def parse_catalog(self, response: Response, unit: Unit) -> Iterator[Any]:
        raise NotImplementedError

    def read_listing(self, response: Response) -> list[tuple[str, str | None, str | None]] | None:
        """(url, title, date) of the entries a column page lists, or None when the page is no listing."""
        raise NotImplementedError

    # site columns: only their first listing page, for freshness; their items are not fetched ---
    def parse_column(self, response: Response, unit: Unit, column: Column) -> Iterator[PageRecord]:
        entries = self.read_listing(response) if isinstance(response, TextResponse) else None
        error = None if entries is not None else (
            f"column {column.name!r} at {response.url} shows no {self.dialect} listing; "
            "check the column's url in the site config")
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/columns")
        yield self.record(unit, column.url, kind="column", column_name=column.name, column_kind=column.kind,
                          http_status=response.status, headers=_headers(response), error=error,
                          listing=[{"url": u, "title": t, "date": d} for u, t, d in entries or []])

    def column_failed(self, failure: Failure) -> Iterator[PageRecord]:
        kw = failure.request.cb_kwargs
        status, reason = failure_status(failure, self.settings)
        column: Column = kw["column"]
        yield self.record(kw["unit"], column.url, kind="column", column_name=column.name,
                          column_kind=column.kind, http_status=status, error=f"column unreachable: {reason}")

    # records --------------------------------------------------------------------------
    def record(self, unit: Unit, url: str, **fields: Any) -> PageRecord:
        return PageRecord(url=url, site=self.site_config.name, unit=unit.name, unit_level=unit.level,
                          dialect=self.dialect, fetched_at=now_iso(), **fields)

    def catalog_problem(self, unit: Unit, url: str, reason: str, status: int | None = None,
                        response: Response | None = None) -> PageRecord:
        """A catalog that could not be read: the whole unit could not be checked."""
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_failed")
        return self.record(unit, url, kind="catalog", http_status=status, error=reason,
                           headers=_headers(response) if response is not None else {},
                           html=_text(response) if response is not None else "")

    def catalog_failed(self, failure: Failure) -> Iterator[PageRecord]:
        request = failure.request
        unit: Unit = request.cb_kwargs["unit"]
        status, reason = failure_status(failure, self.settings)
        self.logger.warning("catalog of %s could not be read: %s", unit.name, reason)
        yield self.catalog_problem(unit, original_url(request), f"catalog unreachable: {reason}", status)

    # details --------------------------------------------------------------------------
    def detail_request(self, unit: Unit, url: str, list_title: str | None, list_date: str | None) -> Request:
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/listed")
        # dont_filter: the dialect lists each URL once; Scrapy's duplicate filter would silently
        # drop the second leg of a redirect loop (A → B → A) instead of letting it fail visibly.
        return Request(url, callback=self.parse_detail, errback=self.detail_failed,
                       cb_kwargs={"unit": unit, "list_title": list_title, "list_date": list_date},
                       meta={"unit": unit.name}, dont_filter=True)

    def parse_detail(self, response: Response, unit: Unit, list_title: str | None,
                     list_date: str | None) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield self.record(unit, response.url, kind="detail", list_title=list_title, list_date=list_date,
                              http_status=response.status, headers=_headers(response),
                              error=f"not an HTML page (Content-Type {response.headers.get('Content-Type', b'').decode()!r})")
            return
        html = response.text
        error = decoding_problem(response)
        parts = extract_detail(html, response.url)
        record = self.record(
            unit, response.url, kind="detail", list_title=list_title, list_date=list_date,
            http_status=response.status, headers=_headers(response), encoding=response.encoding,
            html=html, page_title=parts.page_title, meta_pairs=parts.meta_pairs, meta_tags=parts.meta_tags,
            body_text=parts.body_text, body_html=parts.body_html, attachments=parts.attachments, error=error,
        )
        yield from self.check_attachments(record, list(record.attachments))

    def detail_failed(self, failure: Failure) -> Iterator[PageRecord]:
        request = failure.request
        kw = request.cb_kwargs
        status, reason = failure_status(failure, self.settings)
        response = getattr(failure.value, "response", None)
        yield self.record(kw["unit"], original_url(request), kind="detail", list_title=kw["list_title"],
                          list_date=kw["list_date"], http_status=status, error=reason,
                          headers=_headers(response) if response is not None else {})

    # attachments: checked one after another so the record is stored once, complete ---------
    def check_attachments(self, record: PageRecord, pending: list[dict[str, str]]) -> Iterator[Any]:
        unchecked = [a for a in pending if "status" not in a]
        if not unchecked or not self.settings.getbool("GOVAUDIT_CHECK_ATTACHMENTS"):
            yield record
            return
        attachment = unchecked[0]
        yield Request(attachment["url"], method="HEAD", callback=self._attachment_done,
                      errback=self._attachment_failed, dont_filter=True,
                      cb_kwargs={"record": record, "attachment": attachment}, meta={"unit": record.unit})

    def _attachment_done(self, response: Response, record: PageRecord, attachment: dict) -> Iterator[Any]:
        attachment["status"] = str(response.status)
        yield from self.check_attachments(record, record.attachments)

    def _attachment_failed(self, failure: Failure) -> Iterator[Any]:
        kw = failure.request.cb_kwargs
        status, reason = failure_status(failure, self.settings)
        kw["attachment"]["status"] = str(status) if status else "error"
        kw["attachment"]["error"] = reason
        yield from self.check_attachments(kw["record"], kw["record"].attachments)


def _headers(response: Response | None) -> dict[str, str]:
    if response is None:
        return {}
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def _text(response: Response) -> str:
    return response.text if isinstance(response, TextResponse) else ""
