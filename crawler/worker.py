"""`govaudit worker redis://…`: take part in every shared crawl published in that Redis.

A worker waits for crawls started with `govaudit crawl SITE --workers redis://…`, runs its share
of each in a fresh subprocess (`crawler.worker_subprocess`), and forwards the subprocess's
progress lines to Redis, where the crawl command shows them. Any number of workers, on any
number of machines, may serve one Redis; one that is killed loses nothing (its leases go back
to the queue, `crawler.frontier`).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

import redis

from crawler.crawl import crawl_environment
from crawler.extensions.progress import PREFIX
from crawler.frontier import Frontier, new_worker_id, redact


def run_worker(redis_url: str, store: str | None = None, once: bool = False, log_level: str = "WARNING",
               log_dir: str | Path | None = None, say: Callable[[str], None] = print) -> int:
    """Serve crawls until interrupted (or, with `once`, until one crawl is served). Returns the
    exit status of the last crawl subprocess."""
    server = redis.Redis.from_url(redis_url)
    server.ping()  # an unreachable Redis fails here, with redis' own message naming the address
    say(f"worker waiting for crawls in {redact(redis_url)}")
    served: list[str] = []
    while True:
        job, status = serve(redis_url, served, store, log_level, log_dir, say)
        if job:
            served.append(job)
        if once:
            return status


def serve(redis_url: str, served: list[str], store: str | None, log_level: str, log_dir: str | Path | None,
          say: Callable[[str], None]) -> tuple[str | None, int]:
    """Start a crawl subprocess, which waits for a crawl not yet served and runs this worker's
    share of it; forward its events. (the crawl it joined, its exit status)"""
    worker = new_worker_id()
    cmd = [sys.executable, "-m", "crawler.worker_subprocess", "--redis", redis_url, "--worker-id", worker,
           "--log-level", log_level, "--skip", ",".join(served[-100:])]
    if store:
        cmd += ["--store", str(store)]
    log_path = Path(log_dir) / f"worker-{worker}.log" if log_dir else None
    log = open(log_path, "a", encoding="utf-8") if log_path else subprocess.DEVNULL
    job: str | None = None
    frontier: Frontier | None = None
    try:
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8",
                                 env=crawl_environment())
        assert child.stdout is not None
        for line in child.stdout:
            if not line.startswith(PREFIX):
                continue
            event = json.loads(line[len(PREFIX):])
            if event.get("event") == "joined":
                job = str(event["job"])
                frontier = Frontier.connect(redis_url, job)
                say(f"worker {worker} joins crawl {job}")
            elif event.get("event") == "refused":
                say(f"worker {worker} cannot serve crawl {job}: {event.get('reason')}")
            elif frontier is not None:  # tagged, so the crawl command knows which worker has closed
                frontier.send_event(json.dumps({**event, "worker": worker}, ensure_ascii=False))
        child.wait()
    finally:
        if log_path:
            log.close()  # type: ignore[union-attr]
    if frontier is not None:
        # Put back at once whatever the subprocess held when it ended, rather than after the TTL.
        frontier.stop_beating(worker)
        say(f"worker {worker} left crawl {job} (exit {child.returncode})")
    return job, child.returncode
