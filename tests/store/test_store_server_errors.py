"""A PostgreSQL store that cannot be used is one line naming the store, the cause and the fix, and
exit 3 from the CLI: unreachable server, refused login, missing database. The password never shows."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from govaudit.db import connect
from govaudit.store import StoreError
from tests.mockserver.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def govaudit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audits.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "GX_ANALYTICS_ENABLED": "False", **(env or {})})


def test_an_unreachable_server_names_the_store_and_says_to_start_it():
    url = f"postgresql://auditor:s3cret-pw@127.0.0.1:{free_port()}/govaudit"
    with pytest.raises(StoreError) as caught:
        connect(url)
    message = str(caught.value)
    assert message.startswith("cannot reach the PostgreSQL server of the store postgresql://auditor:***@127.0.0.1:")
    assert "start the server or fix host and port in the URL" in message
    assert "s3cret-pw" not in message and "\n" not in message


@pytest.mark.postgres
def test_a_wrong_password_says_the_login_was_refused(postgres_server):
    with pytest.raises(StoreError) as caught:
        connect(postgres_server.url("postgres", password="not-the-password"))
    message = str(caught.value)
    assert "refused the login" in message and "check the user and password in the URL" in message
    assert "not-the-password" not in message


@pytest.mark.postgres
def test_a_missing_database_says_to_create_it(postgres_server):
    with pytest.raises(StoreError, match=r"the database named in the store .*/no_such_db does not exist .*"
                                         r"create it \(createdb\) or fix the URL"):
        connect(postgres_server.url("no_such_db"))


@pytest.mark.postgres
def test_the_cli_prints_one_line_and_exits_3(postgres_server):
    wrong = postgres_server.url("postgres", password="not-the-password")
    for args, env in ((["crawls", "--store", wrong], None), (["crawls"], {"GOVAUDIT_DB": postgres_server.url("nodb")})):
        result = govaudit(*args, env=env)
        assert result.returncode == 3, result.stderr
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in lines[0], lines
        assert "not-the-password" not in lines[0] and "test-only-password" not in lines[0]


@pytest.mark.postgres
def test_the_cli_lists_the_crawls_of_a_server_store(postgres_url):
    from govaudit.store import Store

    with Store(postgres_url) as store:
        store.finish_crawl(store.start_crawl("demo", ["甲县教育局"]), "complete", {"pages": 3})
    result = govaudit("crawls", env={"GOVAUDIT_DB": postgres_url})
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "complete" in result.stdout
