"""Repeated text values held once: one Python object per distinct value of a text column.

Frames keep pandas' Python-backed "string" dtype on purpose: rule files carry Python regular
expressions (lookbehinds, \\u escapes, Unicode \\d), and a pyarrow-backed column would send
`.str.contains` and friends to RE2, which rejects or reads them differently. What costs memory
in such a column is one str object per row: a million documents repeat a few dozen sites,
units, levels and report types, yet parsing (or reading the frame cache back from Arrow) makes
a new object for every row. Sharing them leaves only the 8-byte reference per row, with the
same dtype, the same values and the same results for every rule.
"""
from __future__ import annotations

import pandas as pd


def shared(values: pd.api.extensions.ExtensionArray) -> pd.api.extensions.ExtensionArray:
    """`values` (a "string" array) with equal values held by one object; as is when they are
    mostly distinct (URLs, hashes), where there is nothing to share."""
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "python" or len(values) < 2:
        return values
    codes, uniques = pd.factorize(values)
    if len(uniques) * 2 > len(values):
        return values
    return uniques.take(codes, allow_fill=True)


def share_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every repetitive "string" column's values shared (in place; returned)."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.StringDtype):
            values = shared(frame[column].array)
            if values is not frame[column].array:
                frame[column] = values
    return frame
