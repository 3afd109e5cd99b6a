"""Hanweb catalog pages: the portal home, column pages and dataproxy.jsp responses.

A column page embeds its first perPage × groupSize records in a `<script type="text/xml">`
data island and starts the jpage pager with `totalRecord`; the rest comes from
`/module/web/jpage/dataproxy.jsp`, which answers both request styles of real sites:
a record window (startrecord/endrecord, inclusive, 1-based) and a page number (page with
perpage, default perPage × groupSize). Record markup varies per unit among real variants.
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from .model import Document
from .units import ALL_UNITS, HOST_TITLE, Unit

GROUP_SIZE = 3
PROXY = "/module/web/jpage/dataproxy.jsp"
MAX_PER_PAGE = 300  # real servers silently cap perpage around 300
# Records per page a portal may be built with: a paging window of GROUP_SIZE pages stays within the cap.
MAX_RECORDS_PER_PAGE = MAX_PER_PAGE // GROUP_SIZE
FOOTER = "Produced By 大汉网络 大汉版通发布系统"


def list_title(unit: Unit, doc: Document) -> str:
    """Anchor text as the catalog prints it (some templates cut long titles)."""
    if unit.record_style == "truncated" and len(doc.title) > 18:
        return doc.title[:16] + "..."
    return doc.title


def record_html(unit: Unit, doc: Document) -> str:
    path, date, full = doc.url_path, doc.published.date().isoformat(), escape(doc.title)
    text = escape(list_title(unit, doc))
    style = unit.record_style
    if style == "single_quote":
        return f"<li><a href='{path}' title='{full}' target='_blank'>{text}</a><span>{date}</span></li>"
    if style == "bold_date":
        return f'<li class="clearfix"><a target="_blank" href="{path}" title="{full}">{text}</a><b>{date}</b></li>'
    if style == "bracket_date":
        return (f'<li class="news_line"><a class="news_titel" href="{path}" target="_blank" title="{full}">{text}</a>'
                f'<span class="news_date">[{date}]</span></li>')
    return f'<li><a href="{path}" target="_blank" title="{full}">{text}</a><span>{date}</span></li>'


def _records(unit: Unit, docs: list[Document]) -> str:
    return "\n".join(f"<record><![CDATA[\n{record_html(unit, d)}]]></record>" for d in docs)


def nextgroup_url(unit: Unit) -> str:
    return (f"{PROXY}?page=1&appid=1&webid={unit.webid}&path=/&columnid={unit.column_id}"
            f"&unitid={unit.unit_id}&webname={quote(HOST_TITLE)}&permissiontype=0")


def column_page(unit: Unit, docs: list[Document]) -> str:
    """`docs` newest first."""
    first = docs[: unit.per_page * GROUP_SIZE]
    uid = unit.unit_id
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(unit.name)} {HOST_TITLE}</title>
<meta name="SiteName" content="{HOST_TITLE}">
<meta name="ColumnName" content="{escape(unit.name)}">
<meta name="ColumnType" content="政府信息公开目录">
</head>
<body>
<div class="crumb">当前位置:<a href="/">首页</a> &gt; <a href="/">政务公开</a> &gt; \
<a href="/">政府信息公开目录</a> &gt; <span>{unit.directory}</span> &gt; \
<a href="{unit.catalog_path}">{escape(unit.name)}</a></div>
<div class="xxgk-list">
<div id="{uid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{nextgroup_url(unit)}"></a>]]></nextgroup>
<recordset><ul class="list"></ul>
{_records(unit, first)}
</recordset>
</datastore></script></div>
<script type="text/javascript">
var param_{uid} = {{col:1,appid:1,webid:{unit.webid},path:'/',columnid:{unit.column_id},sourceContentType:1,\
unitid:'{uid}',webname:'{HOST_TITLE}',permissiontype:0}};
$(function(){{ $('#{uid}').jpage({{themeName:'default',showMode:'full',totalRecord:{len(docs)},\
openCookies:false,dataBefore:'<ul class="list">',dataAfter:'</ul>',groupSize:{GROUP_SIZE},\
proxyUrl:'{PROXY}',perPage:{unit.per_page},barPosition:'bottom',ajaxParam:param_{uid}}}); }});
</script>
</div>
<div class="footer">{FOOTER}</div>
</body>
</html>
"""


def proxy_window(unit: Unit, docs: list[Document], start: int, end: int) -> str:
    """Records start..end (1-based, inclusive), at most MAX_PER_PAGE of them."""
    start = max(start, 1)
    end = min(end, start + MAX_PER_PAGE - 1)
    chosen = docs[start - 1: end] if end >= start else []
    return _datastore(f"<totalrecord>{len(docs)}</totalrecord>", unit, chosen)


def proxy_page(unit: Unit, docs: list[Document], page: int, per_page: int) -> str:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    pages = -(-len(docs) // per_page)
    chosen = docs[(page - 1) * per_page: page * per_page] if page >= 1 else []
    head = (f"<nextgroup><![CDATA[<a href=\"{nextgroup_url(unit)}\"></a>]]></nextgroup>\n"
            f"<totalrecord>{len(docs)}</totalrecord>\n<totalpage>{pages}</totalpage>")
    return _datastore(head, unit, chosen)


def _datastore(head: str, unit: Unit, docs: list[Document]) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n{head}\n<recordset>\n'
            f"{_records(unit, docs)}\n</recordset>\n</datastore>\n")


def home_page(units: tuple[Unit, ...] = ALL_UNITS) -> str:
    groups: dict[str, list[str]] = {"市政府公开目录": [], "部门公开目录": [], "乡镇公开目录": []}
    for unit in units:
        if len(unit.catalog_paths) == 1:
            groups[unit.directory].append(f'<li><a href="{unit.catalog_path}">{escape(unit.name)}</a></li>')
        else:  # one unit, several columns: the unit's name, then a link per column
            names = ("年度报告", "通知公告")
            links = " ".join(f'<a href="{path}">{name}</a>' for path, name in zip(unit.catalog_paths, names))
            groups[unit.directory].append(f"<li>{escape(unit.name)}：{links}</li>")
    sections = "\n".join(f'<div class="gkml"><h3>{name}</h3><ul>{"".join(items)}</ul></div>'
                         for name, items in groups.items())
    return f"""<!DOCTYPE html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{HOST_TITLE}</title>
<meta name="SiteName" content="{HOST_TITLE}"></head>
<body>
<div class="header">{HOST_TITLE}</div>
<div class="nav"><a href="/">首页</a> <a href="/#zfxxgk">政务公开</a></div>
<div id="zfxxgk"><h2>政府信息公开目录</h2>
{sections}
</div>
<div class="footer">{FOOTER}</div>
</body>
</html>
"""
