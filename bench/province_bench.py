"""Province simulation: several demo counties on loopback, crawled by 1, 2 and 4 workers.

Each county is its own demo portal on its own loopback host (127.0.0.2, 127.0.0.3, …), so each
is its own host for politeness: the per-host delay holds per county, for all workers together
(crawler/frontier.py). One site config lists a few units of every county (their catalogs on the
county's host), as a provincial 政务公开办 would crawl them; `govaudit crawl --workers` queues it
in a real redis-server and N `govaudit worker` processes crawl it into one store.

Reported, each the fastest of --rounds: pages stored per second with N workers as a ratio to 1
worker, over the crawl command's wall time and over the span of requests the portals saw (which
leaves out the workers' start and close), and the politeness-bound ideal: with delay d, host h cannot be asked more than once per
d seconds, so no number of workers finishes before max over hosts of (requests to h × d); the
ideal ratio is the pages/s at that bound over the 1-worker pages/s. Requests per host are read
from each portal's own request log.
Usage: python bench/province_bench.py [--counties 4] [--units 3] [--delay 0.05] [--rounds 1] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis as redis_client  # noqa: E402

from crawler.crawl import run_crawl  # noqa: E402
from crawler.frontier import waiting_workers  # noqa: E402
from demoportal.server import DemoPortal  # noqa: E402
from tests.mockserver.redis_server import RedisServer  # noqa: E402

HANWEB_UNITS = ["桐乡市财政局", "濮院镇", "崇福镇", "乌镇镇", "洲泉镇", "大麻镇", "河山镇", "桐乡市司法局"]


def province_site(portals: list[DemoPortal], units: int, delay: float, path: Path) -> Path:
    demo = yaml.safe_load((ROOT / "crawler/sites/demo.yml").read_text(encoding="utf-8"))
    by_name = {u["name"]: u for u in demo["units"]}
    rows = []
    for county, portal in enumerate(portals, 1):
        for name in HANWEB_UNITS[:units]:
            unit = by_name[name]
            rows.append({"name": f"县{county}-{name}", "level": unit["level"],
                         "catalog": portal.url_for(unit["catalog"])})
    site = {"name": "province-sim", "title": "省级模拟", "cms": "hanweb", "base_url": portals[0].url,
            "allow_private_hosts": True, "units": rows,
            "politeness": {"concurrency_per_host": 4, "delay": delay, "autothrottle": False, "obey_robots": True}}
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    return path


def crawl_with(workers: int, redis: RedisServer, site: Path, portals: list[DemoPortal], tmp: Path) -> dict:
    store = tmp / f"w{workers}-{time.monotonic_ns()}.sqlite3"
    before = [len(p.requests()) for p in portals]
    procs = [subprocess.Popen([sys.executable, "-m", "audits.cli", "worker", redis.url, "--once"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
             for _ in range(workers)]
    try:
        # Workers are long-running services: the clock starts once every one is waiting for a crawl.
        server = redis_client.Redis.from_url(redis.url)
        while waiting_workers(server) < workers:
            time.sleep(0.2)
        start = time.monotonic()
        summary = run_crawl(site, store, show_progress=False, workers=redis.url)
        elapsed = time.monotonic() - start
    finally:
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    assert summary.status == "complete", summary.reason
    pages = sum(u["pages"] for u in summary.units)
    logs = [[r for r in p.requests()[n:] if r["path"] != "/_demo/requests"] for p, n in zip(portals, before)]
    # From the first request any county saw to the last answer: the crawl without the workers'
    # start (a Python process importing Scrapy, per worker per crawl) and close.
    span = max(r["ended"] or r["started"] for log in logs for r in log) - min(r["started"] for log in logs for r in log)
    return {"pages": pages, "seconds": elapsed, "span": span, "per_host": [len(log) for log in logs]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counties", type=int, default=4)
    parser.add_argument("--units", type=int, default=3, help="Hanweb units crawled per county")
    parser.add_argument("--size", type=int, default=210, help="documents per county portal")
    parser.add_argument("--delay", type=float, default=0.05, help="politeness.delay, seconds per host")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    portals = [DemoPortal(seed=7 + c, size=args.size, host=f"127.0.0.{c + 2}") for c in range(args.counties)]
    results: dict[int, dict] = {}
    try:
        for p in portals:
            p.start()
        with RedisServer() as redis, tempfile.TemporaryDirectory() as tmp:
            site = province_site(portals, args.units, args.delay, Path(tmp) / "province.yml")
            for _ in range(args.rounds):
                for n in args.workers:
                    run = crawl_with(n, redis, site, portals, Path(tmp))
                    if n not in results or run["seconds"] < results[n]["seconds"]:
                        results[n] = run
                    print(f"{n} worker(s): {run['pages']} pages in {run['seconds']:.1f}s "
                          f"(requests span {run['span']:.1f}s)", flush=True)
    finally:
        for p in portals:
            p.stop()
    base = results[args.workers[0]]
    base_rate, base_span_rate = base["pages"] / base["seconds"], base["pages"] / base["span"]
    bound_seconds = max(base["per_host"]) * args.delay
    ideal_rate = base["pages"] / bound_seconds
    lines = [
        f"`python bench/province_bench.py --counties {args.counties} --units {args.units} --size {args.size} "
        f"--delay {args.delay:g} --rounds {args.rounds}`: {args.counties} demo counties on loopback hosts "
        f"127.0.0.2–127.0.0.{args.counties + 1}, {args.units} Hanweb units each ({base['pages']} pages, "
        f"{max(base['per_host'])} requests to the busiest host), delay {args.delay:g} s per host; one redis-server, "
        f"the crawl command and every worker on the same 2-core machine, shared with other work "
        f"(fastest of {args.rounds}).",
        "",
        "",
        "| workers | pages/s (crawl command) | ratio to 1 worker | pages/s (requests span) | ratio to 1 worker "
        "| politeness-bound ideal: pages/s, ratio to 1 worker (span) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for n in args.workers:
        rate, span_rate = results[n]["pages"] / results[n]["seconds"], results[n]["pages"] / results[n]["span"]
        lines.append(f"| {n} | {rate:.1f} | {rate / base_rate:.2f} | {span_rate:.1f} | {span_rate / base_span_rate:.2f} "
                     f"| {ideal_rate:.1f}, {ideal_rate / base_span_rate:.2f} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        print(f"(paste into {args.write} under the province section)")


if __name__ == "__main__":
    main()
