"""One scheduled job, end to end: lock, crawl + audit + report, queue the digests, send.

`run_job` is what the scheduler stores (by its dotted name, so the persistent job store can
reload it after a restart) and what `govaudit schedule once JOB` calls. Its order is what
keeps the guarantees: the report is written before any email is composed, every digest is in
the outbox before the first SMTP connection, and a mail failure leaves the report and the
queued messages in place for `govaudit email flush` or the next run.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from audits import defaults
from audits.mail import outbox
from audits.mail.digest import RunOutcome, compose, render_digest
from audits.mail.sender import RETRY_DELAYS, FlushReport, flush_outbox
from audits.mail.smtp_env import MailSettingsError, SmtpSettings
from audits.schedule.schedule_file import ScheduledJob, load_schedule
from govaudit.locks import JobLocked, store_lock
from govaudit import schema
from govaudit.db import StoreConnection, insert_ignoring_duplicates
from govaudit.store import StoreError, connect

log = logging.getLogger(__name__)

JOB_STATUSES = ("running", "done", "failed", "interrupted")
job_runs = schema.job_runs


@dataclass
class JobResult:
    job_id: str
    status: str  # done | failed | locked
    message: str
    run_id: str | None = None
    report_path: Path | None = None
    queued: int = 0
    critical: int = 0
    flush: FlushReport | None = None


def run_job(job_id: str, schedule_path: str, store_path: str, *, rules_dir: str | None = None,
            reports_dir: str | None = None, site_runner: Callable[..., RunOutcome] | None = None,
            retry_delays: tuple[float, ...] = RETRY_DELAYS) -> JobResult:
    """Run one job of the schedule now; a second concurrent run of the same job returns 'locked'.

    `site_runner` defaults to `audits.audit.run_site`; passing another lets a caller run the
    mail half of the job on a site run it produced itself.
    """
    schedule = load_schedule(schedule_path)
    job = schedule.job(job_id)
    from audits.rules.calendar_watch import calendar_notice  # imports the rules (and GX) only when a job runs

    notice = calendar_notice()
    if notice is not None:
        log.warning("job %s: %s", job_id, notice.message())
    store_path = str(defaults.store_path(store_path))
    lock = store_lock(store_path, f"job-{job_id}")
    try:
        lock.acquire()
    except JobLocked as exc:
        log.warning("job %s is already running (%s); this run does nothing", job_id, exc)
        return JobResult(job_id, "locked", f"job {job_id} is already running: {exc}")
    # From here every way out releases the lock and closes the job row: a run that died with
    # the lock held or its row 'running' would stop a long-lived scheduler running it again.
    try:
        return _run_locked(job, store_path, rules_dir, reports_dir, site_runner, retry_delays)
    finally:
        lock.release()


def _run_locked(job: ScheduledJob, store_path: str, rules_dir: str | None, reports_dir: str | None,
                site_runner: Callable[..., RunOutcome] | None, retry_delays: tuple[float, ...]) -> JobResult:
    job_id = job.id
    conn = connect(store_path)
    if job.kind == "probe":  # an availability probe: stored for the audit, nothing to mail
        try:
            with conn:
                probe_row = conn.execute(sa.insert(job_runs).values(job_id=job_id, started_at=_now_iso())).inserted_id
            return _probe_job(conn, probe_row, job, store_path)
        finally:
            conn.close()
    row_id: int | None = None
    try:
        with conn:  # we hold the lock, so a 'running' row of this job belongs to a dead process
            conn.execute(sa.update(job_runs).where(job_runs.c.job_id == job_id, job_runs.c.status == "running")
                         .values(status="interrupted"))
            current = conn.execute(sa.insert(job_runs).values(job_id=job_id, started_at=_now_iso())).inserted_id
            row_id = current
        try:
            if site_runner is None:  # imported here so that loading the schedule does not import pandas and GX
                from audits.audit import run_site
                site_runner = run_site

            # A job with `workers:` crawls on the workers serving that Redis, then audits once.
            on_workers: dict[str, Any] = {"workers": job.workers} if job.workers else {}
            outcome = site_runner(job.site, list(job.units) if job.units else None, store_path=store_path,
                                  rules_dir=rules_dir, reports_dir=reports_dir, lang=job.lang, **on_workers)
        except Exception as exc:  # the job must record any failure, not die inside the scheduler
            log.exception("job %s: the site run failed", job_id)
            _finish(conn, current, "failed", error=f"{type(exc).__name__}: {exc}")
            return JobResult(job_id, "failed", f"job {job_id}: the site run failed: {exc}")
        try:
            queued = queue_digests(conn, job, outcome, store_path=store_path)
        except Exception as exc:  # the report exists; the mail could not be composed
            log.exception("job %s: the digests could not be queued", job_id)
            _finish(conn, current, "failed", run_id=str(outcome.run_id), report_path=str(outcome.report_path),
                    error=f"{type(exc).__name__}: {exc}")
            return JobResult(job_id, "failed", f"job {job_id}: report {outcome.report_path} written, but the "
                                               f"digests could not be queued: {exc}", str(outcome.run_id),
                             Path(outcome.report_path))
        _finish(conn, current, "done", run_id=str(outcome.run_id), report_path=str(outcome.report_path), queued=queued)
    except BaseException as exc:
        if row_id is not None:  # KeyboardInterrupt, a store error: never leave the row 'running'
            try:
                _finish(conn, row_id, "failed" if isinstance(exc, Exception) else "interrupted",
                        error=f"{type(exc).__name__}: {exc}")
            except (sa.exc.SQLAlchemyError, StoreError):
                pass  # the store itself failed; the next run marks the row interrupted
        raise
    finally:
        conn.close()
    flush = flush_outbox(store_path, retry_delays=retry_delays)
    critical = _critical(outcome.findings)
    message = f"job {job_id}: report {outcome.report_path}; {queued} message(s) queued, {len(flush.sent)} sent"
    if flush.failed:
        message += f"; {flush.waiting} waiting in the outbox ({flush.failed[0][2]}); `govaudit email flush` retries"
    return JobResult(job_id, "done", message, str(outcome.run_id), Path(outcome.report_path), queued, critical, flush)


def _probe_job(conn: StoreConnection, row_id: int, job: ScheduledJob, store_path: str) -> JobResult:
    """An availability probe (crawler.probe): stored for the audit, nothing to mail."""
    from crawler.probe import run_probe

    try:
        results = run_probe(job.site, store_path, units=list(job.units) if job.units else None)
    except Exception as exc:  # recorded, never raised inside the scheduler
        log.exception("job %s: the probe failed", job.id)
        _finish(conn, row_id, "failed", error=f"{type(exc).__name__}: {exc}")
        return JobResult(job.id, "failed", f"job {job.id}: the probe failed: {exc}")
    failed = sum(not r.ok for r in results)
    _finish(conn, row_id, "done")
    return JobResult(job.id, "done", f"job {job.id}: {len(results)} pages probed, {failed} failed")


def queue_digests(conn: StoreConnection, job: ScheduledJob, outcome: RunOutcome,
                  settings: SmtpSettings | None = None, now: datetime | None = None,
                  store_path: str | Path | None = None) -> int:
    """Compose one digest per recipient and put them all in the outbox in one transaction.

    When the run is in the store's history (always, for a scheduled job) the digest is built from
    the same standing as the report: same scores, same previous run of record, same waivers."""
    now = now or datetime.now(timezone.utc)
    where = run_standing(store_path or conn.location, outcome.run_id)
    run_id = str(outcome.run_id)
    previous = previous_keys(conn, job.id, run_id)
    with conn:
        conn.executemany(insert_ignoring_duplicates(conn, schema.job_findings),
                         [{"job_id": job.id, "run_id": run_id, "finding_key": key}
                          for key in outcome.findings["finding_key"].dropna().unique()])
    if settings is None:
        try:
            settings = SmtpSettings.from_env()
        except MailSettingsError as exc:
            # Queue anyway: the From header is added at send time, once the settings are fixed.
            log.warning("composing without a From address: %s", exc)
    mail_from = settings.mail_from if settings else None
    domain = mail_from.domain if mail_from else "localhost"
    messages = []
    for recipient in job.recipients:
        digest = render_digest(job, recipient, outcome, previous, now, where)
        message_id = outbox.message_id(conn, run_id, recipient.email, domain)
        messages.append((recipient.email, compose(digest, recipient, mail_from, message_id,
                                                  Path(outcome.report_path), run_id, now)))
    return outbox.enqueue(conn, run_id, messages, job.id, str(outcome.report_path), now)


def run_standing(store_path: str | Path | None, run_id: Any) -> Any:
    """The report's standing of `run_id`, or None when the store holds no such audit run."""
    from audits.history import load_run
    from audits.report.diff import compare_runs
    from audits.report.standing import standing

    if not store_path:
        return None
    try:
        run_id = int(run_id)
        run = load_run(store_path, run_id)
        return standing(store_path, run, compare_runs(store_path, run_id, run))
    except (LookupError, ValueError, TypeError):
        return None


def previous_keys(conn: StoreConnection, job_id: str, run_id: str) -> set[str] | None:
    """Finding keys of this job's last completed run before `run_id`; None when there is none."""
    row = conn.execute(sa.select(job_runs.c.run_id).where(
        job_runs.c.job_id == job_id, job_runs.c.status == "done", job_runs.c.run_id != run_id)
        .order_by(job_runs.c.id.desc()).limit(1)).fetchone()
    if row is None:
        return None
    seen = schema.job_findings.c
    keys = conn.execute(sa.select(seen.finding_key).where(seen.job_id == job_id, seen.run_id == row[0]))
    return {key for (key,) in keys}


def _finish(conn: StoreConnection, row_id: int, status: str, **values: Any) -> None:
    values.update(status=status, finished_at=_now_iso())
    with conn:
        conn.execute(sa.update(job_runs).where(job_runs.c.id == row_id).values(**values))


def _critical(findings: Any) -> int:
    if findings is None or len(findings) == 0:
        return 0
    return int(((findings["kind"] == "failure") & (findings["severity"] == "critical")).sum())


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
