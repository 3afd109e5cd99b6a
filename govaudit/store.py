"""The store of crawls and the pages they fetched (a SQLite file, or a shared PostgreSQL database).

One database holds every crawl so that the auditor can re-run rules on any stored crawl and
compare runs. Pages are keyed by (crawl id, URL): a crawl that is killed and run again with the
same id overwrites instead of duplicating. Later stages (history of audit runs, the email outbox,
the scheduler's jobs) keep their tables in the same database; `govaudit.schema` declares them all
and `govaudit.db` opens it.
"""
from __future__ import annotations

import json
from contextlib import closing
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any, Iterator

import sqlalchemy as sa

from govaudit import schema
from govaudit.db import Record, StoreConnection, StoreRef, connect, insert_ignoring_duplicates, insert_replacing
from govaudit.db import shown_store, store_location
from govaudit.records import PageRecord
from govaudit.storeerrors import MIN_FREE_BYTES, StoreError, storage_failure, store_problem

__all__ = ["CRAWL_STATUSES", "MIN_FREE_BYTES", "Store", "StoreError", "connect", "storage_failure",
           "store_problem", "utcnow"]

_JSON_FIELDS = ("headers", "meta_pairs", "meta_tags", "attachments", "listing")
CRAWL_STATUSES = ("running", "complete", "partial", "failed")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """Crawls and pages; every write is committed at once so a killed crawl keeps what it got."""

    def __init__(self, path: StoreRef):
        self.location = store_location(path)
        self.path = self.location  # the file, or the server URL
        self.conn: StoreConnection = connect(self.location)
        self._page_inserts: dict[tuple[str, ...], Any] = {}  # one statement per column set, built once

    def commit_without_sync(self) -> None:
        """Let this connection's commits skip the disk flush (SQLite's WAL with synchronous=NORMAL).
        A committed page still survives the crawl process being killed; only a power cut can lose
        the last few commits, which a resumed crawl fetches again. A crawl commits every page as it
        arrives, and a flush per page was most of the cost of storing it."""
        if self.conn.dialect == "sqlite":
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.commit()

    @property
    def shown(self) -> str:
        return shown_store(self.location)

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
            result = self.conn.execute(sa.insert(schema.crawls).values(
                site=site, site_config=site_config, units=json.dumps(units, ensure_ascii=False),
                started_at=started_at or utcnow()))
        return result.inserted_id

    def reopen_crawl(self, crawl_id: int) -> None:
        with self.conn:
            self.conn.execute(sa.update(schema.crawls).where(schema.crawls.c.id == crawl_id)
                              .values(status="running", finished_at=None))

    def finish_crawl(self, crawl_id: int, status: str, stats: dict[str, Any]) -> None:
        if status not in CRAWL_STATUSES:
            raise ValueError(f"unknown crawl status {status!r}")
        with self.conn:
            self.conn.execute(sa.update(schema.crawls).where(schema.crawls.c.id == crawl_id).values(
                status=status, finished_at=utcnow(), stats=json.dumps(stats, ensure_ascii=False, default=str)))

    def crawl(self, crawl_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(sa.select(schema.crawls).where(schema.crawls.c.id == crawl_id)).fetchone()
        return _crawl_dict(row) if row else None

    def crawls(self, site: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(schema.crawls)
        if site:
            query = query.where(schema.crawls.c.site == site)
        return [_crawl_dict(r) for r in self.conn.execute(query.order_by(schema.crawls.c.id))]

    def resolve_crawl(self, ref: str | int, site: str | None = None) -> int:
        """Turn 'latest' or an id into a crawl id, with a message that says what exists."""
        crawls = schema.crawls
        if str(ref) == "latest":
            query = sa.select(crawls.c.id).where(crawls.c.status != "running")
            if site:
                query = query.where(crawls.c.site == site)
            row = self.conn.execute(query.order_by(crawls.c.id.desc()).limit(1)).fetchone()
            if row is None:
                raise LookupError(f"no finished crawl in {self.shown}; run `govaudit crawl SITE` first")
            return int(row["id"])
        try:
            crawl_id = int(ref)
        except ValueError:
            raise LookupError(f"crawl reference {ref!r} is neither 'latest' nor a number") from None
        if self.crawl(crawl_id) is None:
            raise LookupError(f"no crawl with id {crawl_id} in {self.shown}; `govaudit crawls` lists them")
        return crawl_id

    # pages ------------------------------------------------------------------------------
    def save_page(self, crawl_id: int, record: PageRecord) -> None:
        # The fields as they are (not `asdict`'s deep copy): the JSON ones are serialised just below.
        data = {f.name: getattr(record, f.name) for f in fields(PageRecord)}
        for key in _JSON_FIELDS:
            data[key] = json.dumps(data[key], ensure_ascii=False)
        data["crawl_id"] = crawl_id
        columns = tuple(data)
        if (statement := self._page_inserts.get(columns)) is None:
            statement = self._page_inserts[columns] = insert_replacing(self.conn, schema.pages, columns)
        with self.conn:
            self.conn.execute(statement, data)

    def pages(self, crawl_id: int, units: list[str] | None = None) -> Iterator[PageRecord]:
        pages = schema.pages
        query = sa.select(pages).where(pages.c.crawl_id == crawl_id)
        if units:
            query = query.where(pages.c.unit.in_(units))
        # Streamed (a server-side cursor on PostgreSQL): a crawl's pages need not fit in memory at once.
        query = query.order_by(pages.c.unit, pages.c.url).execution_options(yield_per=200)
        with closing(self.conn.execute(query)) as result:
            for row in result:
                yield row_to_record(row)

    # attachment files -------------------------------------------------------------------
    def save_attachment_file(self, sha256: str, content_type: str, content: bytes) -> None:
        with self.conn:
            self.conn.execute(insert_ignoring_duplicates(self.conn, schema.attachment_files).values(
                sha256=sha256, content_type=content_type, size=len(content), stored_at=utcnow(), content=content))

    def attachment_file(self, sha256: str) -> bytes | None:
        files = schema.attachment_files
        row = self.conn.execute(sa.select(files.c.content).where(files.c.sha256 == sha256)).fetchone()
        return bytes(row[0]) if row else None

    def page_count(self, crawl_id: int) -> int:
        """Pages of the catalogs (details and unreadable catalogs); site-column listings apart."""
        pages = schema.pages
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(pages).where(
            pages.c.crawl_id == crawl_id, pages.c.kind != "column")).scalar())

    # availability probes ----------------------------------------------------------------
    def probes(self, site: str, since: str | None = None) -> list[dict[str, Any]]:
        """Probe attempts of a site (crawler.probe), oldest first, from `since` (ISO, UTC) on."""
        probes = schema.probes
        query = sa.select(probes).where(probes.c.site == site)
        if since:
            query = query.where(probes.c.started_at >= since)
        return [dict(r) for r in self.conn.execute(query.order_by(probes.c.started_at, probes.c.id))]


def row_to_record(row: Record) -> PageRecord:
    data = dict(row)
    data.pop("crawl_id", None)
    for key in _JSON_FIELDS:
        data[key] = json.loads(data[key])
    return PageRecord(**data)


def _crawl_dict(row: Record) -> dict[str, Any]:
    data = dict(row)
    data["units"] = json.loads(data["units"])
    data["stats"] = json.loads(data["stats"])
    return data
