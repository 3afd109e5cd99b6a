"""Overlapping runs of one job: the second run does nothing, in another process or the same one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.schedule.jobs import run_job
from govaudit.locks import JobLock, JobLocked, lock_dir_for
from govaudit.store import connect
from tests.mail_fixtures import SmtpSink, set_env, standard_outcome, write_schedule, write_site

ROOT = Path(__file__).resolve().parents[2]
HOLD = ("import sys; from govaudit.locks import JobLock; JobLock(sys.argv[1], sys.argv[2]).acquire(); "
        "print('held', flush=True); sys.stdin.read()")


@pytest.fixture
def setup(tmp_path, monkeypatch):
    sink = SmtpSink().start()
    set_env(monkeypatch, sink.env())
    schedule = write_schedule(tmp_path, write_site(tmp_path))
    store = tmp_path / "var" / "govaudit.sqlite3"
    yield schedule, store, sink
    sink.stop()


def hold_lock(store: Path, name: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(lock_dir_for(store)), name], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


class CountingRunner:
    """Stands in for the crawl and counts how often the job got as far as running the site."""

    def __init__(self, tmp_path: Path, started: threading.Event | None = None, release: threading.Event | None = None):
        self.tmp_path, self.calls, self.started, self.release = tmp_path, 0, started, release

    def __call__(self, site_ref, units, *, store_path, rules_dir=None, reports_dir=None, lang="zh"):
        self.calls += 1
        if self.started:
            self.started.set()
            assert self.release.wait(30)
        return standard_outcome(self.tmp_path, 7 + self.calls)


@pytest.mark.slow  # a child process holds the lock
def test_a_run_while_another_process_holds_the_job_does_nothing(tmp_path, setup):
    schedule, store, sink = setup
    holder = hold_lock(store, "job-weekly-test")
    runner = CountingRunner(tmp_path)
    try:
        result = run_job("weekly-test", str(schedule), str(store), site_runner=runner, retry_delays=())
        assert result.status == "locked" and "already running" in result.message
        assert f"pid {holder.pid}" in result.message
        assert runner.calls == 0 and sink.messages == []
        cli = CliRunner().invoke(app, ["schedule", "once", "weekly-test", "--schedule", str(schedule),
                                       "--store", str(store)])
        assert cli.exit_code == 0 and "already running" in cli.output
    finally:
        holder.communicate("")
    result = run_job("weekly-test", str(schedule), str(store), site_runner=runner, retry_delays=())
    assert result.status == "done" and runner.calls == 1 and len(sink.messages) == 2


def test_overlapping_runs_in_one_process_run_once(tmp_path, setup):
    schedule, store, sink = setup
    started, release = threading.Event(), threading.Event()
    runner = CountingRunner(tmp_path, started, release)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", run_job(
        "weekly-test", str(schedule), str(store), site_runner=runner, retry_delays=())))
    first.start()
    assert started.wait(30)
    results["second"] = run_job("weekly-test", str(schedule), str(store), site_runner=runner, retry_delays=())
    release.set()
    first.join(30)
    assert results["second"].status == "locked"
    assert results["first"].status == "done" and runner.calls == 1
    assert len(sink.messages) == 2
    conn = connect(store)
    assert [tuple(r) for r in conn.execute("SELECT job_id, status FROM job_runs")] == [("weekly-test", "done")]
    conn.close()


@pytest.mark.slow  # a child process holds the lock and is killed
def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    store = tmp_path / "var" / "govaudit.sqlite3"
    holder = hold_lock(store, "job-weekly-test")
    with pytest.raises(JobLocked):
        JobLock(lock_dir_for(store), "job-weekly-test").acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    with JobLock(lock_dir_for(store), "job-weekly-test"):
        pass


def test_a_crashed_run_is_marked_interrupted_by_the_next(tmp_path, setup):
    schedule, store, _ = setup
    conn = connect(store)
    run_job("weekly-test", str(schedule), str(store), site_runner=CountingRunner(tmp_path), retry_delays=())
    with conn:  # what a run killed mid-crawl leaves behind
        conn.execute("INSERT INTO job_runs (job_id, started_at) VALUES ('weekly-test', '2024-03-04T00:00:00+00:00')")
    run_job("weekly-test", str(schedule), str(store), site_runner=CountingRunner(tmp_path), retry_delays=())
    assert [r[0] for r in conn.execute("SELECT status FROM job_runs ORDER BY id")] == ["done", "interrupted", "done"]
    conn.close()


def test_a_failing_site_run_is_recorded_and_sends_nothing(tmp_path, setup):
    schedule, store, sink = setup

    def broken(*args, **kwargs):
        raise ConnectionError("portal unreachable")

    result = run_job("weekly-test", str(schedule), str(store), site_runner=broken, retry_delays=())
    assert result.status == "failed" and "portal unreachable" in result.message
    conn = connect(store)
    assert conn.execute("SELECT status, error FROM job_runs").fetchone()[1] == "ConnectionError: portal unreachable"
    conn.close()
    assert sink.messages == []
