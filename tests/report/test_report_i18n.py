"""Labels exist in every language, and --lang en leaves no Chinese label behind."""
from __future__ import annotations

import re

import lxml.html
import pytest

from audits.report.i18n import LANGUAGES, STRINGS, translator
from audits.report.render import render_run
from tests.report_runs import realistic_run, rendered_html

CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff1a\uff1b]")


def test_every_label_exists_in_every_language_with_the_same_placeholders():
    keys = set(STRINGS["zh"])
    for lang in LANGUAGES:
        assert set(STRINGS[lang]) == keys, lang
        for key in keys:
            assert re.findall(r"{\w+}", STRINGS[lang][key]) == re.findall(r"{\w+}", STRINGS["zh"][key]), key


def test_unknown_language_is_a_usage_error(tmp_path):
    with pytest.raises(ValueError, match="unknown report language 'fr'; choose one of zh, en"):
        translator("fr")
    store = tmp_path / "s.sqlite3"
    run_id, _ = realistic_run(store)
    with pytest.raises(ValueError, match="'fr'"):
        render_run(store, run_id, tmp_path / "r", lang="fr")
    assert not (tmp_path / "r").exists()


def test_english_report_translates_labels_and_keeps_page_content(tmp_path):
    store = tmp_path / "s.sqlite3"
    run_id, _ = realistic_run(store)
    tree = lxml.html.fromstring(rendered_html(store, run_id, "en"))
    assert tree.get("lang") == "en"
    labels = tree.xpath("//th | //h1 | //h2 | //h3 | //dt | //nav//a | //p[@class='note'] | //footer")
    leaked = [el.text_content() for el in labels if CJK.search(el.text_content())]
    assert leaked == []
    assert tree.cssselect('tr.unit-row[data-unit="乌镇镇"]')[0].cssselect(".score")[0].text_content() == "not scored"
    assert "濮院镇2023年法治政府建设年度报告" in tree.text_content()  # page titles stay as published
    assert "4 of 5 units checkable" in tree.get_element_by_id("summary").text_content()
