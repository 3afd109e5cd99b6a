"""What changed between a run and the previous run of the same site.

A finding that is absent from this run is only *resolved* when this run actually looked again:
the rule was evaluated, the unit's catalog was reachable and the document was fetched and read.
Otherwise it is *unverified*, with the reason, because "could not check" must never read as
"fixed". Likewise a document missing from this run's catalog has only *disappeared* when the
crawl was complete and its unit reachable; otherwise it was merely *not seen*.

Documents are matched by doc_id (stable within a site); a document whose content hash differs
between the runs was edited after publication, which a supervisor wants to know about even
when no rule fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits.history import RunData, finding_keys_by_run, load_run, previous_run
from audits.report.scorecard import UNREACHABLE_RULES

# Why a finding that vanished is not counted as resolved (keys of audits.report.i18n).
REASON_RULE_NOT_EVALUATED = "rule_not_evaluated"
REASON_UNIT_UNREACHABLE = "unit_unreachable"
REASON_CRAWL_PARTIAL = "crawl_partial"
REASON_DOC_MISSING = "doc_missing"
REASON_DOC_UNREAD = "doc_unread"


@dataclass
class RunDiff:
    run_id: int
    previous_run_id: int | None
    new: pd.DataFrame  # findings of this run whose key the previous run did not have
    resolved: pd.DataFrame  # previous findings whose document was checked again and passed
    unverified: pd.DataFrame  # previous findings absent now but not re-checked; column `reason`
    open: pd.DataFrame  # this run's findings with `open_runs`: consecutive runs (ending now) holding the key
    disappeared: pd.DataFrame  # documents of the previous run missing from a complete crawl
    not_seen: pd.DataFrame  # documents missing while their unit was unreachable or the crawl partial
    changed: pd.DataFrame  # documents whose content_hash changed; previous_content_hash, previous_published_at


def open_streaks(keys_by_run: dict[int, set[str]], run_id: int, keys: pd.Series) -> pd.Series:
    """For each key, how many consecutive runs ending at `run_id` contained it."""
    order = sorted(r for r in keys_by_run if r <= run_id)[::-1]

    def streak(key: str) -> int:
        n = 0
        for rid in order:
            if key not in keys_by_run[rid]:
                break
            n += 1
        return n

    return keys.map(streak).astype("Int64")


def _evaluated_rules(run: RunData) -> set[str]:
    stats = run.rule_stats
    return set(stats.loc[stats["evaluated"].fillna(0) > 0, "rule_id"])


def _unverified_reason(finding: pd.Series, current: RunData, evaluated: set[str],
                       unreachable: set[str], partial: bool) -> str | None:
    if finding["kind"] == "could_not_check":
        return None  # the page or unit could be read this time
    if finding["rule_id"] not in evaluated:
        return REASON_RULE_NOT_EVALUATED
    if finding["unit"] in unreachable:
        return REASON_UNIT_UNREACHABLE
    docs = current.documents
    ref_doc, ref_url = finding["doc_id"], finding["url"]
    same = docs["doc_id"] == ref_doc if pd.notna(ref_doc) else docs["url"] == ref_url
    doc = docs[same.fillna(False)]
    if doc.empty:
        return REASON_CRAWL_PARTIAL if partial else REASON_DOC_MISSING
    unread = current.findings["kind"] == "could_not_check"
    unread &= (current.findings["doc_id"] == doc.iloc[0]["doc_id"]).fillna(False) | (
        current.findings["url"] == doc.iloc[0]["url"]).fillna(False)
    if doc["fetch_error"].notna().any() or unread.any():
        return REASON_DOC_UNREAD
    return None


def _detail_docs(run: RunData) -> pd.DataFrame:
    docs = run.documents
    return docs[(docs["kind"] == "detail") & docs["doc_id"].notna()]


def compare_runs(store_path: str | Path, run_id: int, current: RunData | None = None) -> RunDiff:
    """The run against the previous run of its site; `current` is the run when the caller has
    already loaded it."""
    current = current if current is not None else load_run(store_path, run_id)
    keys_by_run = finding_keys_by_run(store_path, current.site, run_id)
    opened = current.findings.assign(
        open_runs=open_streaks(keys_by_run, run_id, current.findings["finding_key"]))
    prev_id = previous_run(store_path, run_id)
    empty_f = current.findings.iloc[0:0]
    empty_d = current.documents.iloc[0:0]
    if prev_id is None:
        return RunDiff(run_id, None, empty_f, empty_f, empty_f.assign(reason=pd.Series(dtype="string")),
                       opened, empty_d, empty_d, empty_d)
    previous = load_run(store_path, prev_id)
    prev_keys, cur_keys = set(previous.findings["finding_key"]), set(current.findings["finding_key"])
    new = current.findings[~current.findings["finding_key"].isin(prev_keys)]
    gone = previous.findings[~previous.findings["finding_key"].isin(cur_keys)]
    gone = gone.drop_duplicates("finding_key")
    evaluated = _evaluated_rules(current)
    unreachable = set(current.findings.loc[current.findings["rule_id"].isin(UNREACHABLE_RULES), "unit"])
    partial = current.run["crawl_status"] != "complete"
    reasons = pd.Series([_unverified_reason(f, current, evaluated, unreachable, partial)
                         for _, f in gone.iterrows()], index=gone.index, dtype="string")
    resolved = gone[reasons.isna()]
    unverified = gone[reasons.notna()].assign(reason=reasons[reasons.notna()])

    prev_docs, cur_docs = _detail_docs(previous), _detail_docs(current)
    missing = prev_docs[~prev_docs["doc_id"].isin(set(cur_docs["doc_id"]))]
    blocked = missing["unit"].isin(unreachable) | partial
    both = cur_docs.merge(prev_docs[["doc_id", "content_hash", "published_at"]], on="doc_id",
                          suffixes=("", "_prev"))
    edited = both["content_hash"].notna() & both["content_hash_prev"].notna() & (
        both["content_hash"] != both["content_hash_prev"])
    changed = both[edited.fillna(False)].rename(columns={
        "content_hash_prev": "previous_content_hash", "published_at_prev": "previous_published_at"})
    return RunDiff(run_id, prev_id, new, resolved, unverified, opened,
                   missing[~blocked], missing[blocked], changed.reset_index(drop=True))
