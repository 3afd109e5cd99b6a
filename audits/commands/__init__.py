"""Command groups of `govaudit`, one module each, and the argument handling they share."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import defaults
from audits.commands.exit_codes import EXIT_RUN_ERROR, EXIT_USAGE
from govaudit.store import StoreError, store_problem
from govaudit.untrusted import shown


def _location(store: str | None, console: Console) -> Path | str:
    """The store named by --store / $GOVAUDIT_DB; a server store is connected to (and brought to
    the current schema) here, so an unreachable server or a refused login is exit 3 before any work."""
    from govaudit.db import connect

    try:
        location = defaults.store_path(store)
        if isinstance(location, str):
            connect(location).close()
    except StoreError as exc:
        console.print(f"[red]{shown(str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_RUN_ERROR) from None
    return location


def existing_store(store: str | None, console: Console) -> Path | str:
    """The store a read-only command works on; a missing one is a usage error, not a new empty file."""

    path = _location(store, console)
    if isinstance(path, str):
        return path
    if problem := store_problem(path, writing=False):
        console.print(f"[red]{shown(problem)}[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_RUN_ERROR)
    if not path.exists():
        console.print(f"[red]no store at {shown(path)}[/red]; run `govaudit crawl SITE` first, "
                      f"or pass --store / set {defaults.STORE_PATH_ENV}")
        raise typer.Exit(EXIT_USAGE)
    return path


def writable_directory(path: Path, console: Console, what: str) -> Path:
    """A directory a command will write into (reports), checked before any work: exit 3 if it
    is a file or cannot be created or written."""
    import os

    existing = next((p for p in [path, *path.absolute().parents] if p.exists()), None)
    problem = None
    if existing is not None and not existing.is_dir():
        problem = f"the {what} {path} cannot be used: {existing} is a file, not a directory"
    elif existing is not None and not os.access(existing, os.W_OK):
        problem = f"the {what} {path} is not writable ({existing} is read-only); pass another one"
    if problem:
        console.print(f"[red]{shown(problem)}[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_RUN_ERROR)
    return path


def writable_store(store: str | None, console: Console, must_exist: bool = False) -> Path | str:
    """The store a command will write to, checked before any work: a directory, a read-only
    file, a full disk or an unreachable server is one line and exit 3 now, not a traceback after the crawl."""
    path = existing_store(store, console) if must_exist else _location(store, console)
    if isinstance(path, Path) and (problem := store_problem(path)):
        console.print(f"[red]{shown(problem)}[/red]", soft_wrap=True)
        raise typer.Exit(EXIT_RUN_ERROR)
    return path
