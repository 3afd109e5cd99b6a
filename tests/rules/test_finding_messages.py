"""Finding messages are built column by column and read exactly as `str.format` would write them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from audits.rules.findings import render_messages


def _rows() -> pd.DataFrame:
    return pd.DataFrame({
        "publisher": pd.array(["濮院镇", None], dtype="string"),
        "report_year": pd.array([2023, None], dtype="Int64"),
        "total": [12.0, 2.5],
        "published_date": pd.to_datetime(["2024-03-31 13:00", None]),
        "readable": np.array([True, False]),
    }, index=[7, 3])


def test_each_dtype_reads_as_in_a_message():
    rows = _rows()
    observed = pd.Series(["晚 3 天", None], index=rows.index, dtype="string")
    expected = pd.Series([1.0, None], index=rows.index)
    out = render_messages("{publisher}{{年}}{report_year}|{total}|{published_date}|{readable}|{observed}|{expected}",
                          rows, observed, expected)
    assert out.tolist() == ["濮院镇{年}2023|12|2024-03-31|True|晚 3 天|1", "（空）{年}（空）|2.5|（空）|False|（空）|（空）"]
    assert out.index.tolist() == [7, 3] and out.dtype == "string"


def test_format_specs_are_honoured():
    rows = _rows()
    nothing = pd.Series([None, None], index=rows.index, dtype="string")
    out = render_messages("[{publisher:>5}] {report_year!r}", rows, nothing, nothing)
    assert out.tolist() == ["[  濮院镇] '2023'", "[  （空）] '（空）'"]
