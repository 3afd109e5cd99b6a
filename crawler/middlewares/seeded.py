"""In a worker, the spider's own start requests are not sent: the crawl command queued them.

`govaudit crawl --workers` puts each catalog's first request in the shared queue once
(crawler/distributed_crawl.py); a worker that also ran its spider's start would read every
catalog again, once per worker. Registered in GOVAUDIT_WORKER_SETTINGS (crawler/settings.py).
"""
from __future__ import annotations

from typing import Any, AsyncIterator


class SeededStartMiddleware:
    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        return
        yield  # an async generator that yields nothing, without reading the spider's start
