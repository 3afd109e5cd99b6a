"""`govaudit sites detect` on the demo portal: the draft names every unit with its dialect and
catalogs as the hand-written demo.yml does, and crawls the same documents; a page that is no
catalog and links to none gets a message naming the fingerprints looked for."""
from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlparse

import pytest

from crawler.detect import detect
from crawler.crawl import run_crawl
from crawler.sites import load_site
from govaudit.store import Store

pytestmark = pytest.mark.slow


def _govaudit(*args):
    return subprocess.run([sys.executable, "-m", "audits.cli", *args], capture_output=True, text=True, timeout=300)


def _units(site):
    return {u.name: (u.level, u.cms, tuple(urlparse(c).path for c in u.catalogs)) for u in site.units}


@pytest.fixture(scope="module")
def drafted(demo_portal, tmp_path_factory):
    path = tmp_path_factory.mktemp("detect") / "detected.yml"
    result = _govaudit("sites", "detect", demo_portal.url, "--allow-private-hosts", "--delay", "0",
                       "--name", "tx-detected", "-o", str(path))
    assert result.returncode == 0, result.stderr
    return load_site(path)


def test_draft_names_every_unit_with_its_dialect_and_catalogs(drafted):
    hand = load_site("demo")
    assert _units(drafted) == _units(hand)
    assert drafted.title == "桐乡市人民政府" and drafted.cms == "hanweb" and drafted.allow_private_hosts


@pytest.mark.parametrize("cms", ["trs", "gkmlpt", "jpaas"])
def test_draft_crawls_the_same_documents_as_the_hand_written_config(cms, drafted, demo_portal, demo_crawl,
                                                                   tmp_path):
    store_path, summary = demo_crawl
    units = [u.name for u in drafted.units if u.cms == cms]
    with Store(store_path) as store:
        expected = {(p.unit, urlparse(p.url).path) for p in store.pages(summary.crawl_id)
                    if p.unit in units and p.kind == "detail"}
    store = tmp_path / "detected.sqlite3"
    crawl = run_crawl(drafted, store, units=units, base_url=demo_portal.url, show_progress=False,
                      settings_overrides={"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8})
    with Store(store) as st:
        found = {(p.unit, urlparse(p.url).path) for p in st.pages(crawl.crawl_id) if p.kind == "detail"}
    assert crawl.status == "complete" and expected and found == expected


@pytest.mark.parametrize("path, cms", [
    ("/zjj/xxgk/zcwj/list.shtml", "trs"), ("/wjj/gkmlpt/index", "gkmlpt"),
    ("/col/col1229428806/index.html", "jpaas"), ("/col/col1229428650/index.html", "hanweb"),
])
def test_a_catalog_url_is_recognised_by_itself(demo_portal, path, cms):
    found = detect([demo_portal.url_for(path)], allow_private=True, delay=0)
    [unit] = found.units
    assert unit.cms == cms and [urlparse(c).path for c in unit.catalogs] == [path] and found.checked == 1


def test_unrecognised_page_names_what_was_looked_for(demo_portal):
    result = _govaudit("sites", "detect", demo_portal.url_for("/robots.txt"), "--allow-private-hosts")
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "no catalog recognised" in message
    for fingerprint in ("window._CONFIG", "queryData", "<datastore>", "dataproxy.jsp", "createPageHTML"):
        assert fingerprint in message


def test_loopback_is_refused_unless_allowed(demo_portal):
    result = _govaudit("sites", "detect", demo_portal.url)
    assert result.returncode == 2
    assert "private or loopback address" in result.stderr and "--allow-private-hosts" in result.stderr
