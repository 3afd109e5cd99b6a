"""Pages of the units on TRS WCM, gkmlpt and jpaas, imitating each platform as real portals show it.

TRS: static list pages `index.html`, `index_1.html`… (or `list.shtml`, `index.htm`) with the
pager script variants (`createPageHTML(N, k, "index", "html")`, Chongqing's `createPage(…)`,
the six-argument `createPageHTML('page_div', N, k, 'list', 'shtml', total)`), `<li>` or
table-row items with relative `./YYYYMM/tYYYYMMDD_ID.html` links, detail pages with a
label/value table in TRS wording (索 引 号, 主题分类, 发文机关, 成文日期 as 2023年02月20日, 发文字号,
有 效 性), `TRS_Editor` / `Custom_UnionStyle` / `TRS_UEDITOR` bodies and `W0…` attachments.
gkmlpt: `window._CONFIG` with SID and TREE, the `api/all/{cat}` JSON list, and detail pages
whose body is only a JSON-escaped string in `_CONFIG.DETAIL.content`. jpaas: a column page
with the pager's `queryData` attributes and the `build/unit` JSON endpoint.
"""
from __future__ import annotations

import json
import posixpath
from datetime import datetime, timedelta, timezone
from html import escape

from .detail_page import _body_html, render_detail
from .model import META_FIELDS, Document
from .units import HOST_TITLE, Unit

TRS_LABELS = {"index_no": "索 引 号", "category": "主题分类", "publisher": "发文机关", "issued_date": "成文日期",
              "doc_no": "发文字号", "disclosure_mode": "公开方式"}
GKMLPT_LABELS = {"index_no": "索引号", "category": "分类", "publisher": "发布机构", "issued_date": "成文日期",
                 "doc_no": "文号", "disclosure_mode": "公开方式"}
GKMLPT_TREE = (("nianbao", 2740, "年度报告"), ("caizheng", 2741, "财政预决算"), ("qita", 2742, "其他文件"))
CHINA = timezone(timedelta(hours=8))  # portal times are China Standard Time, printed without a zone
JPAAS_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
JPAAS_TAG = "信息列表"
JPAAS_TPLSET = "8c4a39f0d0a24a6c9d1e2b7f3a5c6e01"
CONTENT_END = "<!--/content-->"  # end of the body on TRS and gkmlpt pages (edits go before it)


def cn_date(value: str | None) -> str | None:
    """'2023-02-20' → '2023年02月20日' (TRS prints zero-padded Chinese dates); other text unchanged."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").strftime("%Y年%m月%d日")
    except ValueError:
        return value


def _pairs(doc: Document, labels: dict[str, str], chinese_dates: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, _ in META_FIELDS:
        value = doc.meta_value(name)
        if value is None:
            continue
        shown = cn_date(value) if chinese_dates and name == "issued_date" else value
        out.append((labels[name], shown or ""))
    return out


# --- TRS -----------------------------------------------------------------------------------

def trs_catalog(unit: Unit, channel: str, docs: list[Document]) -> list[Document]:
    """What a channel lists, newest first: 年度报告 the annual reports, 通知公告 (or the only channel) all."""
    if unit.columns and channel == f"{unit.home}{unit.columns[0]}/":
        return [d for d in docs if d.report_type.endswith("_annual")]
    return docs


def trs_page_count(unit: Unit, listed: int) -> int:
    return max(1, -(-listed // unit.per_page))


def _pager(unit: Unit, count: int, page: int, total: int) -> str:
    if unit.pager == "createPage":
        call = f'createPage({count}, {page}, "{unit.list_stem}", "{unit.list_ext}");'
    elif unit.pager == "createPageHTML6":
        call = f"createPageHTML('page_div', {count}, {page}, '{unit.list_stem}', '{unit.list_ext}', {total});"
    else:
        call = f'createPageHTML({count}, {page}, "{unit.list_stem}", "{unit.list_ext}");'
    return f'<div class="page" id="page_div"><script type="text/javascript">{call}</script></div>'


def _trs_item(unit: Unit, channel: str, doc: Document) -> str:
    href = posixpath.relpath(doc.url_path, channel)
    href = href if href.startswith("..") else "./" + href
    title, day = escape(doc.title), doc.published.date().isoformat()
    if unit.record_style == "table":
        return (f'<tr class="zcwjk-list-c"><td class="num">{doc.serial % 1000}</td><td class="title">'
                f'<a href="{href}" target="_blank"><p class="tit">{title}</p><p class="info">'
                f'<span>{escape(doc.doc_no or "")}</span><span class="time">成文日期 ：{doc.issued.isoformat()}</span>'
                f'</p></a></td><td class="date">{day}</td></tr>')
    return f'<li><a href="{href}" target="_blank" title="{title}">{title}</a><span>{day}</span></li>'


def trs_list_page(unit: Unit, channel: str, docs: list[Document], page: int) -> str:
    listed = trs_catalog(unit, channel, docs)
    count = trs_page_count(unit, len(listed))
    chosen = listed[page * unit.per_page:(page + 1) * unit.per_page]
    items = "\n".join(_trs_item(unit, channel, d) for d in chosen)
    table = unit.record_style == "table"
    body = f'<table class="zcwjk-list">{items}</table>' if table else f'<ul class="list">{items}</ul>'
    sep = "&nbsp;&gt;&nbsp;"
    name = "年度报告" if unit.columns and channel.endswith(f"/{unit.columns[0]}/") else "信息公开"
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={unit.charset}">
<title>{name}_{escape(unit.name)}</title>
<meta name="SiteName" content="{HOST_TITLE}"><meta name="ColumnName" content="{name}">
</head><body>
<div class="crumb"><a href="/" class="CurrChnlCls">首页</a>{sep}<a href="{unit.home}" class="CurrChnlCls">\
{escape(unit.name)}</a>{sep}<a href="./" class="CurrChnlCls">{name}</a></div>
<div class="xxgk-list">
{body}
{_pager(unit, count, page, len(listed))}
</div>
<div class="footer">主办：{escape(unit.full_name)}</div>
</body></html>
"""


