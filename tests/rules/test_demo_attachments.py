"""The demo audit on the reports published only as files: read from the file, or "could not
check" with the file's own reason; and the report says where each report was read."""
from __future__ import annotations

from urllib.parse import urlparse

from audits.report.extract import reported_findings

REASONS = {"scan": "扫描件，无文字层", "encrypted": "已加密", "truncated": "不完整"}


def _attached(demo_portal):
    from demoportal import build_portal

    portal = build_portal(demo_portal.seed, demo_portal.size)
    return {d.url_path: d for d in portal.documents if d.flags.get("attached_report")}


def test_attachment_reports_are_read_from_their_files(demo_portal, demo_audit):
    result, _ = demo_audit
    attached = _attached(demo_portal)
    docs = result.documents.set_index(result.documents["url"].map(lambda u: urlparse(u).path))
    assert len(attached) == 24
    for path, doc in attached.items():
        row = docs.loc[path]
        form = doc.flags["attached_report"]
        if form in REASONS:
            assert row["body_length"] == 0 and REASONS[form] in row["attachment_problem"], (path, form)
        else:
            assert row["body_source"] == form.split("+")[0] and row["body_length"] > 1000, (path, form)
            assert row["report_year"] == doc.report_year and row["report_type"] == doc.report_type
            if doc.report_type == "xxgk_annual":
                assert row["table_template"] == "2021"


def test_unreadable_files_are_could_not_check_with_their_reason(demo_portal, demo_audit):
    result, report = demo_audit
    f = result.findings
    attached = _attached(demo_portal)
    unreadable = {p: d for p, d in attached.items() if d.flags["attached_report"] in REASONS}
    assert len(unreadable) == 4
    for path, doc in unreadable.items():
        hit = f[(f["url"].map(lambda u: urlparse(u).path) == path) & (f["rule_id"] == "ATTACH-2")]
        assert len(hit) == 1 and hit["kind"].iloc[0] == "could_not_check"
        assert REASONS[doc.flags["attached_report"]] in hit["message"].iloc[0]
    listed = {(urlparse(r.url).path, r.rule_id): r.section for r in reported_findings(report) if r.url}
    assert all(listed[(path, "ATTACH-2")] == "could_not_check" for path in unreadable)


def test_report_says_which_findings_were_read_from_an_attachment(demo_portal, demo_audit):
    result, report = demo_audit
    text = report.read_text(encoding="utf-8")
    f = result.findings
    from_files = f[f["body_source"].isin(["pdf", "docx"]) & (f["kind"] == "failure")]
    assert len(from_files) >= 5  # the defects injected inside the files
    assert "正文为 PDF 附件" in text and "正文为 Word 附件" in text
