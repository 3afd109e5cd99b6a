"""Entry point of the crawl subprocess: `python -m crawler.crawl_subprocess --site ... --crawl-id ...`.

Turns a site config into Scrapy settings (politeness per site) and runs the spider of each
CMS dialect the site's units use.
It is started by `crawler.crawl`, which owns the crawl row in the store and shows progress.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from twisted.internet import defer
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler import settings as default_settings
from crawler.sites import SiteConfig, SiteConfigError, load_site
from govaudit.db import state_dir

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STORE_URL_ENV = "GOVAUDIT_CRAWL_STORE"


def cache_dir(site: SiteConfig, store: str | Path) -> Path:
    """`<store dir>/httpcache/<site>`; a site name that would lead out of it is refused (names
    are slugs already, this is the second lock on the same door)."""
    root = (state_dir(store) / "httpcache").resolve()
    path = (root / site.name).resolve()
    if path.parent != root:
        raise SiteConfigError(site.path, None, f"site name {site.name!r} would place the HTTP cache outside {root}")
    return path


def settings_for(site: SiteConfig, store: str, crawl_id: int, progress: bool = True) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    polite = site.politeness
    settings.setdict({
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency_per_host,
        "DOWNLOAD_DELAY": polite.delay,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle and polite.delay > 0,
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "GOVAUDIT_STORE": store,
        "GOVAUDIT_CRAWL_ID": crawl_id,
        "GOVAUDIT_PROGRESS": progress,
        "HTTPCACHE_DIR": str(cache_dir(site, store)),
        "CLOSESPIDER_TIMEOUT": polite.max_minutes * 60 + default_settings.GOVAUDIT_HARD_STOP_GRACE_SECS,
    }, priority="cmdline")
    return settings


def die_with_parent() -> None:
    """End this crawl when the `govaudit crawl` process that started it is gone (kill -9 of
    the parent must not leave a crawler running under PID 1). On Linux the kernel sends
    SIGKILL at the parent's death (PR_SET_PDEATHSIG); everywhere a watchdog thread notices
    that the parent changed. Pages are committed one by one, so stopping loses nothing stored."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent or parent == 1:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.crawl_subprocess")
    parser.add_argument("--site", required=True)
    # A server store's URL (with its password) comes in the environment, never on the command line
    # where `ps` shows it to every user of the machine.
    parser.add_argument("--store", default=os.environ.get(STORE_URL_ENV))
    parser.add_argument("--crawl-id", type=int, required=True)
    parser.add_argument("--units", default="")
    parser.add_argument("--base-url", default="")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--settings", default="", help="JSON object of Scrapy settings applied last")
    args = parser.parse_args(argv)
    die_with_parent()
    site = load_site(args.site)
    if not args.store:
        parser.error(f"--store or ${STORE_URL_ENV} is required")
    settings = settings_for(site, args.store, args.crawl_id)
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    if args.settings:
        try:
            overrides = json.loads(args.settings)
        except json.JSONDecodeError as exc:
            parser.error(f"--settings is not valid JSON: {exc}")
        if not isinstance(overrides, dict):
            parser.error(f"--settings must be a JSON object of Scrapy settings, got {args.settings!r}")
        settings.setdict(overrides, priority="cmdline")
    if not site.politeness.obey_robots:
        # Said in the crawl log (stderr) every time, with the reason the config gives, so the
        # choice stays auditable; before Scrapy's logging starts, hence a plain line.
        print(f"WARNING robots.txt is NOT obeyed for site {site.name} ({site.path}): "
              f"{site.politeness.robots_opt_out_reason}", file=sys.stderr, flush=True)
    process = CrawlerProcess(settings)
    spiders = settings.getdict("GOVAUDIT_SPIDERS")
    wanted = {u for u in args.units.split(",") if u}
    groups = [(cms, [u.name for u in site.units_of(cms) if not wanted or u.name in wanted]) for cms in site.dialects]
    groups = [(cms, names) for cms, names in groups if names]

    # One spider per dialect, one after another: each keeps the site's per-host politeness
    # whole, which two spiders on one county host at the same time would double.
    @defer.inlineCallbacks
    def crawl_all():
        try:
            for cms, names in groups:
                yield process.crawl(load_object(spiders[cms]), site=args.site, units=",".join(names),
                                    base_url=args.base_url)
        finally:
            from twisted.internet import reactor  # the one CrawlerProcess installed (asyncio)
            if reactor.running:
                reactor.stop()

    crawl_all()
    process.start(stop_after_crawl=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