def trs_detail(doc: Document, blocks: list[tuple[str, str]], seed: int) -> str:
    unit, title = doc.unit, escape(doc.title)
    pairs = _pairs(doc, TRS_LABELS, chinese_dates=True)
    pairs.insert(4, ("标　　题", doc.title))
    pairs += [("发布日期", doc.published.strftime("%Y年%m月%d日")), ("有 效 性", "有效")]
    cells = [f"<td class=\"lab\">{label}：</td><td>{escape(value)}</td>" for label, value in pairs]
    rows = "".join(f"<tr>{''.join(cells[i:i + 2])}</tr>" for i in range(0, len(cells), 2))
    links = "<br>".join(f'<a href="./{doc.attachment_path(n).rsplit("/", 1)[1]}">附件{i}.pdf</a>'
                        for i, (n, _s) in enumerate(doc.attachments, 1))
    files = f'<p>附件：{links}</p>' if links else ""
    # Newer WCM (UEditor) on the Suzhou-style template, the classic TRS_Editor elsewhere.
    editor = '<div class="TRS_Editor"><div class="Custom_UnionStyle">{}</div></div>'
    if unit.pager == "createPageHTML6":
        editor = '<div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_word">{}</div>'

    return f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={unit.charset}">
<title>{title}</title>
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{doc.published_at}">
<meta name="ContentSource" content="{escape(doc.source)}">
<meta name="catalogs" content="{sum(map(ord, doc.channel)) % 9000 + 1000}">
<meta name="contentid" content="{doc.doc_id}">
<meta name="publishdate" content="{doc.published.strftime('%Y-%m-%d %H:%M:%S')}">
</head><body>
<div class="crumb"><a href="../../" class="CurrChnlCls">首页</a>&nbsp;&gt;&nbsp;<a href="../" class="CurrChnlCls">\
{escape(unit.name)}</a></div>
<table class="xxgk-info">{rows}</table>
<h1>{title}</h1>
<div class="info">发布时间：{doc.published_at}　来源：{escape(doc.source)}</div>
{editor.format(_body_html(blocks) + CONTENT_END)}
{files}
</body></html>
"""


# --- gkmlpt --------------------------------------------------------------------------------

def gkmlpt_category(doc: Document) -> int:
    kind = doc.report_type
    return GKMLPT_TREE[0 if kind.endswith("_annual") else 1 if kind in ("budget", "final_accounts") else 2][1]


def gkmlpt_sid(unit: Unit) -> str:
    return f"7{unit.index_code[-5:]}"


def gkmlpt_index(unit: Unit) -> str:
    tree = [{"id": cid, "name": name, "parent": 0, "children": [], "jump_url": ""} for _, cid, name in GKMLPT_TREE]
    config = (f"{{SID:'{gkmlpt_sid(unit)}', SITE_NAME:'{escape(unit.full_name)}', "
              f"TREE:{json.dumps(tree, ensure_ascii=False)}, SERVICE_AREA_ID: 2}}")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开目录_{escape(unit.full_name)}</title></head>
<body><div id="app"></div>
<script>window._CONFIG = {config};</script>
<script src="{unit.home}gkmlpt/static/js/app.js"></script>
</body></html>
"""


