"""The first screens, in Debian's headless Chromium: the report on a 1366×768 laptop shows the
scorecard and "new this week" without scrolling; the digest on a 390 px phone scrolls only down."""
from __future__ import annotations

import shutil
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
def test_on_the_demo_portal_the_worst_units_and_this_weeks_counts_are_on_the_first_screen(tmp_path, demo_crawl):
    """The bundled portal (its many units, and the holiday-calendar banner while it applies) on a
    laptop, in its second weekly run: this week's counts sit in the header, the scorecard starts
    on the first screen with its worst units."""
    from audits.audit import audit_crawl, render

    source, summary = demo_crawl
    store = tmp_path / "govaudit.sqlite3"
    shutil.copy(source, store)
    audit_crawl(store, summary.crawl_id)
    report = render(store, audit_crawl(store, summary.crawl_id).run_id, tmp_path / "reports")
    with Chromium() as browser:
        viewport(browser, 1366, 768, mobile=False)
        browser.open(report.as_uri())
        rows = browser.evaluate("[...document.querySelectorAll('#scorecard tr.unit-row')]"
                                ".map(r => r.getBoundingClientRect().bottom)")
        week = browser.evaluate("document.querySelector('#summary .header-week').getBoundingClientRect().bottom")
    assert len(rows) >= 15
    assert week <= 768 and all(bottom <= 768 for bottom in rows[:10]), (week, rows[:10])
