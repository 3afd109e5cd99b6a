"""Session-wide fixtures: one demo portal server and one crawl of it, shared by all tests.

The portal runs as a real HTTP server in a subprocess on a free loopback port (Scrapy's own
mockserver pattern); the crawl runs the real spider in its own subprocess into a real SQLite
store, so every later stage is tested on what a user would get.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

from tests.mockserver.fixtures import demo_portal, redis_server  # noqa: E402,F401  (session fixtures)
from tests.process_check import PROC, ProcessCheck  # noqa: E402
from tests.skip_policy import SkipPolicy, read_allowed  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    # Every skip is judged against tests/allowed_skips.txt; every child process must be gone at the end.
    config.pluginmanager.register(SkipPolicy(read_allowed()), "govaudit-skip-policy")
    if PROC.is_dir():
        config.pluginmanager.register(ProcessCheck(), "govaudit-process-check")


# Tests that use these fixtures need the demo portal served and crawled: `make test-fast` skips them.
PORTAL_FIXTURES = {"demo_portal", "demo_crawl", "demo_audit"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PORTAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if "redis_server" in getattr(item, "fixturenames", ()) or item.get_closest_marker("redis"):
            # A real redis-server is a service process: slow, and selectable with -m redis.
            item.add_marker(pytest.mark.redis)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo_crawl(demo_portal, tmp_path_factory):  # noqa: F811
    """The demo portal crawled once into a fresh store: (store path, CrawlSummary)."""
    from crawler.crawl import run_crawl

    store = tmp_path_factory.mktemp("store") / "govaudit.sqlite3"
    summary = run_crawl("demo", store, base_url=demo_portal.url, show_progress=False)
    return Path(store), summary


@pytest.fixture(scope="session")
def demo_audit(demo_crawl, tmp_path_factory):
    """The session crawl audited with the shipped rules and rendered: (AuditRun, report path)."""
    from audits.audit import audit_crawl, render

    store_path, summary = demo_crawl
    result = audit_crawl(store_path, summary.crawl_id)
    report = render(store_path, result.run_id, tmp_path_factory.mktemp("reports"))
    return result, report
