"""`govaudit report` re-renders a stored run and prints where it went."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_USAGE, app
from tests.report_runs import realistic_run

runner = CliRunner()


@pytest.mark.slow  # renders several runs
def test_report_command_renders_latest_or_a_given_run(tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    first, _ = realistic_run(store, started_at="2024-04-01T01:00:00+00:00")
    realistic_run(store, started_at="2024-04-08T01:00:00+00:00")
    out = tmp_path / "reports"
    latest = runner.invoke(app, ["report", "--store", str(store), "--out", str(out)])
    assert latest.exit_code == 0, latest.output
    assert Path(latest.stdout.strip()) == out / "tongxiang" / "20240408-090000" / "report.html"
    chosen = runner.invoke(app, ["report", "--run", str(first), "--site", "tongxiang", "--lang", "en",
                                 "--store", str(store), "--out", str(out)])
    assert chosen.exit_code == 0, chosen.output
    path = Path(chosen.stdout.strip())
    assert path.parent.name == "20240401-090000" and '<html lang="en">' in path.read_text(encoding="utf-8")


def test_report_command_usage_errors_say_what_exists(tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    missing = runner.invoke(app, ["report", "--store", str(store)])
    assert missing.exit_code == EXIT_USAGE and "no store at" in missing.output
    realistic_run(store)
    unknown = runner.invoke(app, ["report", "--store", str(store), "--run", "7"])
    assert unknown.exit_code == EXIT_USAGE and "no audit run with id 7" in unknown.output
    other = runner.invoke(app, ["report", "--store", str(store), "--site", "haining"])
    assert other.exit_code == EXIT_USAGE and "runs exist for: tongxiang" in other.output
    lang = runner.invoke(app, ["report", "--store", str(store), "--lang", "fr"])
    assert lang.exit_code == EXIT_USAGE and "choose one of zh, en" in lang.output
