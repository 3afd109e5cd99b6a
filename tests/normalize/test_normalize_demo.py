"""Normalisation of the crawled demo portal: every manifest document's fields as generated."""
from __future__ import annotations

from urllib.parse import urlparse

import pandas as pd
import pytest

from audits.normalize.frames import build_frames
from govaudit.store import Store

FIELDS = ("title", "unit", "index_no", "publisher", "disclosure_mode", "category", "doc_no", "source",
          "report_type")
DATES = ("issued_date", "published_at")


@pytest.fixture(scope="module")
def demo_frames(demo_crawl):
    store_path, summary = demo_crawl
    with Store(store_path) as store:
        return build_frames(store.pages(summary.crawl_id), summary.crawl_id, read_file=store.attachment_file)


def _expected(value):
    """The manifest writes an empty printed field as "" and an absent one as null: both read as missing."""
    return None if value in ("", None) else value


def _observed(value):
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else value


def test_every_document_has_its_fields_as_generated(demo_portal, demo_frames):
    docs = demo_frames.documents.set_index(demo_frames.documents["url"].map(lambda u: urlparse(u).path))
    mismatches = []
    readable = [d for d in demo_portal.manifest["documents"] if d["http_status"] == 200]
    for doc in readable:
        row = docs.loc[doc["url_path"]]
        for field in FIELDS:
            if _observed(row[field]) != _expected(doc[field]):
                mismatches.append((doc["url_path"], field, doc[field], row[field]))
        for field in DATES:
            want = _expected(doc[field])
            got = _observed(row[field])
            fmt = "%Y-%m-%d %H:%M" if field == "published_at" else "%Y-%m-%d"
            if (want is None) != (got is None) or (want and got.strftime(fmt) != want):
                mismatches.append((doc["url_path"], field, want, got))
        if doc["report_type"] in ("fazhi_annual", "xxgk_annual", "budget", "final_accounts"):
            for field in ("report_year", "title_year"):
                if _observed(row[field]) != doc[field]:
                    mismatches.append((doc["url_path"], field, doc[field], row[field]))
        # A report published only as an unreadable file (ATTACH-2) shows no tables to read.
        unreadable = any(x["rule_id"] == "ATTACH-2" for x in doc["defects"])
        if doc["report_type"] == "xxgk_annual" and doc.get("table_template") and not unreadable:
            if _observed(row["table_template"]) != doc["table_template"]:
                mismatches.append((doc["url_path"], "table_template", doc["table_template"], row["table_template"]))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:10]}"
    assert len(readable) > 250


def test_unreadable_pages_carry_their_fetch_error(demo_portal, demo_frames):
    docs = demo_frames.documents
    for doc in demo_portal.manifest["documents"]:
        if doc["http_status"] != 200:
            row = docs[docs["url"].str.endswith(doc["url_path"])].iloc[0]
            assert row["http_status"] == doc["http_status"]
            assert "404" in row["fetch_error"]


def test_xxgk_tables_are_read_for_every_readable_report(demo_portal, demo_frames):
    wide = demo_frames.table3_wide
    xxgk = [d for d in demo_portal.manifest["documents"]
            if d["report_type"] == "xxgk_annual" and d["http_status"] == 200]
    assert len(wide) == len(xxgk)
    filled = wide["new__total"].notna().sum()
    assert filled >= len(xxgk) - 2  # a report whose 依申请 section was removed has no table 三
