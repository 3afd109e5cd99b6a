"""What every CMS dialect shares: units to start from, detail pages, attachments, failures.

A dialect spider only knows how its platform lists documents (data islands, paging
endpoints, index_N pages). It hands each listed document to `detail_request`; fetching,
reading and recording the detail page, checking its attachments (downloading those that
look like a report's file, `crawler.attachments`) and recording failures
are the same everywhere and live here, so adding TRS touches nothing else.
"""
from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.settings import BaseSettings
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure

from crawler.attachments import TOO_LARGE, AttachmentFile, candidates as attachment_candidates
from crawler.detail import DetailParts, extract_detail
from crawler.recrawl import CarryOver
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
        location = response.headers.get("Location", b"").decode("latin-1").strip()
        try:
            location = urljoin(response.url, location) if location else ""
        except ValueError:
            pass  # malformed: link_problem says so
        if 300 <= response.status < 400 and location and (problem := link_problem(location)):
            # Scrapy does not follow a redirect to file:, ftp: or a malformed URL; say where it led.
            return response.status, f"not followed: HTTP {response.status} at {response.url} redirects to a {problem}"
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
    if failure.check(DownloadCancelledError, CancelledError) and ("max size" in str(failure.value)
                                                                  or not str(failure.value)):
        # Scrapy cancels with a message when Content-Length announces too much and with none
        # when the body outgrows the limit while streaming; either way the size limit did it.
        return None, (f"page too large: {url} is bigger than DOWNLOAD_MAXSIZE={setting('DOWNLOAD_MAXSIZE', 0)} "
                      "bytes; not a normal disclosure page (raise DOWNLOAD_MAXSIZE if it is)")
    if failure.check(ConnectionDone, ConnectionLost, ResponseDataLossError, DownloadFailedError):
        return None, f"connection dropped: {url} closed the connection without a complete answer{retried}"
    if failure.check(DownloadConnectionRefusedError, CannotResolveHostError):
        return None, f"could not connect to {url}: {failure.getErrorMessage()}{retried}"
    return None, f"{failure.type.__name__} at {url}: {failure.getErrorMessage()}{retried}"


MAX_URL_SHOWN = 300  # a hostile link can be megabytes long; records and messages keep its start


