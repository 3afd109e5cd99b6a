"""HTTP cache storage for weekly re-crawls: one SQLite file per site instead of a file tree.

Scrapy's filesystem storage writes seven gzip files per response; for a 10 000-document
portal that is some 100 000 files a crawl, and creating them took a quarter of the first
crawl's time. Here a response is one row (the pickled response dict, zlib-compressed) in
`<HTTPCACHE_DIR>/cache.sqlite3`: one write per page, WAL so a second crawl of the same site
can run beside the first, and one file to delete to forget the cache.
"""
from __future__ import annotations

import pickle
import sqlite3
import zlib
from pathlib import Path
from time import time
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_from_dict

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    fingerprint TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    stored_at REAL NOT NULL,
    data BLOB NOT NULL      -- zlib(pickle(Response.to_dict()))
);
"""


class SqliteCacheStorage:
    def __init__(self, settings: BaseSettings):
        self.path = Path(settings["HTTPCACHE_DIR"]) / "cache.sqlite3"
        self.expiration_secs = settings.getint("HTTPCACHE_EXPIRATION_SECS")
        self.conn: sqlite3.Connection | None = None

    def open_spider(self, spider: Spider) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")  # a lost cache row only costs a full fetch
        self.conn.executescript(SCHEMA)
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        row = self.conn.execute("SELECT stored_at, data FROM responses WHERE fingerprint=?",
                                (self._key(request),)).fetchone()
        if row is None:
            return None
        stored_at, data = row
        if 0 < self.expiration_secs < time() - stored_at:
            return None
        request.meta["cache_timestamp"] = stored_at
        return response_from_dict(pickle.loads(zlib.decompress(data)))  # noqa: S301 - our own cache file

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        data: dict[str, Any] = response.to_dict()
        blob = zlib.compress(pickle.dumps(data, protocol=4), 1)
        self.conn.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)",
                          (self._key(request), request.url, time(), blob))

    def _key(self, request: Request) -> str:
        return self._fingerprinter.fingerprint(request).hex()
