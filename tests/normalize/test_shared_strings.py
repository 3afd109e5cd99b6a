"""Repeated text values are held once, with the dtype, values and missing values unchanged, whether
shared after the fact or as a frame is read back from Arrow."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from audits.normalize.shared_strings import read_frame, share_strings, shared


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


def feather(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_feather(buffer, compression="zstd")
    return buffer.getvalue()


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"url": pd.array([f"http://x.test/{i}" for i in range(40)], dtype="string"),
                  "unit": pd.array(["甲镇", None, "乙镇", "甲镇"] * 10, dtype="string"),
                  "n": pd.array([1, None, 3, 4] * 10, dtype="Int64"),
                  "when": pd.to_datetime(["2024-01-02"] * 40),
                  "flag": pd.array([True, False, None, True] * 10, dtype="boolean"),
                  "level": pd.array(["county"] * 40, dtype="string"),
                  "ratio": [0.5, float("nan"), 1.0, 2.0] * 10}),
    pd.DataFrame({"unit": pd.array([None] * 5, dtype="string"), "n": pd.array([1] * 5, dtype="Int64")}),
    pd.DataFrame({"unit": pd.array([], dtype="string"), "n": pd.array([], dtype="Int64")}),
    pd.DataFrame({"unit": pd.array(["甲镇"], dtype="string")}),
    pd.DataFrame({"key": pd.array(["a", "b", "a"], dtype="string"), "n": [1, 2, 3],
                  "text": pd.array(["甲镇", "甲镇", "乙镇"], dtype="string")}),
], ids=["mixed", "all-missing", "empty", "one-row", "text-first-and-last"])
def test_a_frame_read_from_arrow_equals_the_shared_frame_pandas_reads(frame):
    blob = feather(frame)
    read = read_frame(blob)
    expected = share_strings(pd.read_feather(io.BytesIO(blob)))
    pd.testing.assert_frame_equal(read, expected, check_exact=True)
    assert list(read.columns) == list(expected.columns)
    for column in read.columns:
        if isinstance(read[column].dtype, pd.StringDtype):  # shared exactly where share_strings shares
            mine, theirs = read[column].array, expected[column].array
            assert len({id(v) for v in mine if isinstance(v, str)}) == len({id(v) for v in theirs if isinstance(v, str)})
