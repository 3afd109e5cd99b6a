"""The dialect readers on markup written from real portals' variants (cms_structures.md §1.7, §2, §3).

Fast: no server. Pager scripts, list items (<li>, table rows, Chongqing's anchor-wrapped
items), gkmlpt's _CONFIG and JSON-escaped body, jpaas pager attributes, and the decoding of
a page that declares gb2312 but holds characters outside it.
"""
from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse

from crawler.spiders.base import decoding_problem, list_items
from crawler.spiders.gkmlpt import GkmlptSpider, article_date, read_config
from crawler.spiders.jpaas import ARTICLE_RE as JPAAS_ARTICLE, pager_attributes, query_data
from crawler.spiders.trs import ARTICLE_RE, column_scope, pager


@pytest.mark.parametrize("script, expected", [
    ('<script>createPageHTML(7, 0, "index", "html");</script>', (7, "index", "html")),
    ("<script language=JavaScript>createPage(12, 3, 'index', 'shtml')</script>", (12, "index", "shtml")),
    ("createPageHTML('page_div', 9, 0, 'list', 'shtml', 133);", (9, "list", "shtml")),
    ('createPageHTML( 2 ,0,"index","htm")', (2, "index", "htm")),
    ("<div>第1页 共3页</div>", None),
])
def test_trs_pager_variants(script, expected):
    assert pager(script) == expected


def test_trs_list_items_in_li_table_rows_and_wrapping_anchors():
    html = """
    <ul class="list"><li><a href="./202302/t20230216_4100012.html" title="示例市人民政府办公室关于……的通知">示例市人民政府办公室关于…</a>
      <span>2023-02-16</span></li></ul>
    <table><tr class="zcwjk-list-c"><td class="num">1</td><td class="title"><a href="./202301/t20230110_41.shtml">
      <p class="tit">关于印发某办法的通知</p><p class="info"><span class="time">成文日期 ：2023-01-09</span></p></a></td></tr></table>
    <a class="listpc-item" href="./202212/t20221201_7.html"><li class="pub-unit fbjg-val" title="市政府">市政府</li>
      <li class="file-title" title="某某规定">某某规定</li><li class="file-code">渝府令〔2022〕358号</li>
      <li class="pub-time">2022-12-02</li></a>
    <div class="side"><a href="/other/unit/202302/t20230216_9.html">他单位热点</a><a href="../../index.html">首页</a></div>"""
    base = "http://x.gov.cn/zwgk/zcwj/szfwj/index_2.html"
    items = list_items(html, base, ARTICLE_RE, scope=column_scope(base))
    assert items == [
        ("http://x.gov.cn/zwgk/zcwj/szfwj/202302/t20230216_4100012.html", "示例市人民政府办公室关于……的通知", "2023-02-16"),
        # the list date is the publication date of the file name, not the 成文日期 of the row
        ("http://x.gov.cn/zwgk/zcwj/szfwj/202301/t20230110_41.shtml", "关于印发某办法的通知", "2023-01-10"),
        ("http://x.gov.cn/zwgk/zcwj/szfwj/202212/t20221201_7.html", "某某规定", "2022-12-02"),
    ]


def test_gkmlpt_config_and_api_dates():
    page = """<script>window._CONFIG = {SID:'200001', SITE_NAME:'示例', TREE:[{"id":2740,"name":"年度报告",
      "children":[{"id":2750,"name":"子类","children":[]}]},{"id":2741,"name":"其他 ]} 文件","children":[]}],
      SERVICE_AREA_ID: 2};</script>"""
    sid, tree = read_config(page)
    assert sid == "200001" and [t["id"] for t in tree] == [2740, 2741]
    assert article_date({"display_publish_time": "2023-02-20 09:30"}) == "2023-02-20"
    assert article_date({"date": 1676856600}) == "2023-02-20"  # 2023-02-20 09:30 China time
    assert read_config("<html>no config</html>") == (None, [])


def test_gkmlpt_body_is_read_from_the_json_escaped_detail_content():
    body = '<p>第一段"引号"与\\反斜杠</p><p><a href="/attachment/0/1/1.pdf">附件1</a></p><script>x</script>'
    escaped = json.dumps(body).replace("</", "<\\/")
    html = f"""<html><head><meta charset="utf-8"></head><body>
      <table><tr><th>索引号：</th><td>11440000/2023-00012</td><th>发布机构：</th><td>示例市卫生健康局</td></tr></table>
      <div class="article-content"></div>
      <script>window._CONFIG = {{SID:'1', DETAIL: {{"id":3,"title":"t","content":{escaped}}}}};
      </script></body></html>"""
    parts = GkmlptSpider.detail_parts(None, html, "http://x.gov.cn/gkmlpt/content/3/3819/post_3819395.html")
    assert parts.body_text.splitlines()[0] == '第一段"引号"与\\反斜杠'
    assert parts.attachments[0]["url"] == "http://x.gov.cn/attachment/0/1/1.pdf"
    assert ["索引号：", "11440000/2023-00012"] in parts.meta_pairs


def test_jpaas_pager_attributes_and_article_links():
    html = """<div class="jcms-pagination" count="386" rows="15" pageNo="1"
      unitUrl="/api-gateway/jpaas-publish-server/front/page/build/unit"
      queryData="{'webId':'3185','pageId':'1229000001','tagId':'信息列表','tplSetId':'abc'}"></div>
      <li><a href="/col/col1229000001/art/2023/art_0123456789abcdef0123456789abcdef.html" title="T">T</a><span>2023-02-20</span></li>
      <li><a href="/art/2023/2/20/art_1229000001_59000123.html">old</a></li>"""
    attrs = pager_attributes(html)
    assert (attrs["count"], attrs["rows"]) == ("386", "15")
    assert query_data(attrs["querydata"]) == {"webId": "3185", "pageId": "1229000001", "tagId": "信息列表",
                                              "tplSetId": "abc"}
    items = list_items(html, "http://x.gov.cn/col/col1229000001/index.html", JPAAS_ARTICLE)
    assert items == [("http://x.gov.cn/col/col1229000001/art/2023/art_0123456789abcdef0123456789abcdef.html",
                      "T", "2023-02-20")]


def test_page_declaring_gb2312_with_names_outside_it_decodes_as_gb18030():
    names = "关于李堃、王喆、朱镕同志任职的通知"
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            f"<body><h1>{names}</h1></body></html>")
    body = html.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")  # a strict gb2312 reader loses the names
    response = HtmlResponse("http://x.gov.cn/a.html", body=body, headers={"Content-Type": "text/html"})
    assert response.encoding == "gb18030"
    assert names in response.text and "\ufffd" not in response.text
    assert decoding_problem(response) is None
