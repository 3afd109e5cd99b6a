"""The store's schema, declared in one place: every table of the one file that holds crawls,
pages, downloaded attachment files, catalog changes, audit runs and their findings, job runs and the email outbox.

`connect()` creates what is missing and adds the columns a newer frame contract introduced, so a
store written by an older govaudit upgrades in place. Other modules read and write these tables
but never declare one.
"""
from __future__ import annotations

import sqlite3

from govaudit.columns import DOCUMENT_COLUMNS, FINDING_COLUMNS

RULE_STAT_COLUMNS: dict[str, str] = {
    "rule_id": "string",
    "suite": "string",
    "severity": "string",
    "title": "string",
    "basis": "string",
    "evaluated": "Int64",
    "failed": "Int64",
    "could_not_check": "Int64",
    "pass_rate": "Float64",
}

# Counts kept on the run row so that listing runs never needs to scan the findings.
RUN_COUNT_COLUMNS = (
    "documents", "units", "rules_evaluated", "critical", "warning", "info", "could_not_check",
)


def columns_sql(columns: dict[str, str]) -> str:
    kinds = {"Int64": "INTEGER", "Float64": "REAL", "boolean": "INTEGER"}
    return ", ".join(f"{name} {kinds.get(dtype, 'TEXT')}" for name, dtype in columns.items())


# Crawls and the pages they fetched, keyed by (crawl id, URL): a resumed crawl overwrites.
CRAWLS = """
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    site_config TEXT,
    units TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS pages (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_level TEXT NOT NULL,
    dialect TEXT NOT NULL,
    kind TEXT NOT NULL,
    list_title TEXT,
    list_date TEXT,
    http_status INTEGER,
    headers TEXT NOT NULL,
    fetched_at TEXT,
    encoding TEXT,
    html TEXT NOT NULL,
    page_title TEXT,
    meta_pairs TEXT NOT NULL,
    meta_tags TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    attachments TEXT NOT NULL,
    error TEXT,
    column_name TEXT,
    column_kind TEXT,
    listing TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (crawl_id, url)
);
CREATE INDEX IF NOT EXISTS pages_unit ON pages (crawl_id, unit);
"""

# Attachment files the crawler downloaded (reports published as PDF, Word or Excel), stored once
# by content hash: a page's `attachments` entry names its file by `sha256`, and a weekly
# re-crawl of an unchanged file adds nothing.
ATTACHMENT_FILES = """
CREATE TABLE IF NOT EXISTS attachment_files (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT,
    size INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    content BLOB NOT NULL
);
"""

# What changed in a site's catalog since its previous crawl (crawler.catalog_sync).
CATALOG_CHANGES = """
CREATE TABLE IF NOT EXISTS crawl_changes (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    previous_crawl_id INTEGER NOT NULL,
    doc_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    url TEXT NOT NULL,
    change TEXT NOT NULL,      -- new | changed | gone
    fields TEXT NOT NULL,      -- JSON list of the fields that differ (changed only)
    PRIMARY KEY (crawl_id, doc_key)
);
"""

# Audit runs, their findings, the documents they saw and per-rule counts (audits.history).
# `trial` = 1 for an ad-hoc audit that stays out of the weekly history (audits.history).
HISTORY = f"""
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    crawl_id INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    rules_dir TEXT NOT NULL,
    crawl_status TEXT NOT NULL,
    trial INTEGER NOT NULL DEFAULT 0,
    {", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in RUN_COUNT_COLUMNS)}
);
CREATE TABLE IF NOT EXISTS findings (
    run_id INTEGER NOT NULL REFERENCES runs(id), {columns_sql(FINDING_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS findings_run ON findings (run_id);
CREATE INDEX IF NOT EXISTS findings_key ON findings (site, finding_key);
CREATE TABLE IF NOT EXISTS doc_snapshots (
    run_id INTEGER NOT NULL REFERENCES runs(id), {columns_sql(DOCUMENT_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS doc_snapshots_run ON doc_snapshots (run_id);
CREATE TABLE IF NOT EXISTS rule_stats (
    run_id INTEGER NOT NULL REFERENCES runs(id), {columns_sql(RULE_STAT_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS rule_stats_run ON rule_stats (run_id);
"""

# Scheduled job runs and the findings each job has already reported (audits.schedule.jobs).
JOBS = """
CREATE TABLE IF NOT EXISTS job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    run_id TEXT,
    report_path TEXT,
    queued INTEGER,
    error TEXT
);
CREATE TABLE IF NOT EXISTS job_findings (
    job_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    finding_key TEXT NOT NULL,
    PRIMARY KEY (job_id, run_id, finding_key)
);
"""

