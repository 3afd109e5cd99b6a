"""The seed page (濮院镇2022年法治政府建设年度报告) normalised end to end."""
from __future__ import annotations

import pandas as pd
import pytest

from audits.normalize import build_frames

from tests.seed_page import URL, seed_record  # noqa: F401


@pytest.fixture(scope="module")
def frames():
    return build_frames([seed_record()], crawl_id=7)


def test_metadata_fields(frames):
    doc = frames.documents.iloc[0]
    assert doc["doc_id"] == "59563128"
    assert doc["host"] == "www.tx.gov.cn"
    assert doc["index_no"] == "001008004005091/2023-103671"
    assert doc["publisher"] == "濮院镇"
    assert doc["disclosure_mode"] == "主动公开"
    assert doc["issued_date"] == pd.Timestamp("2023-02-20")
    assert doc["category"] == "法治政府建设工作报告"
    assert pd.isna(doc["doc_no"])  # printed empty: null, and not a problem by itself
    assert doc["published_at"] == pd.Timestamp("2023-02-20 08:57")
    assert doc["published_from"] == "label"
    assert doc["source"] == "濮院镇"
    assert pd.isna(doc["parse_problems"])


def test_type_and_years(frames):
    doc = frames.documents.iloc[0]
    assert doc["report_type"] == "fazhi_annual"
    assert doc["report_year"] == 2022
    assert doc["title_year"] == 2022
    assert pd.isna(doc["table_template"])
    assert doc["crawl_id"] == 7
    assert doc["body_length"] > 4000
    assert len(doc["content_hash"]) == 64


def test_four_sections_with_their_kinds(frames):
    sections = frames.sections
    assert list(sections["numeral"]) == ["一", "二", "三", "四"]
    assert list(sections["kind"]) == ["fz_measures", "fz_shortcomings", "fz_first_responsible", "fz_next_year"]
    assert sections["standalone"].all()
    assert list(sections["years"]) == ["2022", "2022", "2022", "2023"]
    body = seed_record().body_text
    for row in sections.itertuples():
        assert body[row.start:].startswith(f"{row.numeral}、")
    assert (sections["end"].iloc[:-1].to_numpy() == sections["start"].iloc[1:].to_numpy()).all()


def test_figures(frames):
    figures = frames.figures.set_index("raw")
    assert figures.loc["1万余份", "value"] == 10000 and figures.loc["1万余份", "approx"]
    assert figures.loc["三百多家", "value"] == 300 and figures.loc["三百多家", "approx"]
    assert figures.loc["三百多家", "unit"] == "家"
    assert figures.loc["2328起", "value"] == 2328 and not figures.loc["2328起", "approx"]
    assert figures.loc["八十多人次", "unit"] == "人次"
    assert figures.loc["四十余起", "value"] == 40
    # years, dates and ordinals are not figures
    assert not figures.index.str.contains("年|月|日|是").any()
    assert 2022 not in set(frames.figures["value"])


def test_case_group(frames):
    groups = frames.figure_groups
    assert len(groups) == 1
    group = groups.iloc[0]
    assert (group["total"], group["parts_sum"], group["n_parts"], group["unit"]) == (244, 244, 2, "起")
    assert not group["complete"]
    members = frames.figures[frames.figures["group_id"] == group["group_id"]]
    assert sorted(zip(members["role"], members["value"])) == [("part", 27.0), ("part", 217.0), ("total", 244.0)]
