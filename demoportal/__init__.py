"""A faithful local imitation of a county 政府信息公开 portal on the 大汉 Hanweb CMS.

It serves the 桐乡市 catalogs of fifteen units on loopback, with documents generated
deterministically from (seed, size) and a manifest of the defects injected into them, so
the crawler and the rules can be measured against known ground truth.

    from demoportal import build_portal, DemoPortal
"""
from __future__ import annotations

from .portal import Portal, build_portal

__all__ = ["DemoPortal", "Portal", "build_portal"]


def __getattr__(name: str):
    # Imported lazily so `python -m demoportal.server` does not import itself twice.
    if name == "DemoPortal":
        from .server import DemoPortal
        return DemoPortal
    raise AttributeError(name)
