"""The store's schema, declared in one place as SQLAlchemy Core metadata: every table of the one
database that holds crawls, pages, downloaded attachment files, catalog changes, re-crawl plans,
audit runs and their findings, job runs, the email outbox and availability probes.

The same declaration creates the tables on SQLite and on PostgreSQL. Changes after the baseline go
through Alembic revisions (govaudit/migrations); `govaudit.db.connect` upgrades a store in place.
Columns of the frame contracts (findings, document snapshots, rule statistics) follow
`govaudit.columns`: a contract column added later is added to an existing store on open. Other
modules read and write these tables but never declare one.
"""
from __future__ import annotations

import sqlalchemy as sa

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

metadata = sa.MetaData()


def contract_type(dtype: str) -> sa.types.TypeEngine:
    """The column type of a frame-contract dtype (dates are kept as ISO 8601 text)."""
    kinds: dict[str, sa.types.TypeEngine] = {"Int64": sa.Integer(), "Float64": sa.Float(), "boolean": sa.Integer()}
    return kinds.get(dtype, sa.Text())


def contract_columns(columns: dict[str, str]) -> list[sa.Column]:
    return [sa.Column(name, contract_type(dtype)) for name, dtype in columns.items()]


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _text(name: str, nullable: bool = True, default: str | None = None) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable,
                     server_default=sa.text(f"'{default}'") if default is not None else None)


# Crawls and the pages they fetched, keyed by (crawl id, URL): a resumed crawl overwrites.
crawls = sa.Table(
    "crawls", metadata, _id(),
    _text("site", False), _text("site_config"), _text("units", False, "[]"), _text("started_at", False),
    _text("finished_at"), _text("status", False, "running"), _text("stats", False, "{}"),
    sqlite_autoincrement=True,
)
pages = sa.Table(
    "pages", metadata,
    sa.Column("crawl_id", sa.Integer, sa.ForeignKey("crawls.id"), primary_key=True),
    sa.Column("url", sa.Text, primary_key=True),
    _text("site", False), _text("unit", False), _text("unit_level", False), _text("dialect", False),
    _text("kind", False), _text("list_title"), _text("list_date"), sa.Column("http_status", sa.Integer),
    _text("headers", False), _text("fetched_at"), _text("encoding"), _text("html", False), _text("page_title"),
    _text("meta_pairs", False), _text("meta_tags", False), _text("body_text", False), _text("body_html", False),
    _text("attachments", False), _text("error"), _text("column_name"), _text("column_kind"),
    _text("listing", False, "[]"),
    # Not fetched by this crawl (crawler.recrawl): the crawl whose fetch this copy is; NULL: fetched now.
    sa.Column("carried_from", sa.Integer),
    sa.Index("pages_unit", "crawl_id", "unit"),
)

