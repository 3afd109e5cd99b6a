"""Availability probes: is the site's home page, and each unit's catalog page, answering?

The spot check (国办秘函〔2019〕19号, 站点无法访问) monitors a site for a week, many visits a day,
and fails it when 5 % or more of the visits time out (15 s) or error. A probe is one GET of a
page with that timeout, recorded in the store (table `probes`); the schedule runs it several
times a day and the audit reads the last 7 days. A probe never crawls: it reads no links,
fetches nothing but the listed pages, honours robots.txt and the site's politeness delay, and
asks one page at a time.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

from crawler.settings import USER_AGENT
from crawler.sites import SiteConfig, load_site
from govaudit import schema
from govaudit.store import connect

# The crawler's User-Agent, sent as the same UTF-8 bytes Scrapy sends (http.client wants latin-1 text).
PROBE_USER_AGENT = USER_AGENT.encode("utf-8").decode("latin-1")
DEFAULT_TIMEOUT = 15.0  # seconds: the spot check's threshold for "could not be reached"
HOME_UNIT = "（门户首页）"


@dataclass
class ProbeResult:
    unit: str
    target: str
    url: str
    started_at: str
    elapsed: float
    http_status: int | None
    ok: bool
    error: str | None


def targets(site: SiteConfig) -> list[tuple[str, str, str]]:
    """(unit, target, url): the home page, then each unit's catalog page."""
    return [(HOME_UNIT, "home", site.base_url)] + [(u.name, "catalog", u.catalog) for u in site.units]


def probe_once(url: str, timeout: float) -> tuple[float, int | None, bool, str | None]:
    """(elapsed seconds, HTTP status, ok, error in words) of one GET of `url`."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": PROBE_USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) from the site config)
            response.read(64 * 1024)  # the page must start arriving, not only the headers
            status = response.status
    except urllib.error.HTTPError as exc:
        return time.monotonic() - started, exc.code, False, f"HTTP {exc.code}"
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        elapsed = time.monotonic() - started
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return elapsed, None, False, f"timed out: no answer within {timeout:g} s"
        return elapsed, None, False, f"could not connect: {reason}"
    elapsed = time.monotonic() - started
    if elapsed >= timeout:
        return elapsed, status, False, f"answered after {elapsed:.1f} s, beyond {timeout:g} s"
    return elapsed, status, 200 <= status < 400, None if 200 <= status < 400 else f"HTTP {status}"


class Robots:
    """robots.txt of each host, read once per probe run; an unreadable file allows (as Scrapy does)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.parsers: dict[str, urllib.robotparser.RobotFileParser] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.parsers:
            robots_url = urljoin(root, "/robots.txt")
            parser = urllib.robotparser.RobotFileParser(robots_url)
            try:
                request = urllib.request.Request(robots_url, headers={"User-Agent": PROBE_USER_AGENT})
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    parser.parse(response.read().decode("utf-8", "replace").splitlines())
            except (urllib.error.URLError, OSError, ValueError):
                parser.parse([])
            self.parsers[root] = parser
        return self.parsers[root].can_fetch(USER_AGENT, url)


def run_probe(site_ref: str | Path, store_path: str | Path, *, base_url: str | None = None,
              timeout: float = DEFAULT_TIMEOUT, units: list[str] | None = None) -> list[ProbeResult]:
    """Probe every target of the site once, politely, and store each attempt."""
    site = load_site(site_ref)
    if base_url:
        site = site.with_base_url(base_url)
    site = site.select_units(units)
    robots = Robots(timeout) if site.politeness.obey_robots else None
    results: list[ProbeResult] = []
    conn = connect(store_path)
    try:
        for i, (unit, target, url) in enumerate(targets(site)):
            if i and site.politeness.delay:
                time.sleep(site.politeness.delay)
            if robots is not None and not robots.allowed(url):
                continue  # robots.txt forbids it: not probed, and not counted as a failure
            started = datetime.now(timezone.utc).isoformat(timespec="seconds")
            elapsed, status, ok, error = probe_once(url, timeout)
            result = ProbeResult(unit, target, url, started, round(elapsed, 3), status, ok, error)
            results.append(result)
            with conn:
                conn.execute(sa.insert(schema.probes).values(
                    site=site.name, unit=unit, target=target, url=url, started_at=started, elapsed=result.elapsed,
                    http_status=status, ok=int(ok), error=error))
    finally:
        conn.close()
    return results
