"""What one recipient's digest says, decided before any template is rendered.

The digest must agree with the report it carries: the same scores and trend arrows, the same
"new this week" (against the same previous run of record), the same waived findings set apart.
So when the run's `Standing` is known (a scheduled job always knows it) everything comes from
it; without one (a digest composed from a bare outcome) the findings are taken as they are and
`previous_keys` decides what is new.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from audits.mail.plain import plain
from audits.report.context import plain_rows, safe_href

if TYPE_CHECKING:
    from audits.report.standing import Standing

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass
class UnitSummary:
    unit: str
    documents: int
    critical: int = 0
    warning: int = 0
    info: int = 0
    could_not_check: int = 0
    new: int = 0
    score: int | None = None
    arrow: str = ""
    resolved: int = 0
    waived: int = 0


@dataclass
class DigestView:
    first_run: bool
    findings: pd.DataFrame  # counted findings of the recipient's units, with is_new
    resolved: pd.DataFrame
    waived: pd.DataFrame
    units: list[UnitSummary]
    counts: dict[str, int] = field(default_factory=dict)


def for_units(frame: pd.DataFrame, units: tuple[str, ...] | None) -> pd.DataFrame:
    if units is None or frame.empty or "unit" not in frame:
        return frame
    return frame[frame["unit"].isin(units)]


def build_view(units: tuple[str, ...] | None, findings: pd.DataFrame, documents: pd.DataFrame,
               previous_keys: set[str] | None, where: "Standing | None") -> DigestView:
    if where is not None:
        first = where.diff.previous_run_id is None
        new_keys = set() if first else set(where.diff.new["finding_key"])
        findings = for_units(where.counted, units).copy()
        findings["is_new"] = findings["finding_key"].isin(new_keys)
        resolved = for_units(where.diff.resolved, units)
        resolved = resolved[resolved["kind"] == "failure"]
        waived = for_units(where.waived, units)
        cards = where.cards
    else:
        first = previous_keys is None
        findings = for_units(findings, units).copy()
        findings["is_new"] = True if first else ~findings["finding_key"].isin(previous_keys)
        resolved = findings.iloc[0:0]
        waived = findings.iloc[0:0]
        cards = None
    documents = for_units(documents, units)
    failures = findings[findings["kind"] == "failure"]
    summaries = _summaries(units, findings, documents, resolved, waived, cards)
    counts = {sev: int((failures["severity"] == sev).sum()) for sev in SEVERITY_ORDER}
    counts.update(could_not_check=int((findings["kind"] == "could_not_check").sum()),
                  new=0 if first and where is not None else int(failures["is_new"].sum()), total=len(failures))
    counts.update(resolved=len(resolved), open=counts["total"] - counts["new"], waived=len(waived))
    return DigestView(first and where is not None, findings, resolved, waived, summaries, counts)


def _summaries(units: tuple[str, ...] | None, findings: pd.DataFrame, documents: pd.DataFrame,
               resolved: pd.DataFrame, waived: pd.DataFrame, cards: pd.DataFrame | None) -> list[UnitSummary]:
    seen = set(documents.get("unit", pd.Series(dtype=str)).dropna()) | set(findings["unit"].dropna())
    names = list(units) if units else sorted(seen)
    if cards is not None:  # worst first, as on the report's scorecard
        order = {unit: i for i, unit in enumerate(cards["unit"])}
        names.sort(key=lambda u: order.get(u, -1))
        by_unit = {c["unit"]: c for c in cards.to_dict("records")}
    else:
        by_unit = {}
    rows = []
    for unit in names:
        mine = findings[findings["unit"] == unit]
        failing = mine[mine["kind"] == "failure"]
        card = by_unit.get(unit, {})
        score = card.get("score")
        severity = {s: int((failing["severity"] == s).sum()) for s in SEVERITY_ORDER}
        rows.append(UnitSummary(
            unit, int((documents["unit"] == unit).sum()) if "unit" in documents else 0,
            critical=severity["critical"], warning=severity["warning"], info=severity["info"],
            could_not_check=int((mine["kind"] == "could_not_check").sum()), new=int(failing["is_new"].sum()),
            score=None if score is None or pd.isna(score) else int(score), arrow=card.get("arrow", "") or "",
            resolved=int((resolved["unit"] == unit).sum()), waived=int((waived["unit"] == unit).sum()),
        ))
    return rows


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for the templates: missing values as None, a safe link, messages in plain Chinese."""
    out = []
    for row in plain_rows(frame):
        row["href"] = safe_href(row.get("url"))
        row["plain_message"] = plain(row.get("message") or row.get("rule_title") or "")
        row["plain_fix"] = plain(row.get("fix") or "")
        out.append(row)
    return out


def ordered(frame: pd.DataFrame, *extra: str) -> pd.DataFrame:
    order = frame.assign(_order=frame["severity"].map(SEVERITY_ORDER).fillna(3))
    return order.sort_values(["_order", *extra, "unit", "rule_id", "url"], kind="stable").drop(columns="_order")
