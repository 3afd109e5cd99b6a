"""The first screens, in Debian's headless Chromium: the report on a 1366×768 laptop shows the
scorecard and "new this week" without scrolling; the digest on a 390 px phone scrolls only down."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from audits.history import load_run
from audits.mail.digest import render_digest
from audits.report.diff import compare_runs
from audits.report.render import render_run
from audits.report.standing import standing
from audits.schedule.schedule_file import load_schedule
from tests.headless_chromium import Chromium, require_chromium
from tests.mail_fixtures import Outcome, write_schedule, write_site
from tests.report_runs import document, finding, realistic_docs, realistic_findings, record

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LONG_URL = "http://www.tx.gov.cn/art/2024/3/20/" + "very-long-path-segment-" * 12 + "art_long.html"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]


@pytest.fixture
def chromium():
    return require_chromium()  # a listed skip without Chromium, a failure under CI=true


def two_weeks(store: Path) -> int:
    docs = realistic_docs()
    record(store, list(docs.values()), realistic_findings(docs), started_at="2024-04-01T01:30:00+00:00")
    docs = realistic_docs()
    docs["long"] = document("long", "濮院镇", "濮院镇关于" + "进一步加强和规范" * 8 + "的通知", url=LONG_URL)
    found = realistic_findings(docs) + [
        finding("META-1", docs["long"], observed="fetched_date=2024-03-01，published_at=（空）"),
        finding("XX-SEC-3", docs["wtxx"], observed="fz_measures,fz_shortcomings")]
    return record(store, list(docs.values()), found, started_at="2024-04-08T01:30:00+00:00")


def viewport(browser: Chromium, width: int, height: int, mobile: bool) -> None:
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


@pytest.mark.timeout(180)
def test_scorecard_and_new_this_week_are_above_the_fold_at_1366x768(tmp_path):
    store = tmp_path / "s.sqlite3"
    run_id = two_weeks(store)
    report = render_run(store, run_id, tmp_path / "reports")
    with Chromium() as browser:
        viewport(browser, 1366, 768, mobile=False)
        browser.open(report.as_uri())
        box = lambda selector: browser.evaluate(  # noqa: E731
            f"(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect();"
            f" return [r.top, r.bottom]; }})()")
        scorecard, week, first_new = box("#scorecard table"), box("#this-week .week-counts"), box("#this-week li")
        height = browser.evaluate("window.innerHeight")
        shot = browser.send("Page.captureScreenshot", {"format": "png"})
    (ARTIFACTS / "report-1366x768.png").parent.mkdir(parents=True, exist_ok=True)
    import base64
    (ARTIFACTS / "report-1366x768.png").write_bytes(base64.b64decode(shot["data"]))
    assert height == 768
    assert 0 < scorecard[0] and scorecard[1] <= 768, scorecard  # the whole scorecard
    assert week[1] <= 768 and first_new[1] <= 768, (week, first_new)  # the counts and the first new finding


@pytest.mark.timeout(300)
def test_the_demo_portals_fifteen_units_and_this_week_fit_the_first_screen(demo_audit):
    """The bundled portal (15 units, and the holiday-calendar banner while it applies) on a laptop."""
    _, report = demo_audit
    with Chromium() as browser:
        viewport(browser, 1366, 768, mobile=False)
        browser.open(report.as_uri())
        rows = browser.evaluate("document.querySelectorAll('#scorecard tr.unit-row').length")
        bottoms = browser.evaluate("['#scorecard table', '#this-week .week-counts'].map("
                                   "s => document.querySelector(s).getBoundingClientRect().bottom)")
    assert rows == 15
    assert max(bottoms) <= 768, bottoms


@pytest.mark.timeout(180)
def test_digest_at_390px_scrolls_only_down(tmp_path):
    store = tmp_path / "s.sqlite3"
    run_id = two_weeks(store)
    run = load_run(store, run_id)
    where = standing(store, run, compare_runs(store, run_id))
    report = render_run(store, run_id, tmp_path / "reports")
    job = load_schedule(write_schedule(tmp_path, write_site(tmp_path))).job("weekly-test")
    outcome = Outcome(run_id, report, run.findings, run.documents, site=run.site)
    digest = render_digest(job, job.recipients[0], outcome, None, datetime(2024, 4, 8, 1, 40, tzinfo=timezone.utc),
                           where)
    page = tmp_path / "digest.html"
    page.write_text(digest.html, encoding="utf-8")
    with Chromium() as browser:
        viewport(browser, 390, 844, mobile=True)
        browser.open(page.as_uri())
        widths = browser.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth,"
                                  " window.innerWidth]")
        text = browser.evaluate("document.body.innerText")
        browser.screenshot(ARTIFACTS / "digest-390.png")
    assert widths[2] == 390 and max(widths[:2]) <= 390, widths  # no horizontal scroll
    assert "fetched_date" not in text and "published_at" not in text and "fz_measures" not in text
    assert "抓取日期：2024-03-01" in text and "存在的不足和原因" in text
    png = (ARTIFACTS / "digest-390.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
