"""Rule files are parsed strictly: every kind of mistake names file, line and rule, and a
suite that checks nothing is an error, never a pass. Also: the tuning loop (edit a copy of
expectations/, re-run, see findings change) and the `govaudit rules` commands.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.rules.loader import load_rules
from audits.rules.model import RuleFileError
from audits.rules.validate import run_rules
from rules_frames import document, frames

RULES = Path(__file__).resolve().parents[2] / "expectations"


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    copy = tmp_path / "expectations"
    shutil.copytree(RULES, copy)
    return copy


def edit(path: Path, old: str, new: str, nth: int = 1) -> int:
    """Replace the nth occurrence of `old` and return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = text.index(old, at + 1)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text[:at].count("\n") + 1


def line_of(path: Path, text: str, nth: int) -> int:
    content, at = path.read_text(encoding="utf-8"), -1
    for _ in range(nth):
        at = content.index(text, at + 1)
    return content[:at].count("\n") + 1


def problems(rules: Path) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(rules)
    return caught.value.problems


MISTAKES = [
    # (case, file, old text, new text, occurrence, expected "rule X: ..." part)
    ("unknown kwarg", "deadlines.yml", 'deadline: "03-31"', 'deadline_mnth: "03-31"', 1,
     "rule FZ-DATE-1: unknown kwarg 'deadline_mnth' (did you mean 'deadline'?)"),
    ("unknown expectation type", "deadlines.yml", "type: expect_published_by_deadline", "type: expect_published_by_dedline", 1,
     "rule FZ-DATE-1: unknown expectation type 'expect_published_by_dedline' (did you mean 'expect_published_by_deadline'?)"),
    ("unknown meta key", "deadlines.yml", "      severity: critical", "      severty: critical", 1,
     "rule FZ-DATE-1: unknown meta key 'severty' (did you mean 'severity'?)"),
    ("unknown column", "deadlines.yml", "column: lag_working_days", "column: lag_workdays", 1,
     "rule ROUTINE-LAG-1: unknown column 'lag_workdays' in frame documents (did you mean 'lag_working_days'?)"),
    ("unknown column in row_condition", "deadlines.yml", 'report_type == "fazhi_annual"', 'report_typ == "fazhi_annual"', 1,
     "rule FZ-DATE-1: unknown column 'report_typ' in frame documents (did you mean 'report_type'?)"),
    ("code in row_condition", "deadlines.yml", "'readable and report_type == \"fazhi_annual\"'",
     "'__import__(\"os\").system(\"true\")'", 1, "rule FZ-DATE-1: row_condition may only call"),
    ("bad severity", "deadlines.yml", "severity: critical", "severity: severe", 1,
     "rule FZ-DATE-1: bad severity 'severe': use one of critical, warning, info"),
    ("missing meta field", "deadlines.yml", "      basis: 《法治政府建设与责任落实督察工作规定》（厅字〔2019〕28号）第二十五条（报告上一年度情况）\n", "", 1,
     "rule FZ-DATE-2: missing meta field 'basis'"),
    ("bad deadline value", "deadlines.yml", 'deadline: "03-31"', 'deadline: "3-31"', 1,
     "rule FZ-DATE-1: deadline must be a quoted month-day"),
    ("wrong kwarg type", "deadlines.yml", "max_value: 20", "max_value: twenty", 1, "rule ROUTINE-LAG-1: invalid kwargs"),
    ("unknown message placeholder", "deadlines.yml", "{report_year}年度法治", "{report_yaer}年度法治", 1,
     "rule FZ-DATE-1: unknown column 'report_yaer'"),
    ("unknown section kind", "sections.yml", "kind: fz_shortcomings", "kind: fz_shortcoming", 1,
     "rule FZ-SEC-2: unknown section kind 'fz_shortcoming' (did you mean 'fz_shortcomings'?)"),
    ("duplicate rule id across files", "metadata.yml", "id: META-1", "id: FZ-DATE-1", 1,
     "rule FZ-DATE-1: duplicate rule id FZ-DATE-1: already defined at"),
]


