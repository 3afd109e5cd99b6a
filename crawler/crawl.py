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
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crawler.crawl_guard import close_stale_crawls, held, lock_path, reserve_space
from crawler.extensions.progress import PREFIX
from crawler.pipelines.store import STORE_FAILED
from crawler.sites import SiteConfig, load_site
from govaudit import schema
from govaudit.db import shown_store, state_dir, store_location
from govaudit.store import Store, storage_failure, utcnow
from govaudit.untrusted import shown
from crawler.catalog_sync import sync_crawl
from crawler.recrawl import plan_recrawl


@dataclass
class CrawlSummary:
    crawl_id: int
    site: str
    status: str
    log_path: Path
    units: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    changes: dict[str, int] = field(default_factory=dict)  # new / changed / gone since the previous crawl
    title: str = ""  # the site config's title (what reports and emails show)
    fetched: int = 0  # detail pages fetched by this crawl
    carried: int = 0  # detail pages carried over unfetched from the previous crawl (crawler.recrawl)


def run_crawl(site_ref: str | Path | SiteConfig, store_path: str | Path, units: list[str] | None = None,
              base_url: str | None = None, show_progress: bool = True, console: Console | None = None,
              log_level: str = "WARNING", resume: int | None = None,
              settings_overrides: dict[str, Any] | None = None, workers: str | None = None, *,
              full: bool = False, must_fetch: Iterable[str] = (), recheck_attachments: Iterable[str] = (),
              crawl_date: datetime | None = None) -> CrawlSummary:
    """Crawl `site_ref` into the store. `resume` re-runs a killed crawl under its own id: pages
    already stored are replaced, not duplicated, and the HTTP cache makes the re-run cheap.
    `settings_overrides` are Scrapy settings applied last (tests shorten DOWNLOAD_TIMEOUT,
    RETRY_TIMES, GOVAUDIT_RETRY_BACKOFF_BASE or DOWNLOAD_MAXSIZE with it). `workers`, a Redis URL,
    spreads the crawl over the `govaudit worker` processes serving it (crawler/distributed_crawl.py)
    and returns once they have stored every page.
    A re-crawl fetches only new, changed and due pages and those in `must_fetch` (the URLs with
    open findings, which the audit side knows), carrying the others over (crawler.recrawl), and
    checks the attachments of an unchanged open-finding page again only when they are due or in
    `recheck_attachments` (pages with open attachment findings); `full` fetches every page.
    `crawl_date` dates the crawl (default now), which decides what is due."""
    site = site_ref if isinstance(site_ref, SiteConfig) else load_site(site_ref)
    if base_url:
        site = site.with_base_url(base_url)
    site = site.select_units(units)  # unknown unit names fail here, before anything starts
    if workers:  # an unreachable Redis fails here (redis.RedisError), before a crawl row exists
        import redis

        redis.Redis.from_url(workers, socket_connect_timeout=10).ping()
    console = console or Console(stderr=True)
    store_path = store_location(store_path)
    with held(store_path, "crawl-start"), Store(store_path) as store:
        close_stale_crawls(store, store_path)
        if resume is not None:
            crawl = store.crawl(resume)
            if crawl is None or crawl["site"] != site.name:
                raise LookupError(f"no crawl {resume} of site {site.name} in {shown_store(store_path)} to resume")
            store.reopen_crawl(resume)
            crawl_id = resume
        else:
            started = crawl_date.astimezone(timezone.utc).isoformat(timespec="seconds") if crawl_date else None
            crawl_id = store.start_crawl(site.name, [u.name for u in site.units], site.path, started)
            plan_recrawl(store, crawl_id, recheck_weeks=site.politeness.recheck_weeks, must_fetch=must_fetch,
                         recheck_attachments=recheck_attachments, full=full)
        # Held while this process owns the crawl; the kernel drops it if we die, which is how
        # the next start tells a dead crawl ('running' row, free lock) from a live one.
        owner = ExitStack()
        owner.enter_context(held(store_path, f"crawl-{crawl_id}"))
    with owner:
        return _run(site, store_path, crawl_id, base_url, show_progress, console, log_level, resume,
                    settings_overrides, workers)


