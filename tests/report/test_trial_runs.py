"""Runs of record and trials: a rule tuner's experiment between two weekly runs changes nothing
the supervisor reads in the second weekly report, and re-rendering never touches what was sent."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.history import load_run, previous_run
from audits.report.diff import compare_runs
from audits.report.render import render_run
from audits.report.standing import standing
from tests.report_runs import document, finding, realistic_docs, realistic_findings, record, rendered_html

runner = CliRunner()
WEEK1, TRIAL, WEEK2 = "2024-04-01T01:30:00+00:00", "2024-04-03T06:00:00+00:00", "2024-04-08T01:30:00+00:00"


def week(n: int) -> tuple[list, list]:
    docs = realistic_docs()
    found = realistic_findings(docs)
    if n == 2:  # 濮院镇 fixed its 发布机构 (META-3 resolved); 司法局 gained a lateness finding
        found = [f for f in found if f["rule_id"] != "META-3"]
        found.append(finding("FZ-DATE-1", docs["sjfz"], observed="2024-04-10", expected="早于 2024-04-01"))
    return list(docs.values()), found


def trial() -> tuple[list, list]:
    """What a tuner's loosened or tightened rules produce: most findings gone, others invented."""
    docs = realistic_docs()
    extra = [document(f"t{i}", "梧桐街道", f"试验文件{i}") for i in range(6)]
    found = [finding("I3-1", d, observed="试验") for d in extra] + [finding("COPY-1", docs["pyrt"])]
    return list(docs.values()) + extra, found


def second_run_view(store: Path, with_trial: bool) -> dict:
    record(store, *week(1), started_at=WEEK1)
    if with_trial:
        trial_id = record(store, *trial(), started_at=TRIAL, trial=True)
        assert load_run(store, trial_id).run["trial"] == 1
    run_id = record(store, *week(2), started_at=WEEK2)
    diff = compare_runs(store, run_id)
    where = standing(store, load_run(store, run_id), diff)
    cards = where.cards.set_index("unit")
    return {
        "previous_started": load_run(store, previous_run(store, run_id)).run["started_at"],
        "new": sorted(diff.new["finding_key"]), "resolved": sorted(diff.resolved["finding_key"]),
        "unverified": sorted(diff.unverified["finding_key"]),
        "open_runs": dict(zip(diff.open["finding_key"], diff.open["open_runs"].astype(int))),
        "scores": {u: (None if pd.isna(s) else int(s)) for u, s in cards["score"].items()},
        "arrows": dict(cards["arrow"]), "history": {u: list(h) for u, h in cards["history"].items()},
        "trend_runs": len(set(where.trends["run_id"])),
    }


@pytest.mark.slow  # records and renders several runs
def test_a_trial_between_two_weekly_runs_changes_nothing_in_the_second_report(tmp_path):
    plain = second_run_view(tmp_path / "a.sqlite3", with_trial=False)
    with_trial = second_run_view(tmp_path / "b.sqlite3", with_trial=True)
    assert with_trial == plain
    # and the comparison is a real one: something is new, something resolved, something open twice
    assert plain["previous_started"] == WEEK1
    assert [k.split("|")[2] for k in plain["new"]] == ["FZ-DATE-1"] and len(plain["resolved"]) == 1
    assert max(plain["open_runs"].values()) == 2 and plain["trend_runs"] == 2


def test_a_trial_is_compared_with_the_last_run_of_record_and_drawn_after_it(tmp_path):
    store = tmp_path / "s.sqlite3"
    first = record(store, *week(1), started_at=WEEK1)
    trial_id = record(store, *trial(), started_at=TRIAL, trial=True)
    diff = compare_runs(store, trial_id)
    assert diff.previous_run_id == first
    assert len(diff.new) == 7  # its own findings are new against the week, never the other way round
    html = rendered_html(store, trial_id)
    assert 'id="trial-banner"' in html and "不进入每周历史" in html


@pytest.mark.slow  # records and renders several runs
def test_re_rendering_in_english_leaves_the_sent_report_byte_identical(tmp_path):
    store, out = tmp_path / "s.sqlite3", tmp_path / "reports"
    run_id = record(store, *week(1), started_at=WEEK1)
    sent = render_run(store, run_id, out)  # what the weekly job wrote and mailed
    before = {p.name: p.read_bytes() for p in sent.parent.iterdir()}
    result = runner.invoke(app, ["report", "--run", str(run_id), "--lang", "en", "--store", str(store),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    english = Path(result.stdout.strip())
    assert english == sent.with_name("report.en.html") and '<html lang="en">' in english.read_text(encoding="utf-8")
    again = runner.invoke(app, ["report", "--run", str(run_id), "--store", str(store), "--out", str(out)])
    assert Path(again.stdout.strip()) == sent.with_name("report.zh.html")
    after = {p.name: p.read_bytes() for p in sent.parent.iterdir() if p.name not in ("report.en.html", "report.zh.html")}
    assert after == before  # report.html, findings.xlsx and the exports untouched
