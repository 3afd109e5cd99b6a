"""The crawler, the audit, the report and the digest against a hostile portal on loopback.

One crawl of tests/mockserver/hostile.py (every unit, short timeouts, a 1 MB page limit and a
100-document budget per unit) is checked for what must hold whatever a portal serves: only
http(s) on the site's own origins is fetched (never a local file, another port or a cloud
metadata address), every listed link is either requested or stored as not followed with its
reason, budgets stop a catalog that claims millions of records, oversize pages name the limit,
and hostile text comes out inert in the terminal, the CSV exports, the report and the email.
"""
from __future__ import annotations

import os
import pickle
import re
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import pytest

from crawler.crawl import crawl_environment, run_crawl
from govaudit.store import Store
from tests.mockserver.hostile import FORMULA_TITLE, UNITS, HostileSite

pytestmark = pytest.mark.slow

SETTINGS = {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 0, "DOWNLOAD_MAXSIZE": 1_000_000}
POLITENESS = "{concurrency_per_host: 8, delay: 0, max_pages_per_unit: 100}"
SECRET = "s3cret-smtp-password"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Crawled:
    site: HostileSite
    config: Path
    store: Path
    summary: object
    pages: dict
    child_env: dict


@pytest.fixture(scope="module")
def hostile():
    site = HostileSite().start()
    try:
        yield site
    finally:
        site.stop()


def _watch_child_env(found: dict, stop: threading.Event) -> None:
    """Read the environment of our crawl child from /proc while it runs (Linux)."""
    me = os.getpid()
    while not stop.is_set() and not found:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if int(stat.rsplit(")", 1)[1].split()[1]) == me and b"crawler.crawl_subprocess" in cmdline:
                    raw = Path(f"/proc/{pid}/environ").read_bytes()
                    found.update(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)
            except (OSError, ValueError, IndexError):
                continue
        time.sleep(0.05)


@pytest.fixture(scope="module")
def crawled(hostile, tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile")
    config = hostile.site_config(directory, POLITENESS)
    store = directory / "govaudit.sqlite3"
    child_env: dict = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_child_env, args=(child_env, stop), daemon=True)
    os.environ["GOVAUDIT_SMTP_PASSWORD"] = SECRET
    watcher.start()
    try:
        summary = run_crawl(config, store, show_progress=False, settings_overrides=SETTINGS)
    finally:
        del os.environ["GOVAUDIT_SMTP_PASSWORD"]
        stop.set()
        watcher.join()
    with Store(store) as st:
        pages = {p.url: p for p in st.pages(summary.crawl_id)}
    return Crawled(hostile, config, store, summary, pages, child_env)


@pytest.fixture(scope="module")
def audited(crawled, tmp_path_factory):
    from audits.audit import audit_crawl, render

    result = audit_crawl(crawled.store, crawled.summary.crawl_id)
    report = render(crawled.store, result.run_id, tmp_path_factory.mktemp("reports"))
    return result, Path(report)


def _links_unit_pages(crawled: Crawled) -> dict:
    return {url: p for url, p in crawled.pages.items() if p.unit == UNITS["links"][0] and p.kind == "detail"}


# 1 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["file://127.0.0.1/etc/passwd", "file:///proc/self/environ", "file:///dev/zero"])
def test_local_files_are_never_read(crawled, url):
    page = crawled.pages[url]
    assert page.http_status is None and not page.html
    assert page.error == f"not followed: file scheme in link {url!r}; only http and https links are crawled"


def test_no_stored_page_holds_local_file_content(crawled):
    assert not any("root:x:0:0" in p.html or SECRET in p.html for p in crawled.pages.values())


def test_redirect_to_a_local_file_or_ftp_is_not_followed(crawled):
    page = crawled.pages[crawled.site.url + "art/redirect-file.html"]
    assert page.error.startswith("not followed: HTTP 302 at ") and "file scheme in link 'file:///etc/passwd'" in page.error
    page = crawled.pages[crawled.site.url + "art/redirect-ftp.html"]
    assert "redirects to a ftp scheme in link" in page.error


