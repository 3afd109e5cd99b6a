"""The "国办抽查单项否决风险" box at the top of the report: per unit, which single-veto indicators
of 国办秘函〔2019〕19号 it would fail if the State Council's spot check came today, with the
evidence, and the availability of each probed unit with the attempts behind it.

Built from the run's findings (VETO-*, WORDING-1, COL-BURST) and the store's probes, apart from
the report's other sections, so the box can move on the page without touching them.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from audits.history import RunData
from audits.report.context import records, run_time
from audits.rules.spotcheck import AVAILABILITY_WINDOW_DAYS
from govaudit.db import is_server
from govaudit.store import Store

# (indicator key, rule ids) in the order the box lists them; the key names an i18n label.
INDICATORS = (
    ("spot_columns", ("VETO-COL-A", "VETO-COL-B")),
    ("spot_blank", ("VETO-COL-C",)),
    ("spot_unreachable", ("VETO-AVAIL",)),
    ("spot_wording", ("WORDING-1",)),
    ("spot_backfill", ("COL-BURST",)),  # a sign of 伪造发稿日期, itself a veto: shown as a risk
)
VETO_THRESHOLD = 0.05


def spotcheck_box(run: RunData, store_path: str | Path | None) -> dict[str, Any]:
    failures = run.findings[run.findings["kind"] == "failure"]
    units: dict[str, dict[str, Any]] = {}
    for key, rule_ids in INDICATORS:
        mine = failures[failures["rule_id"].isin(rule_ids)].sort_values(["unit", "rule_id", "url"], kind="stable")
        for unit, rows in mine.groupby("unit", sort=False):
            entry = units.setdefault(str(unit), {"unit": str(unit), "indicators": [], "veto": False})
            entry["indicators"].append({"key": key, "findings": records(rows)})
            entry["veto"] |= key != "spot_backfill"
    availability = _availability(run, store_path)
    for row in availability:
        units.setdefault(row["unit"], {"unit": row["unit"], "indicators": [], "veto": False})["availability"] = row
    ordered = sorted(units.values(), key=lambda u: (not u["veto"], u["unit"]))
    for entry in ordered:
        entry.setdefault("availability", None)
    return {"units": ordered, "vetoed": sum(u["veto"] for u in ordered), "availability": availability,
            "window_days": AVAILABILITY_WINDOW_DAYS}


def _availability(run: RunData, store_path: str | Path | None) -> list[dict[str, Any]]:
    """Attempts and failures per probed unit over the 7 calendar days ending on the run's date."""
    if store_path is None or (not is_server(store_path) and not Path(store_path).exists()):
        return []
    moment = run_time(run.run["started_at"]) or datetime.now()
    end = pd.Timestamp(moment.date()) + pd.Timedelta(days=1)
    start = end - pd.Timedelta(days=AVAILABILITY_WINDOW_DAYS)
    with Store(store_path) as store:
        probes = pd.DataFrame(store.probes(run.site))
    if probes.empty:
        return []
    local = pd.to_datetime(probes["started_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    recent = probes[(local >= start) & (local < end)]
    rows = []
    for unit, group in recent.groupby("unit", sort=True):
        failed = int((group["ok"] == 0).sum())
        share = failed / len(group)
        errors = group.loc[group["ok"] == 0, "error"].dropna().value_counts()
        rows.append({"unit": str(unit), "attempts": len(group), "failures": failed, "share": f"{share:.1%}",
                     "veto": share >= VETO_THRESHOLD, "first": f"{start:%Y-%m-%d}",
                     "last": f"{end - pd.Timedelta(days=1):%Y-%m-%d}",
                     "errors": [f"{text}（{n}）" for text, n in errors.head(3).items()]})
    return rows
