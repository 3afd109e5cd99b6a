"""The re-crawl budget against the demo portal, seen from the server's request log: an unchanged
page is not asked for, a retitled one is at once, a silently edited one within the period,
every page within the period, and pages with open findings every time; a carried page is
audited like a fetched one and the report's coverage line says how many were carried.

Crawls are dated explicitly (`crawl_date`) to replay successive weeks in seconds; the site
config is the demo one with a 4-week period, so the rotation comes round in four crawls.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml

from crawler.catalog_sync import changes
from crawler.crawl import run_crawl
from demoportal.server import DemoPortal
from govaudit.store import Store

pytestmark = pytest.mark.slow  # serves the demo portal

REPO = Path(__file__).resolve().parents[2]
UNITS = ["乌镇镇", "濮院镇"]
WEEKS = 4
WEEK0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
TEST_SETTINGS = {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 1, "GOVAUDIT_RETRY_BACKOFF_BASE": 0.05}


def _site(tmp_path: Path, **politeness) -> Path:
    site = yaml.safe_load((REPO / "crawler/sites/demo.yml").read_text(encoding="utf-8"))
    site["politeness"] = {**site["politeness"], **politeness}
    path = tmp_path / "recrawl-demo.yml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    return path


def _details(store: Path, crawl_id: int) -> dict[str, object]:
    with Store(store) as st:
        return {urlsplit(p.url).path: p for p in st.pages(crawl_id) if p.kind == "detail"}


class Week:
    def __init__(self, summary, requested: set[str], pages: dict[str, object], stats: dict[str, int],
                 asked: set[str] | frozenset[str] = frozenset()):
        self.summary, self.requested, self.pages, self.stats = summary, requested, pages, stats
        self.asked = asked  # paths with their query (attachments differ only in it)

    @property
    def fetched(self) -> set[str]:
        return {path for path, p in self.pages.items() if p.carried_from is None}

    @property
    def carried(self) -> set[str]:
        return {path for path, p in self.pages.items() if p.carried_from is not None}


def _crawl(portal: DemoPortal, store: Path, site: Path, when: datetime, units: list[str] = UNITS, **kw) -> Week:
    before = len(portal.requests())
    summary = run_crawl(site, store, units=units, base_url=portal.url, show_progress=False,
                        settings_overrides=TEST_SETTINGS, crawl_date=when, **kw)
    assert summary.status == "complete"
    asked = {r["path"] for r in portal.requests()[before:]}
    requested = {urlsplit(path).path for path in asked}
    with Store(store) as st:
        closed = st.crawl(summary.crawl_id)["stats"]["closed"]
    stats = {k.rsplit("/", 1)[1]: v for k, v in closed.items() if k.startswith("govaudit/recrawl/")}
    return Week(summary, requested, _details(store, summary.crawl_id), stats, asked)


@pytest.fixture(scope="module")
def weekly(tmp_path_factory):
    """Week 0 crawled; then a clean page edited in place and another retitled; weeks 1–4
    crawled; then a crawl after a five-week gap."""
    tmp = tmp_path_factory.mktemp("recrawl")
    store, site = tmp / "govaudit.sqlite3", _site(tmp, recheck_weeks=WEEKS)
    with DemoPortal(seed=7, size=300) as portal:
        weeks = [_crawl(portal, store, site, WEEK0)]
        clean = [d for d in portal.manifest["documents"] if d["unit"] in UNITS and d["report_type"] == "routine"
                 and d["http_status"] == 200 and not d["defects"]]
        edited, retitled = clean[0], clean[1]
        portal.change(change=[edited["doc_id"]], retitle=[retitled["doc_id"]])
        for week in range(1, WEEKS + 1):
            weeks.append(_crawl(portal, store, site, WEEK0 + timedelta(weeks=week)))
        late = _crawl(portal, store, site, WEEK0 + timedelta(weeks=WEEKS + 5))
    return store, weeks, late, edited, retitled


def test_unchanged_pages_are_not_requested_and_keep_their_last_copy(weekly):
    store, weeks, _, edited, retitled = weekly
    first, second = weeks[0], weeks[1]
    assert second.carried and second.pages.keys() == first.pages.keys()
    assert not second.carried & second.requested  # the server was never asked for a carried page
    assert second.fetched <= second.requested
    assert second.summary.carried == len(second.carried) and second.summary.fetched == len(second.fetched)
    for path in second.carried:
        old, new = first.pages[path], second.pages[path]
        assert new.carried_from == first.summary.crawl_id
        assert (new.body_text, new.meta_pairs, new.http_status, new.fetched_at) == \
               (old.body_text, old.meta_pairs, old.http_status, old.fetched_at)
    # What was fetched is what the budget asked for, and nothing else: the retitled entry, the
    # pages whose last fetch failed and a quarter of the rest (a 4-week period, one week since
    # the previous crawl; the plan is made before the catalog is read, so the retitled page
    # may be among that quarter).
    assert second.stats.get("changed") == 1 and second.stats.get("carried") == len(second.carried)
    ok = {path for path, p in first.pages.items() if p.error is None and p.http_status == 200}
    with Store(store) as st:
        planned = {r[0] for r in st.conn.execute("SELECT path FROM recrawl_plan WHERE crawl_id=? AND "
                                                 "decision='rotation'", (second.summary.crawl_id,))}
    assert len(planned) == -(-len(ok) // WEEKS) and planned <= ok
    assert second.fetched == planned | {retitled["url_path"]} | (set(first.pages) - ok)


def test_a_changed_catalog_entry_is_fetched_at_once(weekly):
    _, weeks, _, _, retitled = weekly
    page = weeks[1].pages[retitled["url_path"]]
    assert retitled["url_path"] in weeks[1].requested and page.carried_from is None
    assert page.list_title.endswith("（修订）")


def test_the_rotation_fetches_every_page_within_the_period(weekly):
    _, weeks, _, _, _ = weekly
    every = set(weeks[0].pages)
    assert set().union(*(w.fetched for w in weeks[1:])) == every
    assert set().union(*(w.requested for w in weeks[1:])) >= every
    # Spread evenly: no week fetches much more than its share.
    rotations = [w.stats.get("rotation", 0) for w in weeks[1:]]
    assert max(rotations) - min(rotations) <= 2, rotations
    # No crawl holds a copy fetched a whole period or more before it.
    with Store(weekly[0]) as st:
        started = {c["id"]: datetime.fromisoformat(c["started_at"]) for c in st.crawls()}
    for week in weeks[1:]:
        now = started[week.summary.crawl_id]
        assert all(now - started[p.carried_from] < timedelta(weeks=WEEKS) for p in week.pages.values()
                   if p.carried_from is not None)


def test_a_silent_edit_is_found_within_the_period(weekly):
    store, weeks, _, edited, _ = weekly
    found = []
    with Store(store) as st:
        for week in weeks[1:]:
            rows = [r for r in changes(st, week.summary.crawl_id) if r["doc_key"] == edited["doc_id"]]
            found += [(week.summary.crawl_id, r["change"], r["fields"]) for r in rows]
    assert len(found) == 1 and found[0][1:] == ("changed", ["body"]), found
    assert "第1次更正" in weeks[-1].pages[edited["url_path"]].body_text


def test_a_crawl_after_a_gap_longer_than_the_period_fetches_every_page(weekly):
    _, weeks, late, _, _ = weekly
    assert not late.carried and late.fetched == set(weeks[0].pages)


def test_open_findings_are_fetched_and_carried_pages_are_audited_like_fetched_ones(tmp_path):
    from audits.audit import run_site
    from audits.history import recrawl_fetches

    store, reports = tmp_path / "govaudit.sqlite3", tmp_path / "reports"
    with DemoPortal(seed=7, size=300) as portal:
        first = run_site("demo", UNITS, store_path=store, reports_dir=reports, base_url=portal.url)
        open_urls = {urlsplit(u).path for u in recrawl_fetches(store, first.site)["must_fetch"]}
        before = len(portal.requests())
        second = run_site("demo", UNITS, store_path=store, reports_dir=reports, base_url=portal.url)
        requested = {urlsplit(r["path"]).path for r in portal.requests()[before:]}
    pages = _details(store, second.crawl_id)
    carried = {path for path, p in pages.items() if p.carried_from is not None}
    assert open_urls and carried and len(carried) > len(pages) // 2
    assert open_urls <= requested and not open_urls & carried  # every page with a finding asked again
    assert not carried & requested
    # The audit of a crawl made mostly of carried pages finds what the audit of the fetched crawl found.
    keys = lambda run: sorted(run.findings["finding_key"])  # noqa: E731
    assert keys(second.audit) == keys(first.audit) and len(second.documents) == len(first.documents)
    # The report's coverage line says how many pages were fetched and how many carried over.
    tree = lxml.html.fromstring(second.report_path.read_text(encoding="utf-8"))
    [line] = tree.xpath("//dd[@data-recrawl-carried]")
    fetched = len(pages) - len(carried)
    assert line.text_content() == f"本次复核 {fetched} 页，沿用上次 {len(carried)} 页"
    assert not lxml.html.fromstring(first.report_path.read_text(encoding="utf-8")).xpath("//dd[@data-recrawl-carried]")


def test_an_unchanged_open_finding_page_keeps_its_attachment_checks(tmp_path):
    """Pages fetched for their open findings: the attachments of an unchanged one are not asked
    for again (their checks are carried over, naming the crawl that made them); those of a page
    edited since, of a page with an open attachment finding and of pages whose turn in the
    rotation came are."""
    from crawler.recrawl import _tiebreak, carriable

    units = ["濮院镇", "桐乡市人民政府"]
    store, site = tmp_path / "govaudit.sqlite3", _site(tmp_path)  # the default 13-week period
    with DemoPortal(seed=7, size=300) as portal:
        first = _crawl(portal, store, site, WEEK0, units=units)
        probed = sorted((path for path, p in first.pages.items()
                         if p.attachments and all(carriable(a) for a in p.attachments)), key=_tiebreak)
        assert len(probed) >= 4, probed
        # The rotation takes the smallest tie-break first: the page edited is one it does not take.
        attach_finding, edited = probed[0], probed[-1]
        doc = next(d for d in portal.manifest["documents"] if d["url_path"] == edited)
        portal.change(change=[doc["doc_id"]])
        second = _crawl(portal, store, site, WEEK0 + timedelta(weeks=1), units=units,
                        must_fetch=[portal.url_for(p) for p in probed],
                        recheck_attachments=[portal.url_for(attach_finding)])
    with Store(store) as st:
        flags = {r["path"]: r["check_attachments"] for r in st.conn.execute(
            "SELECT path, check_attachments FROM recrawl_plan WHERE crawl_id=?", (second.summary.crawl_id,))}
    assert flags[attach_finding] == 1 and flags[edited] == 0
    kept = [p for p in probed if flags[p] == 0 and p != edited]
    # The finding's page, and a 13th of the others (one week of the period) in the rotation.
    assert kept and sum(flags[p] for p in probed) == 1 + -(-(len(probed) - 1) // 13)

    def requested(path: str) -> set[bool]:
        links = [urlsplit(a["url"]) for a in second.pages[path].attachments]
        return {link.path + (f"?{link.query}" if link.query else "") in second.asked for link in links}

    assert set(probed) <= second.fetched  # every page with an open finding is fetched
    for path in kept:
        assert requested(path) == {False}, path
        old, new = first.pages[path].attachments, second.pages[path].attachments
        assert [(a["url"], a["status"]) for a in new] == [(a["url"], a["status"]) for a in old]
        assert {a["checked_in"] for a in new} == {str(first.summary.crawl_id)}
    for path in [p for p in probed if p not in kept]:
        assert requested(path) == {True}, path
        assert not any("checked_in" in a for a in second.pages[path].attachments)
    assert second.stats["attachment_checks_carried"] == sum(len(second.pages[p].attachments) for p in kept)
