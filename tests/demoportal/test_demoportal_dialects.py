"""The demo portal's units on TRS WCM, gkmlpt and jpaas serve what those platforms serve.

Checked on the wire: TRS pager variants and sibling list pages (404 past the end), relative
`./YYYYMM/tYYYYMMDD_ID` links, TRS labels with Chinese dates and W0… attachments, GBK bytes
declared gb2312 only in <meta>; gkmlpt's SID/TREE and its JSON API (a wrong SID is an error
answer); jpaas paging only through paramJson (a bare pageNo is ignored).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _unit(demo_portal, cms: str, **match) -> dict:
    return next(u for u in demo_portal.manifest["units"] if u["cms"] == cms
                and all(u[k] == v for k, v in match.items()))


def _docs(demo_portal, unit: dict) -> list[dict]:
    return [d for d in demo_portal.manifest["documents"] if d["unit"] == unit["name"]]


@pytest.mark.parametrize("name, pager", [
    ("桐乡市交通运输局", r'createPageHTML\((\d+), (\d+), "index", "html"\)'),
    ("桐乡市住房和城乡建设局", r"createPageHTML\('page_div', (\d+), (\d+), 'list', 'shtml', \d+\)"),
    ("桐乡市自然资源和规划局", r'createPage\((\d+), (\d+), "index", "htm"\)'),
])
def test_trs_list_pages_and_pager_variants(demo_portal, name, pager):
    unit = _unit(demo_portal, "trs", name=name)
    first = unit["catalog_paths"][-1]
    status, headers, body = fetch(demo_portal.url_for(first))
    codec = "gb18030" if unit["charset"] == "gb2312" else "utf-8"
    text = body.decode(codec)
    count, current = map(int, re.search(pager, text).groups())
    assert status == 200 and current == 0 and count > 1
    stem, ext = first.rsplit("/", 1)[1].split(".")
    base = first.rsplit("/", 1)[0]
    links = re.findall(r'href="(\./\d{6}/t\d{8}_\d+\.' + ext + r'|\.\./\w+/\d{6}/t\d{8}_\d+\.' + ext + ')"', text)
    assert len(links) == unit["per_page"]
    last = fetch(demo_portal.url_for(f"{base}/{stem}_{count - 1}.{ext}"))
    assert last[0] == 200 and "createPage" in last[2].decode(codec)
    assert fetch(demo_portal.url_for(f"{base}/{stem}_{count}.{ext}"))[0] == 404


def test_trs_detail_labels_dates_and_attachments(demo_portal):
    unit = _unit(demo_portal, "trs", name="桐乡市交通运输局")
    doc = next(d for d in _docs(demo_portal, unit) if d["attachments"] and not d["defects"])
    html = fetch(demo_portal.url_for(doc["url_path"]))[2].decode("utf-8")
    y, m, d = doc["issued_date"].split("-")
    assert f"<td class=\"lab\">成文日期：</td><td>{y}年{m}月{d}日</td>" in html
    assert "索 引 号：" in html and "发文机关：" in html and "有 效 性：" in html
    assert re.search(r'<div class="TRS_Editor"><div class="Custom_UnionStyle">', html)
    for att in doc["attachments"]:
        assert re.search(r"/\d{6}/W0\d{20}\.pdf$", att["path"])
        assert f'href="./{att["path"].rsplit("/", 1)[1]}"' in html
        assert fetch(demo_portal.url_for(att["path"]))[0] == att["status"]


def test_gbk_trs_site_declares_gb2312_only_in_meta(demo_portal):
    unit = _unit(demo_portal, "trs", charset="gb2312")
    doc = next(d for d in _docs(demo_portal, unit) if "镕" in d["title"])
    status, headers, body = fetch(demo_portal.url_for(doc["url_path"]))
    assert headers["Content-Type"] == "text/html"
    assert b'content="text/html; charset=gb2312"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert doc["title"] in body.decode("gb18030")


def test_gkmlpt_config_api_and_json_body(demo_portal):
    unit = _unit(demo_portal, "gkmlpt")
    html = fetch(demo_portal.url_for(unit["catalog_path"]))[2].decode("utf-8")
    sid = re.search(r"window\._CONFIG = \{SID:'(\d+)'", html)[1]
    tree = json.loads(re.search(r"TREE:(\[.*?\]), SERVICE", html)[1])
    listed = []
    for cat in (t["id"] for t in tree):
        page = 1
        while True:
            api = demo_portal.url_for(f"{unit['catalog_path'].rsplit('/', 1)[0]}/api/all/{cat}?page={page}&sid={sid}")
            data = json.loads(fetch(api)[2])
            if not data["articles"]:
                break
            listed += [urllib.parse.urlparse(a["url"]).path for a in data["articles"]]
            page += 1
    assert sorted(listed) == sorted(d["url_path"] for d in _docs(demo_portal, unit))
    wrong = json.loads(fetch(demo_portal.url_for(f"/wjj/gkmlpt/api/all/{tree[0]['id']}?page=1&sid=0"))[2])
    assert "articles" not in wrong
    doc = next(d for d in _docs(demo_portal, unit) if d["http_status"] == 200)
    detail = fetch(demo_portal.url_for(doc["url_path"]))[2].decode("utf-8")
    assert '<div class="article-content" id="content"></div>' in detail
    content = json.loads(re.search(r'"content":("(?:[^"\\]|\\.)*")', detail)[1])
    assert "<p" in content and "<\\/p>" in detail  # the body exists only as a JSON string


def test_jpaas_pages_only_through_param_json(demo_portal):
    unit = _unit(demo_portal, "jpaas")
    html = fetch(demo_portal.url_for(unit["catalog_path"]))[2].decode("utf-8")
    query = dict(re.findall(r"'(\w+)':'([^']*)'", re.search(r'queryData="([^"]+)"', html)[1]))
    assert re.search(rf'count="{unit["doc_count"]}" rows="{unit["per_page"]}"', html)

    def page(**extra) -> list[str]:
        url = demo_portal.url_for("/api-gateway/jpaas-publish-server/front/page/build/unit?" + urllib.parse.urlencode(
            {**query, "parseType": "bulidstatic", "pageType": "column", **extra}))
        data = json.loads(fetch(url)[2])
        return re.findall(r'href="([^"]+)"', data["data"]["html"])

    first = page(paramJson='{"pageNo":1,"pageSize":"15"}')
    second = page(paramJson='{"pageNo":2,"pageSize":"15"}')
    assert page(pageNo=2) == first and page(page=2) == first  # bare pageNo/page are ignored
    assert sorted(first + second) == sorted(d["url_path"] for d in _docs(demo_portal, unit))
    assert all(re.fullmatch(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html", p) for p in first)
