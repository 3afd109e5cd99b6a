"""`govaudit frames`: look at the normalised frames of a stored crawl, or export them as CSV.

Analysts tuning a rule need to see what the rule will read (a document's dates, the kinds of
its sections, the cells of table 三) without running the audit; this prints the chosen frame
or writes every frame as UTF-8-with-BOM CSV for Excel.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands import existing_store
from audits.normalize.section_kinds import SectionKindsError
from audits.commands.exit_codes import EXIT_RUN_ERROR, EXIT_USAGE
from govaudit.store import Store
from govaudit.untrusted import shown

FRAME_NAMES = ("documents", "sections", "table_cells", "figures", "figure_groups",
               "table2_wide", "table3_wide", "table4_wide")
SHOWN = {
    "documents": ["doc_id", "unit", "title", "report_type", "report_year", "published_at", "issued_date",
                  "index_no", "publisher", "table_template", "parse_problems"],
    "sections": ["doc_id", "ordinal", "numeral", "heading", "kind", "standalone", "years"],
    "table_cells": ["doc_id", "table", "row_key", "col_key", "value", "raw"],
    "figures": ["doc_id", "figure_id", "raw", "value", "unit", "approx", "pct_kind", "excluded", "group_id", "role"],
    "figure_groups": ["doc_id", "group_id", "total", "parts_sum", "n_parts", "complete", "nested_in", "excess", "doubt",
                      "unit", "sentence"],
}
CELL_WIDTH = 40

errors = Console(stderr=True, soft_wrap=True)
# Tables go through a Console made when they are printed, so their width follows COLUMNS then,
# not whatever the environment was when this module was imported.


def register(app: typer.Typer) -> None:
    app.command("frames")(frames)


def frames(
    crawl: str = typer.Option("latest", "--crawl", "-c", help="crawl id, or 'latest' (last finished crawl)"),
    unit: Optional[list[str]] = typer.Option(None, "--unit", "-u", help="only this unit (repeatable)"),
    frame: str = typer.Option("documents", "--frame", "-f", help=f"frame to print: {', '.join(FRAME_NAMES)}"),
    csv: Optional[Path] = typer.Option(None, "--csv", help="write every frame as <DIR>/<frame>.csv instead"),
    limit: int = typer.Option(50, help="rows to print (0 = all)"),
    store: Optional[str] = typer.Option(None, help=defaults.STORE_HELP),
) -> None:
    """Print one normalised frame of a crawl, or export all frames as CSV (UTF-8 with BOM)."""
    from audits.normalize import build_frames

    if frame not in FRAME_NAMES:
        errors.print(f"[red]unknown frame {frame!r}[/red]; choose one of {', '.join(FRAME_NAMES)}")
        raise typer.Exit(EXIT_USAGE)
    path = existing_store(store, errors)
    try:
        with Store(path) as st:
            crawl_id = st.resolve_crawl(crawl)
            check_units(unit, list((st.crawl(crawl_id) or {}).get("units", [])), crawl_id)
            built = build_frames(st.pages(crawl_id, unit or None), crawl_id, read_file=st.attachment_file)
    except LookupError as exc:
        errors.print(f"[red]{shown(exc)}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    except SectionKindsError as exc:
        errors.print(f"[red]section kinds error:[/red] {shown(exc)}")
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as exc:  # noqa: BLE001 - a run error gets its own exit code, with the reason
        errors.print(f"[red]could not build the frames of crawl {shown(crawl)}:[/red] {shown(repr(exc))}")
        raise typer.Exit(EXIT_RUN_ERROR) from None
    if csv is not None:
        for written in built.to_csv(csv):
            Console().print(f"{shown(written)}  ({len(getattr(built, written.stem))} rows)")
        return
    _print(getattr(built, frame), frame, crawl_id, limit)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array cell
        return False


def check_units(wanted: list[str] | None, known: list[str], crawl_id: int) -> None:
    """An unknown --unit is a usage error naming the crawl's units, never an empty table."""
    import difflib

    for name in wanted or []:
        if known and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise LookupError(f"crawl {crawl_id} has no unit {name!r}{hint}; its units: {', '.join(known)}")


def _print(df: pd.DataFrame, name: str, crawl_id: int, limit: int) -> None:
    columns = [c for c in SHOWN.get(name, list(df.columns)[:12]) if c in df.columns]
    head = df if limit <= 0 else df.head(limit)
    table = Table(title=f"{name} of crawl {crawl_id}: {len(df)} rows"
                        + (f" (first {len(head)})" if len(head) < len(df) else ""))
    for column in columns:
        table.add_column(column, overflow="fold", max_width=CELL_WIDTH)
    for row in head[columns].itertuples(index=False):
        table.add_row(*("" if _missing(v) else shown(v) for v in row))
    Console().print(table)
