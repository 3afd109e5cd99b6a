"""The wording lists (expectations/wording.yml): exact matches only, a miswritten leader name is
critical, a typo a warning; a correct name, and the same characters inside a longer word, are
not flagged; the file is read strictly with file:line errors; hostile text stays linear."""
from __future__ import annotations

from pathlib import Path

import pytest

from audits.normalize.wording import WordingError, load_wording, parse_wording
from audits.rules.loader import load_rules
from audits.rules.validate import run_rules
from govaudit.yamlsource import load_yaml
from rules_frames import document, frames

WORDING = load_wording(Path("expectations/wording.yml"))


def scan(body: str, title: str = "关于做好相关工作的通知") -> dict:
    return WORDING.scan(title, body)


def test_miswritten_leader_name_is_found_with_the_correct_form():
    assert scan("深入学习习进平总书记重要讲话精神")["serious_wording"] == "习进平→习近平（正文）"


def test_correct_name_is_not_flagged():
    assert scan("深入学习贯彻习近平新时代中国特色社会主义思想") == {"serious_wording": "", "wording_typos": ""}


def test_same_characters_inside_a_longer_word_are_not_flagged():
    # 学习近乎 holds 习近乎 (a listed miswriting of 习近平) but is an ordinary phrase.
    assert scan("加强学习近乎成为每周的固定安排")["serious_wording"] == ""
    assert scan("习近乎总书记")["serious_wording"] == "习近乎→习近平（正文）"


def test_title_and_body_are_both_scanned_and_typos_are_a_separate_list():
    found = scan("全力克坚攻难，惯彻落实各页任务", title="中华人民共合国成立纪念活动")
    assert found["serious_wording"] == "中华人民共合国→中华人民共和国（标题）"
    assert found["wording_typos"] == "克坚攻难→攻坚克难（正文）; 惯彻落实→贯彻落实（正文）; 各页任务→各项任务（正文）"


def test_no_text_is_unknown_not_clean():
    assert WORDING.scan(None, "") == {"serious_wording": None, "wording_typos": None}


def test_hostile_text_is_scanned_in_one_pass():
    body = ("习近" * 200_000) + "习进平"  # long runs of near-matches must not backtrack
    assert scan(body)["serious_wording"] == "习进平→习近平（正文）"


def test_findings_miswritten_name_critical_typo_warning_clean_page_nothing():
    docs = [document(1, serious_wording="习进平→习近平（正文）"), document(2, wording_typos="克坚攻难→攻坚克难（正文）"),
            document(3)]
    found = run_rules(frames(documents=docs), pack=load_rules("expectations")).findings
    wording = found[found["rule_id"].str.startswith("WORDING")]
    got = {(u.rsplit("/", 1)[-1], r, s) for u, r, s in zip(wording["url"], wording["rule_id"], wording["severity"])}
    assert got == {("1.html", "WORDING-1", "critical"), ("2.html", "WORDING-2", "warning")}
    assert "习进平→习近平" in wording[wording["rule_id"] == "WORDING-1"]["message"].iloc[0]


@pytest.mark.parametrize("text, problem", [
    ("serious:\n  - correct: 习近平\n    wrong: [习近平]\n", ":3: serious[0].wrong[0]: '习近平' is the correct form itself"),
    ("serious:\n  - correct: 习近平\n    worng: [习进平]\n", ":3: serious[0]: unknown key 'worng'"),
    ("typo:\n  - correct: 攻坚克难\n    wrong: [克坚攻难]\n", ":2: unknown list 'typo'"),
    ("serious:\n  - correct: 习近平\n    wrong: [习进平]\n    not_in: [学习]\n", ":4: serious[0].not_in[0]: '学习' contains none"),
    ("serious:\n  - correct: 习近平\n    wrong: [习进平]\ntypos:\n  - correct: 别的\n    wrong: [习进平]\n",
     ":6: typos[0].wrong[0]: '习进平' is already listed"),
])
def test_list_file_errors_name_file_and_line(tmp_path, text, problem):
    path = tmp_path / "wording.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WordingError) as exc:
        parse_wording(load_yaml(path))
    assert f"{path}{problem}" in str(exc.value)


def test_a_broken_list_file_is_a_rule_file_error(tmp_path):
    import shutil
    from audits.rules.model import RuleFileError

    rules = tmp_path / "expectations"
    shutil.copytree("expectations", rules)
    (rules / "wording.yml").write_text("serious: {}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as exc:
        load_rules(rules)
    assert "wording.yml:1: serious: expected a list" in str(exc.value)