def test_crawl_child_gets_no_smtp_secret(crawled):
    assert crawled.child_env, "the crawl child was not seen"
    assert "GOVAUDIT_SMTP_PASSWORD" not in crawled.child_env
    assert SECRET not in crawled.child_env.values()
    assert crawled.child_env.get("PATH") == os.environ.get("PATH")  # the rest is inherited


def test_crawl_environment_drops_only_smtp_settings(monkeypatch):
    monkeypatch.setenv("GOVAUDIT_SMTP_USER", "u")
    monkeypatch.setenv("GOVAUDIT_STORE", "/x")
    env = crawl_environment()
    assert "GOVAUDIT_SMTP_USER" not in env and env["GOVAUDIT_STORE"] == "/x"


# 2 ---------------------------------------------------------------------------------------
def test_every_listed_link_is_requested_or_recorded_as_not_followed(crawled):
    pages = _links_unit_pages(crawled)
    listed = crawled.site.links_catalog().count("<record>")
    assert len(pages) == listed, sorted(pages)
    for url in ("art/good-1.html", "art/good-2.html", "art/attachments.html"):
        page = pages[crawled.site.url + url]
        assert page.http_status == 200 and page.error is None and page.body_text, url
    reasons = {url: p.error for url, p in pages.items() if p.error}
    assert reasons["javascript:void(0)"].startswith("not followed: javascript scheme in link")
    assert reasons["mailto:zwgk@example.org"].startswith("not followed: mailto scheme")
    assert reasons["data:text/html,<script>alert(1)</script>"].startswith("not followed: data scheme")
    assert reasons["http://[::1/art/broken.html"] == ("not followed: malformed link 'http://[::1/art/broken.html' "
                                                      "(Invalid IPv6 URL)")
    assert all(r.startswith("not followed:") for r in reasons.values()), reasons


def test_bad_attachment_links_are_skipped_and_the_page_kept(crawled):
    page = crawled.pages[crawled.site.url + "art/attachments.html"]
    by_url = {a["url"]: a for a in page.attachments}
    assert by_url[crawled.site.url + "files/real.pdf"]["status"] == "200"
    for url in ("javascript:window.open('/files/real.pdf?')", "file:///etc/passwd#.pdf", "http://[::1/x.pdf"):
        assert by_url[url]["status"] == "skipped" and by_url[url]["error"].startswith("not followed:"), by_url[url]


def test_crawl_summary_counts_skipped_links(crawled):
    assert crawled.summary.status == "complete"
    row = next(u for u in crawled.summary.units if u["unit"] == UNITS["links"][0])
    not_followed = sum(1 for p in _links_unit_pages(crawled).values() if (p.error or "").startswith("not followed"))
    skipped_attachments = 3
    assert row["skipped"] == not_followed + skipped_attachments and row["failed"] == 0
    assert row["pages"] == 3


def test_not_followed_links_are_reported_as_could_not_check(crawled, audited):
    findings = audited[0].findings
    rows = findings[findings["url"] == "javascript:void(0)"]
    assert set(rows["rule_id"]) == {"FETCH-4"} and set(rows["kind"]) == {"could_not_check"}


def test_a_callback_that_raises_costs_only_its_page(crawled, audited):
    unit = UNITS["garbled"][0]
    [catalog] = [p for p in crawled.pages.values() if p.unit == unit and p.kind == "catalog"]
    assert catalog.error.startswith("catalog could not be read (ValueError: ")
    doc = crawled.pages[crawled.site.url + "art/garbled-doc.html"]  # listed before the error: still read
    assert doc.http_status == 200 and doc.error is None
    findings = audited[0].findings
    assert "FETCH-2" in set(findings[findings["url"] == catalog.url]["rule_id"])


