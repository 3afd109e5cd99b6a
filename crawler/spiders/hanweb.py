"""大汉 Hanweb JCMS catalogs: the `<datastore>` data island and the dataproxy.jsp paging endpoint.

The column page embeds the first group of records (perPage × groupSize, typically 45) as CDATA
inside `<script type="text/xml">`; the rest come from `/module/web/jpage/dataproxy.jsp` in
record windows (`startrecord/endrecord/perpage`, POSTed like jpage itself does). Some servers
ignore the window and honour only `page=N`, so a window that brings nothing new switches to
page style once before giving up. Paging stops at `totalRecord`, at an empty window, or at the
GOVAUDIT_MAX_CATALOG_PAGES guard, whichever comes first; stopping before `totalRecord` (deep
offsets answered with a stub, or with the same window again) is recorded as a catalog problem,
so the unlisted rest of the catalog counts as "could not check", not as absent.
"""
from __future__ import annotations

import html as htmllib
import re
from typing import Any, Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import lxml.html
from scrapy.http import FormRequest, Request, Response, TextResponse

from crawler.sites import Unit
from crawler.spiders.base import CatalogSpider

# Each lazy body stops at the next opening marker as well as at its own end ("tempered"): a plain
# `.*?` rescans to the end of the page from every unclosed opening, so a catalog of repeated
# `<record><![CDATA[` without `]]>` took 48 s at 256 KB (quadratic); these stay linear.
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[((?:(?!\]\]>|<record>).)*)\]\]>\s*</record>", re.S)
_PARAM_RE = re.compile(r"var\s+param_(\w+)\s*=\s*\{((?:(?!\}\s*;|var\s+param_).)*)\}\s*;", re.S)
_JPAGE_RE = re.compile(r"\.jpage\(\s*\{((?:(?!\}\s*\)|\.jpage\().)*)\}\s*\)", re.S)
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[(?:(?!href=|<nextgroup>).)*href=[\"']([^\"']+)[\"']", re.S)
_TOTAL_RE = re.compile(r"totalRecord\s*[\"']?\s*[:=]\s*(\d+)", re.I)
_XML_TOTAL_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"


def js_object(text: str) -> dict[str, str]:
    """Loose reader for the `{col:1,webid:355,path:'/',...}` literals of jpage scripts."""
    return {k: v for k, v in re.findall(r"(\w+)\s*:\s*'?([^',}]*)'?", text)}


def parse_records(text: str, base_url: str) -> list[tuple[str, str | None, str | None]]:
    """(absolute url, title, date) for each `<record>`; the title attribute beats truncated text."""
    out = []
    for raw in _RECORD_RE.findall(text):
        try:
            fragment = lxml.html.fragment_fromstring(raw.strip(), create_parent="div")
        except Exception:  # a record of stray markup carries no document
            continue
        link = next((a for a in fragment.iter("a") if a.get("href")), None)
        if link is None:
            continue
        title = (link.get("title") or link.text_content() or "").strip() or None
        rest = fragment.text_content()
        found = _DATE_RE.search(re.sub(r"\s+", "", rest.replace(link.text_content(), "", 1)))
        date = f"{found.group(1)}-{int(found.group(2)):02d}-{int(found.group(3)):02d}" if found else None
        href = htmllib.unescape(link.get("href").strip())
        try:
            url = urljoin(base_url, href)
        except ValueError:  # a malformed link (bad port, broken IPv6 literal): kept for the record
            url = href
        out.append((url, title, date))
    return out


class HanwebSpider(CatalogSpider):
    name = "hanweb"
    dialect = "hanweb"

    def parse_catalog(self, response: Response, unit: Unit) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        records = parse_records(text, response.url)
        params = self._params(text)
        if not records and not params:
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason="no Hanweb data island (<datastore>) or jpage parameters on the catalog page; "
                       "check the unit's catalog URL and the site's cms dialect",
            )
            return
        seen: set[str] = set()
        yield from self._details(unit, records, seen)
        jpage = js_object(m.group(1)) if (m := _JPAGE_RE.search(text)) else {}
        total = int(t.group(1)) if (t := _TOTAL_RE.search(text)) else len(records)
        per_page = int(jpage.get("perPage") or 15)
        window = per_page * int(jpage.get("groupSize") or 3)
        self.claimed_total(unit, total)
        if total > len(records) and params:
            proxy = urljoin(response.url, jpage.get("proxyUrl") or PROXY_PATH)
            yield self._window(unit, proxy, params, response.url, len(records) + 1, window, per_page,
                               total, seen, pages=1)

    def read_listing(self, response: Response) -> list[tuple[str, str | None, str | None]] | None:
        text = response.text if isinstance(response, TextResponse) else ""
        records = parse_records(text, response.url)
        # A column with no entry still carries its (empty) data island: that is a blank column,
        # while a page without one is not a Hanweb listing at all.
        return records if records or "<datastore" in text else None

    def _params(self, text: str) -> dict[str, str]:
        if m := _PARAM_RE.search(text):
            params = js_object(m.group(2))
            params.setdefault("unitid", m.group(1))
            return params
        if m := _NEXTGROUP_RE.search(text):  # fall back on the nextgroup URL template
            query = parse_qs(urlparse(htmllib.unescape(m.group(1))).query)
            return {k: v[0] for k, v in query.items() if k != "page"}
        return {}

    def _details(self, unit: Unit, records: list, seen: set[str]) -> Iterator[Request]:
        for url, title, date in records:
            if url not in seen:
                seen.add(url)
                if (listed := self.detail_request(unit, url, title, date)) is not None:
                    yield listed

    def _window(self, unit: Unit, proxy: str, params: dict, referer: str, start: int, window: int,
                per_page: int, total: int, seen: set[str], pages: int, page_style: bool = False) -> Request:
        form = {k: str(params.get(k, d)) for k, d in (
            ("col", 1), ("appid", 1), ("webid", ""), ("path", "/"), ("columnid", ""),
            ("sourceContentType", 1), ("unitid", ""), ("webname", ""), ("permissiontype", 0))}
        kwargs = dict(unit=unit, proxy=proxy, params=params, referer=referer, start=start, window=window,
                      per_page=per_page, total=total, seen=seen, pages=pages, page_style=page_style)
        headers = {"Referer": referer, "X-Requested-With": "XMLHttpRequest",
                   "Accept": "application/xml, text/xml, */*"}
        if page_style:
            query = urlencode({"page": (start - 1) // window + 1, "perpage": window, **form})
            return Request(f"{proxy}?{query}", headers=headers, callback=self.parse_window,
                           errback=self.catalog_failed_window, cb_kwargs=kwargs, meta={"unit": unit.name},
                           dont_filter=True)
        query = urlencode({"startrecord": start, "endrecord": start + window - 1, "perpage": per_page})
        return FormRequest(f"{proxy}?{query}", formdata=form, headers=headers, callback=self.parse_window,
                           errback=self.catalog_failed_window, cb_kwargs=kwargs, meta={"unit": unit.name},
                           dont_filter=True)

    def parse_window(self, response: Response, unit: Unit, proxy: str, params: dict, referer: str, start: int,
                     window: int, per_page: int, total: int, seen: set[str], pages: int,
                     page_style: bool) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        records = parse_records(text, referer)
        if m := _XML_TOTAL_RE.search(text):
            total = int(m.group(1))
        new = [r for r in records if r[0] not in seen]
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_pages")
        if not new and len(seen) < total and not page_style:
            # The server ignored the window (sent an earlier one again) or sent nothing: some
            # Hanweb servers honour only page=N, so ask that way once before giving up.
            yield self._window(unit, proxy, params, referer, start, window, per_page, total, seen, pages + 1, True)
            return
        yield from self._details(unit, new, seen)
        next_start = start + window
        if not new or next_start > total:
            if len(seen) < total:
                what = "repeated records already listed (a paging loop)" if records else "came back empty (a stub page)"
                yield self.catalog_problem(
                    unit, response.url, status=response.status,
                    reason=f"catalog paging stopped: records {start}-{start + window - 1} {what}; only {len(seen)} "
                           f"of the {total} records the catalog announces were listed, the rest could not be checked")
            return
        if (budget := self.over_budget(unit)) is not None:
            if (record := self.cut_short(unit, budget)) is not None:
                yield record
            return
        if pages >= self.settings.getint("GOVAUDIT_MAX_CATALOG_PAGES"):
            yield self.catalog_problem(unit, response.url, status=response.status,
                                       reason=f"catalog paging stopped after {pages} pages (GOVAUDIT_MAX_CATALOG_PAGES); "
                                              f"{len(seen)} of {total} records listed")
            return
        yield self._window(unit, proxy, params, referer, next_start, window, per_page, total, seen, pages + 1,
                           page_style)

    def catalog_failed_window(self, failure: Any) -> Iterator[Any]:
        yield from self.catalog_failed(failure)
