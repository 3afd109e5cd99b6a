"""The per-unit scorecard: one number a supervisor can rank units by, and how it is made.

A unit's score is the weighted mean of rates (the share of its readable documents without a
critical finding, of its annual reports on time, with their required sections, with complete
metadata), times 100; which failures fail which rate and the weights are set in
`expectations/scoring.yml` (`audits.report.scoring`) and the formula is printed in the report,
so a unit can recompute its own score. A rate with no document to count is left out of the
mean rather than counted as 100 or 0. A unit whose catalog could not be reached, or none of
whose documents could be read, gets *no* score: not having been checked must never look like
having passed.

The same `score_units` makes the current scorecard and the trend over stored runs of record,
so the sparkline and the table can never disagree.
"""
from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from audits.history import RunData, open_history, site_runs
from audits.report.scoring import Rate, Scoring, load_scoring, scoring_path
from govaudit import schema

UNREACHABLE_RULES = ("FETCH-2",)
DOCUMENT_INPUTS = ("unit", "kind", "fetch_error", "report_type", "doc_id", "url", "unit_level")
FINDING_INPUTS = ("unit", "kind", "severity", "rule_id", "doc_id", "url", "suite")
NO_UNIT = "—"

CARD_COLUMNS = [
    "unit", "unit_level", "documents", "critical", "warning", "info", "could_not_check",
    "unreachable", "score", "annual_reports", "annual_on_time", "on_time_rate", "rates",
]


def _failing_refs(failures: pd.DataFrame, rate: Rate) -> set[str]:
    hit = failures["severity"].isin(rate.severities) | failures["rule_id"].isin(rate.rules)
    if "suite" in failures:
        hit |= failures["suite"].isin(rate.suites).fillna(False)
    mine = failures[hit.fillna(False)]
    return set(mine["doc_id"].dropna()) | set(mine["url"].dropna())


def _passed_per_unit(docs: pd.DataFrame, refs: set[str]) -> pd.Series:
    """Per unit: documents of `docs` named by none of `refs` (by doc_id or URL)."""
    hit = docs["doc_id"].isin(refs).fillna(False) | docs["url"].isin(refs).fillna(False)
    return (~hit.astype(bool)).groupby(docs["unit"], sort=False).sum()


def weighted_score(rates: dict[str, tuple[int, int]], scoring: Scoring) -> int | None:
    """Weighted mean of the rates that have a document to count, ×100, rounded; None when none has."""
    used = [(r.weight, rates[r.id]) for r in scoring.rates if rates.get(r.id, (0, 0))[1] > 0]
    total_weight = sum(w for w, _ in used)
    if total_weight <= 0:
        return None
    return int(round(100 * sum(w * passed / n for w, (passed, n) in used) / total_weight))


def score_units(units: list[str], documents: pd.DataFrame, findings: pd.DataFrame,
                scoring: Scoring | None = None) -> pd.DataFrame:
    """One row per unit (CARD_COLUMNS), worst first; unscorable units (score <NA>) lead.

    `documents` needs unit, kind, fetch_error, report_type, doc_id, url, unit_level;
    `findings` needs unit, kind, severity, rule_id, doc_id, url (and suite for suite rates).
    `rates` holds {rate id: (documents passed, documents counted)}.
    """
    scoring = scoring or load_scoring()
    # Only the columns counted here: a run's frames are wide, and every mask below copies them.
    documents = documents[[c for c in DOCUMENT_INPUTS if c in documents]].assign(
        unit=documents["unit"].fillna(NO_UNIT))
    findings = findings[[c for c in FINDING_INPUTS if c in findings]].assign(unit=findings["unit"].fillna(NO_UNIT))
    details = documents[documents["kind"] == "detail"]
    readable = details[details["fetch_error"].isna()]
    annual = readable[readable["report_type"].isin(set(scoring.annual_report_types)).fillna(False)]
    failures = findings[findings["kind"] == "failure"]
    on_time_rate = next((r for r in scoring.rates if r.id == "on_time"), None)
    levels = documents.dropna(subset=["unit_level"]).groupby("unit")["unit_level"].first()
    # Every count per unit at once (a loop of masks per unit cost a second per run of record in
    # the trend of a year's weekly runs).
    severities = failures.groupby(["unit", "severity"]).size()
    unreachable = set(findings.loc[findings["rule_id"].isin(UNREACHABLE_RULES), "unit"])
    unchecked = findings[findings["kind"] == "could_not_check"].groupby("unit").size()
    counted = {"readable": readable.groupby("unit").size(), "annual_reports": annual.groupby("unit").size()}
    passed = {rate.id: _passed_per_unit(annual if rate.documents == "annual_reports" else readable,
                                        _failing_refs(failures, rate)) for rate in scoring.rates}
    rows = []
    for unit in dict.fromkeys([*units, *documents["unit"], *findings["unit"]]):
        n_docs, n_annual = int(counted["readable"].get(unit, 0)), int(counted["annual_reports"].get(unit, 0))
        rates = {rate.id: (int(passed[rate.id].get(unit, 0)),
                           n_annual if rate.documents == "annual_reports" else n_docs) for rate in scoring.rates}
        on_time = rates[on_time_rate.id][0] if on_time_rate else n_annual
        scorable = n_docs > 0 and unit not in unreachable
        score = weighted_score(rates, scoring) if scorable else None
        rows.append({
            "unit": unit, "unit_level": levels.get(unit, pd.NA), "documents": n_docs,
            **{sev: int(severities.get((unit, sev), 0)) for sev in ("critical", "warning", "info")},
            "could_not_check": int(unchecked.get(unit, 0)),
            "unreachable": unit in unreachable, "score": pd.NA if score is None else score,
            "annual_reports": n_annual, "annual_on_time": on_time,
            "on_time_rate": on_time / n_annual if n_annual else pd.NA, "rates": rates,
        })
    cards = pd.DataFrame(rows, columns=CARD_COLUMNS)
    cards["score"] = cards["score"].astype("Int64")
    cards["on_time_rate"] = cards["on_time_rate"].astype("Float64")
    order = cards.assign(_scored=cards["score"].notna(), _score=cards["score"].fillna(-1))
    order = order.sort_values(["_scored", "_score", "critical", "warning", "unit"],
                              ascending=[True, True, False, False, True], kind="stable")
    return order[CARD_COLUMNS].reset_index(drop=True)


