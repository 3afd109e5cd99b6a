"""HTTP cache policy for weekly re-crawls: always ask the server, but cheaply.

Scrapy's RFC2616Policy does conditional requests (If-None-Match / If-Modified-Since) once a
cached page is stale; every request carries `Cache-Control: max-age=0` (see settings), so
every page is stale at once and gets revalidated rather than served blind from the cache.
One RFC 2616 habit is wrong for an auditor: on a 5xx answer it serves the old cached page,
which would report a failing portal as fine. Here only a 304 revalidates the cached copy.
"""
from __future__ import annotations

from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Request, Response


class RevalidatingPolicy(RFC2616Policy):
    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        return response.status == 304

    def should_cache_response(self, response: Response, request: Request) -> bool:
        # Only pages worth revalidating next week; errors must be fetched again in full.
        return 200 <= response.status < 300 and super().should_cache_response(response, request)
