"""Repeated text values held once: one Python object per distinct value of a text column.

Frames keep pandas' Python-backed "string" dtype on purpose: rule files carry Python regular
expressions (lookbehinds, \\u escapes, Unicode \\d), and a pyarrow-backed column would send
`.str.contains` and friends to RE2, which rejects or reads them differently. What costs memory
in such a column is one str object per row: a million documents repeat a few dozen sites,
units, levels and report types, yet parsing (or reading the frame cache back from Arrow) makes
a new object for every row. Sharing them leaves only the 8-byte reference per row, with the
same dtype, the same values and the same results for every rule.

A frame read back from Arrow IPC (the frame cache, the derived cache) is shared as it is read
(`read_frame`): Arrow finds each repetitive column's distinct values itself, and only those become
Python objects, instead of one object per row that is then hashed again to be shared.
"""
from __future__ import annotations

import io

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


def read_frame(blob: bytes) -> pd.DataFrame:
    """The frame `blob` holds (Arrow IPC, as `DataFrame.to_feather` writes it), equal to
    `share_strings(pd.read_feather(...))`: the same dtypes and values, repeated texts shared."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.feather as feather

    table = feather.read_table(io.BytesIO(blob))
    meta = table.schema.pandas_metadata or {}
    index_fields = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
    text = {c["field_name"] for c in meta.get("columns", []) if c.get("numpy_type") == "string"} - index_fields
    built: dict[str, pd.api.extensions.ExtensionArray] = {}
    for name in table.column_names:
        column = table.column(name)
        if name not in text or not pa.types.is_string(column.type) or len(column) < 2:
            continue
        encoded = pc.dictionary_encode(column).combine_chunks()
        if len(encoded.dictionary) * 2 > len(column):
            continue  # mostly distinct (URLs, hashes): nothing to share, as `shared` decides
        uniques = pd.array(encoded.dictionary.to_numpy(zero_copy_only=False), dtype="string")
        built[name] = uniques.take(encoded.indices.fill_null(-1).to_numpy(), allow_fill=True)
    frame = table.drop_columns(list(built)).to_pandas() if built else table.to_pandas()
    order = [name for name in table.column_names if name not in index_fields]
    for name, values in built.items():  # back in their places, in the order they were written
        frame.insert(order.index(name), name, values)
    return frame
