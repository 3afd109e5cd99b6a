"""Document columns for the date and body-fact rules (META-4, DATE-1, META-6, BUD-1, FZ-NEXT-2).

Kept apart from `derive` because each answers one question about a document's own dates or
text, and because they also decide which other rules must say "could not check": a future or
malformed date is masked, with its reason, in every column a rule measures from.
"""
from __future__ import annotations

import pandas as pd

from audits.rules import date_health


def date_checks(docs: pd.DataFrame, reasons: dict[tuple[str, str], pd.Series]) -> None:
    """Future and malformed dates become findings of their own; rules measuring from them get a
    "could not check" with the reason instead of a cascade of late/early findings."""
    docs["future_dates"] = date_health.future_dates(docs)
    docs["malformed_dates"] = date_health.malformed_dates(docs)
    raw = docs["issued_date_malformed"].astype("string") if "issued_date_malformed" in docs else None
    docs["issued_date_text"] = date_health._fmt(docs["issued_day"]) if len(docs) else pd.Series(dtype="string")
    if raw is not None:
        docs["issued_date_text"] = docs["issued_date_text"].fillna(raw)
    if "index_no_year" in docs:
        later = pd.to_numeric(docs["index_no_year"], errors="coerce") > docs["fetched_date"].dt.year
        docs["index_no_year"] = docs["index_no_year"].mask(later.fillna(False))
        reasons[("documents", "index_no_year")] = pd.Series(pd.NA, index=docs.index, dtype="string").mask(
            later.fillna(False), "索引号中的年份在抓取日期之后（未来日期），无法据此判断")
    issued = date_health.untrusted(docs, "issued_day", "issued_date_malformed", "发文日期")
    published = date_health.untrusted(docs, "published_date", "published_malformed", "发布日期")
    for column, why in (("issued_day", issued), ("issued_year", issued), ("issued_date", issued),
                        ("published_date", published), ("published_at", published),
                        ("lag_working_days", issued.fillna(published))):
        docs[column] = docs[column].mask(why.notna())
        known = reasons.get(("documents", column))
        reasons[("documents", column)] = why if known is None else why.fillna(known)


def body_facts(docs: pd.DataFrame, sections: pd.DataFrame, reasons: dict[tuple[str, str], pd.Series]) -> None:
    """META-6 (文号 shown, field empty), BUD-1 (days from 批复 to publication), FZ-NEXT-2."""
    field = docs["doc_no"].astype("string").str.strip().fillna("")
    empty = field.isin(["", "无", "/", "—", "-"])
    docs["doc_no_unfilled"] = (empty & docs["doc_no_shown"].notna()).astype(bool)
    approved = pd.to_datetime(docs["approval_date"]).dt.normalize()
    docs["approval_lag_days"] = (docs["published_date"] - approved).dt.days.astype("Int64")
    known = reasons.get(("documents", "published_date"))
    if known is not None:
        reasons[("documents", "approval_lag_days")] = known
    docs["next_year_unnamed"] = _next_year_unnamed(docs, sections)


def _next_year_unnamed(docs: pd.DataFrame, sections: pd.DataFrame) -> pd.Series:
    """True when the report's next-year section has no year in its heading and its text never
    names report_year + 1 (nor 明年 / 新的一年); <NA> without such a section or report year."""
    out = pd.Series(pd.NA, index=docs.index, dtype="boolean")
    if sections.empty or "text_years" not in sections:
        return out
    standalone = sections["standalone"].fillna(False).astype(bool)
    own = sections[standalone & sections["kind"].eq("fz_next_year").fillna(False)]
    own = own[own["years"].isna() | own["years"].astype("string").eq("")]
    if own.empty:
        return out
    named = own[["url", "text_years"]].dropna()
    named = named.assign(year=named["text_years"].astype(str).str.split(",")).explode("year")
    year = pd.to_numeric(docs["report_year"], errors="coerce").astype("Int64")
    decided = docs["url"].isin(own["url"].dropna()) & year.notna()
    wanted = pd.MultiIndex.from_arrays([docs["url"].astype(object), (year + 1).astype("string").astype(object)])
    named_year = wanted.isin(pd.MultiIndex.from_arrays([named["url"].astype(object), named["year"].astype(object)]))
    named_next = docs["url"].isin(named.loc[named["year"].eq("next"), "url"])
    out[decided] = ~(named_year | named_next)[decided]
    return out
