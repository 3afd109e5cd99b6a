"""TRS WCM (拓尔思) catalogs: static list pages `index.html`, `index_1.html`, … in a column directory.

Page 0 carries the pager script, whose first numbers are the page count and the current page
(0-based): `createPageHTML(7, 0, "index", "html")`, Chongqing's `createPage(…)` with the same
arguments, or the six-argument `createPageHTML('page_div', 7, 0, 'list', 'shtml', 133)`. Page k
is `{name}_{k}.{ext}` beside page 0, so every page is known after the first and all are
requested at once. Items are anchors to `./YYYYMM/tYYYYMMDD_ID.html` (or `.shtml`/`.htm`) in
`<li>` or table rows; anchors outside the column's parent directory (sidebars) are not its catalog.
Deep pages are sometimes broken 300–400-byte stubs: a page with no items is recorded as a
catalog problem, so what it should have listed counts as "could not check", never as absent.
"""
from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urljoin, urlparse

from scrapy.http import Request, Response, TextResponse

from crawler.sites import Unit
from crawler.spiders.base import CatalogSpider, list_items

# createPageHTML(N, k, "index", "html") | createPage(N, k, …) | createPageHTML('div', N, k, 'list', 'shtml', total)
PAGER_RE = re.compile(
    r"createPage(?:HTML)?\(\s*(?:(['\"])[^'\"]*\1\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*(['\"])([\w.-]+)\4\s*,\s*(['\"])(\w+)\6")
ARTICLE_RE = re.compile(r"(?:^|/)t\d{8}_\d+\.(?:s?html?)(?:$|[?#])")
STUB_BYTES = 1024  # a real list page is several KB; the broken stubs are 300–400 bytes


def pager(text: str) -> tuple[int, str, str] | None:
    """(page count, page name, extension) from the page's pager script, or None."""
    if m := PAGER_RE.search(text):
        return int(m.group(2)), m.group(5), m.group(7)
    return None


def column_scope(url: str) -> str:
    """Where a column's items may live: below the directory above the column's own, so a
    channel may list documents of its sibling channels (TRS 引用, e.g. 通知公告 quoting the
    年度报告 channel's reports) but not the other units' columns its sidebars link to."""
    return urljoin(url, "../").split("?")[0]


class TrsSpider(CatalogSpider):
    name = "trs"
    dialect = "trs"

    def parse_catalog(self, response: Response, unit: Unit) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        items = list_items(text, response.url, ARTICLE_RE, scope=column_scope(response.url))
        found = pager(text)
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_pages")
        if not items and found is None:
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason=f"no TRS list on the catalog page ({len(response.body)} bytes): no createPageHTML/createPage "
                       "pager and no links to tYYYYMMDD_ID.html articles; check the unit's catalog URL and "
                       "its cms dialect")
            return
        yield from self.detail_requests(unit, items)
        count, name, ext = found or (1, "", "")
        limit = self.settings.getint("GOVAUDIT_MAX_CATALOG_PAGES")
        if count > limit:
            yield self.catalog_problem(unit, response.url, status=response.status,
                                       reason=f"catalog announces {count} pages; only the first {limit} are read "
                                              "(GOVAUDIT_MAX_CATALOG_PAGES), the rest could not be checked")
        for k in range(1, min(count, limit)):
            url = urljoin(response.url, f"{name}_{k}.{ext}")
            yield Request(url, callback=self.parse_page, errback=self.catalog_failed, dont_filter=True,
                          cb_kwargs={"unit": unit, "page": k, "count": count}, meta={"unit": unit.name},
                          headers={"Referer": response.url})

    def parse_page(self, response: Response, unit: Unit, page: int, count: int) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        items = list_items(text, response.url, ARTICLE_RE, scope=column_scope(response.url))
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_pages")
        if not items:
            size = len(response.body)
            what = f"a {size}-byte stub" if size < STUB_BYTES else f"a {size}-byte page without article links"
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason=f"catalog page {page + 1} of {count} ({urlparse(response.url).path}) is {what}; "
                       "the documents it should list could not be checked")
            return
        yield from self.detail_requests(unit, items)
