"""`govaudit probe SITE`: one availability probe of the site's home page and unit catalogs."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands.exit_codes import EXIT_USAGE

console = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("probe")(probe)


def probe(
    site: str = typer.Argument(..., help="site config name (crawler/sites/*.yml) or path to one"),
    unit: Optional[list[str]] = typer.Option(None, "--unit", "-u", help="probe only this unit's catalog (repeatable)"),
    base_url: Optional[str] = typer.Option(None, help="serve the site's paths from another base URL"),
    timeout: Optional[float] = typer.Option(None, help="seconds before an attempt counts as a timeout "
                                                       "(default: crawler.probe.DEFAULT_TIMEOUT, 15)"),
    store: Optional[str] = typer.Option(None, help=defaults.STORE_HELP),
) -> None:
    """Ask the home page and each unit's catalog page once (no crawling) and store the answers;
    the audit's availability veto reads the last 7 days of them."""
    from crawler.probe import DEFAULT_TIMEOUT, run_probe  # loaded by this command only
    from crawler.sites import SiteConfigError

    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    try:
        results = run_probe(site, defaults.store_path(store), base_url=base_url, timeout=timeout, units=unit)
    except SiteConfigError as exc:
        console.print(f"[red]site config error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    table = Table(title=f"availability probe of {site}")
    for col in ("unit", "page", "seconds", "result"):
        table.add_column(col)
    for r in results:
        table.add_row(r.unit, r.url, f"{r.elapsed:.2f}", "ok" if r.ok else f"[red]{r.error}[/red]")
    Console().print(table)
    failed = sum(not r.ok for r in results)
    print(f"{len(results)} pages probed, {failed} failed")
