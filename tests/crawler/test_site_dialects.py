"""Site configs of mixed counties: per-unit `cms`, several catalogs per unit, strict errors with file:line."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import SiteConfigError, load_site

SITE = """name: mixed
title: 示例县人民政府
cms: hanweb
base_url: http://www.example.gov.cn/
units:
  - {name: 示例县人民政府, level: county_gov, catalog: /col/col1/index.html}
  - name: 示例县交通运输局
    level: department
    cms: trs
    catalogs: [/xxgk/jtj/ndbg/index.html, /xxgk/jtj/tzgg/index.html]
  - {name: 示例县卫生健康局, level: department, cms: gkmlpt, catalog: "http://wjj.example.gov.cn/gkmlpt/index#2740"}
"""


def _site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_units_take_the_site_cms_unless_they_name_their_own(tmp_path):
    site = load_site(_site(tmp_path, SITE))
    assert [(u.name, u.cms) for u in site.units] == [
        ("示例县人民政府", "hanweb"), ("示例县交通运输局", "trs"), ("示例县卫生健康局", "gkmlpt")]
    assert site.dialects == ("hanweb", "trs", "gkmlpt") and site.title == "示例县人民政府"
    assert site.units[1].catalogs == ("http://www.example.gov.cn/xxgk/jtj/ndbg/index.html",
                                      "http://www.example.gov.cn/xxgk/jtj/tzgg/index.html")
    moved = site.with_base_url("http://127.0.0.1:9000/")
    assert moved.units[1].catalogs[1] == "http://127.0.0.1:9000/xxgk/jtj/tzgg/index.html"
    assert moved.units[2].catalog == "http://wjj.example.gov.cn/gkmlpt/index#2740"  # another host stays


@pytest.mark.parametrize("old, new, line, message", [
    ("    cms: trs", "    cms: trs-wcm", 9, "field 'units[1].cms': 'trs-wcm' is not a supported CMS dialect"),
    ("    catalogs: [/xxgk/jtj/ndbg/index.html, /xxgk/jtj/tzgg/index.html]",
     "    catalogs: [/xxgk/jtj/ndbg/index.html, /xxgk/jtj/ndbg/index.html]", 10, "listed twice"),
    ("    catalogs: [/xxgk/jtj/ndbg/index.html, /xxgk/jtj/tzgg/index.html]",
     "    catalogs: [/a/index.html]\n    catalog: /b/index.html", 7, "give either 'catalog'"),
    ("    catalogs: [/xxgk/jtj/ndbg/index.html, /xxgk/jtj/tzgg/index.html]", "    catalogs: []", 10,
     "expected a non-empty list of URLs"),
    ("    level: department\n", "    level: department\n    catalgs: [/x/]\n", 9, "unknown field 'units[1].catalgs'"),
])
def test_bad_unit_entries_name_file_line_and_field(tmp_path, old, new, line, message):
    assert old in SITE
    path = _site(tmp_path, SITE.replace(old, new, 1))
    with pytest.raises(SiteConfigError) as err:
        load_site(path)
    assert str(err.value).startswith(f"{path}:{line}: ") and message in str(err.value), str(err.value)
