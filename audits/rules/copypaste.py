"""Similarity of a report to the same unit's previous-year report (COPY-1) and to another unit's
report of the same year (COPY-2).

The frames carry no full body text, so a report is represented by what the normaliser does
extract from its body: the section headings and every sentence holding a number. Four-digit
years are masked first, so a copy that only bumps "2022年" to "2023年" scores as identical,
while real new figures make sentences differ. Between units, the units' names are masked
too, so a township that copies its neighbour and swaps the name scores as identical. Similarity
is the Jaccard index of character shingles; an identical content_hash scores 1.0 outright.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import pandas as pd

_YEAR = re.compile(r"(19|20)\d{2}")


def _shingles(text: str, size: int, mask: str = "") -> frozenset[str]:
    text = _YEAR.sub("Y", re.sub(r"\s+", "", text))
    if mask:
        text = text.replace(mask, "U")
    return frozenset([text[i:i + size] for i in range(max(len(text) - size + 1, 0))])


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float | None:
    if not (a and b):
        return None
    common = len(a & b) if len(a) <= len(b) else len(b & a)
    return round(common / (len(a) + len(b) - common), 4)


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
    texts: dict[str, list[str]] = {}  # one pass in row order (a groupby built a Series per document)
    for url, text in zip(joined["url"].tolist(), joined["text"].tolist()):
        texts.setdefault(url, []).append(str(text))
    return pd.Series({url: "\n".join(values) for url, values in texts.items()}, dtype=object)


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
    text_of = texts.to_dict()

    def shingles(url: str) -> frozenset[str]:
        if url not in cache:
            text = text_of.get(url)
            cache[url] = _shingles(text, shingle_chars) if isinstance(text, str) else frozenset()
        return cache[url]

    scores: dict[int, float] = {}
    for index, url, url_prev, digest, digest_prev in zip(
            paired.index, paired["url"], paired["url_prev"], paired["content_hash"], paired["content_hash_prev"]):
        if pd.notna(digest) and digest == digest_prev:
            scores[index] = 1.0
            continue
        score = _jaccard(shingles(url), shingles(url_prev))
        if score is not None:
            scores[index] = score
    result.loc[paired.index, "previous_year_url"] = paired["url_prev"].astype("string")
    if scores:
        result.loc[list(scores), "previous_year_similarity"] = list(scores.values())
    return result


def _unit_word(unit: str) -> str:
    """The part of a unit's name its own text repeats: 桐乡市濮院镇 → 濮院 (without 镇/街道/市…)."""
    name = re.sub(r"^.{2,3}?[市县区]", "", unit) if len(unit) > 4 else unit
    return re.sub(r"(人民政府|街道|办事处|镇|乡|局|委员会|办公室)$", "", name) or unit


def peer_similarity(documents: pd.DataFrame, texts: pd.Series, report_types: list[str],
                    shingle_chars: int, floor: float) -> pd.DataFrame:
    """peer_url and peer_similarity: the most similar report of the same type and year by another unit.

    Comparing every pair is quadratic in the units of a portal, so candidates come from prefix
    filtering (AllPairs): two shingle sets with Jaccard ≥ floor must share one of the rarest
    |A| − ⌈floor·|A|⌉ + 1 shingles of A. Reports with no candidate are below the floor and get
    0.0, which is exact enough for any threshold at or above the floor.
    """
    result = pd.DataFrame({
        "peer_url": pd.Series(pd.NA, index=documents.index, dtype="string"),
        "peer_similarity": pd.Series(pd.NA, index=documents.index, dtype="Float64"),
    })
    scope = documents[documents["report_type"].isin(report_types) & documents["report_year"].notna()]
    scope = scope[["site", "report_type", "report_year", "unit", "url", "content_hash"]]
    text_of = texts.to_dict()
    best_scores: dict[int, float] = {}
    best_urls: dict[int, str] = {}
    for _, group in scope.groupby(["site", "report_type", "report_year"], sort=False):
        if group["unit"].nunique() < 2:
            continue
        units, urls, hashes = group["unit"].to_dict(), group["url"].to_dict(), group["content_hash"].to_dict()
        sets = {i: _shingles(text_of[urls[i]], shingle_chars, _unit_word(str(units[i])))
                if isinstance(text_of.get(urls[i]), str) else frozenset() for i in group.index}
        frequency = Counter(token for tokens in sets.values() for token in tokens)
        # Each token's place in the (frequency, token) order, computed once per group: a report's
        # prefix is then its smallest places, sorted as plain integers (no key per shingle).
        order = sorted(frequency)  # by token, then (a stable sort) by frequency: (frequency, token) order
        order.sort(key=frequency.__getitem__)
        rank = {token: place for place, token in enumerate(order)}
        prefixes: dict[int, list[int]] = {}
        index: dict[int, list[int]] = defaultdict(list)
        for i, tokens in sets.items():
            ordered = sorted(map(rank.__getitem__, tokens))
            prefixes[i] = ordered[:len(tokens) - math.ceil(floor * len(tokens)) + 1] if tokens else []
            for place in prefixes[i]:
                index[place].append(i)
        by_hash: dict[str, list[int]] = defaultdict(list)
        for i, h in hashes.items():
            if pd.notna(h):
                by_hash[h].append(i)
        scores: dict[tuple[int, int], float | None] = {}  # Jaccard is symmetric: each pair once
        for i in group.index:
            candidates = {j for place in prefixes[i] for j in index[place]}
            candidates |= set(by_hash.get(hashes[i], ())) if pd.notna(hashes[i]) else set()
            best: tuple[float, str | None] = (0.0, None) if sets[i] else (-1.0, None)
            for j in candidates:
                if units[j] == units[i]:
                    continue
                same = pd.notna(hashes[i]) and hashes[i] == hashes[j]
                if not same and sets[i] and sets[j] and \
                        min(len(sets[i]), len(sets[j])) / max(len(sets[i]), len(sets[j])) <= best[0]:
                    continue  # |A∩B|/|A∪B| ≤ min/max size: this pair cannot beat the best one
                pair = (i, j) if i < j else (j, i)
                if not same and pair not in scores:
                    scores[pair] = _jaccard(sets[i], sets[j])
                score = 1.0 if same else scores[pair]
                if score is not None and score > best[0]:
                    best = (score, urls[j])
            if best[0] >= 0:
                best_scores[i] = best[0]
                if best[1] is not None:
                    best_urls[i] = best[1]
    if best_scores:
        result.loc[list(best_scores), "peer_similarity"] = list(best_scores.values())
    if best_urls:
        result.loc[list(best_urls), "peer_url"] = list(best_urls.values())
    return result
