"""Before the working-day calendar (chinesecalendar) runs out, the report header, `rules check`
and the schedule log say it needs an update and how; long before, they say nothing."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import time_machine
import pytest
from typer.testing import CliRunner

from audits.rules.calendar_watch import UPDATE_COMMAND, calendar_end, calendar_notice
from audits.cli import app
from audits.schedule.jobs import run_job
from audits.report.render import render_run
from tests.mail_fixtures import write_schedule, write_site
from tests.report_runs import realistic_docs, realistic_findings, record

END = calendar_end()


def at(days_before_end: int) -> datetime:
    return datetime(END.year, END.month, END.day, 4, 0, tzinfo=timezone.utc) - timedelta(days=days_before_end)


def test_the_notice_starts_the_configured_number_of_days_before_the_end(monkeypatch):
    assert calendar_notice(at(61).date(), warn_days=60) is None
    assert calendar_notice(at(60).date(), warn_days=60).days_left == 60
    ended = calendar_notice(at(-3).date(), warn_days=60)
    assert ended.days_left == -3 and "ended 3 day(s) ago" in ended.message()
    monkeypatch.setenv("GOVAUDIT_CALENDAR_WARN_DAYS", "10")
    assert calendar_notice(at(11).date()) is None and calendar_notice(at(10).date()) is not None


@pytest.mark.slow  # records and renders two runs
def test_the_report_header_warns_only_near_the_end(tmp_path):
    store = tmp_path / "s.sqlite3"
    docs = realistic_docs()
    near = record(store, list(docs.values()), realistic_findings(docs), started_at=at(20).isoformat())
    html = render_run(store, near, tmp_path / "r").read_text(encoding="utf-8")
    assert 'id="calendar-banner"' in html and f"只到 {END.isoformat()}（还剩 20 天）" in html
    assert "pip install -U chinesecalendar" in html
    docs = realistic_docs()
    far = record(store, list(docs.values()), realistic_findings(docs), started_at=at(400).isoformat())
    assert 'id="calendar-banner"' not in render_run(store, far, tmp_path / "r").read_text(encoding="utf-8")


def test_rules_check_warns_near_the_end_and_names_the_update():
    with time_machine.travel(at(15), tick=False):
        near = CliRunner().invoke(app, ["rules", "check"])
    with time_machine.travel(at(300), tick=False):
        far = CliRunner().invoke(app, ["rules", "check"])
    assert near.exit_code == far.exit_code == 0
    assert "holiday calendar (chinesecalendar) ends in 15 day(s)" in near.output and UPDATE_COMMAND in near.output
    assert "holiday calendar" not in far.output


def test_the_schedule_log_warns_near_the_end(tmp_path, caplog):
    schedule = write_schedule(tmp_path, write_site(tmp_path))

    def no_site(*args, **kwargs):
        raise RuntimeError("not crawled in this test")

    with time_machine.travel(at(5), tick=False), caplog.at_level(logging.WARNING, logger="audits.schedule.jobs"):
        result = run_job("weekly-test", str(schedule), str(tmp_path / "s.sqlite3"), site_runner=no_site)
    assert result.status == "failed"
    warnings = [r.getMessage() for r in caplog.records if "holiday calendar" in r.getMessage()]
    assert warnings and "ends in 5 day(s)" in warnings[0] and UPDATE_COMMAND in warnings[0]
