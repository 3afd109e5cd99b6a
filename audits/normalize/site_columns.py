"""The site_columns frame: one row per site column (工作动态, 通知公告…) of a crawl.

The spot check judges a column as a whole: when its newest item was published, whether it
has any item at all, whether its items were uploaded in one burst. The crawler reads the first
listing page of each column named in the site config (newest first, as portals list them) and
stores it as a `kind="column"` record; this module turns those records into rows. Dates are
the ones the listing prints; an item without a readable date counts towards `item_count` but
not `dated_count`, so a column of dateless items can be judged "not updated" (普查:
"未注明信息发布时间的视为不更新").
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from audits.normalize.column_kinds import infer_kind
from audits.normalize.dates import parse_date
from govaudit.records import PageRecord


def column_row(record: PageRecord, crawl_id: int) -> dict[str, Any]:
    kind, source = infer_kind(record.column_name or "", record.column_kind)
    dates = [d for d in (_date(entry.get("date")) for entry in record.listing) if d is not None]
    row: dict[str, Any] = {
        "site": record.site, "unit": record.unit, "unit_level": record.unit_level, "crawl_id": crawl_id,
        "url": record.url, "column_name": record.column_name, "column_kind": kind, "kind_source": source,
        "item_count": None if record.error else len(record.listing),
        "dated_count": None if record.error else len(dates),
        "newest_date": max(dates) if dates else None, "fetch_error": record.error,
        "fetched_at": record.fetched_at,
    }
    row.update(burst(dates))
    return row


def burst(dates: list[datetime]) -> dict[str, Any]:
    """The day with the most items of the column (ties: the longer silence before it), its item
    count, and the days since the previous earlier item (<NA> when nothing came before it).
    Many items on one day after a long silence is the 突击更新 the spot checks look for."""
    if not dates:
        return {"burst_date": None, "burst_count": None, "burst_gap_days": None}
    per_day = Counter(d.date() for d in dates)
    days = sorted(per_day)
    gaps = {day: (day - days[i - 1]).days if i else None for i, day in enumerate(days)}
    best = max(days, key=lambda day: (per_day[day], gaps[day] or -1, day))
    return {"burst_date": datetime.combine(best, datetime.min.time()), "burst_count": per_day[best],
            "burst_gap_days": gaps[best]}


def _date(value: str | None) -> datetime | None:
    parsed, _problem = parse_date(value, "list date")
    return parsed
