"""Switchable faults of the demo portal: the ways real government portals fail a crawler.

A fault rule is `KEY=MODE` or `KEY=MODE:ARG`; KEY is a path prefix ("/art/2024/...") or a
unit name ("濮院镇"), so one document, one catalog or a whole unit can misbehave while the
rest of the portal stays healthy. Each mode is one function from a `FaultCall` (the request
and the portal's normal answer) to a `Reply`, or to None when it dropped the connection.
The server counts every request a rule answered, with its time, so tests can check how
often and how patiently a crawler came back.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .catalog_pages import PROXY


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: float | None = None  # POSIX time; with an ETag it makes the reply conditional


def text_reply(status: int, text: str, **headers: str) -> Reply:
    return Reply(status, text.encode("utf-8"), headers={k.replace("_", "-"): v for k, v in headers.items()})


@dataclass
class FaultCall:
    path: str
    params: dict[str, list[str]]
    arg: str | None
    hits: int  # requests this rule answered for this path, this one included
    serve: Callable[[dict | None], Reply]  # the portal's normal answer (optionally for other params)
    drop: Callable[[], None]  # close the connection without answering
    port: int


# 瑞数 (Riversecurity) style: HTTP 412, a tiny shell with <meta r="m">, an inline $_ts
# bootstrap and a cookie ending in 80S; a browser runs the script, a crawler sees nothing.
CHALLENGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="a3Rq0d9c" r="m"><script type="text/javascript" r="m">
$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=48921;$_ts.cd="qGcrrAlrqk9EcGAlqaGtkGLoEk3rDaVq";
</script><script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script>
</head><body></body></html>"""
# What a deep TRS list page sometimes is on real sites: a 300–400-byte page without the list.
TRS_STUB = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>"
            "<!-- WCM 发布失败: 模板置标解析错误 -->\n<div class=\"list\"></div>\n"
            "<script>var _pageerr=1;</script></body></html>\n").encode("utf-8")
TRS_PAGE = re.compile(r"_(\d+)\.(?:s?html?)$")
STUB_WINDOW = b'<?xml version="1.0" encoding="UTF-8"?><datastore/>\n'  # what deep offsets get
OFFSITE_HOSTS = ("http://www.example.gov.cn", "http://10.0.0.1", "http://127.0.0.2:{port}")
UNDECODABLE = b"\xff\xfe\xff"  # never valid in GBK or GB18030


def _status(code: int, text: str, **headers: str) -> Callable[[FaultCall], Reply]:
    return lambda call: text_reply(code, text, **headers)


def _flaky(call: FaultCall) -> Reply:
    """500 for the first ARG (default 2) requests of each path, then the real page."""
    return text_reply(500, "500 Internal Server Error") if call.hits <= int(call.arg or 2) else call.serve(None)


def _unavailable(call: FaultCall) -> Reply:
    return text_reply(503, "503 Service Unavailable", Retry_After=call.arg or "1")


def _too_many(call: FaultCall) -> Reply:
    return text_reply(429, "429 Too Many Requests", Retry_After=call.arg or "1")


def _challenge(call: FaultCall) -> Reply:
    cookie = f"FSSBBIl1UgzbN7N80S=a{call.hits:04d}Qz3L.eRsYpY6s0; Path=/; expires=Fri, 01 Jan 2038 00:00:00 GMT"
    return Reply(412, CHALLENGE.encode("utf-8"), headers={"Set-Cookie": cookie})


def _slow_every(call: FaultCall) -> Reply:
    """Every Nth request of a path (ARG "N/SECONDS", default 10/20) answers only after SECONDS:
    a site that times out on a share of visits, as the spot check's availability monitor sees it."""
    every, _, seconds = (call.arg or "10/20").partition("/")
    if call.hits % int(every) == 0:
        time.sleep(float(seconds or 20))
    return call.serve(None)


def _slow(call: FaultCall) -> Reply:
    time.sleep(float(call.arg or 3))
    return call.serve(None)


def _drop(call: FaultCall) -> None:
    call.drop()


def _redirect_loop(call: FaultCall) -> Reply:
    """A → A?loop=1 → A → …: two URLs sending the client to each other."""
    target = call.path if "loop" in call.params else f"{call.path}?loop=1"
    return text_reply(302, "302 Found", Location=target)


def _oversize(call: FaultCall) -> Reply:
    reply = call.serve(None)
    size = int(call.arg or 2_000_000)
    reply.body += b"<!--" + b"x" * max(0, size - len(reply.body)) + b"-->"
    return reply


def _html(reply: Reply) -> str:
    return reply.body.decode("gb18030" if b"charset=gbk" in reply.body[:600] else "utf-8")


def _malformed(call: FaultCall) -> Reply:
    """Closing tags of cells, rows, tables and paragraphs lost, unquoted attributes, no end of
    document: what hand-edited CMS templates produce. The content is still all there."""
    reply = call.serve(None)
    html = re.sub(r"</(td|th|tr|table|p|div)>", "", _html(reply))
    html = html.replace('class="xxgk_table"', "class=xxgk_table").replace("</body>\n</html>", "")
    reply.body, reply.content_type = html.encode("utf-8"), "text/html; charset=UTF-8"
    return reply


