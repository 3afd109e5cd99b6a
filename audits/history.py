"""The history of audit runs, kept in the same store (SQLite file or PostgreSQL) as the crawls they audited.

A supervisor's question is rarely "what is wrong?" but "what is wrong *now* that was not last
week, and what did the units fix?". Answering it needs every run's findings and a snapshot of
the documents it saw, so that a later run can tell a fixed finding from one that merely could
not be checked again, and a document that vanished from a catalog from one that was silently
edited after publication (its content hash changed).

A finding's identity across runs is its `finding_key` (site | doc_id-or-url | rule_id): the same
key in two runs is the same finding. Comparison of runs lives in `audits.report.diff`; this
module only stores and loads.
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import sqlalchemy as sa

from govaudit.columns import DOCUMENT_COLUMNS, FINDING_COLUMNS, SEVERITIES
from govaudit import schema
from govaudit.db import Record, StoreConnection, StoreRef, shown_store
from govaudit.schema import RULE_STAT_COLUMNS
from govaudit.store import Store, connect
from govaudit.vocabulary import FINDING_KINDS

# Runs of record and trials. A supervisor's history (what is new this week, what was resolved,
# how long a finding has been open, a unit's trend) is made of the weekly runs that were sent,
# not of the experiments a rule tuner runs between them. A run of record is a scheduled job,
# `govaudit demo` or `govaudit audit --record`; a trial (`govaudit audit`, the default) is stored
# and can be rendered, and is compared with the last run of record, but no later run compares
# against it, counts it in open-for-N or draws it in a trend.
RECORD_RUNS = schema.runs.c.trial == 0  # the condition selecting the runs of record


def is_trial(run: dict[str, Any]) -> bool:
    return bool(run.get("trial"))





@dataclass
class RunData:
    """One stored run as the report reads it."""

    run: dict[str, Any]
    findings: pd.DataFrame
    documents: pd.DataFrame
    rule_stats: pd.DataFrame
    crawl: dict[str, Any] | None

    @property
    def id(self) -> int:
        return int(self.run["id"])

    @property
    def site(self) -> str:
        return str(self.run["site"])

    @property
    def site_title(self) -> str:
        """The title the site config gives the portal (what readers know it by), else its short name."""
        return site_title(self.crawl.get("site_config") if self.crawl else None) or self.site


def open_history(store_path: StoreRef) -> StoreConnection:
    """Open the store (its schema, history tables included, is applied by `connect`)."""
    return connect(store_path)


def finding_key(site: str, doc_id: Any, url: Any, rule_id: str) -> str:
    ref = doc_id if isinstance(doc_id, str) and doc_id else url if isinstance(url, str) and url else ""
    return f"{site}|{ref}|{rule_id}"


def _require(frame: pd.DataFrame, columns: dict[str, str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} frame lacks column(s) {', '.join(missing)}; "
            f"its columns must follow govaudit.columns / audits.history.RULE_STAT_COLUMNS"
        )


def _check_findings(findings: pd.DataFrame, site: str) -> pd.DataFrame:
    _require(findings, FINDING_COLUMNS, "findings")
    findings = findings.copy()
    for position, (_, row) in enumerate(findings.iterrows()):
        where = f"findings row {position} (rule {row['rule_id']!r}, url {row['url']!r})"
        if row["severity"] not in SEVERITIES:
            raise ValueError(f"{where}: severity {row['severity']!r} is not one of {', '.join(SEVERITIES)}")
        if row["kind"] not in FINDING_KINDS:
            raise ValueError(f"{where}: kind {row['kind']!r} is not one of {', '.join(FINDING_KINDS)}")
        if pd.isna(row["rule_id"]) or not str(row["rule_id"]).strip():
            raise ValueError(f"{where}: rule_id is empty")
    findings["site"] = findings["site"].fillna(site)
    blank = findings["finding_key"].isna() | (findings["finding_key"].astype("string") == "")
    findings.loc[blank, "finding_key"] = [
        finding_key(r.site, r.doc_id, r.url, r.rule_id) for r in findings[blank].itertuples()
    ]
    return findings


def _sql_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return int(value) if isinstance(value, bool) else value  # flags are INTEGER columns; PostgreSQL wants 0/1


def _insert(conn: StoreConnection, table: sa.Table, run_id: int, frame: pd.DataFrame,
            columns: dict[str, str]) -> None:
    names = list(columns)
    rows = [
        {"run_id": run_id, "position": position, **dict(zip(names, (_sql_value(v) for v in values)))}
        for position, values in enumerate(frame[names].astype(object).itertuples(index=False, name=None))
    ]
    conn.executemany(sa.insert(table), rows)


def record_run(store_path: StoreRef, *, site: str, crawl_id: int, documents: pd.DataFrame,
               findings: pd.DataFrame, rule_stats: pd.DataFrame, rules_dir: str,
               started_at: str | None = None, trial: bool = False) -> int:
    """Store one audit run (findings, document snapshot, rule statistics); return its id.

    A `trial` run is kept and can be rendered, but never becomes another run's previous run,
    a step of an open-for-N count or a point of a trend (see RECORD_RUNS above)."""
    _require(documents, DOCUMENT_COLUMNS, "documents")
    _require(rule_stats, RULE_STAT_COLUMNS, "rule_stats")
    findings = _check_findings(findings, site)
    with Store(store_path) as store:
        crawl = store.crawl(crawl_id)
    if crawl is None:
        raise LookupError(f"no crawl with id {crawl_id} in {shown_store(store_path)}; "
                          f"a run records the crawl it audited")
    if crawl["site"] != site:
        raise ValueError(f"crawl {crawl_id} is of site {crawl['site']!r}, not {site!r}")
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    failures = findings[findings["kind"] == "failure"]
    counts = {
        "documents": int((documents["kind"] == "detail").sum()),
        "units": len(set(crawl["units"]) | set(documents["unit"].dropna())),
        "rules_evaluated": int((rule_stats["evaluated"].fillna(0) > 0).sum()),
        **{sev: int((failures["severity"] == sev).sum()) for sev in SEVERITIES},
        "could_not_check": int((findings["kind"] == "could_not_check").sum()),
    }
    # One transaction: a run is stored with all its rows or not at all, whoever else writes.
    with closing(open_history(store_path)) as conn, conn:
        run_id = conn.execute(sa.insert(schema.runs).values(
            site=site, crawl_id=crawl_id, started_at=started_at or now, created_at=now, rules_dir=str(rules_dir),
            crawl_status=crawl["status"], trial=int(trial), **counts)).inserted_id
        _insert(conn, schema.findings, run_id, findings, FINDING_COLUMNS)
        _insert(conn, schema.doc_snapshots, run_id, documents, DOCUMENT_COLUMNS)
        _insert(conn, schema.rule_stats, run_id, rule_stats, RULE_STAT_COLUMNS)
    return run_id


def typed_frame(rows: list[Record], columns: dict[str, str]) -> pd.DataFrame:
    """Rebuild a frame with the dtypes of its column contract (the store keeps only text/numbers)."""
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(columns))
    typed = {}
    for name, dtype in columns.items():
        if dtype.startswith("datetime64"):
            values = pd.to_datetime(frame[name], errors="coerce", utc=True, format="ISO8601")
            typed[name] = values if "UTC" in dtype else values.dt.tz_localize(None)
        else:  # one conversion per column, None and NaN alike becoming <NA>
            typed[name] = pd.array(frame[name].to_numpy(dtype=object), dtype=dtype)
    return pd.DataFrame(typed, index=frame.index)


def _run_row(conn: StoreConnection, run_id: int, store_path: StoreRef) -> dict[str, Any]:
    row = conn.execute(sa.select(schema.runs).where(schema.runs.c.id == run_id)).fetchone()
    if row is None:
        raise LookupError(f"no audit run with id {run_id} in {shown_store(store_path)}; `govaudit report --run latest` "
                          f"renders the newest")
    return dict(row)


def site_title(config_path: str | None) -> str:
    """`title:` of a site config file; "" when the file is gone or no longer valid (a report of
    an old run must still render)."""
    from crawler.sites import SiteConfigError, load_site

    if not config_path:
        return ""
    try:
        return load_site(config_path).title
    except (SiteConfigError, OSError):
        return ""


def load_run(store_path: StoreRef, run_id: int) -> RunData:
    with closing(open_history(store_path)) as conn:
        run = _run_row(conn, run_id, store_path)
        parts = {
            table.name: typed_frame(conn.execute(sa.select(table).where(table.c.run_id == run_id)
                                                 .order_by(table.c.position)).fetchall(), columns)
            for table, columns in ((schema.findings, FINDING_COLUMNS), (schema.doc_snapshots, DOCUMENT_COLUMNS),
                                   (schema.rule_stats, RULE_STAT_COLUMNS))
        }
    with Store(store_path) as store:
        crawl = store.crawl(int(run["crawl_id"]))
    return RunData(run=run, findings=parts["findings"], documents=parts["doc_snapshots"],
                   rule_stats=parts["rule_stats"], crawl=crawl)


def resolve_run(store_path: StoreRef, ref: str | int = "latest", site: str | None = None) -> int:
    """Turn 'latest' or a run id into a run id, saying what exists when it cannot."""
    with closing(open_history(store_path)) as conn:
        runs = schema.runs
        if str(ref) == "latest":
            query = sa.select(runs.c.id)
            if site:
                query = query.where(runs.c.site == site)
            row = conn.execute(query.order_by(runs.c.id.desc()).limit(1)).fetchone()
            if row is None:
                sites = [r[0] for r in conn.execute(sa.select(runs.c.site).distinct().order_by(runs.c.site))]
                known = f"; runs exist for: {', '.join(sites)}" if sites else ""
                scope = f" of site {site!r}" if site else ""
                raise LookupError(f"no audit run{scope} in {shown_store(store_path)}{known}; "
                                  f"run `govaudit audit` first")
            return int(row["id"])
        try:
            run_id = int(ref)
        except ValueError:
            raise LookupError(f"run reference {ref!r} is neither 'latest' nor a number") from None
        run = _run_row(conn, run_id, store_path)
        if site and run["site"] != site:
            raise LookupError(f"run {run_id} audited site {run['site']!r}, not {site!r}")
        return run_id


def previous_run(store_path: StoreRef, run_id: int) -> int | None:
    """The run of record of the same site just before `run_id` (trials are never compared
    against), or None for a site's first run."""
    with closing(open_history(store_path)) as conn:
        run = _run_row(conn, run_id, store_path)
        runs = schema.runs
        found = conn.execute(sa.select(sa.func.max(runs.c.id)).where(
            runs.c.site == run["site"], runs.c.id < run_id, RECORD_RUNS)).scalar()
    return None if found is None else int(found)


