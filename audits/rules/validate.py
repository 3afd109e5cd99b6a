"""Run a rule pack on the frames of one crawl with Great Expectations.

One ephemeral GX context per thread (nothing is written to disk, no telemetry), kept for the
next run: one pandas data source, one dataframe asset per frame, and each group of rules
validated on a batch of its frame's rows with the COMPLETE result format, whose
unexpected_index_list maps failures back to rows. Around GX, the runner does what GX cannot:
rows a rule applies to but whose inputs are missing become "could not check" findings (never
passes), and a suite that checks no row at all is an error.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine  # noqa: E402

from audits import defaults  # noqa: E402
from audits.rules import builtin_types, findings as finding_rows  # noqa: E402
from audits.rules.audit_types import AUDIT_TYPES  # noqa: E402
from audits.rules.conditions import condition_columns  # noqa: E402
from audits.rules.derive import audit_day, derive_frames  # noqa: E402
from audits.rules.derived_cache import StoreDerivedCache  # noqa: E402
from audits.rules.loader import load_rules  # noqa: E402
from audits.rules.model import Rule, RulePack, Suite  # noqa: E402
from audits.rules.result_cache import (  # noqa: E402
    Answer, Restored, StoreResultCache, alias_key, findings_key, group_key, kept_findings, restored_findings,
    rows_digest)

# GX fingerprints every pandas batch (hash_pandas_object over all its cells, twice per group: the
# batch and the validator's batch) for a marker nobody here reads: on a million documents that
# is most of a minute. A threshold of 0 bytes turns the fingerprint off and changes no result.
pandas_execution_engine.HASH_THRESHOLD = 0

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
    from tqdm import tqdm

    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    # GX still makes a (disabled) tqdm bar per validation, and the first tqdm bar of a process
    # starts tqdm's monitor thread: a thread for no bar at all, and one that keeps the report's
    # workbook from being written by a forked copy (audits.report.beside forks single-threaded
    # processes only).
    tqdm.monitor_interval = 0
    return context


_gx = threading.local()


def _batch_definition(frame: str) -> Any:
    """The whole-dataframe batch definition of `frame`, made once per thread and kept: adding a
    data source or an asset makes the ephemeral context serialise its whole configuration to
    YAML, which cost more than validating a small crawl. One per thread, because scheduled jobs
    run in threads and a GX context is not made to be shared between them; the rows are handed
    over with each batch, so nothing of one run stays with the next."""
    definitions = getattr(_gx, "definitions", None)
    if definitions is None:
        definitions = _gx.definitions = {}
        _gx.source = _context().data_sources.add_pandas("govaudit")
    if frame not in definitions:
        definitions[frame] = _gx.source.add_dataframe_asset(frame).add_batch_definition_whole_dataframe("whole")
    return definitions[frame]


def _release_batches() -> None:
    """Drop what GX's execution engine keeps of the batches it validated: the rows of the last
    batch of each frame, and every metric it resolved on them. Its metric cache keeps them for
    the engine's lifetime (each group's row masks with their index, unexpected-index lists,
    domain frames), though nothing reads them after their validation: a validation resolves its
    metrics afresh, the cache only backing dependencies missing from the current resolution.
    Released after each group, so that one group's rows and metrics are not held while the next
    group is copied and validated (kept, they grew a million documents' audit by ~400 MiB), and
    so that a scheduler process holds none of them until its next audit."""
    source = getattr(_gx, "source", None)
    if source is not None:
        engine = source.get_execution_engine()
        engine.batch_manager.reset_batch_cache()
        engine.batch_manager.batch_data_cache.clear()
        cache = getattr(engine, "_metric_cache", None)
        if isinstance(cache, dict):
            cache.clear()


def run_rules(frames: Any, rules_dir: Path | None = None, now: datetime | None = None,
              pack: RulePack | None = None, unit_full_names: dict[str, str] | None = None,
              cache: StoreResultCache | None = None, memo: dict | None = None,
              derived_cache: StoreDerivedCache | None = None) -> AuditResult:
    """Validate `frames` (a Frames object or a dict of DataFrames) against the rule files.
    `unit_full_names` maps a unit's name to its standard full name (the site config's);
    `cache` holds GX's earlier answers on the same crawl (`audits.rules.result_cache`);
    `memo` keeps the derived frames between runs of one process (`govaudit audit --watch`),
    `derived_cache` in the store between processes (`audits.rules.derived_cache`)."""
    pack = pack or load_rules(defaults.rules_dir(rules_dir))
    derived, reasons, identity = _derived(frames, pack.parameters, now, unit_full_names, memo, derived_cache)
    stats: dict[str, dict] = {}
    errors: list[str] = []
    runnable: list[Suite] = []
    for suite in pack.suites:
        df = derived[suite.frame]
        if not suite.rules:
            errors.append(f"{suite.location}: suite {suite.name}: no expectations, so it checks nothing")
        elif df.empty:
            if suite.frame not in OPTIONAL_FRAMES:
                errors.append(f"{suite.location}: suite {suite.name}: frame {suite.frame} has no rows, "
                              f"so nothing was checked (this is not a pass)")
            stats.update({rule.id: _stat(rule, 0, 0, 0) for rule in suite.rules})
        else:
            runnable.append(suite)
    try:
        outcomes = _run_groups(runnable, derived, reasons, cache, identity)
    finally:
        _release_batches()
    parts: list[finding_rows.Part] = []
    for suite in runnable:
        suite_stats = []
        for rule in suite.rules:
            rule_parts, stat, rule_errors = outcomes[id(rule)]
            parts += rule_parts
            suite_stats.append(stat)
            errors += rule_errors
        stats.update({s["rule_id"]: s for s in suite_stats})
        if sum(s["evaluated"] + s["could_not_check"] for s in suite_stats) == 0 and not any(
                outcomes[id(rule)][2] for rule in suite.rules):
            errors.append(f"{suite.location}: suite {suite.name}: evaluated zero rows: every rule's row_condition "
                          f"excluded all {len(derived[suite.frame])} rows of frame {suite.frame} (this is not a pass)")
    # Stats in the order of the rule files, as a tuner reads them.
    ordered = [stats[rule.id] for suite in pack.suites for rule in suite.rules if rule.id in stats]
    stat_frame = pd.DataFrame(ordered, columns=list(STAT_COLUMNS)).astype(STAT_COLUMNS)
    evidence = [derived[name] for name in sorted(OPTIONAL_FRAMES)]
    del outcomes  # the parts' only other holder: build_findings frees each part once it has its rows
    return AuditResult(finding_rows.build_findings(parts, derived["documents"], evidence), stat_frame, errors)


def _derived(frames: Any, parameters: dict[str, Any], now: datetime | None,
             unit_full_names: dict[str, str] | None, memo: dict | None,
             kept: StoreDerivedCache | None = None) -> tuple[dict[str, pd.DataFrame], dict, str | None]:
    """derive_frames, or its last result when nothing it reads has changed: the same frames,
    parameters, audit date (Beijing), unit names and availability probes. `memo` holds it in
    this process (`--watch`), `kept` in the store (a re-audit of the same crawl from the shell).
    The third value is the identity of the set `kept` holds (None when it holds none)."""
    if memo is None and kept is None:
        return (*derive_frames(frames, parameters, now, unit_full_names), None)
    now = now or datetime.now(timezone.utc)
    probes = frames.get("probes") if isinstance(frames, dict) else getattr(frames, "probes", None)
    key = (json.dumps(parameters, sort_keys=True, default=str), str(audit_day(now)),
           tuple(sorted((unit_full_names or {}).items())),
           None if probes is None else probes.to_json(orient="split", date_format="iso"))
    if memo is not None and memo.get("derived_from") is frames and memo.get("derive_key") == key:
        (derived, reasons), identity = memo["derived"]
        return {name: frame.copy() for name, frame in derived.items()}, dict(reasons), identity
    loaded = kept.load(key) if kept is not None else None
    if loaded is None:
        made = derive_frames(frames, parameters, now, unit_full_names)
        identity = kept.save(key, made) if kept is not None else None
    else:
        made, identity = loaded
    if memo is None:
        return (*made, identity)
    memo["derived_from"], memo["derive_key"], memo["derived"] = frames, key, (made, identity)
    derived, reasons = made
    return {name: frame.copy() for name, frame in derived.items()}, dict(reasons), identity


def _run_groups(suites: list[Suite], derived: dict[str, pd.DataFrame], reasons: dict,
                cache: StoreResultCache | None = None,
                identity: str | None = None) -> dict[int, tuple[list, dict, list]]:
    """Validate the rules of `suites`, grouped by (frame, row_condition): each condition is
    evaluated once, in pandas, on the columns it names, and Great Expectations validates the
    group's expectations on the rows it picked. Handing GX the condition instead made it run
    `DataFrame.query()` several times per expectation, each building a Series per column.
    A group whose answers `cache` holds for the same rows and rules is not validated again (an
    audit whose every group is answered so makes no GX context); when the derived frames are a
    kept set (`identity`), a group whose finding rows are kept is not even selected."""
    groups: dict[tuple[str, str | None], list[Rule]] = {}
    for suite in suites:
        for rule in suite.rules:
            groups.setdefault((suite.frame, rule.row_condition), []).append(rule)
    outcomes: dict[int, tuple[list, dict, list]] = {}
    short: dict[str, set[str]] = {}  # per frame: columns with no text over the cap
    for number, ((frame, condition), rules) in enumerate(groups.items()):
        # Only the columns the group's rules name (table 三 alone has ~190), text capped; one
        # group's copy at a time, so a million documents are not held twice over.
        used = list(dict.fromkeys(["url", *(c for rule in rules for c in rule.referenced)]))
        config = [(r.id, r.type, _gx_kwargs(r)) for r in rules]
        alias = alias_key(identity, frame, condition, used, rules, config) if cache and identity else None
        kept = cache.aliased(alias) if cache and alias else None
        restored = restored_findings(kept, rules) if kept is not None else None
        if restored is not None:  # the same rows, answers, templates and reasons: the same finding rows
            outcomes.update(_restored_outcomes(rules, restored))
            continue
        rows = _applicable(condition, capped_text(derived[frame][used], short=short.setdefault(frame, set())))
        digest = rows_digest(frame, rows) if cache else None
        key = group_key(digest, config) if digest else None
        rows_key = findings_key(key, frame, rules, rows, reasons) if key else None
        kept = cache.get(rows_key) if cache and rows_key else None
        restored = restored_findings(kept, rules) if kept is not None else None
        answer_keys = {rule.id: k for rule, c in zip(rules, config)
                       if digest and len(rows) and (k := group_key(digest, [c]))}
        if cache and restored is not None:
            for answer in answer_keys.values():
                cache.keep(answer)  # for the next edit of this group's wording
            outcomes.update(_restored_outcomes(rules, restored))
        else:
            answers = _answers(frame, number, rules, rows, cache, answer_keys)
            group = _group_outcomes(rules, rows, answers, reasons)
            outcomes.update(group)
            kept = None
            if cache and rows_key and not any(errors for _, _, errors in group.values()):
                built = kept_findings(rules, group)
                kept = built if cache.put(rows_key, built) else None
        if cache and alias and kept is not None:
            cache.put(alias, {"answers": list(answer_keys.values()), "findings": rows_key})
        del rows  # before the next group's rows are copied
    return outcomes


def _restored_outcomes(rules: list[Rule], restored: Restored) -> dict[int, tuple[list, dict, list]]:
    return {id(rule): (restored[id(rule)][0], _stat(rule, *restored[id(rule)][1]), []) for rule in rules}


def _answers(frame: str, number: int, rules: list[Rule], rows: pd.DataFrame, cache: StoreResultCache | None,
             keys: dict[str, str]) -> dict[str, Answer]:
    """GX's answers for one group's rows: each rule's kept one under its key in `keys`, and the
    rules without one validated together (and their answers kept)."""
    if not len(rows):
        return {}
    answers: dict[str, Answer] = {}
    for rule in rules:
        cached = cache.get(keys[rule.id]) if cache and rule.id in keys else None
        if isinstance(cached, dict):
            answers[rule.id] = cached
    missing = [rule for rule in rules if rule.id not in answers]
    if missing:
        batch = _batch_definition(frame).get_batch(batch_parameters={"dataframe": rows})
        fresh = _validate(f"{frame}-{number}", missing, batch)
        del batch
        _release_batches()
        for rule in missing:
            if cache and rule.id in keys:
                cache.put(keys[rule.id], fresh[rule.id])
        answers.update(fresh)
    return answers


def _group_outcomes(rules: list[Rule], rows: pd.DataFrame, answers: dict[str, Answer],
                    reasons: dict) -> dict[int, tuple[list, dict, list]]:
    """Per rule of one group: its finding parts, its stat and the errors GX raised for it."""
    outcomes: dict[int, tuple[list, dict, list]] = {}
    for rule in rules:
        failure = answers.get(rule.id, {"exception": "no result"}).get("exception") if len(rows) else None
        if failure:
            outcomes[id(rule)] = ([], _stat(rule, 0, 0, 0), [
                f"{rule.location}: rule {rule.id}: Great Expectations could not evaluate it: {failure}"])
            continue
        unexpected = answers[rule.id]["unexpected"] if len(rows) else []
        rule_parts, stat = _rule_findings(rule, rows, unexpected, reasons)
        outcomes[id(rule)] = (rule_parts, stat, [])
    return outcomes


def capped_text(df: pd.DataFrame, cap: int = defaults.RULE_TEXT_CAP, short: set[str] | None = None) -> pd.DataFrame:
    """Text cells cut to `cap` characters (marked with …) before any rule reads them: a rule
    regex that backtracks (quadratic or worse) then costs a bounded time per cell, whatever a
    hostile page puts in its 发布机构. URLs stay whole: they are how findings find their page.
    `short` (kept by the caller across groups of one frame) names the columns already found to
    hold no longer text, so each is measured once, not once per group that reads it."""
    out = df
    for column, dtype in df.dtypes.items():  # (the dtype alone: given a column, pandas reads its values)
        if column == "url" or (short is not None and column in short) or not (
                pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
            continue
        values = df[column]
        if isinstance(values.dtype, pd.StringDtype):  # every value a str or <NA>: measured at once
            long = values.str.len().gt(cap).fillna(False).astype(bool)
        else:
            long = values.map(lambda v: isinstance(v, str) and len(v) > cap)
        if long.any():
            if out is df:
                out = df.copy()
            out.loc[long, column] = values[long].map(lambda v: v[:cap] + "…")
        elif short is not None:
            short.add(column)
    return out


def _stat(rule: Rule, evaluated: int, failed: int, unchecked: int) -> dict:
    passed = evaluated - failed - (unchecked if rule.kind == "could_not_check" else 0)
    return {"rule_id": rule.id, "suite": rule.suite, "severity": rule.severity, "title": rule.title,
            "basis": rule.basis, "evaluated": evaluated, "failed": failed, "could_not_check": unchecked,
            "pass_rate": round(passed / evaluated, 4) if evaluated else pd.NA}


def _gx_kwargs(rule: Rule) -> dict[str, Any]:
    """What GX receives for `rule`: its row condition is applied by the runner beforehand."""
    return {k: v for k, v in rule.gx_kwargs.items() if k not in ("row_condition", "condition_parser")}


def _validate(name: str, rules: list[Rule], batch: Any) -> dict[str, Answer]:
    """GX's answer per rule id (failing row indexes, or the error it raised); the rules' row
    condition is already applied to the batch."""
    gx_suite = gx.ExpectationSuite(name=name)
    for rule in rules:
        gx_suite.add_expectation(type(rule.expectation)(**_gx_kwargs(rule), meta={"rule_id": rule.id}))
    results = {r.expectation_config.meta.get("rule_id"): r
               for r in batch.validate(gx_suite, result_format=RESULT_FORMAT).results}
    answers: dict[str, Answer] = {}
    for rule in rules:
        failure = _exception(results.get(rule.id))
        if failure:
            answers[rule.id] = {"exception": failure}
        else:
            unexpected = results[rule.id].result.get("unexpected_index_list") or []
            answers[rule.id] = {"unexpected": [v.item() if hasattr(v, "item") else v for v in unexpected]}
    return answers


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


def _applicable(condition: str | None, df: pd.DataFrame) -> pd.DataFrame:
    """The rows `condition` picks, evaluated by pandas as GX would (`query`, pandas parser), on
    only the columns it names: query() resolves every column of the frame it is called on."""
    if not condition:
        return df
    picked = df[sorted(condition_columns(condition))].query(condition, parser="pandas").index
    return df.loc[picked]


def _unchecked(rule: Rule, rows: pd.DataFrame, frame: str, reasons: dict) -> pd.Series:
    audit = AUDIT_TYPES.get(rule.type)
    if audit is not None:
        why = audit.unchecked(rows, rule.kwargs)
        columns: Sequence[str] = rule.columns
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


def _rule_findings(rule: Rule, rows: pd.DataFrame, unexpected: list, reasons: dict) -> tuple[list, dict]:
    """Findings of one rule from the rows its row_condition picked and GX's failing indexes."""
    audit = AUDIT_TYPES.get(rule.type)
    if audit is not None and hasattr(audit, "excluded"):
        rows = rows[~audit.excluded(rows, rule.kwargs).fillna(False).astype(bool)]
    why = _unchecked(rule, rows, rule.frame, reasons)
    unchecked = why.notna()
    failing = rows.index.intersection(pd.Index(unexpected))
    failing = failing[~unchecked.reindex(failing).fillna(False).to_numpy(dtype=bool)]
    parts = []
    if len(failing):
        failed_rows = rows.loc[failing]
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
