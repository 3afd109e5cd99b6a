"""Similarity of a report to the same unit's report of the previous year (COPY-1).

The frames carry no full body text, so a report is represented by what the normaliser does
extract from its body: the section headings and every sentence holding a number. Four-digit
years are masked first, so a copy that only bumps "2022年" to "2023年" scores as identical,
while real new figures make sentences differ. Similarity is the Jaccard index of character
shingles; an identical content_hash scores 1.0 outright.
"""
from __future__ import annotations

import re

import pandas as pd

_YEAR = re.compile(r"(19|20)\d{2}")


def _shingles(text: str, size: int) -> frozenset[str]:
    text = _YEAR.sub("Y", re.sub(r"\s+", "", text))
    return frozenset(text[i:i + size] for i in range(max(len(text) - size + 1, 0)))


def doc_texts(sections: pd.DataFrame, figures: pd.DataFrame) -> pd.Series:
    """Text per document url: headings plus the distinct sentences holding numbers."""
    parts = []
    if len(sections):
        parts.append(sections[["url", "heading"]].rename(columns={"heading": "text"}))
    if len(figures):
        parts.append(figures[["url", "sentence"]].drop_duplicates().rename(columns={"sentence": "text"}))
    if not parts:
        return pd.Series(dtype="string")
    joined = pd.concat(parts).dropna()
    return joined.groupby("url")["text"].agg(lambda texts: "\n".join(map(str, texts)))


def previous_year_similarity(documents: pd.DataFrame, texts: pd.Series, report_types: list[str],
                             shingle_chars: int) -> pd.DataFrame:
    """previous_year_url and previous_year_similarity for every document (<NA> when none)."""
    result = pd.DataFrame({
        "previous_year_url": pd.Series(pd.NA, index=documents.index, dtype="string"),
        "previous_year_similarity": pd.Series(pd.NA, index=documents.index, dtype="Float64"),
    })
    scope = documents[documents["report_type"].isin(report_types) & documents["report_year"].notna()]
    if scope.empty:
        return result
    keys = ["site", "unit", "report_type"]
    earlier = scope[keys + ["report_year", "url", "content_hash"]].copy()
    earlier["report_year"] = earlier["report_year"] + 1
    earlier = earlier.drop_duplicates(keys + ["report_year"])
    paired = scope[keys + ["report_year", "url", "content_hash"]].reset_index().merge(
        earlier, on=keys + ["report_year"], suffixes=("", "_prev")).set_index("index")
    cache: dict[str, frozenset[str]] = {}

    def shingles(url: str) -> frozenset[str]:
        if url not in cache:
            text = texts.get(url)
            cache[url] = _shingles(text, shingle_chars) if isinstance(text, str) else frozenset()
        return cache[url]

    for index, row in paired.iterrows():
        result.at[index, "previous_year_url"] = row["url_prev"]
        if pd.notna(row["content_hash"]) and row["content_hash"] == row["content_hash_prev"]:
            result.at[index, "previous_year_similarity"] = 1.0
            continue
        a, b = shingles(row["url"]), shingles(row["url_prev"])
        if a and b:
            result.at[index, "previous_year_similarity"] = round(len(a & b) / len(a | b), 4)
    return result
