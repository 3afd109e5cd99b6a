"""Test helpers that run the demo portal as a real HTTP server in a subprocess.

Scrapy's own test suite does the same (tests/mockserver): the server listens on a free
loopback port and prints its address, so tests exercise real sockets, real paging requests
and real encodings rather than canned responses.
"""
from __future__ import annotations

from demoportal.server import DemoPortal

__all__ = ["DemoPortal", "start_demo_portal"]


def start_demo_portal(seed: int = 7, size: int = 300, faults: dict[str, str] | None = None) -> DemoPortal:
    """A started portal; call `.stop()` (or use it as a context manager) when done."""
    return DemoPortal(seed=seed, size=size, faults=faults).start()
