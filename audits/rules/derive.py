"""Derived columns: what the suites evaluate beyond the normaliser's frames.

Some checks need a value no single frame holds: the working-day lag (a holiday calendar), the
per-host 索引号 patterns (learned from all documents of the host), the section kinds of a
document (from the sections frame), the similarity to last year's report (from two documents).
They are computed here once per run, in pandas, and then validated by Great Expectations like
any other column. Tunable inputs come from the suites' `parameters:` blocks (PARAMETERS below
says which exist); nothing tunable is written in this module.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np
import pandas as pd

from audits.defaults import DEFAULT_TIMEZONE
from audits.rules import copypaste, metadata_formats, narrative, publisher, spotcheck, workdays
from audits.rules.document_facts import body_facts, date_checks
from audits.rules.joined import joined_per_key
from audits.rules.columns import CONTEXT_COLUMNS, base_columns
from govaudit.columns import REPORT_TYPES


def _regex(groups: int | str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a quoted regular expression"
        try:
            compiled = re.compile(value)
        except re.error as exc:
            return f"is not a valid regular expression: {exc}"
        if isinstance(groups, str) and groups not in compiled.groupindex:
            return f"needs a named group (?P<{groups}>...) around the number"
        if isinstance(groups, int) and compiled.groups < groups:
            return f"needs {groups} capturing group(s) (around the year)"
        return None
    return check


def _report_types(value: Any) -> str | None:
    if not isinstance(value, list) or not all(v in REPORT_TYPES for v in value):
        return f"must be a list of report types from {', '.join(REPORT_TYPES)}"
    return None


def _int_between(low: int, high: int) -> Callable[[Any], str | None]:
    return lambda v: None if isinstance(v, int) and low <= v <= high else f"must be a whole number {low}–{high}"


# Suite parameter name -> validator returning a problem or None.
PARAMETERS: dict[str, Callable[[Any], str | None]] = {
    "index_no_year_pattern": _regex(1),
    "publisher_full_name_pattern": _regex(0),
    "narrative_application_pattern": _regex("n"),
    "similarity_report_types": _report_types,
    "similarity_shingle_chars": _int_between(2, 12),
    "column_update_periods": spotcheck.check_periods,
    "peer_similarity_floor": lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool)
    and 0 < v <= 1 else "must be a number above 0 and at most 1",
}


def _frame(frames: Any, name: str) -> pd.DataFrame:
    frame = frames.get(name) if isinstance(frames, dict) else getattr(frames, name, None)
    columns = base_columns()[name]
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()})
    # A shallow copy with a fresh index: derived columns are added to (and replaced in) this
    # frame only, and no column is changed in place, so the caller's text columns are shared,
    # not copied (a million documents' strings are the largest thing in memory).
    frame = frame.copy(deep=False)
    frame.index = pd.RangeIndex(len(frame))
    for column, dtype in columns.items():
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype=dtype)
    return frame


def derive_frames(frames: Any, parameters: dict[str, Any], now: datetime | None = None,
                  unit_full_names: dict[str, str] | None = None
                  ) -> tuple[dict[str, pd.DataFrame], dict[tuple[str, str], pd.Series]]:
    """Every frame with its derived columns, and why a derived value is missing where known.
    `unit_full_names` (unit name → standard full name, from the site config) decides META-3."""
    now = now or datetime.now(timezone.utc)
    out = {name: _frame(frames, name) for name in base_columns()}
    reasons: dict[tuple[str, str], pd.Series] = {}
    docs = out["documents"]
    _document_columns(docs, out, parameters, now, reasons)
    if "publisher_full_name_pattern" in parameters:
        docs["publisher_ok"], docs["publisher_expected"] = publisher.publisher_columns(
            docs, unit_full_names, parameters["publisher_full_name_pattern"])
    _spotcheck_frames(frames, out, parameters, now, reasons)
    context = docs[["url", *CONTEXT_COLUMNS]].drop_duplicates("url").set_index("url")
    for name, frame in out.items():
        if name == "documents":
            continue
        missing = [column for column in CONTEXT_COLUMNS if column not in frame.columns]
        # The frame's urls looked up once for all the columns (url.map per column hashed them each time).
        taken = context[missing].reindex(pd.Index(frame["url"])) if len(frame) and missing else None
        for column in missing:
            frame[column] = taken[column].array if taken is not None else pd.Series(dtype="string")
        for column in ("total", "parts_sum"):  # 0.1 + 0.2 must equal 0.3 when totals are compared
            if name == "figure_groups":
                frame[column] = frame[column].round(6)
        for column in ("approx", "complete", "standalone"):
            if column in frame.columns:  # pandas query cannot mask with <NA>: undecided counts as False
                frame[column] = frame[column].fillna(False).astype(bool)
    groups = out["figure_groups"]
    if "doubt" in groups.columns:  # a group read two ways: "could not check", with the two readings
        reasons[("figure_groups", "excess")] = groups["doubt"].astype("string")
    if "narrative_application_pattern" in parameters:
        t3 = out["table3_wide"]
        counts = narrative.narrative_counts(out["figures"], parameters["narrative_application_pattern"])
        t3["narrative_new_applications"] = t3["url"].map(counts).astype("Float64")
    _known_only(reasons)
    return out, reasons


def _known_only(reasons: dict[tuple[str, str], pd.Series]) -> None:
    """Each reason cut to the rows that have one. Reasons are read by row label (reindexed onto a
    rule's rows, or filled in by label), where a row left out reads as no reason; a million
    documents' reasons held in full were 8 MiB a column, nearly all of it <NA>."""
    for key, why in reasons.items():
        if why.isna().any():
            reasons[key] = why[why.notna()]


def audit_day(now: datetime) -> pd.Timestamp:
    """The audit date in Beijing time (dates on the pages are Beijing dates)."""
    stamp = pd.Timestamp(now)
    stamp = stamp.tz_convert(DEFAULT_TIMEZONE).tz_localize(None) if stamp.tzinfo else stamp
    return stamp.normalize()


def _spotcheck_frames(frames: Any, out: dict[str, pd.DataFrame], parameters: dict[str, Any], now: datetime,
                      reasons: dict[tuple[str, str], pd.Series]) -> None:
    """site_columns' freshness on the audit date and the per-unit veto counts (unit_checks)."""
    today = audit_day(now)
    columns = out["site_columns"]
    columns["title"] = ("栏目：" + columns["column_name"].astype("string")).astype("string")
    reasons[("site_columns", "item_count")] = ("栏目列表页无法读取：" + columns["fetch_error"].astype("string"))
    if "column_update_periods" not in parameters:
        return
    spotcheck.derive_site_columns(columns, parameters["column_update_periods"], today)
    probes = frames.get("probes") if isinstance(frames, dict) else getattr(frames, "probes", None)
    built = spotcheck.unit_checks(columns, probes, today)
    base = out["unit_checks"]
    built = built if len(built) else base
    for column, dtype in base_columns()["unit_checks"].items():
        if column not in built.columns:
            built[column] = pd.Series(pd.NA, index=built.index, dtype=dtype)
    built["title"] = built["unit"].astype("string")
    out["unit_checks"] = built.reset_index(drop=True)


def _document_columns(docs: pd.DataFrame, out: dict[str, pd.DataFrame], parameters: dict[str, Any],
                      now: datetime, reasons: dict[tuple[str, str], pd.Series]) -> None:
    docs["published_date"] = pd.to_datetime(docs["published_at"]).dt.normalize()
    docs["issued_day"] = pd.to_datetime(docs["issued_date"]).dt.normalize()
    fetched = pd.to_datetime(docs["fetched_at"], utc=True).dt.tz_convert(DEFAULT_TIMEZONE).dt.tz_localize(None)
    today = pd.Timestamp(now).tz_convert(DEFAULT_TIMEZONE).tz_localize(None) if pd.Timestamp(now).tzinfo \
        else pd.Timestamp(now)
    docs["fetched_date"] = fetched.dt.normalize().fillna(today.normalize()).astype("datetime64[ns]")
    status = pd.to_numeric(docs["http_status"], errors="coerce")
    docs["fetched_ok"] = (docs["fetch_error"].isna() & (status.isna() | status.between(200, 399))).astype(bool)
    metadata = docs[["index_no", "publisher", "issued_date", "doc_no"]].notna().any(axis=1)
    docs["parsed_ok"] = ((pd.to_numeric(docs["body_length"]).fillna(0) > 0) | metadata).astype(bool)
    docs["readable"] = (docs["kind"].eq("detail").fillna(False) & docs["fetched_ok"] & docs["parsed_ok"]).astype(bool)
    docs["issued_year"] = docs["issued_day"].dt.year.astype("Int64")
    # A page that shows no publication date gets the 发文日期 as its date (published_from says so);
    # measuring the lag against that copy would always give 0, a pass nobody checked.
    copied = docs["published_from"].eq("issued_date").fillna(False) if "published_from" in docs else False
    known_published = docs["published_date"].mask(copied)
    lag, why = workdays.working_day_lag(docs["issued_day"], known_published)
    why = why.mask(copied & docs["issued_day"].notna(), "页面未显示发布日期（仅有发文日期）")
    docs["lag_working_days"] = lag
    reasons[("documents", "lag_working_days")] = why
    for column, values in metadata_formats.learned_shapes(docs).items():
        docs[column] = values
    if "index_no_year_pattern" in parameters:
        docs["index_no_year"] = metadata_formats.index_year(docs["index_no"], parameters["index_no_year_pattern"])
    date_checks(docs, reasons)
    body_facts(docs, out["sections"], reasons)
    _known_only(reasons)  # before the section summaries and similarities add their own working memory
    for column, values in _section_summary(docs, out["sections"]).items():
        docs[column] = values
    if "opening_year" in docs.columns:  # a stale opening ("2021年,我镇…" in a 2023 report) is stale text too
        opening = docs["opening_year"].astype("Int64").astype("string")
        docs["heading_years"] = docs["heading_years"].mask(
            opening.notna() & docs["heading_years"].notna(),
            (docs["heading_years"].fillna("") + "," + opening.fillna("")).str.strip(","))
    if {"similarity_report_types", "similarity_shingle_chars"} <= set(parameters):
        texts = copypaste.doc_texts(out["sections"], out["figures"])
        similar = copypaste.previous_year_similarity(
            docs, texts, parameters["similarity_report_types"], parameters["similarity_shingle_chars"])
        docs["previous_year_url"] = similar["previous_year_url"]
        docs["previous_year_similarity"] = similar["previous_year_similarity"]
        missing = similar["previous_year_url"].notna() & similar["previous_year_similarity"].isna()
        reasons[("documents", "previous_year_similarity")] = pd.Series(
            pd.NA, index=docs.index, dtype="string").mask(missing, "两份报告都没有可比较的正文")
        peers = copypaste.peer_similarity(
            docs, texts, parameters["similarity_report_types"], parameters["similarity_shingle_chars"],
            parameters.get("peer_similarity_floor", 0.5))
        docs["peer_url"], docs["peer_similarity"] = peers["peer_url"], peers["peer_similarity"]


def _joined(frame: pd.DataFrame, column: str, sep: str = ",", distinct: bool = True) -> pd.Series:
    """Per url: the non-blank values of `column` in row order (each once when `distinct`), joined."""
    rows = frame[["url", column]].dropna()
    text = rows[column].astype(str)
    rows = pd.DataFrame({"url": rows["url"], "text": text})[text != ""]
    if distinct:
        rows = rows.drop_duplicates()
    return joined_per_key(rows["url"], rows["text"], sep)


def _by_url(urls: pd.Series) -> Callable[[pd.Series], pd.Series]:
    """`urls.map(values)` for several `values` indexed by url: the documents' urls are hashed
    once, and each mapping looks up only its own (few) urls."""
    index = pd.Index(urls)
    if not index.is_unique:
        return urls.map

    def on_docs(values: pd.Series) -> pd.Series:
        where = index.get_indexer(values.index)
        hit = where >= 0
        out = np.full(len(urls), np.nan, dtype=float if pd.api.types.is_numeric_dtype(values.dtype) else object)
        out[where[hit]] = values.to_numpy(dtype=object)[hit]
        return pd.Series(out, index=urls.index)
    return on_docs


def _section_summary(docs: pd.DataFrame, sections: pd.DataFrame) -> dict[str, pd.Series]:
    """Per document: kinds with own heading, kinds only folded, years in headings (<NA> without body)."""
    has_body = pd.to_numeric(docs["body_length"]).fillna(0) > 0
    empty = pd.Series("", index=docs.index, dtype="string").where(has_body, pd.NA)
    result = {name: empty.copy() for name in ("section_kinds", "folded_section_kinds",
                                               "section_heading_years", "heading_years")}
    result["heading_count"] = pd.Series(0, index=docs.index, dtype="Int64").where(has_body, pd.NA)
    if sections.empty:
        return result
    standalone = sections["standalone"].fillna(False).astype(bool)
    own, folded = sections[standalone], sections[~standalone]
    per_kind = own.dropna(subset=["kind", "years"])
    per_kind = per_kind[per_kind["years"].astype(str) != ""]
    pairs = pd.DataFrame({"url": per_kind["url"],
                          "pair": per_kind["kind"].astype(str) + "=" + per_kind["years"].astype(str)})
    counts = own.groupby("url").size()
    on_docs = _by_url(docs["url"])
    url_index = pd.Index(docs["url"])
    result["heading_count"] = on_docs(counts).fillna(0).astype("Int64").where(has_body, pd.NA)
    for name, values in (("section_kinds", _joined(own, "kind")),
                         ("folded_section_kinds", _joined(folded, "kind")),
                         ("section_heading_years", _joined(pairs, "pair", ";", distinct=False)),
                         ("heading_years", _joined(own, "years"))):
        result[name] = _text_on_docs(url_index, empty, values, on_docs)
    return result


def _text_on_docs(urls: pd.Index, empty: pd.Series, values: pd.Series, on_docs: Callable[[pd.Series], pd.Series]
                  ) -> pd.Series:
    """`values` (text by url) on the documents (`urls`, in row order): `empty` ("" with a body,
    <NA> without) where a document has no value or no body, so that only the documents with a
    value are converted to the string dtype, not a million blanks."""
    if not urls.is_unique:
        return on_docs(values).astype("string").fillna("").where(empty.notna(), pd.NA)
    where = urls.get_indexer(values.index)
    hit = where >= 0
    texts, where = values.to_numpy(dtype=object)[hit], where[hit]
    kept = empty.notna().to_numpy()[where]
    column = empty.copy()
    column.iloc[where[kept]] = pd.array(texts[kept], dtype="string")
    return column
