"""`govaudit schedule once` end to end: crawl the demo portal, audit, report, email (real SMTP on loopback)."""
from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_CRITICAL, EXIT_OK, app
from crawler.sites import SITES_DIR
from govaudit.store import connect
from tests.mail_fixtures import SmtpSink, set_env

SCHEDULE = """\
jobs:
  - id: weekly-demo
    site: {site}
    units: [濮院镇, 崇福镇]
    cron: "0 8 * * MON"
    recipients:
      - email: office@example.org
        name: 桐乡市人民政府办公室
      - email: puyuan@example.org
        name: 濮院镇 党政办
        units: [濮院镇]
    subject: "{{site}} 周报 {{date}}：严重问题 {{critical}} 项"
"""


@pytest.mark.timeout(300)
def test_schedule_once_runs_the_site_and_mails_each_recipient_their_units(demo_portal, tmp_path, monkeypatch,
                                                                          caplog):
    text = (SITES_DIR / "demo.yml").read_text(encoding="utf-8")
    site = tmp_path / "demo-live.yml"
    site.write_text(re.sub(r"(?m)^base_url: .*$", f"base_url: {demo_portal.url}", text), encoding="utf-8")
    schedule = tmp_path / "schedule.yml"
    schedule.write_text(SCHEDULE.format(site=site), encoding="utf-8")
    store = tmp_path / "var" / "govaudit.sqlite3"
    monkeypatch.setenv("GOVAUDIT_REPORTS", str(tmp_path / "reports"))
    sink = SmtpSink().start()
    try:
        set_env(monkeypatch, sink.env())
        result = CliRunner().invoke(app, ["schedule", "once", "weekly-demo", "--schedule", str(schedule),
                                          "--store", str(store)])
    finally:
        sink.stop()
    assert result.exit_code in (EXIT_OK, EXIT_CRITICAL), result.output
    # the log shows govaudit's own lines: libraries speak only at WARNING and above
    chatter = [r for r in caplog.records if r.name.split(".")[0] in ("great_expectations", "scrapy")
               and r.levelno < logging.WARNING]
    assert chatter == [], chatter[:3]
    conn = connect(store)
    report_path = conn.execute("SELECT report_path FROM job_runs WHERE status='done'").fetchone()[0]
    conn.close()
    report = (tmp_path / "reports").glob("**/*.html")
    assert report_path in {str(p) for p in report}

    by_rcpt = {m.rcpt_tos[0]: m.message for m in sink.messages}
    assert set(by_rcpt) == {"office@example.org", "puyuan@example.org"}
    critical = int(re.search(r"严重问题 (\d+) 项", by_rcpt["office@example.org"]["Subject"]).group(1))
    assert result.exit_code == (EXIT_CRITICAL if critical else EXIT_OK)
    for message in by_rcpt.values():
        report_zip, workbook = list(message.iter_attachments())
        with zipfile.ZipFile(io.BytesIO(report_zip.get_payload(decode=True))) as archive:
            assert archive.read("report.html") == open(report_path, "rb").read()
        assert workbook.get_filename() == "findings.xlsx"
        assert workbook.get_payload(decode=True) == (Path(report_path).parent / "findings.xlsx").read_bytes()
    office = by_rcpt["office@example.org"].get_body(("plain",)).get_content()
    puyuan = by_rcpt["puyuan@example.org"].get_body(("plain",)).get_content()
    assert "濮院镇" in office and "崇福镇" in office
    assert "濮院镇" in puyuan and "崇福镇" not in puyuan
