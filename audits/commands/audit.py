"""`govaudit audit` (re-run the rules on a stored crawl) and `govaudit demo` (the whole job on the demo portal)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from audits import defaults
from audits.commands import writable_directory, writable_store
from audits.commands.exit_codes import EXIT_CRITICAL, EXIT_RUN_ERROR, EXIT_USAGE
from govaudit.untrusted import shown

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole in logs and pipes


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.command("demo")(demo)


def _rule_file_errors() -> tuple[type[Exception], ...]:
    """Mistakes in files a rule tuner edits: the rule suites, the section keyword sets, the
    scoring and the waivers."""
    from audits.normalize.section_kinds import SectionKindsError
    from audits.report.scoring import ScoringFileError
    from audits.rules.loader import RuleFileError
    from audits.report.waivers import WaiverFileError
    from govaudit.yamlsource import YamlError  # a file that is not YAML at all

    return RuleFileError, SectionKindsError, ScoringFileError, WaiverFileError, YamlError


def check_report_files(rules: Path | str | None) -> None:
    """Load the scoring and waiver files strictly before any work, so a typo stores no run."""
    from audits.report.scoring import load_scoring, scoring_path
    from audits.report.waivers import load_waivers, waivers_path

    load_scoring(scoring_path(defaults.rules_dir(rules)))
    load_waivers(waivers_path(rules))


def audit(
    crawl: str = typer.Option("latest", "--crawl", help="'latest' or a crawl id"),
    site: Optional[str] = typer.Option(None, help="with --crawl latest: the latest crawl of this site"),
    rules: Optional[Path] = typer.Option(None, help="rule directory (default: expectations/)"),
    store: Optional[str] = typer.Option(None, help=defaults.STORE_HELP),
    reports: Optional[Path] = typer.Option(None, help="report directory (default: reports_out/)"),
    lang: str = typer.Option("zh", help="report language: zh or en"),
    record: bool = typer.Option(False, "--record/--trial",
                                help="--trial (default): kept out of the weekly history, diffs, open-for-N "
                                     "and trends; --record: a run of record, like a scheduled run"),
    watch: bool = typer.Option(False, "--watch",
                               help="after the audit, audit again each time a rule file is saved and say which "
                                    "rules now find more or fewer problems (trial runs; Ctrl-C stops)"),
) -> None:
    """Run the rule suites on a stored crawl (no crawling) and write the report."""
    from audits.audit import audit_crawl, render
    from govaudit.store import Store

    check_lang(lang)  # options are checked before any work, so a typo stores nothing
    if watch and record:
        console.print("[red]--watch audits again on every save, so its runs are trial runs; make a run of record "
                      "with `govaudit audit --record` alone[/red]")
        raise typer.Exit(EXIT_USAGE)
    memo: dict = {}
    store_path = writable_store(store, console, must_exist=True)
    writable_directory(defaults.reports_dir(reports), console, "report directory")
    try:
        check_report_files(rules)
        with Store(store_path) as st:
            crawl_id = st.resolve_crawl(crawl, site)
        result = audit_crawl(store, crawl_id, rules, trial=not record, memo=memo)
    except LookupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    except _rule_file_errors() as exc:
        console.print("[red]rule file error:[/red]", end=" ")
        console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        report = render(store, result.run_id, reports, lang)
    except Exception as exc:  # the findings are stored; say so and how to retry
        console.print(f"[red]the report could not be written: {exc}[/red]\n"
                      f"findings of run {result.run_id} are stored; retry with `govaudit report --run {result.run_id}`")
        raise typer.Exit(EXIT_RUN_ERROR) from None
    print_summary(result)
    if not record:
        console.print(f"trial run {result.run_id}: not part of the weekly history "
                      f"(`govaudit audit --record` makes a run of record)")
    print(f"report: {report}")
    if watch:
        watch_rules(store, crawl_id, rules, reports, lang, memo, result)
    if result.critical_count:
        raise typer.Exit(EXIT_CRITICAL)
    if result.errors:  # a suite that checked nothing is not a pass
        raise typer.Exit(EXIT_RUN_ERROR)


def watch_rules(store: str | None, crawl_id: int, rules: Path | None, reports: Path | None, lang: str,
                memo: dict, first) -> None:
    """Audit `crawl_id` again each time a rule file is saved, until Ctrl-C (exit 0)."""
    import time

    from audits.audit import audit_crawl, render
    from audits.watch import count_changes, finding_counts, watch

    directory = defaults.rules_dir(rules)
    counts = finding_counts(first.findings)
    console.print(f"watching {shown(str(directory))} for saved rule files (Ctrl-C stops)")

    def run(names: list[str]) -> None:
        nonlocal counts
        started = time.perf_counter()
        what = shown(", ".join(names))
        try:
            check_report_files(rules)
            result = audit_crawl(store, crawl_id, rules, trial=True, memo=memo)
            report = render(store, result.run_id, reports, lang)
        except _rule_file_errors() as exc:
            console.print(f"{what} changed: [red]rule file error:[/red]", end=" ")
            console.print(str(exc), markup=False, highlight=False)
            console.print("nothing was audited; still watching: fix the file and save it again")
            return
        now = finding_counts(result.findings)
        changes, counts = count_changes(counts, now), now
        console.print(f"{what} changed: trial run {result.run_id} in {time.perf_counter() - started:.1f} s; "
                      f"{totals_line(result)}")
        for line in changes or ["no rule finds more or fewer problems than before"]:
            console.print(f"  {shown(line)}", markup=False, highlight=False)
        for error in result.errors:
            console.print(f"[red]suite error:[/red] {shown(error)}")
        print(f"report: {report}", flush=True)

    try:
        watch(directory, run)
    except KeyboardInterrupt:
        console.print("stopped watching")
    raise typer.Exit(0)


def check_lang(lang: str) -> None:
    from audits.report.i18n import LANGUAGES

    if lang not in LANGUAGES:
        console.print(f"[red]--lang {lang!r} is not supported; choose one of {', '.join(LANGUAGES)}[/red]")
        raise typer.Exit(EXIT_USAGE)


def print_summary(result) -> None:
    f = result.findings
    table = Table(title=f"run {result.run_id}: crawl {result.crawl_id} of {shown(result.site)} ({result.crawl_status})")
    for col in ("kind", "severity", "rule", "findings"):
        table.add_column(col, justify="right" if col == "findings" else "left")
    if len(f):
        counts = f.groupby(["kind", "severity", "rule_id"]).size().reset_index(name="n")
        order = {"critical": 0, "warning": 1, "info": 2}
        counts = counts.sort_values(by=["kind", "severity", "rule_id"],
                                    key=lambda s: s.map(order) if s.name == "severity" else s)
        for row in counts.itertuples():
            table.add_row(row.kind, row.severity, shown(row.rule_id), str(row.n))
    console.print(table)
    for error in result.errors:
        console.print(f"[red]suite error:[/red] {shown(error)}")
    console.print(totals_line(result))


def totals_line(result) -> str:
    """The run's totals, e.g. `502 documents listed, 498 read; 69 critical, 80 warning, 55 could not be checked`."""
    f, d = result.findings, result.documents
    details = d[d["kind"] == "detail"] if len(d) else d
    readable = int(details["fetch_error"].isna().sum()) if len(details) else 0
    return (f"{len(details)} documents listed, {readable} read; {result.critical_count} critical, "
            f"{int(((f['kind'] == 'failure') & (f['severity'] == 'warning')).sum()) if len(f) else 0} warning, "
            f"{int((f['kind'] == 'could_not_check').sum()) if len(f) else 0} could not be checked")


