"""`govaudit rules check` and `govaudit rules list`: the rule tuner's two commands.

`check` loads the rule files exactly as an audit would (strictly) and says OK with counts or
lists every problem as file:line: rule: problem, exiting 2; it evaluates nothing, like
`soda contract test`. `list` shows each rule in plain language with its parameters and basis.
"""
from __future__ import annotations

from collections import Counter
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands.exit_codes import EXIT_USAGE

err = Console(stderr=True, soft_wrap=True)
# Tables go through a Console made when they are printed, so their width follows COLUMNS then,
# not whatever the environment was when this module was imported.
rules_app = typer.Typer(help="Check and list the rule files (expectations/*.yml).", no_args_is_help=True)
RULES_OPTION = typer.Option(None, "--rules", help=f"rules directory (default {defaults.DEFAULT_RULES_DIR})")


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")


def _load(rules: Optional[str]):
    from audits.rules.loader import load_rules
    from audits.rules.model import RuleFileError

    try:
        return load_rules(defaults.rules_dir(rules))
    except RuleFileError as exc:
        for problem in exc.problems:
            err.print(problem, markup=False, highlight=False, soft_wrap=True)
        err.print(f"[red]{len(exc.problems)} problem(s) in the rule files[/red]")
        raise typer.Exit(EXIT_USAGE) from None


@rules_app.command("check")
def check(rules: Optional[str] = RULES_OPTION) -> None:
    """Load every rule file strictly; print OK with counts, or the problems (exit 2)."""

    pack = _load(rules)
    _check_report_files(rules)
    empty = [s for s in pack.suites if not s.rules]
    for suite in empty:
        err.print(f"{suite.location}: suite {suite.name}: no expectations, so it checks nothing", markup=False,
                  soft_wrap=True)
    if empty:
        raise typer.Exit(EXIT_USAGE)
    severities = Counter(rule.severity for rule in pack.rules)
    shown = ", ".join(f"{severities[s]} {s}" for s in ("critical", "warning", "info") if severities[s])
    Console().print(f"OK: {len(pack.suites)} suites, {len(pack.rules)} rules ({shown}), "
                  f"{len(pack.parameters)} parameters in {pack.directory}", highlight=False, soft_wrap=True)
    _warn_calendar()


def _check_report_files(rules: Optional[str]) -> None:
    """scoring.yml and waivers.yml beside the rules are read as strictly as the suites."""
    from audits.report.scoring import ScoringFileError, load_scoring, scoring_path
    from audits.report.waivers import WaiverFileError, load_waivers, waivers_path

    problems: list[str] = []
    loads = (lambda: load_scoring(scoring_path(defaults.rules_dir(rules))), lambda: load_waivers(waivers_path(rules)))
    for load in loads:
        try:
            load()
        except (ScoringFileError, WaiverFileError) as exc:
            problems += exc.problems
    for problem in problems:
        err.print(problem, markup=False, highlight=False, soft_wrap=True)
    if problems:
        err.print(f"[red]{len(problems)} problem(s) in the scoring or waiver file[/red]")
        raise typer.Exit(EXIT_USAGE)


def _warn_calendar() -> None:
    from audits.rules.calendar_watch import calendar_notice

    notice = calendar_notice()
    if notice is not None:
        err.print(f"warning: {notice.message()}", markup=False, highlight=False, soft_wrap=True)


@rules_app.command("list")
def list_rules(rules: Optional[str] = RULES_OPTION) -> None:
    """Show every rule: id, severity, title, what it checks (with its parameters), basis."""
    from audits.rules.describe import what_it_checks

    pack = _load(rules)
    table = Table(show_lines=True, title=f"{len(pack.rules)} rules in {pack.directory}")
    for column in ("id", "severity", "title", "what it checks", "basis"):
        table.add_column(column, overflow="fold")
    for rule in pack.rules:
        table.add_row(rule.id, rule.severity, rule.title, what_it_checks(rule), rule.basis)
    Console().print(table)
    if pack.parameters:
        Console().print("parameters: " + "; ".join(f"{k} = {v!r}" for k, v in pack.parameters.items()),
                      highlight=False, markup=False)
