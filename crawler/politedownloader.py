"""Scrapy's downloader, with the per-host request limit kept under the asyncio reactor.

Scrapy 2.18–2.19 hands each request leaving a slot's queue to an asyncio task, and counts it as
transferring only once that task runs, on a later turn of the loop. The loop that empties the
queue therefore sees every transfer place free and sends the whole queue at once whenever the
delay is 0: the demo portal's request log showed 14 requests in flight against
CONCURRENT_REQUESTS_PER_DOMAIN = 2 (tests/crawler/test_politeness.py). Counting a request as
transferring from the moment it leaves the queue restores the limit; Scrapy's own code removes
it when the download ends, as before. Registered as DOWNLOADER in crawler/settings.py.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot


class _DispatchCountingQueue(deque):
    """A slot's queue whose popleft marks the request as transferring at once."""

    def __init__(self, slot: Slot, items: Any = ()) -> None:
        super().__init__(items)
        self.slot = slot

    def popleft(self) -> Any:
        item = super().popleft()
        self.slot.transferring.add(item[0])
        return item


class PoliteDownloader(Downloader):
    def _get_slot(self, request: Request, spider: Any = None) -> tuple[str, Slot]:
        key, slot = super()._get_slot(request)
        if not isinstance(slot.queue, _DispatchCountingQueue):
            slot.queue = _DispatchCountingQueue(slot, slot.queue)
        return key, slot
