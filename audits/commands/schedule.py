"""`govaudit schedule run|once|list|check`: the weekly audits, run by us or by system cron.

Two ways to run the same `cron/schedule.yml`: `schedule run` is a long-running service that
keeps its jobs in a persistent job store; `schedule once JOB` runs one job now, for a systemd
timer or a crontab line. Both go through `audits.schedule.jobs.run_job`, so both take the same per-job
lock and the same outbox.
"""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands import writable_store
from audits.commands.exit_codes import EXIT_CRITICAL, EXIT_RUN_ERROR, EXIT_USAGE
from audits.logsetup import configure_logging
from govaudit.untrusted import plain, shown

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole for grep
schedule_app = typer.Typer(help="Weekly audits and their emails (cron/schedule.yml).", no_args_is_help=True)

SCHEDULE_HELP = "schedule file (default $GOVAUDIT_SCHEDULE or cron/schedule.yml)"
STORE_HELP = defaults.STORE_HELP


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")


def _load(path: Optional[str]):
    from audits.schedule.schedule_file import ScheduleError, load_schedule, schedule_path

    try:
        return load_schedule(schedule_path(path))
    except ScheduleError as exc:
        console.print(f"[red]schedule error[/red]\n{shown(exc)}", markup=True, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None


@schedule_app.command("check")
def check(schedule: Optional[str] = typer.Option(None, "--schedule", help=SCHEDULE_HELP)) -> None:
    """Check the schedule file; every mistake is listed with its file:line and field."""
    loaded = _load(schedule)
    print(f"{loaded.path}: {len(loaded.jobs)} job(s) ok")


@schedule_app.command("list")
def list_jobs(
    schedule: Optional[str] = typer.Option(None, "--schedule", help=SCHEDULE_HELP),
    count: int = typer.Option(3, help="how many next run times to show"),
) -> None:
    """Show each job and its next run times (from its cron expression and time zone)."""
    from audits.schedule.scheduler import next_fire_times

    loaded = _load(schedule)
    table = Table(title=f"jobs in {loaded.path}")
    for column in ("id", "site", "units", "cron", "timezone", "recipients", "next runs"):
        table.add_column(column)
    for job in loaded.jobs:
        runs = "\n".join(t.strftime("%Y-%m-%d %H:%M %a") for t in next_fire_times(job, count))
        table.add_row(job.id, shown(job.site), shown(", ".join(job.units or ("all",))), job.cron, job.timezone,
                      "\n".join(r.email for r in job.recipients), runs)
    Console(width=160).print(table)


@schedule_app.command("run")
def run(
    schedule: Optional[str] = typer.Option(None, "--schedule", help=SCHEDULE_HELP),
    store: Optional[str] = typer.Option(None, help=STORE_HELP),
    jobstore: Optional[str] = typer.Option(None, help="APScheduler job store, path or URL (default: the store)"),
    verbose: bool = typer.Option(False, "--verbose", help="also log Great Expectations and Scrapy below WARNING"),
) -> None:
    """Run the schedule until stopped; missed runs within the grace time are caught up once."""
    from audits.schedule.scheduler import jobstore_path, run_forever
    from govaudit.db import shown_store, store_location

    configure_logging(verbose)
    loaded = _load(schedule)
    store_path = writable_store(store, console)
    path = store_location(jobstore) if jobstore else jobstore_path(store_path)
    console.print(f"scheduler: {len(loaded.jobs)} job(s) from {loaded.path}, job store {shown_store(path)}")
    run_forever(loaded, store_path, path)


@schedule_app.command("once")
def once(
    job: str = typer.Argument(..., help="job id from the schedule file"),
    schedule: Optional[str] = typer.Option(None, "--schedule", help=SCHEDULE_HELP),
    store: Optional[str] = typer.Option(None, help=STORE_HELP),
    verbose: bool = typer.Option(False, "--verbose", help="also log Great Expectations and Scrapy below WARNING"),
) -> None:
    """Run one job now (for a systemd timer or crontab); exit 1 on critical findings, 3 on errors."""
    from audits.schedule.jobs import run_job

    configure_logging(verbose)
    loaded = _load(schedule)
    if job not in {j.id for j in loaded.jobs}:
        _load_job_error(loaded, job)
    result = run_job(job, str(loaded.path), str(writable_store(store, console)))
    print(plain(result.message))
    if result.status == "failed" or (result.flush is not None and result.flush.failed):
        raise typer.Exit(EXIT_RUN_ERROR)
    if result.critical:
        raise typer.Exit(EXIT_CRITICAL)


def _load_job_error(loaded, job: str) -> None:

    known = ", ".join(j.id for j in loaded.jobs)
    console.print(f"[red]{shown(loaded.path)}: no job {shown(repr(job))}[/red] (jobs: {shown(known)})")
    raise typer.Exit(EXIT_USAGE)
