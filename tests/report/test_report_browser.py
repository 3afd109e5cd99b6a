"""The report in a real browser (Debian's headless Chromium, no network): it loads nothing but
itself, runs nothing, logs no error, and hostile page text reads as text."""
from __future__ import annotations

from pathlib import Path

import pytest

from audits.report.render import render_run
from tests.headless_chromium import Chromium, require_chromium
from tests.report_runs import HOSTILE_OBSERVED, HOSTILE_TITLE, realistic_run

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOSTILE_SITE = 'tongxiang"><script>window.__site=1</script>'

pytestmark = pytest.mark.slow


@pytest.fixture
def chromium():
    return require_chromium()


@pytest.mark.timeout(180)
def test_report_in_headless_chromium_loads_only_itself_and_runs_nothing(tmp_path, chromium):
    store = tmp_path / "govaudit.sqlite3"
    run_id, _ = realistic_run(store, hostile=True, site=HOSTILE_SITE)
    report = render_run(store, run_id, tmp_path / "reports")
    url = report.as_uri()
    with Chromium(chromium) as browser:
        browser.open(url)
        title = browser.evaluate("document.title")
        text = browser.evaluate("document.body.innerText")
        scripts = browser.evaluate("document.scripts.length")
        images = browser.evaluate("document.images.length")
        injected = browser.evaluate("typeof window.__site")
        finding_rows = browser.evaluate("document.querySelectorAll('tr.finding').length")
        browser.screenshot(ARTIFACTS / "report.png")
        requests = [r["request"]["url"] for r in browser.named("Network.requestWillBeSent")]
        dialogs = browser.named("Page.javascriptDialogOpening")
        console = browser.named("Runtime.consoleAPICalled")
        exceptions = browser.named("Runtime.exceptionThrown")
        log_errors = [e["entry"] for e in browser.named("Log.entryAdded") if e["entry"]["level"] == "error"]
    assert requests == [url]  # no font, image, stylesheet or CDN request: nothing but the file
    assert dialogs == [] and exceptions == [] and log_errors == []
    assert [c for c in console if c["type"] in ("error", "assert")] == []
    assert scripts == 0 and images == 0 and injected == "undefined"
    assert title.startswith(HOSTILE_SITE + " · 政府信息公开审计报告 · 2024-04-08 09:30")
    assert HOSTILE_TITLE.strip() in text and HOSTILE_OBSERVED in text
    assert finding_rows == 11
    png = (ARTIFACTS / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
