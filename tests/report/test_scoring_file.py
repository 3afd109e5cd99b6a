"""expectations/scoring.yml: read strictly (file:line), printed as the report's formula, and a
rate with nothing to count is left out rather than counted as 0 or 100."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_USAGE, app
from audits.report.scoring import SHIPPED, ScoringFileError, load_scoring
from audits.report.scorecard import weighted_score

RULES = Path(__file__).resolve().parents[2] / "expectations"


def test_the_shipped_file_loads_and_prints_its_formula():
    scoring = load_scoring(SHIPPED)
    assert [r.id for r in scoring.rates] == ["no_critical", "on_time", "sections", "metadata"]
    assert scoring.formula() == ("(40×无严重问题的文件占比 + 20×年度报告按时公开率 + 20×年度报告必备部分齐全率"
                                 " + 20×元数据完整率) ÷ 100 × 100")
    assert "40×documents without a critical finding" in scoring.formula("en")


def test_rates_without_documents_are_left_out_and_nothing_to_count_is_no_score():
    scoring = load_scoring(SHIPPED)
    # a unit with no annual report: only the two document rates count, weights 40 and 20
    assert weighted_score({"no_critical": (3, 4), "on_time": (0, 0), "sections": (0, 0), "metadata": (4, 4)},
                          scoring) == round((40 * 3 / 4 + 20) * 100 / 60)
    assert weighted_score({r.id: (0, 0) for r in scoring.rates}, scoring) is None


@pytest.mark.parametrize("line, replacement, message", [
    ("    weight: 40", "    weight: -1", "rates[0].weight: -1 is not a number ≥ 0"),
    ("    documents: annual_reports", "    documents: annuals", "rates[1].documents: 'annuals' is not one of"),
    ("    fails_on: {severity: [critical]}", "    fails_on: {severity: [critcal]}",
     "rates[0].fails_on.severity: 'critcal' is not one of critical, warning, info"),
    ("  - id: on_time", "  - id: no_critical", "rates[1].id: rate id 'no_critical' appears twice"),
    ("    title_en: metadata complete", "    titel_en: metadata complete", "rates[3].titel_en: unknown key"),
])
def test_a_mistake_names_file_line_and_field(tmp_path, line, replacement, message):
    text = SHIPPED.read_text(encoding="utf-8")
    assert line + "\n" in text
    where = text.splitlines().index(line) + 1  # the line of the mistake
    path = tmp_path / "scoring.yml"
    path.write_text(text.replace(line + "\n", replacement + "\n", 1), encoding="utf-8")
    with pytest.raises(ScoringFileError) as caught:
        load_scoring(path)
    assert any(p.startswith(f"{path}:{where}: {message}") for p in caught.value.problems), caught.value.problems


def test_rules_check_reads_the_scoring_file_strictly(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "scoring.yml").write_text(textwrap.dedent("""\
        rates:
          - id: no_critical
            title: 无严重问题的文件占比
            documents: all
            fails_on: {severity: [critical]}
            wieght: 40
        """), encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "check", "--rules", str(rules)])
    assert result.exit_code == EXIT_USAGE
    assert "scoring.yml:6: rates[0].wieght: unknown key" in " ".join(result.output.split())
