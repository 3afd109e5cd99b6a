"""`govaudit findings waive KEY --until DATE --reason ... --by ...`: accept a finding until a date.

The waiver is written to `waivers.yml` beside the rules (the file a supervisor can also edit by
hand) with the page's content hash as it was last audited, so the finding comes back by itself
when the date passes or the page changes. A key that no stored run has is refused: a typo must
not become a waiver that silently matches nothing.
"""
from __future__ import annotations

from contextlib import closing
from datetime import date
from typing import Optional

import typer
from rich.console import Console

from audits import defaults
from audits.commands import existing_store
from audits.commands.exit_codes import EXIT_USAGE

console = Console(stderr=True, soft_wrap=True)
findings_app = typer.Typer(help="Work with findings across runs (waivers).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(findings_app, name="findings")


def _day(value: str, option: str) -> date:

    try:
        return date.fromisoformat(value)
    except ValueError:
        console.print(f"[red]{option} {value!r} is not a date; write YYYY-MM-DD[/red]")
        raise typer.Exit(EXIT_USAGE) from None


@findings_app.command("waive")
def waive(
    key: str = typer.Argument(..., help="finding key (site|document|rule), as in findings.xlsx / findings.csv"),
    until: str = typer.Option(..., "--until", help="last day the waiver holds (YYYY-MM-DD)"),
    reason: str = typer.Option(..., "--reason", help="why the finding is accepted"),
    by: str = typer.Option(..., "--by", help="who accepted it"),
    rules: Optional[str] = typer.Option(None, "--rules", help="rules directory holding waivers.yml"),
    store: Optional[str] = typer.Option(None, "--store", help=defaults.STORE_HELP),
) -> None:
    """Waive one finding until a date; it comes back when the date passes or its page changes."""
    import sqlalchemy as sa

    from audits.history import open_history
    from govaudit import schema
    from audits.report.waivers import Waiver, WaiverFileError, append_waiver, waivers_path

    until_day = _day(until, "--until")
    if until_day < date.today():
        console.print(f"[red]--until {until} is in the past; a waiver must hold until today or later[/red]")
        raise typer.Exit(EXIT_USAGE)
    if not reason.strip() or not by.strip():
        console.print("[red]--reason and --by must not be empty[/red]")
        raise typer.Exit(EXIT_USAGE)
    store_path = existing_store(store, console)
    with closing(open_history(store_path)) as conn:
        found = schema.findings.c
        row = conn.execute(sa.select(found.content_hash, found.run_id).where(found.finding_key == key)
                           .order_by(found.run_id.desc()).limit(1)).fetchone()
    if row is None:
        console.print(f"[red]no stored run has a finding with key {key!r}[/red]; copy the key from the "
                      f"问题编号 column of findings.xlsx (or finding_key in findings.csv)")
        raise typer.Exit(EXIT_USAGE)
    path = waivers_path(rules)
    waiver = Waiver(key, until_day, reason.strip(), by.strip(), row["content_hash"] or None, date.today())
    try:
        append_waiver(path, waiver)
    except WaiverFileError as exc:
        for problem in exc.problems:
            console.print(problem, markup=False, highlight=False)
        console.print(f"[red]{path} has problems; fix them before adding a waiver[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    print(f"waived {key} until {until_day.isoformat()} in {path}")
