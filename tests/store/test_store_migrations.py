"""A store written before the Alembic revisions existed upgrades in place when opened, and keeps
every row: built here with sqlite3 from the schema file of that release, as an installation has it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from audits.history import load_run, previous_run, resolve_run, site_runs
from audits.mail import outbox
from govaudit import migrations
from govaudit.db import connect, store_location
from govaudit.store import Store, StoreError

OLD_SCHEMA = Path(__file__).parent / "data" / "schema_before_migrations.sql"


def old_store(path: Path, drop: tuple[tuple[str, str], ...] = ()) -> Path:
    """A store as the release before the migrations wrote it, with one crawl, two pages, two runs
    (the second with findings inserted out of alphabetical order) and a queued message."""
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA.read_text(encoding="utf-8"))
    for table, column in drop:  # an even older store: columns added by later releases absent
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("INSERT INTO crawls (site, units, started_at, finished_at, status) VALUES "
                 "('demo', '[\"甲县教育局\"]', '2026-01-05T01:00:00+00:00', '2026-01-05T01:10:00+00:00', 'complete')")
    page_columns = {row[1] for row in conn.execute("PRAGMA table_info(pages)")}
    for url in ("http://x/2.html", "http://x/1.html"):
        row = {"crawl_id": 1, "url": url, "site": "demo", "unit": "甲县教育局", "unit_level": "county",
               "dialect": "generic", "kind": "detail", "headers": "{}", "html": "<p>正文</p>", "meta_pairs": "[]",
               "meta_tags": "{}", "body_text": "正文", "body_html": "<p>正文</p>", "attachments": "[]"}
        conn.execute(f"INSERT INTO pages ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    assert ("listing" in page_columns) == (("pages", "listing") not in drop)
    for run_id in (1, 2):
        conn.execute("INSERT INTO runs (site, crawl_id, started_at, created_at, rules_dir, crawl_status, critical) "
                     "VALUES ('demo', 1, ?, ?, 'expectations', 'complete', 3)",
                     (f"2026-01-0{run_id + 4}T02:00:00+00:00",) * 2)
    for rule in ("META-3", "META-1", "FZ-SEC-4"):  # stored order, not sorted order
        conn.execute("INSERT INTO findings (run_id, finding_key, site, unit, url, rule_id, kind, severity, message) "
                     "VALUES (2, ?, 'demo', '甲县教育局', 'http://x/1.html', ?, 'failure', 'critical', '缺少')",
                     (f"demo|http://x/1.html|{rule}", rule))
    conn.execute("INSERT INTO outbox (run_id, recipient, message_id, subject, message, next_attempt_at, created_at) "
                 "VALUES ('2', 'a@example.org', '<m@x>', '周报', X'41', '2026-01-06', '2026-01-06')")
    conn.commit()
    conn.close()
    return path


def columns(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                         "AND name NOT LIKE 'sqlite_%'")]
    found = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    conn.close()
    return found


def test_a_store_from_before_the_migrations_upgrades_in_place_and_keeps_its_rows(tmp_path):
    path = old_store(tmp_path / "govaudit.sqlite3")
    assert "alembic_version" not in columns(path)

    connect(path).close()

    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrations.head(),)]
    conn.close()
    # The upgraded file has exactly the tables and columns of a store created today.
    fresh = tmp_path / "fresh.sqlite3"
    connect(fresh).close()
    assert columns(path) == columns(fresh)
    # Nothing lost, and the findings come back in the order they were stored.
    run = load_run(path, 2)
    assert list(run.findings["rule_id"]) == ["META-3", "META-1", "FZ-SEC-4"]
    assert resolve_run(path, "latest", "demo") == 2 and previous_run(path, 2) == 1
    assert [r["id"] for r in site_runs(path, "demo")] == [1, 2]
    with Store(path) as store:
        assert [p.url for p in store.pages(1)] == ["http://x/1.html", "http://x/2.html"]
        assert store.resolve_crawl("latest", "demo") == 1
        assert [r["recipient"] for r in outbox.listing(store.conn)] == ["a@example.org"]
        new_crawl = store.start_crawl("demo", ["甲县教育局"])
    assert new_crawl == 2


def test_opening_an_upgraded_store_again_changes_nothing(tmp_path):
    path = old_store(tmp_path / "govaudit.sqlite3")
    connect(path).close()
    before = columns(path)
    connect(path).close()
    assert columns(path) == before
    assert list(load_run(path, 2).findings["rule_id"]) == ["META-3", "META-1", "FZ-SEC-4"]


def test_a_store_older_still_gets_the_columns_later_releases_added(tmp_path):
    path = old_store(tmp_path / "govaudit.sqlite3",
                     drop=(("pages", "listing"), ("pages", "column_kind"), ("runs", "trial")))
    connect(path).close()
    with Store(path) as store:
        pages = list(store.pages(1))
    assert [p.listing for p in pages] == [[], []]
    assert [r["trial"] for r in site_runs(path, "demo")] == [0, 0]  # older runs are runs of record


def test_a_store_file_that_is_not_a_database_is_one_clear_error(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("not a database\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match=r"cannot open the store .*notes\.sqlite3.*check the --store path"):
        connect(path)


@pytest.mark.parametrize("ref, message", [
    ("mysql://u@h/db", r"names a mysql database, which govaudit does not support; write sqlite:///"),
    ("sqlite://", r"names no file"),
    ("postgresql://u:secret@h", r"names no database"),
    ("postgresql://u:secret@h:notaport/db", r"cannot read the store URL|names no database|port"),
])
def test_a_store_url_govaudit_cannot_use_is_refused_with_the_fix(ref, message):
    with pytest.raises((StoreError, ValueError), match=message) as caught:
        store_location(ref)
    assert "secret" not in str(caught.value)


def test_the_store_is_named_by_govaudit_db_else_by_the_older_govaudit_store(monkeypatch, tmp_path):
    from audits import defaults

    monkeypatch.delenv("GOVAUDIT_DB", raising=False)
    monkeypatch.setenv("GOVAUDIT_STORE", str(tmp_path / "old.sqlite3"))
    assert defaults.store_path() == tmp_path / "old.sqlite3"
    monkeypatch.setenv("GOVAUDIT_DB", "postgresql://u:p@db.internal/govaudit")
    assert defaults.store_path() == "postgresql://u:p@db.internal/govaudit"
    assert defaults.store_path(f"sqlite:///{tmp_path}/x.sqlite3") == tmp_path / "x.sqlite3"  # --store wins


def test_a_sqlite_url_and_a_bare_path_name_the_same_file(tmp_path):
    path = tmp_path / "s.sqlite3"
    assert store_location(f"sqlite:///{path}") == path
    with Store(f"sqlite:///{path}") as store:
        store.start_crawl("demo", [])
    with Store(path) as store:
        assert [c["site"] for c in store.crawls()] == ["demo"]
    conn = connect(path)
    try:
        assert conn.execute(sa.select(sa.func.count()).select_from(sa.table("crawls"))).scalar() == 1
    finally:
        conn.close()


def test_the_head_every_command_compares_with_is_alembics_newest_revision():
    """`migrations.HEAD` is written down so commands need not load Alembic's script directory;
    a revision added without updating it would leave stores un-upgraded."""
    assert migrations.head() == migrations.alembic_head()
