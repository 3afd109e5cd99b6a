"""`govaudit report`: render a stored run again (another language, a fixed template, a lost file).

Rendering reads only the store, so a report can be rebuilt at any time without crawling or
re-running the rules; the exit code says whether rendering worked, not what the run found.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from audits import defaults
from audits.commands import existing_store
from audits.commands.exit_codes import EXIT_RUN_ERROR, EXIT_USAGE

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole in logs and pipes


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    run: str = typer.Option("latest", "--run", help="'latest' or a run id"),
    site: Optional[str] = typer.Option(None, "--site", help="with --run latest: the latest run of this site"),
    lang: str = typer.Option("zh", "--lang", help="report language: zh or en"),
    store: Optional[str] = typer.Option(None, "--store", help=defaults.STORE_HELP),
    out: Optional[Path] = typer.Option(None, "--out", help="report directory (default: reports_out/)"),
) -> None:
    """Re-render a stored audit run and print the path written.

    A run whose report.html exists (the one that was sent) gets report.<lang>.html beside it;
    report.html is left byte-identical. A run without one gets report.html with its exports."""
    from audits.history import resolve_run
    from audits.report.i18n import LANGUAGES
    from audits.report.render import render_run

    if lang not in LANGUAGES:
        console.print(f"[red]--lang {lang!r} is not supported; choose one of {', '.join(LANGUAGES)}[/red]")
        raise typer.Exit(EXIT_USAGE)
    store_path = existing_store(store, console)
    try:
        run_id = resolve_run(store_path, run, site)
    except LookupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    from audits.report.scoring import ScoringFileError
    from audits.report.waivers import WaiverFileError

    try:
        path = render_run(store_path, run_id, defaults.reports_dir(out), lang=lang, rerender=True)
    except (ScoringFileError, WaiverFileError) as exc:
        console.print("[red]rule file error:[/red]", end=" ")
        console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as exc:
        console.print(f"[red]the report of run {run_id} could not be written: {exc}[/red]")
        raise typer.Exit(EXIT_RUN_ERROR) from None
    print(path)
