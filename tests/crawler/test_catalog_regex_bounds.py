"""The Hanweb catalog reader takes linear time on a hostile catalog page.

A page of thousands of unclosed `<record><![CDATA[` (or `.jpage({`, `var param_x = {`,
`<nextgroup>`) openings made every lazy `.*?` rescan to the end of the page: 48 s for 256 KB,
days for the 16 MB a page may weigh. pytest-timeout is the guard; the assertions say the
records that are well formed are still read.
"""
from __future__ import annotations

import pytest

from crawler.spiders import hanweb

GOOD = '<record><![CDATA[<li><a href="/art/1.html" title="标题">标题</a><span>2024-03-01</span></li>]]></record>'


@pytest.mark.timeout(120)
@pytest.mark.parametrize("opening", ["<record><![CDATA[<a href=x>y</a>", "var param_u1 = {col:1,", ".jpage({perPage:15,",
                                     "<nextgroup><![CDATA[<a x="])
def test_unclosed_openings_cost_linear_time(opening):
    page = opening * 40_000 + GOOD  # about 1 MB
    records = hanweb.parse_records(page, "http://gov.example/col/1/index.html")
    assert records[-1] == ("http://gov.example/art/1.html", "标题", "2024-03-01")
    for pattern in (hanweb._PARAM_RE, hanweb._JPAGE_RE):
        assert pattern.search(page) is None  # no opening is ever closed
    hanweb._NEXTGROUP_RE.search(page)  # may find the record's href: only its time matters


def test_well_formed_parts_are_still_found():
    page = ("<script>var param_u1 = {col:1,webid:3,path:'/'};\n$('#u1').jpage({perPage:15,groupSize:3});</script>"
            "<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=3\"></a>]]></nextgroup>")
    assert hanweb._PARAM_RE.search(page).group(1) == "u1"
    assert hanweb.js_object(hanweb._JPAGE_RE.search(page).group(1)) == {"perPage": "15", "groupSize": "3"}
    assert hanweb._NEXTGROUP_RE.search(page).group(1).startswith("/module/web/jpage/dataproxy.jsp")


@pytest.mark.timeout(120)
def test_detail_page_markers_cost_linear_time():
    from crawler import detail
    from crawler.spiders import gkmlpt

    body = '<meta name="ContentStart"><p>正文</p><meta name="ContentEnd">'
    page = '<meta name="ContentStart">x' * 40_000 + body
    assert detail._CONTENT_MARKERS.search(page).group(1) == "<p>正文</p>"
    script = 'DETAIL: {a:1,' * 40_000 + 'DETAIL: {id: 1, content: "<p>a</p>"}'
    assert gkmlpt.DETAIL_CONTENT_RE.search(script).group(1) == '"<p>a</p>"'
