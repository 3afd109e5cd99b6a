"""`govaudit sites detect URL...`: recognise a portal's CMS dialects and draft its site config."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import typer
from rich.console import Console
from rich.table import Table

from audits.commands.exit_codes import EXIT_RUN_ERROR, EXIT_USAGE

console = Console(stderr=True, soft_wrap=True)
sites_app = typer.Typer(help="Site configs (crawler/sites/*.yml): draft one from a portal's URL.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sites_app, name="sites")


@sites_app.command("detect")
def detect_command(
    urls: list[str] = typer.Argument(..., help="a 政府信息公开 home page linking to the catalogs, "
                                               "or catalog column URLs"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the draft here (default: stdout)"),
    name: Optional[str] = typer.Option(None, help="short site name (default: from the host)"),
    allow_private_hosts: bool = typer.Option(False, help="allow loopback/private addresses (a local test portal)"),
    max_links: int = typer.Option(120, help="links of a home page to fetch and fingerprint at most"),
    delay: float = typer.Option(0.5, help="seconds between two requests"),
) -> None:
    """Fetch the pages, recognise each catalog's dialect (Hanweb, TRS, gkmlpt, jpaas), write a draft site config."""
    from crawler.detect import DetectError, detect, draft_yaml  # loaded when used: every command pays imports
    from crawler.sites import SiteConfigError, load_site
    site_name = name or re.sub(r"[^a-z0-9]+", "-", (urlparse(urls[0]).hostname or "site").lower()).strip("-")
    try:
        found = detect(urls, allow_private=allow_private_hosts, max_links=max_links, delay=delay)
    except DetectError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE if "no catalog recognised" in str(exc) or "not fetched" in str(exc)
                         else EXIT_RUN_ERROR) from None
    text = draft_yaml(found, urls, site_name, allow_private_hosts)
    table = Table(title=f"{len(found.units)} units on {found.title or site_name} ({found.checked} pages fetched)")
    for col in ("unit", "level", "cms", "catalogs"):
        table.add_column(col)
    for unit in found.units:
        table.add_row(unit.name, unit.level, unit.cms, str(len(unit.catalogs)))
    console.print(table)
    if output is None:
        print(text, end="")
        return
    output.write_text(text, encoding="utf-8")
    try:
        load_site(output)  # the draft must be a config `govaudit crawl` accepts
    except SiteConfigError as exc:
        console.print(f"[red]the draft does not validate:[/red] {exc}")
        raise typer.Exit(EXIT_RUN_ERROR) from None
    console.print(f"draft site config written to {output}; review names and levels, then `govaudit crawl {output}`")
