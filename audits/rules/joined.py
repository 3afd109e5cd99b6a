"""Values of many rows joined per key (a document's url), column-wise.

The section summaries and the similarity texts join a document's rows in row order. A Python
loop over the rows cost seconds at a million documents; here the rows are ordered by key
(stably) and the n-th value of every key is appended in one array operation per n, so the
Python work grows with the most rows any one key has, not with the rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def joined_per_key(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """sep.join of each key's values (str) in row order, indexed by key in order of first
    appearance (object dtype); rows whose key is missing are left out."""
    code, uniques = pd.factorize(keys)
    kept = code >= 0
    if not kept.any():
        return pd.Series(dtype=object)
    order = np.argsort(code[kept], kind="stable")
    code, texts = code[kept][order], values.to_numpy(dtype=object)[kept][order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    nth = np.arange(len(code)) - np.repeat(starts, np.diff(np.r_[starts, len(code)]))
    out = texts[starts].copy()  # the keys' codes are 0, 1, … in the order of `starts`
    by_nth = np.argsort(nth, kind="stable")
    bounds = np.searchsorted(nth[by_nth], np.arange(1, int(nth.max()) + 2))
    for low, high in zip(bounds[:-1], bounds[1:]):
        rows = by_nth[low:high]
        out[code[rows]] = out[code[rows]] + (sep + texts[rows])
    return pd.Series(out, index=pd.Index(uniques, dtype=object), dtype=object)
