"""README promises for analysts and rule tuners, from the command line: `govaudit crawls`,
`crawl --resume ID` after an interrupted crawl, and the GOVAUDIT_DB / GOVAUDIT_RULES variables."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govaudit.store import Store
from demoportal.server import DemoPortal
from tests.crawl_waits import wait_for_pages

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def govaudit(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("GOVAUDIT_DB", "GOVAUDIT_STORE", "GOVAUDIT_RULES",
                                                                  "GOVAUDIT_REPORTS")}
    return subprocess.run([sys.executable, "-m", "audits.cli", *args], capture_output=True, text=True, timeout=600,
                          env={**base, "GX_ANALYTICS_ENABLED": "False", "COLUMNS": "200", **(env or {})},
                          cwd=cwd or REPO)


def test_crawls_lists_the_stored_crawl_and_a_missing_store_is_a_usage_error(demo_portal, demo_crawl, tmp_path):
    store, summary = demo_crawl
    listed = govaudit("crawls", "--store", str(store))
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if f" {summary.crawl_id} " in line and "tongxiang-demo" in line)
    assert "complete" in row and f" {len(demo_portal.manifest['units'])} " in row  # every unit of the site
    with Store(store) as st:
        assert f" {st.page_count(summary.crawl_id)} " in row
    missing = govaudit("crawls", "--store", str(tmp_path / "none.sqlite3"))
    assert missing.returncode == 2 and "no store at" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()


def test_store_and_rules_come_from_the_environment(demo_crawl, tmp_path):
    store, summary = demo_crawl
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "expectations", rules)
    for path in rules.glob("*.yml"):
        if path.name not in ("copypaste.yml", "section_kinds.yml"):
            path.unlink()
    env = {"GOVAUDIT_DB": str(store), "GOVAUDIT_RULES": str(rules), "GOVAUDIT_REPORTS": str(tmp_path / "out")}
    result = govaudit("audit", "--crawl", str(summary.crawl_id), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # the copy-paste rules alone have no critical finding
    assert "COPY-1" in result.stderr and "FZ-DATE-1" not in result.stderr
    assert Path(result.stdout.split("report: ", 1)[1].strip()).is_relative_to(tmp_path / "out")
    with Store(store) as st:
        run = st.conn.execute("SELECT rules_dir FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    assert run[0] == str(rules)
    listed = govaudit("crawls", env=env, cwd=tmp_path)  # no --store: GOVAUDIT_DB
    assert listed.returncode == 0 and "tongxiang-demo" in listed.stdout
    assert not (tmp_path / "var").exists()  # the default store beside the working directory was not used


@pytest.mark.timeout(300)
def test_an_interrupted_crawl_is_finished_with_resume(tmp_path):
    site = yaml.safe_load((REPO / "crawler/sites/demo.yml").read_text(encoding="utf-8"))
    site["politeness"] = {"concurrency_per_host": 2, "delay": 0, "obey_robots": True}
    site_file = tmp_path / "slow-demo.yml"
    site_file.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    store = tmp_path / "govaudit.sqlite3"
    with DemoPortal(seed=7, size=210, faults={"/art/": "slow:0.1"}) as portal:
        proc = subprocess.Popen([sys.executable, "-m", "audits.cli", "crawl", str(site_file), "--base-url", portal.url,
                                 "--store", str(store), "--quiet"], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
        try:
            crawl_id = wait_for_pages(store, 30, proc, timeout=240)
            proc.send_signal(signal.SIGINT)  # Ctrl-C
            proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with Store(store) as st:
            assert st.crawl(crawl_id)["status"] == "partial"
            assert 30 <= st.page_count(crawl_id) < 210
        portal.set_fault("/art/", "")
        resumed = govaudit("crawl", str(site_file), "--base-url", portal.url, "--store", str(store), "--quiet",
                           "--resume", str(crawl_id), cwd=tmp_path)
        documents = {d["url_path"] for d in portal.manifest["documents"]}
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f"crawl {crawl_id} of tongxiang-demo: complete")
    with Store(store) as st:
        assert [c["id"] for c in st.crawls()] == [crawl_id]
        urls = [r[0] for r in st.conn.execute("SELECT url FROM pages WHERE crawl_id=? AND kind='detail'", (crawl_id,))]
    assert len(urls) == len(set(urls)) == len(documents)
    unknown = govaudit("crawl", str(site_file), "--store", str(store), "--resume", "999", cwd=tmp_path)
    assert unknown.returncode == 2, unknown.stderr


def test_a_recrawl_carries_unchanged_pages_over_and_full_fetches_them_all(demo_portal, tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    args = ("crawl", "demo", "--unit", "乌镇镇", "--base-url", demo_portal.url, "--store", str(store), "--quiet")
    first, again, full = govaudit(*args), govaudit(*args), govaudit(*args, "--full")
    assert first.returncode == again.returncode == full.returncode == 0, (first.stderr, again.stderr, full.stderr)
    assert "carried over" not in first.stdout and "carried over" not in full.stdout
    with Store(store) as st:
        ids = [c["id"] for c in st.crawls()]
        carried = [st.conn.execute("SELECT COUNT(carried_from) FROM pages WHERE crawl_id=?", (i,)).fetchone()[0]
                   for i in ids]
    assert carried[0] == 0 and carried[1] > 0 and carried[2] == 0
    assert f", {carried[1]} carried over unchanged;" in again.stdout
