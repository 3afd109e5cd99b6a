"""The long-running scheduler: APScheduler 3 with its jobs persisted in the store's database.

The job store (SQLAlchemyJobStore, table apscheduler_jobs, in the same SQLite file or PostgreSQL
database as the history and the outbox) is what makes a restart safe. Each job keeps a fixed id (the schedule's
job id), so re-reading the schedule replaces the job instead of adding a second copy; and a
job whose cron expression did not change keeps the next run time it had in the store, so a
weekly run that fell due while the service was down is still pending when it comes back and
runs once (coalesce=True folds several missed runs into one; misfire_grace_time bounds how
late is still worth running). Re-adding the job without that run time would make APScheduler
compute a fresh one and silently skip the missed week.
"""
from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from audits.defaults import DEFAULT_TIMEZONE
from audits.schedule.schedule_file import Schedule, ScheduledJob
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from govaudit import db, schema
from govaudit.locks import JobLocked, store_lock
from govaudit.store import connect

log = logging.getLogger(__name__)
JOBSTORE_TABLE = "apscheduler_jobs"
# Messages left in the outbox by a mail outage are retried hourly, not only at the next weekly
# run. Schedule job ids start with a letter or digit, so this id cannot clash with one.
FLUSH_JOB_ID = "_outbox-flush"
FLUSH_FUNCTION = "audits.mail.sender:flush_due"
RESUME_SUFFIX = "~resume"  # one-off re-run of a run that died midway


LEGACY_JOBSTORE = "jobs.sqlite3"  # the job store's own file beside a SQLite store, before it moved into the store


def jobstore_path(store_path: db.StoreRef) -> Path | str:
    """The job store is the audit store itself (its table apscheduler_jobs), named absolutely."""
    return db.store_location(db.absolute(store_path))


def adopt_legacy_jobstore(store_path: db.StoreRef) -> int:
    """Move the jobs of var/jobs.sqlite3 (where a SQLite store kept them before) into the store's
    table, once, with their pending run times, so the first restart after the upgrade neither
    skips nor repeats a run. The old file is renamed, not deleted. Returns the jobs moved."""
    location = db.store_location(store_path)
    if not isinstance(location, Path):
        return 0
    legacy = location.resolve().parent / LEGACY_JOBSTORE
    if not legacy.is_file() or legacy.resolve() == location.resolve():
        return 0
    source = sa.create_engine(sa.URL.create("sqlite", database=str(legacy)), poolclass=sa.pool.NullPool)
    try:
        with source.connect() as conn:
            if not sa.inspect(conn).has_table(JOBSTORE_TABLE):
                rows = []
            else:
                rows = [dict(r._mapping) for r in conn.execute(sa.text(
                    f"SELECT id, next_run_time, job_state FROM {JOBSTORE_TABLE}"))]
    finally:
        source.dispose()
    target = _jobstore(location).jobs_t
    with db.engine(location).begin() as conn:
        target.create(conn, checkfirst=True)
        for row in rows:
            conn.execute(sqlite_insert(target).values(row).on_conflict_do_nothing())
    legacy.rename(legacy.with_name(LEGACY_JOBSTORE + ".moved-into-store"))
    log.info("moved %d job(s) from %s into the store %s", len(rows), legacy, location)
    return len(rows)


