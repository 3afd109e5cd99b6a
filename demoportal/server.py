"""Loopback HTTP server for the demo portal, and `DemoPortal`, which runs it in a subprocess.

    python -m demoportal.server --seed 7 --size 300 --port 0

prints exactly one line, `DEMO_PORTAL_URL http://127.0.0.1:PORT/`, once it accepts
connections, and logs nothing per request unless --verbose. The server runs in its own
process so that a crawler under test meets real sockets and real concurrency.

Fault injection: `--fault KEY=MODE[:ARG]` (repeatable) makes every request whose path starts
with KEY, or that belongs to the unit named KEY, answer with MODE instead (modes: see
`demoportal.faults`). Every 200 answer carries an ETag (a hash of the body) and a
Last-Modified time, and a conditional GET or HEAD that matches gets 304, as on a real
Apache/Tomcat front end. A control path under /_demo/ (loopback only, like the whole server)
switches faults and changes the portal between two crawls, and /_demo/requests returns the
request log (`demoportal.requestlog`); `DemoPortal` wraps them. `--disallow PREFIX` adds a
robots.txt Disallow line, so a test can check that a crawler keeps out. `--per-page N` makes
every Hanweb column list N records a page (paging windows of 3 pages, real Hanweb's default is
15); without it each unit keeps its own 5 to 15, which the tests and `make demo` count on.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Callable
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from . import catalog_pages as cp
from .attachment_pdf import pdf_bytes
from .changes import apply_changes
from .faults import FAULT_MODES, Faults, Reply, text_reply
from .dialect_routes import dialect_route
from .portal import Portal, build_portal
from .requestlog import RequestLog
from .units import Unit

__all__ = ["DemoPortal", "FAULT_MODES", "Faults", "PortalServer", "main"]

URL_LINE = "DEMO_PORTAL_URL "
COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")
ARTICLE = re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")
CONTROL = "/_demo/"


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops SYNs when a crawler opens many connections at
    # once while the accept loop waits for the GIL; the client then stalls a whole second.
    request_queue_size = 128

    def __init__(self, address, portal: Portal, faults: Faults, verbose: bool = False,
                 disallow: tuple[str, ...] = ()):
        super().__init__(address, PortalHandler)
        self.portal, self.faults, self.verbose = portal, faults, verbose
        self.robots = "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in disallow) + "Allow: /\n"
        self.requests = RequestLog()
        self.lock = threading.Lock()  # portal changes vs. page rendering
        # URL → (ETag, Last-Modified) of its last 200 answer. Hanweb publishes static files, so a
        # real front end answers a matching conditional request from file metadata without
        # building the page; so does this server. Cleared whenever the portal changes.
        self.validators: dict[str, tuple[str, float | None]] = {}


class PortalHandler(BaseHTTPRequestHandler):
    server: PortalServer
    _status: int | None = None  # status of the answer being sent, for the request log
    protocol_version = "HTTP/1.1"
    server_version = "Apache-Coyote/1.1"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._dispatch({})

    def do_HEAD(self) -> None:  # link checkers probe attachments with HEAD
        self._head_only = True  # one handler serves every request of a kept-alive connection
        try:
            self._dispatch({})
        finally:
            self._head_only = False

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace")) if length else {}
        self._dispatch(form)

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def send_body(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not getattr(self, "_head_only", False):
            self.wfile.write(body)

    def send_reply(self, reply: Reply, remember: bool = False) -> None:
        headers = dict(reply.headers)
        if reply.status == 200 and self.command in ("GET", "HEAD"):
            etag = '"' + hashlib.sha1(reply.body).hexdigest()[:20] + '"'
            if remember:
                self.server.validators[self.path] = (etag, reply.last_modified)
            if self._not_modified(etag, reply.last_modified):
                self._send_not_modified(etag, reply.last_modified)
                return
            headers["ETag"] = etag
            if reply.last_modified is not None:
                headers["Last-Modified"] = formatdate(reply.last_modified, usegmt=True)
        self.send_body(reply.status, reply.body, reply.content_type, headers)

    def _send_not_modified(self, etag: str, last_modified: float | None) -> None:
        self.send_response(304)
        self.send_header("ETag", etag)
        if last_modified is not None:
            self.send_header("Last-Modified", formatdate(last_modified, usegmt=True))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_modified(self, etag: str, last_modified: float | None) -> bool:
        """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts without it."""
        if (tags := self.headers.get("If-None-Match")) is not None:
            return tags.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in tags.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since and last_modified is not None:
            try:
                return int(last_modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _dispatch(self, form: dict[str, list[str]]) -> None:
        parts = urlsplit(self.path)
        params = {**parse_qs(parts.query), **form}
        if parts.path.startswith(CONTROL):
            self.send_reply(self._control(parts.path, params))
            return
        self._status = None
        # http.server decodes header bytes as Latin-1; a UTF-8 agent string is logged as sent.
        agent = self.headers.get("User-Agent", "").encode("latin-1", "replace").decode("utf-8", "replace")
        entry = self.server.requests.begin(self.command, self.path, agent,
                                           "%s:%s" % self.client_address[:2])
        try:
            self._serve(parts, params)
        finally:
            self.server.requests.end(entry, self._status)

    def _serve(self, parts, params: dict[str, list[str]]) -> None:
        try:
            route, unit = self._route(parts.path, params)
            mode = self.server.faults.match(parts.path, unit.name if unit else None)
            if not mode:
                known = self.server.validators.get(self.path) if self.command in ("GET", "HEAD") else None
                if known and self._not_modified(*known):
                    self._send_not_modified(*known)
                else:
                    self.send_reply(self._render(route), remember=True)
                return
            reply = self.server.faults.answer(mode, parts.path, params=params, drop=self._drop,
                                              port=self.server.server_address[1],
                                              serve=lambda other: self._render(self._route(parts.path, other)[0]
                                                                               if other else route))
            if reply is not None:
                self.send_reply(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _render(self, route: Callable[[], Reply]) -> Reply:
        with self.server.lock:
            return route()

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _route(self, path: str, params: dict) -> tuple[Callable[[], Reply], Unit | None]:
        portal = self.server.portal
        if path == "/robots.txt":
            return lambda: Reply(200, self.server.robots.encode(), "text/plain", last_modified=0.0), None
        if path in ("/", "/index.html"):
            return lambda: Reply(200, cp.home_page(portal.units).encode("utf-8"), last_modified=portal.modified), None
        if m := COLUMN.match(path):
            unit = portal.unit_by_column(int(m[1]))
            if unit is not None:
                return lambda: Reply(200, portal.column_html(unit).encode("utf-8"), last_modified=portal.modified), unit
            if (page := portal.site_column_html(int(m[1]))) is not None:
                return lambda: Reply(200, page.encode("utf-8")), None
        if path == cp.PROXY:
            return self._proxy_route(params)
        if (doc := portal.by_path.get(path)) is not None:
            return lambda: self._detail(doc), doc.unit
        if path == "/module/download/downfile.jsp":
            name = _first(params, "filename") or ""
            if portal.attachments.get(name) == 200:
                if name in portal.report_files:
                    return lambda: Reply(200, *portal.report_files.file(name), last_modified=0.0), None
                return lambda: Reply(200, pdf_bytes(name), "application/pdf", last_modified=0.0), None
        if portal.attachment_paths.get(path) == 200:
            return lambda: Reply(200, pdf_bytes(path.rsplit("/", 1)[1]), "application/pdf", last_modified=0.0), None
        return dialect_route(portal, path, params, self.headers.get("Host") or "127.0.0.1")

    def _detail(self, doc) -> Reply:
        if doc.http_status != 200:
            return text_reply(doc.http_status, f"{doc.http_status} Not Found")
        html = self.server.portal.detail_html(doc)
        modified = self.server.portal.last_modified(doc)
        if doc.encoding == "gbk":  # GBK bytes; the page may declare gbk or (legacy TRS) gb2312
            return Reply(200, html.encode("gbk"), "text/html", last_modified=modified)
        return Reply(200, html.encode("utf-8"), "text/html; charset=UTF-8" if doc.charset_in_header else "text/html",
                     last_modified=modified)

    def _proxy_route(self, params: dict) -> tuple[Callable[[], Reply], Unit | None]:
        portal = self.server.portal
        try:
            unit = portal.unit_by_column(int(_first(params, "columnid") or ""))
            unit_id = int(_first(params, "unitid") or "")
        except ValueError:
            unit, unit_id = None, None
        if unit is None or unit.unit_id != unit_id:
            return lambda: text_reply(400, "400 Bad Request: dataproxy.jsp needs a matching columnid and unitid"), None

        def answer() -> Reply:
            docs = portal.catalog(unit)
            if "startrecord" in params and "page" not in params:
                start = _int(params, "startrecord", 1)
                xml = cp.proxy_window(unit, docs, start, _int(params, "endrecord", start + unit.per_page * 3 - 1))
            else:
                per_page = _int(params, "perpage", unit.per_page * cp.GROUP_SIZE)
                xml = cp.proxy_page(unit, docs, _int(params, "page", 1), per_page)
            return Reply(200, xml.encode("utf-8"), "text/xml;charset=UTF-8", last_modified=portal.modified)
        return answer, unit

    def _control(self, path: str, params: dict) -> Reply:
        """/_demo/faults (GET: rules and hits; POST key=&mode=), /_demo/change
        (POST change=&delete=&add=&correct=&shorten=) and /_demo/requests (GET: the request log)."""
        faults = self.server.faults
        try:
            if path == CONTROL + "faults":
                if self.command == "POST":
                    faults.set(_first(params, "key") or "", _first(params, "mode") or "")
                result: object = {"rules": faults.rules, "hits": faults.hits}
            elif path == CONTROL + "requests":
                result = self.server.requests.as_json()
            elif path == CONTROL + "change" and self.command == "POST":
                with self.server.lock:
                    self.server.validators.clear()
                    result = apply_changes(self.server.portal, **_change_form(params))
            else:
                return text_reply(404, "404 Not Found: control paths are /_demo/faults, /_demo/change "
                                       "and /_demo/requests")
        except (KeyError, ValueError) as exc:
            return text_reply(400, f"400 Bad Request: {exc}")
        return Reply(200, json.dumps(result, ensure_ascii=False).encode("utf-8"), "application/json")


def _first(params: dict, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _int(params: dict, name: str, default: int) -> int:
    value = _first(params, name)
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def serve(seed: int, size: int, host: str, port: int, faults: Faults, verbose: bool,
          disallow: tuple[str, ...] = (), style: int | None = None, per_page: int | None = None) -> None:
    portal = build_portal(seed, size, style, per_page)
    server = PortalServer((host, port), portal, faults, verbose, disallow)
    print(f"{URL_LINE}http://{host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _fault_arg(text: str) -> tuple[str, str]:
    key, sep, mode = text.rpartition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--fault expects KEY=MODE[:ARG] (e.g. /col/col1229428650/=404 or "
                                         f"濮院镇=stub-paging:30), got {text!r}")
    return key, mode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demoportal.server", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fault", type=_fault_arg, action="append", default=[], metavar="KEY=MODE[:ARG]",
                        help=f"KEY is a path prefix or a unit name; MODE one of {', '.join(FAULT_MODES)}")
    parser.add_argument("--disallow", action="append", default=[], metavar="PREFIX",
                        help="a robots.txt Disallow line for every agent (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--style", type=int, default=0,
                        help="phrasing style seed (0: the default phrasing; see demoportal/styles.py)")
    parser.add_argument("--per-page", type=int, default=None, metavar="N",
                        help="records per page of every Hanweb column, paging windows of 3 pages "
                             "(default: each unit's own, 5 to 15; real Hanweb columns mostly list 15)")
    args = parser.parse_args(argv)
    try:
        faults = Faults(dict(args.fault))
    except ValueError as exc:
        parser.error(str(exc))
    if args.per_page is not None and not 1 <= args.per_page <= cp.MAX_RECORDS_PER_PAGE:
        parser.error(f"--per-page expects 1 to {cp.MAX_RECORDS_PER_PAGE} records, got {args.per_page}")
    serve(args.seed, args.size, args.host, args.port, faults, args.verbose, tuple(args.disallow), args.style,
          args.per_page)


def _change_form(params: dict[str, list[str]]) -> dict:
    """The keyword arguments of `apply_changes` from a control form (lists of strings)."""
    ids = {key: [int(i) for i in params.get(key, [])] for key in ("change", "delete", "correct", "shorten", "retitle")}
    return {**ids, "add": _int(params, "add", 0)}


class DemoPortal:
    """The demo portal running in a subprocess; a context manager.

    `manifest` is computed in this process from the same generator, so tests compare what
    the server serves against an independently built ground truth; changes made through
    `change` are replayed on it. `set_fault` and `fault_hits` switch and read the fault rules
    of the running server.
    """

    def __init__(self, seed: int = 7, size: int = 300, faults: dict[str, str] | None = None,
                 verbose: bool = False, startup_timeout: float = 120.0, disallow: tuple[str, ...] = (),
                 style: int = 0, host: str = "127.0.0.1", per_page: int | None = None):
        self.seed, self.size, self.faults = seed, size, dict(faults or {})
        self.host = host  # any 127.x.y.z address: several portals on distinct loopback hosts
        self.disallow = tuple(disallow)
        self.style = style
        self.per_page = per_page  # None: each Hanweb unit's own page size
        self.verbose, self.startup_timeout = verbose, startup_timeout
        self.url: str | None = None
        self._proc: subprocess.Popen | None = None
        self._manifest: dict | None = None
        self._changes: list[dict] = []
        self._stderr: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> "DemoPortal":
        """Start the server process; a portal that is already running is left as it is."""
        if self._proc is not None and self._proc.poll() is None:
            return self
        root = Path(__file__).resolve().parents[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        cmd = [sys.executable, "-u", "-m", "demoportal.server", "--seed", str(self.seed),
               "--size", str(self.size), "--port", "0", "--host", self.host]
        cmd += [arg for key, mode in self.faults.items() for arg in ("--fault", f"{key}={mode}")]
        cmd += [arg for prefix in self.disallow for arg in ("--disallow", prefix)]
        cmd += ["--verbose"] if self.verbose else []
        cmd += ["--style", str(self.style)] if self.style else []
        cmd += ["--per-page", str(self.per_page)] if self.per_page is not None else []
        self._stderr = tempfile.TemporaryFile()
        self._proc = proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True)
        self.url = self._read_url(proc)
        return self

    def _read_url(self, proc: subprocess.Popen) -> str:
        assert proc.stdout is not None  # stdout=PIPE
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            if ready:
                line = proc.stdout.readline()
                if line.startswith(URL_LINE):
                    return line[len(URL_LINE):].strip()
                if line:
                    continue
            if proc.poll() is not None:
                break
        error = self._stderr_text()
        self.stop()
        raise RuntimeError(f"demo portal (seed={self.seed}, size={self.size}) did not start: {error or 'timeout'}")

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:]

    def url_for(self, path: str) -> str:
        if self.url is None:
            raise RuntimeError("the demo portal is not running: call start() or use it as a context manager")
        return urljoin(self.url, path.lstrip("/"))

    @property
    def manifest(self) -> dict:
        if self._manifest is None:
            portal = build_portal(self.seed, self.size, self.style or None, self.per_page)
            for change in self._changes:
                apply_changes(portal, **change)
            self._manifest = portal.manifest()
        return self._manifest

    def _control(self, name: str, form: dict | None = None) -> Any:  # the JSON reply: a dict or a list
        data = urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with urllib.request.urlopen(self.url_for(f"{CONTROL}{name}"), data=data, timeout=30) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise ValueError(exc.read().decode("utf-8", "replace")) from None

    def change(self, change: Sequence[int | str] = (), delete: Sequence[int | str] = (), add: int = 0,
               correct: Sequence[int | str] = (), shorten: Sequence[int | str] = (),
               retitle: Sequence[int | str] = ()) -> dict:
        """Edit, withdraw, publish, correct, deface or retitle documents on the running server
        (see `changes.apply_changes`)."""
        lists = {"change": change, "delete": delete, "correct": correct, "shorten": shorten, "retitle": retitle}
        form = {key: [str(i) for i in ids] for key, ids in lists.items()}
        result = self._control("change", {**form, "add": str(add)})
        self._changes.append(_change_form({**form, "add": [str(add)]}))
        self._manifest = None
        return result

    def set_fault(self, key: str, mode: str) -> None:
        """Add or replace a fault rule on the running server; an empty mode removes it."""
        self._control("faults", {"key": key, "mode": mode})

    def fault_hits(self) -> dict[str, list[float]]:
        """Path → times at which a fault rule answered it."""
        return self._control("faults")["hits"]

    def requests(self) -> list[dict]:
        """Every request the server answered so far (see `demoportal.requestlog`)."""
        return self._control("requests")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc is not None and self._proc.stdout:
            self._proc.stdout.close()
        self._proc = None

    def __enter__(self) -> "DemoPortal":
        # `with start_demo_portal(...)` enters a portal that is already running: starting it
        # again would leave the first server process behind.
        return self if self._proc is not None else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()


if __name__ == "__main__":
    main()