def gkmlpt_api(unit: Unit, docs: list[Document], category: int, page: int, base: str) -> dict:
    listed = [d for d in docs if gkmlpt_category(d) == category]
    size = unit.per_page
    chosen = listed[(page - 1) * size:page * size] if page >= 1 else []
    name = next(n for _, c, n in GKMLPT_TREE if c == category)
    return {"classify": {"id": category, "name": name, "post_count": len(listed)},
            "articles": [{"id": d.doc_id, "title": d.title, "url": base.rstrip("/") + d.url_path,
                          "document_number": d.doc_no, "identifier": d.index_no, "publisher": d.publisher,
                          "date": int(d.published.replace(tzinfo=CHINA).timestamp()),
                          "display_publish_time": d.published.strftime("%Y-%m-%d"),
                          "classify_main_name": name} for d in chosen]}


def gkmlpt_detail(doc: Document, blocks: list[tuple[str, str]]) -> str:
    unit, title = doc.unit, escape(doc.title)
    pairs = _pairs(doc, GKMLPT_LABELS, chinese_dates=False)
    pairs.insert(4, ("名称", doc.title))
    pairs.append(("发布日期", doc.published.date().isoformat()))
    rows = "".join(f'<tr><th>{label}：</th><td>{escape(value)}</td></tr>' for label, value in pairs)
    links = "".join(f'<p><a href="{doc.attachment_path(n)}">附件{i}.pdf</a></p>'
                    for i, (n, _s) in enumerate(doc.attachments, 1))
    content = json.dumps(_body_html(blocks) + links + CONTENT_END, ensure_ascii=False).replace("</", "<\\/")
    detail = (f'{{"id":{doc.doc_id},"title":{json.dumps(doc.title, ensure_ascii=False)},'
              f'"publisher":{json.dumps(doc.publisher, ensure_ascii=False)},"content":{content}}}')
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{doc.published_at}">
<meta name="ContentSource" content="{escape(doc.source)}"></head>
<body>
<div class="classify"><table class="table-classify">{rows}</table></div>
<h1 class="title">{title}</h1>
<div class="article-info"><span>发布时间：{doc.published_at}</span> <span>来源：{escape(doc.source)}</span></div>
<div class="article-content" id="content"></div>
<script>window._CONFIG = {{SID:'{gkmlpt_sid(unit)}', DETAIL: {detail}}};</script>
</body></html>
"""


# --- jpaas ---------------------------------------------------------------------------------

def jpaas_items(docs: list[Document]) -> str:
    return "\n".join(f'<li><a href="{d.url_path}" target="_blank" title="{escape(d.title)}">{escape(d.title)}</a>'
                     f'<span>{d.published.date().isoformat()}</span></li>' for d in docs)


def jpaas_column(unit: Unit, docs: list[Document]) -> str:
    query = (f"{{'webId':'{unit.webid}','pageId':'{unit.column_id}','tagId':'{JPAAS_TAG}',"
             f"'tplSetId':'{JPAAS_TPLSET}'}}")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(unit.name)} {HOST_TITLE}</title>
<meta name="SiteName" content="{HOST_TITLE}"><meta name="ColumnName" content="{escape(unit.name)}"></head>
<body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{unit.catalog_path}">{escape(unit.name)}</a></div>
<div class="xxgk-list"><ul class="list">
{jpaas_items(docs[:unit.per_page])}
</ul>
<div class="jcms-pagination" id="page_{unit.column_id}" count="{len(docs)}" rows="{unit.per_page}" pageNo="1"
 unitUrl="{JPAAS_UNIT}" queryData="{query}"></div></div>
<script src="/jpaas-jsam-static/js/pagination.js"></script>
</body></html>
"""


def jpaas_unit_answer(unit: Unit, docs: list[Document], param_json: str | None) -> dict:
    """Only paramJson pages; a bare pageNo/page is ignored (always page 1), as on real servers."""
    try:
        params = json.loads(param_json) if param_json else {}
        page, size = int(params.get("pageNo", 1)), int(params.get("pageSize", unit.per_page))
    except (ValueError, TypeError, AttributeError):
        return {"success": False, "code": 500, "message": "paramJson 解析失败"}
    size = max(1, min(size, 100))
    chosen = docs[(page - 1) * size:page * size] if page >= 1 else []
    return {"success": True, "code": 200, "data": {"html": f'<ul class="list">{jpaas_items(chosen)}</ul>',
                                                    "total": len(docs)}}


def dialect_detail(doc: Document, blocks: list[tuple[str, str]], seed: int) -> str:
    if doc.unit.cms == "trs":
        return trs_detail(doc, blocks, seed)
    if doc.unit.cms == "gkmlpt":
        return gkmlpt_detail(doc, blocks)
    return render_detail(doc, blocks, seed)  # jpaas keeps the Hanweb detail template
