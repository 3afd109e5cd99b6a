"""Crawls are polite, as the README promises, seen from the server's request log: robots.txt is
read and its Disallow obeyed, every request names govaudit in its User-Agent, no more requests
are in flight per host than the site allows, and requests are spaced by the site's delay."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler import settings as crawl_settings
from crawler.crawl import run_crawl
from govaudit.store import Store
from demoportal.requestlog import max_in_flight
from demoportal.server import DemoPortal

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SEED_DAY = "/art/2023/2/20/"  # the seed page of 濮院镇 lives under this prefix


def _site_file(tmp_path: Path, **politeness) -> Path:
    """The demo site config with other politeness values, as an analyst would write it."""
    site = yaml.safe_load((REPO / "crawler/sites/demo.yml").read_text(encoding="utf-8"))
    site["politeness"] = {**site["politeness"], **politeness}
    path = tmp_path / "polite-demo.yml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    return path


def _crawl(portal: DemoPortal, tmp_path, units: list[str], **politeness):
    store = tmp_path / "govaudit.sqlite3"
    summary = run_crawl(_site_file(tmp_path, **politeness), store, units=units, base_url=portal.url,
                        show_progress=False)
    return store, summary, [r for r in portal.requests() if r["path"] != "/_demo/requests"]


def test_robots_disallow_is_obeyed_and_every_request_names_govaudit(tmp_path):
    with DemoPortal(seed=7, size=210, disallow=(SEED_DAY,)) as portal:
        store, summary, log = _crawl(portal, tmp_path, ["濮院镇"], concurrency_per_host=4, delay=0)
        blocked = [d for d in portal.manifest["documents"] if d["unit"] == "濮院镇" and d["url_path"].startswith(SEED_DAY)]
    assert blocked, "the disallowed prefix holds a document of the unit"
    assert log[0]["path"] == "/robots.txt", "robots.txt is read before anything else"
    assert not [r for r in log if r["path"].startswith(SEED_DAY)], "a disallowed page was requested"
    assert {r["user_agent"] for r in log} == {crawl_settings.USER_AGENT}
    assert "govaudit" in crawl_settings.USER_AGENT
    with Store(store) as st:
        pages = {urlsplit(p.url).path: p for p in st.pages(summary.crawl_id)}
    for doc in blocked:  # recorded as not fetched, with the reason, never as a page that passed
        page = pages[doc["url_path"]]
        assert page.http_status is None and "robots.txt" in (page.error or ""), page.error


def test_requests_in_flight_per_host_stay_within_the_site_limit(tmp_path):
    # Every answer takes 0.2 s, so a crawler that opened more connections would show it here.
    with DemoPortal(seed=7, size=210, faults={"/": "slow:0.2"}) as portal:
        _, summary, log = _crawl(portal, tmp_path, ["桐乡市财政局", "濮院镇"], concurrency_per_host=2, delay=0)
    assert summary.status == "complete" and len(log) > 20
    assert max_in_flight(log) == 2


def test_requests_are_spaced_by_the_site_delay(tmp_path):
    delay = 0.4
    with DemoPortal(seed=7, size=210) as portal:
        _, summary, log = _crawl(portal, tmp_path, ["桐乡市财政局"], concurrency_per_host=2, delay=delay)
    assert summary.status == "complete" and len(log) > 10
    starts = sorted(r["started"] for r in log)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # Scrapy randomises each wait between 0.5 and 1.5 times the delay; the server sees the same
    # spacing up to loopback jitter. A crawl without the delay answers these pages within ms.
    assert min(gaps) >= 0.5 * delay - 0.05, sorted(gaps)[:5]
    assert max_in_flight(log) == 1