def build_scheduler(schedule: Schedule, jobstore: db.StoreRef,
                    scheduler_cls: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    connect(jobstore).close()  # a SQLite file is created, a server checked, before APScheduler uses it
    adopt_legacy_jobstore(jobstore)
    return scheduler_cls(
        jobstores={"default": _jobstore(jobstore)},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": schedule.misfire_grace_time},
        timezone=ZoneInfo(DEFAULT_TIMEZONE),
    )


def _jobstore(ref: db.StoreRef) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(engine=db.engine(ref), tablename=JOBSTORE_TABLE)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # unchanged trigger: pending run time kept
    rescheduled: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # interrupted runs started again


def sync_jobs(scheduler: BaseScheduler, schedule: Schedule, store_path: db.StoreRef,
              jobstore: db.StoreRef) -> SyncReport:
    """Queue on the not-yet-started `scheduler` the jobs that make its store match the schedule.

    The stored jobs are read through a job store of their own while the scheduler is stopped:
    a scheduler started just to look (even paused) has a thread that may process a due job
    while it shuts down, advancing the run time of a run it never made.
    """
    if scheduler.running:
        raise RuntimeError("sync_jobs needs a scheduler that has not been started")
    report = SyncReport()
    wanted = {job.id for job in schedule.jobs} | {job.id + RESUME_SUFFIX for job in schedule.jobs} | {FLUSH_JOB_ID}
    reader = _jobstore(jobstore)
    reader.start(scheduler, "default")
    try:
        stored = {job.id: job for job in reader.get_all_jobs()}
        for job_id in sorted(set(stored) - wanted):
            reader.remove_job(job_id)
            report.removed.append(job_id)
    finally:
        reader.shutdown()
    for job in schedule.jobs:
        args = (job.id, str(schedule.path.resolve()), db.absolute(store_path))
        trigger = job.trigger()
        extra = {}
        existing = stored.get(job.id)
        if existing is None:
            report.added.append(job.id)
        elif (repr(existing.trigger) == repr(trigger) and existing.func_ref == schedule.job_function
              and tuple(existing.args) == args):
            extra["next_run_time"] = existing.next_run_time
            report.kept.append(job.id)
        else:
            report.rescheduled.append(job.id)
        scheduler.add_job(
            schedule.job_function, trigger, args=args, id=job.id, name=f"{job.id} ({job.site})",
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=schedule.misfire_grace_time, **extra,
        )
    flush = stored.get(FLUSH_JOB_ID)
    scheduler.add_job(FLUSH_FUNCTION, IntervalTrigger(hours=1), args=(db.absolute(store_path),),
                      id=FLUSH_JOB_ID, name="retry waiting emails", replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=3600,
                      **({"next_run_time": flush.next_run_time} if flush is not None else {}))
    return report


def resume_interrupted(scheduler: BaseScheduler, schedule: Schedule, store_path: str | Path) -> list[str]:
    """Run again, once, each job whose last run died midway within the grace time.

    APScheduler moves a job to its next run time when it starts it, so a run killed midway
    (machine reboot during the crawl) would otherwise be lost until next week. The job's
    `job_runs` row still says 'running' and nobody holds its lock: that is a dead run.
    """

    now = datetime.now(timezone.utc)
    resumed = []
    conn = connect(store_path)
    try:
        for job in schedule.jobs:
            runs = schema.job_runs
            row = conn.execute(sa.select(runs.c.status, runs.c.started_at).where(runs.c.job_id == job.id)
                               .order_by(runs.c.id.desc()).limit(1)).fetchone()
            if row is None or row["status"] != "running":
                continue
            if datetime.fromisoformat(row["started_at"]) < now - timedelta(seconds=schedule.misfire_grace_time):
                continue
            try:
                with store_lock(store_path, f"job-{job.id}"):
                    pass
            except JobLocked:
                continue  # alive in another process
            scheduler.add_job(schedule.job_function, DateTrigger(now), id=f"{job.id}{RESUME_SUFFIX}",
                              args=(job.id, str(schedule.path.resolve()), db.absolute(store_path)),
                              name=f"{job.id} (resumed after an interrupted run)", replace_existing=True,
                              misfire_grace_time=schedule.misfire_grace_time)
            resumed.append(job.id)
    finally:
        conn.close()
    return resumed


def prepare(schedule: Schedule, store_path: db.StoreRef, jobstore: db.StoreRef | None = None,
            scheduler_cls: type[BaseScheduler] = BlockingScheduler) -> tuple[BaseScheduler, SyncReport]:
    """A scheduler, not yet started, whose pending jobs bring its store in line with the schedule."""
    jobstore = jobstore or jobstore_path(store_path)
    scheduler = build_scheduler(schedule, jobstore, scheduler_cls)
    report = sync_jobs(scheduler, schedule, store_path, jobstore)
    report.resumed = resume_interrupted(scheduler, schedule, store_path)
    log.info("job store %s: added %s, kept %s, rescheduled %s, removed %s, resumed %s", db.shown_store(jobstore),
             report.added, report.kept, report.rescheduled, report.removed, report.resumed)
    return scheduler, report


def run_forever(schedule: Schedule, store_path: db.StoreRef, jobstore: db.StoreRef | None = None) -> None:
    """`govaudit schedule run`: sync, then block running jobs until SIGINT or SIGTERM."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
        signal.signal(signal.SIGTERM, stop)
    scheduler, _ = prepare(schedule, store_path, jobstore, BlockingScheduler)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        log.info("stopping: no new runs start; a run in progress finishes first")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)


def next_fire_times(job: ScheduledJob, count: int, now: datetime | None = None) -> list[datetime]:
    """The next `count` run times of a job, from its cron expression and time zone."""
    trigger = job.trigger()
    current = now or datetime.now(ZoneInfo(job.timezone))
    times: list[datetime] = []
    previous = None
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, current)
        if fire is None:
            break
        times.append(fire)
        previous, current = fire, fire
    return times
