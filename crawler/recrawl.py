"""Re-crawl budget: which listed detail pages a crawl leaves unfetched and carries over.

A county portal stands mostly still from week to week, and asking it about every page each
week (even as a conditional request answered 304) costs a polite crawl hours. So a re-crawl
reads every catalog, and fetches a detail page only when
- its catalog entry (URL, title, date) is new or differs from the previous crawl's,
- its last fetch failed or was refused (a failure proves nothing about today),
- the audit still has an open finding on it (`must_fetch`, handed over by the audit side:
  the crawler never reads the audit history), so a fix is seen and the finding resolves,
- it is due: every page is fetched again at least once per `recheck_weeks`, which catches a
  page edited in place under an unchanged catalog entry.
Every other page is carried over: its last fetched copy is stored in the new crawl with
`carried_from` naming the crawl that fetched it, so the audit sees a whole crawl.

A page fetched only because it has an open finding keeps the attachment checks (HEAD) of its
previous copy when it comes back unchanged: the same page links the same files, and a check
that ran within the period says as much as one sent today. Its attachments are checked again
when the page changed, when an open finding is about them (`recheck_attachments`, from the
audit side), and in their own rotation, so no check is older than the period either. Files
the auditor reads (downloaded reports) are fetched again whenever their page is: the findings
may be about what they say. A carried check names the crawl that made it (`checked_in`).

Which pages are due is chosen by age, oldest first, never by calendar week: each crawl fetches
a share of the carried-over candidates proportional to the time since the previous crawl
(a weekly crawl with a 13-week period fetches 1/13), and at least every page whose last fetch
is a whole period old. A crawl that runs late or irregularly therefore still leaves no page
older than the period, and the load stays even. Ties (a first crawl fetched everything at
once) are broken by a stable hash of the path, so the rotation is deterministic.

The plan is written by the crawl's parent process before the spiders start (`plan_recrawl`)
and read by the spiders (`CarryOver`), through the `recrawl_plan` table of the store.
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import sqlalchemy as sa

from crawler.catalog_sync import previous_crawl, url_path
from govaudit import schema
from govaudit.db import Record, StoreConnection, insert_replacing
from govaudit.records import PageRecord
from govaudit.store import Store, connect, row_to_record

DECISIONS = ("carry", "open_finding", "rotation", "failed_before")


def _when(value: str | None) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return when.replace(tzinfo=timezone.utc) if when is not None and when.tzinfo is None else when


def _tiebreak(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()


def carriable(attachment: dict[str, Any]) -> bool:
    """An attachment check that may stand for a later one of the same unchanged page: a link
    probed with HEAD (not a file downloaded for the auditor to read, nor a link not followed)."""
    return "status" in attachment and attachment.get("status") != "skipped" \
        and not attachment.get("download") and not attachment.get("sha256")


def plan_recrawl(store: Store, crawl_id: int, *, recheck_weeks: int, must_fetch: Iterable[str] = (),
                 recheck_attachments: Iterable[str] = (), full: bool = False) -> dict[str, int]:
    """Write the re-crawl plan of `crawl_id` (pages of the previous crawl of its site and what
    to do with each when its catalog entry is unchanged); return the count per decision.
    `recheck_attachments`: pages whose open findings are about their attachments.
    No plan (everything fetched) for a first crawl or a `full` one; a resumed crawl keeps its plan."""
    plan_c, pages_c, crawls_c = schema.recrawl_plan.c, schema.pages.c, schema.crawls.c
    kept = {r[0]: r[1] for r in store.conn.execute(
        sa.select(plan_c.decision, sa.func.count()).where(plan_c.crawl_id == crawl_id).group_by(plan_c.decision))}
    previous = previous_crawl(store, crawl_id)
    if kept or full or previous is None:
        return {d: int(kept.get(d, 0)) for d in DECISIONS} if kept else {}
    crawl = store.crawl(crawl_id)
    assert crawl is not None  # previous_crawl found it
    started = {int(r["id"]): _when(r["started_at"]) for r in
               store.conn.execute(sa.select(crawls_c.id, crawls_c.started_at).where(crawls_c.site == crawl["site"]))}
    now = started[crawl_id] or datetime.now(timezone.utc)
    period = timedelta(weeks=recheck_weeks)
    wanted = {url_path(u) for u in must_fetch}
    attachment_findings = {url_path(u) for u in recheck_attachments}
    plan: dict[tuple[str, str], dict] = {}
    for row in store.conn.execute(
            sa.select(pages_c.url, pages_c.unit, pages_c.list_title, pages_c.list_date, pages_c.http_status,
                      pages_c.error, pages_c.carried_from, pages_c.attachments)
            .where(pages_c.crawl_id == previous, pages_c.kind == "detail")):
        path = url_path(row["url"])
        ok = row["error"] is None and row["http_status"] is not None and 200 <= row["http_status"] < 300
        decision = "failed_before" if not ok else "open_finding" if path in wanted else "carry"
        fetched = int(row["carried_from"] or previous)
        entry = plan[(row["unit"], path)] = {"list_title": row["list_title"], "list_date": row["list_date"],
                                             "decision": decision, "source_url": row["url"], "fetched": fetched,
                                             "check_attachments": None}
        if decision == "open_finding":
            checks = [int(a.get("checked_in") or fetched) for a in json.loads(row["attachments"] or "[]")
                      if isinstance(a, dict) and carriable(a)]
            entry["check_attachments"] = int(path in attachment_findings) if checks else None
            entry["checked"] = min(checks, default=fetched)
    since_previous = now - (started[previous] or now)
    for entry in _oldest_share([(e["fetched"], path, e) for (_, path), e in plan.items() if e["decision"] == "carry"],
                               now, started, period, since_previous):
        entry["decision"] = "rotation"
    for entry in _oldest_share([(e["checked"], path, e) for (_, path), e in plan.items()
                                if e["check_attachments"] == 0], now, started, period, since_previous):
        entry["check_attachments"] = 1
    columns = ["list_title", "list_date", "decision", "source_crawl_id", "source_url", "fetched_crawl_id",
               "check_attachments"]
    with store.conn:
        store.conn.executemany(
            insert_replacing(store.conn, schema.recrawl_plan, columns),
            [{"crawl_id": crawl_id, "unit": unit, "path": path, "list_title": e["list_title"],
              "list_date": e["list_date"], "decision": e["decision"], "source_crawl_id": previous,
              "source_url": e["source_url"], "fetched_crawl_id": e["fetched"],
              "check_attachments": e["check_attachments"]} for (unit, path), e in plan.items()])
    counts = dict.fromkeys(DECISIONS, 0)
    for entry in plan.values():
        counts[entry["decision"]] += 1
    return counts


def _oldest_share(candidates: list[tuple[int, str, dict]], now: datetime, started: dict[int, datetime | None],
                  period: timedelta, since_previous: timedelta) -> list[dict]:
    """The oldest of the (crawl that last checked it, path, entry) candidates: a share of them
    proportional to the time since the previous crawl, and at least every one last checked a
    whole period ago."""
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    pool = sorted(((started.get(checked) or oldest, _tiebreak(path), entry) for checked, path, entry in candidates),
                  key=lambda t: t[:2])
    share = math.ceil(len(pool) * min(max(since_previous, timedelta(0)), period) / period)
    due = sum(1 for checked, _, _ in pool if now - checked >= period)
    return [entry for _, _, entry in pool[:max(share, due)]]


class CarryOver:
    """The spider's side of the plan: whether a listed entry is fetched (and why) or carried over."""

    def __init__(self, store_path: str | None, crawl_id: int | None):
        self.crawl_id = crawl_id
        self.conn: StoreConnection | None = connect(store_path) if store_path and crawl_id else None
        self.plan: dict[tuple[str, str], Record] = {}
        if self.conn is not None:
            plan = schema.recrawl_plan
            self.plan = {(r["unit"], r["path"]): r for r in
                         self.conn.execute(sa.select(plan).where(plan.c.crawl_id == crawl_id))}
            self.conn.rollback()  # end the read: a SQLite reader must not hold the file while pages are written

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def decide(self, unit: str, url: str, list_title: str | None,
               list_date: str | None) -> tuple[str, PageRecord | None]:
        """('carried', the record to store) for an unchanged entry that need not be fetched;
        otherwise (why it is fetched, None): new, changed, open_finding, rotation, failed_before."""
        entry = self.plan.get((unit, url_path(url)))
        if entry is None:
            return "new", None
        if (entry["list_title"], entry["list_date"]) != (list_title, list_date):
            return "changed", None
        if entry["decision"] != "carry":
            return entry["decision"], None
        record = self._copy(entry, url, list_title, list_date)
        return ("carried", record) if record is not None else ("new", None)

    def carry_attachment_checks(self, unit: str, url: str, list_title: str | None, list_date: str | None,
                                html: str, attachments: list[dict[str, str]]) -> int:
        """Give the attachments of a page fetched for its open findings the checks of its previous
        copy, when the plan allows it and neither the catalog entry nor the page changed; the
        number of checks carried over (0: check them all)."""
        entry = self.plan.get((unit, url_path(url)))
        if self.conn is None or entry is None \
                or (entry["decision"], entry["check_attachments"]) != ("open_finding", 0) \
                or (entry["list_title"], entry["list_date"]) != (list_title, list_date):
            return 0
        pages = schema.pages
        row = self.conn.execute(sa.select(pages.c.html, pages.c.attachments, pages.c.carried_from).where(
            pages.c.crawl_id == entry["source_crawl_id"], pages.c.url == entry["source_url"])).fetchone()
        self.conn.rollback()
        if row is None or row["html"] != html:
            return 0
        fetched = str(row["carried_from"] or entry["source_crawl_id"])
        before = {a["url"]: a for a in json.loads(row["attachments"] or "[]")
                  if isinstance(a, dict) and isinstance(a.get("url"), str) and carriable(a)}
        carried = 0
        for attachment in attachments:
            if "status" not in attachment and (check := before.get(attachment.get("url", ""))) is not None:
                attachment["status"] = check["status"]
                if check.get("error"):
                    attachment["error"] = check["error"]
                attachment["checked_in"] = check.get("checked_in") or fetched
                carried += 1
        return carried

    def _copy(self, entry: Record, url: str, list_title: str | None, list_date: str | None) -> PageRecord | None:
        assert self.conn is not None  # a plan entry was read through it
        pages = schema.pages
        row = self.conn.execute(sa.select(pages).where(pages.c.crawl_id == entry["source_crawl_id"],
                                                       pages.c.url == entry["source_url"])).fetchone()
        self.conn.rollback()
        if row is None:  # the previous crawl's page is gone from the store: fetch it instead
            return None
        record = row_to_record(row)
        # The listed URL (a portal moved to another port or scheme keeps its pages); the
        # content, its fetch time and its attachment checks are those of the fetching crawl.
        record.url, record.list_title, record.list_date = url, list_title, list_date
        record.carried_from = int(entry["fetched_crawl_id"])
        return record
