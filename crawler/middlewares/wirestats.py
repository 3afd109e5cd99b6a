"""Counts what really crossed the wire, before the HTTP cache turns a 304 into a cached page.

Scrapy's downloader stats sit outside the cache middleware, so a revalidated page looks like a
fresh 200 there. Placed next to the downloader, this middleware sees the 304s and the true
byte counts, which is what "an unchanged portal costs little to re-crawl" must be measured by.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response


class WireStatsMiddleware:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WireStatsMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self.stats.inc_value("govaudit/wire/responses")
        self.stats.inc_value("govaudit/wire/bytes", len(response.body))
        if response.status == 304:
            self.stats.inc_value("govaudit/wire/not_modified")
        else:
            self.stats.inc_value("govaudit/wire/full_responses")
        return response