def site_runs(store_path: StoreRef, site: str, up_to: int | None = None) -> list[dict[str, Any]]:
    """The runs of record of a site in order (up to and including `up_to` when given; `up_to`
    itself is included even when it is a trial, so a trial sees itself after the history)."""
    with closing(open_history(store_path)) as conn:
        runs = schema.runs
        query = sa.select(runs).where(runs.c.site == site)
        if up_to is not None:
            query = query.where(sa.or_(RECORD_RUNS, runs.c.id == up_to), runs.c.id <= up_to)
        else:
            query = query.where(RECORD_RUNS)
        return [dict(r) for r in conn.execute(query.order_by(runs.c.id))]


def finding_keys_by_run(store_path: StoreRef, site: str, up_to: int) -> dict[int, set[str]]:
    """The finding keys of each run of a site, for counting how long a finding has been open."""
    keys: dict[int, set[str]] = {run["id"]: set() for run in site_runs(store_path, site, up_to)}
    with closing(open_history(store_path)) as conn:
        findings = schema.findings
        for row in conn.execute(sa.select(findings.c.run_id, findings.c.finding_key).where(
                findings.c.site == site, findings.c.run_id <= up_to)):
            if row["run_id"] in keys:  # trials other than `up_to` are no part of the history
                keys[row["run_id"]].add(row["finding_key"])
    return keys



