"""The rule files are Great Expectations suites that GX itself loads and runs.

A GX user needs nothing of govaudit but `import audits.rules` (which registers govaudit's
expectation types): every file in expectations/ becomes an `ExpectationSuite(**data)`, and a
suite validated by a plain GX batch on the frames govaudit exports fails the same rows that
`govaudit audit` reports as failures.
"""
from __future__ import annotations

from pathlib import Path

import great_expectations as gx
import pytest
import yaml

import audits.rules  # noqa: F401  (registers the expectation types)
from audits import open_store
from audits.rules.loader import rule_files
from great_expectations.core.expectation_suite import ExpectationSuite

RULES = Path(__file__).resolve().parents[2] / "expectations"


@pytest.mark.parametrize("path", rule_files(RULES), ids=lambda p: p.name)
def test_every_rule_file_is_a_gx_suite(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    suite = ExpectationSuite(**data)
    assert suite.name == data["name"]
    assert len(suite.expectations) == len(data["expectations"]) > 0
    assert {e.meta["id"] for e in suite.expectations} == {e["meta"]["id"] for e in data["expectations"]}
    assert suite.meta["frame"] == data["meta"]["frame"]


def plain_gx_failures(suite_file: str, frames) -> dict[str, set[str]]:
    """Rule id → URLs of the rows a plain GX validation of the suite fails."""
    data = yaml.safe_load((RULES / suite_file).read_text(encoding="utf-8"))
    suite = ExpectationSuite(**data)
    frame = frames[data["meta"]["frame"]].reset_index(drop=True)
    context = gx.get_context(mode="ephemeral")
    batch = (context.data_sources.add_pandas("plain").add_dataframe_asset(data["name"])
             .add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": frame}))
    results = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    failed = {}
    for result in results.results:
        assert not result.exception_info.get("raised_exception"), result.exception_info
        rows = result.result.get("unexpected_index_list") or []
        failed[result.expectation_config.meta["id"]] = set(frame.loc[rows, "url"])
    return failed


@pytest.mark.parametrize("suite_file", ["deadlines.yml", "metadata.yml"])
def test_plain_gx_fails_the_rows_govaudit_reports(demo_audit, demo_crawl, suite_file):
    result, _report = demo_audit
    store = open_store(demo_crawl[0])
    frames = store.frames(crawl=result.crawl_id)
    gx_failed = plain_gx_failures(suite_file, frames)
    findings = store.findings(run=result.run_id)
    failures = findings[findings["kind"] == "failure"]
    checked = 0
    for rule_id, urls in gx_failed.items():
        ours = set(failures.loc[failures["rule_id"] == rule_id, "url"])
        assert urls == ours, (rule_id, sorted(urls ^ ours)[:5])
        checked += len(ours)
    assert checked > 0, f"{suite_file}: no failure in the demo crawl to compare"
