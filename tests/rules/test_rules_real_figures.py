"""The figure rules (FIG-1, FIG-2, FIG-3) on 116 real "total and parts" sentences with hand labels
(../shared/corpus/figure_sentences_real_dev.jsonl).

Each sentence is the body of a 法治 annual report page, normalised and audited by the shipped
rules. A sentence labelled `consistent` adds up: a failure there is a false finding, and FIG-1
and FIG-3 are critical, which a supervisor forwards without re-reading the page. The misses are
printed with their sentences.
"""
from __future__ import annotations

import json

import pytest

from audits.normalize import build_frames
from audits.rules.validate import run_rules
from govaudit.records import PageRecord
from tests.corpus import corpus_file

FIGURE_RULES = ("FIG-1", "FIG-2", "FIG-3")


def _page(number: int, sentence: str) -> PageRecord:
    return PageRecord(
        url=f"https://www.example.gov.cn/art/2024/3/1/art_1_{number}.html", site="real-figures", unit="某镇",
        unit_level="township", dialect="hanweb", list_title="某镇2023年法治政府建设年度报告", list_date="2024-03-01",
        http_status=200, fetched_at="2026-03-01T02:00:00+00:00", page_title="某镇2023年法治政府建设年度报告",
        meta_pairs=[], meta_tags={"PubDate": "2024-03-01 09:00"}, body_text=sentence,
        body_html="".join(f"<p>{line}</p>" for line in sentence.split("\n")))


@pytest.fixture(scope="module")
def judged() -> list[tuple[dict, set[str]]]:
    """(labelled record, figure rules that failed on it)."""
    path = corpus_file("figure_sentences_real_dev.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = run_rules(build_frames([_page(i, r["sentence"]) for i, r in enumerate(records)], crawl_id=1))
    f = result.findings
    failed: dict[int, set[str]] = {}
    for url, rule in zip(f.loc[f["kind"] == "failure", "url"], f.loc[f["kind"] == "failure", "rule_id"]):
        if rule in FIGURE_RULES:
            failed.setdefault(int(url.rsplit("_", 1)[1].split(".")[0]), set()).add(rule)
    return [(r, failed.get(i, set())) for i, r in enumerate(records)]


def _false(judged, rule: str) -> list[str]:
    return [f"{r['id']}: {r['sentence'][:100]}" for r, rules in judged
            if r["verdict"] == "consistent" and rule in rules]


def test_the_corpus_holds_consistent_sentences_and_real_defects(judged):
    verdicts = [r["verdict"] for r, _ in judged]
    assert len(verdicts) > 100 and verdicts.count("consistent") > 90
    assert {"parts_exceed_total", "exhaustive_sum_mismatch", "rate_out_of_range"} <= set(verdicts)


@pytest.mark.parametrize("rule", FIGURE_RULES)
def test_no_false_finding_on_sentences_that_add_up(judged, rule):
    """Nested breakdowns (共1563件,其中…1133件,已办结1121件) and parenthesised ones included."""
    assert not _false(judged, rule), "\n".join(_false(judged, rule))