# The rules about a page's attachments (broken links, an unreadable attached report): a page with
# an open finding of theirs has its attachments checked again by every re-crawl.
ATTACHMENT_RULES = "ATTACH-"


def recrawl_fetches(store_path: StoreRef, site: str, full: bool = False) -> dict[str, Any]:
    """`run_crawl`'s `must_fetch` and `recheck_attachments`, read in one query; a `full` crawl
    fetches every page and checks every attachment anyway, so it needs neither.

    `must_fetch`: the pages with a finding (failure or could-not-check) in the latest audit of
    the site's latest audited crawl (its run of record if it has one). A re-crawl fetches them
    even when their catalog entry is unchanged, or a fix would never be seen and the finding never
    resolve. `recheck_attachments`: those of them whose findings are about their attachments."""
    if full:
        return {"must_fetch": (), "recheck_attachments": ()}
    found = _open_findings(store_path, site)
    return {"must_fetch": {url for url, _ in found},
            "recheck_attachments": {url for url, rule_id in found if rule_id.startswith(ATTACHMENT_RULES)}}


def _open_findings(store_path: StoreRef, site: str) -> set[tuple[str, str]]:
    """(page URL, rule id) of every finding in the run `recrawl_fetches` describes."""
    with closing(open_history(store_path)) as conn:
        runs, findings = schema.runs.c, schema.findings.c
        run = conn.execute(sa.select(runs.id).where(runs.site == site)
                           .order_by(runs.crawl_id.desc(), runs.trial.asc(), runs.id.desc()).limit(1)).fetchone()
        if run is None:
            return set()
        query = sa.select(findings.url, findings.rule_id).distinct().where(
            findings.run_id == run[0], findings.url.is_not(None), findings.url != "")
        return {(r[0], r[1] or "") for r in conn.execute(query)}
