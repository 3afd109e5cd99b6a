"""Similarity of a report to the same unit's previous-year report (COPY-1) and to another unit's
report of the same year (COPY-2).

The frames carry no full body text, so a report is represented by what the normaliser does
extract from its body: the section headings and every sentence holding a number. Four-digit
years are masked first, so a copy that only bumps "2022年" to "2023年" scores as identical,
while real new figures make sentences differ. Between units, the units' names are masked
too, so a township that copies its neighbour and swaps the name scores as identical. Similarity
is the Jaccard index of character shingles (`audits.rules.shingles`); an identical content_hash
scores 1.0 outright. A missing content_hash is never identical to another, and reports with
no unit are compared with the named units' reports, not with each other.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from audits.rules import shingles
from audits.rules.joined import joined_per_key
from audits.rules.shingles import ShingleSets, distinct, distinct_inverse, normalised, shingle_sets, sort_order

# Groups of reports are shingled together until their texts hold this many characters: few
# numpy calls for many small groups, bounded memory for a million documents. COPY-2's working
# arrays for a batch take about 60 bytes per character (at 2,000,000 characters they were the
# highest point of a million documents' audit); halving the batch cost no measurable time.
_BATCH_CHARS = 1_000_000
# Candidate pairs (repeats included) made and scored at a time (see _peer_batch).
_PAIR_CHUNK = 250_000


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
    return joined_per_key(joined["url"], joined["text"].astype(str), "\n")


def _batches(lengths: np.ndarray, starts: np.ndarray) -> list[slice]:
    """Consecutive slices of items (texts) cut only before an item where `starts` is set (the
    first of a group), each holding about _BATCH_CHARS characters or one group."""
    slices, first, held = [], 0, 0
    bounds = np.flatnonzero(starts).tolist()[1:] + [len(lengths)]
    ends = np.r_[0, np.cumsum(lengths)]
    for bound in bounds:
        held = int(ends[bound] - ends[first])
        if held >= _BATCH_CHARS or bound == len(lengths):
            slices.append(slice(first, bound))
            first = bound
    return slices


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
    if paired.empty:
        return result
    digest, digest_prev = paired["content_hash"].astype("string"), paired["content_hash_prev"].astype("string")
    same = (digest.notna() & digest_prev.notna() & digest.eq(digest_prev)).to_numpy(dtype=bool, na_value=False)
    text_of = texts.to_dict()

    def text(url: object) -> str:
        value = text_of.get(url)
        return normalised(value) if isinstance(value, str) else ""

    pairs = [(text(url), text(prev)) for url, prev in zip(paired["url"].tolist(), paired["url_prev"].tolist())]
    score = np.where(same, 1.0, np.nan)
    lengths = np.array([len(a) + len(b) for a, b in pairs], dtype=np.int64)
    for part in _batches(np.where(same, 0, lengths), np.ones(len(pairs), dtype=bool)):
        rows = np.flatnonzero(~same[part]) + part.start
        if not len(rows):
            continue
        sets = shingle_sets([t for k in rows for t in pairs[k]], shingle_chars)
        left = np.arange(0, 2 * len(rows), 2)
        score[rows] = shingles.jaccard(sets, left, left + 1)
    result.loc[paired.index, "previous_year_url"] = paired["url_prev"].astype("string")
    scored = ~np.isnan(score)
    if scored.any():
        result.loc[paired.index[scored], "previous_year_similarity"] = score[scored]
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
    group = scope.groupby(["site", "report_type", "report_year"], sort=False).ngroup()  # NaN: a key missing
    peers = scope.groupby(group)["unit"].transform("nunique").ge(2) if len(scope) else group.notna()
    keep = (group.notna() & peers).to_numpy(dtype=bool)
    if not keep.any():
        return result
    scope, group = scope[keep], group.to_numpy()[keep].astype(np.int64)
    order = np.argsort(group, kind="stable")  # by group, in row order within each
    scope, group = scope.iloc[order], group[order]
    unit = pd.factorize(scope["unit"], use_na_sentinel=False)[0]
    digest = pd.factorize(scope["content_hash"])[0]  # -1: no hash
    text_of = texts.to_dict()
    words: dict[object, str] = {}
    masked = []
    for url, name in zip(scope["url"].tolist(), scope["unit"].tolist()):
        value = text_of.get(url)
        if name not in words:
            words[name] = _unit_word(str(name))
        masked.append(normalised(value, words[name]) if isinstance(value, str) else "")
    labels = scope.index.tolist()
    urls = scope["url"].astype(object).to_numpy()
    best = np.full(len(scope), np.nan)
    winner = np.full(len(scope), -1)
    starts = np.r_[True, group[1:] != group[:-1]]
    for part in _batches(np.fromiter(map(len, masked), dtype=np.int64, count=len(masked)), starts):
        best[part], found = _peer_batch(shingle_sets(masked[part], shingle_chars), group[part], unit[part],
                                        digest[part], labels[part], floor)
        winner[part] = np.where(found >= 0, found + part.start, -1)
    scored = ~np.isnan(best)
    result.loc[scope.index[scored], "peer_similarity"] = best[scored]
    named = winner >= 0
    result.loc[scope.index[named], "peer_url"] = urls[winner[named]]
    return result


def _sharing(keys: np.ndarray, key_bound: int, members: np.ndarray, n: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The members (below n) grouped by key, in member order within a key, and for each entry
    (keys[k], members[k]) where the members sharing its key start among them and how many."""
    order = sort_order((keys, key_bound), (members, n))
    ordered = keys[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    run = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    lengths = np.diff(np.r_[starts, len(keys)])
    start, length = np.empty(len(keys), dtype=np.int64), np.empty(len(keys), dtype=np.int64)
    start[order], length[order] = starts[run], lengths[run]
    return members[order], start, length


def _expand(owner: np.ndarray, start: np.ndarray, length: np.ndarray, grouped: np.ndarray, n: int) -> np.ndarray:
    """Codes owner·n + b for every member b sharing each entry's key (see _sharing)."""
    offsets = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    return np.repeat(owner, length) * n + grouped[np.repeat(start, length) + offsets]


def _peer_batch(sets: ShingleSets, group: np.ndarray, unit: np.ndarray, digest: np.ndarray,
                labels: list, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Best score (NaN: none) and the position of its report (-1: none) for each report of whole groups."""
    n = len(group)
    sizes = sets.sizes
    doc = np.repeat(np.arange(n), sizes)
    # A shingle's place: (group, shingle); its frequency: the reports of the group holding it.
    _, place, frequency = distinct_inverse(group[doc] * max(sets.count, 1) + sets.ids)
    # Each report's prefix: its rarest shingles in (frequency, shingle) order, as many as
    # |A| − ⌈floor·|A|⌉ + 1 (math.ceil and np.ceil agree on the same float product).
    by_rank = sort_order((doc, n), (frequency[place], n + 1), (sets.ids, max(sets.count, 1)))
    rank = np.arange(len(doc)) - sets.indptr[doc[by_rank]]
    length = sizes - np.ceil(floor * sizes).astype(np.int64) + 1
    prefix = by_rank[rank < length[doc[by_rank]]]
    prefix_doc, prefix_place = doc[prefix], place[prefix]
    # Candidates: the reports sharing a prefix shingle, and those of the same hash in the group.
    by_place = _sharing(prefix_place, len(place), prefix_doc, n)
    hashed = np.flatnonzero(digest >= 0)
    hashes = int(digest.max()) + 1
    by_hash = _sharing(group[hashed] * hashes + digest[hashed], (int(group.max()) + 1) * hashes, hashed, n)
    # The best per report; the first report to reach it in the order the candidates were
    # visited wins, so a tie is settled by that order (see _first_in_visit_order). Candidate
    # pairs are made and scored for a slice of reports at a time, about _PAIR_CHUNK pairs
    # (with repeats), so memory follows the slice, however many reports share a text.
    top, found = np.full(n, -np.inf), np.full(n, -1)
    holders: dict[int, list] = {}  # each prefix shingle's reports (labels), in row order
    prefix_of = np.searchsorted(prefix_doc, np.arange(n + 1))  # prefixes are ordered by report too
    hashed_of = np.searchsorted(hashed, np.arange(n + 1))
    made = np.cumsum(np.bincount(prefix_doc, by_place[2], minlength=n) + np.bincount(hashed, by_hash[2], minlength=n))
    bounds = distinct(np.r_[0, np.searchsorted(made, np.arange(_PAIR_CHUNK, made[-1] if n else 0, _PAIR_CHUNK)), n])
    for low, high in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        places, hashes_in = slice(prefix_of[low], prefix_of[high]), slice(hashed_of[low], hashed_of[high])
        pair = distinct(np.r_[_expand(prefix_doc[places], by_place[1][places], by_place[2][places], by_place[0], n),
                              _expand(hashed[hashes_in], by_hash[1][hashes_in], by_hash[2][hashes_in], by_hash[0], n)])
        left, right, score = _scored_pairs(pair, n, sets, unit, digest)
        np.maximum.at(top, left, score)
        at_top = score == top[left]
        found[left[at_top]] = right[at_top]
        tied = np.flatnonzero(np.bincount(left[at_top], minlength=n) > 1)
        if len(tied) and not holders:
            for spot, j in zip(prefix_place.tolist(), prefix_doc.tolist()):
                holders.setdefault(spot, []).append(labels[j])
        pairs_of = np.searchsorted(left, tied)
        for i, first in zip(tied.tolist(), pairs_of.tolist()):
            rows = slice(first, int(np.searchsorted(left, i, side="right")))
            found[i] = _first_in_visit_order(i, right[rows][at_top[rows]], prefix_place[prefix_of[i]:prefix_of[i + 1]],
                                             holders, digest, group, labels)
    start = np.where(sizes > 0, 0.0, -1.0)  # an empty report is only ever identical (same hash)
    beaten = top > start
    best = np.where(beaten, top, np.where(sizes > 0, 0.0, np.nan))
    return best, np.where(beaten, found, -1)


def _scored_pairs(pair: np.ndarray, n: int, sets: ShingleSets, unit: np.ndarray, digest: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (codes a·n + b) of reports by different units that have a score: 1.0 for the
    same content hash, else the Jaccard index of their shingles (none when either has none)."""
    left, right = np.divmod(pair, n)
    other = unit[left] != unit[right]
    left, right = left[other], right[other]
    same = (digest[left] >= 0) & (digest[left] == digest[right])
    score = np.ones(len(left))
    score[~same] = shingles.jaccard(sets, left[~same], right[~same])
    valid = ~np.isnan(score)
    return left[valid], right[valid], score[valid]


def _first_in_visit_order(i: int, tied: np.ndarray, prefix: np.ndarray, holders: dict[int, list],
                          digest: np.ndarray, group: np.ndarray, labels: list) -> int:
    """Of the equally similar reports `tied`, the first in the order COPY-2 has always visited
    candidates: a Python set of document labels, filled from report i's prefix shingles in rank
    order (each shingle's reports in row order), then merged with the reports of the same hash.
    Rebuilding that set keeps the peer named for a tie what it was."""
    candidates = {label for place in prefix.tolist() for label in holders[place]}
    if digest[i] >= 0:
        candidates |= set(labels[j] for j in np.flatnonzero((digest == digest[i]) & (group == group[i])).tolist())
    position = {labels[j]: j for j in tied.tolist()}
    return next(position[label] for label in candidates if label in position)
