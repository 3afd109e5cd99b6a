"""The re-crawl plan over many simulated crawls of one site, regular and irregular: no page is
ever audited from a copy older than the period, the rotation is even and deterministic, and
failed, open-finding, full and resumed crawls are planned as the budget says.

The crawls are simulated in a real store: each one is planned with `plan_recrawl` and then
stores every page of the previous crawl the way the spider would (fetched when the plan says
so, carried over with the fetching crawl's id otherwise). The spider side is tested against
the demo portal in test_recrawl.py.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from crawler.recrawl import plan_recrawl
from govaudit import schema
from govaudit.store import Store

SITE = "sim"
START = datetime(2026, 1, 5, 8, tzinfo=timezone.utc)
COLUMNS = ("crawl_id", "url", "site", "unit", "unit_level", "dialect", "kind", "list_title", "list_date",
           "http_status", "headers", "html", "meta_pairs", "meta_tags", "body_text", "body_html", "attachments",
           "error", "carried_from")


def _url(i: int) -> str:
    return f"http://portal.example/art/2025/1/1/art_1_{i}.html"


def _store_pages(store: Store, crawl_id: int, pages: list[tuple[str, int, str | None, int | None]]) -> None:
    """(url, http status, error, carried_from) rows as the spider would store them."""
    with store.conn:
        store.conn.executemany(sa.insert(schema.pages), [dict(zip(COLUMNS, (
            crawl_id, url, SITE, "镇", "township", "hanweb", "detail", f"标题{url[-8:]}", "2025-01-01", status,
            "{}", "", "[]", "{}", "", "", "[]", error, carried))) for url, status, error, carried in pages])


def _crawl(store: Store, when: datetime, n: int, weeks: int = 13, must_fetch: tuple[str, ...] = (),
           full: bool = False, failing: frozenset[int] = frozenset()) -> tuple[int, dict[str, int]]:
    """One simulated crawl at `when` of a catalog of `n` unchanged entries."""
    crawl_id = store.start_crawl(SITE, ["镇"], None, when.isoformat(timespec="seconds"))
    counts = plan_recrawl(store, crawl_id, recheck_weeks=weeks, must_fetch=must_fetch, full=full)
    plan = {r["source_url"]: r for r in store.conn.execute("SELECT * FROM recrawl_plan WHERE crawl_id=?", (crawl_id,))}
    rows = []
    for i in range(n):
        entry = plan.get(_url(i))
        if i in failing:
            rows.append((_url(i), 503, "HTTP 503", None))
        elif entry is not None and entry["decision"] == "carry":
            rows.append((_url(i), 200, None, entry["fetched_crawl_id"]))
        else:
            rows.append((_url(i), 200, None, None))
    _store_pages(store, crawl_id, rows)
    store.finish_crawl(crawl_id, "complete", {})
    return crawl_id, counts


def _fetched_before(store: Store, crawl_id: int, when: datetime) -> int:
    """Pages of a crawl whose copy was fetched at or before `when`."""
    started = {r["id"]: datetime.fromisoformat(r["started_at"]) for r in store.conn.execute("SELECT * FROM crawls")}
    rows = store.conn.execute("SELECT COALESCE(carried_from, crawl_id) FROM pages WHERE crawl_id=?", (crawl_id,))
    return sum(1 for (fetched,) in rows if started[fetched] <= when)


def _oldest_copy(store: Store, crawl_id: int) -> timedelta:
    """How old the oldest page copy of a crawl is, at the crawl's date."""
    started = {r["id"]: datetime.fromisoformat(r["started_at"]) for r in store.conn.execute("SELECT * FROM crawls")}
    rows = store.conn.execute("SELECT COALESCE(carried_from, crawl_id) FROM pages WHERE crawl_id=?", (crawl_id,))
    return max(started[crawl_id] - started[fetched] for (fetched,) in rows)


@pytest.mark.slow  # plans many weekly crawls
def test_weekly_crawls_fetch_an_even_share_and_no_copy_outlives_the_period(tmp_path):
    n, weeks = 260, 13
    with Store(tmp_path / "s.sqlite3") as store:
        first, counts = _crawl(store, START, n)
        assert counts == {}  # a first crawl has no plan: every page is fetched
        rotations, fetched_by_week = [], []
        for week in range(1, 3 * weeks + 1):
            crawl_id, counts = _crawl(store, START + timedelta(weeks=week), n)
            rotations.append(counts["rotation"])
            fetched_by_week.append({u for (u,) in store.conn.execute(
                "SELECT url FROM pages WHERE crawl_id=? AND carried_from IS NULL", (crawl_id,))})
            assert _oldest_copy(store, crawl_id) < timedelta(weeks=weeks), week
        share = math.ceil(n / weeks)
        assert set(rotations) == {share}, rotations  # the same share every week, no 13th-week spike
        # Every page is fetched again within each window of `weeks` consecutive crawls.
        for start in range(len(fetched_by_week) - weeks + 1):
            assert set().union(*fetched_by_week[start:start + weeks]) == {_url(i) for i in range(n)}, start


