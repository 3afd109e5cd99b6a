"""`govaudit audit` on the stored demo crawl: exit codes, the tuning loop, rule-file errors."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govaudit.store import Store
from tests.cli_in_process import govaudit

RULES = Path(__file__).resolve().parents[2] / "expectations"


def _audit(store: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audits.cli", "audit", "--store", str(store), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture()
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _keep_only(rules: Path, suite: str) -> None:
    """A rule directory holding one suite (and the section kinds every audit reads)."""
    for path in rules.glob("*.yml"):
        if path.name not in (suite, "section_kinds.yml"):
            path.unlink()


def _report_path(stdout: str) -> Path:
    line = next(ln for ln in stdout.splitlines() if ln.startswith("report: "))
    return Path(line.removeprefix("report: "))


def test_critical_findings_exit_1_and_write_the_report(demo_crawl, tmp_path):
    store, summary = demo_crawl
    result = _audit(store, "--crawl", str(summary.crawl_id), "--reports", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    report = _report_path(result.stdout)
    assert report.exists() and (report.parent / "findings.csv").exists()
    assert "FZ-DATE-1" in result.stderr


def test_no_critical_finding_exits_0(demo_crawl, rules_copy, tmp_path):
    store, summary = demo_crawl
    _keep_only(rules_copy, "copypaste.yml")
    result = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy),
                    "--reports", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "COPY-1" in result.stderr


def test_a_suite_that_checks_nothing_is_a_run_error_not_a_pass(demo_crawl, rules_copy, tmp_path):
    store, summary = demo_crawl
    _keep_only(rules_copy, "copypaste.yml")
    copypaste = rules_copy / "copypaste.yml"
    text = re.sub(r"row_condition: '.*'", "row_condition: 'readable and kind == \"none\"'",
                  copypaste.read_text(encoding="utf-8"))
    copypaste.write_text(text, encoding="utf-8")
    result = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy),
                    "--reports", str(tmp_path / "out"))
    assert result.returncode == 3, result.stderr
    assert "suite error" in result.stderr


def test_tuning_a_deadline_in_the_file_changes_the_findings(demo_crawl, rules_copy, tmp_path):
    """The tuning loop: edit the 法治 deadline in a copy of the rules and re-run on the stored crawl."""
    store, summary = demo_crawl
    before = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy),
                    "--reports", str(tmp_path / "a"))
    deadlines = rules_copy / "deadlines.yml"
    text = deadlines.read_text(encoding="utf-8")
    assert 'deadline: "03-31"' in text
    deadlines.write_text(text.replace('deadline: "03-31"', 'deadline: "12-31"', 1), encoding="utf-8")
    after = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy),
                   "--reports", str(tmp_path / "b"))
    with Store(store) as st:
        runs = st.conn.execute("SELECT id FROM runs ORDER BY id DESC LIMIT 2").fetchall()
    late = st_findings(store, runs[1]["id"], "FZ-DATE-1"), st_findings(store, runs[0]["id"], "FZ-DATE-1")
    assert before.returncode == after.returncode == 1
    assert late[0] >= 1 and late[1] == 0


def st_findings(store: Path, run_id: int, rule_id: str) -> int:
    with Store(store) as st:
        return st.conn.execute("SELECT COUNT(*) FROM findings WHERE run_id=? AND rule_id=?",
                               (run_id, rule_id)).fetchone()[0]


def test_rule_file_typo_exits_2_with_file_and_line(demo_crawl, rules_copy):
    store, summary = demo_crawl
    deadlines = rules_copy / "deadlines.yml"
    lines = deadlines.read_text(encoding="utf-8").splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.strip() == 'deadline: "03-31"')
    lines[n] = lines[n].replace("deadline:", "deadlin:")
    deadlines.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy))
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert f"deadlines.yml:{n + 1}" in message and "deadlin" in message


def test_section_kinds_typo_exits_2(demo_crawl, rules_copy):
    store, summary = demo_crawl
    kinds = rules_copy / "section_kinds.yml"
    kinds.write_text(kinds.read_text(encoding="utf-8") + "\nfazhi_annual_typo: {}\n", encoding="utf-8")
    result = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy))
    assert result.returncode == 2
    assert "section_kinds.yml" in result.stderr


def test_unknown_crawl_exits_2(demo_crawl):
    store, _ = demo_crawl
    result = _audit(store, "--crawl", "9999")
    assert result.returncode == 2
    assert "9999" in result.stderr


def test_missing_store_is_a_usage_error_and_creates_nothing(tmp_path):
    store = tmp_path / "nowhere.sqlite3"
    result = govaudit("audit", "--store", str(store))  # in-process: the message and the exit code are the point
    assert result.returncode == 2
    assert "no store at" in result.stderr and not store.exists()


def _trial_flags(store: Path) -> list[int]:
    from contextlib import closing

    from audits.history import open_history

    with closing(open_history(store)) as conn:
        return [r["trial"] for r in conn.execute("SELECT trial FROM runs ORDER BY id")]


def test_an_ad_hoc_audit_is_a_trial_unless_recorded(demo_crawl, tmp_path):
    source, summary = demo_crawl
    store = tmp_path / "govaudit.sqlite3"
    shutil.copy(source, store)  # the session store stays as the other tests expect it
    trial = _audit(store, "--crawl", str(summary.crawl_id), "--reports", str(tmp_path / "a"))
    assert trial.returncode == 1 and "trial run" in trial.stderr and "not part of the weekly history" in trial.stderr
    recorded = _audit(store, "--crawl", str(summary.crawl_id), "--record", "--reports", str(tmp_path / "b"))
    assert recorded.returncode == 1 and "trial run" not in recorded.stderr
    assert _trial_flags(store)[-2:] == [1, 0]


def test_scoring_file_typo_exits_2_with_file_and_line_before_any_run(demo_crawl, rules_copy, tmp_path):
    source, summary = demo_crawl
    store = tmp_path / "govaudit.sqlite3"
    shutil.copy(source, store)
    scoring = rules_copy / "scoring.yml"
    lines = scoring.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.strip() == "weight: 40")
    lines[n] = lines[n].replace("40", "forty")
    scoring.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = len(_trial_flags(store))
    result = _audit(store, "--crawl", str(summary.crawl_id), "--rules", str(rules_copy))
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert f"scoring.yml:{n + 1}: rates[0].weight: 'forty' is not a number" in message
    assert len(_trial_flags(store)) == before
