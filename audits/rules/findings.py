"""Turning failing rows into findings: one row per (document, rule), in FINDING_COLUMNS.

Rules run on several frames (documents, table rows, figure groups); a document can fail one
rule on several rows (three figure groups that do not add up). Those are folded into one
finding per (document, rule), so that a finding's identity `site|doc_id-or-url|rule_id` is
stable from one run to the next and history can tell new findings from persisting ones.
"""
from __future__ import annotations

import string

import pandas as pd

from audits.normalize.shared_strings import shared
from audits.rules.model import Rule
from govaudit.columns import FINDING_COLUMNS

MAX_LISTED = 5  # details of at most this many rows are spelt out per finding


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in FINDING_COLUMNS.items()})


def _text(value: object) -> str:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return "（空）"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _texts(values: pd.Series) -> pd.Series:
    """`_text` of every value, column-wise where the dtype makes the answer plain: text as is,
    whole numbers and flags as `str` gives them, dates as YYYY-MM-DD, missing as （空）."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        text = values.astype("string").astype(object)
    elif isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        text = values.dt.strftime("%Y-%m-%d").astype(object)
    else:  # floats (2.0 reads 2), objects: value by value
        return pd.Series([_text(v) for v in values.tolist()], index=values.index, dtype=object)
    return text.where(values.notna(), "（空）")


def render_messages(template: str, rows: pd.DataFrame, observed: pd.Series, expected: pd.Series) -> pd.Series:
    parsed = list(string.Formatter().parse(template))
    fields = [name for _, name, _, _ in parsed if name]
    columns = [f for f in dict.fromkeys(fields) if f not in ("observed", "expected")]
    named = [(name, spec, conversion) for _, name, spec, conversion in parsed if name is not None]
    if all(not spec and conversion is None and (name in rows.columns or name in ("observed", "expected"))
           for name, spec, conversion in named):
        # Built column by column: the literal pieces and each field's texts, concatenated.
        texts = {name: _texts(rows[name]) for name in columns}
        texts["observed"], texts["expected"] = _texts(observed), _texts(expected)
        message = pd.Series("", index=rows.index, dtype=object)
        for literal, name, _, _ in parsed:
            message = message + literal
            if name is not None:
                message = message + texts[name].to_numpy()
        return message.astype("string")
    records = rows[columns].to_dict("records") if columns else [{} for _ in range(len(rows))]
    messages = []
    for record, obs, exp in zip(records, observed.tolist(), expected.tolist()):
        values = {k: _text(v) for k, v in record.items()}
        values.update(observed=_text(obs), expected=_text(exp))
        messages.append(template.format_map(values))
    return pd.Series(messages, index=rows.index, dtype="string")


def rule_rows(rule: Rule, rows: pd.DataFrame, kind: str, observed: pd.Series, expected: pd.Series,
              message: pd.Series) -> pd.DataFrame:
    """Finding rows (before folding) for rows of one rule's frame. A rule's messages repeat (every
    page without text "could not check" the same way): each distinct text is held once."""
    return pd.DataFrame({
        "url": rows["url"].astype("string"),
        "rule_id": rule.id, "suite": rule.suite, "kind": kind, "severity": rule.severity,
        "rule_title": rule.title, "message": shared(message.astype("string").array),
        "observed": shared(observed.astype("string").array), "expected": shared(expected.astype("string").array),
        "basis": rule.basis, "fix": rule.fix,
    }, index=rows.index)


def _fold(texts: pd.Series) -> str:
    unique = list(dict.fromkeys(t for t in texts if isinstance(t, str) and t))
    shown = "；".join(unique[:MAX_LISTED])
    return shown + (f"；…（共 {len(unique)} 处）" if len(unique) > MAX_LISTED else "")


_EVIDENCE = ("site", "unit", "doc_id", "title", "crawl_id", "content_hash", "fetched_at", "body_source")


def _evidence(documents: pd.DataFrame, others: list[pd.DataFrame]) -> pd.DataFrame:
    """Evidence per url: the documents', then rows of frames whose url is no document (a site
    column's listing, a unit's veto row), which carry their own site, unit and title."""
    frames = [documents] + [o for o in others if len(o)]
    shaped = [f[[c for c in _EVIDENCE + ("url",) if c in f.columns]] for f in frames]
    return pd.concat(shaped, ignore_index=True).drop_duplicates("url").set_index("url") if frames else documents


def build_findings(parts: list[pd.DataFrame], documents: pd.DataFrame,
                   other_evidence: list[pd.DataFrame] | None = None) -> pd.DataFrame:
    """Fold per-row parts into one finding per (document, rule) and add the document's evidence.
    `parts` is emptied as its rows are taken, so that they are not held twice."""
    taken = [p for p in parts if len(p)]
    parts.clear()
    if not taken:
        return empty_findings()
    rows = pd.concat(taken, ignore_index=True)
    del taken
    keys = ["url", "rule_id", "kind"]
    # Only the rows of (document, rule) pairs that failed on several rows are grouped and folded
    # into their first row; a pair with a missing url is never grouped, as groupby drops it.
    repeated = (rows.duplicated(keys, keep=False) & rows[keys].notna().all(axis=1)).to_numpy()
    findings = rows[~rows.duplicated(keys).to_numpy()]
    if repeated.any():
        folded = rows[repeated].groupby(keys, sort=False)[["message", "observed", "expected"]].agg(_fold)
        kept = repeated[findings.index.to_numpy()]
        at = pd.MultiIndex.from_frame(findings.loc[kept, keys])
        findings = findings.copy()
        for column in ("message", "observed", "expected"):
            findings.loc[kept, column] = folded[column].reindex(at).to_numpy()
    del rows
    findings = findings.reset_index(drop=True)
    evidence = _evidence(documents, other_evidence or [])
    # Each finding's evidence row, looked up once (not once per column): -1 where its url is no row.
    where = evidence.index.get_indexer(findings["url"]) if len(evidence) else None
    found = where >= 0 if where is not None else None
    rows_index = findings.index

    def evidence_of(column: str) -> pd.Series:
        assert where is not None  # called only when there is evidence
        values = evidence[column].take(where.clip(0)).where(found, pd.NA)
        return pd.Series(values.array, index=rows_index)

    for column in ("site", "unit", "doc_id", "title", "crawl_id", "content_hash", "body_source"):
        present = len(evidence) and column in evidence
        findings[column] = evidence_of(column) if present else pd.NA
    fetched = pd.to_datetime(evidence_of("fetched_at"), utc=True) if len(evidence) else None
    if fetched is not None:  # a crawl has few distinct fetch times next to its findings: each formatted once
        codes, times = pd.factorize(fetched)
        texts = pd.array(pd.DatetimeIndex(times).strftime("%Y-%m-%dT%H:%M:%SZ"), dtype="string")
        findings["fetched_at"] = pd.Series(texts.take(codes, allow_fill=True), index=findings.index)
    else:
        findings["fetched_at"] = pd.NA
    ident = findings["doc_id"].astype("string").fillna(findings["url"].astype("string"))
    findings["finding_key"] = findings["site"].astype("string").fillna("") + "|" + ident + "|" + findings["rule_id"]
    out = pd.DataFrame({c: findings[c] if c in findings else pd.NA for c in FINDING_COLUMNS}, copy=False)
    del findings
    return out.astype(FINDING_COLUMNS, copy=False).sort_values(["site", "url", "rule_id"], kind="stable",
                                                               ignore_index=True)