@pytest.mark.parametrize("gaps_in_days", [
    [1, 1, 1, 30, 2, 60, 90, 7, 7, 100, 3, 14, 14, 14, 14, 14, 14, 14, 14, 120],
    [91, 91, 91, 0.5, 95],
])
def test_irregular_crawls_still_leave_no_copy_older_than_the_period(tmp_path, gaps_in_days):
    n, weeks = 150, 13
    with Store(tmp_path / "s.sqlite3") as store:
        crawl_id, _ = _crawl(store, START, n)
        when = START
        for gap in gaps_in_days:
            when += timedelta(days=gap)
            overdue = _fetched_before(store, crawl_id, when - timedelta(weeks=weeks))
            crawl_id, counts = _crawl(store, when, n)
            assert _oldest_copy(store, crawl_id) < timedelta(weeks=weeks), (gap, counts)
            if gap >= weeks * 7:  # a whole period since the last crawl: everything is due
                assert counts["carry"] == 0, counts
            # never more than the time elapsed calls for, or what is overdue if that is more
            assert counts["rotation"] == max(math.ceil(n * min(gap, weeks * 7) / (weeks * 7)), overdue), (gap, counts)


def test_the_rotation_is_deterministic(tmp_path):
    chosen = []
    for run in range(2):
        with Store(tmp_path / f"s{run}.sqlite3") as store:
            _crawl(store, START, 100)
            crawl_id, _ = _crawl(store, START + timedelta(weeks=1), 100)
            chosen.append({r[0] for r in store.conn.execute(
                "SELECT path FROM recrawl_plan WHERE crawl_id=? AND decision='rotation'", (crawl_id,))})
    assert chosen[0] == chosen[1] and len(chosen[0]) == math.ceil(100 / 13)


