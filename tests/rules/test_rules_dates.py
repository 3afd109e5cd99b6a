"""Deadline and lag rules, as a threshold table: each case is a document and the outcome one
rule must give it (failure, could_not_check, or None = no finding).

All cases run in one audit (real GX validation of the default rule pack); each case is its own
document, so the parametrized asserts read one finding each.
"""
from __future__ import annotations

import pytest

from audits.rules.loader import load_rules
from audits.rules.validate import run_rules
from rules_frames import document, frames

FZ = dict(report_type="fazhi_annual", report_year=2022)
XX = dict(report_type="xxgk_annual", report_year=2022)
ROUTINE = dict(report_type="routine")

CASES = [
    # (case, document fields, rule, expected outcome)
    ("fz on the last valid day", dict(FZ, published_at="2023-03-31"), "FZ-DATE-1", None),
    ("fz late in the evening of 03-31", dict(FZ, published_at="2023-03-31 23:59"), "FZ-DATE-1", None),
    ("fz on 04-01", dict(FZ, published_at="2023-04-01"), "FZ-DATE-1", "failure"),
    ("fz in May (hx047)", dict(FZ, published_at="2023-05-11"), "FZ-DATE-1", "failure"),
    ("fz without published_at", dict(FZ, published_at=None), "FZ-DATE-1", "could_not_check"),
    ("fz without report_year", dict(FZ, report_year=None, published_at="2023-02-01"), "FZ-DATE-1", "could_not_check"),
    ("fz before the year ended (hx045)", dict(FZ, published_at="2022-12-07"), "FZ-DATE-2", "failure"),
    ("fz on 12-31 of the year", dict(FZ, published_at="2022-12-31"), "FZ-DATE-2", None),
    ("township xxgk 02-15: warning", dict(XX, published_at="2023-02-15"), "XX-DATE-2", "failure"),
    ("township xxgk 02-15: not critical", dict(XX, published_at="2023-02-15"), "XX-DATE-1", None),
    ("township xxgk 01-31", dict(XX, published_at="2023-01-31"), "XX-DATE-2", None),
    ("township xxgk 04-02: critical", dict(XX, published_at="2023-04-02"), "XX-DATE-1", "failure"),
    ("township xxgk 04-02: warning left to XX-DATE-1", dict(XX, published_at="2023-04-02"), "XX-DATE-2", None),
    ("subdistrict xxgk 03-01", dict(XX, unit_level="subdistrict", published_at="2023-03-01"), "XX-DATE-2", "failure"),
    ("department xxgk 02-01", dict(XX, unit_level="department", published_at="2023-02-01"), "XX-DATE-1", "failure"),
    ("department xxgk 02-01: no township warning", dict(XX, unit_level="department", published_at="2023-02-01"), "XX-DATE-2", None),
    ("department xxgk 01-31", dict(XX, unit_level="department", published_at="2023-01-31"), "XX-DATE-1", None),
    ("county xxgk 03-31", dict(XX, unit_level="county_gov", published_at="2023-03-31"), "XX-DATE-1", None),
    ("county xxgk 04-01", dict(XX, unit_level="county_gov", published_at="2023-04-01"), "XX-DATE-1", "failure"),
    ("xxgk of unknown level", dict(XX, unit_level=None, published_at="2023-02-01"), "XX-DATE-1", "could_not_check"),
    # 2023 Spring Festival: 01-21..01-27 off, Saturday 01-28 and Sunday 01-29 are 调休 working days.
    # From 01-10, working day 20 is 02-10 (weekdays alone would make it 02-07; ignoring 调休, 02-14).
    ("routine 20 working days across Spring Festival", dict(ROUTINE, issued_date="2023-01-10", published_at="2023-02-10"), "ROUTINE-LAG-1", None),
    ("routine 21 working days across Spring Festival", dict(ROUTINE, issued_date="2023-01-10", published_at="2023-02-13"), "ROUTINE-LAG-1", "failure"),
    ("routine same day", dict(ROUTINE, issued_date="2023-06-01", published_at="2023-06-01"), "ROUTINE-LAG-1", None),
    ("routine before the holiday calendar", dict(ROUTINE, issued_date="2003-01-06", published_at="2003-03-01"), "ROUTINE-LAG-1", "could_not_check"),
    ("routine without issued_date", dict(ROUTINE, issued_date=None), "ROUTINE-LAG-1", "could_not_check"),
    ("routine whose only date is the issue date", dict(ROUTINE, issued_date="2023-06-01", published_at="2023-06-01",
                                                       published_from="issued_date"), "ROUTINE-LAG-1", "could_not_check"),
    ("404 fazhi page is not checked for its date", dict(FZ, published_at="2023-05-01", http_status=404, fetch_error="HTTP 404", body_length=None), "FZ-DATE-1", None),
    ("404 page is could-not-check", dict(FZ, http_status=404, fetch_error="HTTP 404", body_length=None), "FETCH-1", "could_not_check"),
]


@pytest.fixture(scope="module")
def result():
    docs = [document(i, **fields) for i, (_, fields, _, _) in enumerate(CASES)]
    return run_rules(frames(documents=docs), pack=load_rules("expectations"))


def outcome(result, n: int, rule_id: str) -> str | None:
    f = result.findings
    hit = f[(f["url"] == document(n)["url"]) & (f["rule_id"] == rule_id)]
    assert len(hit) <= 1, "one finding per (document, rule)"
    return None if hit.empty else hit["kind"].iloc[0]


@pytest.mark.parametrize("n,case", [(i, c) for i, c in enumerate(CASES)], ids=[c[0] for c in CASES])
def test_date_rule(result, n, case):
    _, _, rule_id, expected = case
    assert outcome(result, n, rule_id) == expected


def test_failure_message_names_dates_and_basis(result):
    f = result.findings
    row = f[(f["url"] == document(2)["url"]) & (f["rule_id"] == "FZ-DATE-1")].iloc[0]
    assert row["observed"] == "发布于 2023-04-01" and row["expected"] == "不晚于 2023-03-31"
    assert "2023-04-01" in row["message"] and "第二十四条" in row["basis"] and row["severity"] == "critical"
    assert row["finding_key"] == "demo|d2|FZ-DATE-1"
    assert row["fetched_at"] == "2024-06-01T02:00:00Z" and row["content_hash"] == "h2"


def test_out_of_calendar_reason_is_explicit(result):
    f = result.findings
    n = next(i for i, c in enumerate(CASES) if c[0] == "routine before the holiday calendar")
    row = f[(f["url"] == document(n)["url"]) & (f["rule_id"] == "ROUTINE-LAG-1")].iloc[0]
    assert "超出节假日日历支持范围" in row["message"] and "2003-01-06" in row["message"]


def test_rule_stats_count_rows(result):
    stats = result.rule_stats.set_index("rule_id")
    fz = [c for c in CASES if c[1].get("report_type") == "fazhi_annual" and not c[1].get("fetch_error")]
    cnc = sum(1 for c in fz if c[1].get("published_at") is None or c[1].get("report_year") is None)
    assert stats.loc["FZ-DATE-1", "could_not_check"] == cnc
    assert stats.loc["FZ-DATE-1", "evaluated"] == len(fz) - cnc
    assert stats.loc["FZ-DATE-1", "failed"] == 2
