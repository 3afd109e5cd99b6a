"""Routes of the TRS, gkmlpt and jpaas units of the demo portal (the Hanweb ones are in `server`).

TRS list pages `{channel}{stem}.{ext}` / `{stem}_{k}.{ext}` (404 past the last page, as a
static tree would), GBK bytes for the legacy site that declares gb2312 only in <meta>;
gkmlpt `…/gkmlpt/index` and `…/gkmlpt/api/all/{cat}?page=N&sid=SID` (a wrong SID is a
JSON error, as the platform answers); jpaas `build/unit`, which reads only `paramJson`.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from .dialect_pages import GKMLPT_TREE, JPAAS_UNIT, gkmlpt_sid, jpaas_unit_answer
from .faults import Reply, text_reply
from .portal import Portal
from .units import UNITS_BY_COLUMN, Unit

TRS_LIST = re.compile(r"^(?P<channel>/.+/)(?P<stem>[a-z_]+?)(?:_(?P<page>\d+))?\.(?P<ext>s?html?)$")
GKMLPT = re.compile(r"^(?P<home>/.*/)gkmlpt/(?:index|api/all/(?P<cat>\d+))$")


def _json(payload: dict, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")


def _first(params: dict, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def dialect_route(portal: Portal, path: str, params: dict, host: str) -> tuple[Callable[[], Reply], Unit | None]:
    if (m := TRS_LIST.match(path)) and (trs_unit := portal.trs_channels.get(m["channel"])) is not None \
            and (m["stem"], m["ext"]) == (trs_unit.list_stem, trs_unit.list_ext):
        channel, page, numbered = m["channel"], int(m["page"] or 0), m["page"] is not None

        def trs() -> Reply:
            found = portal.trs_list(channel, page)
            if found is None or (numbered and page == 0):
                return text_reply(404, "404 Not Found")
            html = found[1]
            if trs_unit.charset == "gb2312":
                return Reply(200, html.encode("gbk"), "text/html", last_modified=portal.modified)
            return Reply(200, html.encode("utf-8"), "text/html; charset=UTF-8", last_modified=portal.modified)
        return trs, trs_unit
    if m := GKMLPT.match(path):
        found_unit = next((u for u in portal.units if u.cms == "gkmlpt" and u.home == m["home"]), None)
        if found_unit is None:
            return lambda: text_reply(404, "404 Not Found"), None
        unit: Unit = found_unit
        if m["cat"] is None:
            return lambda: Reply(200, portal.gkmlpt_index(unit).encode("utf-8"), last_modified=portal.modified), unit
        cat = int(m["cat"])

        def api() -> Reply:
            if _first(params, "sid") != gkmlpt_sid(unit) or cat not in {c for _, c, _ in GKMLPT_TREE}:
                return _json({"code": 404, "msg": "栏目不存在"}, 200)
            try:
                page = int(_first(params, "page") or 1)
            except ValueError:
                page = 1
            return _json(portal.gkmlpt_api(unit, cat, page, f"http://{host}/"))
        return api, unit
    if path == JPAAS_UNIT:
        try:
            column = UNITS_BY_COLUMN.get(int(_first(params, "pageId") or 0))
        except ValueError:
            column = None
        if column is None or column.cms != "jpaas" or _first(params, "webId") != str(column.webid):
            return lambda: _json({"success": False, "code": 400, "message": "参数错误"}), None
        jpaas_unit: Unit = column
        return (lambda: _json(jpaas_unit_answer(jpaas_unit, portal.catalog(jpaas_unit), _first(params, "paramJson"))),
                jpaas_unit)
    return lambda: text_reply(404, "404 Not Found"), None
