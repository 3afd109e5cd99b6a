"""Run history: storing runs in the real SQLite store, finding identity across runs, open-for-N."""
from __future__ import annotations

import pandas as pd
import pytest

from audits.history import finding_key, load_run, previous_run, record_run, resolve_run
from audits.report.diff import compare_runs as diff_runs
from audits.report.scorecard import run_cards, site_unit_trends as unit_trends
from govaudit.columns import DOCUMENT_COLUMNS, FINDING_COLUMNS
from tests.report_runs import (SITE, document, documents_frame, finding, findings_frame, make_crawl,
                               realistic_run, record, rule_stats_frame)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "govaudit.sqlite3"


def test_record_and_load_round_trip_keeps_rows_and_types(store):
    run_id, found = realistic_run(store)
    run = load_run(store, run_id)
    assert run.site == SITE and run.crawl["status"] == "complete"
    assert list(run.findings.columns) == list(FINDING_COLUMNS)
    assert list(run.documents.columns) == list(DOCUMENT_COLUMNS)
    assert sorted(run.findings["finding_key"]) == sorted(f["finding_key"] for f in found)
    for name, dtype in DOCUMENT_COLUMNS.items():
        assert str(run.documents[name].dtype) == dtype, name
    fz = run.documents.set_index("doc_id").loc["pyfz"]
    assert fz["published_at"] == pd.Timestamp("2024-04-15") and fz["report_year"] == 2023
    assert fz["fetched_at"] == pd.Timestamp("2024-04-08T01:20:00", tz="UTC")
    counts = {k: run.run[k] for k in ("critical", "warning", "info", "could_not_check", "documents")}
    assert counts == {"critical": 4, "warning": 3, "info": 1, "could_not_check": 3, "documents": 10}
    assert run.run["rules_evaluated"] == len(run.rule_stats) - 2  # COPY-1 blocked, ROUTINE-LAG-1 not applicable


def test_missing_finding_key_is_derived_from_site_document_and_rule(store):
    doc = document("a1", "濮院镇", "通知")
    row = finding("META-3", doc)
    row["finding_key"] = None
    run_id = record(store, [doc], [row], started_at="2024-04-01T00:00:00+00:00")
    assert load_run(store, run_id).findings["finding_key"].tolist() == [f"{SITE}|a1|META-3"]
    assert finding_key(SITE, None, "http://x/1.html", "FETCH-1") == f"{SITE}|http://x/1.html|FETCH-1"


@pytest.mark.parametrize("column, value, message", [
    ("severity", "fatal", "severity 'fatal' is not one of critical, warning, info"),
    ("kind", "passed", "kind 'passed' is not one of failure, could_not_check"),
    ("rule_id", "", "rule_id is empty"),
])
def test_bad_finding_rows_are_refused_with_their_place(store, column, value, message):
    doc = document("a1", "濮院镇", "通知")
    rows = [finding("DOC-1", doc), finding("META-3", doc)]
    rows[1][column] = value
    crawl_id = make_crawl(store)
    frame = findings_frame(rows, crawl_id)
    with pytest.raises(ValueError, match="findings row 1") as err:
        record_run(store, site=SITE, crawl_id=crawl_id, documents=documents_frame([doc]), findings=frame,
                   rule_stats=rule_stats_frame(frame, 1), rules_dir="expectations")
    assert message in str(err.value)


def test_missing_columns_and_unknown_crawl_are_refused(store):
    doc = document("a1", "濮院镇", "通知")
    crawl_id = make_crawl(store)
    frame = findings_frame([finding("DOC-1", doc)], crawl_id)
    stats = rule_stats_frame(frame, 1)
    with pytest.raises(ValueError, match="documents frame lacks column.*content_hash"):
        record_run(store, site=SITE, crawl_id=crawl_id, documents=documents_frame([doc]).drop(columns="content_hash"),
                   findings=frame, rule_stats=stats, rules_dir="e")
    with pytest.raises(LookupError, match="no crawl with id 99"):
        record_run(store, site=SITE, crawl_id=99, documents=documents_frame([doc]), findings=frame,
                   rule_stats=stats, rules_dir="e")
    with pytest.raises(ValueError, match="crawl .* is of site 'tongxiang', not 'other'"):
        record_run(store, site="other", crawl_id=crawl_id, documents=documents_frame([doc]), findings=frame,
                   rule_stats=stats, rules_dir="e")
    with pytest.raises(LookupError, match="no audit run in"):  # nothing half-written
        resolve_run(store, "latest")


def test_resolve_and_previous_run_stay_within_a_site(store):
    a1, _ = realistic_run(store, started_at="2024-04-01T01:00:00+00:00")
    b1, _ = realistic_run(store, site="haining", started_at="2024-04-02T01:00:00+00:00")
    a2, _ = realistic_run(store, started_at="2024-04-08T01:00:00+00:00")
    assert resolve_run(store, "latest") == a2
    assert resolve_run(store, "latest", "haining") == b1
    assert resolve_run(store, str(a1)) == a1
    assert previous_run(store, a2) == a1 and previous_run(store, a1) is None and previous_run(store, b1) is None
    with pytest.raises(LookupError, match="no audit run of site 'nope'.*runs exist for: haining, tongxiang"):
        resolve_run(store, "latest", "nope")
    with pytest.raises(LookupError, match="neither 'latest' nor a number"):
        resolve_run(store, "last")
    with pytest.raises(LookupError, match="no audit run with id 42"):
        resolve_run(store, "42")
    with pytest.raises(LookupError, match=f"run {b1} audited site 'haining', not 'tongxiang'"):
        resolve_run(store, str(b1), SITE)


