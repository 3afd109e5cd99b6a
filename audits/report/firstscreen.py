"""The values of the report's first screen: who must fix what, and what moved this week.

A supervisor opens the report on a laptop and should see, without scrolling: what was covered,
the units worst first with their scores and trend, and what is new or resolved this week. The
long lists (every page that could not be checked, every finding) come after, folded. This
module decides those summaries; `context.py` the rest of the report.
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from audits.report.context import _order_findings, records
from audits.report.diff import RunDiff
from audits.report.scoring import Scoring

SHOWN_FIRST = 8  # findings listed under "new this week" before the rest is folded
# Parts of a reason that differ from page to page; replaced so that one reason is one row.
_URL = re.compile(r"(?:https?|file|ftp)://[^\s（）()，,；;。、]+")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


_CANNOT_CHECK = re.compile(r"^无法检查「[^」]*」[：:]\s*")


def _without_title(text: str, title: str) -> str:
    text = _CANNOT_CHECK.sub("", text)
    repeats = title and text.startswith(title) and text[len(title):len(title) + 1] in ("：", ":")
    return text[len(title) + 1:] if repeats else text


def reason_of(text: str) -> str:
    """A could-not-check reason without the page's own URL and dates, for counting alike ones."""
    return _DATE.sub("…", _URL.sub("…", text)).strip()


def cnc_summary(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """Could-not-check findings counted by rule and reason, most frequent first."""
    cnc = findings[findings["kind"] == "could_not_check"]
    if cnc.empty:
        return []
    titles = cnc["rule_title"].fillna("").astype(str)
    # The message says why in words ("页面无法访问（HTTP 404 …）"); the observed value may be a bare
    # flag ("False"). The rule's title is its own column, so a message repeating it is cut.
    said = cnc["message"].where(cnc["message"].notna() & (cnc["message"] != ""), cnc["observed"]).fillna("")
    reasons = [reason_of(_without_title(str(text), title)) for text, title in zip(said, titles)]
    frame = cnc.assign(_reason=reasons, _title=titles)
    rows = []
    for (rule_id, title, why), group in frame.groupby(["rule_id", "_title", "_reason"], sort=False):
        rows.append({"rule_id": rule_id, "rule_title": title, "reason": why, "count": len(group),
                     "units": "、".join(sorted(set(group["unit"].dropna())))})
    return sorted(rows, key=lambda r: (-r["count"], r["rule_id"], r["reason"]))


def rate_cells(card: dict[str, Any], scoring: Scoring) -> list[dict[str, Any]]:
    """Each rate of a unit as passed/counted and a percentage ('—' when nothing to count)."""
    cells = []
    for rate in scoring.rates:
        passed, total = (card.get("rates") or {}).get(rate.id, (0, 0))
        cells.append({"id": rate.id, "title": rate.title, "passed": passed, "total": total,
                      "percent": None if not total else round(100 * passed / total)})
    return cells


def this_week(diff: RunDiff) -> dict[str, Any]:
    """Counts and the first rows of new / resolved failures and of what is still open."""
    failures = diff.open[diff.open["kind"] == "failure"]
    first = diff.previous_run_id is None
    new = _order_findings(diff.new[diff.new["kind"] == "failure"])
    resolved = _order_findings(diff.resolved[diff.resolved["kind"] == "failure"])
    still_open = failures[~failures["finding_key"].isin(set(new["finding_key"]))] if not first else failures
    return {
        "first_run": first, "new_count": len(new), "resolved_count": len(resolved),
        "open_count": len(still_open), "new": records(new.head(SHOWN_FIRST)),
        "new_more": records(new.iloc[SHOWN_FIRST:]), "resolved": records(resolved.head(SHOWN_FIRST)),
        "resolved_more": records(resolved.iloc[SHOWN_FIRST:]),
    }


def waived_rows(waived: pd.DataFrame) -> list[dict[str, Any]]:
    return records(_order_findings(waived)) if len(waived) else []
