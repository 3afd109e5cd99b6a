"""A restart of the scheduler neither loses nor repeats a weekly run (real SQLite job store)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from audits.schedule.schedule_file import load_schedule
from audits.schedule.scheduler import FLUSH_JOB_ID, JOBSTORE_TABLE, jobstore_path, prepare
from tests.mail_fixtures import executions, write_site

pytestmark = pytest.mark.slow  # serves the demo portal, a browser or a service process

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
COUNTING = "tests.mail_fixtures:record_run"

SCHEDULE = """\
misfire_grace_time: 1d
job_function: {function}
jobs:
  - id: weekly-test
    site: {site}
    cron: "{cron}"
    recipients:
      - email: office@example.org
"""


def write(tmp_path, cron="0 8 * * MON", function=COUNTING):
    path = tmp_path / "schedule.yml"
    path.write_text(SCHEDULE.format(site=write_site(tmp_path), cron=cron, function=function), encoding="utf-8")
    return load_schedule(path)


def run_scheduler_at(moment: datetime, schedule, store: Path, settle: float = 1.5):
    """Start the scheduler at `moment` (clock ticking), let it work, stop it; returns the job's next run."""
    with time_machine.travel(moment, tick=True):
        scheduler, report = prepare(schedule, store, scheduler_cls=BackgroundScheduler)
        scheduler.start()
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            time.sleep(0.05)
        next_run = scheduler.get_job("weekly-test").next_run_time
        scheduler.shutdown(wait=True)
    return report, next_run


def test_a_run_missed_while_down_is_caught_up_exactly_once(tmp_path):
    schedule = write(tmp_path)
    store = tmp_path / "var" / "govaudit.sqlite3"
    report, next_run = run_scheduler_at(datetime(2024, 3, 4, 7, 0, tzinfo=SH), schedule, store)
    assert report.added == ["weekly-test"] and executions(store) == 0
    assert next_run == datetime(2024, 3, 4, 8, 0, tzinfo=SH)

    # Down from 07:00 to 10:00 on Monday: the 08:00 run is still pending in the job store.
    report, next_run = run_scheduler_at(datetime(2024, 3, 4, 10, 0, tzinfo=SH), schedule, store)
    assert report.kept == ["weekly-test"]
    assert executions(store) == 1
    assert next_run == datetime(2024, 3, 11, 8, 0, tzinfo=SH)

    # Another restart the same morning runs nothing more: the stored next run is next Monday's.
    report, next_run = run_scheduler_at(datetime(2024, 3, 4, 10, 5, tzinfo=SH), schedule, store)
    assert report.kept == ["weekly-test"] and next_run == datetime(2024, 3, 11, 8, 0, tzinfo=SH)
    assert executions(store) == 1


def test_several_missed_weeks_coalesce_into_one_run(tmp_path):
    schedule = write(tmp_path)
    store = tmp_path / "var" / "govaudit.sqlite3"
    run_scheduler_at(datetime(2024, 3, 4, 7, 0, tzinfo=SH), schedule, store)
    _, next_run = run_scheduler_at(datetime(2024, 3, 25, 9, 0, tzinfo=SH), schedule, store)  # three Mondays later
    assert executions(store) == 1
    assert next_run == datetime(2024, 4, 1, 8, 0, tzinfo=SH)


def test_a_run_missed_by_more_than_the_grace_time_is_not_run_late(tmp_path):
    schedule = write(tmp_path)
    store = tmp_path / "var" / "govaudit.sqlite3"
    run_scheduler_at(datetime(2024, 3, 4, 7, 0, tzinfo=SH), schedule, store)
    _, next_run = run_scheduler_at(datetime(2024, 3, 6, 9, 0, tzinfo=SH), schedule, store)  # Wednesday: > 1 day late
    assert executions(store) == 0
    assert next_run == datetime(2024, 3, 11, 8, 0, tzinfo=SH)


def test_editing_the_schedule_reschedules_and_removes_jobs(tmp_path):
    store = tmp_path / "var" / "govaudit.sqlite3"
    moment = datetime(2024, 3, 4, 7, 0, tzinfo=SH)
    run_scheduler_at(moment, write(tmp_path), store, settle=0)
    report, next_run = run_scheduler_at(moment, write(tmp_path, cron="30 9 * * TUE"), store, settle=0)
    assert report.rescheduled == ["weekly-test"]
    assert next_run == datetime(2024, 3, 5, 9, 30, tzinfo=SH)
    text = (tmp_path / "schedule.yml").read_text(encoding="utf-8").replace("weekly-test", "weekly-other")
    (tmp_path / "schedule.yml").write_text(text, encoding="utf-8")
    with time_machine.travel(moment):
        _, report = prepare(load_schedule(tmp_path / "schedule.yml"), store)
    assert report.removed == ["weekly-test"] and report.added == ["weekly-other"]


