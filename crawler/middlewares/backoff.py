"""Retries that wait longer each time.

Scrapy's RetryMiddleware re-queues a failed request at once; a portal that answers 503 under
load, or 429 to a burst, only gets hit again. This subclass waits base × 2^n seconds (capped,
honouring Retry-After) before the retry is handed back to the engine.
"""
from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("GOVAUDIT_RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("GOVAUDIT_RETRY_BACKOFF_MAX", 30.0)

    def _delay(self, request: Request, response: Response | None = None) -> float:
        tries = request.meta.get("retry_times", 0)
        delay = min(self.cap, self.base * (2 ** tries))
        if response is not None:
            after = response.headers.get(b"Retry-After")
            if after and after.strip().isdigit():
                delay = min(self.cap, max(delay, float(after.strip())))
        return delay

    # Scrapy runs coroutine middleware methods; its stubs type the base methods as synchronous only.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Any:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(request, response))
        return result

    async def process_exception(  # type: ignore[override]  # coroutine, as above
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Any:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(request))
        return result
