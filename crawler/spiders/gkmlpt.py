"""Guangdong gkmlpt (政府信息公开目录管理平台) catalogs: `window._CONFIG` and the JSON list API.

`/gkmlpt/index` embeds `window._CONFIG = {SID: '…', TREE: [{id, name, children}…]}`; the list
of a classification comes from `api/all/{id}?page=N&sid=SID` (relative to the index page) as
JSON `{"classify": {"post_count": n}, "articles": [{title, url, date, …}]}`. A catalog URL
ending in `#ID` reads that classification only, else every top-level one. Detail pages print
the metadata table, but the body is a JSON-escaped string in `_CONFIG.DETAIL.content`.
An API answer that is not that JSON is a catalog problem ("could not check"), not a crash.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urldefrag, urljoin

import lxml.html
from scrapy.http import Request, Response, TextResponse

from crawler.detail import DetailParts, attachment_links, block_text, extract_detail
from crawler.sites import Unit
from crawler.spiders.base import CatalogSpider

CONFIG_RE = re.compile(r"window\._CONFIG\s*=\s*\{")
SID_RE = re.compile(r"\bSID\s*:\s*['\"]([^'\"]+)['\"]")
TREE_RE = re.compile(r"\bTREE\s*:\s*\[")
# Tempered: the lazy part never runs past the next `DETAIL:`, so repeated openings stay linear.
DETAIL_CONTENT_RE = re.compile(
    r"\bDETAIL\s*:\s*\{(?:(?!\bDETAIL\s*:).)*?[\"']?content[\"']?\s*:\s*(\"(?:[^\"\\]|\\.)*\")", re.S)
CHINA = timezone(timedelta(hours=8))


def bracketed(text: str, start: int) -> str:
    """The balanced [...] or {...} starting at text[start] (strings respected)."""
    opening = text[start]
    closing = {"[": "]", "{": "}"}[opening]
    depth, i, quote = 0, start, ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    return text[start:]


def read_config(text: str) -> tuple[str | None, list[dict]]:
    """(SID, TREE top-level entries) of a gkmlpt index page."""
    sid = m.group(1) if (m := SID_RE.search(text)) else None
    tree: list[dict] = []
    if m := TREE_RE.search(text):
        try:
            tree = [t for t in json.loads(bracketed(text, m.end() - 1)) if isinstance(t, dict) and "id" in t]
        except ValueError:
            tree = []
    return sid, tree


def article_date(article: dict) -> str | None:
    shown = str(article.get("display_publish_time") or "")
    if m := re.match(r"\d{4}-\d{2}-\d{2}", shown):
        return m.group(0)
    stamp = article.get("date")
    if isinstance(stamp, (int, float)) and stamp > 0:
        return datetime.fromtimestamp(stamp if stamp < 1e11 else stamp / 1000, CHINA).date().isoformat()
    return None


class GkmlptSpider(CatalogSpider):
    name = "gkmlpt"
    dialect = "gkmlpt"

    def catalog_request(self, unit: Unit, url: str) -> Request:
        page, fragment = urldefrag(url)
        return Request(page, callback=self.parse_catalog, errback=self.catalog_failed, dont_filter=True,
                       cb_kwargs={"unit": unit, "only": fragment}, meta={"unit": unit.name})

    def parse_catalog(self, response: Response, unit: Unit, only: str = "") -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        sid, tree = read_config(text) if CONFIG_RE.search(text) else (None, [])
        if not sid:
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason="no gkmlpt window._CONFIG with a SID on the catalog page; check the unit's catalog URL "
                       "(…/gkmlpt/index) and its cms dialect")
            return
        categories = [only] if only else [str(t["id"]) for t in tree]
        if not categories:
            yield self.catalog_problem(unit, response.url, response=response, status=response.status,
                                       reason="gkmlpt _CONFIG.TREE lists no classification to read")
            return
        for cat in categories:
            yield self._api(unit, response.url, cat, sid, 1, None)

    def _api(self, unit: Unit, index: str, cat: str, sid: str, page: int, pages: int | None) -> Request:
        url = urljoin(index, f"api/all/{cat}?page={page}&sid={sid}")
        return Request(url, callback=self.parse_api, errback=self.catalog_failed, dont_filter=True,
                       headers={"Referer": index, "X-Requested-With": "XMLHttpRequest",
                                "Accept": "application/json, text/plain, */*"},
                       cb_kwargs={"unit": unit, "index": index, "cat": cat, "sid": sid, "page": page, "pages": pages},
                       meta={"unit": unit.name})

    def parse_api(self, response: Response, unit: Unit, index: str, cat: str, sid: str, page: int,
                  pages: int | None) -> Iterator[Any]:
        self.crawler.stats.inc_value(f"govaudit/unit/{unit.name}/catalog_pages")
        try:
            data = json.loads(response.body)
            articles = data["articles"]
            total = int((data.get("classify") or {}).get("post_count") or 0)
            if not isinstance(articles, list):
                raise TypeError("articles is not a list")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            yield self.catalog_problem(
                unit, response.url, response=response, status=response.status,
                reason=f"gkmlpt list API answered {len(response.body)} bytes that are not its JSON "
                       f"({type(exc).__name__}: {str(exc)[:80]}); classification {cat} page {page} "
                       "could not be checked")
            return
        for article in articles:
            if isinstance(article, dict) and article.get("url"):
                url = urljoin(response.url, str(article["url"]))
                if (listed := self.detail_request(unit, url, str(article.get("title") or "") or None,
                                                  article_date(article))) is not None:
                    yield listed
        if page == 1 and articles:
            pages = -(-total // len(articles))
            limit = self.settings.getint("GOVAUDIT_MAX_CATALOG_PAGES")
            if pages > limit:
                yield self.catalog_problem(unit, response.url, status=response.status,
                                           reason=f"classification {cat} announces {pages} pages; "
                                                  f"only {limit} are read")
            for n in range(2, min(pages, limit) + 1):
                yield self._api(unit, index, cat, sid, n, pages)

    def detail_parts(self, html: str, url: str) -> DetailParts:
        parts = extract_detail(html, url)
        if m := DETAIL_CONTENT_RE.search(html):
            try:
                body = json.loads(m.group(1))
            except ValueError:
                return parts
            fragment = lxml.html.fragment_fromstring(body or "<p></p>", create_parent="div")
            parts.body_html, parts.body_text = body, block_text(fragment)
            known = {a["url"] for a in parts.attachments}
            parts.attachments += [a for a in attachment_links(fragment, url) if a["url"] not in known]
        return parts
