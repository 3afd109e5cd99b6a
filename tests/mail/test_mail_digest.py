"""The digest as a recipient receives it from a real SMTP server: units, attachment, Chinese headers."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone

import pytest

from audits.schedule.jobs import queue_digests
from audits.mail.digest import MAX_LISTED, render_digest
from audits.mail.sender import flush_outbox
from audits.schedule.schedule_file import Recipient, load_schedule
from govaudit.store import connect
from tests.mail_fixtures import (SmtpSink, documents_frame, finding, findings_frame, set_env, standard_outcome,
                                 write_schedule, write_site)

NOW = datetime(2024, 3, 4, 0, 5, tzinfo=timezone.utc)  # Monday 08:05 in Beijing


@pytest.fixture
def job(tmp_path):
    return load_schedule(write_schedule(tmp_path, write_site(tmp_path))).job("weekly-test")


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


def test_each_recipient_gets_their_units_the_report_and_readable_chinese_headers(tmp_path, job, sink, monkeypatch):
    set_env(monkeypatch, sink.env())
    outcome = standard_outcome(tmp_path)
    store = tmp_path / "var" / "govaudit.sqlite3"
    conn = connect(store)
    assert queue_digests(conn, job, outcome, now=NOW) == 2
    conn.close()

    report = flush_outbox(store, retry_delays=())
    assert sorted(r for _, r in report.sent) == ["office@example.org", "puyuan@example.org"]
    by_rcpt = {m.rcpt_tos[0]: m for m in sink.messages}
    assert set(by_rcpt) == {"office@example.org", "puyuan@example.org"}

    office, puyuan = by_rcpt["office@example.org"].message, by_rcpt["puyuan@example.org"].message
    # Headers travel RFC 2047-encoded and decode back to the Chinese text.
    raw_subject = raw_header(by_rcpt["puyuan@example.org"].data, b"Subject")
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower()
    assert puyuan["Subject"] == "test-site 政府信息公开检查周报 2024-03-04：严重问题 1 项"
    assert office["Subject"] == "test-site 政府信息公开检查周报 2024-03-04：严重问题 2 项"
    assert puyuan["To"].addresses[0].display_name == "濮院镇 党政办"
    assert puyuan["From"].addresses[0].display_name == "政务公开检查"
    assert by_rcpt["puyuan@example.org"].mail_from == "audit@example.org"

    # multipart/mixed [ multipart/alternative [text, html], report.zip ]: gateways strip .html
    assert puyuan.get_content_type() == "multipart/mixed"
    alternative, attachment = list(puyuan.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_filename() == "report-7.zip" and attachment.get_content_type() == "application/zip"
    with zipfile.ZipFile(io.BytesIO(attachment.get_payload(decode=True))) as archive:
        assert archive.namelist() == ["report-7.html"]
        assert archive.read("report-7.html") == outcome.report_path.read_bytes()

    text = puyuan.get_body(("plain",)).get_content()
    html = puyuan.get_body(("html",)).get_content()
    for body in (text, html):
        assert "濮院镇" in body and "FZ-DATE-1" in body
        assert "崇福镇" not in body and "桐乡市司法局" not in body and "XX-SEC-2" not in body
    office_text = office.get_body(("plain",)).get_content()
    for unit in ("濮院镇", "崇福镇", "桐乡市司法局"):
        assert unit in office_text
    assert "FETCH-1" in office_text  # could-not-check listed on its own, never as passed
    assert 'href="http://portal.example/濮院镇/art1.html"' in html


def raw_header(data: bytes, name: bytes) -> bytes:
    """The header as it travelled, unfolded."""
    head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    unfolded = re.sub(rb"\n[ \t]+", b" ", head)
    return next(line for line in unfolded.split(b"\n") if line.lower().startswith(name.lower() + b":"))


def test_html_is_escaped_and_has_css_inlined(tmp_path, job):
    outcome = standard_outcome(tmp_path)
    outcome.findings = findings_frame([finding("濮院镇", "FZ-DATE-1", title="<script>alert(1)</script>报告")])
    digest = render_digest(job, job.recipients[0], outcome, None, NOW)
    assert "<script>" not in digest.html and "&lt;script&gt;" in digest.html
    assert "<style" not in digest.html and 'style="' in digest.html
    assert "<script>alert(1)</script>" in digest.text  # plain text is not HTML-escaped


def test_new_first_then_known_critical_and_known_warnings_only_counted(tmp_path, job):
    outcome = standard_outcome(tmp_path)
    outcome.findings = findings_frame([
        finding("濮院镇", "META-3", "warning", n=1),  # known from last week: counted, not listed
        finding("濮院镇", "DOC-1", "warning", n=2),  # new warning: listed
        finding("濮院镇", "FZ-SEC-1", "critical", n=3),  # known critical: listed first
    ])
    previous = {"test-site|art1|META-3", "test-site|art3|FZ-SEC-1"}
    digest = render_digest(job, job.recipients[1], outcome, previous, NOW)
    assert digest.counts == {"critical": 1, "warning": 2, "info": 0, "could_not_check": 0, "new": 1, "total": 3,
                             "resolved": 0, "open": 2, "waived": 0}
    new, known = digest.text.split("==")[4], digest.text.split("==")[6]
    assert "DOC-1" in new and "FZ-SEC-1" not in new  # the new finding comes first, under its own heading
    assert "FZ-SEC-1" in known and "DOC-1" not in known  # then critical findings still open
    assert "META-3" not in new + known
    assert "另有 1 项已知的一般或提示问题" in digest.text
    assert [(u.unit, u.critical, u.warning, u.new) for u in digest.units] == [("濮院镇", 1, 2, 1)]


def test_a_recipient_unit_without_pages_is_named_not_dropped(tmp_path, job):
    outcome = standard_outcome(tmp_path)
    outcome.documents = documents_frame({"崇福镇": 2})
    digest = render_digest(job, Recipient("x@example.org", None, ("濮院镇",)), outcome, None, NOW)
    assert "本期没有抓取到任何页面" in digest.text and "濮院镇" in digest.text.split("本期没有抓取到任何页面")[1]


def test_long_lists_are_cut_with_a_pointer_to_the_report(tmp_path, job):
    outcome = standard_outcome(tmp_path)
    outcome.findings = findings_frame([finding("濮院镇", "I3-1", n=i) for i in range(MAX_LISTED + 5)])
    digest = render_digest(job, job.recipients[1], outcome, None, NOW)
    assert "另有 5 项见附件完整报告" in digest.text
    assert digest.text.count("http://portal.example/") == MAX_LISTED
