"""One worker's share of one shared crawl: `python -m crawler.worker_subprocess --redis URL --worker-id ID`.

Started by `crawler.worker` ahead of time: it waits for a crawl to join (one not in --skip), says
which on stdout, and runs it (Twisted's reactor cannot be restarted, so each crawl gets a fresh
process, as in `crawler.crawl_subprocess`). Waiting already started, with Scrapy imported, a
worker begins a new crawl within a poll instead of after a Python start. The site config comes from
the crawl's spec in Redis, so a worker on another machine needs no copy of it; the spiders of
all the site's dialects run side by side, since the per-host delay is kept in Redis for all of
them. Progress and close events go to stdout as JSON lines, which `crawler.worker` forwards.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import redis

from scrapy.crawler import CrawlerProcess
from scrapy.utils.misc import load_object

from crawler import settings as default_settings
from crawler.crawl_subprocess import die_with_parent, settings_for
from crawler.extensions.progress import emit
from crawler.frontier import WAITING, Frontier, jobs
from crawler.sites import load_site


def wait_for_crawl(server: redis.Redis, worker: str, skip: set[str], poll: float) -> tuple[Frontier, dict]:
    """The first running crawl not in `skip`, and its spec; waits for one, saying so in Redis."""
    while True:
        server.set(f"{WAITING}{worker}", "1", px=int(poll * 4000))
        for job in jobs(server):
            frontier = Frontier(server, job)
            if job not in skip and (spec := frontier.spec()) is not None and frontier.state() == "running":
                server.delete(f"{WAITING}{worker}")
                return frontier, spec
        time.sleep(poll)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.worker_subprocess")
    parser.add_argument("--redis", required=True)
    parser.add_argument("--skip", default="", help="comma-separated crawls not to join (served already)")
    parser.add_argument("--poll", type=float, default=0.5)
    parser.add_argument("--worker-id", required=True)
    parser.add_argument("--store", default="", help="store to write pages to (default: the crawl command's)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    die_with_parent()
    frontier, spec = wait_for_crawl(redis.Redis.from_url(args.redis), args.worker_id,
                                    {j for j in args.skip.split(",") if j}, args.poll)
    job = frontier.job
    emit("joined", job=job)
    with tempfile.TemporaryDirectory(prefix="govaudit-worker-") as tmp:
        site_path = Path(tmp) / f"{spec['site']}.yml"
        site_path.write_text(spec["site_yaml"], encoding="utf-8")
        site = load_site(site_path)
        store = args.store or spec["store"]
        if "://" not in store and not Path(store).exists():
            # A store file of another machine: pages written here would never reach the crawl.
            emit("refused", reason=f"the crawl's store {store} is not on this machine; give this worker "
                                   "--store with a store the crawl command's machine shares")
            return 2
        settings = settings_for(site, store, spec["crawl_id"])
        settings.setdict({**default_settings.GOVAUDIT_WORKER_SETTINGS,
                          "REDIS_URL": args.redis,
                          "SCHEDULER_QUEUE_KEY": frontier.queue_key(),
                          "SCHEDULER_DUPEFILTER_KEY": frontier.dupefilter_key(),
                          "GOVAUDIT_FRONTIER_JOB": job,
                          "GOVAUDIT_WORKER_ID": args.worker_id,
                          "LOG_LEVEL": args.log_level}, priority="cmdline")
        settings.setdict(spec.get("settings") or {}, priority="cmdline")
        process = CrawlerProcess(settings)
        spiders = settings.getdict("GOVAUDIT_SPIDERS")
        for cms, units in spec["groups"]:
            process.crawl(load_object(spiders[cms]), site=str(site_path), units=",".join(units),
                          base_url=spec.get("base_url") or "")
        process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
