"""Builders of small input frames for the rule tests, in the column contract of govaudit.columns.

Tests name only the columns that matter to the rule under test; every other column is <NA>
with its schema dtype, as the normaliser would leave it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from audits.rules.columns import base_columns


@lru_cache(maxsize=None)
def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in base_columns()[name].items()})


def frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:  # most frames of a rule test are empty; building one per call cost more than the rules
        return _empty(name).copy()
    columns = base_columns()[name]
    data = {c: pd.Series([row.get(c) for row in rows], dtype="object") for c in columns}
    out = {}
    for column, dtype in columns.items():
        values = data[column]
        if dtype.startswith("datetime64"):
            out[column] = pd.to_datetime(values, utc="UTC" in dtype, format="mixed")
        else:
            out[column] = values.astype(dtype) if len(values) else pd.Series(dtype=dtype)
    return pd.DataFrame(out)


def document(n: int = 1, **fields: Any) -> dict[str, Any]:
    """A readable detail page of a township site with a complete metadata block."""
    row = {
        "doc_id": f"d{n}", "url": f"http://demo.test/art/{n}.html", "site": "demo", "host": "demo.test",
        "unit": "濮院镇", "unit_level": "township", "crawl_id": 1, "kind": "detail", "title": f"文件{n}",
        "index_no": f"001008004005091/2023-{100000 + n}", "publisher": "桐乡市濮院镇人民政府",
        "disclosure_mode": "主动公开", "issued_date": "2023-01-05", "published_at": "2023-01-06 09:00",
        "report_type": "other", "body_length": 1200, "content_hash": f"h{n}", "http_status": 200,
        "fetched_at": "2024-06-01T02:00:00Z", "attachment_count": 0,
        "serious_wording": "", "wording_typos": "",  # the wording lists found nothing
    }
    row.update(fields)
    return row


def frames(**named: list[dict[str, Any]]) -> dict[str, pd.DataFrame]:
    return {name: frame(name, named.get(name, [])) for name in base_columns()}
