"""Session-wide fixtures: one demo portal server and one crawl of it, shared by all tests.

The portal runs as a real HTTP server in a subprocess on a free loopback port (Scrapy's own
mockserver pattern); the crawl runs the real spider in its own subprocess into a real SQLite
store, so every later stage is tested on what a user would get.
"""
from __future__ import annotations

import gc
import os
import signal
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# A suite started in the background by a shell without job control (`make test &` in a script)
# inherits SIGINT ignored, and so would every process a test starts: the tests that press Ctrl-C on
# a crawl or on `audit --watch` would see it ignored and fail. Python's own handler is put back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from tests.mockserver.fixtures import demo_portal, redis_server  # noqa: E402,F401  (session fixtures)
from tests.process_check import PROC, ProcessCheck  # noqa: E402
from tests.skip_policy import SkipPolicy, read_allowed  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    # Every skip is judged against tests/allowed_skips.txt; every child process must be gone at the end.
    config.pluginmanager.register(SkipPolicy(read_allowed()), "govaudit-skip-policy")
    if PROC.is_dir():
        config.pluginmanager.register(ProcessCheck(), "govaudit-process-check")


def pytest_collection_finish(session: pytest.Session) -> None:
    # What collection imported (Great Expectations, pandas, Scrapy, the test modules) lives to the
    # end of the run: frozen out of the cyclic collector's sight, it is not walked again by every
    # full collection during the tests, nor by the collections pytest runs when the session ends.
    gc.freeze()


# Tests that use these fixtures need the demo portal served and crawled: `make test-fast` skips them.
PORTAL_FIXTURES = {"demo_portal", "demo_crawl", "demo_audit"}


# Tests that use these need a PostgreSQL server: marked `postgres`, which counts as slow.
POSTGRES_FIXTURES = {"postgres_server", "postgres_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if POSTGRES_FIXTURES & names and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)
        if PORTAL_FIXTURES & names or item.get_closest_marker("postgres") is not None:
            item.add_marker(pytest.mark.slow)
        if "redis_server" in getattr(item, "fixturenames", ()) or item.get_closest_marker("redis"):
            # A real redis-server is a service process: slow, and selectable with -m redis.
            item.add_marker(pytest.mark.redis)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on loopback for the session (tests/mockserver/postgres.py)."""
    from govaudit.db import dispose_engines
    from tests.corpus import absent
    from tests.mockserver import postgres

    bin_dir = postgres.binaries()
    if bin_dir is None:
        absent("PostgreSQL", f"{postgres.POSTGRES_ABSENT}: no initdb on PATH or in /usr/lib/postgresql/*/bin "
                             f"(Debian package postgresql; .ci/run installs it)")
    server = postgres.start(bin_dir)
    try:
        yield server
    finally:
        dispose_engines()
        postgres.stop(server)


@pytest.fixture
def postgres_url(postgres_server, request):
    """The URL of a new, empty database of the session's server, dropped after the test."""
    import uuid

    from govaudit.db import dispose_engines

    name = f"govaudit_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        dispose_engines()
        postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_ref(request, tmp_path):
    """A new store on each backend: a SQLite file, then a PostgreSQL database (marked postgres)."""
    if request.param == "sqlite":
        return tmp_path / "var" / "govaudit.sqlite3"
    return request.getfixturevalue("postgres_url")


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
