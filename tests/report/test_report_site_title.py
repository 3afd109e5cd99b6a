"""The report names the portal by the site config's title, keeping the short name beside it."""
from __future__ import annotations

import re

import pytest

from crawler.sites import load_site

pytestmark = pytest.mark.slow


def test_report_shows_the_site_title(demo_audit):
    _, report = demo_audit
    html = report.read_text(encoding="utf-8")
    site = load_site("demo")
    assert site.title and site.title != site.name
    assert re.search(rf"<title>{re.escape(site.title)} · ", html)
    assert re.search(rf'<span class="site">{re.escape(site.title)} \({re.escape(site.name)}\) · ', html)