@pytest.mark.parametrize("case,file,old,new,nth,expected", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_names_file_line_and_rule(rules, case, file, old, new, nth, expected):
    line = edit(rules / file, old, new, nth)
    found = problems(rules)
    if case == "missing meta field":  # reported where the rule's meta block starts
        line = line_of(rules / file, "      id: FZ-DATE-2", 1)
    assert any(f"{file}:{line}: {expected}" in p for p in found), found


SUITE_MISTAKES = [
    # (case, file, old text, new text, expected problem after "file:line: ")
    ("suite key outside meta", "deadlines.yml", "meta:\n  frame: documents\n", "frame: documents\nmeta:\n",
     "'frame' belongs under the suite's meta:"),
    ("unknown suite meta key", "deadlines.yml", "  frame: documents", "  frme: documents",
     "unknown suite meta key 'frme' (did you mean 'frame'?)"),
    ("pair rule that would fail rows with a missing value", "metadata.yml",
     "      ignore_row_if: either_value_is_missing\n", "",
     "rule META-2: pair rules must say `ignore_row_if: either_value_is_missing`"),
]


@pytest.mark.parametrize("case,file,old,new,expected", SUITE_MISTAKES, ids=[m[0] for m in SUITE_MISTAKES])
def test_suite_shape_mistakes_name_file_and_line(rules, case, file, old, new, expected):
    edit(rules / file, old, new)
    found = problems(rules)
    assert any(f"{file}:" in p and expected in p for p in found), found

def test_yaml_syntax_error_names_the_line(rules):
    line = edit(rules / "sections.yml", "kind: fz_measures, accept_folded: true}", "kind: fz_measures, accept_folded: true", 1)
    found = problems(rules)
    assert any("sections.yml:" in p and "YAML syntax error" in p for p in found), found
    assert any(f"sections.yml:{n}:" in p for p in found for n in (line, line + 1)), found


def test_libyaml_and_pure_python_parsers_read_every_shipped_file_alike():
    """The located reader parses with libyaml (fast) and, for a refused file, again with PyYAML's
    own parser (clearer message): the values and lines of what we ship must not depend on which."""
    import yaml

    from govaudit import yamlsource

    repo = RULES.parent
    shipped = [*repo.glob("expectations/*.yml"), *repo.glob("crawler/sites/*.yml"), *repo.glob("cron/*.yml")]
    assert len(shipped) > 15
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        fast = yamlsource._document(path, yamlsource._compose(path, text, yamlsource._FAST_LOADER))
        plain = yamlsource._document(path, yamlsource._compose(path, text, yaml.SafeLoader))
        assert (fast.data, fast.lines) == (plain.data, plain.lines), path
    with pytest.raises(yamlsource.YamlError, match=r"x\.yml:3: YAML syntax error: found character '\\t' that cannot"):
        yamlsource.load_yaml("x.yml", 'jobs:\n  - cron: "0 8"\n\tlang: zh\n')


def test_unknown_parameter_is_suggested(rules):
    line = edit(rules / "metadata.yml", "  index_no_year_pattern:", "  index_no_year_patern:", 1)
    found = problems(rules)
    assert any(f"metadata.yml:{line}: unknown parameter 'index_no_year_patern' (did you mean 'index_no_year_pattern'?)"
               in p for p in found), found


def test_all_problems_are_reported_together(rules):
    edit(rules / "deadlines.yml", "severity: critical", "severity: severe", 1)
    edit(rules / "metadata.yml", "column: publisher", "column: publsher", 1)
    assert len(problems(rules)) == 2


def test_default_pack_loads():
    pack = load_rules(RULES)
    assert len(pack.rules) == len({r.id for r in pack.rules}) >= 43


def _late_fazhi():
    return frames(documents=[document(1, report_type="fazhi_annual", report_year=2022, published_at="2023-04-15")])


@pytest.mark.slow  # runs the whole rule pack twice
def test_tuning_the_fazhi_deadline_changes_findings(rules):
    before = run_rules(_late_fazhi(), rules)
    assert "FZ-DATE-1" in set(before.findings["rule_id"])
    edit(rules / "deadlines.yml", 'deadline: "03-31"', 'deadline: "04-30"', 1)
    after = run_rules(_late_fazhi(), rules)
    assert "FZ-DATE-1" not in set(after.findings["rule_id"])
    assert after.rule_stats.set_index("rule_id").loc["FZ-DATE-1", "evaluated"] == 1


def test_empty_frame_is_an_error_not_a_pass():
    result = run_rules(frames(), RULES)
    assert result.findings.empty
    assert any("suite deadlines: frame documents has no rows" in e for e in result.errors)
    assert (result.rule_stats["evaluated"] == 0).all() and result.rule_stats["pass_rate"].isna().all()


def _deadlines_only(rules: Path) -> None:
    """The deadline suite alone (and the section keywords it needs): these tests are about how a
    suite's outcome is reported, which the other suites would only make slower to show."""
    for name in list(p.name for p in rules.glob("*.yml")):
        if name not in ("deadlines.yml", "section_kinds.yml"):
            (rules / name).unlink()


def test_suite_whose_conditions_exclude_every_row_is_an_error(rules):
    _deadlines_only(rules)
    catalog_only = frames(documents=[document(1, kind="catalog")])
    result = run_rules(catalog_only, rules)
    assert any("suite deadlines: evaluated zero rows" in e for e in result.errors), result.errors


def test_suite_without_expectations_is_an_error(rules):
    _deadlines_only(rules)
    (rules / "empty.yml").write_text("name: empty\nmeta:\n  frame: documents\nexpectations: []\n", encoding="utf-8")
    result = run_rules(_late_fazhi(), rules)
    assert any("suite empty: no expectations" in e for e in result.errors)
    outcome = CliRunner().invoke(app, ["rules", "check", "--rules", str(rules)])
    assert outcome.exit_code == 2


def test_cli_check_ok_and_list():
    runner = CliRunner()
    ok = runner.invoke(app, ["rules", "check", "--rules", str(RULES)])
    assert ok.exit_code == 0 and "OK: " in ok.output and " rules (" in ok.output
    listed = runner.invoke(app, ["rules", "list", "--rules", str(RULES)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    assert "FZ-DATE-1" in listed.output and "03-31" in listed.output and "第二十四条" in listed.output


def test_cli_check_reports_problems_with_exit_2(rules):
    line = edit(rules / "deadlines.yml", 'deadline: "03-31"', 'deadline_mnth: "03-31"', 1)
    outcome = CliRunner().invoke(app, ["rules", "check", "--rules", str(rules)])
    assert outcome.exit_code == 2
    assert f"deadlines.yml:{line}: rule FZ-DATE-1: unknown kwarg 'deadline_mnth'" in outcome.output


def test_a_rule_that_crashes_inside_gx_is_an_error_not_a_pass(monkeypatch, rules):
    from audits.rules.deadlines import ExpectPublishedByDeadline

    def broken(cls, df, kw):
        raise RuntimeError("deadline arithmetic broke")

    monkeypatch.setattr(ExpectPublishedByDeadline, "check", classmethod(broken))
    _deadlines_only(rules)
    result = run_rules(_late_fazhi(), rules)
    assert any("rule FZ-DATE-1: Great Expectations could not evaluate it" in e and "deadline arithmetic broke" in e
               for e in result.errors), result.errors
    stats = result.rule_stats.set_index("rule_id")
    assert stats.loc["FZ-DATE-1", "evaluated"] == 0 and "FZ-DATE-1" not in set(result.findings["rule_id"])