def test_empty_store_names_what_to_do(store):
    with pytest.raises(LookupError, match="no audit run in .*run `govaudit audit` first"):
        resolve_run(store, "latest")


def _run(store, keys: list[tuple[str, str]], when: str) -> int:
    """A run of one unit whose findings are (doc_id, rule_id) pairs; every doc is present."""
    docs = {d: document(d, "濮院镇", f"文件{d}") for d in ("d1", "d2", "d3")}
    return record(store, list(docs.values()), [finding(rule, docs[d]) for d, rule in keys], started_at=when)


def test_same_site_url_rule_is_the_same_finding_and_open_runs_count_consecutive_runs(store):
    r1 = _run(store, [("d1", "DOC-1"), ("d2", "META-3"), ("d3", "META-1")], "2024-03-01T00:00:00+00:00")
    r2 = _run(store, [("d1", "DOC-1"), ("d3", "META-1")], "2024-03-08T00:00:00+00:00")
    r3 = _run(store, [("d1", "DOC-1"), ("d2", "META-3"), ("d3", "META-1"), ("d3", "DOC-1")],
              "2024-03-15T00:00:00+00:00")
    diff = diff_runs(store, r3)
    streaks = dict(zip(diff.open["finding_key"], diff.open["open_runs"]))
    assert streaks == {f"{SITE}|d1|DOC-1": 3, f"{SITE}|d3|META-1": 3,
                       f"{SITE}|d2|META-3": 1,  # fixed in run 2, back in run 3: a fresh streak
                       f"{SITE}|d3|DOC-1": 1}
    assert set(diff.new["finding_key"]) == {f"{SITE}|d2|META-3", f"{SITE}|d3|DOC-1"}
    assert diff.resolved.empty and diff.previous_run_id == r2
    second = diff_runs(store, r2)
    assert second.resolved["finding_key"].tolist() == [f"{SITE}|d2|META-3"]
    assert dict(zip(second.open["finding_key"], second.open["open_runs"])) == {
        f"{SITE}|d1|DOC-1": 2, f"{SITE}|d3|META-1": 2}
    first = diff_runs(store, r1)
    assert first.previous_run_id is None and first.new.empty and set(first.open["open_runs"]) == {1}


def test_unit_trends_score_every_run_and_never_score_an_unreachable_unit(store):
    r1, _ = realistic_run(store, started_at="2024-04-01T01:00:00+00:00")
    r2 = _run(store, [("d1", "DOC-1")], "2024-04-08T01:00:00+00:00")
    trends = unit_trends(store, SITE)
    row = trends.set_index(["run_id", "unit"])
    # 濮院镇 reads 3 documents (2 annual reports): 1/3 without a critical finding, 1/2 reports on
    # time, 1/2 with their sections, 2/3 with complete metadata; weights 40/20/20/20 (scoring.yml).
    assert row.loc[(r1, "濮院镇"), "score"] == round((40 / 3 + 20 / 2 + 20 / 2 + 20 * 2 / 3) * 100 / 100)
    assert (row.loc[(r1, "濮院镇"), "critical"], row.loc[(r1, "濮院镇"), "warning"]) == (3, 1)
    # run 2: one warning (metadata) on 1 of 3 documents, no annual report: (40×1 + 20×2/3) ÷ 60
    assert row.loc[(r2, "濮院镇"), "score"] == round((40 + 20 * 2 / 3) * 100 / 60)
    assert pd.isna(row.loc[(r1, "乌镇镇"), "score"])  # catalog unreachable: no score, not 100
    assert pd.isna(row.loc[(r2, "梧桐街道"), "score"])  # configured but no document read in run 2
    # Scored in one pass, each run counts as if scored alone: the same units, scores and counts as
    # the run's own scorecard, though both runs hold the same documents under the same ids.
    for run_id in (r1, r2):
        alone = run_cards(load_run(store, run_id))[["unit", "score", "critical", "warning"]]
        together = trends[trends["run_id"] == run_id][["unit", "score", "critical", "warning"]]
        pd.testing.assert_frame_equal(together.reset_index(drop=True), alone, check_dtype=False)
    # Waived keys are left out of the run they belong to.
    waived = set(load_run(store, r1).findings["finding_key"])
    spared = unit_trends(store, SITE, exclude_keys=waived).set_index(["run_id", "unit"])
    assert spared.loc[(r1, "濮院镇"), "critical"] == 0 and spared.loc[(r2, "濮院镇"), "warning"] == 1


def test_a_document_failing_in_one_run_does_not_fail_in_another_runs_trend_point(store):
    """The same documents, under the same ids, in three runs: a critical finding on d1 in the
    middle run only costs that run's score."""
    r1 = _run(store, [], "2024-03-01T00:00:00+00:00")
    r2 = _run(store, [("d1", "META-1")], "2024-03-08T00:00:00+00:00")
    r3 = _run(store, [], "2024-03-15T00:00:00+00:00")
    scores = unit_trends(store, SITE).set_index(["run_id", "unit"])["score"]
    assert scores[(r1, "濮院镇")] == scores[(r3, "濮院镇")] == 100
    assert scores[(r2, "濮院镇")] < 100
    assert scores[(r2, "濮院镇")] == run_cards(load_run(store, r2)).set_index("unit").loc["濮院镇", "score"]
