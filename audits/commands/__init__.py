"""Command groups of `govaudit`, one module each, and the argument handling they share."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import defaults
from audits.commands.exit_codes import EXIT_USAGE


def existing_store(store: str | None, console: Console) -> Path:
    """The store a read-only command works on; a missing one is a usage error, not a new empty file."""

    path = defaults.store_path(store)
    if not path.exists():
        console.print(f"[red]no store at {path}[/red]; run `govaudit crawl SITE` first, "
                      f"or pass --store / set {defaults.STORE_PATH_ENV}")
        raise typer.Exit(EXIT_USAGE)
    return path
