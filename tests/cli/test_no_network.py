"""Nothing at run time reaches beyond loopback: the audit and the report, with sockets watched."""
from __future__ import annotations

import ipaddress
import socket

import pytest

from audits.audit import audit_crawl, render

LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", None, ""}


def _is_local(host) -> bool:
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


@pytest.fixture()
def outbound(monkeypatch):
    """Every name looked up or address connected to that is not loopback (and refuse them)."""
    seen: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            seen.append(f"lookup {host}")
            raise socket.gaierror("outbound lookups are refused in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(host):
            seen.append(f"connect {address}")
            raise OSError("outbound connections are refused in this test")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def test_audit_and_report_stay_on_the_machine(demo_crawl, outbound, tmp_path):
    store, summary = demo_crawl
    result = audit_crawl(store, summary.crawl_id)
    report = render(store, result.run_id, tmp_path)
    assert len(result.findings) and report.exists()
    assert outbound == []
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "@import" not in html and 'src="http' not in html
