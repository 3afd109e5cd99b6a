"""HTML of a Hanweb 政府信息公开 detail page, modelled on the seed page.

Layout: breadcrumb, the six-field metadata table (three rows of two label/value pairs),
the title heading, "发布时间:… 来源:…", then `<div id="zoom">` with the ContentStart /
ZJEG markers around the body, and the 大汉版通 footer. The metadata table markup varies
between pages as it does between real templates: `索引号:` with an ASCII colon (seed), `<th>`
labels with a full-width colon and &nbsp; padded values, or labels without colon padded with
U+3000 (索　引　号).
"""
from __future__ import annotations

from html import escape
from random import Random

from .model import META_FIELDS, Document
from .units import HOST_TITLE

FOOTER = "Produced By 大汉网络 大汉版通发布系统"
DOWNLOAD = "/module/download/downfile.jsp?classid=0&filename="


def _label(style: int, label: str) -> str:
    if style == 0:
        return f'<td class="xxgk_td1">{label}:</td>'
    if style == 1:
        return f'<th scope="row">{label}：</th>'
    padded = "　".join(label) if len(label) == 3 else label
    return f'<td class="xxgk_td1">{padded}</td>'


def _value(style: int, value: str) -> str:
    text = escape(value)
    return f'<td class="xxgk_td2">&nbsp;{text}</td>' if style == 1 else f'<td class="xxgk_td2">{text}</td>'


def metadata_table(doc: Document, style: int, labels: tuple[str, ...] | None = None) -> str:
    pairs = [(label, doc.meta_value(name)) for (name, label) in META_FIELDS]
    if labels:  # a styled portal's label set (信息索引号 / 发文机关 / 成文日期 …), same fields
        pairs = [(label, value) for label, (_, value) in zip(labels, pairs)]
    rows = []
    for i in range(0, 6, 2):
        cells = "".join(_label(style, label) + _value(style, value)
                        for label, value in pairs[i:i + 2] if value is not None)
        rows.append(f"<tr>{cells}</tr>")
    return ('<table class="xxgk_table" width="100%" border="0" cellspacing="0" cellpadding="0">'
            + "".join(rows) + "</table>")


def _body_html(blocks: list[tuple[str, str]]) -> str:
    out = []
    for kind, text in blocks:
        if kind == "table":
            out.append(text)
        elif kind == "h":
            out.append(f'<p style="text-indent:2em;"><strong>{escape(text)}</strong></p>')
        else:
            out.append(f'<p style="text-indent:2em;">{escape(text)}</p>')
    return "\n".join(out)


def _attachments(doc: Document) -> str:
    links = [f'<a href="{DOWNLOAD}{name}" target="_blank">附件{i}.{name.rsplit(".", 1)[-1]}</a>'
             for i, (name, _status) in enumerate(doc.attachments, 1)]
    return f'<p style="text-indent:2em;">附件:{"<br>".join(links)}</p>' if links else ""


def _crumb(doc: Document) -> str:
    unit = doc.unit
    leaf = f"报告统计 &gt; {doc.category}" if doc.report_type.endswith("_annual") else escape(doc.category)
    return (f'<div class="crumb">当前位置:<a href="/">首页</a>&gt;\n&gt; <a href="/">政务公开</a> &gt; '
            f'<a href="/">政府信息公开目录</a> &gt; <span>{unit.directory}</span> &gt; '
            f'<a href="{unit.catalog_path}">{escape(unit.name)}</a> &gt; <span>{leaf}</span></div>')


def render_detail(doc: Document, blocks: list[tuple[str, str]], seed: int, phrasing=None) -> str:
    r = Random(f"{seed}:{doc.doc_id}:layout")
    style = 0 if doc.flags.get("seed") else r.randrange(3)
    labels, date_line = None, f"发布时间:{doc.published_at}"
    if phrasing is not None and not doc.flags.get("seed"):
        labels = phrasing.pick(r, "labels")
        date_line = phrasing.pick(r, "date_line").format(d=doc.published)
    charset = "gbk" if doc.encoding == "gbk" else "utf-8"
    title = escape(doc.title)
    id_meta = (f'<meta name="i_articleid" content="{doc.doc_id}">' if r.random() < 0.5
               else f'<meta content="{doc.doc_id}" name="i_articleid">')
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title} {HOST_TITLE}</title>
<meta name="SiteName" content="{HOST_TITLE}">
<meta name="SiteDomain" content="www.tx.gov.cn">
<meta name="SiteIDCode" content="3304830001">
<meta name="ColumnName" content="{escape(doc.category)}">
<meta name="ColumnType" content="{escape(doc.category)}">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{doc.published_at}">
<meta name="ContentSource" content="{escape(doc.source)}">
<meta name="i_columnid" content="{doc.unit.column_id}">
{id_meta}
<meta name='Maketime' content='{doc.published.strftime("%Y-%m-%d %H:%M:%S")}'>
</head>
<body>
<div class="header"><a href="/">{HOST_TITLE}</a></div>
{_crumb(doc)}
<div class="xxgk_content">
{metadata_table(doc, style, labels)}
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">{date_line} 来源:{escape(doc.source)} 浏览次数:<span id="hits"></span> \
<a href="javascript:window.print()">打印</a></div>
<div id="zoom">
<!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{_body_html(blocks)}
{_attachments(doc)}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end-->
</div>
</div>
</div>
<div class="footer">主办:桐乡市人民政府办公室 <!-- {FOOTER} --><p>{FOOTER}</p></div>
</body>
</html>
"""