def test_open_findings_and_failed_pages_are_fetched_and_full_plans_nothing(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        _crawl(store, START, 50, failing=frozenset({3}))
        crawl_id, counts = _crawl(store, START + timedelta(days=1), 50, must_fetch=(_url(7), _url(8)))
        decisions = {r["source_url"]: r["decision"] for r in store.conn.execute(
            "SELECT * FROM recrawl_plan WHERE crawl_id=?", (crawl_id,))}
        assert decisions[_url(3)] == "failed_before"
        assert decisions[_url(7)] == decisions[_url(8)] == "open_finding"
        assert counts["open_finding"] == 2 and counts["failed_before"] == 1
        assert counts["rotation"] == 1  # one day of a 13-week period: the smallest share
        assert counts["carry"] == 50 - 2 - 1 - 1
        # Planned once: a resumed crawl keeps its plan.
        assert plan_recrawl(store, crawl_id, recheck_weeks=13) == counts
        full_id, full_counts = _crawl(store, START + timedelta(days=2), 50, full=True)
        assert full_counts == {} and store.conn.execute(
            "SELECT COUNT(*) FROM recrawl_plan WHERE crawl_id=?", (full_id,)).fetchone()[0] == 0


def test_a_store_from_before_the_budget_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # the pages table as stores were written before carried_from
        conn.execute("CREATE TABLE pages (crawl_id INTEGER NOT NULL, url TEXT NOT NULL, site TEXT NOT NULL, "
                     "unit TEXT NOT NULL, unit_level TEXT NOT NULL, dialect TEXT NOT NULL, kind TEXT NOT NULL, "
                     "list_title TEXT, list_date TEXT, http_status INTEGER, headers TEXT NOT NULL, fetched_at TEXT, "
                     "encoding TEXT, html TEXT NOT NULL, page_title TEXT, meta_pairs TEXT NOT NULL, "
                     "meta_tags TEXT NOT NULL, body_text TEXT NOT NULL, body_html TEXT NOT NULL, "
                     "attachments TEXT NOT NULL, error TEXT, PRIMARY KEY (crawl_id, url))")
        conn.execute("INSERT INTO pages VALUES (1, 'u', 's', 'x', 'township', 'hanweb', 'detail', NULL, NULL, 200, "
                     "'{}', NULL, NULL, '', NULL, '[]', '{}', 'old body', '', '[]', NULL)")
    with Store(path) as store:
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(pages)")}
        assert "carried_from" in columns
        [page] = list(store.pages(1))
        assert page.body_text == "old body" and page.carried_from is None


# --- attachment checks of open-finding pages --------------------------------------------------

def _probed(i: int, checked_in: int | None = None) -> list[dict[str, str]]:
    """One attachment of page i, probed with HEAD (answered 200), as the spider stores it."""
    return [{"url": f"http://portal.example/module/download/{i}.doc", "text": f"附件{i}", "status": "200",
             **({"checked_in": str(checked_in)} if checked_in else {})}]


def _attachment_crawl(store: Store, when: datetime, n: int, weeks: int, recheck: tuple[str, ...] = ()) -> int:
    """A crawl in which every page has an open finding and one probed attachment: a page whose
    plan lets it keep its attachment checks keeps them (naming the crawl that made them), the
    others are checked now."""
    crawl_id = store.start_crawl(SITE, ["镇"], None, when.isoformat(timespec="seconds"))
    plan_recrawl(store, crawl_id, recheck_weeks=weeks, must_fetch=[_url(i) for i in range(n)],
                 recheck_attachments=recheck)
    plan = {r["source_url"]: r for r in store.conn.execute("SELECT * FROM recrawl_plan WHERE crawl_id=?", (crawl_id,))}
    previous = {r["url"]: json.loads(r["attachments"]) for r in store.conn.execute(
        "SELECT url, attachments FROM pages WHERE crawl_id=?", (plan[_url(0)]["source_crawl_id"],))} if plan else {}
    rows = []
    for i in range(n):
        entry = plan.get(_url(i))
        if entry is not None and entry["check_attachments"] == 0:
            before = previous[_url(i)][0]
            attachments = _probed(i, int(before.get("checked_in") or entry["fetched_crawl_id"]))
        else:
            attachments = _probed(i)
        rows.append({**dict(zip(COLUMNS, (crawl_id, _url(i), SITE, "镇", "township", "hanweb", "detail", "t",
                                          "2025-01-01", 200, "{}", "", "[]", "{}", "", "", "[]", None, None))),
                     "attachments": json.dumps(attachments)})
    with store.conn:
        store.conn.executemany(sa.insert(schema.pages), rows)
    store.finish_crawl(crawl_id, "complete", {})
    return crawl_id


def _check_age(store: Store, crawl_id: int) -> list[timedelta]:
    started = {r["id"]: datetime.fromisoformat(r["started_at"]) for r in store.conn.execute("SELECT * FROM crawls")}
    ages = []
    for (attachments,) in store.conn.execute("SELECT attachments FROM pages WHERE crawl_id=?", (crawl_id,)):
        checked = json.loads(attachments)[0].get("checked_in")
        ages.append(started[crawl_id] - started[int(checked) if checked else crawl_id])
    return ages


def test_open_finding_pages_keep_attachment_checks_but_rotate_them_within_the_period(tmp_path):
    n, weeks = 52, 13
    with Store(tmp_path / "s.sqlite3") as store:
        _attachment_crawl(store, START, n, weeks)
        rechecked_by_week = []
        for week in range(1, 3 * weeks + 1):
            crawl_id = _attachment_crawl(store, START + timedelta(weeks=week), n, weeks, recheck=(_url(5),))
            flags = {r["source_url"]: r["check_attachments"] for r in store.conn.execute(
                "SELECT * FROM recrawl_plan WHERE crawl_id=?", (crawl_id,))}
            assert {r["decision"] for r in store.conn.execute(
                "SELECT decision FROM recrawl_plan WHERE crawl_id=?", (crawl_id,))} == {"open_finding"}
            assert flags[_url(5)] == 1  # an open attachment finding: checked every week
            rechecked = {url for url, flag in flags.items() if flag == 1} - {_url(5)}
            assert len(rechecked) == math.ceil((n - 1) / weeks), week  # an even share of the rest
            rechecked_by_week.append(rechecked)
            assert max(_check_age(store, crawl_id)) < timedelta(weeks=weeks), week
        # Every attachment is checked again within each window of `weeks` consecutive crawls.
        for start in range(len(rechecked_by_week) - weeks + 1):
            assert set().union(*rechecked_by_week[start:start + weeks]) == {_url(i) for i in range(n)} - {_url(5)}


def test_downloaded_files_and_unfollowed_links_are_never_carried(tmp_path):
    from crawler.recrawl import carriable

    assert carriable({"url": "u", "status": "200"}) and carriable({"url": "u", "status": "404", "error": "HTTP 404"})
    assert not carriable({"url": "u"})  # never checked
    assert not carriable({"url": "u", "status": "200", "download": "1", "sha256": "ab"})  # the auditor reads it
    assert not carriable({"url": "u", "status": "skipped", "error": "not followed: …"})
    with Store(tmp_path / "s.sqlite3") as store:
        first = store.start_crawl(SITE, ["镇"], None, START.isoformat())
        files = [{"url": "http://portal.example/r.pdf", "status": "200", "download": "1", "sha256": "ab"}]
        with store.conn:
            store.conn.executemany(sa.insert(schema.pages), [
                {**dict(zip(COLUMNS, (first, _url(i), SITE, "镇", "township", "hanweb", "detail", "t", "2025-01-01",
                                      200, "{}", "", "[]", "{}", "", "", "[]", None, None))),
                 "attachments": json.dumps(files if i == 0 else [])} for i in range(2)])
        store.finish_crawl(first, "complete", {})
        second = store.start_crawl(SITE, ["镇"], None, (START + timedelta(weeks=1)).isoformat())
        plan_recrawl(store, second, recheck_weeks=13, must_fetch=[_url(0), _url(1)])
        flags = {r["source_url"]: r["check_attachments"] for r in store.conn.execute(
            "SELECT * FROM recrawl_plan WHERE crawl_id=?", (second,))}
        assert flags == {_url(0): None, _url(1): None}  # nothing to carry: every attachment is fetched


def test_a_fetched_open_finding_page_keeps_its_attachment_checks_only_while_unchanged(tmp_path):
    from crawler.recrawl import CarryOver

    path = tmp_path / "s.sqlite3"
    broken = {"url": "http://portal.example/module/download/2.doc", "text": "附件2", "status": "404",
              "error": "HTTP 404"}
    with Store(path) as store:
        first = store.start_crawl(SITE, ["镇"], None, START.isoformat())
        with store.conn:
            store.conn.executemany(sa.insert(schema.pages), [
                {**dict(zip(COLUMNS, (first, _url(i), SITE, "镇", "township", "hanweb", "detail", "标题",
                                      "2025-01-01", 200, "{}", "<p>正文</p>", "[]", "{}", "", "", "[]", None, None))),
                 "attachments": json.dumps(_probed(i) + [broken])} for i in range(3)])
        store.finish_crawl(first, "complete", {})
        second = store.start_crawl(SITE, ["镇"], None, (START + timedelta(days=1)).isoformat())
        plan_recrawl(store, second, recheck_weeks=13, must_fetch=[_url(i) for i in range(3)],
                     recheck_attachments=[_url(2)])
        flags = {r["source_url"]: r["check_attachments"] for r in store.conn.execute(
            "SELECT * FROM recrawl_plan WHERE crawl_id=?", (second,))}
    assert flags[_url(2)] == 1 and sorted(flags.values()) == [0, 1, 1]  # one of the other two rotates
    kept = next(i for i in range(2) if flags[_url(i)] == 0)
    carry = CarryOver(str(path), second)
    try:
        def fresh(i: int) -> list[dict[str, str]]:
            return [{"url": a["url"], "text": a["text"]} for a in _probed(i) + [broken]]

        unchanged = fresh(kept)
        assert carry.carry_attachment_checks("镇", _url(kept), "标题", "2025-01-01", "<p>正文</p>", unchanged) == 2
        assert [(a["status"], a.get("error"), a["checked_in"]) for a in unchanged] == \
               [("200", None, str(first)), ("404", "HTTP 404", str(first))]
        for html, title, i in (("<p>正文（更正）</p>", "标题", kept),  # the page changed
                               ("<p>正文</p>", "新标题", kept),  # its catalog entry changed
                               ("<p>正文</p>", "标题", 2),  # an open attachment finding
                               ("<p>正文</p>", "标题", 1 - kept)):  # its attachments' turn in the rotation
            attachments = fresh(i)
            assert carry.carry_attachment_checks("镇", _url(i), title, "2025-01-01", html, attachments) == 0
            assert not any("status" in a for a in attachments)
    finally:
        carry.close()
