"""Scrapy's downloader, with the per-host request limit kept under the asyncio reactor.

Scrapy 2.18–2.19 hands each request leaving a slot's queue to an asyncio task, and counts it as
transferring only once that task runs, on a later turn of the loop. The loop that empties the
queue therefore sees every transfer place free and sends the whole queue at once whenever the
delay is 0: the demo portal's request log showed 14 requests in flight against
CONCURRENT_REQUESTS_PER_DOMAIN = 2 (tests/crawler/test_politeness.py). Counting a request as
transferring from the moment it leaves the queue restores the limit; Scrapy's own code removes
it when the download ends, as before. Registered as DOWNLOADER in crawler/settings.py.

In a crawl spread over workers (GOVAUDIT_FRONTIER_JOB set) a host's delay holds for all workers
together: before a slot sends its next request it takes the host's next turn from Redis
(`crawler.frontier.Pace`); when another worker has it, the slot waits with Scrapy's own delayed
call, as for its local delay, so the reactor never sleeps. The slot's delay (DOWNLOAD_DELAY, or
what AutoThrottle made of it) is the interval booked for the host.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later


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
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.pace = None
        if crawler.settings.get("GOVAUDIT_FRONTIER_JOB"):
            from scrapy_redis.connection import get_redis_from_settings

            from crawler.frontier import Pace

            self.pace = Pace(get_redis_from_settings(crawler.settings))

    def _process_queue(self, slot: Slot) -> None:
        if self.pace is None or slot.latercall or not slot.delay or not slot.queue or slot.free_transfer_slots() <= 0:
            super()._process_queue(slot)
            return
        # Scrapy's slot key (the host name): the unit of politeness here as in one process.
        wait = self.pace.wait(self.get_slot_key(slot.queue[0][0]), slot.delay)
        if wait > 0:
            slot.latercall = call_later(wait, self._latercall, slot)
            return
        # The shared turn is the delay: Scrapy sends this one request now, then calls this
        # method again for the next, which asks Redis for the next turn.
        slot.lastseen = 0
        super()._process_queue(slot)

    def _get_slot(self, request: Request, spider: Any = None) -> tuple[str, Slot]:
        key, slot = super()._get_slot(request)
        if not isinstance(slot.queue, _DispatchCountingQueue):
            slot.queue = _DispatchCountingQueue(slot, slot.queue)
        return key, slot
