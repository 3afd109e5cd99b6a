"""The re-crawl budget: what a weekly re-crawl asks the portal, against the first crawl.

1. First crawl of an N-document demo portal, audited once (its findings are the open findings
   the re-crawls must fetch).
2. A re-crawl one week later of the unchanged portal: requests as a share of the first crawl's,
   broken down into catalog (list pages, paging windows, JSON list APIs), open-finding,
   rotation, failed-before (pages whose last fetch failed) and new/changed detail requests, and
   attachment checks of the fetched pages.
3. Then 2% of the documents change: half get a new title (their catalog entry changes), half
   are edited in place under an unchanged entry (silent edits). Weekly re-crawls follow for one
   period: the week each changed page is first seen changed, and each week's share.

Counts come from the demo portal's own request log (what the server was asked), every crawl is
dated explicitly (`crawl_date`) one week after the previous one, and everything runs in one
script against the same server. The open findings are those of the first audit throughout
(a weekly re-audit would only change which pages they are).
Usage: python bench/recrawl_bench.py [--size 10000] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.audit import audit_crawl  # noqa: E402
from audits.history import recrawl_fetches  # noqa: E402
from crawler import settings as crawl_settings  # noqa: E402
from crawler.catalog_sync import changes  # noqa: E402
from crawler.crawl import run_crawl  # noqa: E402
from demoportal.server import DemoPortal  # noqa: E402
from govaudit.store import Store  # noqa: E402
from bench.benchmarks_md import write_section  # noqa: E402

WEEK0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
REASONS = ("open_finding", "rotation", "failed_before", "new", "changed")


def classify(portal: DemoPortal, since: int, details: set[str], attachments: dict[str, set[str]],
             open_pages: set[str]) -> Counter[str]:
    """The server's requests from index `since` on: robots, detail, attachment or catalog
    (attachment_open: an attachment of a page with an open finding)."""
    kinds: Counter[str] = Counter()
    for entry in portal.requests()[since:]:
        path = entry["path"]
        bare = urlsplit(path).path
        if bare == "/robots.txt":
            kinds["robots"] += 1
        elif bare in details:
            kinds["detail"] += 1
        elif path in attachments or bare in attachments:
            kinds["attachment"] += 1
            kinds["attachment_open"] += bool(attachments.get(path, attachments.get(bare, set())) & open_pages)
        elif not bare.startswith("/_demo/"):
            kinds["catalog"] += 1
    return kinds


def crawl(portal: DemoPortal, store: Path, week: int, must_fetch: set[str], paths: dict,
          attachment_findings: Iterable[str] = ()) -> dict:
    since = len(portal.requests())
    t0 = time.perf_counter()
    summary = run_crawl("demo", store, base_url=portal.url, show_progress=False, must_fetch=must_fetch,
                        recheck_attachments=attachment_findings, crawl_date=WEEK0 + timedelta(weeks=week))
    seconds = time.perf_counter() - t0
    with Store(store) as st:
        closed = (st.crawl(summary.crawl_id) or {"stats": {}})["stats"].get("closed", {})
        for page in st.pages(summary.crawl_id):
            if page.kind == "detail":
                paths["details"].add(urlsplit(page.url).path)
                for a in page.attachments:
                    parts = urlsplit(a.get("url", ""))
                    key = parts.path + (f"?{parts.query}" if parts.query else "")
                    paths["attachments"].setdefault(key, set()).add(urlsplit(page.url).path)
    kinds = classify(portal, since, paths["details"], paths["attachments"], {urlsplit(u).path for u in must_fetch})
    reasons = {r: closed.get(f"govaudit/recrawl/{r}", 0) for r in REASONS + ("attachment_checks_carried",)}
    total = sum(n for kind, n in kinds.items() if kind != "attachment_open")  # a part of "attachment"
    return {"crawl_id": summary.crawl_id, "carried": summary.carried, "fetched": summary.fetched,
            "kinds": dict(kinds), "total": total, "reasons": reasons, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--per-page", type=int, default=15,
                        help="records per page of every Hanweb column (paging windows of 3 pages); "
                             "0: the demo's own page sizes (5 to 15)")
    parser.add_argument("--write", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--results", help="also keep the measured figures in this JSON file")
    parser.add_argument("--from-results", help="write the section from a JSON file of an earlier run")
    args = parser.parse_args()
    if args.from_results:
        report(json.loads(Path(args.from_results).read_text(encoding="utf-8")), Path(args.write))
        return
    results = measure(args.size, args.per_page or None)
    if args.results:
        Path(args.results).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    report(results, Path(args.write))


def measure(size: int, per_page: int | None) -> dict:
    weeks = crawl_settings.GOVAUDIT_RECHECK_WEEKS
    paths: dict = {"details": set(), "attachments": {}}
    with DemoPortal(seed=7, size=size, per_page=per_page) as portal, tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.sqlite3"
        first = crawl(portal, store, 0, set(), paths)
        t0 = time.perf_counter()
        audit = audit_crawl(store, first["crawl_id"], trial=False)
        audit_seconds = time.perf_counter() - t0
        fetches = recrawl_fetches(store, audit.site)
        must, attachment_findings = fetches["must_fetch"], fetches["recheck_attachments"]
        print({"first_s": round(first["seconds"], 1), "audit_s": round(audit_seconds, 1)}, flush=True)
        again = crawl(portal, store, 1, must, paths, attachment_findings)
        print({"again_s": round(again["seconds"], 1), "share": round(again["total"] / first["total"], 4)}, flush=True)
        # 2% of the documents change: half get a new title, half are edited in place.
        docs = [d for d in portal.manifest["documents"] if d["http_status"] == 200]
        picked = docs[::50]
        retitled, edited = picked[::2], picked[1::2]
        portal.change(retitle=[d["doc_id"] for d in retitled], change=[d["doc_id"] for d in edited])
        found: dict[str, int] = {}
        series = []
        for week in range(2, weeks + 2):
            result = crawl(portal, store, week, must, paths, attachment_findings)
            series.append(result)
            with Store(store) as st:
                for row in changes(st, result["crawl_id"]):
                    if row["change"] == "changed":  # by path: not every dialect's URL holds the doc id
                        found.setdefault(urlsplit(row["url"]).path, week - 1)
            print({"week": week, "seconds": round(result["seconds"], 1), "found": len(found)}, flush=True)
    return {"size": size, "per_page": per_page, "weeks": weeks, "open_pages": len(must), "first": first,
            "audit_seconds": audit_seconds, "again": again, "series": series,
            "retitled": [d["url_path"] for d in retitled], "edited": [d["url_path"] for d in edited],
            "found": found}


def report(res: dict, path: Path) -> None:
    first, again, series, weeks = res["first"], res["again"], res["series"], res["weeks"]
    base = first["total"]
    k, r = Counter(again["kinds"]), again["reasons"]

    def share(n: int) -> str:
        return f"{n:,} ({n / base:.1%})"

    pages = again["carried"] + again["fetched"]
    no_open = again["total"] - r["open_finding"] - k["attachment_open"]
    rows = [
        ("documents in the portal", f"{res['size']:,}"),
        ("records per catalog page × pages per paging window (Hanweb columns)",
         f"{res['per_page']} × 3" if res["per_page"] else "each unit's own (5–15) × 3"),
        ("first crawl: requests (server log)", f"{base:,}"),
        ("first crawl: catalog / detail / attachment / robots.txt",
         " / ".join(f"{Counter(first['kinds'])[x]:,}" for x in ("catalog", "detail", "attachment", "robots"))),
        ("pages with open findings after the first audit",
         f"{res['open_pages']:,} of {pages:,} ({res['open_pages'] / pages:.1%})"),
        (f"re-crawl of the unchanged portal a week later: requests / first ({weeks}-week period)",
         f"**{again['total']:,}/{base:,} = {again['total'] / base:.1%}**"),
        ("— catalog (list pages, paging windows, list APIs)", share(k["catalog"])),
        ("— detail: open findings", share(r["open_finding"])),
        ("— detail: rotation (due for a re-check)", share(r["rotation"])),
        ("— detail: last fetch failed (404, refused, not followed)", share(r["failed_before"])),
        ("— detail: new or changed catalog entry", share(r["new"] + r["changed"])),
        ("— attachment checks (of which for open-finding pages)",
         f"{share(k['attachment'])} ({k['attachment_open']:,})"),
        ("— robots.txt (one per dialect spider)", share(k["robots"])),
        ("attachment checks carried over from an unchanged open-finding page's last copy (not requested)",
         f"{r.get('attachment_checks_carried', 0):,}"),
        ("pages carried over unfetched", f"{again['carried']:,} of {pages:,}"),
        ("the same re-crawl without the open-finding pages and their attachments (a portal with no "
         "open findings)", f"**{no_open:,}/{base:,} = {no_open / base:.1%}**"),
    ]
    retitled, edited, found = set(res["retitled"]), set(res["edited"]), res["found"]
    found_weeks = [found[i] for i in edited if i in found]
    totals = [s["total"] for s in series]
    rows += [
        ("then 2% of the documents change", f"{len(retitled | edited):,} ({len(retitled):,} retitled, "
                                            f"{len(edited):,} edited in place)"),
        ("retitled pages found changed by the next weekly re-crawl",
         f"{sum(1 for i in retitled if found.get(i) == 1):,} of {len(retitled):,}"),
        (f"pages edited in place found changed within {weeks} weekly re-crawls",
         f"{len(found_weeks):,} of {len(edited):,}" + (f" (the last by re-crawl {max(found_weeks)})"
                                                       if found_weeks else "")),
        ("edited in place, found per weekly re-crawl",
         ", ".join(str(Counter(found_weeks).get(w, 0)) for w in range(1, weeks + 1))),
        ("requests per weekly re-crawl after the change: first / mean / max, share of the first crawl",
         f"{totals[0] / base:.1%} / {sum(totals) / len(totals) / base:.1%} / {max(totals) / base:.1%}"),
        ("time: audit / first crawl; unchanged re-crawl / first crawl; mean weekly re-crawl / first crawl",
         f"{res['audit_seconds'] / first['seconds']:.2f}; {again['seconds'] / first['seconds']:.2f}; "
         f"{sum(s['seconds'] for s in series) / len(series) / first['seconds']:.2f}"),
        (f"the whole run (first crawl, audit, {len(series) + 1} dated re-crawls), wall time",
         f"{(first['seconds'] + res['audit_seconds'] + again['seconds'] + sum(s['seconds'] for s in series)) / 60:.0f} "
         "min"),
    ]
    table = "| measure | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    rotation_share = math.ceil(1 / weeks * 1000) / 10
    paging = (f"every Hanweb column listing {res['per_page']} records a page, paging windows of 3 pages "
              f"(`DemoPortal(per_page={res['per_page']})`; the TRS, gkmlpt and jpaas units keep their own "
              "page sizes)" if res["per_page"] else "the demo's own page sizes: 5 to 15 records a page")
    verdict = VERDICT.format(share=again["total"] / base, no_open=no_open / base,
                             open_share=res["open_pages"] / pages, catalog=k["catalog"] / base,
                             rotation=r["rotation"] / base, met="met" if no_open / base <= 0.10 else "not met",
                             met_all="met" if again["total"] / base <= 0.10 else "not met")
    write_section(path, "## Re-crawl budget",
                  f"`python bench/recrawl_bench.py --size {res['size']}`, loopback demo portal with {paging}; "
                  "crawls dated one week apart, request counts from the demo portal's request log; "
                  "2-core machine shared with other work.\n\n"
                  f"{table}\n\n{READING.format(weeks=weeks, rotation=rotation_share)}\n\n{verdict}\n\n{TIME}\n")


READING = """\
Reading: the catalog is read in full every week (it is the only way to see new, changed and
withdrawn entries), and a detail page is asked for only when its entry is new or changed, its
last fetch failed, it has an open finding, or its turn in the rotation has come: about 1/{weeks}
({rotation}%) of the unchanged pages a week, oldest first, so every page is fetched again within
{weeks} weeks (`politeness.recheck_weeks`). A retitled page is fetched by the next crawl; a page
edited in place under an unchanged catalog entry is found when its turn comes, within the
period. The attachments of every fetched page are checked again (HEAD), except those of a page
fetched only for its open findings that came back unchanged: their last checks are carried
over, unless a finding is about them (ATTACH-*) or their own turn in the rotation has come;
report files the auditor reads are fetched again with their page. `govaudit crawl --full` asks
for every page (as conditional requests through the HTTP cache; see "Crawling")."""

VERDICT = """\
Against the ≤10% target: {met_all} for the demo portal as it stands ({share:.1%}), because its
planted defects leave {open_share:.1%} of its pages with open findings, each fetched every week
so that a fix is seen (the URLs with findings are the open-finding line, and, for pages whose
last fetch failed, the failed line). That share of the demo is an artefact of its planted
defects (12% of the pages at 2,000 documents); a real portal after its first rounds of fixes has
far fewer open findings, but they are in the figure above and not hidden. Without the
open-finding pages and their attachments the re-crawl asks for {no_open:.1%} ({met}): the catalog
{catalog:.1%} and the rotation {rotation:.1%}, the rest the attachments of rotated pages and the
pages whose last fetch failed. The rotation (1/13 of the unchanged detail pages) is the floor a
13-week period sets; the catalog is the other fixed part and grows as pages get smaller (it
was 5.2% at 2,000 documents with the demo's own 5-record pages). A longer `recheck_weeks`
lowers the rotation, at the price of finding silent edits later."""

TIME = """\
Time: a 10,000-document run used to take longer than 25 minutes and was stopped. The demo site
config already has no politeness delay, and the audit is a small part (the first time ratio).
A profile of the re-crawl's crawl process at 2,000 documents put 27 of its 59 s in storing
pages: every page committed with a disk flush (SQLite's default synchronous=FULL; 10.5 s) and
built into a fresh INSERT from a deep copy of the record, paid again for each of the thousands
of carried-over pages of every re-crawl. The crawl's store connection now commits without the
flush (WAL with synchronous=NORMAL: a killed crawl keeps every committed page; a power cut can
lose the last few, which a resume fetches again) and reuses one statement; in two runs on this
shared machine that took the first crawl of 2,000 documents from 66 s to 50 s and its re-crawl
from 32 s to 25 s, and the whole 10,000-document run fits in the time above. The silent-edit
check needs all 13 weekly re-crawls of one period, so none is skipped."""


if __name__ == "__main__":
    main()
