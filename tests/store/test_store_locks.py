"""Locks that hold across machines on a server store: one holder of a job, an outbox flush or a
crawl start at a time; a holder that dies releases it; a crawl whose owner died is closed."""
from __future__ import annotations

import pytest

from crawler.crawl_guard import close_stale_crawls, held
from govaudit.locks import JobLocked, ServerLock, store_lock
from govaudit.store import Store

pytestmark = pytest.mark.postgres


def test_one_holder_at_a_time_and_released_when_done(postgres_url):
    first = store_lock(postgres_url, "job-weekly")
    assert isinstance(first, ServerLock)
    with first:
        with pytest.raises(JobLocked, match="job-weekly is held by another process using postgresql://govaudit:\\*\\*\\*@"):
            store_lock(postgres_url, "job-weekly").acquire()
        with store_lock(postgres_url, "job-other"):  # another name is another lock
            pass
    with store_lock(postgres_url, "job-weekly"):
        pass


def test_a_holder_whose_connection_dies_releases_the_lock(postgres_url):
    lock = ServerLock(postgres_url, "outbox-flush")
    lock.acquire()
    lock._conn.invalidate()  # the connection is gone, as when its process is killed
    lock._conn = None
    with store_lock(postgres_url, "outbox-flush"):
        pass


def test_a_running_crawl_is_closed_only_when_its_owner_is_gone(postgres_url):
    with Store(postgres_url) as store:
        alive = store.start_crawl("demo", [])
        dead = store.start_crawl("demo", [])
        with held(postgres_url, f"crawl-{alive}") as got:
            assert got
            assert close_stale_crawls(store, postgres_url) == [dead]
        assert store.crawl(alive)["status"] == "running" and store.crawl(dead)["status"] == "failed"
