"""Nothing lost, nothing twice: the outbox and sent-log against a real SMTP server that comes and goes."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from typer.testing import CliRunner

from audits.cli import app
from audits.schedule.jobs import queue_digests, run_job
from audits.mail import outbox
from audits.mail.sender import flush_outbox
from audits.schedule.schedule_file import Recipient, load_schedule
from govaudit.store import connect
from tests.mail_fixtures import SmtpSink, set_env, standard_outcome, write_schedule, write_site


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A schedule, a store, and an SMTP port with (as yet) no server on it."""
    schedule = write_schedule(tmp_path, write_site(tmp_path))
    store = tmp_path / "var" / "govaudit.sqlite3"
    sink = SmtpSink()
    set_env(monkeypatch, sink.env())
    yield schedule, store, sink
    sink.stop()


def site_runner_for(tmp_path, run_ids):
    """Stands in for the crawl: writes a report and returns the run, like `run_site` does."""
    def run(site_ref, units, *, store_path, rules_dir=None, reports_dir=None, lang="zh"):
        return standard_outcome(tmp_path, run_ids.pop(0))
    return run


def rows(store):
    conn = connect(store)
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM outbox ORDER BY run_id, recipient")]
    finally:
        conn.close()


def test_smtp_down_keeps_report_and_message_then_flush_delivers_exactly_once(tmp_path, setup):
    schedule, store, sink = setup
    result = run_job("weekly-test", str(schedule), str(store), site_runner=site_runner_for(tmp_path, [7]),
                     retry_delays=())
    assert result.status == "done" and result.report_path.is_file()
    waiting = rows(store)
    assert [(r["recipient"], r["status"], r["attempts"]) for r in waiting] == [
        ("office@example.org", "pending", 1), ("puyuan@example.org", "pending", 1)]
    assert all(f"no SMTP server at 127.0.0.1:{sink.port}" in r["last_error"] for r in waiting)
    assert all(r["next_attempt_at"] > r["created_at"] for r in waiting)
    assert "waiting in the outbox" in result.message

    sink.start()
    runner = CliRunner()
    first = runner.invoke(app, ["email", "flush", "--store", str(store)])
    assert first.exit_code == 0, first.output
    assert sorted(m.rcpt_tos[0] for m in sink.messages) == ["office@example.org", "puyuan@example.org"]
    again = runner.invoke(app, ["email", "flush", "--store", str(store)])
    assert again.exit_code == 0 and "sent 0" in again.output
    assert len(sink.messages) == 2
    assert result.report_path.is_file()
    conn = connect(store)
    assert conn.execute("SELECT COUNT(*) FROM sent_log WHERE run_id='7'").fetchone()[0] == 2
    conn.close()


def test_the_next_run_retries_what_an_outage_left_behind(tmp_path, setup):
    schedule, store, sink = setup
    runner = site_runner_for(tmp_path, [7, 8])
    run_job("weekly-test", str(schedule), str(store), site_runner=runner, retry_delays=())
    sink.start()
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(days=7), tick=True):
        result = run_job("weekly-test", str(schedule), str(store), site_runner=runner, retry_delays=())
    assert result.status == "done" and not result.flush.failed
    delivered = sorted((m.message["X-Govaudit-Run"], m.rcpt_tos[0]) for m in sink.messages)
    assert delivered == [("7", "office@example.org"), ("7", "puyuan@example.org"),
                         ("8", "office@example.org"), ("8", "puyuan@example.org")]


def test_a_due_only_flush_waits_for_the_backoff(tmp_path, setup):
    schedule, store, sink = setup
    run_job("weekly-test", str(schedule), str(store), site_runner=site_runner_for(tmp_path, [7]), retry_delays=())
    sink.start()
    assert flush_outbox(store, due_only=True, retry_delays=()).sent == []
    later = datetime.now(timezone.utc) + outbox.backoff(1) + timedelta(seconds=5)
    assert len(flush_outbox(store, now=later, due_only=True, retry_delays=()).sent) == 2
    assert len(sink.messages) == 2


def test_backoff_doubles_and_is_capped():
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert outbox.backoff(30) == outbox.BACKOFF_CAP


def test_an_interrupted_send_is_resent_with_the_same_message_id(tmp_path, setup):
    schedule, store, sink = setup
    job = load_schedule(schedule).job("weekly-test")
    conn = connect(store)
    queue_digests(conn, job, standard_outcome(tmp_path))
    # The process died after the server may have accepted the message, before the commit.
    outbox.mark_sending(conn, "7", "office@example.org")
    stored_id = conn.execute("SELECT message_id FROM outbox WHERE recipient='office@example.org'").fetchone()[0]
    conn.close()
    sink.start()
    report = flush_outbox(store, retry_delays=())
    assert len(report.sent) == 2
    office = [m.message for m in sink.messages if m.rcpt_tos == ["office@example.org"]]
    assert len(office) == 1 and office[0]["Message-ID"] == stored_id


