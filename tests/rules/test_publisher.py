"""META-3 with the site config's full names: the unit's own full name passes, its short forms fail,
another body's name on a reposted document passes; without full names the rule file's pattern
decides, except for names sharing nothing with the unit (reposts)."""
from __future__ import annotations

import re

import pytest

from audits.rules.loader import load_rules
from audits.rules.publisher import judge
from audits.rules.validate import run_rules
from rules_frames import document, frames

PATTERN = re.compile(load_rules("expectations").parameters["publisher_full_name_pattern"])
OWN = "桐乡市濮院镇人民政府"
OTHERS = {OWN, "桐乡市司法局"}


@pytest.mark.parametrize("publisher, own, unit, ok", [
    ("桐乡市濮院镇人民政府", OWN, "濮院镇", True),
    ("濮院镇", OWN, "濮院镇", False),                       # hx022
    ("濮院镇政府", OWN, "濮院镇", False),
    ("桐乡市濮院镇", OWN, "濮院镇", False),
    ("国务院办公厅", OWN, "濮院镇", True),                   # reposted national document
    ("浙江省民政厅", OWN, "濮院镇", True),
    ("桐乡市司法局", OWN, "濮院镇", True),                   # another unit of the site
    ("县政府网站", OWN, "濮院镇", False),                    # hx003: not an organ
    # no full name configured: the pattern, unless the name shares nothing with the unit
    ("沿江街道", None, "沿江街道", False),                   # hx061
    ("桐乡市濮院镇人民政府", None, "濮院镇", True),
    ("国务院办公厅", None, "濮院镇", True),
    ("濮院镇", None, "濮院镇", False),
])
def test_judge(publisher, own, unit, ok):
    assert judge(publisher, own, OTHERS, PATTERN, unit) is ok


def test_meta3_reads_the_site_config_full_names():
    docs = [document(1, publisher="濮院镇"), document(2, publisher="国务院办公厅"),
            document(3, publisher=OWN), document(4, unit="桐乡市人民政府", publisher="桐乡市政府")]
    result = run_rules(frames(documents=docs), pack=load_rules("expectations"),
                       unit_full_names={"濮院镇": OWN, "桐乡市人民政府": "桐乡市人民政府"})
    f = result.findings
    flagged = set(f[f["rule_id"] == "META-3"]["url"])
    assert flagged == {docs[0]["url"], docs[3]["url"]}
    message = f[(f["rule_id"] == "META-3") & (f["url"] == docs[0]["url"])]["message"].iloc[0]
    assert "濮院镇" in message