# Attachment files the crawler downloaded (reports published as PDF, Word or Excel), stored once
# by content hash: a page's `attachments` entry names its file by `sha256`, and a weekly
# re-crawl of an unchanged file adds nothing.
attachment_files = sa.Table(
    "attachment_files", metadata,
    sa.Column("sha256", sa.Text, primary_key=True), _text("content_type"),
    sa.Column("size", sa.Integer, nullable=False), _text("stored_at", False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

# What changed in a site's catalog since its previous crawl (crawler.catalog_sync).
crawl_changes = sa.Table(
    "crawl_changes", metadata,
    sa.Column("crawl_id", sa.Integer, sa.ForeignKey("crawls.id"), primary_key=True),
    sa.Column("previous_crawl_id", sa.Integer, nullable=False),
    sa.Column("doc_key", sa.Text, primary_key=True),
    _text("unit", False), _text("url", False),
    _text("change", False),  # new | changed | gone
    _text("fields", False),  # JSON list of the fields that differ (changed only)
)

# Audit runs, their findings, the documents they saw and per-rule counts (audits.history).
# `trial` = 1 for an ad-hoc audit that stays out of the weekly history (audits.history).
runs = sa.Table(
    "runs", metadata, _id(),
    _text("site", False), sa.Column("crawl_id", sa.Integer, nullable=False), _text("started_at", False),
    _text("created_at", False), _text("rules_dir", False), _text("crawl_status", False),
    sa.Column("trial", sa.Integer, nullable=False, server_default=sa.text("0")),
    *(sa.Column(name, sa.Integer, nullable=False, server_default=sa.text("0")) for name in RUN_COUNT_COLUMNS),
    sqlite_autoincrement=True,
)


def _run_rows(name: str, columns: dict[str, str]) -> sa.Table:
    """A table of rows belonging to one run; `position` keeps the frame's row order (revision 0002)."""
    return sa.Table(
        name, metadata,
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        *contract_columns(columns), sa.Column("position", sa.Integer),
        sa.Index(f"{name}_run", "run_id"),
    )


findings = _run_rows("findings", FINDING_COLUMNS)
sa.Index("findings_key", findings.c.site, findings.c.finding_key)
doc_snapshots = _run_rows("doc_snapshots", DOCUMENT_COLUMNS)
rule_stats = _run_rows("rule_stats", RULE_STAT_COLUMNS)

# Scheduled job runs and the findings each job has already reported (audits.schedule.jobs).
job_runs = sa.Table(
    "job_runs", metadata, _id(),
    _text("job_id", False), _text("started_at", False), _text("finished_at"),
    _text("status", False, "running"), _text("run_id"), _text("report_path"), sa.Column("queued", sa.Integer),
    _text("error"),
    sqlite_autoincrement=True,
)
job_findings = sa.Table(
    "job_findings", metadata,
    sa.Column("job_id", sa.Text, primary_key=True), sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("finding_key", sa.Text, primary_key=True),
)

# Digests waiting to be sent and the log of those sent (audits.mail.outbox).
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("run_id", sa.Text, primary_key=True), sa.Column("recipient", sa.Text, primary_key=True),
    _text("job_id"), _text("message_id", False), _text("subject", False),
    sa.Column("message", sa.LargeBinary, nullable=False), _text("report_path"),
    _text("status", False, "pending"), sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    _text("last_error"), _text("next_attempt_at", False), _text("created_at", False), _text("sent_at"),
    sa.Index("outbox_due", "status", "next_attempt_at"),
)
sent_log = sa.Table(
    "sent_log", metadata,
    sa.Column("run_id", sa.Text, primary_key=True), sa.Column("recipient", sa.Text, primary_key=True),
    _text("message_id", False), _text("sent_at", False), _text("smtp_response"),
)
mail_meta = sa.Table(
    "mail_meta", metadata, sa.Column("key", sa.Text, primary_key=True), _text("value", False),
)

# Availability probes (crawler.probe): one row per attempt at a site's home page or a unit's
# catalog page; the audit reads the last 7 days (站点无法访问, 国办秘函〔2019〕19号).
probes = sa.Table(
    "probes", metadata, _id(),
    _text("site", False),
    _text("unit", False),        # the unit whose catalog was probed, or （门户首页） for the home page
    _text("target", False),      # home | catalog
    _text("url", False),
    _text("started_at", False),  # ISO 8601, UTC
    sa.Column("elapsed", sa.Float),  # seconds until the answer (or the failure)
    sa.Column("http_status", sa.Integer),
    sa.Column("ok", sa.Integer, nullable=False),  # 1: answered 2xx/3xx within the timeout
    _text("error"),              # timeout, connection error or HTTP status, in words
    sa.Index("probes_site", "site", "started_at"),
    sqlite_autoincrement=True,
)

# The re-crawl plan of a crawl (crawler.recrawl): every detail page of the previous crawl with
# the catalog entry it was listed under and whether this crawl may carry it over unfetched
# (`carry`) or must fetch it even if its entry is unchanged (open_finding | rotation | failed_before).
recrawl_plan = sa.Table(
    "recrawl_plan", metadata,
    sa.Column("crawl_id", sa.Integer, sa.ForeignKey("crawls.id"), primary_key=True),
    sa.Column("unit", sa.Text, primary_key=True),
    # Path and query of the listed URL: a portal moving to another port or scheme keeps its pages.
    sa.Column("path", sa.Text, primary_key=True),
    _text("list_title"), _text("list_date"),
    _text("decision", False),  # carry | open_finding | rotation | failed_before
    sa.Column("source_crawl_id", sa.Integer, nullable=False),
    _text("source_url", False),
    sa.Column("fetched_crawl_id", sa.Integer, nullable=False),  # the crawl that last fetched the page
    # An open-finding page whose attachments this crawl checks again even if the page is unchanged
    # (1: an open attachment finding, or their turn in the rotation); otherwise an unchanged
    # page's attachment checks are carried over (crawler.recrawl). Null for the other decisions.
    sa.Column("check_attachments", sa.Integer),
)

# The frames normalisation made of a crawl's pages (audits.normalize.frame_cache), one Arrow IPC
# blob per frame. `cache_key` digests everything the frames depend on, the crawl's stored pages
# and the attachment files they name included, so an entry goes stale by itself whatever wrote
# the pages and on either backend; the next audit replaces it.
frame_cache = sa.Table(
    "frame_cache", metadata,
    sa.Column("crawl_id", sa.Integer, primary_key=True),
    sa.Column("frame", sa.Text, primary_key=True),
    _text("cache_key", False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

# What Great Expectations answered for one group of rules on one crawl (audits.rules.result_cache):
# the failing row indexes per rule, under a key that digests the rows validated, the rules'
# configuration and the code and library versions that evaluate them. A re-audit after a rule
# edit validates only the groups whose key changed; each audit keeps only the keys it used.
validation_cache = sa.Table(
    "validation_cache", metadata,
    sa.Column("crawl_id", sa.Integer, primary_key=True),
    sa.Column("cache_key", sa.Text, primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

# Tables whose columns follow a frame contract: a contract column added later is added on open.
CONTRACT_TABLES = (findings, doc_snapshots, rule_stats)
