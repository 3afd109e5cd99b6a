"""Item pipeline writing every page record into the SQLite store as it arrives.

Writing at once (not at spider close) means a crawl killed half-way keeps what it fetched, and
the (crawl id, URL) key means running the same crawl again replaces pages instead of
duplicating them. Its commits skip the disk flush (`Store.commit_without_sync`): a killed crawl
still keeps every page committed, and a flush per page was most of the cost of storing it (a
re-crawl stores thousands of carried-over pages). Downloaded attachment files are stored by
content hash, once. A store that stops taking writes (disk full, file made read-only) ends the crawl at once with reason
`store_failed`: fetching on would only lose every later page, and the parent marks such a
crawl failed.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.attachments import AttachmentFile
from govaudit.records import PageRecord
from govaudit.db import shown_store
from govaudit.store import Store

STORE_FAILED = "store_failed"


class StorePipeline:
    def __init__(self, store_path: str, crawl_id: int, crawler: Crawler | None = None):
        self.store_path, self.crawl_id, self.crawler = store_path, crawl_id, crawler
        self.store: Store | None = None
        self.failed: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        path = crawler.settings.get("GOVAUDIT_STORE")
        crawl_id = crawler.settings.getint("GOVAUDIT_CRAWL_ID")
        if not path or not crawl_id:
            raise NotConfigured("StorePipeline needs GOVAUDIT_STORE and GOVAUDIT_CRAWL_ID settings")
        return cls(path, crawl_id, crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.store_path)
        self.store.commit_without_sync()

    def close_spider(self, spider: Any = None) -> None:
        if self.store:
            self.store.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageRecord) and self.store:
            if self.failed:
                raise DropItem(f"not stored: {self.failed}")
            try:
                self.store.save_page(self.crawl_id, item)
            except (sa.exc.OperationalError, OSError) as exc:
                self._failed(exc)
        elif isinstance(item, AttachmentFile) and self.store:
            if self.failed:
                raise DropItem(f"not stored: {self.failed}")
            try:
                self.store.save_attachment_file(item.sha256, item.content_type, item.content)
            except (sa.exc.OperationalError, OSError) as exc:
                self._failed(exc)
        return item

    def _failed(self, exc: Exception) -> None:
        cause = getattr(exc, "orig", None) or exc  # the driver's words, without the statement and its values
        self.failed = f"the store {shown_store(self.store_path)} stopped taking writes: {cause}"
        if self.crawler is not None:
            self.crawler.stats.set_value("govaudit/store_error", self.failed)
            self._close(STORE_FAILED)
        raise DropItem(self.failed) from None

    def _close(self, reason: str) -> None:
        assert self.crawler is not None and self.crawler.engine is not None
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):  # Scrapy ≥ 2.14
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=reason))
        else:
            engine.close_spider(self.crawler.spider, reason)  # type: ignore[arg-type]
