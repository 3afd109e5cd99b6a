"""Site columns in the site config (units[].columns): read strictly, kinds checked, re-rooted
with the catalog when the demo portal runs on another port."""
from __future__ import annotations

import pytest

from crawler.sites import SiteConfigError, load_site

BASE = """name: t
cms: hanweb
base_url: http://127.0.0.1:8800/
allow_private_hosts: true
units:
  - name: 濮院镇
    level: township
    catalog: /col/col1/index.html
    columns:
      - {name: 工作动态, url: /col/col2/index.html, kind: news}
      - {name: 通知公告, url: /col/col3/index.html}
"""


def _load(tmp_path, text):
    path = tmp_path / "site.yml"
    path.write_text(text, encoding="utf-8")
    return path, load_site(path)


def test_columns_are_read_with_optional_kind(tmp_path):
    _, site = _load(tmp_path, BASE)
    columns = site.units[0].columns
    assert [(c.name, c.url, c.kind) for c in columns] == [
        ("工作动态", "http://127.0.0.1:8800/col/col2/index.html", "news"),
        ("通知公告", "http://127.0.0.1:8800/col/col3/index.html", None)]
    moved = site.with_base_url("http://127.0.0.1:9911/")
    assert moved.units[0].columns[1].url == "http://127.0.0.1:9911/col/col3/index.html"


@pytest.mark.parametrize("old, new, line, words", [
    ("kind: news", "kind: dongtai", 10, "'dongtai' is not one of news, notices, personnel, other"),
    ("{name: 通知公告, url:", "{name: 通知公告, link:", 11, "unknown field 'units[0].columns[1].link'"),
    ("url: /col/col3/index.html", "url: /col/col2/index.html", 11, "listed twice"),
])
def test_column_mistakes_name_file_and_line(tmp_path, old, new, line, words):
    path = tmp_path / "site.yml"
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    with pytest.raises(SiteConfigError) as exc:
        load_site(path)
    assert f"{path}:{line}:" in str(exc.value) and words in str(exc.value)
