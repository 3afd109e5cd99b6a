"""Progress of a crawl as JSON lines on stdout, for the parent process to display.

The crawl runs in its own process (Twisted's reactor cannot be restarted, and the scheduler
must survive a crawl that crashes), so progress crosses the process boundary as one JSON
object per line; logging stays on stderr.
"""
from __future__ import annotations

import json
import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from govaudit.records import PageRecord

PREFIX = "@@govaudit "


def emit(event: str, **data: Any) -> None:
    sys.stdout.write(PREFIX + json.dumps({"event": event, **data}, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


class ProgressReporter:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressReporter":
        if not crawler.settings.getbool("GOVAUDIT_PROGRESS", False):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, PageRecord):
            stats = self.crawler.stats
            emit("page", unit=item.unit, kind=item.kind, status=item.http_status, error=item.error,
                 listed=stats.get_value(f"govaudit/unit/{item.unit}/listed", 0))

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float, str)) and (k.startswith(("govaudit/", "downloader/", "httpcache/"))
                                                          or k in ("item_scraped_count", "finish_reason"))}
        emit("closed", reason=reason, stats=stats)
