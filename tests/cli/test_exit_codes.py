"""Exit codes an operator's cron and scripts rely on: a crawl that reached nothing is a run error
(3), an unknown unit or language a usage error (2) found before any work is stored."""
from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import EXIT_RUN_ERROR, EXIT_USAGE, app
from audits.history import open_history
from govaudit.store import Store
from tests.cli_in_process import govaudit
from tests.mail_fixtures import SITE_UNITS, write_site

runner = CliRunner()


def stored_crawl(store: Path) -> int:
    with Store(store) as st:
        crawl_id = st.start_crawl("test-site", [unit for unit, _ in SITE_UNITS])
        st.finish_crawl(crawl_id, "complete", {"pages": 0})
    return crawl_id


@pytest.mark.slow  # the crawl runs in a child process
def test_a_crawl_where_every_catalog_failed_exits_3_and_is_marked_failed(tmp_path):
    site = write_site(tmp_path)  # every catalog on 127.0.0.1:9, where nothing answers
    store = tmp_path / "var" / "govaudit.sqlite3"
    done = govaudit("crawl", str(site), "--store", str(store), "-q")  # the crawl itself runs in its own process
    assert done.returncode == EXIT_RUN_ERROR, done.stdout + done.stderr
    assert ": failed" in done.stdout and "complete" not in done.stdout
    with Store(store) as st:
        assert [c["status"] for c in st.crawls()] == ["failed"]


def test_frames_of_an_unknown_unit_exit_2_and_name_the_crawls_units(tmp_path):
    store = tmp_path / "s.sqlite3"
    crawl_id = stored_crawl(store)
    result = runner.invoke(app, ["frames", "--store", str(store), "--crawl", str(crawl_id), "--unit", "不存在"])
    assert result.exit_code == EXIT_USAGE
    assert "has no unit '不存在'" in result.output and "濮院镇" in result.output
    typo = runner.invoke(app, ["frames", "--store", str(store), "--crawl", str(crawl_id), "--unit", "濮院"])
    assert typo.exit_code == EXIT_USAGE and "did you mean '濮院镇'" in typo.output
    known = runner.invoke(app, ["frames", "--store", str(store), "--crawl", str(crawl_id), "--unit", "濮院镇"])
    assert known.exit_code == 0, known.output


def test_audit_with_an_unknown_language_exits_2_before_storing_a_run(tmp_path):
    store = tmp_path / "s.sqlite3"
    crawl_id = stored_crawl(store)
    result = runner.invoke(app, ["audit", "--store", str(store), "--crawl", str(crawl_id), "--lang", "fr",
                                 "--reports", str(tmp_path / "out")])
    assert result.exit_code == EXIT_USAGE and "choose one of zh, en" in result.output
    with closing(open_history(store)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
    assert not (tmp_path / "out").exists()
