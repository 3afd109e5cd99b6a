"""Turning failing rows into findings: one row per (document, rule), in FINDING_COLUMNS.

Rules run on several frames (documents, table rows, figure groups); a document can fail one
rule on several rows (three figure groups that do not add up). Those are folded into one
finding per (document, rule), so that a finding's identity `site|doc_id-or-url|rule_id` is
stable from one run to the next and history can tell new findings from persisting ones.
"""
from __future__ import annotations

import string
from typing import NamedTuple

import numpy as np
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


class Part(NamedTuple):
    """Finding rows (before folding) of one rule and kind. Only what differs from row to row is
    held per row; the rule's own texts (suite, severity, title, basis, fix) are the rule's, and
    are spelt out per finding once, in `build_findings`."""
    rule: Rule
    kind: str
    rows: pd.DataFrame  # url, message, observed, expected


PART_COLUMNS = ("url", "message", "observed", "expected")  # a Part's rows


def rule_rows(rule: Rule, rows: pd.DataFrame, kind: str, observed: pd.Series, expected: pd.Series,
              message: pd.Series) -> Part:
    """Finding rows (before folding) for rows of one rule's frame."""
    return text_part(rule, kind, *(values.astype("string", copy=False).array
                                   for values in (rows["url"], message, observed, expected)))


def text_part(rule: Rule, kind: str, *texts: pd.api.extensions.ExtensionArray) -> Part:
    """A Part of "string" arrays in PART_COLUMNS order. A rule's messages repeat (every page
    without text "could not check" the same way): each distinct text is held once (URLs, mostly
    distinct, as they are)."""
    url, *rest = texts
    return Part(rule, kind, pd.DataFrame(dict(zip(PART_COLUMNS, (url, *(shared(t) for t in rest)))), copy=False))


def _fold(texts: pd.Series) -> str:
    unique = list(dict.fromkeys(t for t in texts if isinstance(t, str) and t))
    shown = "；".join(unique[:MAX_LISTED])
    return shown + (f"；…（共 {len(unique)} 处）" if len(unique) > MAX_LISTED else "")


_EVIDENCE = ("site", "unit", "doc_id", "title", "crawl_id", "content_hash", "fetched_at", "body_source")
_RULE_TEXTS = ("rule_id", "suite", "kind", "severity", "rule_title", "basis", "fix")


def _rule_texts(part: Part) -> tuple:
    rule = part.rule
    return rule.id, rule.suite, part.kind, rule.severity, rule.title, rule.basis, rule.fix


def _concat(parts: list[Part], column: str) -> pd.api.extensions.ExtensionArray:
    return pd.concat([p.rows[column] for p in parts], ignore_index=True).array


