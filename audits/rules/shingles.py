"""Character shingles of many texts at once, as integer ids, and the Jaccard index of chosen pairs.

COPY-1 and COPY-2 compare the shingle sets of every annual report. As Python sets of strings
that took most of a minute on a million documents; here the texts of a batch are cut into
shingles by numpy, each distinct shingle gets an integer id, and the intersections of the pairs
asked for are sparse row products (scipy). The results are exactly those of the string sets:
the ids are numbered in the shingles' string order (all shingles of one size have the same
length, so comparing code points one by one is comparing the strings), and the Jaccard index is
rounded by Python's `round`, not numpy's, which differs on some halves.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"(19|20)\d{2}")
# Pairs whose two shingle sets together hold more ids than this are intersected in several
# sparse products, so that a batch of long reports never needs more than a few tens of MB.
_PAIR_CHUNK_IDS = 4_000_000


def normalised(text: str, mask: str = "") -> str:
    """Whitespace dropped, four-digit years masked as Y, then `mask` (a unit's name) as U."""
    text = _YEAR.sub("Y", _SPACE.sub("", text))
    return text.replace(mask, "U") if mask else text


@dataclass
class ShingleSets:
    """The distinct shingle ids of each text: text d's are ids[indptr[d]:indptr[d + 1]], ascending."""

    indptr: np.ndarray
    ids: np.ndarray
    count: int  # distinct shingles over all the texts

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.indptr)

    def matrix(self) -> sparse.csr_matrix:
        from scipy import sparse  # imported when a similarity is computed, not when the rules load

        ones = np.ones(len(self.ids), dtype=np.int32)
        return sparse.csr_matrix((ones, self.ids, self.indptr), shape=(len(self.indptr) - 1, max(self.count, 1)))


def shingle_sets(texts: Sequence[str], size: int) -> ShingleSets:
    """The shingles (substrings of `size` characters) of each text; a shorter text has none."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    windows = np.maximum(lengths - size + 1, 0)
    total = int(windows.sum())
    if total == 0:
        return ShingleSets(np.zeros(len(texts) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    # Characters renumbered densely in code point order, so that a shingle packs into few bits.
    present = np.zeros(0x110000, dtype=bool)
    present[codes] = True
    dense = (np.cumsum(present, dtype=np.int64) - 1)[codes]
    bits = max(int(present.sum() - 1).bit_length(), 1)
    text_of = np.repeat(np.arange(len(texts), dtype=np.int64), windows)
    window_start = np.concatenate(([0], np.cumsum(windows)[:-1]))
    text_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    start = np.arange(total, dtype=np.int64) + np.repeat(text_start - window_start, windows)
    # Each shingle as one or more 63-bit words, its first characters in the highest bits: the
    # words in turn order the shingles as their strings.
    per_word = 63 // bits
    words = []
    for first in range(0, size, per_word):
        word = np.zeros(total, dtype=np.int64)
        for offset in range(first, min(first + per_word, size)):
            word = (word << bits) | dense[start + offset]
        words.append(word)
    if len(words) == 1:
        shingle = distinct_inverse(words[0])[1]
    else:
        order = np.lexsort(words[::-1])
        changed = np.zeros(total, dtype=bool)
        for word in words:
            ordered = word[order]
            changed[1:] |= ordered[1:] != ordered[:-1]
        shingle = np.empty(total, dtype=np.int64)
        shingle[order] = np.cumsum(changed)
    count = int(shingle.max()) + 1
    pairs = distinct(text_of * count + shingle)  # distinct per text, by text then id
    text_of, ids = np.divmod(pairs, count)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(text_of, minlength=len(texts)), out=indptr[1:])
    return ShingleSets(indptr, ids, count)


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct integers of `values`, by sorting (np.unique without return_inverse
    takes a hash table here, ten times slower than a sort)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def distinct_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """distinct(values), each value's place among them, and how often each occurs."""
    order = np.argsort(values)
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, dtype=bool)
    where = np.empty(len(values), dtype=np.int64)
    where[order] = np.cumsum(first) - 1
    return ordered[first], where, np.diff(np.r_[np.flatnonzero(first), len(values)])


def sort_order(*columns: tuple[np.ndarray, int]) -> np.ndarray:
    """Indices ordering the rows by the columns in turn (non-negative integers, each given with a
    bound above its values): one argsort of the columns packed into an int64 when they fit,
    np.lexsort (several times slower) when they do not. Rows equal in every column keep no
    particular order."""
    widths = [max(int(bound - 1).bit_length(), 1) for _, bound in columns]
    if sum(widths) > 63:
        return np.lexsort([values for values, _ in columns][::-1])
    packed = np.zeros(len(columns[0][0]), dtype=np.int64)
    for (values, _), width in zip(columns, widths):
        packed = (packed << width) | values
    return np.argsort(packed)


def jaccard(sets: ShingleSets, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """round(|A∩B| / |A∪B|, 4) for the texts left[k] and right[k]; NaN where either set is empty."""
    sizes = sets.sizes
    common = np.zeros(len(left), dtype=np.int64)
    if len(left):
        matrix = sets.matrix()
        weight = np.cumsum(sizes[left] + sizes[right])
        bounds = np.searchsorted(weight, np.arange(_PAIR_CHUNK_IDS, int(weight[-1]), _PAIR_CHUNK_IDS))
        for part in np.split(np.arange(len(left)), distinct(bounds)):
            if len(part):
                product = matrix[left[part]].multiply(matrix[right[part]])
                common[part] = np.asarray(product.sum(axis=1)).ravel()
    union = sizes[left] + sizes[right] - common
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((sizes[left] > 0) & (sizes[right] > 0), common / union, np.nan)
    return rounded(ratio)


def rounded(values: np.ndarray, digits: int = 4) -> np.ndarray:
    """Python's round(value, digits) of each value (correctly rounded: numpy's np.round is not),
    computed once per distinct value."""
    if not len(values):
        return values.astype(float)
    unique, where, _ = distinct_inverse(values)
    return np.array([round(float(v), digits) if v == v else np.nan for v in unique], dtype=float)[where]
