"""The embedded SQLite store of crawls and the pages they fetched.

One file holds every crawl so that the auditor can re-run rules on any stored crawl and compare
runs. Pages are keyed by (crawl id, URL): a crawl that is killed and run again with the same id
overwrites instead of duplicating. Later stages (history of audit runs, the email outbox) keep
their tables in the same file; `govaudit.schema` declares them all.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from govaudit.records import PageRecord
from govaudit.schema import apply_schema


MIN_FREE_BYTES = 16 * 1024 * 1024  # below this a crawl or audit would stop half-way: refused up front
_JSON_FIELDS = ("headers", "meta_pairs", "meta_tags", "attachments", "listing")
CRAWL_STATUSES = ("running", "complete", "partial", "failed")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StoreError(RuntimeError):
    """The store cannot be used (a directory, read-only, disk full): one line naming the file,
    the cause and the fix. Commands print it and exit 3, no traceback."""


def store_problem(path: str | Path, writing: bool = True) -> str | None:
    """Why the store at `path` cannot be used, found before any work starts; None if it can."""
    path = Path(path)
    if path.is_dir():
        return f"the store {path} is a directory; pass the path of a SQLite file, e.g. {path / 'govaudit.sqlite3'}"
    if not writing:
        return None
    existing = next((p for p in [path, *path.absolute().parents] if p.exists()), None)
    if existing is not None and not existing.is_dir() and existing != path:
        return f"cannot create the store {path}: {existing} is a file, not a directory"
    target = path if path.exists() else existing
    if target is not None and not os.access(target, os.W_OK):
        what = "is read-only" if target == path else f"cannot be created: {target} is not writable"
        return f"the store {path} {what}; pass a writable --store or fix the permissions"
    if target is not None:
        try:
            free = shutil.disk_usage(target if target.is_dir() else target.parent).free
        except OSError:
            free = None
        if free is not None and free < MIN_FREE_BYTES:
            return (f"the disk holding the store {path} is full ({free // 1024} KiB free, at least "
                    f"{MIN_FREE_BYTES // (1024 * 1024)} MiB needed); free some space or pass another --store")
    return None


def storage_failure(exc: BaseException, path: str | Path) -> StoreError | None:
    """A StoreError for an SQLite or OS error that means the disk or file refuses writes."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(f"the disk is full writing near {path} ({exc.strerror}); free some space and run again")
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR):
        return StoreError(f"cannot write near {path}: {exc.strerror}; pass a writable --store")
    if isinstance(exc, sqlite3.Error):
        if "disk is full" in text or "disk i/o" in text:
            return StoreError(f"the disk holding the store {path} is full ({exc}); free some space and run again")
        if "readonly" in text or "read-only" in text:
            return StoreError(f"the store {path} is read-only ({exc}); pass a writable --store")
        if "unable to open" in text or "not a database" in text:
            return StoreError(f"cannot open the store {path} ({exc}); check the --store path")
    return None


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (and create if needed) the store; WAL lets the report read while a crawl writes."""
    path = Path(path)
    if problem := store_problem(path, writing=False):
        raise StoreError(problem)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        apply_schema(conn)
    except (sqlite3.Error, OSError) as exc:
        raise (storage_failure(exc, path) or exc) from None
    return conn


class Store:
    """Crawls and pages; every write is committed at once so a killed crawl keeps what it got."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = connect(self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # crawls -----------------------------------------------------------------------------
    def start_crawl(self, site: str, units: list[str], site_config: str | None = None,
                    started_at: str | None = None) -> int:
        """A new crawl row; `started_at` (ISO, UTC) is the crawl's date when it is not now
        (a crawl replayed at a given date, as the re-crawl tests do)."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO crawls (site, site_config, units, started_at) VALUES (?, ?, ?, ?)",
                (site, site_config, json.dumps(units, ensure_ascii=False), started_at or utcnow()),
            )
        assert cur.lastrowid is not None  # set by the INSERT just made
        return int(cur.lastrowid)

    def reopen_crawl(self, crawl_id: int) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE crawls SET status='running', finished_at=NULL WHERE id=?", (crawl_id,)
            )

    def finish_crawl(self, crawl_id: int, status: str, stats: dict[str, Any]) -> None:
        if status not in CRAWL_STATUSES:
            raise ValueError(f"unknown crawl status {status!r}")
        with self.conn:
            self.conn.execute(
                "UPDATE crawls SET status=?, finished_at=?, stats=? WHERE id=?",
                (status, utcnow(), json.dumps(stats, ensure_ascii=False, default=str), crawl_id),
            )

    def crawl(self, crawl_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM crawls WHERE id=?", (crawl_id,)).fetchone()
        return _crawl_dict(row) if row else None

    def crawls(self, site: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM crawls"
        args: tuple[str, ...] = ()
        if site:
            sql, args = sql + " WHERE site=?", (site,)
        return [_crawl_dict(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def resolve_crawl(self, ref: str | int, site: str | None = None) -> int:
        """Turn 'latest' or an id into a crawl id, with a message that says what exists."""
        if str(ref) == "latest":
            sql = "SELECT id FROM crawls WHERE status != 'running'"
            args: tuple = ()
            if site:
                sql, args = sql + " AND site=?", (site,)
            row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
            if row is None:
                raise LookupError(f"no finished crawl in {self.path}; run `govaudit crawl SITE` first")
            return int(row["id"])
        try:
            crawl_id = int(ref)
        except ValueError:
            raise LookupError(f"crawl reference {ref!r} is neither 'latest' nor a number") from None
        if self.crawl(crawl_id) is None:
            raise LookupError(f"no crawl with id {crawl_id} in {self.path}; `govaudit crawls` lists them")
        return crawl_id

    # pages ------------------------------------------------------------------------------
    def save_page(self, crawl_id: int, record: PageRecord) -> None:
        data = record.to_dict()
        for key in _JSON_FIELDS:
            data[key] = json.dumps(data[key], ensure_ascii=False)
        data["crawl_id"] = crawl_id
        cols = ", ".join(data)
        marks = ", ".join(f":{k}" for k in data)
        with self.conn:
            self.conn.execute(f"INSERT OR REPLACE INTO pages ({cols}) VALUES ({marks})", data)

    def pages(self, crawl_id: int, units: list[str] | None = None) -> Iterator[PageRecord]:
        sql = "SELECT * FROM pages WHERE crawl_id=?"
        args: list[int | str] = [crawl_id]
        if units:
            sql += f" AND unit IN ({', '.join('?' * len(units))})"
            args += units
        with closing(self.conn.execute(sql + " ORDER BY unit, url", args)) as cur:
            for row in cur:
                yield row_to_record(row)

    # attachment files -------------------------------------------------------------------
    def save_attachment_file(self, sha256: str, content_type: str, content: bytes) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR IGNORE INTO attachment_files (sha256, content_type, size, stored_at, content) "
                "VALUES (?, ?, ?, ?, ?)", (sha256, content_type, len(content), utcnow(), content))

    def attachment_file(self, sha256: str) -> bytes | None:
        row = self.conn.execute("SELECT content FROM attachment_files WHERE sha256=?", (sha256,)).fetchone()
        return bytes(row[0]) if row else None

    def page_count(self, crawl_id: int) -> int:
        """Pages of the catalogs (details and unreadable catalogs); site-column listings apart."""
        return int(self.conn.execute("SELECT COUNT(*) FROM pages WHERE crawl_id=? AND kind != 'column'",
                                     (crawl_id,)).fetchone()[0])


    # availability probes ----------------------------------------------------------------
    def probes(self, site: str, since: str | None = None) -> list[dict[str, Any]]:
        """Probe attempts of a site (crawler.probe), oldest first, from `since` (ISO, UTC) on."""
        sql, args = "SELECT * FROM probes WHERE site=?", [site]
        if since:
            sql, args = sql + " AND started_at >= ?", args + [since]
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY started_at, id", args)]


def row_to_record(row: sqlite3.Row) -> PageRecord:
    data = dict(row)
    data.pop("crawl_id", None)
    for key in _JSON_FIELDS:
        data[key] = json.loads(data[key])
    return PageRecord(**data)


def _crawl_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["units"] = json.loads(data["units"])
    data["stats"] = json.loads(data["stats"])
    return data
