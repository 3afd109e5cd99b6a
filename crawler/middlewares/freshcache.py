"""The HTTP cache without its "serve stale on error" habit.

Scrapy's HttpCacheMiddleware answers a timed-out or dropped download with the cached copy
of the page from the last crawl (stat `httpcache/errorrecovery`). For an auditor that turns
"the portal is down" into "the page is fine": the cached copy is only a way to save bytes
when the server says 304, never a stand-in for a page that could not be fetched.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware


class FreshOnlyHttpCacheMiddleware(HttpCacheMiddleware):
    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        # Drop the stale copy; the failure goes on to the retry middleware and the errback.
        request.meta.pop("cached_response", None)
        return None
