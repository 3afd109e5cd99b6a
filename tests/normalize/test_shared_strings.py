"""Repeated text values are held once, with the dtype, values and missing values unchanged."""
from __future__ import annotations

import pandas as pd

from audits.normalize.shared_strings import share_strings, shared


def test_repeated_values_share_one_object_and_keep_dtype_and_values():
    values = pd.array([f"site{i % 3}" if i % 5 else None for i in range(30)], dtype="string")
    out = shared(values)
    assert out.dtype == values.dtype and out.dtype.storage == "python"
    assert pd.Series(out).equals(pd.Series(values))
    assert len({id(v) for v in out if isinstance(v, str)}) == 3
    assert pd.isna(out[0]) and pd.isna(out[5])


def test_mostly_distinct_values_are_left_as_they_are():
    values = pd.array([f"http://x.test/{i}" for i in range(10)], dtype="string")
    assert shared(values) is values


def test_frame_columns_other_than_text_are_untouched():
    frame = pd.DataFrame({"unit": pd.array(["甲镇", "甲镇", "乙镇", "甲镇"], dtype="string"),
                          "n": pd.array([1, 2, None, 4], dtype="Int64")})
    before = frame.copy()
    share_strings(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert frame["unit"][0] is frame["unit"][1]
