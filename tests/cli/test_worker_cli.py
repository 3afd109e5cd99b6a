"""`govaudit worker` and `govaudit crawl --workers` against a Redis that is not there: one line
naming the URL (without its password) and the fix, exit 3, and no crawl left behind."""
from __future__ import annotations

import socket

from typer.testing import CliRunner

from audits.cli import app
from govaudit.store import Store


def _closed_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_worker_with_no_redis_says_where_and_what_to_do():
    url = f"redis://:s3cret@127.0.0.1:{_closed_port()}/0"
    result = CliRunner().invoke(app, ["worker", url, "--once"])
    assert result.exit_code == 3, result.output
    assert "cannot reach the worker queue" in result.output and "redis-server is running" in result.output
    assert "s3cret" not in result.output and ":***@127.0.0.1" in result.output


def test_crawl_with_workers_and_no_redis_fails_before_a_crawl_exists(tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    result = CliRunner().invoke(app, ["crawl", "demo", "--store", str(store), "--workers", url, "-q"])
    assert result.exit_code == 3, result.output
    assert "cannot use the worker queue" in result.output and url in result.output
    if store.exists():
        with Store(store) as st:
            assert st.crawls() == [], "a crawl row was left behind for a crawl that never started"