def _truncated(call: FaultCall) -> Reply:
    """The page stops after the breadcrumb: neither metadata nor body arrives."""
    reply = call.serve(None)
    html = _html(reply)
    reply.body = html[: html.index('<div class="xxgk_content">')].encode("utf-8")
    reply.content_type = "text/html; charset=UTF-8"
    return reply


def _window_start(params: dict[str, list[str]]) -> int:
    def num(name: str, default: int) -> int:
        try:
            return int(params[name][0])
        except (KeyError, IndexError, ValueError):
            return default
    if "page" in params:
        return (num("page", 1) - 1) * num("perpage", 15) + 1
    return num("startrecord", 1)


def _stub_paging(call: FaultCall) -> Reply:
    """Record windows past offset ARG (default 15) come back as an empty datastore; on a TRS
    unit, list pages index_K with K ≥ ARG (default 1) come back as a broken ~350-byte stub."""
    if call.path == PROXY and _window_start(call.params) > int(call.arg or 15):
        return Reply(200, STUB_WINDOW, "text/xml;charset=UTF-8")
    name = call.path.rsplit("/", 1)[-1]
    if (m := TRS_PAGE.search(name)) and not re.match(r"t\d{8}_", name) and int(m[1]) >= int(call.arg or 1):
        return Reply(200, TRS_STUB, "text/html")
    return call.serve(None)


def _paging_loop(call: FaultCall) -> Reply:
    """Record windows past offset ARG (default 15) all answer with the first window again."""
    if call.path == PROXY and _window_start(call.params) > int(call.arg or 15):
        params = {k: v for k, v in call.params.items() if k not in ("page", "startrecord", "endrecord")}
        return call.serve({**params, "startrecord": ["1"], "endrecord": [call.arg or "15"]})
    return call.serve(None)


def _offsite(call: FaultCall) -> Reply:
    """The unit's column page lists its first documents on other hosts: a public one, a
    private address and a second loopback address."""
    reply = call.serve(None)
    if not call.path.startswith("/col/"):
        return reply
    hosts = iter(h.format(port=call.port) for h in OFFSITE_HOSTS)
    html = re.sub(r"""(href=['"])(/art/)""", lambda m: m[1] + next(hosts, "") + m[2], _html(reply),
                  count=len(OFFSITE_HOSTS))
    reply.body = html.encode("utf-8")
    return reply


def _bad_gbk(call: FaultCall) -> Reply:
    """A GBK page (charset only in <meta>) with a byte sequence no GBK decoder accepts."""
    reply = call.serve(None)
    html = _html(reply).replace("charset=utf-8", "charset=gbk")
    body = html.encode("gbk", errors="xmlcharrefreplace")
    marker = b'<meta name="ContentStart">'
    reply.body = body.replace(marker, marker + b"\n<p>" + UNDECODABLE + b"</p>", 1)
    reply.content_type = "text/html"
    return reply


FAULT_MODES: dict[str, Callable[[FaultCall], Reply | None]] = {
    "404": _status(404, "404 Not Found"),
    "500": _status(500, "500 Internal Server Error"),
    "flaky": _flaky,
    "503": _unavailable,
    "412": _challenge,
    "403": _status(403, "403 Forbidden"),
    "429": _too_many,
    "slow": _slow,
    "slow-every": _slow_every,
    "drop": _drop,
    "redirect-loop": _redirect_loop,
    "oversize": _oversize,
    "malformed": _malformed,
    "truncated": _truncated,
    "stub-paging": _stub_paging,
    "paging-loop": _paging_loop,
    "offsite": _offsite,
    "bad-gbk": _bad_gbk,
}


class Faults:
    """Fault rules keyed by path prefix ("/col/...") or unit name ("濮院镇"), and what they answered."""

    def __init__(self, rules: dict[str, str] | None = None):
        self.rules: dict[str, str] = {}
        self.hits: dict[str, list[float]] = {}  # path → times a rule answered it
        self._lock = threading.Lock()
        for key, mode in (rules or {}).items():
            self.set(key, mode)

    def set(self, key: str, mode: str) -> None:
        """Add or replace a rule; an empty mode removes it."""
        if not mode:
            self.rules.pop(key, None)
            return
        if mode.partition(":")[0] not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r} for {key!r}; known modes: {sorted(FAULT_MODES)} "
                             "(optionally MODE:ARG, e.g. flaky:2, slow:5, stub-paging:30)")
        self.rules[key] = mode

    def match(self, path: str, unit_name: str | None) -> str | None:
        for key, mode in self.rules.items():
            if (key.startswith("/") and path.startswith(key)) or (unit_name is not None and key == unit_name):
                return mode
        return None

    def answer(self, mode: str, path: str, **call: object) -> Reply | None:
        name, _, arg = mode.partition(":")
        with self._lock:
            times = self.hits.setdefault(path, [])
            times.append(time.time())
            hits = len(times)
        return FAULT_MODES[name](FaultCall(path=path, arg=arg or None, hits=hits, **call))  # type: ignore[arg-type]
