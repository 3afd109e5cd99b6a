"""A crawl spread over `govaudit worker` processes through a real redis-server, on the demo portal.

What must hold, seen from the store and from the portal's own request log: two workers store
exactly the pages one process stores, none fetched twice; a worker killed with SIGKILL mid-crawl
loses nothing, its requests go back to the queue and the other worker finishes; a host gets its
configured rate from all workers together; and crawl-then-audit audits the complete crawl once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import yaml

from crawler.crawl import run_crawl
from crawler.frontier import waiting_workers
from demoportal.server import DemoPortal
from govaudit.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.redis]
REPO = Path(__file__).resolve().parents[2]
# Two Hanweb units and one of each other dialect: the shared path serves all four spiders.
UNITS = ["桐乡市财政局", "濮院镇", "桐乡市交通运输局", "桐乡市卫生健康局", "运河街道"]
FAST = {"GOVAUDIT_LEASE_TTL": 3.0}  # a killed worker's requests go back after 3 s, not 15


def _site_file(tmp_path: Path, **politeness) -> Path:
    site = yaml.safe_load((REPO / "crawler/sites/demo.yml").read_text(encoding="utf-8"))
    site["politeness"] = {**site["politeness"], **politeness}
    path = tmp_path / "workers-demo.yml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    return path


class Workers:
    """`govaudit worker URL --once` processes; all stopped (and reaped) on exit."""

    def __init__(self, url: str, n: int, log_dir: Path):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.procs = [subprocess.Popen([sys.executable, "-m", "audits.cli", "worker", url, "--once",
                                        "--log-dir", str(log_dir), "--log-level", "INFO"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
                      for _ in range(n)]

    def __enter__(self) -> "Workers":
        # Every worker waiting for a crawl before one is queued: on a busy machine one worker could
        # otherwise drain a small crawl before the other had started.
        server = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 60
        while waiting_workers(server) < len(self.procs) and time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in self.procs):
                break  # a worker that died says why in the test's own assertions
            time.sleep(0.1)
        server.close()
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _pages(store: Path, crawl_id: int) -> dict[tuple[str, str], tuple]:
    with Store(store) as st:
        return {(p.unit, urlsplit(p.url).path + (f"?{urlsplit(p.url).query}" if urlsplit(p.url).query else "")):
                (p.kind, p.http_status, p.error, len(p.attachments)) for p in st.pages(crawl_id)}


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(seed=7, size=210) as p:
        yield p


@pytest.fixture(scope="module")
def single_process(portal, tmp_path_factory):
    """The same units crawled by one process: what the workers must store, page for page."""
    tmp = tmp_path_factory.mktemp("single")
    store = tmp / "govaudit.sqlite3"
    summary = run_crawl(_site_file(tmp), store, units=UNITS, base_url=portal.url, show_progress=False)
    assert summary.status == "complete"
    return _pages(store, summary.crawl_id)


def _log_since(portal: DemoPortal, start: int) -> list[dict]:
    return [r for r in portal.requests()[start:] if r["path"] != "/_demo/requests"]


def test_two_workers_store_every_page_once(portal, single_process, redis_server, tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    before = len(portal.requests())
    with Workers(redis_server.url, 2, tmp_path / "workers"):
        summary = run_crawl(_site_file(tmp_path), store, units=UNITS, base_url=portal.url, show_progress=False,
                            workers=redis_server.url, settings_overrides=FAST)
    assert summary.status == "complete", summary.reason
    pages = _pages(store, summary.crawl_id)
    assert pages == single_process, "the workers stored other pages than one process does"
    assert {u["unit"] for u in summary.units if u["pages"]} == set(UNITS)
    # Fetched once: every page GET of the crawl appears once in the portal's log.
    gets = Counter(r["path"] for r in _log_since(portal, before) if r["method"] == "GET" and r["path"] != "/robots.txt")
    assert gets and max(gets.values()) == 1, [p for p, n in gets.items() if n > 1][:5]
    log = summary.log_path.read_text(encoding="utf-8")
    assert "done by 2 worker(s)" in log
    shares = [int(line.split(": ")[1].split()[0]) for line in log.splitlines() if line.endswith("page(s) stored")]
    assert len(shares) == 2 and all(shares) and sum(shares) == len(pages), (shares, log)


def test_a_killed_worker_loses_nothing(redis_server, tmp_path):
    # Slow answers keep both workers busy with requests in hand when one of them is killed.
    with DemoPortal(seed=7, size=210, faults={"/": "slow:0.15"}) as slow_portal:
        reference = tmp_path / "reference.sqlite3"
        ref = run_crawl(_site_file(tmp_path), reference, units=UNITS[:2], base_url=slow_portal.url,
                        show_progress=False)
        store = tmp_path / "govaudit.sqlite3"
        result: list = []
        with Workers(redis_server.url, 2, tmp_path / "workers") as workers:
            crawl = threading.Thread(target=lambda: result.append(run_crawl(
                _site_file(tmp_path), store, units=UNITS[:2], base_url=slow_portal.url, show_progress=False,
                workers=redis_server.url, settings_overrides=FAST)))
            crawl.start()
            # Killed: a worker holding requests once the crawl has stored some pages, whichever
            # of the two got going first (a worker's start is slower on a busy machine).
            victim = None
            deadline = time.monotonic() + 120
            while victim is None and time.monotonic() < deadline and crawl.is_alive():
                if _stored(store) >= 4:
                    victim = next((p for p in workers.procs if _holds_lease(redis_server.url, p.pid)), None)
                time.sleep(0.05)
            assert victim is not None, "no worker was seen holding a request mid-crawl"
            os.kill(victim.pid, signal.SIGKILL)  # its crawl subprocess dies with it (PR_SET_PDEATHSIG)
            victim.wait()
            crawl.join(timeout=300)
            assert not crawl.is_alive()
    summary = result[0]
    assert summary.status == "complete", summary.reason
    assert _pages(store, summary.crawl_id) == _pages(reference, ref.crawl_id)
    log = summary.log_path.read_text(encoding="utf-8")
    requeued = int(log.split("request(s) of stopped workers")[0].rsplit("; ", 1)[1])
    assert requeued > 0, "the killed worker held no request: the test did not exercise the leases"


def _holds_lease(url: str, worker_pid: int) -> bool:
    """Whether the worker process `worker_pid` holds a request: lease tokens are
    `<host>-<worker pid>-<random>:<n>` (crawler.frontier.new_worker_id)."""
    import redis

    server = redis.Redis.from_url(url)
    return any(f"-{worker_pid}-" in token.decode() for key in server.scan_iter(match="govaudit:crawl:*:leases")
               for token in server.hkeys(key))


def _stored(store: Path) -> int:
    if not store.exists():
        return 0
    with Store(store) as st:
        return sum(st.page_count(c["id"]) for c in st.crawls())


def test_a_host_gets_its_rate_from_all_workers_together(redis_server, tmp_path):
    delay, window = 0.25, 2.0
    with DemoPortal(seed=7, size=210) as portal:
        with Workers(redis_server.url, 2, tmp_path / "workers"):
            summary = run_crawl(_site_file(tmp_path, delay=delay, concurrency_per_host=4, autothrottle=False),
                                tmp_path / "govaudit.sqlite3", units=UNITS[:2], base_url=portal.url,
                                show_progress=False, workers=redis_server.url, settings_overrides=FAST)
        log = _log_since(portal, 0)
    assert summary.status == "complete", summary.reason
    assert "done by 2 worker(s)" in summary.log_path.read_text(encoding="utf-8")
    starts = sorted(r["started"] for r in log)
    assert len(starts) > 3 * window / delay, "too few requests to see a rate"
    # One request per `delay` for the host: any `window` seconds hold at most window/delay + 1
    # request starts (the +1 is the one on the window's edge). Two workers each keeping the delay
    # on their own would send about twice that.
    busiest = max(sum(1 for t in starts[i:] if t < start + window) for i, start in enumerate(starts))
    assert busiest <= window / delay + 1, busiest


def test_crawl_then_audit_runs_the_audit_once_on_the_complete_crawl(portal, redis_server, tmp_path):
    from audits.audit import run_site

    store = tmp_path / "govaudit.sqlite3"
    with Workers(redis_server.url, 2, tmp_path / "workers"):
        outcome = run_site(_site_file(tmp_path), UNITS[:2], store_path=store, reports_dir=tmp_path / "reports",
                           base_url=portal.url, workers=redis_server.url, settings_overrides=FAST)
    assert outcome.crawl.status == "complete"
    with Store(store) as st:
        runs = st.conn.execute("SELECT crawl_id FROM runs").fetchall()
        details = st.conn.execute("SELECT COUNT(*) FROM pages WHERE crawl_id=? AND kind='detail'",
                                  (outcome.crawl_id,)).fetchone()[0]
    assert [r[0] for r in runs] == [outcome.crawl_id], "the audit ran other than once on the crawl"
    assert len(outcome.documents) == details > 0
    assert outcome.report_path.exists()


def test_a_worker_that_cannot_see_the_store_file_refuses_to_join(redis_server, tmp_path):
    from crawler.frontier import Frontier

    frontier = Frontier.connect(redis_server.url, f"elsewhere-{time.monotonic_ns()}")
    elsewhere = tmp_path / "on-another-machine" / "govaudit.sqlite3"
    frontier.publish({"site": "tongxiang-demo", "site_yaml": (REPO / "crawler/sites/demo.yml").read_text(encoding="utf-8"),
                      "base_url": "", "crawl_id": 1, "store": str(elsewhere), "groups": [["hanweb", ["濮院镇"]]],
                      "settings": {}})
    try:
        result = subprocess.run([sys.executable, "-m", "audits.cli", "worker", redis_server.url, "--once"],
                                capture_output=True, text=True, timeout=120, cwd=REPO)
    finally:
        frontier.finish("done")
        frontier.clear(["hanweb"])
    assert result.returncode == 3, result.stderr
    assert f"the crawl's store {elsewhere} is not on this machine" in " ".join(result.stderr.split())
    assert not elsewhere.exists(), "the worker created a store of its own"
