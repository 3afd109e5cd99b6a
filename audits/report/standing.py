"""Where each unit stands in one run: scores, trends, and what is new or resolved, waivers applied.

The report's first screen and the digest must tell the same story: the same scores, the same
"new this week" against the same previous run of record, the same findings set apart as waived.
Both build it here, from the stored run and its diff, so they can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from audits import defaults
from audits.history import RunData
from audits.report.context import run_time
from audits.report.diff import RunDiff
from audits.report.scorecard import run_cards, run_scoring, site_unit_trends
from audits.report.scoring import Scoring
from audits.report.waivers import FILE_NAME as WAIVERS_FILE, load_waivers, split_waived

ARROWS = {1: "↑", -1: "↓", 0: "→"}


@dataclass
class Standing:
    scoring: Scoring
    cards: pd.DataFrame  # the scorecard without waived findings, worst first, with trend/arrow
    trends: pd.DataFrame  # per run of record (and this run) and unit: score
    diff: RunDiff  # new/open without waived findings
    waived: pd.DataFrame  # this run's findings a waiver holds for, with waived_until/reason/by
    counted: pd.DataFrame  # this run's findings that count (not waived)
    day: date  # the day waivers were evaluated on (the run's local date)


def waivers_file(run: RunData) -> Path:
    """The waivers beside the rules the run used, else those of the default rules directory."""
    own = Path(str(run.run.get("rules_dir") or "")) / WAIVERS_FILE
    return own if run.run.get("rules_dir") and own.exists() else defaults.rules_dir() / WAIVERS_FILE


def run_day(run: RunData) -> date:
    moment = run_time(run.run["started_at"])
    return moment.date() if moment else date.today()


def trend_arrow(history: list[float | None]) -> str:
    """↑/↓/→ between the last two scored points; '' without two."""
    if len(history) < 2 or history[-1] is None or history[-2] is None:
        return ""
    return ARROWS[(history[-1] > history[-2]) - (history[-1] < history[-2])]


def standing(store_path: str | Path, run: RunData, diff: RunDiff) -> Standing:
    day = run_day(run)
    counted, waived = split_waived(run.findings, load_waivers(waivers_file(run)), day)
    waived_keys = set(waived["finding_key"])
    scoring = run_scoring(run)
    cards = run_cards(run, scoring, counted)
    trends = site_unit_trends(store_path, run.site, run.id, scoring, waived_keys)
    histories = {unit: [None if pd.isna(s) else float(s) for s in rows.sort_values("run_id")["score"]]
                 for unit, rows in trends.groupby("unit")}
    cards["history"] = [histories.get(u, []) for u in cards["unit"]]
    cards["arrow"] = [trend_arrow(h) for h in cards["history"]]
    keep = (lambda frame: frame[~frame["finding_key"].isin(waived_keys)]) if waived_keys else (lambda f: f)
    shown = replace(diff, new=keep(diff.new), open=keep(diff.open))
    return Standing(scoring, cards, trends, shown, waived, counted, day)
