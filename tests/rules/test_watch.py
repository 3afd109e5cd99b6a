"""`govaudit audit --watch`: a saved rule file runs the audit once (an edit written in steps too),
its counts say which rules changed, the frames and derived columns are reused in the process
while nothing they read has changed, and the command itself re-audits on a save, survives a
broken file and stops on Ctrl-C with exit 0."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from audits.audit import audit_crawl
from audits.rules import validate
from audits.watch import changed_files, count_changes, finding_counts, snapshot, watch
from tests.seed_page import seed_record, seed_store

RULES = Path(__file__).resolve().parents[2] / "expectations"
NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture()
def store(tmp_path) -> Path:
    return seed_store(tmp_path / "govaudit.sqlite3")


@pytest.fixture()
def rules(tmp_path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    return copy


def earlier_deadline(rules: Path) -> None:
    path = rules / "deadlines.yml"
    text = path.read_text(encoding="utf-8")
    assert 'deadline: "03-31"' in text
    path.write_text(text.replace('deadline: "03-31"', 'deadline: "01-31"', 1), encoding="utf-8")


def test_snapshot_sees_edits_new_and_removed_rule_files(rules):
    before = snapshot(rules)
    assert "deadlines.yml" in before and not any(name.endswith(".md") for name in before)
    earlier_deadline(rules)
    (rules / "new.yaml").write_text("name: x\n", encoding="utf-8")
    (rules / "wording.yml").unlink()
    (rules / "notes.txt").write_text("not a rule file", encoding="utf-8")
    assert changed_files(before, snapshot(rules)) == ["deadlines.yml", "new.yaml", "wording.yml"]


def test_count_changes_names_each_rule_and_kind_that_moved():
    before = Counter({("FZ-DATE-1", "failure"): 6, ("META-1", "failure"): 8, ("IDX-2", "could_not_check"): 2})
    after = Counter({("FZ-DATE-1", "failure"): 9, ("META-1", "failure"): 8, ("XX-SEC-1", "failure"): 1})
    assert count_changes(before, after) == [
        "FZ-DATE-1 failure: 6 → 9", "IDX-2 could not check: 2 → 0", "XX-SEC-1 failure: 0 → 1"]
    assert count_changes(after, after) == []
    findings = pd.DataFrame({"rule_id": ["A", "A", "B"], "kind": ["failure", "failure", "could_not_check"]})
    assert finding_counts(findings) == Counter({("A", "failure"): 2, ("B", "could_not_check"): 1})


class Editor:
    """A sleep that plays an editor: each poll performs the next step of a script."""

    def __init__(self, steps):
        self.steps, self.polls = list(steps), 0

    def __call__(self, seconds: float) -> None:
        self.polls += 1
        if self.steps:
            self.steps.pop(0)()

    def done(self) -> bool:
        return not self.steps


def test_one_save_runs_once_and_a_save_in_steps_runs_once_when_it_settles(rules):
    runs: list[list[str]] = []
    path = rules / "deadlines.yml"
    text = path.read_text(encoding="utf-8")
    idle = lambda: None  # noqa: E731
    editor = Editor([
        idle,
        lambda: path.write_text(text.replace('"03-31"', '"01-31"', 1), encoding="utf-8"),
        idle, idle,  # settled: one run for deadlines.yml
        lambda: path.write_text("", encoding="utf-8"),  # an editor truncating first…
        lambda: path.write_text(text, encoding="utf-8"),  # …then writing: still one run
        lambda: (rules / "scoring.yml").write_text((rules / "scoring.yml").read_text(encoding="utf-8") + "\n"),
        idle, idle,
    ])
    watch(rules, runs.append, poll=0, stop=editor.done, sleep=editor)
    assert runs == [["deadlines.yml"], ["deadlines.yml", "scoring.yml"]]


@pytest.mark.slow  # audits the store five times
def test_a_rerun_in_the_process_reuses_frames_and_derived_columns_until_a_parameter_changes(
        store, rules, monkeypatch):
    derived: list[int] = []
    real = validate.derive_frames
    monkeypatch.setattr(validate, "derive_frames", lambda *a, **k: derived.append(1) or real(*a, **k))
    memo: dict = {}
    first = audit_crawl(store, 1, rules, now=NOW, trial=True, memo=memo)
    assert "FZ-DATE-1" not in set(first.findings["rule_id"])
    earlier_deadline(rules)
    second = audit_crawl(store, 1, rules, now=NOW, trial=True, memo=memo)
    assert list(second.findings.loc[second.findings["rule_id"] == "FZ-DATE-1", "url"]) == [seed_record().url]
    assert len(derived) == 1  # a rule's deadline is no input of the derived columns
    fresh = audit_crawl(store, 1, rules, now=NOW, trial=True)  # no memo: the derived frames the store keeps
    pd.testing.assert_frame_equal(second.findings.reset_index(drop=True), fresh.findings.reset_index(drop=True))
    assert len(derived) == 1
    # A parameter the derived columns read (the shingle size of the similarity rules) derives again.
    path = next(p for p in rules.glob("*.yml") if "similarity_shingle_chars" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    size = int(re.search(r"similarity_shingle_chars: (\d+)", text).group(1))
    path.write_text(text.replace(f"similarity_shingle_chars: {size}", f"similarity_shingle_chars: {size + 1}", 1),
                    encoding="utf-8")
    audit_crawl(store, 1, rules, now=NOW, trial=True, memo=memo)
    assert len(derived) == 2
    # Another audit date derives again (the date decides working-day lags and freshness).
    audit_crawl(store, 1, rules, now=datetime(2026, 3, 3, tzinfo=timezone.utc), trial=True, memo=memo)
    assert len(derived) == 3


def _wait_for(stream_path: Path, text: str, process: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = stream_path.read_text(encoding="utf-8", errors="replace")
        if text in seen:
            return seen
        if process.poll() is not None:
            raise AssertionError(f"govaudit exited {process.returncode} before printing {text!r}:\n{seen}")
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not printed within {timeout} s:\n{stream_path.read_text(encoding='utf-8')}")


@pytest.mark.slow
def test_the_watch_command_reaudits_on_save_survives_a_broken_file_and_stops_on_ctrl_c(store, rules, tmp_path):
    err = tmp_path / "stderr.txt"
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False", "COLUMNS": "200"}
    with err.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "govaudit"), "audit", "--watch", "--store", str(store),
             "--rules", str(rules), "--reports", str(tmp_path / "reports")],
            stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
        try:
            _wait_for(err, "for saved rule files (Ctrl-C stops)", process)
            earlier_deadline(rules)
            seen = _wait_for(err, "deadlines.yml changed: trial run 2", process)
            scoring = rules / "scoring.yml"
            scoring.write_text(scoring.read_text(encoding="utf-8") + "\nbroken: [\n", encoding="utf-8")
            seen = _wait_for(err, "nothing was audited; still watching", process)
            process.send_signal(signal.SIGINT)
            out, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    seen = err.read_text(encoding="utf-8")
    assert process.returncode == 0, seen
    assert "FZ-DATE-1 failure: 0 → 1" in seen
    assert "scoring.yml changed: rule file error:" in seen and "scoring.yml:" in seen
    assert "stopped watching" in seen
    assert out.count("report: ") == 2  # the first audit and the one after the save


def test_watch_refuses_runs_of_record(store, capsys):
    from typer.testing import CliRunner

    from audits.cli import app

    done = CliRunner().invoke(app, ["audit", "--watch", "--record", "--store", str(store)])
    assert done.exit_code == 2
    assert "trial runs" in capsys.readouterr().err + done.output
