"""Rules over page text take bounded time whatever a page holds.

A portal chooses its own 发布机构, 文号, titles and sentences; a regex that backtracks turns a
60,000-character value into minutes and a 3 MB one into hours. Every text column a shipped
rule reads gets a 3 MB hostile value (long runs of the characters the rules look for, and of
whitespace) and the whole pack must finish: pytest-timeout is the guard, the assertions are
about what the rules found.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from audits import defaults
from audits.rules.columns import base_columns
from audits.rules.loader import load_rules
from audits.rules.validate import capped_text, run_rules
from tests.rules_frames import document, frames

HOSTILE = "桐乡市" * 400_000 + " " * 400_000 + "〔2024〕" * 20_000 + "x"  # ~3 MB
NOT_TEXT = {"url", "doc_id", "kind", "unit", "unit_level", "site", "host", "report_type"}


def _text_columns() -> dict[str, set[str]]:
    """Frame -> string columns read by at least one shipped rule."""
    pack = load_rules(defaults.DEFAULT_RULES_DIR)
    columns = base_columns()
    found: dict[str, set[str]] = {}
    for rule in pack.rules:
        for column in rule.referenced:
            dtype = columns.get(rule.frame, {}).get(column, "")
            if dtype in ("string", "object", "str") and column not in NOT_TEXT:
                found.setdefault(rule.frame, set()).add(column)
    return found


def test_some_rules_read_page_text():
    assert "publisher" in _text_columns()["documents"] and "doc_no" in _text_columns()["documents"]


@pytest.mark.slow  # a stress input: every text column hostile and huge
@pytest.mark.timeout(600)
def test_every_text_rule_finishes_on_a_huge_value():
    text_columns = _text_columns()["documents"]
    assert "fetch_error" in text_columns
    # A readable page with every other text column hostile, and an unreadable one whose error is.
    rows = [document(1), document(2, **{column: HOSTILE for column in text_columns - {"fetch_error"}}),
            document(3, fetch_error=HOSTILE, http_status=None, body_length=None)]
    result = run_rules(frames(documents=rows))
    findings = result.findings
    hostile = findings[findings["url"] == rows[1]["url"]]
    meta3 = hostile[hostile["rule_id"] == "META-3"]
    assert len(meta3) == 1 and meta3.iloc[0]["kind"] == "failure"  # judged, not skipped
    assert "META-3" not in set(findings[findings["url"] == rows[0]["url"]]["rule_id"])  # the clean row passes
    unread = findings[findings["url"] == rows[2]["url"]]
    assert "FETCH-1" in set(unread["rule_id"]) and set(unread["kind"]) == {"could_not_check"}


def test_cap_cuts_long_text_and_keeps_urls():
    df = pd.DataFrame({"url": ["u" * 5000], "publisher": ["a" * 5000], "n": [1]})
    capped = capped_text(df, cap=100)
    assert capped["url"].iloc[0] == "u" * 5000
    assert capped["publisher"].iloc[0] == "a" * 100 + "…"
    assert df["publisher"].iloc[0] == "a" * 5000  # the input is not changed


@pytest.mark.parametrize("value,full_name", [
    ("桐乡市濮院镇人民政府", True), ("浙江省桐乡市司法局", True), ("桐乡市财政局", True), ("濮院镇", False),
    ("市财政局", False), ("县政府网站", False), ("桐乡市", False), ("桐乡市人民政府办公室x", False),
])
def test_meta3_pattern_still_means_a_full_name(value, full_name):
    pattern = load_rules(defaults.DEFAULT_RULES_DIR).parameters["publisher_full_name_pattern"]
    assert bool(re.search(pattern, value)) is full_name
