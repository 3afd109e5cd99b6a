"""Crawl throughput on a loopback demo portal, and the cost of a second, unchanged crawl.

1. First crawl of an N-document portal with full extraction (the govaudit Hanweb spider,
   detail reading, attachment checks, SQLite store) against a bare Scrapy spider that only
   fetches the same URLs (catalog, paging windows, details, attachments) with no parsing and no
   storage. The ratio is govaudit's overhead over Scrapy itself.
2. A second crawl of the unchanged portal through the HTTP cache: requests answered in full,
   bytes on the wire and wall time as fractions of the first crawl.

Both runs use the same server process and the same machine in one script, so only ratios are
reported, each the fastest of --rounds repetitions.
Usage: python bench/crawl_bench.py [--size 10000] [--rounds 2] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demoportal.server import DemoPortal  # noqa: E402
from crawler.crawl import run_crawl  # noqa: E402
from govaudit.store import Store  # noqa: E402

BARE_SPIDER = r'''
import json, sys, scrapy
from scrapy.crawler import CrawlerProcess
urls = json.load(open(sys.argv[1]))
class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[2]), "CONCURRENT_REQUESTS": 16,
                       "LOG_LEVEL": "ERROR", "HTTPERROR_ALLOW_ALL": True, "ROBOTSTXT_OBEY": False,
                       "TELNETCONSOLE_ENABLED": False}
    async def start(self):
        for method, url, body in urls:
            yield scrapy.Request(url, method=method, body=body, callback=self.noop, dont_filter=True,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"} if body else {})
    def noop(self, response):
        pass
p = CrawlerProcess(); p.crawl(Bare); p.start()
'''


READING = """\
Reading: the second crawl asks for every page again (a changed or silently edited page can
only be noticed by asking), but as conditional requests: everything unchanged comes back as
304 and is read from the HTTP cache. What still crosses the wire in full are the dataproxy.jsp
paging windows (POST, which servers do not revalidate) and the 404 pages. On loopback, time is
dominated by Scrapy's per-request cost, which a 304 does not remove, so the time saving is
smaller than the byte saving; on a real portal, where each response is slow and large and the
per-host delay applies, it is the bytes and the server's work that shrink. The server and both
crawls share the same two cores, so pages/s include the server's own work."""


def stats(store_path: Path, crawl_id: int) -> dict:
    with Store(store_path) as store:
        return store.crawl(crawl_id)["stats"]["closed"]


def request_list(portal: DemoPortal) -> list[tuple[str, str, str | None]]:
    """The URLs the full crawl fetches, reproduced without parsing anything."""
    m = portal.manifest
    urls: list[tuple[str, str, str | None]] = []
    for unit in m["units"]:
        urls.append(("GET", portal.url_for(unit["catalog_path"]), None))
        window = unit["per_page"] * 3
        for start in range(window + 1, unit["doc_count"] + 1, window):
            query = f"startrecord={start}&endrecord={start + window - 1}&perpage={unit['per_page']}"
            body = f"col=1&appid=1&webid=1&path=/&columnid={unit['column_id']}&unitid={unit['unit_id']}"
            urls.append(("POST", portal.url_for(f"/module/web/jpage/dataproxy.jsp?{query}"), body))
    for doc in m["documents"]:
        urls.append(("GET", portal.url_for(doc["url_path"]), None))
        urls += [("HEAD", portal.url_for(a["path"]), None) for a in doc["attachments"]]
    return urls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--write", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--rounds", type=int, default=2,
                        help="repeat every measurement and keep the fastest (the machine is shared)")
    args = parser.parse_args()
    concurrency = 8
    t_first, t_second, t_bare = [], [], []
    with DemoPortal(seed=7, size=args.size) as portal, tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "urls.json"
        url_file.write_text(json.dumps(request_list(portal)))
        for round_no in range(args.rounds):
            store = Path(tmp) / f"round{round_no}" / "bench.sqlite3"  # a fresh store and HTTP cache
            t0 = time.perf_counter()
            first = run_crawl("demo", store, base_url=portal.url, show_progress=False)
            t_first.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            second = run_crawl("demo", store, base_url=portal.url, show_progress=False)
            t_second.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", BARE_SPIDER, str(url_file), str(concurrency)], check=True)
            t_bare.append(time.perf_counter() - t0)
            s1, s2 = stats(store, first.crawl_id), stats(store, second.crawl_id)
            with Store(store) as st:
                pages = st.page_count(first.crawl_id)
    print({"first": t_first, "second": t_second, "bare": t_bare})
    t_first, t_second, t_bare = min(t_first), min(t_second), min(t_bare)
    full1 = s1.get("govaudit/wire/full_responses", s1.get("downloader/response_count", 0))
    full2 = s2.get("govaudit/wire/full_responses", 0)
    bytes1, bytes2 = s1.get("govaudit/wire/bytes", 0), s2.get("govaudit/wire/bytes", 0)
    req1, req2 = s1.get("govaudit/wire/responses", 0), s2.get("govaudit/wire/responses", 0)
    rows = [
        ("documents in the portal", f"{args.size:,}"),
        ("pages stored (first crawl)", f"{pages:,}"),
        ("first crawl, pages/s (govaudit)", f"{pages / t_first:,.0f}"),
        ("bare Scrapy fetch of the same URLs, pages/s", f"{pages / t_bare:,.0f}"),
        ("govaudit time / bare Scrapy time", f"{t_first / t_bare:.2f}×"),
        ("second crawl: requests / first", f"{req2}/{req1} = {req2 / max(req1, 1):.3f}"),
        ("second crawl: full responses / first", f"{full2}/{full1} = {full2 / max(full1, 1):.3f}"),
        ("second crawl: bytes on the wire / first", f"{bytes2 / max(bytes1, 1):.3f}"),
        ("second crawl: time / first", f"{t_second / t_first:.2f}"),
    ]
    table = "| measure | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    write_section(Path(args.write), "## Crawling", f"`python bench/crawl_bench.py --size {args.size}`, "
                  f"loopback demo portal, {concurrency} concurrent requests per host, 2-core machine shared with "
                  f"other work; fastest of {args.rounds} rounds for each time.\n\n{table}\n\n"
                  f"{READING}\n")


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace (or append) one `## ` section of BENCHMARKS.md, leaving the others alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines, out, skipping = text.splitlines(keepends=True), [], False
    for line in lines:
        if line.startswith("## "):
            skipping = line.strip() == heading
            if skipping:
                continue
        if not skipping:
            out.append(line)
    path.write_text("".join(out).rstrip("\n") + f"\n\n{heading}\n\n{body}", encoding="utf-8")


if __name__ == "__main__":
    main()
