"""The main job, in stages: crawl → frames → rules → history → report.

`audit_crawl` is the tuning loop (no network: re-run the rule files on a stored crawl);
`run_site` is what the schedule and `govaudit demo` run. Each stage is its own module; this
one only passes results along, so every stage stays usable on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from audits import defaults
from govaudit.db import shown_store
from govaudit.store import Store

if TYPE_CHECKING:
    from audits.normalize.frame_set import Frames
    from crawler.crawl import CrawlSummary


@dataclass
class AuditRun:
    run_id: int
    site: str
    crawl_id: int
    crawl_status: str
    findings: pd.DataFrame
    rule_stats: pd.DataFrame
    documents: pd.DataFrame
    errors: list[str]

    @property
    def critical_count(self) -> int:
        f = self.findings
        return int(((f["kind"] == "failure") & (f["severity"] == "critical")).sum()) if len(f) else 0


@dataclass
class SiteRunOutcome:
    site: str
    crawl_id: int
    run_id: int
    report_path: Path
    findings: pd.DataFrame
    documents: pd.DataFrame
    crawl: "CrawlSummary"
    audit: AuditRun

    @property
    def site_title(self) -> str:
        return self.crawl.title or self.site


def audit_crawl(store_path: str | Path | None, crawl_id: int, rules_dir: str | Path | None = None,
                now: datetime | None = None, trial: bool = False, memo: dict | None = None) -> AuditRun:
    """Build the frames of a stored crawl, run every rule suite on them and record the run
    (a `trial` run stays out of the weekly history: see `audits.history.RECORD_RUNS`).
    `memo` (a dict the caller keeps) holds the frames and derived columns for the next call in
    the same process, reused while what they depend on is unchanged."""
    from audits.history import record_run
    from audits.normalize.frame_cache import cached_frames, frames_key
    from audits.rules.derived_cache import StoreDerivedCache
    from audits.rules.loader import load_rules
    from audits.rules.result_cache import StoreResultCache
    from audits.rules.validate import run_rules

    store_path = defaults.store_path(store_path)
    rules = defaults.rules_dir(rules_dir)
    # Read once: the rule files and the section keyword sets beside them (a rules directory
    # without its own section_kinds.yml uses the shipped one); the normaliser and the rules share them.
    pack = load_rules(rules)
    with Store(store_path) as store:
        crawl = store.crawl(crawl_id)
        if crawl is None:
            raise LookupError(f"no crawl with id {crawl_id} in {shown_store(store_path)}")
        key = frames_key(store.conn, crawl_id, rules)
        frames = cached_frames(store.conn, crawl_id, rules, lambda: _build(store, crawl_id, pack), memo, key)
        # Availability probes of the site around the audit (the rules keep the last 7 days).
        since = ((now or datetime.now(timezone.utc)) - timedelta(days=9)).astimezone(timezone.utc)
        frames.probes = pd.DataFrame(store.probes(crawl["site"], since.isoformat(timespec="seconds")))
    cache = StoreResultCache(store_path, crawl_id)
    result = run_rules(frames, rules, now=now, pack=pack, unit_full_names=_full_names(crawl.get("site_config")),
                       cache=cache, memo=memo, derived_cache=StoreDerivedCache(store_path, crawl_id, key))
    cache.save()
    run_id = record_run(store_path, site=crawl["site"], crawl_id=crawl_id, documents=frames.documents,
                        findings=result.findings, rule_stats=result.rule_stats, rules_dir=str(rules),
                        trial=trial)
    return AuditRun(run_id, crawl["site"], crawl_id, crawl["status"], result.findings, result.rule_stats,
                    frames.documents, list(result.errors))


def _build(store: Store, crawl_id: int, pack) -> "Frames":
    from audits.normalize.frames import build_frames

    return build_frames(store.pages(crawl_id), crawl_id, kinds=pack.section_kinds,
                        read_file=store.attachment_file, wording=pack.wording)


def _full_names(site_config: str | None) -> dict[str, str]:
    """Unit name → full name from the crawl's site config; {} when it is gone or gives none."""
    from crawler.sites import SiteConfigError, load_site

    if not site_config:
        return {}
    try:
        site = load_site(site_config)
    except (SiteConfigError, OSError):
        return {}
    return {u.name: u.full_name for u in site.units if u.full_name}


def render(store_path: str | Path | None, run_id: int, reports_dir: str | Path | None = None,
           lang: str = "zh") -> Path:
    from audits.report.render import render_run

    return render_run(defaults.store_path(store_path), run_id, defaults.reports_dir(reports_dir), lang=lang)


def run_site(site_ref: str | Path, units: list[str] | None = None, *, store_path: str | Path | None = None,
             rules_dir: str | Path | None = None, reports_dir: str | Path | None = None, lang: str = "zh",
             base_url: str | None = None, show_progress: bool = False, full: bool = False,
             workers: str | None = None, settings_overrides: dict[str, Any] | None = None) -> SiteRunOutcome:
    """Crawl a site (in a subprocess, or on the workers serving the Redis URL `workers`), audit the
    crawl once it is complete, and write the report. The re-crawl fetches the pages with open
    findings whatever their catalog says (`full`: every page)."""
    from audits.history import recrawl_fetches
    from crawler.crawl import run_crawl  # Scrapy: only runs that crawl load it
    from crawler.sites import load_site

    store_path = defaults.store_path(store_path)
    site = load_site(site_ref)
    crawl = run_crawl(site, store_path, units=units, base_url=base_url, show_progress=show_progress,
                      workers=workers, settings_overrides=settings_overrides,
                      full=full, **recrawl_fetches(store_path, site.name, full))
    audit = audit_crawl(store_path, crawl.crawl_id, rules_dir)
    report_path = render(store_path, audit.run_id, reports_dir, lang)
    return SiteRunOutcome(crawl.site, crawl.crawl_id, audit.run_id, report_path, audit.findings,
                          audit.documents, crawl, audit)
