"""The crawl command's side of a crawl spread over workers (`govaudit crawl SITE --workers redis://…`).

It puts the site's catalog requests in the shared frontier (the same requests the spiders' own
start would make, serialised by scrapy-redis), publishes what a worker needs to run the crawl
(the site config's text, units, store, settings), and then waits: the crawl is complete when the
queue is empty and no worker holds a lease, which means every request was fetched and its pages
stored. Meanwhile it shows the workers' progress, and puts back the leases of workers that
stopped heartbeating. `crawler.crawl` then closes the crawl row as for a crawl in one process.
"""
from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from rich.console import Console
from scrapy.utils.misc import load_object
from scrapy_redis import picklecompat
from scrapy_redis.queue import PriorityQueue

from crawler import settings as default_settings
from crawler.frontier import Frontier
from crawler.sites import SiteConfig
from crawler.frontier import redact

POLL_SECONDS = 0.5
CLOSE_WAIT_SECONDS = 60.0  # how long live workers get to report their close once the queue is empty
NO_WORKER_HINT_SECONDS = 5.0


def seed(frontier: Frontier, site: SiteConfig, base_url: str | None) -> list[tuple[str, list[str]]]:
    """Queue the start requests of each dialect spider; returns the (dialect, units) groups."""
    spiders = default_settings.GOVAUDIT_SPIDERS
    groups = [(cms, [u.name for u in site.units_of(cms)]) for cms in site.dialects]
    groups = [(cms, names) for cms, names in groups if names]
    for cms, names in groups:
        spider = load_object(spiders[cms])(site=site.path, units=",".join(names), base_url=base_url or "")
        queue = PriorityQueue(frontier.server, spider, frontier.queue_key(), serializer=picklecompat)
        for request in spider.start_requests():
            queue.push(request)
    return groups


def run_on_workers(site: SiteConfig, store_path: Path | str, crawl_id: int, base_url: str | None, redis_url: str,
                   settings_overrides: dict[str, Any] | None, on_event: Callable[[dict[str, Any]], None],
                   log: Callable[[str], None], console: Console | None) -> tuple[int, bool]:
    """Run the crawl on the workers; (0 when the frontier drained, else 1; whether interrupted)."""
    job = f"{site.name}-{crawl_id}-{uuid.uuid4().hex[:8]}"
    frontier = Frontier.connect(redis_url, job)
    frontier.server.ping()
    groups = seed(frontier, site, base_url)
    names = [load_object(default_settings.GOVAUDIT_SPIDERS[cms]).name for cms, _ in groups]
    frontier.publish({"site": site.name, "site_yaml": Path(site.path).read_text(encoding="utf-8"),
                      "base_url": base_url or "", "crawl_id": crawl_id, "store": _shared_name(store_path),
                      "groups": groups, "settings": settings_overrides or {}})
    log(f"crawl {crawl_id} queued in {redact(redis_url)} as {job}; waiting for `govaudit worker` processes\n")
    limit = site.politeness.max_minutes * 60 + default_settings.GOVAUDIT_HARD_STOP_GRACE_SECS
    started = time.monotonic()
    closed_by: Counter[str] = Counter()
    stored_by: Counter[str] = Counter()
    first_seen: dict[str, float] = {}

    def take_events() -> None:
        for line in frontier.take_events():
            event = json.loads(line)
            worker = str(event.get("worker", ""))
            if event.get("event") == "closed":
                closed_by[worker] += 1
            elif event.get("event") == "page":
                stored_by[worker] += 1
                if worker not in first_seen:
                    first_seen[worker] = time.monotonic() - started
                    log(f"worker {worker} stored its first page after {first_seen[worker]:.1f}s\n")
            on_event(event)

    hinted = False
    try:
        while not frontier.drained(names):
            take_events()
            if frontier.requeue_dead(names):
                log("a worker stopped heartbeating; its requests went back to the queue\n")
            waited = time.monotonic() - started
            if not hinted and waited > NO_WORKER_HINT_SECONDS and not frontier.workers():
                hinted = True
                if console is not None:
                    console.print(f"no worker has joined yet: start `govaudit worker {redact(redis_url)}`")
            if site.politeness.max_minutes and waited > limit:
                log(f"crawl {crawl_id} outlived politeness.max_minutes={site.politeness.max_minutes:g}; stopped\n")
                frontier.finish("stopped")
                _await_closes(frontier, closed_by, len(groups), take_events)
                return 1, False
            time.sleep(POLL_SECONDS)
        drained = time.monotonic() - started
        frontier.finish("done")
        _await_closes(frontier, closed_by, len(groups), take_events)
        log(f"crawl {crawl_id} done by {len(frontier.workers())} worker(s): queue empty after {drained:.1f}s, "
            f"workers closed after {time.monotonic() - started:.1f}s; "
            f"{frontier.requeued()} request(s) of stopped workers went back to the queue\n")
        for worker in sorted(frontier.workers()):
            log(f"worker {worker}: {stored_by[worker]} page(s) stored\n")
        return 0, False
    except KeyboardInterrupt:
        frontier.finish("cancelled")
        return 1, True
    finally:
        frontier.clear(names)


def _shared_name(store: Path | str) -> str:
    """The store as workers started elsewhere (another directory) must name it: a file path made
    absolute, a database URL as it is."""
    return str(store) if "://" in str(store) else str(Path(store).resolve())


def _await_closes(frontier: Frontier, closed_by: Counter[str], per_worker: int,
                  take_events: Callable[[], None]) -> None:
    """Wait until every live worker that joined has reported its spiders closed (their stats)."""
    deadline = time.monotonic() + CLOSE_WAIT_SECONDS
    while time.monotonic() < deadline:
        take_events()
        if all(closed_by[w] >= per_worker or not frontier.alive(w) for w in frontier.workers()):
            break
        time.sleep(POLL_SECONDS / 2)
    take_events()
