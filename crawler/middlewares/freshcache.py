"""The HTTP cache without its "serve stale on error" habit, and without rewriting every entry
on each revalidation.

Scrapy's HttpCacheMiddleware answers a timed-out or dropped download with the cached copy
of the page from the last crawl (stat `httpcache/errorrecovery`). For an auditor that turns
"the portal is down" into "the page is fine": the cached copy is only a way to save bytes
when the server says 304, never a stand-in for a page that could not be fetched.

On a 304 the stock middleware writes the whole cached page back to disk to refresh its
headers. Every request here is revalidated anyway (max-age=0), so nothing reads those headers:
skipping the write keeps an unchanged re-crawl from rewriting the entire cache each week.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.http import Response


class FreshOnlyHttpCacheMiddleware(HttpCacheMiddleware):
    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        cached = request.meta.get("cached_response")
        if response.status == 304 and cached is not None and not request.meta.get("dont_cache", False) \
                and self.policy.is_cached_response_valid(cached, response, request):
            request.meta.pop("cached_response", None)
            self.stats.inc_value("httpcache/revalidate")
            return cached
        return super().process_response(request, response)

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        # Drop the stale copy; the failure goes on to the retry middleware and the errback.
        request.meta.pop("cached_response", None)
        return None