def test_a_sent_log_entry_is_never_sent_again(tmp_path, setup):
    schedule, store, sink = setup
    job = load_schedule(schedule).job("weekly-test")
    sink.start()
    conn = connect(store)
    queue_digests(conn, job, standard_outcome(tmp_path))
    conn.close()
    assert len(flush_outbox(store, retry_delays=()).sent) == 2
    conn = connect(store)
    # Even if the outbox row were put back to pending, the sent-log keeps it from going out again,
    assert queue_digests(conn, job, standard_outcome(tmp_path)) == 0  # and re-queuing the run adds nothing.
    conn.execute("UPDATE outbox SET status='pending'")
    conn.commit()
    conn.close()
    flush_outbox(store, retry_delays=())
    assert len(sink.messages) == 2
    assert all(r["status"] == "sent" for r in rows(store))


def test_missing_settings_queue_the_mail_and_the_from_is_added_when_fixed(tmp_path, setup, monkeypatch):
    schedule, store, sink = setup
    env = sink.env()
    set_env(monkeypatch, {})
    result = run_job("weekly-test", str(schedule), str(store), site_runner=site_runner_for(tmp_path, [7]),
                     retry_delays=())
    assert result.report_path.is_file()
    assert all("GOVAUDIT_SMTP_HOST is not set" in r["last_error"] for r in rows(store))
    set_env(monkeypatch, env)
    sink.start()
    assert len(flush_outbox(store, due_only=False, retry_delays=()).sent) == 2
    assert all(m.message["From"].addresses[0].addr_spec == "audit@example.org" for m in sink.messages)


@pytest.mark.slow  # two flushes in parallel processes
def test_two_flushes_at_once_send_each_message_once(tmp_path, setup):
    schedule, store, sink = setup
    job = load_schedule(schedule).job("weekly-test")
    many = type(job)(**{**job.__dict__, "recipients": tuple(Recipient(f"r{i}@example.org") for i in range(20))})
    conn = connect(store)
    assert queue_digests(conn, many, standard_outcome(tmp_path)) == 20
    conn.close()
    sink.start()
    threads = [threading.Thread(target=flush_outbox, args=(store,), kwargs={"retry_delays": ()}) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flush_outbox(store, retry_delays=())
    assert sorted(m.rcpt_tos[0] for m in sink.messages) == sorted(f"r{i}@example.org" for i in range(20))


def test_old_sent_bodies_are_pruned_but_stay_sent(tmp_path, setup):
    schedule, store, sink = setup
    sink.start()
    run_job("weekly-test", str(schedule), str(store), site_runner=site_runner_for(tmp_path, [7]), retry_delays=())
    later = datetime.now(timezone.utc) + outbox.KEEP_SENT + timedelta(days=1)
    conn = connect(store)
    assert outbox.prune(conn, now=datetime.now(timezone.utc)) == 0
    assert outbox.prune(conn, now=later) == 2
    conn.close()
    assert all(r["message"] == b"" and r["status"] == "sent" for r in rows(store))
    conn = connect(store)
    job = load_schedule(schedule).job("weekly-test")
    assert queue_digests(conn, job, standard_outcome(tmp_path)) == 0
    conn.close()
    flush_outbox(store, due_only=False, retry_delays=())
    assert len(sink.messages) == 2


def test_email_outbox_lists_what_waits_and_then_what_was_sent(tmp_path, setup):
    schedule, store, sink = setup
    run_job("weekly-test", str(schedule), str(store), site_runner=site_runner_for(tmp_path, [7]), retry_delays=())
    runner = CliRunner()
    waiting = runner.invoke(app, ["email", "outbox", "--store", str(store)])
    assert waiting.exit_code == 0, waiting.output
    lines = [line for line in waiting.output.splitlines() if "@example.org" in line]
    assert len(lines) == 2 and all("pending" in line and "weekly-test" in line for line in lines)
    assert {r for r in ("office@example.org", "puyuan@example.org") if any(r in line for line in lines)} == {
        "office@example.org", "puyuan@example.org"}
    assert "no SMTP server at" in waiting.output
    sink.start()
    assert runner.invoke(app, ["email", "flush", "--store", str(store)]).exit_code == 0
    empty = runner.invoke(app, ["email", "outbox", "--store", str(store)])
    assert empty.exit_code == 0 and "@example.org" not in empty.output
    sent = runner.invoke(app, ["email", "outbox", "--store", str(store), "--sent"])
    assert sum("sent" in line for line in sent.output.splitlines() if "@example.org" in line) == 2