def link_problem(url: Any) -> str | None:
    """Why a listed link cannot be requested (a `javascript:` or `mailto:` link, a malformed
    URL), or None. Checked before a Request is built, whose constructor would raise inside the
    catalog callback and drop the rest of the catalog page with it."""
    if not isinstance(url, str) or not url.strip():
        return "empty link"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        return f"malformed link {url[:MAX_URL_SHOWN]!r} ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"{scheme or 'no'} scheme in link {url[:MAX_URL_SHOWN]!r}; only http and https links are crawled"
    if not parts.hostname:
        return f"link {url[:MAX_URL_SHOWN]!r} names no host"
    return None


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
        config = config.select_units([u for u in units.split(",") if u] or None)
        # A mixed site runs one spider per dialect; each reads only the units on its platform.
        self.site_config = replace(config, units=config.units_of(self.dialect))
        self._listed: dict[str, set[str]] = {}  # unit → detail URLs already requested
        self._started = time.monotonic()
        self._unit_started: dict[str, float] = {}
        self._cut_short: set[str] = set()
        self._claimed: dict[str, int] = {}
        self._carry_over: CarryOver | None = None

    @property
    def carry_over(self) -> CarryOver:
        """The re-crawl plan of this crawl (crawler.recrawl), read on first use."""
        if self._carry_over is None:
            self._carry_over = CarryOver(self.settings.get("GOVAUDIT_STORE"), self.settings.getint("GOVAUDIT_CRAWL_ID"))
        return self._carry_over

    def closed(self, reason: str) -> None:
        if self._carry_over is not None:
            self._carry_over.close()

    async def start(self) -> Any:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        for unit in self.site_config.units:
            self._unit_started[unit.name] = time.monotonic()
            for catalog in unit.catalogs:
                yield self.catalog_request(unit, catalog)
            for column in unit.columns:
                yield Request(column.url, callback=self.parse_column, errback=self.column_failed,
                              cb_kwargs={"unit": unit, "column": column}, meta={"unit": unit.name},
                              dont_filter=True)

    def catalog_request(self, unit: Unit, url: str) -> Request:
        """The first request of one catalog column; dialects with another entry point override it."""
        return Request(url, callback=self.parse_catalog, errback=self.catalog_failed,
                       cb_kwargs={"unit": unit}, meta={"unit": unit.name}, dont_filter=True)

    def parse_catalog(self, response: Response, unit: Unit) -> Iterator[Any]:
        raise NotImplementedError

    def read_listing(self, response: Response) -> list[tuple[str, str | None, str | None]] | None:
        """(url, title, date) of the entries a column page lists, or None when the page is no listing."""
        raise NotImplementedError

    # site columns: only their first listing page, for freshness; their items are not fetched ---
    def parse_column(self, response: Response, unit: Unit, column: Column) -> Iterator[PageRecord]:
        try:
            entries = self.read_listing(response) if isinstance(response, TextResponse) else None
            error = None if entries is not None else (
                f"column {column.name!r} at {response.url} shows no {self.dialect} listing; "
                "check the column's url in the site config")
        except NotImplementedError:  # recorded, so the column counts as could-not-check, never as passed
            entries, error = None, (f"site columns are not read for the {self.dialect} dialect yet; "
                                    f"column {column.name!r} could not be checked")
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/columns")
        yield self.record(unit, column.url, kind="column", column_name=column.name, column_kind=column.kind,
                          http_status=response.status, headers=_headers(response), error=error,
                          listing=[{"url": u, "title": t, "date": d} for u, t, d in entries or []])

    def column_failed(self, failure: Failure) -> Iterator[PageRecord]:
        kw = failure.request.cb_kwargs  # type: ignore[attr-defined]  # set by Scrapy, not in the stub
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
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy, not in the stub
        unit: Unit = request.cb_kwargs["unit"]
        status, reason = failure_status(failure, self.settings)
        self.logger.warning("catalog of %s could not be read: %s", unit.name, reason)
        yield self.catalog_problem(unit, original_url(request), f"catalog unreachable: {reason}", status)

    # budgets: a catalog cannot talk the crawl into running forever ------------------------
    def claimed_total(self, unit: Unit, total: int) -> None:
        """What a catalog says it holds (summed over a unit's catalog columns); kept to be weighed
        against what it delivers."""
        self._claimed[unit.name] = total = self._claimed.get(unit.name, 0) + total
        self.crawler.stats.set_value(f"govaudit/unit/{unit.name}/total_record", total)
        budget = self.site_config.politeness.max_pages_per_unit
        if total > budget:  # implausible for one unit, or more than this crawl may read: said up front
            self.crawler.stats.set_value(f"govaudit/unit/{unit.name}/implausible_total", total)
            self.logger.warning("catalog of %s claims %d records, more than politeness.max_pages_per_unit=%d; "
                                "listing stops at the budget", unit.name, total, budget)

    def over_budget(self, unit: Unit) -> str | None:
        """Which budget of politeness (site config) this unit or the crawl has used up, or None."""
        polite = self.site_config.politeness
        stats = self.crawler.stats
        now = time.monotonic()
        listed = stats.get_value(f"govaudit/unit/{unit.name}/listed", 0)
        if polite.max_pages_per_unit and listed >= polite.max_pages_per_unit:
            return f"page budget politeness.max_pages_per_unit={polite.max_pages_per_unit} reached"
        if polite.max_pages and stats.get_value("govaudit/listed", 0) >= polite.max_pages:
            return f"page budget of the whole crawl politeness.max_pages={polite.max_pages} reached"
        # A worker of a shared crawl never ran start_requests: its units start when first seen.
        minutes = (now - self._unit_started.setdefault(unit.name, now)) / 60
        if polite.max_minutes_per_unit and minutes >= polite.max_minutes_per_unit:
            return f"time budget politeness.max_minutes_per_unit={polite.max_minutes_per_unit:g} used up"
        if polite.max_minutes and (now - self._started) / 60 >= polite.max_minutes:
            return f"time budget of the whole crawl politeness.max_minutes={polite.max_minutes:g} used up"
        return None

    def cut_short(self, unit: Unit, reason: str) -> PageRecord | None:
        """The catalog problem saying a budget stopped the listing (once per unit), else None."""
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/over_budget")
        if unit.name in self._cut_short:
            return None
        self._cut_short.add(unit.name)
        listed = self.crawler.stats.get_value(f"govaudit/unit/{unit.name}/listed", 0)
        claimed = self._claimed.get(unit.name)
        claim = f" of the {claimed} records the catalog claims" if claimed else ""
        self.logger.warning("catalog of %s cut short: %s", unit.name, reason)
        return self.catalog_problem(unit, unit.catalog, f"catalog cut short: {reason} after {listed} documents"
                                    f"{claim}; the rest of the catalog could not be checked")

    # details --------------------------------------------------------------------------
    def detail_requests(self, unit: Unit, items: list) -> Iterator[Any]:
        """What the listed (url, title, date) items of one catalog page become, in list order."""
        for url, title, date in items:
            if (listed := self.detail_request(unit, url, title, date)) is not None:
                yield listed

    def detail_request(self, unit: Unit, url: str, list_title: str | None,
                       list_date: str | None) -> Request | PageRecord | None:
        """The request for a listed document; None when another page or catalog column of the same
        unit already listed it (a document is counted once per unit). A link that cannot be
        requested is recorded as not followed with its reason instead, and past a budget nothing
        more is requested (the first refusal records the cut-short catalog, the rest return None)."""
        listed = self._listed.setdefault(unit.name, set())
        if url in listed:
            self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/listed_again")
            return None
        listed.add(url)
        if (reason := self.over_budget(unit)) is not None:
            return self.cut_short(unit, reason)
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/listed")
        self.crawler.stats.inc_value("govaudit/listed")
        problem = link_problem(url)
        if problem is None:
            # An unchanged entry the plan does not ask for is carried over, not requested.
            why, carried = self.carry_over.decide(unit.name, url.strip(), list_title, list_date)
            self.crawler.stats.inc_value(f"govaudit/recrawl/{why}")
            if carried is not None:
                return carried
            try:
                # dont_filter: the dialect lists each URL once; Scrapy's duplicate filter would silently
                # drop the second leg of a redirect loop (A → B → A) instead of letting it fail visibly.
                # The listing mark lets a crawl spread over workers request it once across all of
                # them (crawler.leasedqueue); one process ignores it.
                return Request(url.strip(), callback=self.parse_detail, errback=self.detail_failed,
                               cb_kwargs={"unit": unit, "list_title": list_title, "list_date": list_date},
                               meta={"unit": unit.name, "govaudit_listing": url.strip()}, dont_filter=True)
            except (ValueError, TypeError) as exc:
                problem = f"link {url[:MAX_URL_SHOWN]!r} cannot be requested ({exc})"
        return self.skipped(unit, str(url)[:2000], problem, list_title=list_title, list_date=list_date)

    def skipped(self, unit: Unit, url: str, reason: str, **fields: Any) -> PageRecord:
        """A listed link that was not requested, stored with why (counted as skipped)."""
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/skipped")
        self.logger.info("not followed in %s: %s", unit.name, reason)
        return self.record(unit, url, kind="detail", error=f"not followed: {reason}", **fields)

    def parse_detail(self, response: Response, unit: Unit, list_title: str | None,
                     list_date: str | None) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield self.record(unit, response.url, kind="detail", list_title=list_title, list_date=list_date,
                              http_status=response.status, headers=_headers(response),
                              error="not an HTML page "
                                    f"(Content-Type {(response.headers.get('Content-Type') or b'').decode()!r})")
            return
        html = response.text
        error = decoding_problem(response)
        parts = self.detail_parts(html, response.url)
        record = self.record(
            unit, response.url, kind="detail", list_title=list_title, list_date=list_date,
            http_status=response.status, headers=_headers(response), encoding=response.encoding,
            html=html, page_title=parts.page_title, meta_pairs=parts.meta_pairs, meta_tags=parts.meta_tags,
            body_text=parts.body_text, body_html=parts.body_html, attachments=parts.attachments, error=error,
        )
        if record.attachments and (carried := self.carry_over.carry_attachment_checks(
                unit.name, response.meta.get("govaudit_listing") or response.url, list_title, list_date, html,
                record.attachments)):
            self.crawler.stats.inc_value("govaudit/recrawl/attachment_checks_carried", carried)
        yield from self.check_attachments(record, list(record.attachments))

    def detail_parts(self, html: str, url: str) -> DetailParts:
        """Read a detail page; a dialect whose body lives elsewhere (gkmlpt's JSON) overrides it."""
        return extract_detail(html, url)

    def detail_failed(self, failure: Failure) -> Iterator[PageRecord]:
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy, not in the stub
        kw = request.cb_kwargs
        status, reason = failure_status(failure, self.settings)
        response = getattr(failure.value, "response", None)
        yield self.record(kw["unit"], original_url(request), kind="detail", list_title=kw["list_title"],
                          list_date=kw["list_date"], http_status=status, error=reason,
                          headers=_headers(response) if response is not None else {})

    # attachments: checked one after another so the record is stored once, complete ---------
    # Links that look like a report's file are downloaded (GET, within the attachment limits)
    # and their bytes yielded for the store; the others are only probed with HEAD.
    def check_attachments(self, record: PageRecord, pending: list[dict[str, str]]) -> Iterator[Any]:
        unchecked = [a for a in pending if "status" not in a]
        if not unchecked or not self.settings.getbool("GOVAUDIT_CHECK_ATTACHMENTS"):
            yield record
            return
        attachment = unchecked[0]
        problem = link_problem(attachment.get("url"))
        if problem is None:
            kwargs = {"record": record, "attachment": attachment}
            download = self._should_download(record, attachment)  # outside the try: about this link only
            try:
                if download:
                    attachment["download"] = "1"
                    request = Request(
                        attachment["url"].strip(), callback=self._attachment_downloaded,
                        errback=self._attachment_failed, dont_filter=True, cb_kwargs=kwargs,
                        meta={"unit": record.unit,
                              "download_maxsize": self.settings.getint("GOVAUDIT_ATTACHMENT_MAXSIZE"),
                              "download_warnsize": 0,
                              "download_timeout": self.settings.getfloat("GOVAUDIT_ATTACHMENT_TIMEOUT")})
                else:
                    request = Request(attachment["url"].strip(), method="HEAD", callback=self._attachment_done,
                                      errback=self._attachment_failed, dont_filter=True, cb_kwargs=kwargs,
                                      meta={"unit": record.unit})
            except (ValueError, TypeError) as exc:
                attachment.pop("download", None)
                problem = f"link cannot be requested ({exc})"
            else:
                yield request
                return
        # Not requested: say why and go on with the next attachment, so the page is still stored.
        self.crawler.stats.inc_value(f"govaudit/unit/{record.unit}/skipped")
        attachment["status"] = "skipped"
        attachment["error"] = f"not followed: {problem}"
        yield from self.check_attachments(record, record.attachments)

    def _should_download(self, record: PageRecord, attachment: dict[str, str]) -> bool:
        if not self.settings.getbool("GOVAUDIT_DOWNLOAD_ATTACHMENTS"):
            return False
        limit = self.settings.getint("GOVAUDIT_ATTACHMENT_MAX_PER_PAGE")
        return any(a is attachment for a in attachment_candidates(record, limit))

    def _attachment_done(self, response: Response, record: PageRecord, attachment: dict) -> Iterator[Any]:
        attachment["status"] = str(response.status)
        yield from self.check_attachments(record, record.attachments)

    def _attachment_downloaded(self, response: Response, record: PageRecord, attachment: dict) -> Iterator[Any]:
        attachment["status"] = str(response.status)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        file = AttachmentFile.of(response.url, content_type, response.body)
        attachment.update(sha256=file.sha256, size=str(len(response.body)), content_type=content_type)
        self.crawler.stats.inc_value("govaudit/attachments/downloaded")
        yield file
        yield from self.check_attachments(record, record.attachments)

    def _attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy, not in the stub
        kw = request.cb_kwargs
        status, reason = failure_status(failure, self.settings)
        if failure.check(DownloadCancelledError) and "max size" in str(failure.value):
            limit = self.settings.getint("GOVAUDIT_ATTACHMENT_MAXSIZE")
            reason = (f"attachment too large: {original_url(request)} is bigger than "
                      f"GOVAUDIT_ATTACHMENT_MAXSIZE={limit} bytes; not downloaded (raise the limit to read it)")
        elif failure.check(DownloadTimeoutError) and kw["attachment"].get("download"):
            reason = (f"attachment timed out: {original_url(request)} not received within "
                      f"GOVAUDIT_ATTACHMENT_TIMEOUT={self.settings.getfloat('GOVAUDIT_ATTACHMENT_TIMEOUT'):g}s")
        kw["attachment"]["status"] = str(status) if status else "error"
        if failure.check(DownloadCancelledError) and "max size" in str(failure.value):
            kw["attachment"]["status"] = TOO_LARGE  # the link works; the file is beyond the limit
        kw["attachment"]["error"] = reason
        yield from self.check_attachments(kw["record"], kw["record"].attachments)