def run_units(run: RunData) -> list[str]:
    """The units a run was meant to cover: the crawl's configured units, then any seen."""
    configured = list(run.crawl["units"]) if run.crawl else []
    return list(dict.fromkeys([*configured, *run.documents["unit"].dropna(), *run.findings["unit"].dropna()]))


def run_scoring(run: RunData) -> Scoring:
    return load_scoring(scoring_path(run.run.get("rules_dir")))


def run_cards(run: RunData, scoring: Scoring | None = None, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The run's scorecard; `findings` replaces the run's own (e.g. without waived findings)."""
    return score_units(run_units(run), run.documents, run.findings if findings is None else findings,
                       scoring or run_scoring(run))


def site_unit_trends(store_path: str | Path, site: str, up_to: int | None = None,
                     scoring: Scoring | None = None, exclude_keys: set[str] | None = None) -> pd.DataFrame:
    """Per stored run of record of `site` (and `up_to` itself) and unit: run_id, started_at,
    unit, score, critical, warning. `exclude_keys`: finding keys not counted (waived ones).

    Every run is scored in one `score_units` call, each (run, unit) as a unit of its own: the
    units, document ids and URLs are prefixed with the run's id, so no count or failing document
    of one run reaches another. (One call per run cost ~40 ms each, two seconds of every report
    after a year of weekly runs.)"""
    runs = site_runs(store_path, site, up_to)
    scoring = scoring or load_scoring()
    columns = ["run_id", "started_at", "unit", "score", "critical", "warning"]
    if not runs:
        return pd.DataFrame(columns=columns)
    ids = [run["id"] for run in runs]
    snap, fnd, crawls = schema.doc_snapshots.c, schema.findings.c, schema.crawls.c
    with closing(open_history(store_path)) as conn:
        docs = pd.read_sql_query(sa.select(snap.run_id, snap.doc_id, snap.url, snap.unit, snap.unit_level, snap.kind,
                                           snap.fetch_error, snap.report_type).where(snap.run_id.in_(ids)), conn.sa)
        found = pd.read_sql_query(sa.select(fnd.run_id, fnd.finding_key, fnd.doc_id, fnd.url, fnd.unit, fnd.kind,
                                            fnd.severity, fnd.rule_id, fnd.suite).where(fnd.run_id.in_(ids)), conn.sa)
        units_of = {row["id"]: json.loads(row["units"]) for row in conn.execute(
            sa.select(crawls.id, crawls.units).where(crawls.id.in_({run["crawl_id"] for run in runs})))}
    if exclude_keys:
        found = found[~found["finding_key"].isin(exclude_keys)]
    units = [_in_run(run["id"], str(u)) for run in runs for u in units_of.get(run["crawl_id"], [])]
    cards = score_units(units, _per_run(docs), _per_run(found), scoring)
    split = cards["unit"].str.split(RUN_MARK, n=1, expand=True)
    cards = cards.assign(run_id=split[0].astype(int), unit=split[1])
    started = {run["id"]: run["started_at"] for run in runs}
    cards["started_at"] = cards["run_id"].map(started)
    order = {run_id: n for n, run_id in enumerate(ids)}  # runs in their order, each run's units worst first
    return cards.sort_values("run_id", key=lambda s: s.map(order), kind="stable")[columns].reset_index(drop=True)


RUN_MARK = "\x1f"  # between a run's id and a unit, document id or URL: ids are digits, so the first one splits


def _in_run(run_id: int, value: str) -> str:
    return f"{run_id}{RUN_MARK}{value}"


def _per_run(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its unit (missing: NO_UNIT), doc_id and URL prefixed by its run_id."""
    prefix = frame["run_id"].astype(str) + RUN_MARK
    return frame.assign(unit=prefix + frame["unit"].fillna(NO_UNIT).astype(str),
                        doc_id=(prefix + frame["doc_id"]).where(frame["doc_id"].notna()),
                        url=(prefix + frame["url"]).where(frame["url"].notna()))
