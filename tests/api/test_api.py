"""The analyst's Python API: the README's example and the example script run on a real crawl."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from audits import open_store
from govaudit.columns import FRAMES

REPO = Path(__file__).resolve().parents[2]


def readme_python_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## For analysts: the Python API"):]
    section = section[:section.index("\n## ", 3)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_frames_are_the_rule_frames_with_derived_columns(demo_audit, demo_crawl):
    store_path, summary = demo_crawl
    store = open_store(store_path)
    frames = store.frames(crawl=summary.crawl_id)
    assert set(FRAMES) <= set(frames)
    docs = frames.documents
    assert len(docs) == len(frames["documents"]) > 200
    for column in FRAMES["documents"]:  # the frame contract
        assert column in docs.columns, column
    assert {"lag_working_days", "published_date", "index_no_year"} <= set(docs.columns)  # derived
    assert docs["crawl_id"].eq(summary.crawl_id).all()


def test_findings_are_those_of_the_stored_run(demo_audit, demo_crawl):
    result, _report = demo_audit
    store = open_store(demo_crawl[0])
    findings = store.findings(run=result.run_id)
    assert len(findings) == len(result.findings)
    assert sorted(findings["finding_key"]) == sorted(result.findings["finding_key"])


def test_a_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="govaudit crawl"):
        open_store(tmp_path / "nope.sqlite3").frames()
    assert not (tmp_path / "nope.sqlite3").exists()


def test_readme_example_runs(demo_audit, demo_crawl, monkeypatch):
    blocks = readme_python_blocks()
    assert blocks, "README has no python example in its analyst API section"
    monkeypatch.setenv("GOVAUDIT_STORE", str(demo_crawl[0]))
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102  (our own README)
    assert isinstance(namespace.get("late"), pd.DataFrame)
    assert isinstance(namespace.get("findings"), pd.DataFrame) and len(namespace["findings"]) > 0


def test_example_script_runs(demo_audit, demo_crawl):
    env = {**os.environ, "GOVAUDIT_STORE": str(demo_crawl[0])}
    done = subprocess.run([sys.executable, str(REPO / "examples" / "explore_frames.py")], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "documents" in done.stdout and "ROUTINE-LAG-1" in done.stdout