def demo(
    seed: int = typer.Option(7, help="seed of the generated portal"),
    size: int = typer.Option(300, help="number of documents on the Hanweb units (the TRS, gkmlpt and jpaas "
                                       "units add a fixed 178)"),
    store: Optional[str] = typer.Option(None, help=defaults.STORE_HELP),
    reports: Optional[Path] = typer.Option(None, help="report directory"),
    lang: str = typer.Option("zh", help="report language: zh or en"),
) -> None:
    """Serve the bundled demo portal on loopback, crawl it, audit it and write the report."""
    from audits.audit import run_site

    check_lang(lang)
    from demoportal.server import DemoPortal

    writable_store(store, console)

    with DemoPortal(seed=seed, size=size) as portal:
        units = portal.manifest["units"]
        console.print(f"demo portal (桐乡市, {len(portal.manifest['documents'])} documents, {len(units)} units on "
                      f"{len({u['cms'] for u in units})} CMS platforms) serving at {portal.url}")
        outcome = run_site("demo", store_path=store, reports_dir=reports, lang=lang, base_url=portal.url,
                           show_progress=True)
    print_summary(outcome.audit)
    print(f"report: {outcome.report_path}")
    # The exit codes of the README, as for `govaudit audit`: the demo portal carries critical
    # defects on purpose, so a correct demo run exits 1.
    if outcome.crawl.status == "failed":
        raise typer.Exit(EXIT_RUN_ERROR)
    if outcome.audit.critical_count:
        raise typer.Exit(EXIT_CRITICAL)
    if outcome.audit.errors:
        raise typer.Exit(EXIT_RUN_ERROR)
