"""Turns a stored run into the plain values the report template shows.

Everything the template needs is decided here (grouping, ordering, which links are safe), so
the template stays a layout and the decisions can be tested without parsing HTML. Values from
the audited pages stay plain strings: the template's autoescaping is what makes them safe.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pandas as pd

from audits.defaults import DEFAULT_TIMEZONE
from audits.history import RunData
from audits.report.charts import severity_bar, sparkline
from audits.report.diff import RunDiff
from govaudit.columns import SEVERITIES

CNC_GROUPS = (("unreachable_units", ("FETCH-2",)), ("fetch_failed", ("FETCH-1",)), ("parse_failed", ("PARSE-1",)))


def run_time(value: str | None) -> datetime | None:
    """An ISO timestamp from the store as local time (naive values are taken as UTC)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(DEFAULT_TIMEZONE))


def shown_time(value: Any) -> str:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        moment = run_time(value)
        return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
    stamp = pd.Timestamp(value)
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M")


def safe_href(url: Any) -> str | None:
    """Only http(s) links become clickable; `javascript:` and the like stay plain text."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def plain_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain values, None for every missing one (<NA>, NaN, NaT), for templates."""
    if frame.empty:  # most of a report's lists are empty, and converting a frame costs as much as a row
        return []
    return [{k: (None if v is None or v is pd.NaT or (not isinstance(v, (list, dict)) and pd.isna(v)) else v)
             for k, v in row.items()} for row in frame.astype(object).to_dict("records")]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for missing values, plus a safe link and a readable label."""
    out: list[dict[str, Any]] = []
    for row in plain_rows(frame):
        row["href"] = safe_href(row.get("url"))
        row["label"] = row.get("title") or row.get("url") or row.get("doc_id") or ""
        out.append(row)
    return out


def _order_findings(findings: pd.DataFrame) -> pd.DataFrame:
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    return findings.assign(_rank=findings["severity"].map(rank)).sort_values(
        ["_rank", "rule_id", "unit", "title", "url"], kind="stable", na_position="last").drop(columns="_rank")


def fix_first(diff: RunDiff) -> list[dict[str, Any]]:
    """Failures grouped by severity, then rule, each with how long it has been open."""
    failures = diff.open[diff.open["kind"] == "failure"]
    new_keys = set(diff.new["finding_key"]) if diff.previous_run_id is not None else set()
    groups = []
    for severity in SEVERITIES:
        mine = _order_findings(failures[failures["severity"] == severity])
        by_rule: dict[Any, list[dict[str, Any]]] = {}  # in the order each rule first comes, rows in order
        for item in records(mine):  # converted once, not once per rule
            item["is_new"] = item["finding_key"] in new_keys
            by_rule.setdefault(item["rule_id"], []).append(item)
        rules = [{"rule_id": rule_id, "rule_title": items[0]["rule_title"], "basis": items[0]["basis"],
                  "findings": items} for rule_id, items in by_rule.items() if rule_id is not None]
        groups.append({"severity": severity, "count": len(mine), "rules": rules})
    return groups


def could_not_check(run: RunData) -> list[dict[str, Any]]:
    cnc = _order_findings(run.findings[run.findings["kind"] == "could_not_check"])
    groups, seen = [], pd.Series(False, index=cnc.index)
    for key, rule_ids in CNC_GROUPS:
        mine = cnc["rule_id"].isin(rule_ids)
        groups.append({"key": key, "findings": records(cnc[mine])})
        seen |= mine
    groups.append({"key": "other_unchecked", "findings": records(cnc[~seen])})
    return [g for g in groups if g["findings"]]


def scorecard(cards: pd.DataFrame, trends: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for card in records(cards):
        if "history" in card and isinstance(card["history"], list):
            scores = card["history"]
        else:
            history = trends[trends["unit"] == card["unit"]].sort_values("run_id")
            scores = [None if pd.isna(s) else float(s) for s in history["score"]]
        card["sparkline"] = sparkline(scores, label=card["unit"], height=18) if len(scores) > 1 else ""
        card["history"] = scores
        card.setdefault("arrow", "")
        rows.append(card)
    return rows


def changes(diff: RunDiff, previous_time: str | None) -> dict[str, Any]:
    persisting = diff.open[(diff.open["kind"] == "failure") & (diff.open["open_runs"].fillna(0) >= 2)]
    failed = {name: frame[frame["kind"] == "failure"]
              for name, frame in (("new", diff.new), ("resolved", diff.resolved))}
    unchecked = {name: frame[frame["kind"] == "could_not_check"]
                 for name, frame in (("unchecked_new", diff.new), ("unchecked_cleared", diff.resolved))}
    return {
        "previous_run_id": diff.previous_run_id,
        "previous_time": shown_time(previous_time),
        **{name: records(_order_findings(frame)) for name, frame in (failed | unchecked).items()},
        "unverified": records(_order_findings(diff.unverified)),
        "persisting": records(_order_findings(persisting).sort_values("open_runs", ascending=False, kind="stable")),
        "disappeared": records(diff.disappeared.sort_values(["unit", "title"], kind="stable")),
        "not_seen": records(diff.not_seen.sort_values(["unit", "title"], kind="stable")),
        "changed": records(diff.changed.sort_values(["unit", "title"], kind="stable")),
    }


def header(run: RunData, cards: pd.DataFrame) -> dict[str, Any]:
    failures = run.findings[run.findings["kind"] == "failure"]
    counts = {sev: int((failures["severity"] == sev).sum()) for sev in SEVERITIES}
    details = run.documents[run.documents["kind"] == "detail"]
    stats = run.rule_stats
    return {
        "site": run.site, "site_title": run.site_title, "run_id": run.id, "crawl_id": run.run["crawl_id"],
        "time": shown_time(run.run["started_at"]),
        "crawl_status": run.run["crawl_status"],
        "units_total": len(cards), "units_checkable": int(cards["score"].notna().sum()),
        "documents_total": len(details), "documents_readable": int(details["fetch_error"].isna().sum()),
        "rules_total": len(stats), "rules_evaluated": int((stats["evaluated"].fillna(0) > 0).sum()),
        "severity": counts, "severity_bar": severity_bar(counts),
        "could_not_check": int((run.findings["kind"] == "could_not_check").sum()),
        "recrawl": recrawl_coverage(run),
    }


def recrawl_coverage(run: RunData) -> dict[str, int] | None:
    """Detail pages the crawl fetched and carried over unfetched (crawler.recrawl); None when it
    carried none over (a first or full crawl: the documents line says it all)."""
    recrawl = ((run.crawl or {}).get("stats") or {}).get("recrawl") or {}
    if not recrawl.get("carried"):
        return None
    return {"fetched": int(recrawl.get("fetched", 0)), "carried": int(recrawl["carried"]),
            "weeks": int(recrawl.get("recheck_weeks") or 0)}


def appendix(run: RunData) -> dict[str, Any]:
    stats = run.rule_stats.sort_values(["suite", "rule_id"], kind="stable", na_position="last")
    evaluated = stats["evaluated"].fillna(0) > 0
    blocked = ~evaluated & (stats["could_not_check"].fillna(0) > 0)
    # A rule that met no applicable row is not a gap in the audit; one whose rows could not be
    # read is, and belongs with the other things that could not be checked.
    return {"evaluated": records(stats[evaluated]), "not_evaluated": records(stats[blocked]),
            "not_applicable": records(stats[~evaluated & ~blocked])}


def build_context(run: RunData, diff: RunDiff, cards: pd.DataFrame, trends: pd.DataFrame,
                  t: Callable[..., str], previous_time: str | None, **extra: Any) -> dict[str, Any]:
    """`extra`: first-screen values (see `audits.report.firstscreen`) passed to the template."""
    return {
        "t": t, "header": header(run, cards), "cnc": could_not_check(run),
        "scorecard": scorecard(cards, trends), "fix_first": fix_first(diff),
        "changes": changes(diff, previous_time), "appendix": appendix(run),
        "severities": SEVERITIES, "shown_time": shown_time, **extra,
    }