def _run(site: SiteConfig, store_path: Path | str, crawl_id: int, base_url: str | None, show_progress: bool,
         console: Console, log_level: str, resume: int | None,
         settings_overrides: dict[str, Any] | None, workers: str | None = None) -> CrawlSummary:
    log_path = state_dir(store_path) / "logs" / f"crawl-{crawl_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = isinstance(store_path, str)  # its URL holds a password: passed in the environment, not argv
    cmd = [sys.executable, "-m", "crawler.crawl_subprocess", "--site", site.path,
           *(() if server else ("--store", str(store_path))), "--crawl-id", str(crawl_id),
           "--units", ",".join(u.name for u in site.units), "--log-level", log_level]
    if base_url:
        cmd += ["--base-url", base_url]
    if settings_overrides:
        cmd += ["--settings", json.dumps(settings_overrides)]
    closed: dict[str, Any] = {}
    interrupted = False
    reserve = reserve_space(lock_path(store_path, f"crawl-{crawl_id}").with_suffix(".reserve"))
    # Appended, so a resumed crawl keeps the log of its first run above its own.
    with open(log_path, "a", encoding="utf-8", buffering=1) as log, _progress(console, show_progress) as progress:
        _write(log, f"----- crawl {crawl_id} of {site.name} {'resumed' if resume is not None else 'started'} "
                    f"at {utcnow()} -----\n")
        tasks = {u.name: progress.add_task(shown(u.name), total=None) for u in site.units} if progress else {}
        done: Counter[str] = Counter()
        env = crawl_environment()
        if server:
            from crawler.crawl_subprocess import STORE_URL_ENV

            env[STORE_URL_ENV] = str(store_path)

        def on_event(event: dict[str, Any]) -> None:
            nonlocal closed
            if event["event"] == "page" and progress and event.get("unit") in tasks:
                done[event["unit"]] += 1
                progress.update(tasks[event["unit"]], completed=done[event["unit"]],
                                total=max(event.get("listed") or 0, done[event["unit"]]))
            elif event["event"] == "closed":  # one per dialect spider of a mixed site (and per worker)
                closed = _merge_closed(closed, event)

        if workers:
            from crawler.distributed_crawl import run_on_workers

            returncode, interrupted = run_on_workers(site, store_path, crawl_id, base_url, workers,
                                                     settings_overrides, on_event, lambda line: _write(log, line),
                                                     console if show_progress else None)
        else:
            returncode, interrupted = _run_child(cmd, log, on_event, env)
    if reserve is not None:  # give back the room kept for closing the crawl row on a full disk
        reserve.unlink(missing_ok=True)
    with Store(store_path) as store:
        pages = store.page_count(crawl_id)
        if closed.get("reason") == STORE_FAILED:
            status = "failed"  # the store stopped taking pages: what it holds is not the crawl
        elif interrupted or (closed.get("reason") not in (None, "finished")):
            status = "partial"
        elif returncode != 0 or not closed:
            status = "partial" if pages else "failed"
        else:
            status = "complete"
        unit_rows = _unit_rows(store, crawl_id, site)
        if status == "complete" and every_catalog_failed(unit_rows):
            status = "failed"  # nothing was audited: a run on it must not read as a clean week
        fetched, carried = _fetched_and_carried(store, crawl_id)
        try:
            store.finish_crawl(crawl_id, status, {"closed": closed.get("stats", {}), "pages": pages,
                                                  "returncode": returncode,
                                                  "recrawl": {"fetched": fetched, "carried": carried,
                                                              "recheck_weeks": site.politeness.recheck_weeks}})
        except sa.exc.DBAPIError as exc:
            raise (storage_failure(exc, store_path) or exc) from None
        reason = str(closed.get("reason", "interrupted" if interrupted else ""))
        if status == "failed" and closed.get("stats", {}).get("govaudit/store_error"):
            reason = closed["stats"]["govaudit/store_error"]
        summary = CrawlSummary(crawl_id, site.name, status, log_path, unit_rows,
                               reason=reason, changes=sync_crawl(store, crawl_id), title=site.title,
                               fetched=fetched, carried=carried)
    if show_progress:
        console.print(summary_table(summary))
    if interrupted:
        raise KeyboardInterrupt
    return summary


def _fetched_and_carried(store: Store, crawl_id: int) -> tuple[int, int]:
    """Detail pages of the crawl fetched by it and carried over from an earlier fetch."""
    pages = schema.pages.c
    row = store.conn.execute(sa.select(sa.func.count(), sa.func.count(pages.carried_from))
                             .where(pages.crawl_id == crawl_id, pages.kind == "detail")).fetchone()
    assert row is not None  # an aggregate always answers one row
    return int(row[0]) - int(row[1]), int(row[1])


