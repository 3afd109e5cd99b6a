"""Loopback HTTP server for the demo portal, and `DemoPortal`, which runs it in a subprocess.

    python -m crawler.demoportal.server --seed 7 --size 300 --port 0

prints exactly one line, `DEMO_PORTAL_URL http://127.0.0.1:PORT/`, once it accepts
connections, and logs nothing per request unless --verbose. The server runs in its own
process so that a crawler under test meets real sockets and real concurrency.

Fault injection: `--fault KEY=MODE` (repeatable) makes every request whose path starts with
KEY, or that belongs to the unit named KEY, answer with MODE instead. Modes live in
`FAULT_MODES`; a new mode (412 challenge, 429, slow, dropped connection) is one function.
"""
from __future__ import annotations

import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urljoin, urlsplit

from . import catalog_pages as cp
from .attachment_pdf import pdf_bytes
from .portal import Portal, build_portal
from .units import Unit

URL_LINE = "DEMO_PORTAL_URL "
COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")
ARTICLE = re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")


def _fault_status(code: int, text: str) -> Callable[["PortalHandler"], None]:
    return lambda handler: handler.send_text(code, text)


FAULT_MODES: dict[str, Callable[["PortalHandler"], None]] = {
    "404": _fault_status(404, "404 Not Found"),
    "500": _fault_status(500, "500 Internal Server Error"),
}


class Faults:
    """Switchable faults, keyed by path prefix ("/col/...") or unit name ("濮院镇")."""

    def __init__(self, rules: dict[str, str] | None = None):
        self.rules: dict[str, str] = {}
        for key, mode in (rules or {}).items():
            self.set(key, mode)

    def set(self, key: str, mode: str) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r} for {key!r}; known modes: {sorted(FAULT_MODES)}")
        self.rules[key] = mode

    def match(self, path: str, unit: Unit | None) -> str | None:
        for key, mode in self.rules.items():
            if (key.startswith("/") and path.startswith(key)) or (unit is not None and key == unit.name):
                return mode
        return None


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, portal: Portal, faults: Faults, verbose: bool = False):
        super().__init__(address, PortalHandler)
        self.portal, self.faults, self.verbose = portal, faults, verbose


