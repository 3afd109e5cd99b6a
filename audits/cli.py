"""The `govaudit` command.

Each group of commands lives in its own module under `audits.commands` and registers itself
on the app through `register(app)`, so adding a command never means editing another's code.

Exit codes (documented in README): 0 no critical finding, 1 critical findings,
2 usage or rule-file error, 3 run error.
"""
from __future__ import annotations

import importlib

import typer

import audits.defaults  # noqa: F401  (sets GX_ANALYTICS_ENABLED before anything imports GX)

from audits.commands.exit_codes import EXIT_CRITICAL, EXIT_OK, EXIT_RUN_ERROR, EXIT_USAGE  # noqa: F401  (re-exported)

COMMAND_MODULES = [
    "audits.commands.crawl",
    "audits.commands.probe",
    "audits.commands.frames",
    "audits.commands.audit",
    "audits.commands.schedule",
    "audits.commands.email",
    "audits.commands.report",
    "audits.commands.rules",
    "audits.commands.sites",
    "audits.commands.findings",
]

app = typer.Typer(
    name="govaudit",
    help="Audit government information-disclosure (政府信息公开) portals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main(args: list[str] | None = None) -> None:
    """Run the command (`args`, else the process's own); a store or disk that refuses writes
    mid-run is one line and exit 3. Tests call it with `args` to run a command in-process
    exactly as the `govaudit` entry point does."""
    import sqlite3
    import sys

    from sqlalchemy.exc import DBAPIError

    from govaudit.store import StoreError, storage_failure

    try:
        app(args=args, prog_name="govaudit")
    except StoreError as exc:
        print(f"govaudit: {exc}", file=sys.stderr)
        sys.exit(EXIT_RUN_ERROR)
    except (sqlite3.Error, DBAPIError, OSError) as exc:
        failure = storage_failure(exc, getattr(exc, "filename", None) or "the store")
        if failure is None:
            raise
        print(f"govaudit: {failure}", file=sys.stderr)
        sys.exit(EXIT_RUN_ERROR)

if __name__ == "__main__":
    main()
