"""expectations/README.md: its generated reference is current, and its worked example is a rule
that loads and finds what it says."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

from audits.rules.loader import load_rules
from audits.rules.reference import README, render, with_reference
from audits.rules.validate import run_rules
from rules_frames import document, frames

RULES = Path(__file__).resolve().parents[2] / "expectations"


def test_generated_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert with_reference(text) == text, "expectations/README.md is stale: run python -m audits.rules.reference --write"


def test_reference_names_every_rule_column_in_chinese():
    from audits.rules.columns import frame_columns

    block = render()
    for frame, columns in frame_columns().items():
        for column in columns:
            if "__" not in column:  # table cells are described by their key scheme
                assert f"| `{column}` |" in block, (frame, column)


def test_worked_example_loads_and_finds_the_late_item(tmp_path):
    example = re.search(r"## Worked example.*?```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    rules = tmp_path / "expectations"
    shutil.copytree(RULES, rules)
    with (rules / "deadlines.yml").open("a", encoding="utf-8") as f:
        f.write("\n" + example)
    pack = load_rules(rules)
    assert "ROUTINE-LAG-2" in {r.id for r in pack.rules}
    # Run with the suite the example joined: the other suites have nothing to say about it.
    pack = dataclasses.replace(pack, suites=[s for s in pack.suites if any(r.id == "ROUTINE-LAG-2" for r in s.rules)])
    docs = [document(1, report_type="routine", doc_no="桐政发〔2024〕1号", issued_date="2024-03-01",
                     published_at="2024-03-22"),   # 15 working days: on time
            document(2, report_type="routine", doc_no="桐政发〔2024〕2号", issued_date="2024-03-01",
                     published_at="2024-03-25")]   # 16 working days: late
    found = run_rules(frames(documents=docs), rules, pack=pack).findings
    late = found[found["rule_id"] == "ROUTINE-LAG-2"]
    assert list(late["kind"]) == ["failure"] and late["url"].str.endswith("2.html").all(), late[["url", "observed"]]
