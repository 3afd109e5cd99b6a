"""Run a rule pack on the frames of one crawl with Great Expectations.

One ephemeral GX context per run (nothing is written to disk, no telemetry): one pandas data
source, one dataframe asset per frame, and each suite validated on its frame's batch with the
COMPLETE result format, whose unexpected_index_list maps failures back to rows. Around GX, the
runner does what GX cannot: rows a rule applies to but whose inputs are missing become
"could not check" findings (never passes), and a suite that checks no row at all is an error.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402

from audits import defaults  # noqa: E402
from audits.rules import builtin_types, findings as finding_rows  # noqa: E402
from audits.rules.audit_types import AUDIT_TYPES  # noqa: E402
from audits.rules.derive import derive_frames  # noqa: E402
from audits.rules.loader import load_rules  # noqa: E402
from audits.rules.model import Rule, RulePack, Suite  # noqa: E402

STAT_COLUMNS = {"rule_id": "string", "suite": "string", "severity": "string", "title": "string", "basis": "string",
                "evaluated": "Int64", "failed": "Int64", "could_not_check": "Int64", "pass_rate": "Float64"}
# Frames that exist only where the site config asks for them (site columns) or a probe job ran:
# without rows their suites are not configured, not failed, and say so in the rule stats.
OPTIONAL_FRAMES = {"site_columns", "unit_checks"}
RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False, "partial_unexpected_count": 0}


@dataclass
class AuditResult:
    findings: pd.DataFrame
    rule_stats: pd.DataFrame
    errors: list[str] = field(default_factory=list)


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _context() -> Any:
    _quiet_gx()
    context = gx.get_context(mode="ephemeral")
    from great_expectations.data_context.types.base import ProgressBarsConfig
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def run_rules(frames: Any, rules_dir: Path | None = None, now: datetime | None = None,
              pack: RulePack | None = None, unit_full_names: dict[str, str] | None = None) -> AuditResult:
    """Validate `frames` (a Frames object or a dict of DataFrames) against the rule files.
    `unit_full_names` maps a unit's name to its standard full name (the site config's)."""
    pack = pack or load_rules(defaults.rules_dir(rules_dir))
    derived, reasons = derive_frames(frames, pack.parameters, now, unit_full_names)
    context = _context()
    source = context.data_sources.add_pandas("govaudit")
    batches: dict[str, Any] = {}
    parts: list[pd.DataFrame] = []
    stats: list[dict] = []
    errors: list[str] = []
    for suite in pack.suites:
        df = derived[suite.frame]
        if not suite.rules:
            errors.append(f"{suite.location}: suite {suite.name}: no expectations, so it checks nothing")
            continue
        if df.empty and suite.frame in OPTIONAL_FRAMES:
            stats += [_stat(rule, 0, 0, 0) for rule in suite.rules]
            continue
        if df.empty:
            errors.append(f"{suite.location}: suite {suite.name}: frame {suite.frame} has no rows, "
                          f"so nothing was checked (this is not a pass)")
            stats += [_stat(rule, 0, 0, 0) for rule in suite.rules]
            continue
        if suite.frame not in batches:
            asset = source.add_dataframe_asset(suite.frame)
            batches[suite.frame] = asset.add_batch_definition_whole_dataframe("whole")
        # Only the columns the suite names: pandas' query() builds a Series per column of the
        # frame on every call, and table 三 alone has ~190 cell columns.
        used = list(dict.fromkeys(["url", *(c for rule in suite.rules for c in rule.referenced)]))
        df = capped_text(df[used])
        batch = batches[suite.frame].get_batch(batch_parameters={"dataframe": df})
        suite_parts, suite_stats, suite_errors = _validate(suite, df, batch, reasons)
        parts += suite_parts
        stats += suite_stats
        errors += suite_errors
        if sum(s["evaluated"] + s["could_not_check"] for s in suite_stats) == 0 and not suite_errors:
            errors.append(f"{suite.location}: suite {suite.name}: evaluated zero rows: every rule's row_condition "
                          f"excluded all {len(df)} rows of frame {suite.frame} (this is not a pass)")
    stat_frame = pd.DataFrame(stats, columns=list(STAT_COLUMNS)).astype(STAT_COLUMNS)
    evidence = [derived[name] for name in sorted(OPTIONAL_FRAMES)]
    return AuditResult(finding_rows.build_findings(parts, derived["documents"], evidence), stat_frame, errors)


def capped_text(df: pd.DataFrame, cap: int = defaults.RULE_TEXT_CAP) -> pd.DataFrame:
    """Text cells cut to `cap` characters (marked with …) before any rule reads them: a rule
    regex that backtracks (quadratic or worse) then costs a bounded time per cell, whatever a
    hostile page puts in its 发布机构. URLs stay whole: they are how findings find their page."""
    out = df
    for column in df.columns:
        if column == "url" or not (df[column].dtype == object or pd.api.types.is_string_dtype(df[column])):
            continue
        values = df[column]
        long = values.map(lambda v: isinstance(v, str) and len(v) > cap)
        if long.any():
            if out is df:
                out = df.copy()
            out.loc[long, column] = values[long].map(lambda v: v[:cap] + "…")
    return out


def _stat(rule: Rule, evaluated: int, failed: int, unchecked: int) -> dict:
    passed = evaluated - failed - (unchecked if rule.kind == "could_not_check" else 0)
    return {"rule_id": rule.id, "suite": rule.suite, "severity": rule.severity, "title": rule.title,
            "basis": rule.basis, "evaluated": evaluated, "failed": failed, "could_not_check": unchecked,
            "pass_rate": round(passed / evaluated, 4) if evaluated else pd.NA}


def _validate(suite: Suite, df: pd.DataFrame, batch: Any, reasons: dict) -> tuple[list, list, list]:
    gx_suite = gx.ExpectationSuite(name=suite.name)
    for rule in suite.rules:
        gx_suite.add_expectation(type(rule.expectation)(**rule.gx_kwargs, meta={"rule_id": rule.id}))
    results = batch.validate(gx_suite, result_format=RESULT_FORMAT)
    by_rule = {r.expectation_config.meta.get("rule_id"): r for r in results.results}
    parts, stats, errors = [], [], []
    for rule in suite.rules:
        result = by_rule.get(rule.id)
        failure = _exception(result)
        if failure:
            errors.append(f"{rule.location}: rule {rule.id}: Great Expectations could not evaluate it: {failure}")
            stats.append(_stat(rule, 0, 0, 0))
            continue
        unexpected = result.result.get("unexpected_index_list") or []
        rule_parts, stat = _rule_findings(rule, df, unexpected, reasons)
        parts += rule_parts
        stats.append(stat)
    return parts, stats, errors


def _exception(result: Any) -> str | None:
    """GX reports an exception either at the top of exception_info or per metric inside it."""
    if result is None:
        return "no result"
    info = result.exception_info or {}
    found = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for item in found:
        if item.get("raised_exception"):
            return str(item.get("exception_message") or "unknown error").strip().splitlines()[-1]
    return None


def _applicable(rule: Rule, df: pd.DataFrame) -> pd.DataFrame:
    condition = rule.row_condition
    return df.query(condition, parser="pandas") if condition else df


def _unchecked(rule: Rule, rows: pd.DataFrame, frame: str, reasons: dict) -> pd.Series:
    audit = AUDIT_TYPES.get(rule.type)
    if audit is not None:
        why = audit.unchecked(rows, rule.kwargs)
        columns = rule.columns
    else:
        columns = builtin_types.unchecked_columns(rule.type, rule.kwargs)
        why = pd.Series(pd.NA, index=rows.index, dtype="string")
        for column in columns:
            null = rows[column].isna() & why.isna()
            why[null] = f"缺少 {column}"
    for column in columns:  # a derived value may know why it is missing: say that instead
        known = reasons.get((frame, column))
        if known is not None:
            better = known.reindex(rows.index)
            why = why.mask(why.notna() & better.notna(), better)
    return why


def _rule_findings(rule: Rule, df: pd.DataFrame, unexpected: list, reasons: dict) -> tuple[list, dict]:
    rows = _applicable(rule, df)
    audit = AUDIT_TYPES.get(rule.type)
    if audit is not None and hasattr(audit, "excluded"):
        rows = rows[~audit.excluded(rows, rule.kwargs).fillna(False).astype(bool)]
    why = _unchecked(rule, rows, rule.frame, reasons)
    unchecked = why.notna()
    failing = rows.index.intersection(pd.Index(unexpected))
    failing = failing[~unchecked.reindex(failing).fillna(False).to_numpy(dtype=bool)]
    parts = []
    if len(failing):
        failed_rows = df.loc[failing]
        context = rows if getattr(audit, "explain_needs_context", False) else failed_rows
        if audit is not None:
            observed, expected = audit.explain(context, rule.kwargs)
        else:
            observed, expected = builtin_types.explain(rule.type, context, rule.kwargs)
        observed, expected = observed.reindex(failing), expected.reindex(failing)
        message = finding_rows.render_messages(rule.message, failed_rows, observed, expected)
        parts.append(finding_rows.rule_rows(rule, failed_rows, rule.kind, observed, expected, message))
    if unchecked.any():
        blocked = rows[unchecked]
        reason = why[unchecked].astype("string")
        message = f"无法检查「{rule.title}」：" + reason
        expected = pd.Series(describe_expected(rule), index=blocked.index, dtype="string")
        parts.append(finding_rows.rule_rows(rule, blocked, "could_not_check", reason, expected, message))
    evaluated = int(len(rows) - unchecked.sum())
    cnc = int(unchecked.sum()) + (len(failing) if rule.kind == "could_not_check" else 0)
    failed = 0 if rule.kind == "could_not_check" else len(failing)
    return parts, _stat(rule, evaluated, failed, cnc)


def describe_expected(rule: Rule) -> str:
    audit = AUDIT_TYPES.get(rule.type)
    return audit.describe(rule.kwargs) if audit is not None else builtin_types.describe(rule.type, rule.kwargs)
