"""The catalog sync compares documents, not addresses: the same portal served on another port
(or moved to https) reports nothing new, changed or gone."""
from __future__ import annotations

import pytest

from demoportal.server import DemoPortal
from crawler.crawl import run_crawl
from govaudit.store import Store
from crawler.catalog_sync import changes

pytestmark = pytest.mark.slow  # serves the demo portal, a browser or a service process


def test_same_portal_on_another_port_is_unchanged(tmp_path):
    store = tmp_path / "s.sqlite3"
    with DemoPortal(seed=7, size=300) as first, DemoPortal(seed=7, size=300) as second:
        assert second.url != first.url  # both alive, so two different ports
        run_crawl("demo", store, units=["乌镇镇", "濮院镇"], base_url=first.url, show_progress=False)
        again = run_crawl("demo", store, units=["乌镇镇", "濮院镇"], base_url=second.url, show_progress=False)
    assert again.changes == {"new": 0, "changed": 0, "gone": 0}
    with Store(store) as st:
        assert changes(st, again.crawl_id) == []
        assert st.page_count(again.crawl_id) > 40
