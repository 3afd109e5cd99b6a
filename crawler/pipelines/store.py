"""Item pipeline writing every page record into the SQLite store as it arrives.

Writing at once (not at spider close) means a crawl killed half-way keeps what it fetched, and
the (crawl id, URL) key means running the same crawl again replaces pages instead of
duplicating them. Downloaded attachment files are stored by content hash, once.
"""
from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.attachments import AttachmentFile
from govaudit.records import PageRecord
from govaudit.store import Store


class StorePipeline:
    def __init__(self, store_path: str, crawl_id: int):
        self.store_path, self.crawl_id = store_path, crawl_id
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        path = crawler.settings.get("GOVAUDIT_STORE")
        crawl_id = crawler.settings.getint("GOVAUDIT_CRAWL_ID")
        if not path or not crawl_id:
            raise NotConfigured("StorePipeline needs GOVAUDIT_STORE and GOVAUDIT_CRAWL_ID settings")
        return cls(path, crawl_id)

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.store_path)

    def close_spider(self, spider: Any = None) -> None:
        if self.store:
            self.store.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageRecord) and self.store:
            self.store.save_page(self.crawl_id, item)
        elif isinstance(item, AttachmentFile) and self.store:
            self.store.save_attachment_file(item.sha256, item.content_type, item.content)
        return item
