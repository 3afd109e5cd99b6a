"""Column listings (kind="column" records) become site_columns rows: counts, newest date,
dateless items, the busiest day and the silence before it; kinds from config or name."""
from __future__ import annotations

import pandas as pd

from audits.normalize.frames import build_frames
from govaudit.records import PageRecord


def listing(name: str, dates: list[str | None], kind: str | None = None, error: str | None = None) -> PageRecord:
    return PageRecord(url=f"http://demo.test/col/{name}.html", site="demo", unit="濮院镇", unit_level="township",
                      dialect="hanweb", kind="column", column_name=name, column_kind=kind, error=error,
                      fetched_at="2026-11-20T01:00:00+00:00",
                      listing=[{"url": f"http://demo.test/art/{name}{i}.html", "title": "t", "date": d}
                               for i, d in enumerate(dates)])


def test_listing_records_become_site_columns_rows_not_documents():
    records = [
        listing("工作动态", ["2026-11-18", "2026-08-01", "2026-08-01", "2026-08-01", "2026-05-02"]),
        listing("通知公告", [None, "无日期", None], kind="personnel"),
        listing("空栏目", []),
        listing("坏栏目", [], error="column unreachable: HTTP 500"),
    ]
    built = build_frames(records, crawl_id=1)
    assert built.documents.empty
    rows = built.site_columns.set_index("column_name")
    news = rows.loc["工作动态"]
    assert (news["column_kind"], news["kind_source"]) == ("news", "名称含「动态」")
    assert (news["item_count"], news["dated_count"]) == (5, 5)
    assert news["newest_date"] == pd.Timestamp("2026-11-18")
    assert (news["burst_date"], news["burst_count"], news["burst_gap_days"]) == (pd.Timestamp("2026-08-01"), 3, 91)
    dateless = rows.loc["通知公告"]
    assert (dateless["column_kind"], dateless["kind_source"]) == ("personnel", "站点配置")
    assert (dateless["item_count"], dateless["dated_count"]) == (3, 0) and pd.isna(dateless["newest_date"])
    assert rows.loc["空栏目", "item_count"] == 0
    assert pd.isna(rows.loc["坏栏目", "item_count"]) and "HTTP 500" in rows.loc["坏栏目", "fetch_error"]
