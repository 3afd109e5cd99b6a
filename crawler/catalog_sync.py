"""Catalog sync: which documents are new, changed (which fields) or gone since the last crawl.

Portals mostly stand still from week to week; what moved is what a supervisor wants to read
first, and a document that silently changed after publication, or vanished from the catalog,
is itself worth a finding. Documents are matched by their CMS article id (Hanweb
`art_{column}_{id}`, TRS `t{date}_{id}`), so a page moved to another URL is "changed", not
"gone" plus "new". Only the units of the current crawl are compared, so a one-unit crawl never
reports the other units' documents as gone.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from govaudit import schema
from govaudit.records import PageRecord
from govaudit.store import Store

_ARTICLE_ID = re.compile(r"art_\d+_(\d+)\.s?html?|/t\d{8}_(\d+)\.s?html?|post_(\d+)\.html")
COMPARED = ("url", "http_status", "page_title", "meta_pairs", "body", "attachments")


def doc_key(url: str) -> str:
    match = _ARTICLE_ID.search(url)
    return next(g for g in match.groups() if g) if match else url


def fingerprint(page: PageRecord) -> dict[str, Any]:
    return {
        # The path, not the whole URL: a portal moving to https or another port has not changed
        # its documents (and the demo portal gets a new port every run).
        "url": url_path(page.url),
        "http_status": page.http_status,
        "page_title": page.page_title,
        "meta_pairs": page.meta_pairs,
        "body": hashlib.sha256(" ".join(page.body_text.split()).encode()).hexdigest(),
        "attachments": sorted(url_path(a["url"]) for a in page.attachments),
    }


def url_path(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed link stored as not followed: compared as written
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def previous_crawl(store: Store, crawl_id: int) -> int | None:
    crawl = store.crawl(crawl_id)
    crawls = schema.crawls.c
    row = store.conn.execute(sa.select(crawls.id).where(
        crawls.site == crawl["site"], crawls.id < crawl_id, crawls.status.in_(("complete", "partial")))
        .order_by(crawls.id.desc()).limit(1)).fetchone() if crawl else None
    return int(row["id"]) if row else None


def sync_crawl(store: Store, crawl_id: int) -> dict[str, int]:
    """Record the changes of `crawl_id` against the previous crawl of its site; return counts."""
    previous = previous_crawl(store, crawl_id)
    if previous is None:
        return {}
    crawl = store.crawl(crawl_id)
    assert crawl is not None  # previous_crawl found it
    units = crawl["units"]
    before = {doc_key(p.url): p for p in store.pages(previous, units) if p.kind == "detail"}
    after = {doc_key(p.url): p for p in store.pages(crawl_id, units) if p.kind == "detail"}
    rows: list[tuple[str, PageRecord, str, list[str]]] = []
    for key, page in after.items():
        if key not in before:
            rows.append((key, page, "new", []))
            continue
        old, new = fingerprint(before[key]), fingerprint(page)
        fields = [f for f in COMPARED if old[f] != new[f]]
        if fields:
            rows.append((key, page, "changed", fields))
    partial = (store.crawl(crawl_id) or crawl)["status"] == "partial"
    if not partial:  # a partial crawl did not see everything: absence proves nothing
        rows += [(key, page, "gone", []) for key, page in before.items() if key not in after]
    with store.conn:
        store.conn.execute(sa.delete(schema.crawl_changes).where(schema.crawl_changes.c.crawl_id == crawl_id))
        store.conn.executemany(sa.insert(schema.crawl_changes), [
            {"crawl_id": crawl_id, "previous_crawl_id": previous, "doc_key": key, "unit": page.unit, "url": page.url,
             "change": change, "fields": json.dumps(fields)} for key, page, change, fields in rows])
    counts = {"new": 0, "changed": 0, "gone": 0}
    for _, _, change, _ in rows:
        counts[change] += 1
    return counts


def changes(store: Store, crawl_id: int) -> list[dict[str, Any]]:
    return [{**dict(r), "fields": json.loads(r["fields"])} for r in
            store.conn.execute(sa.select(schema.crawl_changes).where(schema.crawl_changes.c.crawl_id == crawl_id)
                               .order_by(schema.crawl_changes.c.change, schema.crawl_changes.c.unit,
                                         schema.crawl_changes.c.url))]
