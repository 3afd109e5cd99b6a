"""HTTP cache storage for weekly re-crawls: one SQLite file per site instead of a file tree.

Scrapy's filesystem storage writes seven gzip files per response; for a 10 000-document
portal that is some 100 000 files a crawl, and creating them took a quarter of the first
crawl's time. Here a response is one row in `<HTTPCACHE_DIR>/cache.sqlite3`: one write per
page, WAL so a second crawl of the same site can run beside the first, and one file to delete
to forget the cache.

A row holds data only: status, URL and headers as JSON, the body as zlib-compressed bytes.
Nothing read back from the file is unpickled or evaluated, so a cache file planted or edited
by another user of the machine can at worst feed the audit a wrong page, never run code.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from time import time

from scrapy import Request, Spider
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

SCHEMA = """
DROP TABLE IF EXISTS responses;  -- the pickled rows of earlier versions: never read again
CREATE TABLE IF NOT EXISTS http_responses (
    fingerprint TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    stored_at REAL NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,  -- JSON [[name, [value, ...]], ...], latin-1 text
    body BLOB NOT NULL      -- zlib(raw body bytes)
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
        assert self.conn is not None  # opened by open_spider, which Scrapy calls first
        row = self.conn.execute("SELECT stored_at, url, status, headers, body FROM http_responses "
                                "WHERE fingerprint=?", (self._key(request),)).fetchone()
        if row is None:
            return None
        stored_at, url, status, headers_json, blob = row
        if 0 < self.expiration_secs < time() - stored_at:
            return None
        try:
            headers = Headers([(name.encode("latin-1"), [v.encode("latin-1") for v in values])
                               for name, values in json.loads(headers_json)])
            body = zlib.decompress(blob)
        except (ValueError, TypeError, zlib.error):
            return None  # a damaged row costs a full fetch, nothing more
        request.meta["cache_timestamp"] = stored_at
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=int(status), headers=headers, body=body)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        headers = [[name.decode("latin-1"), [v.decode("latin-1") for v in values]]
                   for name, values in response.headers.items()]
        assert self.conn is not None  # opened by open_spider, which Scrapy calls first
        self.conn.execute("INSERT OR REPLACE INTO http_responses VALUES (?, ?, ?, ?, ?, ?)",
                          (self._key(request), response.url, time(), response.status,
                           json.dumps(headers), zlib.compress(response.body, 1)))

    def _key(self, request: Request) -> str:
        return self._fingerprinter.fingerprint(request).hex()
