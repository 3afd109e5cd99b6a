"""A worker's side of the leases: heartbeat, release when done, and stay open until the crawl is.

- Heartbeat: a thread refreshes this worker's key in Redis every third of GOVAUDIT_LEASE_TTL; a
  worker that is killed stops refreshing it, and its leases go back to the queue.
- Release: a request's lease is released when Scrapy is done with it, which is after its
  callback's requests are queued in Redis and its pages stored (the engine removes a request
  from its slot only once the scraper has processed the callback's whole output).
- Idle: scrapy-redis closes a spider whose queue looks empty, but another worker may still be
  reading a catalog that lists more. The spider stays open (polling every GOVAUDIT_WORKER_POLL
  seconds) until the shared queue is empty and no worker holds a lease, or the crawl is over,
  and meanwhile puts back the leases of workers that stopped heartbeating.
Only in workers (GOVAUDIT_WORKER_SETTINGS in crawler/settings.py).
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import task

from crawler.frontier import Frontier
from crawler.leasedqueue import LEASE

logger = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.worker = settings.get("GOVAUDIT_WORKER_ID")
        self.ttl = settings.getfloat("GOVAUDIT_LEASE_TTL")
        self.poll = settings.getfloat("GOVAUDIT_WORKER_POLL")
        self.frontier = Frontier(get_redis_from_settings(settings), settings.get("GOVAUDIT_FRONTIER_JOB"))
        self._stop = threading.Event()
        self._poker: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "LeaseKeeper":
        if not crawler.settings.get("GOVAUDIT_FRONTIER_JOB") or not crawler.settings.get("GOVAUDIT_WORKER_ID"):
            raise NotConfigured("LeaseKeeper runs in `govaudit worker` only")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        self.frontier.heartbeat(self.worker, self.ttl)
        threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True).start()
        engine = self.crawler.engine
        if engine is None or not hasattr(engine, "_remove_request"):
            raise NotConfigured("this Scrapy version's engine has no _remove_request hook; leases cannot be "
                                "released (see crawler/extensions/leases.py)")
        remove = engine._remove_request
        name = self._spider_name()

        def remove_and_release(result: Any, request: Request) -> None:
            remove(result, request)
            if (token := request.meta.get(LEASE)) is not None:
                self.frontier.release(name, token)

        setattr(engine, "_remove_request", remove_and_release)  # noqa: B010 - an instance attribute, on purpose
        # The engine looks at its scheduler every 5 s when idle; requests other workers queue
        # should start sooner than that.
        self._poker = task.LoopingCall(self._poke)
        self._poker.start(self.poll, now=False)

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.frontier.heartbeat(self.worker, self.ttl)
            except Exception as exc:  # Redis away for a moment: the next beat tries again
                logger.warning("heartbeat to Redis failed: %s", exc)

    def _poke(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def _spider_name(self) -> str:
        assert self.crawler.spider is not None
        return self.crawler.spider.name

    def spider_idle(self, spider: Any = None) -> None:
        name = self._spider_name()
        if self.frontier.state() != "running":
            return  # the crawl was completed or cancelled by the crawl command
        if self.frontier.requeue_dead([name]):
            logger.warning("requests of a worker that stopped heartbeating went back to the queue")
            raise DontCloseSpider
        if not self.frontier.drained([name]):
            raise DontCloseSpider

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        # The spiders of the site's other dialects in this process keep beating for the worker.
        self._stop.set()
        if self._poker is not None and self._poker.running:
            self._poker.stop()
