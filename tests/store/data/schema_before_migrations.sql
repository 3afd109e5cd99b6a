-- The store schema as govaudit wrote it before Alembic revisions (govaudit/schema.py at the baseline),
-- kept verbatim so that tests build a store file exactly as an existing installation has it.
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

CREATE TABLE IF NOT EXISTS attachment_files (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT,
    size INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    content BLOB NOT NULL
);

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

CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    crawl_id INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    rules_dir TEXT NOT NULL,
    crawl_status TEXT NOT NULL,
    trial INTEGER NOT NULL DEFAULT 0,
    documents INTEGER NOT NULL DEFAULT 0, units INTEGER NOT NULL DEFAULT 0, rules_evaluated INTEGER NOT NULL DEFAULT 0, critical INTEGER NOT NULL DEFAULT 0, warning INTEGER NOT NULL DEFAULT 0, info INTEGER NOT NULL DEFAULT 0, could_not_check INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS findings (
    run_id INTEGER NOT NULL REFERENCES runs(id), finding_key TEXT, site TEXT, unit TEXT, doc_id TEXT, url TEXT, title TEXT, crawl_id INTEGER, rule_id TEXT, suite TEXT, kind TEXT, severity TEXT, rule_title TEXT, message TEXT, observed TEXT, expected TEXT, basis TEXT, fix TEXT, content_hash TEXT, fetched_at TEXT, body_source TEXT
);
CREATE INDEX IF NOT EXISTS findings_run ON findings (run_id);
CREATE INDEX IF NOT EXISTS findings_key ON findings (site, finding_key);
CREATE TABLE IF NOT EXISTS doc_snapshots (
    run_id INTEGER NOT NULL REFERENCES runs(id), doc_id TEXT, url TEXT, site TEXT, host TEXT, unit TEXT, unit_level TEXT, crawl_id INTEGER, kind TEXT, title TEXT, list_title TEXT, list_date TEXT, index_no TEXT, publisher TEXT, disclosure_mode TEXT, issued_date TEXT, category TEXT, doc_no TEXT, validity TEXT, published_at TEXT, published_from TEXT, issued_date_malformed TEXT, published_malformed TEXT, source TEXT, report_type TEXT, report_year INTEGER, title_year INTEGER, doc_no_shown TEXT, approval_date TEXT, opening_year INTEGER, table_template TEXT, body_length INTEGER, content_hash TEXT, http_status INTEGER, fetched_at TEXT, attachment_count INTEGER, broken_attachments INTEGER, fetch_error TEXT, body_source TEXT, attachment_problem TEXT, parse_problems TEXT, serious_wording TEXT, wording_typos TEXT
);
CREATE INDEX IF NOT EXISTS doc_snapshots_run ON doc_snapshots (run_id);
CREATE TABLE IF NOT EXISTS rule_stats (
    run_id INTEGER NOT NULL REFERENCES runs(id), rule_id TEXT, suite TEXT, severity TEXT, title TEXT, basis TEXT, evaluated INTEGER, failed INTEGER, could_not_check INTEGER, pass_rate REAL
);
CREATE INDEX IF NOT EXISTS rule_stats_run ON rule_stats (run_id);

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
