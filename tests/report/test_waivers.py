"""Waivers: a finding accepted until a date is shown apart and not scored, and comes back by
itself when the date passes or the page changes; a typo in the file stops with file:line (exit 2)."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from datetime import date, timedelta

import lxml.html
import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_USAGE, app
from audits.history import load_run
from audits.report.diff import compare_runs
from audits.report.render import render_html
from audits.report.standing import standing
from audits.report.waivers import WaiverFileError, load_waivers
from tests.report_runs import SITE, realistic_docs, realistic_findings, record

runner = CliRunner()
RUN_DAY = "2024-04-08T01:30:00+00:00"  # 09:30 in Beijing on 2024-04-08
KEY = f"{SITE}|wtrt|META-1"
RULES = Path(__file__).resolve().parents[2] / "expectations"  # 梧桐街道's only critical finding


def waivers(rules, until: str, content_hash: str | None) -> None:
    line = f'\n    content_hash: "{content_hash}"' if content_hash else ""
    (rules / "waivers.yml").write_text(textwrap.dedent(f"""\
        waivers:
          - key: "{KEY}"
            until: {until}
            reason: 页面正在改版，已与单位核实
            by: 县政务公开办 张三""") + line + "\n", encoding="utf-8")


def run_with(tmp_path, until: str | None, content_hash: str | None = "page"):
    rules = tmp_path / "rules"
    rules.mkdir()
    docs = realistic_docs()
    if until:
        waivers(rules, until, docs["wtrt"]["content_hash"] if content_hash == "page" else content_hash)
    store = tmp_path / "s.sqlite3"
    run_id = record(store, list(docs.values()), realistic_findings(docs), started_at=RUN_DAY, rules_dir=str(rules))
    run = load_run(store, run_id)
    diff = compare_runs(store, run_id, run)
    where = standing(store, run, diff)
    return lxml.html.fromstring(render_html(store, run, diff=diff, where=where)), where


def score(tree, unit: str) -> str:
    return tree.cssselect(f'#scorecard tr.unit-row[data-unit="{unit}"]')[0].get("data-score")


def test_a_waived_finding_is_shown_apart_and_not_scored(tmp_path):
    tree, where = run_with(tmp_path, "2024-04-08")  # the last day of a waiver still counts
    assert [r.get("data-finding-key") for r in tree.cssselect("#waived tr.waived-finding")] == [KEY]
    assert "页面正在改版" in tree.get_element_by_id("waived").text_content()
    assert not tree.cssselect(f'#fix-first tr.finding[data-finding-key="{KEY}"]')
    assert score(tree, "梧桐街道") == "80"  # 60 with the finding counted (see test_report_content)
    assert int(tree.cssselect('.counts [data-count-severity="critical"] b')[0].text) == 4  # the run's own count
    assert list(where.waived["finding_key"]) == [KEY] and KEY not in set(where.counted["finding_key"])


@pytest.mark.parametrize("until, content_hash, why", [
    ("2024-04-07", "page", "the waiver expired the day before the run"),
    ("2024-12-31", "0" * 64, "the page changed since it was waived"),
    (None, None, "no waiver"),
])
def test_a_waiver_stops_holding_when_the_date_passes_or_the_page_changes(tmp_path, until, content_hash, why):
    tree, where = run_with(tmp_path, until, content_hash)
    assert not tree.cssselect("#waived"), why
    assert tree.cssselect(f'#fix-first tr.finding[data-finding-key="{KEY}"]'), why
    assert score(tree, "梧桐街道") == "60" and where.waived.empty, why


def test_a_typo_in_the_waiver_file_names_file_and_line_and_exits_2(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "waivers.yml").write_text(textwrap.dedent(f"""\
        waivers:
          - key: "{KEY}"
            until: 2024-12-31
            reason: 已核实
            by: 张三
          - key: "{KEY}"
            untill: 2024-12-31
            reason: 已核实
            by: 张三
          - key: "{KEY}"
            until: next friday
            reason: 已核实
            by: 张三
            content_hash: 0123  # YAML reads this as the octal number 83
        """), encoding="utf-8")
    with pytest.raises(WaiverFileError) as caught:
        load_waivers(rules / "waivers.yml")
    assert any(p.startswith(f"{rules / 'waivers.yml'}:7: waivers[1].untill: unknown key") for p in caught.value.problems)
    assert any(p.startswith(f"{rules / 'waivers.yml'}:11: waivers[2].until: 'next friday' is not a date")
               for p in caught.value.problems), caught.value.problems
    assert any(":14: waivers[2].content_hash: 83 is not text; write the hash in quotes" in p
               for p in caught.value.problems), caught.value.problems
    checked = runner.invoke(app, ["rules", "check", "--rules", str(rules)])
    assert checked.exit_code == EXIT_USAGE and "waivers.yml:7" in checked.output
    store = tmp_path / "s.sqlite3"
    docs = realistic_docs()
    run_id = record(store, list(docs.values()), realistic_findings(docs), started_at=RUN_DAY, rules_dir=str(rules))
    rendered = runner.invoke(app, ["report", "--run", str(run_id), "--store", str(store), "--out", str(tmp_path)])
    assert rendered.exit_code == EXIT_USAGE and "waivers.yml:11" in rendered.output


def test_findings_waive_writes_a_waiver_that_the_next_rendering_applies(tmp_path):
    rules, store = tmp_path / "rules", tmp_path / "s.sqlite3"
    rules.mkdir()
    docs = realistic_docs()
    record(store, list(docs.values()), realistic_findings(docs), started_at=RUN_DAY, rules_dir=str(rules))
    until = (date.today() + timedelta(days=30)).isoformat()
    args = ["findings", "waive", KEY, "--until", until, "--reason", "页面改版中", "--by", "张三",
            "--rules", str(rules), "--store", str(store)]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    [waiver] = load_waivers(rules / "waivers.yml")
    assert (waiver.key, waiver.until.isoformat(), waiver.by) == (KEY, until, "张三")
    assert waiver.content_hash == docs["wtrt"]["content_hash"]  # a changed page brings it back
    unknown = runner.invoke(app, [*args[:2], f"{SITE}|wtrt|META-9", *args[3:]])
    assert unknown.exit_code == EXIT_USAGE and "no stored run has a finding" in unknown.output
    past = runner.invoke(app, [*args[:4], "2020-01-01", *args[5:]])
    assert past.exit_code == EXIT_USAGE and "in the past" in past.output
    assert len(load_waivers(rules / "waivers.yml")) == 1