class PortalHandler(BaseHTTPRequestHandler):
    server: PortalServer
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

    def send_body(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not getattr(self, "_head_only", False):
            self.wfile.write(body)

    def send_text(self, status: int, text: str) -> None:
        self.send_body(status, text.encode("utf-8"), "text/html; charset=UTF-8")

    def _dispatch(self, form: dict[str, list[str]]) -> None:
        parts = urlsplit(self.path)
        params = {**parse_qs(parts.query), **form}
        route, unit = self._route(parts.path, params)
        mode = self.server.faults.match(parts.path, unit)
        try:
            FAULT_MODES[mode](self) if mode else route()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self, path: str, params: dict) -> tuple[Callable[[], None], Unit | None]:
        portal = self.server.portal
        if path == "/robots.txt":
            return lambda: self.send_body(200, b"User-agent: *\nAllow: /\n", "text/plain"), None
        if path in ("/", "/index.html"):
            return lambda: self.send_text(200, cp.home_page()), None
        if m := COLUMN.match(path):
            unit = portal.unit_by_column(int(m[1]))
            if unit is not None:
                return lambda: self.send_text(200, portal.column_html(unit)), unit
        if path == cp.PROXY:
            return self._proxy_route(params)
        if ARTICLE.match(path) and (doc := portal.by_path.get(path)) is not None:
            return lambda: self._detail(doc), doc.unit
        if path == "/module/download/downfile.jsp":
            status = portal.attachments.get(_first(params, "filename"))
            if status == 200:
                return lambda: self.send_body(200, pdf_bytes(_first(params, "filename")), "application/pdf"), None
        return lambda: self.send_text(404, "404 Not Found"), None

    def _detail(self, doc) -> None:
        if doc.http_status != 200:
            self.send_text(doc.http_status, f"{doc.http_status} Not Found")
            return
        html = self.server.portal.detail_html(doc)
        if doc.encoding == "gbk":
            self.send_body(200, html.encode("gbk"), "text/html")
        else:
            self.send_body(200, html.encode("utf-8"), "text/html; charset=UTF-8" if doc.charset_in_header else "text/html")

    def _proxy_route(self, params: dict) -> tuple[Callable[[], None], Unit | None]:
        portal = self.server.portal
        try:
            unit = portal.unit_by_column(int(_first(params, "columnid")))
            unit_id = int(_first(params, "unitid"))
        except (TypeError, ValueError):
            unit, unit_id = None, None
        if unit is None or unit.unit_id != unit_id:
            return lambda: self.send_text(400, "400 Bad Request: dataproxy.jsp needs a matching columnid and unitid"), None
        docs = portal.catalog(unit)

        def answer() -> None:
            if "startrecord" in params and "page" not in params:
                start = _int(params, "startrecord", 1)
                xml = cp.proxy_window(unit, docs, start, _int(params, "endrecord", start + unit.per_page * 3 - 1))
            else:
                per_page = _int(params, "perpage", unit.per_page * cp.GROUP_SIZE)
                xml = cp.proxy_page(unit, docs, _int(params, "page", 1), per_page)
            self.send_body(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")
        return answer, unit


def _first(params: dict, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _int(params: dict, name: str, default: int) -> int:
    try:
        return int(_first(params, name))
    except (TypeError, ValueError):
        return default


def serve(seed: int, size: int, host: str, port: int, faults: Faults, verbose: bool) -> None:
    portal = build_portal(seed, size)
    server = PortalServer((host, port), portal, faults, verbose)
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
        raise argparse.ArgumentTypeError(f"--fault expects KEY=MODE (e.g. /col/col1229428650/=404), got {text!r}")
    return key, mode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.demoportal.server", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fault", type=_fault_arg, action="append", default=[], metavar="KEY=MODE")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    try:
        faults = Faults(dict(args.fault))
    except ValueError as exc:
        parser.error(str(exc))
    serve(args.seed, args.size, args.host, args.port, faults, args.verbose)


class DemoPortal:
    """The demo portal running in a subprocess; a context manager.

    `manifest` is computed in this process from the same generator, so tests compare what
    the server serves against an independently built ground truth.
    """

    def __init__(self, seed: int = 7, size: int = 300, faults: dict[str, str] | None = None,
                 verbose: bool = False, startup_timeout: float = 120.0):
        self.seed, self.size, self.faults = seed, size, dict(faults or {})
        self.verbose, self.startup_timeout = verbose, startup_timeout
        self.url: str | None = None
        self._proc: subprocess.Popen | None = None
        self._manifest: dict | None = None
        self._stderr = None

    def start(self) -> "DemoPortal":
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        cmd = [sys.executable, "-u", "-m", "crawler.demoportal.server", "--seed", str(self.seed),
               "--size", str(self.size), "--port", "0"]
        cmd += [arg for key, mode in self.faults.items() for arg in ("--fault", f"{key}={mode}")]
        cmd += ["--verbose"] if self.verbose else []
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True)
        self.url = self._read_url()
        return self

    def _read_url(self) -> str:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._proc.stdout], [], [], 0.5)
            if ready:
                line = self._proc.stdout.readline()
                if line.startswith(URL_LINE):
                    return line[len(URL_LINE):].strip()
                if line:
                    continue
            if self._proc.poll() is not None:
                break
        error = self._stderr_text()
        self.stop()
        raise RuntimeError(f"demo portal (seed={self.seed}, size={self.size}) did not start: {error or 'timeout'}")

    def _stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:]

    def url_for(self, path: str) -> str:
        return urljoin(self.url, path.lstrip("/"))

    @property
    def manifest(self) -> dict:
        if self._manifest is None:
            self._manifest = build_portal(self.seed, self.size).manifest()
        return self._manifest

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
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()


if __name__ == "__main__":
    main()