# 3 ---------------------------------------------------------------------------------------
def test_digest_has_no_live_link_but_http(crawled, audited):
    from audits.mail.digest import render_digest
    from audits.mail.recipients import Recipient
    from audits.schedule.schedule_file import ScheduledJob

    result, report = audited

    class Outcome:
        run_id, site, report_path = result.run_id, "hostile", report
        findings, documents = result.findings, result.documents

    job = ScheduledJob("weekly", "hostile", "0 8 * * MON", "Asia/Shanghai", (Recipient("a@example.org"),))
    digest = render_digest(job, job.recipients[0], Outcome, None, datetime.now(timezone.utc))
    hrefs = [a.get("href") for a in lxml.html.fromstring(digest.html).iter("a")]
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert "javascript:void(0)" in digest.html  # still named, as text
    assert "\x1b" not in digest.text and "终端" in digest.text  # the text part keeps the words, not the escapes


# 4 ---------------------------------------------------------------------------------------
def test_huge_publisher_is_judged_on_a_capped_value(crawled, audited):
    findings = audited[0].findings
    rows = findings[(findings["url"] == crawled.site.url + "art/publisher.html") & (findings["rule_id"] == "META-3")]
    assert len(rows) == 1 and rows.iloc[0]["kind"] == "failure"
    assert len(rows.iloc[0]["message"]) < 3000 and "…" in rows.iloc[0]["message"]


# 7 ---------------------------------------------------------------------------------------
def test_http_cache_holds_json_and_bytes_only(crawled):
    cache = crawled.store.parent / "httpcache" / "hostile" / "cache.sqlite3"
    with sqlite3.connect(cache) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"http_responses"}
        status, headers, body = conn.execute(
            "SELECT status, headers, body FROM http_responses WHERE url LIKE '%good-1.html'").fetchone()
    import json
    import zlib
    assert status == 200 and json.loads(headers) and "正常文件" in zlib.decompress(body).decode()


def test_planted_cache_rows_cannot_run_code(hostile, tmp_path):
    config = hostile.site_config(tmp_path, POLITENESS, units=[UNITS["links"]], name="planted")
    store = tmp_path / "govaudit.sqlite3"
    run_crawl(config, store, show_progress=False, settings_overrides=SETTINGS)
    cache = tmp_path / "httpcache" / "planted" / "cache.sqlite3"
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with sqlite3.connect(cache) as conn:  # an old-style pickled table and garbage in the new one
        conn.execute("CREATE TABLE responses (fingerprint TEXT PRIMARY KEY, url TEXT, stored_at REAL, data BLOB)")
        conn.execute("INSERT INTO responses VALUES ('x', 'u', 0, ?)", (pickle.dumps(Exploit()),))
        conn.execute("UPDATE http_responses SET body = ?, headers = 'not json'", (pickle.dumps(Exploit()),))
    again = run_crawl(config, store, show_progress=False, settings_overrides=SETTINGS, full=True)  # reads the cache
    assert not marker.exists()
    assert again.status == "complete"
    with Store(store) as st:
        good = [p for p in st.pages(again.crawl_id) if p.url.endswith("good-1.html")]
    assert good and good[0].http_status == 200 and "正常文件" in good[0].body_text


# 12 --------------------------------------------------------------------------------------
def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "audits.cli", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=600, **kwargs)


def test_crawls_and_frames_print_hostile_text_inert(crawled):
    listing = _cli("crawls", "--store", str(crawled.store))
    assert listing.returncode == 0, listing.stderr
    shown = _cli("frames", "--store", str(crawled.store), "--unit", UNITS["text"][0], "--limit", "0")
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "Traceback" not in shown.stderr
    assert "[/red]标题" in shown.stdout  # printed as text, not taken as markup
    assert "点我" in shown.stdout and "evil.example" in shown.stdout  # the text stays, its escapes go


def test_crawl_command_survives_a_markup_unit_name(hostile, tmp_path):
    config = hostile.site_config(tmp_path, POLITENESS, units=[UNITS["text"]], name="markup")
    done = _cli("crawl", str(config), "--store", str(tmp_path / "s.sqlite3"))
    assert done.returncode == 0, done.stderr
    assert "[/bold]文本测试办" in done.stderr and "MarkupError" not in done.stderr


