"""scrapy-redis's priority queue, with leases: a popped request stays in Redis until it is done.

Registered as SCHEDULER_QUEUE_CLASS in the worker settings (crawler/settings.py). Serialising,
scores and keys are scrapy-redis's own; only pop (into a lease, `crawler.frontier`) and the push
of a listed document (once per crawl across all workers) differ. The lease token rides in the
request's meta; `crawler.extensions.leases.LeaseKeeper` releases it when the request is done.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from crawler.frontier import Frontier

LEASE = "govaudit_lease"  # request meta: the lease token of a request taken from the queue
LISTING = "govaudit_listing"  # request meta: the document this request fetches, listed once per crawl


class LeasedQueue(PriorityQueue):
    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None):
        super().__init__(server, spider, key, serializer)
        settings = spider.settings
        self.frontier = Frontier(server, settings.get("GOVAUDIT_FRONTIER_JOB"))
        self.worker = settings.get("GOVAUDIT_WORKER_ID")
        if not self.frontier.job or not self.worker:
            raise ValueError("LeasedQueue needs GOVAUDIT_FRONTIER_JOB and GOVAUDIT_WORKER_ID (run it as "
                             "`govaudit worker`)")
        self._taken = 0

    def push(self, request: Request) -> None:
        listing = request.meta.pop(LISTING, None)
        if listing is None:
            super().push(request)
            return
        self.frontier.push_once(self.spider.name, -request.priority, self._encode_request(request),
                                f"{request.meta.get('unit', '')}\n{listing}")

    def pop(self, timeout: int = 0) -> Request | None:
        self._taken += 1
        token = f"{self.worker}:{self._taken}"
        data = self.frontier.lease_pop(self.spider.name, token)
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[LEASE] = token
        return request
