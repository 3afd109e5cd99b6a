"""Drives Debian's headless Chromium over the DevTools protocol, with no network at all.

Used to prove that a rendered report loads nothing but itself, runs no script, raises no console
error and reads correctly. Chromium is started on `about:blank` with a DevTools port chosen by
the OS; the port is read from the profile's DevToolsActivePort file, and the page's websocket is
found through the loopback /json/list endpoint. Every event is kept so a test can assert on
requests, console messages and dialogs after navigating.
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

BROWSER_NAMES = ("chromium", "chromium-browser")  # Debian's name, Ubuntu's and older Debian's


def find_chromium() -> Path | None:
    """Chromium on PATH (not one fixed path: installs differ between distributions)."""
    return next((Path(found) for name in BROWSER_NAMES if (found := shutil.which(name))), None)


CHROMIUM = find_chromium()


def require_chromium() -> Path:
    """Chromium on PATH, or a skip listed in tests/allowed_skips.txt (a failure under CI=true)."""
    from tests.corpus import absent

    binary = find_chromium()
    if binary is None:
        absent("Chromium", f"chromium absent: none of {', '.join(BROWSER_NAMES)} is on PATH "
                           "(apt-get install chromium; .ci/run installs it)")
    return binary
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--disable-features=Translate,OptimizationHints,MediaRouter", "--window-size=1280,900",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]


class Chromium:
    def __init__(self, binary: Path | None = None, timeout: float = 60.0):
        self.binary, self.timeout = binary or find_chromium(), timeout
        if self.binary is None:
            raise FileNotFoundError(f"none of {', '.join(BROWSER_NAMES)} is on PATH")
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def __enter__(self) -> "Chromium":
        self.profile = Path(tempfile.mkdtemp(prefix="govaudit-chromium-"))
        self.log = (self.profile / "stderr.log").open("wb")
        self.proc = subprocess.Popen([str(self.binary), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        port = self._devtools_port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=self.timeout) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=self.timeout,
                                              suppress_origin=True)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def _devtools_port(self) -> int:
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().splitlines()[0])
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.proc.returncode}: "
                                   f"{(self.profile / 'stderr.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        raise TimeoutError(f"chromium wrote no DevToolsActivePort within {self.timeout}s")

    def _receive(self) -> dict[str, Any]:
        message = json.loads(self.ws.recv())
        if "method" in message:
            self.events.append(message)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next_id += 1
        self.ws.send(json.dumps({"id": self._next_id, "method": method, "params": params or {}}))
        while True:
            message = self._receive()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, *methods: str) -> dict[str, Any]:
        """Block until one of the events arrives (or already has); a dialog also ends the wait."""
        seen = next((e for e in self.events if e["method"] in methods), None)
        while seen is None:
            message = self._receive()
            if message.get("method") in (*methods, "Page.javascriptDialogOpening"):
                seen = message
        return seen

    def open(self, url: str) -> None:
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 12000), "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def named(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e["method"] == method]