# 13 --------------------------------------------------------------------------------------
def test_frames_csv_neutralises_formulas(crawled, tmp_path):
    done = _cli("frames", "--store", str(crawled.store), "--csv", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "documents.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA_TITLE.replace('"', '""') in text
    assert not re.search(r'(^|,)"?=HYPERLINK', text, re.M)


# 14 --------------------------------------------------------------------------------------
def test_page_budget_cuts_a_bottomless_catalog_short(crawled, audited):
    unit = UNITS["budget"][0]
    details = [p for p in crawled.pages.values() if p.unit == unit and p.kind == "detail"]
    [catalog] = [p for p in crawled.pages.values() if p.unit == unit and p.kind == "catalog"]
    assert len(details) == 100
    assert catalog.error == ("catalog cut short: page budget politeness.max_pages_per_unit=100 reached after 100 "
                             "documents of the 10000000 records the catalog claims; the rest of the catalog could "
                             "not be checked")
    assert crawled.site.hits["/module/web/jpage/dataproxy.jsp"] <= 3
    findings = audited[0].findings
    assert "FETCH-2" in set(findings[findings["url"] == catalog.url]["rule_id"])


def test_endless_page_names_the_size_limit(crawled):
    page = crawled.pages[crawled.site.url + "art/endless.html"]
    assert page.error.startswith(f"page too large: {crawled.site.url}art/endless.html is bigger than "
                                 "DOWNLOAD_MAXSIZE=1000000 bytes")


def test_time_budget_cuts_a_catalog_short(hostile, tmp_path):
    config = hostile.site_config(tmp_path, "{concurrency_per_host: 1, delay: 0.3, max_minutes_per_unit: 0.05}",
                                 units=[UNITS["budget"]], name="slow")
    summary = run_crawl(config, tmp_path / "s.sqlite3", show_progress=False, settings_overrides=SETTINGS)
    with Store(tmp_path / "s.sqlite3") as st:
        pages = list(st.pages(summary.crawl_id))
    [catalog] = [p for p in pages if p.kind == "catalog"]
    assert catalog.error.startswith("catalog cut short: time budget politeness.max_minutes_per_unit=0.05 used up")
    # Listing stopped within the first few record windows (45 each), far below the page budget.
    assert len(pages) - 1 <= 3 * 45


def test_crawl_page_budget_spans_units(hostile, tmp_path):
    config = hostile.site_config(tmp_path, "{concurrency_per_host: 8, delay: 0, max_pages: 50}",
                                 units=[UNITS["links"], UNITS["budget"]], name="crawlbudget")
    summary = run_crawl(config, tmp_path / "s.sqlite3", show_progress=False, settings_overrides=SETTINGS)
    with Store(tmp_path / "s.sqlite3") as st:
        pages = list(st.pages(summary.crawl_id))
    assert len([p for p in pages if p.kind == "detail"]) == 50
    cut = [p for p in pages if p.kind == "catalog"]
    assert cut and all(p.error.startswith("catalog cut short: page budget of the whole crawl politeness.max_pages=50")
                       for p in cut), [p.error for p in cut]


# 15 --------------------------------------------------------------------------------------
def test_same_host_on_another_port_is_not_followed(crawled):
    assert crawled.site.other_hits == []
    for path in ("art/other-port.html", "art/redirect-port.html"):
        page = next(p for url, p in crawled.pages.items() if url.endswith(path))
        assert re.match(r"not followed: host http://127\.0\.0\.1:\d+ is not one of the site's hosts", page.error)
    assert crawled.pages[f"ftp://127.0.0.1:{crawled.site.url.rstrip('/').rsplit(':', 1)[1]}/pub/a.html"].error \
        .startswith("not followed: ftp scheme")


def test_allowed_origins_are_scheme_host_and_port():
    from crawler.middlewares.hostpolicy import allowed_origins

    origins = allowed_origins("http://gov.example/", ["http://gov.example/col/1"],
                              ("cdn.example", "https://files.example:8443"))
    assert ("http", "gov.example", 80) in origins and ("https", "gov.example", 443) in origins
    assert ("http", "gov.example", 8080) not in origins and ("ftp", "gov.example", 21) not in origins
    assert ("https", "files.example", 8443) in origins and ("https", "files.example", 443) not in origins
    assert ("https", "cdn.example", 443) in origins


# what already held, kept held --------------------------------------------------------------
def test_gzip_bomb_is_stopped_at_the_size_limit(crawled):
    page = crawled.pages[crawled.site.url + "art/bomb.html"]
    assert page.http_status is None and not page.html and "DOWNLOAD_MAXSIZE" in page.error


def test_redirect_to_cloud_metadata_is_not_followed(crawled):
    page = crawled.pages[crawled.site.url + "art/redirect-metadata.html"]
    assert page.error.startswith("not followed: host http://169.254.169.254 is not one of the site's hosts")


def test_report_keeps_hostile_titles_inert(crawled, audited):
    _, report = audited
    html = report.read_text(encoding="utf-8")
    tree = lxml.html.fromstring(html)
    assert not any("alert(" in (s.text or "") for s in tree.iter("script"))
    assert not [el for el in tree.iter() if any(k.lower().startswith("on") for k in el.attrib)]
    assert not [a for a in tree.iter("a") if (a.get("href") or "").strip().lower().startswith(("javascript:", "data:", "file:"))]


def test_report_exports_neutralise_formulas(crawled, audited):
    _, report = audited
    text = (report.parent / "documents.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA_TITLE.replace('"', '""') in text
    assert not re.search(r'(^|,)"?=HYPERLINK', text, re.M)


# 11 --------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _stored_pages(store: Path) -> int:
    if not store.exists():
        return 0
    with Store(store) as st:
        return st.page_count(1)


def _wait_for(condition, what: str, guard: float = 120.0):
    """Poll until `condition()` is truthy; the guard only keeps a broken build from hanging."""
    deadline = time.monotonic() + guard
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def test_crawl_child_dies_with_its_parent_and_the_row_is_closed_next_time(hostile, tmp_path):
    config = hostile.site_config(tmp_path, "{concurrency_per_host: 1, delay: 0.5}", units=[UNITS["budget"]],
                                 name="orphan")
    store = tmp_path / "govaudit.sqlite3"
    parent = subprocess.Popen([sys.executable, "-m", "audits.cli", "crawl", str(config), "--store", str(store), "-q"],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        [child] = _wait_for(lambda: _children(parent.pid), "the crawl child")
        _wait_for(lambda: _stored_pages(store) > 0, "the first stored page")
        os.kill(parent.pid, 9)
        parent.wait()
        _wait_for(lambda: not _alive(child), "the orphaned crawl child to end")
    finally:
        if parent.poll() is None:
            parent.kill()
    with Store(store) as st:
        assert st.crawl(1)["status"] == "running"  # nobody closed it: the parent was killed
    first_log = (tmp_path / "logs" / "crawl-1.log").read_text(encoding="utf-8")
    assert "----- crawl 1 of orphan started at" in first_log

    small = hostile.site_config(tmp_path, "{concurrency_per_host: 8, delay: 0, max_pages_per_unit: 5}",
                                units=[UNITS["budget"]], name="orphan")
    resumed = run_crawl(small, store, show_progress=False, settings_overrides=SETTINGS, resume=1)
    assert resumed.crawl_id == 1 and resumed.status == "complete"
    log = (tmp_path / "logs" / "crawl-1.log").read_text(encoding="utf-8")
    assert log.startswith(first_log) and "----- crawl 1 of orphan resumed at" in log


def test_stale_running_crawl_is_closed_at_the_next_start(hostile, tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    with Store(store) as st:  # a crawl row whose process is gone (nobody holds its lock)
        stale = st.start_crawl("orphan", [UNITS["budget"][0]])
    small = hostile.site_config(tmp_path, "{concurrency_per_host: 8, delay: 0, max_pages_per_unit: 5}",
                                units=[UNITS["budget"]], name="orphan")
    run_crawl(small, store, show_progress=False, settings_overrides=SETTINGS)
    with Store(store) as st:
        crawl = st.crawl(stale)
    assert crawl["status"] == "failed" and crawl["finished_at"]
    assert crawl["stats"]["closed"]["reason"].startswith("the crawl process died")
