"""Hanweb's newer "jpaas" platform (Zhejiang after ~2023): the `build/unit` list endpoint.

The column page keeps `/col/colN/index.html` but its list comes from
`/api-gateway/jpaas-publish-server/front/page/build/unit`, announced by a pager element whose
attributes carry `count`, `rows`, `unitUrl` and `queryData="{'webId':…,'pageId':…,'tagId':…,
'tplSetId':…}"`. The endpoint pages **only** through `paramJson={"pageNo":N,"pageSize":"15"}`
(a bare pageNo or page is ignored and always answers page 1) and returns
`{"success": true, "data": {"html": "<li>…"}}`. Articles live at
`/col/colN/art/YYYY/art_{32 hex}.html`; their pages are Hanweb detail pages.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator
from urllib.parse import urlencode, urljoin

import lxml.html
from lxml import etree
from scrapy.http import Request, Response, TextResponse

from crawler.sites import Unit
from crawler.spiders.base import CatalogSpider, list_items

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ARTICLE_RE = re.compile(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html")


def pager_attributes(text: str) -> dict[str, str] | None:
    """The attributes of the element carrying `queryData` (lower-cased names), or None."""
    try:
        doc = lxml.html.fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    found = doc.xpath("//*[@querydata]")
    return dict(found[0].attrib) if found else None


def query_data(raw: str) -> dict[str, str]:
    """`{'webId':'3185','pageId':'1229…'}` (single-quoted, as printed) → dict."""
    return {k: v for k, v in re.findall(r"['\"]?(\w+)['\"]?\s*:\s*['\"]([^'\"]*)['\"]", raw)}


class JpaasSpider(CatalogSpider):
    name = "jpaas"
    dialect = "jpaas"

    def parse_catalog(self, response: Response, unit: Unit) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        attrs = pager_attributes(text)
        query = query_data(attrs.get("querydata", "")) if attrs else {}
        if attrs is None or not query.get("pageId"):
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason="no jpaas pager (an element with queryData=\"{'webId':…,'pageId':…}\") on the catalog page; "
                       "check the unit's catalog URL and its cms dialect")
            return
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_pages")
        yield from self._details(unit, list_items(text, response.url, ARTICLE_RE))
        try:
            count, rows = int(attrs.get("count") or 0), int(attrs.get("rows") or 15)
        except ValueError:
            count, rows = 0, 15
        pages = max(1, -(-count // max(rows, 1)))
        limit = self.settings.getint("GOVAUDIT_MAX_CATALOG_PAGES")
        if pages > limit:
            yield self.catalog_problem(unit, response.url, status=response.status,
                                       reason=f"catalog announces {pages} pages; only {limit} are read")
        endpoint = urljoin(response.url, attrs.get("uniturl") or UNIT_PATH)
        for n in range(1, min(pages, limit) + 1):
            params = {**{k: query.get(k, "") for k in ("webId", "pageId", "tagId", "tplSetId")},
                      "parseType": "bulidstatic", "pageType": "column",
                      "paramJson": json.dumps({"pageNo": n, "pageSize": str(rows)}, separators=(",", ":"))}
            yield Request(f"{endpoint}?{urlencode(params)}", callback=self.parse_unit, errback=self.catalog_failed,
                          headers={"Referer": response.url, "X-Requested-With": "XMLHttpRequest",
                                   "Accept": "application/json, text/javascript, */*"},
                          cb_kwargs={"unit": unit, "page": n, "pages": pages, "column": response.url},
                          meta={"unit": unit.name}, dont_filter=True)

    def parse_unit(self, response: Response, unit: Unit, page: int, pages: int, column: str) -> Iterator[Any]:
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_pages")
        try:
            data = json.loads(response.body)
            fragment = data["data"]["html"] if data.get("success") else None
            if not isinstance(fragment, str):
                raise ValueError(f"success={data.get('success')!r} without data.html")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason=f"jpaas list endpoint answered {len(response.body)} bytes that are not its JSON "
                       f"({type(exc).__name__}: {str(exc)[:80]}); page {page} of {pages} could not be checked")
            return
        items = list_items(fragment, column, ARTICLE_RE)
        if not items:
            yield self.catalog_problem(unit, response.url, status=response.status,
                                       reason=f"jpaas list page {page} of {pages} lists no article; "
                                              "the documents it should list could not be checked")
            return
        yield from self.detail_requests(unit, items)