# Digests waiting to be sent and the log of those sent (audits.mail.outbox).
OUTBOX = """
CREATE TABLE IF NOT EXISTS outbox (
    run_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    job_id TEXT,
    message_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    message BLOB NOT NULL,
    report_path TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (run_id, recipient)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS sent_log (
    run_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    smtp_response TEXT,
    PRIMARY KEY (run_id, recipient)
);
CREATE TABLE IF NOT EXISTS mail_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Availability probes (crawler.probe): one row per attempt at a site's home page or a unit's
# catalog page; the audit reads the last 7 days (站点无法访问, 国办秘函〔2019〕19号).
PROBES = """
CREATE TABLE IF NOT EXISTS probes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    unit TEXT NOT NULL,        -- the unit whose catalog was probed, or （门户首页） for the home page
    target TEXT NOT NULL,      -- home | catalog
    url TEXT NOT NULL,
    started_at TEXT NOT NULL,  -- ISO 8601, UTC
    elapsed REAL,              -- seconds until the answer (or the failure)
    http_status INTEGER,
    ok INTEGER NOT NULL,       -- 1: answered 2xx/3xx within the timeout
    error TEXT                 -- timeout, connection error or HTTP status, in words
);
CREATE INDEX IF NOT EXISTS probes_site ON probes (site, started_at);
"""

# The frames normalisation made of a crawl's pages (audits.normalize.frame_cache), one Arrow
# IPC blob per frame. The triggers keep it honest whatever writes the pages: a page written or
# removed drops its crawl's frames, and a newly stored attachment file drops every crawl's
# (a file that was missing may now be read).
FRAME_CACHE = """
CREATE TABLE IF NOT EXISTS frame_cache (
    crawl_id INTEGER NOT NULL,
    frame TEXT NOT NULL,
    cache_key TEXT NOT NULL,   -- normaliser version and digest, files beside the rules
    content BLOB NOT NULL,
    PRIMARY KEY (crawl_id, frame)
);
CREATE TRIGGER IF NOT EXISTS frame_cache_page_insert AFTER INSERT ON pages
    BEGIN DELETE FROM frame_cache WHERE crawl_id = NEW.crawl_id; END;
CREATE TRIGGER IF NOT EXISTS frame_cache_page_update AFTER UPDATE ON pages
    BEGIN DELETE FROM frame_cache WHERE crawl_id IN (OLD.crawl_id, NEW.crawl_id); END;
CREATE TRIGGER IF NOT EXISTS frame_cache_page_delete AFTER DELETE ON pages
    BEGIN DELETE FROM frame_cache WHERE crawl_id = OLD.crawl_id; END;
CREATE TRIGGER IF NOT EXISTS frame_cache_attachment_insert AFTER INSERT ON attachment_files
    BEGIN DELETE FROM frame_cache; END;
CREATE TRIGGER IF NOT EXISTS frame_cache_attachment_update AFTER UPDATE ON attachment_files
    BEGIN DELETE FROM frame_cache; END;
"""

SCHEMA = CRAWLS + ATTACHMENT_FILES + CATALOG_CHANGES + HISTORY + JOBS + OUTBOX + PROBES + FRAME_CACHE

# Tables whose columns follow a frame contract: new contract columns are added on open.
CONTRACT_TABLES = (("findings", FINDING_COLUMNS), ("doc_snapshots", DOCUMENT_COLUMNS),
                   ("rule_stats", RULE_STAT_COLUMNS))
# Columns added to a table after stores were first written: (table, column, SQL declaration).
ADDED_COLUMNS = (("runs", "trial", "INTEGER NOT NULL DEFAULT 0"),)  # every older run is a run of record


# Columns added to `pages` after its first release (a store written before gets them on open).
PAGE_ADDED_COLUMNS = (("column_name", "TEXT"), ("column_kind", "TEXT"), ("listing", "TEXT NOT NULL DEFAULT '[]'"))


def apply_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    present_pages = {row[1] for row in conn.execute("PRAGMA table_info(pages)")}
    for name, sql_type in PAGE_ADDED_COLUMNS:
        if name not in present_pages:
            conn.execute(f"ALTER TABLE pages ADD COLUMN {name} {sql_type}")
    for table, columns in CONTRACT_TABLES:
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for name in columns.keys() - present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {columns_sql({name: columns[name]})}")
    for table, name, declaration in ADDED_COLUMNS:
        if name not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
