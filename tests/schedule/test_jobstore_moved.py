"""An installation whose jobs sat in var/jobs.sqlite3 (before the job store moved into the store's
database) keeps them on upgrade: the pending run time survives, the old file is set aside."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from audits.schedule.schedule_file import load_schedule
from audits.schedule.scheduler import JOBSTORE_TABLE, LEGACY_JOBSTORE, prepare
from tests.mail_fixtures import RECORDING_SCHEDULE, write_site

SH = ZoneInfo("Asia/Shanghai")


def test_jobs_of_the_old_job_store_file_move_into_the_store_with_their_run_times(tmp_path):
    path = tmp_path / "schedule.yml"
    path.write_text(RECORDING_SCHEDULE.format(site=write_site(tmp_path)), encoding="utf-8")
    schedule = load_schedule(path)
    store = tmp_path / "var" / "govaudit.sqlite3"
    legacy = store.parent / LEGACY_JOBSTORE
    store.parent.mkdir()
    with time_machine.travel(datetime(2024, 3, 4, 7, 0, tzinfo=SH)):  # as before: the jobs in their own file
        scheduler, report = prepare(schedule, store, jobstore=legacy, scheduler_cls=BackgroundScheduler)
        scheduler.start(paused=True)
        scheduler.shutdown(wait=True)
    assert report.added == ["weekly-test"]
    stored = sqlite3.connect(legacy).execute(f"SELECT next_run_time FROM {JOBSTORE_TABLE} WHERE id='weekly-test'")
    pending = stored.fetchone()[0]

    with time_machine.travel(datetime(2024, 3, 4, 10, 0, tzinfo=SH)):  # upgraded, restarted after the 08:00 run fell due
        scheduler, report = prepare(schedule, store, scheduler_cls=BackgroundScheduler)
    assert report.kept == ["weekly-test"] and report.added == []
    assert scheduler.get_job("weekly-test").next_run_time == datetime(2024, 3, 4, 8, 0, tzinfo=SH)
    assert not legacy.exists() and legacy.with_name(LEGACY_JOBSTORE + ".moved-into-store").is_file()
    moved = sqlite3.connect(store).execute(f"SELECT next_run_time FROM {JOBSTORE_TABLE} WHERE id='weekly-test'")
    assert moved.fetchone()[0] == pending