def _run_child(cmd: list[str], log: Any, on_event: Callable[[dict[str, Any]], None],
               env: dict[str, str]) -> tuple[int, bool]:
    """Run the crawl subprocess; (its exit status, whether the crawl was interrupted)."""
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8", env=env)
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(PREFIX):
                on_event(json.loads(line[len(PREFIX):]))
            else:
                _write(log, line)
        child.wait()
    except KeyboardInterrupt:
        child.terminate()
        child.wait(timeout=30)
        return child.returncode, True
    return child.returncode, False


def _merge_closed(seen: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """Close events of several spiders as one: finished only if all finished; counts summed."""
    if not seen:
        return event
    reason = seen["reason"] if seen.get("reason") != "finished" else event.get("reason")
    stats = dict(seen.get("stats", {}))
    for key, value in event.get("stats", {}).items():
        both_numbers = isinstance(value, (int, float)) and isinstance(stats.get(key), (int, float))
        stats[key] = stats[key] + value if both_numbers else value
    return {**event, "reason": reason, "stats": stats}


def _write(log: Any, line: str) -> None:
    try:
        log.write(line)
    except OSError:
        pass  # a full disk loses log lines, never the crawl's outcome


SECRET_ENV_PREFIXES = ("GOVAUDIT_SMTP_",)


def crawl_environment() -> dict[str, str]:
    """The crawl child's environment: ours without the mail secrets. The crawler reads pages
    written by strangers; whatever it could be tricked into revealing must not include them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_ENV_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def every_catalog_failed(units: list[dict[str, Any]]) -> bool:
    """No unit's catalog could be read and no page was fetched: the site was not crawled at all."""
    return bool(units) and all(not u["catalog_ok"] and u["pages"] == 0 for u in units)


def _progress(console: Console, show: bool) -> Any:
    if not show:
        from contextlib import nullcontext
        return nullcontext(None)
    return Progress(TextColumn("{task.description}", justify="left"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def _unit_rows(store: Store, crawl_id: int, site: SiteConfig) -> list[dict[str, Any]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    pages = schema.pages.c
    for row in store.conn.execute(sa.select(pages.unit, pages.kind, pages.http_status, pages.error, pages.attachments)
                                  .where(pages.crawl_id == crawl_id)):
        # Attachments the crawl may not download (kind or size refused), counted with the skipped links.
        counts[row["unit"]]["skipped"] += sum(
            1 for a in json.loads(row["attachments"] or "[]") if isinstance(a, dict) and a.get("status") == "skipped")
        c = counts[row["unit"]]
        if row["kind"] == "catalog":
            c["catalog_errors"] += 1
        elif row["kind"] == "column":  # a column listing, read for freshness: not a page of the catalog
            continue
        elif (row["error"] or "").startswith("not followed:"):
            c["skipped"] += 1  # a link the crawl may not or cannot request, with its reason
        elif row["error"] or not (row["http_status"] and 200 <= row["http_status"] < 300):
            c["failed"] += 1
        else:
            c["pages"] += 1
    return [{"unit": u.name, "level": u.level, "pages": counts[u.name]["pages"], "failed": counts[u.name]["failed"],
             "skipped": counts[u.name]["skipped"], "catalog_ok": counts[u.name]["catalog_errors"] == 0}
            for u in site.units]


def summary_table(summary: CrawlSummary) -> Table:
    since = ", ".join(f"{n} {k}" for k, n in summary.changes.items()) if summary.changes else "first crawl"
    if summary.carried:
        since += f"; pages fetched {summary.fetched}, carried over unchanged {summary.carried}"
    table = Table(title=f"crawl {summary.crawl_id} of {shown(summary.site)}: {summary.status}",
                  caption=f"since the previous crawl: {since}"
                          + (f"\n{shown(summary.reason)}" if summary.status == "failed" and summary.reason else ""))
    for col in ("unit", "level", "pages", "failed", "skipped", "catalog"):
        table.add_column(col, justify="right" if col in ("pages", "failed", "skipped") else "left")
    for row in summary.units:
        table.add_row(shown(row["unit"]), row["level"], str(row["pages"]), str(row["failed"]),
                      str(row.get("skipped", 0)), "ok" if row["catalog_ok"] else "[red]could not read[/red]")
    return table
