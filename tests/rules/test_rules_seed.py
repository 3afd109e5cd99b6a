"""The seed page (濮院镇2022年法治政府建设年度报告), normalised by the real normaliser and audited
by the default rule pack: on time, all four sections, one defect — the short 发布机构 濮院镇."""
from __future__ import annotations

import pytest

from audits.normalize import build_frames
from audits.rules.validate import run_rules
from tests.seed_page import seed_record


@pytest.fixture(scope="module")
def result():
    return run_rules(build_frames([seed_record()], crawl_id=7))


def test_only_the_short_publisher_is_flagged(result):
    failures = result.findings[result.findings["kind"] == "failure"]
    assert list(failures["rule_id"]) == ["META-3"]
    assert "濮院镇" in failures["message"].iloc[0]


def test_the_report_was_checked_not_skipped(result):
    stats = result.rule_stats.set_index("rule_id")
    for rule in ("FZ-DATE-1", "FZ-DATE-2", "FZ-SEC-1", "FZ-SEC-2", "FZ-SEC-3", "FZ-SEC-4", "FZ-NEXT-1", "META-1"):
        assert stats.loc[rule, "evaluated"] == 1 and stats.loc[rule, "failed"] == 0, rule
    assert result.findings[result.findings["kind"] == "could_not_check"].empty


def test_suites_without_their_frame_are_reported(result):
    assert any("suite tables: frame table3_wide has no rows" in e for e in result.errors)
