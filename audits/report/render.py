"""Writes one stored run as a self-contained HTML report with findings.xlsx and CSV/JSON exports.

The report is one file a supervisor can mail on or print: inline CSS, inline SVG charts, no
script, nothing fetched from the network. Autoescaping is on for every template, because page
titles and values come from the audited sites and must read as text, never run as markup.

Layout: `<out_root>/<site>/<run time YYYYmmdd-HHMMSS>/report.html` plus the exports beside it.
A re-rendering (`govaudit report`) of a run whose report.html exists writes report.<lang>.html
beside it, so the report that was mailed stays as it was sent; a different run that started in
the same second gets `-run<ID>` appended instead of overwriting another run's report.
"""
from __future__ import annotations

import functools
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket

from audits.defaults import reports_dir
from audits.history import RunData, is_trial, load_run, site_runs
from audits.report import beside
from audits.report.context import build_context, run_time
from audits.report.spotcheck_box import spotcheck_box
from audits.report.diff import RunDiff, compare_runs
from audits.report.exports import write_exports
from audits.report.firstscreen import cnc_summary, rate_cells, this_week, waived_rows
from audits.report.i18n import translator
from audits.report.standing import Standing, standing


RUN_META = re.compile(r'<meta name="govaudit-run" content="(\d+)"')
_UNSAFE_PATH = re.compile(r"[^\w.\-]+")


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between processes, in Jinja's private per-user directory under the
    temporary directory (mode 0700): compiling report.html.j2 and its includes takes longer than
    rendering them, and every `govaudit audit` from the shell would pay it again. An entry is
    used only while its template's source is unchanged. A cache that cannot be written (read-only
    or full temporary directory) costs a compilation, never a report."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_templates() -> BytecodeCache | None:
    try:
        # Named for this environment: its options (autoescape, trim_blocks) are in the compiled code.
        return _CompiledTemplates(pattern="__govaudit_report_%s.cache")
    except (OSError, RuntimeError):  # no private directory to be had: compile in memory
        return None


@functools.cache
def environment() -> Environment:
    """One Jinja environment per process: it keeps the compiled templates and recompiles one whose
    file changed."""
    return Environment(loader=PackageLoader("audits.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       bytecode_cache=_compiled_templates())


def render_html(store_path: str | Path, run: RunData, lang: str = "zh",
                diff: RunDiff | None = None, where: Standing | None = None) -> str:
    from audits.rules.calendar_watch import calendar_notice

    t = translator(lang)
    diff = diff if diff is not None else compare_runs(store_path, run.id, run)
    where = where or standing(store_path, run, diff)
    previous = next((r for r in site_runs(store_path, run.site) if r["id"] == diff.previous_run_id), None)
    context = build_context(
        run, where.diff, where.cards, where.trends, t, previous["started_at"] if previous else None,
        trial=is_trial(run.run), formula=where.scoring.formula(lang), rates=where.scoring.rates, lang=lang,
        rate_cells=lambda card: rate_cells(card, where.scoring), week=this_week(where.diff),
        cnc_summary=cnc_summary(run.findings), waived=waived_rows(where.waived),
        calendar=calendar_notice(where.day))
    context["spotcheck"] = spotcheck_box(run, store_path)
    return environment().get_template("report.html.j2").render(**context)


def report_dir(out_root: Path, run: RunData) -> Path:
    """The run's directory, never one holding another run's report."""
    site = _UNSAFE_PATH.sub("_", run.site).strip("._") or "site"
    moment = run_time(run.run["started_at"]) or datetime.now(timezone.utc)
    base = out_root / site / moment.strftime("%Y%m%d-%H%M%S")
    existing = base / "report.html"
    if existing.exists():
        match = RUN_META.search(existing.read_text(encoding="utf-8", errors="replace")[:4000])
        if match is None or int(match.group(1)) != run.id:
            return base.with_name(f"{base.name}-run{run.id}")
    return base


def render_run(store_path: str | Path, run_id: int, out_root: Path | None = None, lang: str = "zh",
               rerender: bool = False) -> Path:
    """Render a stored run; return the path of the HTML written.

    The first rendering of a run writes report.html with findings.xlsx and the CSV/JSON
    exports: that is what the digest attaches. A re-rendering (`rerender`, `govaudit report`)
    of a run whose report.html exists writes report.<lang>.html beside it and leaves what was
    sent byte-identical."""
    translator(lang)  # an unknown language fails before anything is written
    run = load_run(store_path, run_id)
    diff = compare_runs(store_path, run_id, run)
    where = standing(store_path, run, diff)
    directory = report_dir(Path(out_root) if out_root is not None else reports_dir(), run)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "report.html"
    if rerender and path.exists():
        path = directory / f"report.{lang}.html"
        _write_atomic(path, render_html(store_path, run, lang, diff, where))
        return path

    # The workbook is written meanwhile by a second process where one helps; the CSV/JSON exports
    # here after the HTML, which together take about as long as the workbook alone.
    pending = beside.start(lambda: _write_workbook(directory / "findings.xlsx", where))
    try:
        _write_atomic(path, render_html(store_path, run, lang, diff, where))
        write_exports(run, directory, diff.open["open_runs"])
    finally:
        pending.wait()
    return path


def _write_workbook(path: Path, where: Standing) -> None:
    # openpyxl is imported by the process that writes the workbook: the forked copy, while this
    # one renders the HTML (a tenth of a second off every audit).
    from audits.report.workbook import write_workbook

    write_workbook(path, where)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