def test_the_default_job_is_the_real_run_job_with_its_paths(tmp_path):
    schedule = load_schedule(write(tmp_path).path.write_text(
        (tmp_path / "schedule.yml").read_text(encoding="utf-8").replace(f"job_function: {COUNTING}\n", ""),
        encoding="utf-8") and tmp_path / "schedule.yml")
    store = tmp_path / "var" / "govaudit.sqlite3"
    scheduler, _ = prepare(schedule, store, scheduler_cls=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("weekly-test")
        assert job.func_ref == "audits.schedule.jobs:run_job"
        assert job.args == ("weekly-test", str(schedule.path.resolve()), str(store.resolve()))
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 86400)
        assert scheduler.get_job(FLUSH_JOB_ID).func_ref == "audits.mail.sender:flush_due"
    finally:
        scheduler.shutdown(wait=False)


def start_service(schedule_path: Path, store: Path) -> subprocess.Popen:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "audits.cli", "schedule", "run", "--schedule", str(schedule_path),
                             "--store", str(store)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def stop_service(process: subprocess.Popen, before: str = "") -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, before + output
    return before + output


def read_until(process: subprocess.Popen, text: str) -> str:
    """The service's output up to the line containing `text` (bounded by the test timeout)."""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"the service ended before printing {text!r}: {''.join(seen)}")


def stored_next_run(store: Path, job_id: str = "weekly-test") -> datetime | None:
    """The job's next run time as the APScheduler job store holds it (what survives a restart)."""
    conn = sqlite3.connect(jobstore_path(store))
    try:
        row = conn.execute(f"SELECT next_run_time FROM {JOBSTORE_TABLE} WHERE id=?", (job_id,)).fetchone()
    finally:
        conn.close()
    return datetime.fromtimestamp(row[0], SH) if row and row[0] is not None else None


@pytest.mark.timeout(120)
def test_govaudit_schedule_run_catches_up_once_across_process_restarts(tmp_path):
    """The real service, as systemd runs it: killed before a run fell due, started after it.

    "Once" is read from the job store, not waited for: after the catch-up run the stored next run
    time is the next day's, and a restart keeps it, so no second run can fall due."""
    due = (datetime.now(SH) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    schedule = write(tmp_path, cron=f"{due.minute} {due.hour} * * *")
    store = tmp_path / "var" / "govaudit.sqlite3"
    with time_machine.travel(due - timedelta(minutes=5)):  # the service last ran before the fire time
        scheduler, _ = prepare(schedule, store, scheduler_cls=BackgroundScheduler)
        scheduler.start(paused=True)  # writes the pending jobs to the store
        scheduler.shutdown(wait=False)
    assert executions(store) == 0 and stored_next_run(store) == due

    service = start_service(schedule.path, store)
    while executions(store) == 0 or stored_next_run(store) == due:  # bounded by the test timeout
        assert service.poll() is None, service.stdout.read()
        time.sleep(0.2)
    output = stop_service(service)
    assert executions(store) == 1, output
    assert stored_next_run(store) == due + timedelta(days=1), output

    again = start_service(schedule.path, store)
    started = read_until(again, "Scheduler started")
    output = stop_service(again, started)
    assert "kept ['weekly-test']" in output and "resumed []" in output, output
    assert stored_next_run(store) == due + timedelta(days=1), output
    assert executions(store) == 1


@pytest.mark.parametrize("started_ago, resumed", [(timedelta(minutes=20), 1), (timedelta(days=2), 0)])
def test_a_run_that_died_midway_is_run_again_once_within_the_grace_time(tmp_path, started_ago, resumed):
    from govaudit.store import connect

    schedule = write(tmp_path)
    store = tmp_path / "var" / "govaudit.sqlite3"
    moment = datetime(2024, 3, 4, 8, 30, tzinfo=SH)
    conn = connect(store)
    with conn:  # what a machine reboot during Monday's crawl leaves behind
        conn.execute("INSERT INTO job_runs (job_id, started_at) VALUES ('weekly-test', ?)",
                     ((moment - started_ago).isoformat(),))
    conn.close()
    report, next_run = run_scheduler_at(moment, schedule, store)
    assert report.resumed == (["weekly-test"] if resumed else [])
    assert executions(store) == resumed
    assert next_run == datetime(2024, 3, 11, 8, 0, tzinfo=SH)
    run_scheduler_at(moment + timedelta(minutes=5), schedule, store)  # the resumed run does not repeat
    assert executions(store) == resumed