def _headers(response: Response | None) -> dict[str, str]:
    if response is None:
        return {}
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def _text(response: Response) -> str:
    return response.text if isinstance(response, TextResponse) else ""


# list pages rendered as HTML (TRS, jpaas fragments) ---------------------------------------
_LIST_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_URL_DATE_RE = re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+\.")


ListItem = tuple[str, str | None, str | None]  # (absolute url, title, date)


def list_items(html: str, base_url: str, href: re.Pattern[str], scope: str = "") -> list[ListItem]:
    """(absolute url, title, date) for every anchor whose href matches `href` and whose absolute
    URL starts with `scope` (a column's directory: sidebars link to other columns). The item is
    the anchor's `<li>` or `<tr>` (or the anchor itself when it wraps the fields); the title
    attribute beats truncated text; the date is the first date in the item outside the title,
    else the one in a TRS `tYYYYMMDD_` file name."""
    try:
        doc = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    out: list[ListItem] = []
    seen: set[str] = set()
    for a in doc.iter("a"):
        raw = (a.get("href") or "").strip()
        if not raw or not href.search(raw):
            continue
        url = urljoin(base_url, raw)
        if (scope and not url.startswith(scope)) or url in seen:
            continue
        seen.add(url)
        item = a if a.find(".//li") is not None else next(
            (p for p in a.iterancestors() if p.tag in ("li", "tr")), a)
        titled = item.xpath(".//*[contains(concat(' ', @class, ' '), ' file-title ') or "
                            "contains(concat(' ', @class, ' '), ' tit ')]")
        title = (a.get("title") or (titled[0].get("title") or titled[0].text_content() if titled else "")
                 or a.text_content() or "").strip()
        rest = item.text_content().replace(a.text_content() if item is not a else title, "", 1)
        found = _LIST_DATE_RE.search(re.sub(r"\s+", "", rest)) or _URL_DATE_RE.search(url)
        date = f"{found.group(1)}-{int(found.group(2)):02d}-{int(found.group(3)):02d}" if found else None
        out.append((url, re.sub(r"\s+", " ", title) or None, date))
    return out
