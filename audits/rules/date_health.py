"""Dates that cannot be trusted: printed but not a date, or lying after the day the page was fetched.

A malformed date (2023-02-29, month 13, 0000-00-00, a date cut to 2023-02) is not a missing one:
the supervisor needs the raw text to ask for the fix.  A future date (a slipped tens digit,
2023 → 2033) in the 发文日期, the 发布日期 or the 索引号 year is a finding of its own (META-4), and
every rule that measures from that date (deadlines, the 20-working-day lag, 发布 ≥ 发文, the
索引号 year) must say "could not check" instead of cascading into "late" or "early" findings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

_LABELS = {"issued_day": "发文日期", "published_date": "发布日期"}


def _fmt(day: pd.Series) -> pd.Series:
    """YYYY-MM-DD of each day (<NA> where missing). A crawl's documents share few distinct days:
    each is formatted once and its text object shared by the rows that have it (a million rows
    with a text each held 60 MiB)."""
    codes, days = pd.factorize(day)  # -1: missing
    if day.dtype == "datetime64[ns]":  # numpy formats whole days at C speed; strftime goes value by value
        # (whole days by floor division: numpy's own ns→D cast wraps dates near 1677 around)
        whole = (days.to_numpy().view("i8") // 86_400_000_000_000).astype("datetime64[D]")
        text = np.datetime_as_string(whole, unit="D").astype(object)
    else:
        text = pd.Series(days).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    return pd.Series(pd.array(text, dtype="string").take(codes, allow_fill=True), index=day.index)


def _fmt_where(day: pd.Series, rows: pd.Series) -> pd.Series:
    """_fmt(day) on `rows` only (<NA> elsewhere): the messages name the few future dates, and
    formatting a million dates to keep a handful cost seconds."""
    out = pd.Series(pd.NA, index=day.index, dtype="string")
    rows = rows.fillna(False).astype(bool)
    if rows.any():
        out[rows] = _fmt(day[rows])
    return out


def future_dates(docs: pd.DataFrame) -> pd.Series:
    """'发文日期 2033-03-04；索引号年份 2033' for documents with dates after fetched_date; <NA> else."""
    out = pd.Series(pd.NA, index=docs.index, dtype="string")
    fetched = docs["fetched_date"]
    pieces = []
    for column, label in _LABELS.items():
        later = docs[column].notna() & (docs[column] > fetched)
        pieces.append((label + " " + _fmt_where(docs[column], later)).where(later))
    if "index_no_year" in docs.columns:
        year = pd.to_numeric(docs["index_no_year"], errors="coerce")
        later = year.notna() & (year > fetched.dt.year)
        pieces.append(("索引号年份 " + year.astype("Int64").astype("string")).where(later))
    for piece in pieces:
        piece = piece.astype("string")
        out = out.mask(out.isna() & piece.notna(), piece).mask(out.notna() & piece.notna(), out + "；" + piece)
    return out


def malformed_dates(docs: pd.DataFrame) -> pd.Series:
    out = pd.Series(pd.NA, index=docs.index, dtype="string")
    for column, label in (("issued_date_malformed", "发文日期"), ("published_malformed", "发布日期")):
        if column not in docs.columns:
            continue
        raw = docs[column].astype("string")
        text = label + "“" + raw + "”"
        out = out.mask(out.isna() & raw.notna(), text).mask(out.notna() & raw.notna(), out + "；" + text)
    return out


def untrusted(docs: pd.DataFrame, column: str, raw_column: str, label: str) -> pd.Series:
    """Why `column` cannot be used by a rule: in the future, or printed malformed; <NA> when fine."""
    why = pd.Series(pd.NA, index=docs.index, dtype="string")
    later = docs[column].notna() & (docs[column] > docs["fetched_date"])
    why = why.mask(later, label + " " + _fmt_where(docs[column], later) + " 在抓取日期之后（未来日期），无法据此判断")
    if raw_column in docs.columns:
        raw = docs[raw_column].astype("string")
        unread = raw.notna() & docs[column].isna()  # no other label gave a valid date
        why = why.mask(why.isna() & unread, label + "“" + raw + "”不是有效日期，无法据此判断")
    return why