def _first_rows(urls: pd.api.extensions.ExtensionArray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are the first of their (url, rule, kind) (as `DataFrame.duplicated` keeps
    them, a missing url counting as one value), and the rows of pairs found on several rows
    with a url: those are folded into their first row."""
    codes, _ = pd.factorize(urls)  # -1 for a missing url
    key = pd.Series((codes.astype(np.int64) + 1) * (int(pairs.max()) + 1) + pairs)
    return ~key.duplicated().to_numpy(), (key.duplicated(keep=False).to_numpy() & (codes >= 0))


class _Evidence:
    """Each finding's evidence row, looked up once (not once per column): the documents', then,
    for urls that are no document's (a site column's listing, a unit's veto row), the first row
    of the other frames, which carry their own site, unit and title. Where a url is in no frame,
    every evidence value is missing."""

    def __init__(self, urls: pd.Series, documents: pd.DataFrame, others: list[pd.DataFrame]) -> None:
        if not pd.Index(documents["url"]).is_unique:  # the first row of a url is its evidence
            documents = documents[~documents["url"].duplicated().to_numpy()]
        self.frames = [documents]
        self.where = [pd.Index(documents["url"]).get_indexer(urls)]
        missing = self.where[0] < 0
        shaped = [o[[c for c in _EVIDENCE + ("url",) if c in o.columns]] for o in others if len(o)]
        if shaped and missing.any():
            extra = pd.concat(shaped, ignore_index=True).drop_duplicates("url")
            where = np.full(len(urls), -1)
            where[missing] = pd.Index(extra["url"]).get_indexer(urls[missing])
            self.frames.append(extra)
            self.where.append(where)

    def __getitem__(self, column: str) -> pd.Series:
        """`column`'s evidence value of each finding (<NA> where it has none)."""
        values = None
        for frame, where in zip(self.frames, self.where):
            found = where >= 0
            if column not in frame.columns or not found.any():
                continue
            taken = pd.Series(frame[column].take(where.clip(0)).array).where(found, pd.NA)
            values = taken if values is None else values.where(values.notna() | ~found, taken)
        return values if values is not None else pd.Series(pd.NA, index=range(len(self.where[0])), dtype=object)


def _fetched_texts(fetched: pd.Series) -> pd.api.extensions.ExtensionArray:
    """Fetch times as ISO text: a crawl has few distinct fetch times next to its findings, so each
    is formatted once."""
    codes, times = pd.factorize(pd.to_datetime(fetched, utc=True))
    texts = pd.array(pd.DatetimeIndex(times).strftime("%Y-%m-%dT%H:%M:%SZ"), dtype="string")
    return texts.take(codes, allow_fill=True)


def build_findings(parts: list[Part], documents: pd.DataFrame,
                   other_evidence: list[pd.DataFrame] | None = None) -> pd.DataFrame:
    """Fold per-row parts into one finding per (document, rule) and add the document's evidence,
    ordered by site, url and rule. `parts` is emptied as its rows are taken, so that they are
    not held twice. Each column of the result is built once, already in its final order: a
    million documents' findings are not copied whole from one step to the next."""
    taken = [p for p in parts if len(p.rows)]
    parts.clear()
    if not taken:
        return empty_findings()
    part_of = np.repeat(np.arange(len(taken)), [len(p.rows) for p in taken])
    rule_texts = [_rule_texts(p) for p in taken]
    pair_codes: dict[tuple, int] = {}
    pairs = np.array([pair_codes.setdefault((t[0], t[2]), len(pair_codes)) for t in rule_texts])[part_of]
    url = _concat(taken, "url")
    texts = {column: _concat(taken, column) for column in ("message", "observed", "expected")}
    del taken
    first, repeated = _first_rows(url, pairs)
    if repeated.any():
        # Only the rows of (document, rule) pairs that failed on several rows are grouped and
        # folded into their first row.
        rows = pd.DataFrame({"url": url[repeated], "pair": pairs[repeated],
                             **{c: v[repeated] for c, v in texts.items()}})
        folded = rows.groupby(["url", "pair"], sort=False)[list(texts)].agg(_fold)
        at = first & repeated
        index = pd.MultiIndex.from_arrays([url[at], pairs[at]])
        for column in texts:
            texts[column] = texts[column].copy()
            texts[column][at] = folded[column].reindex(index).to_numpy()
    kept = np.flatnonzero(first)
    del first, repeated, pairs
    url = url.take(kept)
    part_of = part_of[kept]
    rule_ids = pd.array([t[0] for t in rule_texts], dtype="string").take(part_of)
    evidence = _Evidence(pd.Series(url), documents, other_evidence or [])
    site = evidence["site"].astype("string")
    keys = pd.DataFrame({"site": site, "url": url, "rule_id": rule_ids}, copy=False)
    order = keys.sort_values(["site", "url", "rule_id"], kind="stable").index.to_numpy()
    del keys
    columns: dict[str, pd.api.extensions.ExtensionArray] = {}
    for column in FINDING_COLUMNS:
        dtype = FINDING_COLUMNS[column]
        if column in _RULE_TEXTS:
            at = _RULE_TEXTS.index(column)
            values = pd.array([t[at] for t in rule_texts], dtype=dtype).take(part_of[order])
        elif column in texts:
            values = texts.pop(column).take(kept[order])
        elif column == "url":
            values = url.take(order)
        elif column == "fetched_at":
            values = _fetched_texts(evidence["fetched_at"].take(order))
        elif column in _EVIDENCE:
            values = evidence[column].take(order).astype(dtype).array
        else:
            continue
        columns[column] = values if values.dtype == dtype else pd.array(values, dtype=dtype)
    # site|doc_id-or-url|rule_id, from the columns as ordered
    ident = pd.Series(columns["doc_id"]).fillna(pd.Series(columns["url"]))
    columns["finding_key"] = (pd.Series(columns["site"]).fillna("") + "|" + ident + "|"
                              + pd.Series(columns["rule_id"])).array
    return pd.DataFrame({c: columns[c] for c in FINDING_COLUMNS}, copy=False)
