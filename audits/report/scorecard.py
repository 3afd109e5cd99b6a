"""The per-unit scorecard: one number a supervisor can rank units by, and how it is made.

Score of a unit = 100 − 10 × critical − 3 × warning, floored at 0, counting the failures found on
the unit's documents in the run (info findings and could-not-check items do not count). The
formula is deliberately plain so a unit can recompute its own score from the report. A unit
whose catalog could not be reached, or none of whose documents could be read, gets *no* score
rather than 100: not having been checked must never look like having passed.

On-time rate = share of the unit's annual reports (法治政府建设 + 政府信息公开 annual reports)
without a lateness finding (FZ-DATE-1, XX-DATE-1, XX-DATE-2).

The same `score_units` makes the current scorecard and the trend over stored runs, so the
sparkline and the table can never disagree.
"""
from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pandas as pd

from audits.history import RunData, open_history, site_runs

CRITICAL_PENALTY = 10
WARNING_PENALTY = 3
ANNUAL_REPORT_TYPES = ("fazhi_annual", "xxgk_annual")
LATENESS_RULES = ("FZ-DATE-1", "XX-DATE-1", "XX-DATE-2")
UNREACHABLE_RULES = ("FETCH-2",)
NO_UNIT = "—"

CARD_COLUMNS = [
    "unit", "unit_level", "documents", "critical", "warning", "info", "could_not_check",
    "unreachable", "score", "annual_reports", "annual_on_time", "on_time_rate",
]


def unit_score(critical: int, warning: int) -> int:
    return max(0, 100 - CRITICAL_PENALTY * int(critical) - WARNING_PENALTY * int(warning))


def score_units(units: list[str], documents: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per unit (CARD_COLUMNS), worst first; unscorable units (score <NA>) lead.

    `documents` needs unit, kind, fetch_error, report_type, doc_id, url, unit_level;
    `findings` needs unit, kind, severity, rule_id, doc_id, url.
    """
    documents = documents.assign(unit=documents["unit"].fillna(NO_UNIT))
    findings = findings.assign(unit=findings["unit"].fillna(NO_UNIT))
    details = documents[documents["kind"] == "detail"]
    readable = details[details["fetch_error"].isna()]
    failures = findings[findings["kind"] == "failure"]
    late = failures[failures["rule_id"].isin(LATENESS_RULES)]
    late_refs = set(late["doc_id"].dropna()) | set(late["url"].dropna())
    levels = documents.dropna(subset=["unit_level"]).groupby("unit")["unit_level"].first()
    rows = []
    for unit in dict.fromkeys([*units, *documents["unit"], *findings["unit"]]):
        mine = failures[failures["unit"] == unit]
        counts = {sev: int((mine["severity"] == sev).sum()) for sev in ("critical", "warning", "info")}
        unit_findings = findings[findings["unit"] == unit]
        unreachable = bool(unit_findings["rule_id"].isin(UNREACHABLE_RULES).any())
        n_docs = int((readable["unit"] == unit).sum())
        annual = readable[(readable["unit"] == unit) & readable["report_type"].isin(ANNUAL_REPORT_TYPES)]
        on_time = int(sum(1 for r in annual.itertuples() if r.doc_id not in late_refs and r.url not in late_refs))
        scorable = n_docs > 0 and not unreachable
        rows.append({
            "unit": unit, "unit_level": levels.get(unit, pd.NA), "documents": n_docs, **counts,
            "could_not_check": int((unit_findings["kind"] == "could_not_check").sum()),
            "unreachable": unreachable,
            "score": unit_score(counts["critical"], counts["warning"]) if scorable else pd.NA,
            "annual_reports": len(annual), "annual_on_time": on_time,
            "on_time_rate": on_time / len(annual) if len(annual) else pd.NA,
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


def run_cards(run: RunData) -> pd.DataFrame:
    return score_units(run_units(run), run.documents, run.findings)


def site_unit_trends(store_path: str | Path, site: str) -> pd.DataFrame:
    """Per stored run of `site` and unit: run_id, started_at, unit, score, critical, warning."""
    runs = site_runs(store_path, site)
    frames = []
    with closing(open_history(store_path)) as conn:
        for run in runs:
            docs = pd.read_sql_query(
                "SELECT doc_id, url, unit, unit_level, kind, fetch_error, report_type "
                "FROM doc_snapshots WHERE run_id=?", conn, params=(run["id"],))
            found = pd.read_sql_query(
                "SELECT doc_id, url, unit, kind, severity, rule_id FROM findings WHERE run_id=?",
                conn, params=(run["id"],))
            crawl = conn.execute("SELECT units FROM crawls WHERE id=?", (run["crawl_id"],)).fetchone()
            units = json.loads(crawl["units"]) if crawl else []
            cards = score_units([str(u) for u in units], docs, found)
            frames.append(cards[["unit", "score", "critical", "warning"]].assign(
                run_id=run["id"], started_at=run["started_at"]))
    columns = ["run_id", "started_at", "unit", "score", "critical", "warning"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
