"""The digest a scheduled job queues tells the report's story: the same "new this week" against
the same previous run of record, units worst first with the report's scores and arrows, waived
findings apart, messages without column names."""
from __future__ import annotations

import re
import textwrap
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser

import lxml.html
import pytest

from audits.history import load_run
from audits.schedule.jobs import queue_digests
from audits.report.render import render_run
from audits.schedule.schedule_file import load_schedule
from govaudit.store import connect
from tests.mail_fixtures import Outcome, write_schedule, write_site
from tests.report_runs import SITE, finding, realistic_docs, realistic_findings, record

NOW = datetime(2024, 4, 8, 1, 40, tzinfo=timezone.utc)


def weeks(store, rules_dir: str = "expectations") -> int:
    docs = realistic_docs()
    record(store, list(docs.values()), realistic_findings(docs), started_at="2024-04-01T01:30:00+00:00",
           rules_dir=rules_dir)
    docs = realistic_docs()
    found = [f for f in realistic_findings(docs) if f["rule_id"] != "META-3"]  # 濮院镇 fixed one
    found += [finding("FZ-DATE-1", docs["sjfz"], observed="2024-04-10"),
              finding("DOC-1", docs["sjfz"], observed="fetched_date=2024-03-01，doc_no=（空）")]
    return record(store, list(docs.values()), found, started_at="2024-04-08T01:30:00+00:00", rules_dir=rules_dir)


def queued(tmp_path, store, run_id) -> dict:
    job = load_schedule(write_schedule(tmp_path, write_site(tmp_path))).job("weekly-test")
    run = load_run(store, run_id)
    report = render_run(store, run_id, tmp_path / "reports")
    outcome = Outcome(run_id, report, run.findings, run.documents, site=run.site)
    conn = connect(store)
    try:  # the job's first run: it has no job_findings of its own to compare with
        assert queue_digests(conn, job, outcome, now=NOW, store_path=store) == 2
        rows = conn.execute("SELECT recipient, message FROM outbox").fetchall()
    finally:
        conn.close()
    messages = {r[0]: BytesParser(policy=policy.default).parsebytes(r[1]) for r in rows}
    return {"report": lxml.html.fromstring(report.read_text(encoding="utf-8")), "messages": messages}


@pytest.mark.slow  # records and renders several weekly runs
def test_new_resolved_and_scores_are_the_reports(tmp_path):
    store = tmp_path / "s.sqlite3"
    got = queued(tmp_path, store, weeks(store))
    report, office = got["report"], got["messages"]["office@example.org"]
    week = {el.get("data-week"): int(el.findtext("b")) for el in report.cssselect("#this-week .count")}
    assert week == {"new": 2, "resolved": 1, "open": 7}
    text = office.get_body(("plain",)).get_content()
    assert re.search(rf"本周新增 {week['new']}\s+本周已整改 {week['resolved']}\s+仍未整改 {week['open']}", text)
    # units in the report's scorecard order (worst first) with the report's scores
    cards = [(r.get("data-unit"), r.get("data-score") or "未评分") for r in report.cssselect("#scorecard tr.unit-row")]
    summary = text.split("== 各单位得分（从低到高） ==")[1].split("==")[0]
    listed = re.findall(r"^- (\S+) (\d+|未评分)", summary, flags=re.M)
    assert listed == cards
    assert "桐乡市司法局 40↓" in summary  # from 90: a critical lateness and two metadata warnings
    new = text.split("== 本周新增的问题 ==")[1].split("==")[0]
    assert "FZ-DATE-1" in new and "DOC-1" in new and "META-1" not in new
    assert "抓取日期：2024-03-01，文号：（空）" in new and "fetched_date" not in text
    assert "本周已整改" in text and "发布机构应写全称" in text.split("== 本周已整改 ==")[1]
    names = [part.get_filename() for part in office.iter_attachments()]
    assert names == ["report.zip", "findings.xlsx"]


@pytest.mark.slow  # records and renders several weekly runs
def test_waived_findings_are_listed_apart_in_the_digest(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "waivers.yml").write_text(textwrap.dedent(f"""\
        waivers:
          - key: "{SITE}|sjfz|FZ-DATE-1"
            until: 2024-06-30
            reason: 已报县法治办备案
            by: 李四
        """), encoding="utf-8")
    store = tmp_path / "s.sqlite3"
    got = queued(tmp_path, store, weeks(store, str(rules)))
    text = got["messages"]["office@example.org"].get_body(("plain",)).get_content()
    assert "已豁免 1" in text
    new = text.split("== 本周新增的问题 ==")[1].split("==")[0]
    assert "FZ-DATE-1" not in new and "DOC-1" in new
    waived = text.split("== 已豁免的问题（到期或页面变化后恢复） ==")[1]
    assert "FZ-DATE-1" in waived and "2024-06-30" in waived
    # the waived lateness is not scored: 80 (only the metadata rate drops to 0/2), not 40
    assert "桐乡市司法局 80↓" in text
