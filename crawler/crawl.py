"""Run one crawl of a site in a subprocess, show its progress, and record how it ended.

The parent owns the crawl row: it creates it, starts `crawler.crawl_subprocess`, turns the
child's JSON progress lines into a progress bar per unit, and marks the crawl complete,
partial (interrupted, or the child died after storing pages) or failed. The scheduler calls
the same function, so a crashing crawl can never take the scheduler down with it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crawler.extensions.progress import PREFIX
from crawler.sites import SiteConfig, load_site
from govaudit.store import Store
from crawler.catalog_sync import sync_crawl


@dataclass
class CrawlSummary:
    crawl_id: int
    site: str
    status: str
    log_path: Path
    units: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    changes: dict[str, int] = field(default_factory=dict)  # new / changed / gone since the previous crawl


def run_crawl(site_ref: str | Path | SiteConfig, store_path: str | Path, units: list[str] | None = None,
              base_url: str | None = None, show_progress: bool = True, console: Console | None = None,
              log_level: str = "WARNING", resume: int | None = None,
              settings_overrides: dict[str, Any] | None = None) -> CrawlSummary:
    """Crawl `site_ref` into the store. `resume` re-runs a killed crawl under its own id: pages
    already stored are replaced, not duplicated, and the HTTP cache makes the re-run cheap.
    `settings_overrides` are Scrapy settings applied last (tests shorten DOWNLOAD_TIMEOUT,
    RETRY_TIMES, GOVAUDIT_RETRY_BACKOFF_BASE or DOWNLOAD_MAXSIZE with it)."""
    site = site_ref if isinstance(site_ref, SiteConfig) else load_site(site_ref)
    if base_url:
        site = site.with_base_url(base_url)
    site = site.select_units(units)  # unknown unit names fail here, before anything starts
    console = console or Console(stderr=True)
    store_path = Path(store_path)
    with Store(store_path) as store:
        if resume is not None:
            crawl = store.crawl(resume)
            if crawl is None or crawl["site"] != site.name:
                raise LookupError(f"no crawl {resume} of site {site.name} in {store_path} to resume")
            store.reopen_crawl(resume)
            crawl_id = resume
        else:
            crawl_id = store.start_crawl(site.name, [u.name for u in site.units], site.path)
    log_path = store_path.parent / "logs" / f"crawl-{crawl_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "crawler.crawl_subprocess", "--site", site.path, "--store", str(store_path),
           "--crawl-id", str(crawl_id), "--units", ",".join(u.name for u in site.units),
           "--log-level", log_level]
    if base_url:
        cmd += ["--base-url", base_url]
    if settings_overrides:
        cmd += ["--settings", json.dumps(settings_overrides)]
    closed: dict[str, Any] = {}
    interrupted = False
    with open(log_path, "w", encoding="utf-8") as log, _progress(console, show_progress) as progress:
        tasks = {u.name: progress.add_task(u.name, total=None) for u in site.units} if progress else {}
        done: Counter[str] = Counter()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8", env=env)
        try:
            assert child.stdout is not None
            for line in child.stdout:
                if not line.startswith(PREFIX):
                    log.write(line)
                    continue
                event = json.loads(line[len(PREFIX):])
                if event["event"] == "page" and progress:
                    done[event["unit"]] += 1
                    progress.update(tasks[event["unit"]], completed=done[event["unit"]],
                                    total=max(event.get("listed") or 0, done[event["unit"]]))
                elif event["event"] == "closed":
                    closed = event
            child.wait()
        except KeyboardInterrupt:
            interrupted = True
            child.terminate()
            child.wait(timeout=30)
    with Store(store_path) as store:
        pages = store.page_count(crawl_id)
        if interrupted or (closed.get("reason") not in (None, "finished")):
            status = "partial"
        elif child.returncode != 0 or not closed:
            status = "partial" if pages else "failed"
        else:
            status = "complete"
        store.finish_crawl(crawl_id, status, {"closed": closed.get("stats", {}), "pages": pages,
                                              "returncode": child.returncode})
        summary = CrawlSummary(crawl_id, site.name, status, log_path, _unit_rows(store, crawl_id, site),
                               reason=str(closed.get("reason", "interrupted" if interrupted else "")),
                               changes=sync_crawl(store, crawl_id))
    if show_progress:
        console.print(summary_table(summary))
    if interrupted:
        raise KeyboardInterrupt
    return summary


def _progress(console: Console, show: bool) -> Any:
    if not show:
        from contextlib import nullcontext
        return nullcontext(None)
    return Progress(TextColumn("{task.description}", justify="left"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def _unit_rows(store: Store, crawl_id: int, site: SiteConfig) -> list[dict[str, Any]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in store.conn.execute(
            "SELECT unit, kind, http_status, error FROM pages WHERE crawl_id=?", (crawl_id,)):
        c = counts[row["unit"]]
        if row["kind"] == "catalog":
            c["catalog_errors"] += 1
        elif row["kind"] == "column":  # a column listing, read for freshness: not a page of the catalog
            continue
        elif row["error"] or not (row["http_status"] and 200 <= row["http_status"] < 300):
            c["failed"] += 1
        else:
            c["pages"] += 1
    return [{"unit": u.name, "level": u.level, "pages": counts[u.name]["pages"], "failed": counts[u.name]["failed"],
             "catalog_ok": counts[u.name]["catalog_errors"] == 0} for u in site.units]


def summary_table(summary: CrawlSummary) -> Table:
    since = ", ".join(f"{n} {k}" for k, n in summary.changes.items()) if summary.changes else "first crawl"
    table = Table(title=f"crawl {summary.crawl_id} of {summary.site}: {summary.status}",
                  caption=f"since the previous crawl: {since}")
    for col in ("unit", "level", "pages", "failed", "catalog"):
        table.add_column(col, justify="right" if col in ("pages", "failed") else "left")
    for row in summary.units:
        table.add_row(row["unit"], row["level"], str(row["pages"]), str(row["failed"]),
                      "ok" if row["catalog_ok"] else "[red]could not read[/red]")
    return table
