"""`govaudit crawl SITE` and `govaudit crawls`: one-off crawls for analysts."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands import existing_store, writable_store
from audits.commands.exit_codes import EXIT_RUN_ERROR, EXIT_USAGE
from govaudit.store import Store
from govaudit.untrusted import shown

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole in logs and pipes


def register(app: typer.Typer) -> None:
    app.command("crawl")(crawl)
    app.command("crawls")(crawls)
    app.command("worker")(worker)


def crawl(
    site: str = typer.Argument(..., help="site config name (crawler/sites/*.yml) or path to one"),
    unit: Optional[list[str]] = typer.Option(None, "--unit", "-u", help="crawl only this unit (repeatable)"),
    base_url: Optional[str] = typer.Option(None, help="serve the site's catalog paths from another base URL"),
    store: Optional[str] = typer.Option(None, help=defaults.STORE_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bars"),
    resume: Optional[int] = typer.Option(None, help="re-run an interrupted crawl under its id (no duplicates)"),
    full: bool = typer.Option(False, "--full", help="fetch every page again, even those whose catalog entry "
                                                    "is unchanged since the previous crawl"),
    workers: Optional[str] = typer.Option(None, help="Redis URL (redis://host:6379/0): spread the crawl over the "
                                                     "`govaudit worker` processes serving it"),
) -> None:
    """Crawl a site's catalogs into the store and print a summary per unit. A re-crawl fetches
    new and changed entries, pages with open findings and a rotating share due for a re-check;
    it carries the other pages over from the previous crawl (`--full` fetches everything)."""
    from redis.exceptions import RedisError

    from audits.history import recrawl_fetches
    from crawler.crawl import run_crawl  # Scrapy is loaded by the commands that crawl, not by every command
    from crawler.frontier import redact
    from crawler.sites import SiteConfigError, load_site

    store_path = writable_store(store, console)
    try:
        config = load_site(site)
        summary = run_crawl(config, store_path, units=unit, base_url=base_url,
                            show_progress=not quiet, console=console, resume=resume, workers=workers, full=full,
                            **recrawl_fetches(store_path, config.name, full))
    except SiteConfigError as exc:
        console.print(f"[red]site config error:[/red] {shown(exc)}")
        raise typer.Exit(EXIT_USAGE) from None
    except LookupError as exc:
        console.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    except RedisError as exc:
        console.print(f"[red]cannot use the worker queue {redact(workers or '')}:[/red] {shown(exc)}; "
                      "check the --workers URL and that redis-server is running there")
        raise typer.Exit(EXIT_RUN_ERROR) from None
    if summary.status == "failed" and summary.reason:
        console.print(f"[red]crawl failed:[/red] {shown(summary.reason)}")
    carried = f", {summary.carried} carried over unchanged" if summary.carried else ""
    print(f"crawl {summary.crawl_id} of {summary.site}: {summary.status} "
          f"({sum(u['pages'] for u in summary.units)} pages{carried}; log {summary.log_path})")
    if summary.status == "failed":
        raise typer.Exit(EXIT_RUN_ERROR)


def worker(
    redis_url: str = typer.Argument(..., metavar="REDIS_URL",
                                    help="the Redis the crawl commands use (redis://host:6379/0)"),
    store: Optional[str] = typer.Option(None, help="store to write pages to (default: the crawl command's)"),
    once: bool = typer.Option(False, help="serve one crawl, then exit"),
    log_dir: Optional[str] = typer.Option(None, help="keep each crawl's Scrapy log here (worker-<id>.log)"),
    log_level: str = typer.Option("WARNING", help="Scrapy log level of the crawl logs"),
) -> None:
    """Take part in the crawls started with `govaudit crawl SITE --workers REDIS_URL`."""
    from redis.exceptions import RedisError

    from crawler.frontier import redact
    from crawler.worker import run_worker

    try:
        status = run_worker(redis_url, store=store, once=once, log_dir=log_dir, log_level=log_level,
                            say=lambda line: console.print(shown(line)))
    except RedisError as exc:
        console.print(f"[red]cannot reach the worker queue {redact(redis_url)}:[/red] {shown(exc)}; "
                      "check the URL and that redis-server is running there")
        raise typer.Exit(EXIT_RUN_ERROR) from None
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    if status:
        raise typer.Exit(EXIT_RUN_ERROR)


def crawls(store: Optional[str] = typer.Option(None, help="store: a path or URL (default $GOVAUDIT_DB)")) -> None:
    """List the stored crawls."""
    with Store(existing_store(store, console)) as st:
        table = Table(title=f"crawls in {shown(st.shown)}")
        for col in ("id", "site", "status", "started", "finished", "pages", "units"):
            table.add_column(col)
        for c in st.crawls():
            table.add_row(str(c["id"]), shown(c["site"]), c["status"], c["started_at"], c["finished_at"] or "",
                          str(st.page_count(c["id"])), str(len(c["units"])))
    Console().print(table)
