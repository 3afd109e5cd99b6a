"""Entry point of the crawl subprocess: `python -m crawler.crawl_subprocess --site ... --crawl-id ...`.

Turns a site config into Scrapy settings (politeness per site) and runs the dialect's spider.
It is started by `crawler.crawl`, which owns the crawl row in the store and shows progress.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler import settings as default_settings
from crawler.sites import SiteConfig, load_site


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
        "HTTPCACHE_DIR": str(Path(store).resolve().parent / "httpcache" / site.name),
    }, priority="cmdline")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.crawl_subprocess")
    parser.add_argument("--site", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--crawl-id", type=int, required=True)
    parser.add_argument("--units", default="")
    parser.add_argument("--base-url", default="")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--settings", default="", help="JSON object of Scrapy settings applied last")
    args = parser.parse_args(argv)
    site = load_site(args.site)
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
    spider = load_object(settings.getdict("GOVAUDIT_SPIDERS")[site.cms])
    process.crawl(spider, site=args.site, units=args.units, base_url=args.base_url)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
