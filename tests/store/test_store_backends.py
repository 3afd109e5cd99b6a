"""The store's promises on both backends: every test runs on a SQLite file and on a real
PostgreSQL database (the `store_ref` fixture; the PostgreSQL half is marked postgres and slow)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from audits.api import open_store
from audits.history import finding_keys_by_run, load_run, previous_run, resolve_run, site_runs
from audits.mail import outbox
from audits.schedule.schedule_file import load_schedule
from audits.schedule.scheduler import FLUSH_JOB_ID, JOBSTORE_TABLE, prepare
from crawler.catalog_sync import changes, sync_crawl
from crawler.pipelines.store import StorePipeline
from govaudit import schema
from govaudit.db import connect
from govaudit.records import PageRecord
from govaudit.store import Store
from tests.mail_fixtures import RECORDING_SCHEDULE, write_site
from tests.report_runs import SITE, realistic_run, record

NOW = datetime(2024, 4, 8, 2, 0, tzinfo=timezone.utc)


def page(url: str, unit: str = "濮院镇", title: str = "通知", body: str = "正文") -> PageRecord:
    return PageRecord(url=url, site=SITE, unit=unit, unit_level="township", dialect="generic", kind="detail",
                      list_title=title, list_date="2024-04-01", http_status=200, headers={"Content-Type": "text/html"},
                      fetched_at="2024-04-08T01:00:00+00:00", encoding="utf-8", html=f"<p>{body}</p>",
                      page_title=title, meta_pairs=[["发布机构", "濮院镇"]], meta_tags={}, body_text=body,
                      body_html=f"<p>{body}</p>", attachments=[{"url": url + ".pdf", "status": "skipped"}], error=None)


def test_crawls_pages_and_attachment_files(store_ref):
    with Store(store_ref) as store:
        crawl_id = store.start_crawl(SITE, ["濮院镇", "梧桐街道"], "sites/tx.yml")
        store.save_page(crawl_id, page("http://x/2.html", title="旧标题"))
        store.save_page(crawl_id, page("http://x/2.html", title="新标题"))  # a resumed crawl overwrites
        store.save_page(crawl_id, page("http://x/1.html", unit="梧桐街道", body="<script>“引号”</script>"))
        store.save_attachment_file("ab" * 32, "application/pdf", b"%PDF-1.4\x00\xff")
        store.save_attachment_file("ab" * 32, "application/pdf", b"other bytes, same hash: kept once")
        assert store.page_count(crawl_id) == 2
        store.finish_crawl(crawl_id, "complete", {"pages": 2})
        assert store.resolve_crawl("latest", SITE) == crawl_id
        pages = list(store.pages(crawl_id))
        assert [(p.unit, p.url, p.list_title) for p in pages] == [
            ("梧桐街道", "http://x/1.html", "通知"), ("濮院镇", "http://x/2.html", "新标题")]
        assert pages[0].body_text == "<script>“引号”</script>" and pages[0].meta_pairs == [["发布机构", "濮院镇"]]
        assert [p.url for p in store.pages(crawl_id, ["濮院镇"])] == ["http://x/2.html"]
        assert store.attachment_file("ab" * 32) == b"%PDF-1.4\x00\xff"
        assert store.crawl(crawl_id)["units"] == ["濮院镇", "梧桐街道"]
        with pytest.raises(LookupError, match="no crawl with id 99"):
            store.resolve_crawl(99)


def test_catalog_changes_between_two_crawls(store_ref):
    with Store(store_ref) as store:
        first = store.start_crawl(SITE, ["濮院镇"])
        store.save_page(first, page("http://x/a.html"))
        store.save_page(first, page("http://x/b.html"))
        store.finish_crawl(first, "complete", {})
        second = store.start_crawl(SITE, ["濮院镇"])
        store.save_page(second, page("http://x/a.html", body="改过的正文"))
        store.save_page(second, page("http://x/c.html"))
        store.finish_crawl(second, "complete", {})
        assert sync_crawl(store, second) == {"new": 1, "changed": 1, "gone": 1}
        assert sorted((c["change"], c["url"]) for c in changes(store, second)) == [
            ("changed", "http://x/a.html"), ("gone", "http://x/b.html"), ("new", "http://x/c.html")]


def test_the_crawl_pipeline_stores_what_the_spider_yields(store_ref):
    with Store(store_ref) as store:
        crawl_id = store.start_crawl(SITE, ["濮院镇"])
    pipeline = StorePipeline(store_ref, crawl_id)
    pipeline.open_spider()
    try:
        assert pipeline.store is not None
        if pipeline.store.conn.dialect == "sqlite":  # WAL commits without a flush (synchronous=NORMAL)
            assert pipeline.store.conn.execute("PRAGMA synchronous").scalar() == 1
        for n in range(5):
            assert pipeline.process_item(page(f"http://x/{n}.html")).url == f"http://x/{n}.html"
            with Store(store_ref) as other:  # committed as it arrives: another reader sees it at once
                assert other.page_count(crawl_id) == n + 1
    finally:
        pipeline.close_spider()
    with Store(store_ref) as store:
        assert store.page_count(crawl_id) == 5


def test_history_of_audit_runs(store_ref):
    first, _ = realistic_run(store_ref, started_at="2024-04-01T01:30:00+00:00")
    trial = record(store_ref, [], [], started_at="2024-04-05T01:30:00+00:00", trial=True)
    second, _ = realistic_run(store_ref, started_at="2024-04-08T01:30:00+00:00")
    run = load_run(store_ref, second)
    stored_first = load_run(store_ref, first)
    assert list(run.findings["finding_key"]) == list(stored_first.findings["finding_key"])  # the frame's order
    assert len(run.findings) > 0 and len(run.documents) > 0 and len(run.rule_stats) > 0
    assert str(run.documents["report_year"].dtype) == "Int64"
    assert resolve_run(store_ref) == second
    assert previous_run(store_ref, second) == first  # the trial is never compared against
    assert [r["id"] for r in site_runs(store_ref, SITE)] == [first, second]
    assert [r["id"] for r in site_runs(store_ref, SITE, up_to=trial)] == [first, trial]
    keys = finding_keys_by_run(store_ref, SITE, second)
    assert set(keys) == {first, second} and keys[first] == keys[second] != set()
    with pytest.raises(LookupError, match="no audit run of site 'elsewhere'.*runs exist for: tongxiang"):
        resolve_run(store_ref, "latest", "elsewhere")


def test_the_api_reads_a_stored_run(store_ref):
    run_id = record(store_ref, [], [], started_at="2024-04-08T01:30:00+00:00")
    assert open_store(store_ref).findings(run_id).empty
    run_id, _ = realistic_run(store_ref)
    found = open_store(store_ref).findings("latest", SITE)
    assert list(found["finding_key"]) == list(load_run(store_ref, run_id).findings["finding_key"])


def message(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"], msg["Message-ID"] = subject, "<m@example.org>"
    msg.set_content("周报\n")
    return msg


def test_the_outbox_queues_once_sends_once_and_backs_off(store_ref):
    conn = connect(store_ref)
    try:
        first_id = outbox.message_id(conn, "7", "Office@Example.org", "example.org")
        assert outbox.message_id(conn, "7", "office@example.org", "example.org") == first_id
        added = outbox.enqueue(conn, "7", [("Office@Example.org", message("第一封")), ("b@example.org", message("二"))],
                               "weekly", "/r/report.html", NOW)
        assert added == 2
        assert outbox.enqueue(conn, "7", [("office@example.org", message("again"))], now=NOW) == 0
        rows = outbox.due_rows(conn, NOW)
        assert [(r["recipient"], r["subject"]) for r in rows] == [("b@example.org", "二"), ("office@example.org", "第一封")]
        outbox.mark_sending(conn, "7", "b@example.org")
        outbox.mark_sent(conn, rows[0], "250 ok", NOW)
        retry_at = outbox.mark_failed(conn, rows[1], "451 later", NOW)
        assert retry_at == NOW + timedelta(minutes=5)
        assert outbox.due_rows(conn, NOW) == []
        assert [r["recipient"] for r in outbox.due_rows(conn, retry_at)] == ["office@example.org"]
        assert outbox.already_sent(conn, "7", "b@example.org") and not outbox.already_sent(conn, "7", "office@example.org")
        assert outbox.enqueue(conn, "7", [("b@example.org", message("resend?"))], now=NOW) == 0  # in the sent-log
        assert outbox.prune(conn, now=NOW + timedelta(days=31)) == 1
        listed = outbox.listing(conn, include_sent=True)
        assert [(r["recipient"], r["status"], r["attempts"]) for r in listed] == [
            ("b@example.org", "sent", 1), ("office@example.org", "pending", 1)]
        body = conn.execute(sa.select(schema.outbox.c.message).where(schema.outbox.c.recipient == "b@example.org"))
        assert bytes(body.scalar()) == b""
    finally:
        conn.close()




def test_the_scheduler_keeps_its_jobs_in_the_same_database(store_ref, tmp_path):
    path = tmp_path / "schedule.yml"
    path.write_text(RECORDING_SCHEDULE.format(site=write_site(tmp_path)), encoding="utf-8")
    schedule = load_schedule(path)
    moment = datetime(2024, 3, 4, 7, 0, tzinfo=timezone(timedelta(hours=8)))
    with time_machine.travel(moment):
        scheduler, report = prepare(schedule, store_ref, scheduler_cls=BackgroundScheduler)
        scheduler.start(paused=True)
        scheduler.shutdown(wait=True)
    assert report.added == ["weekly-test"]
    conn = connect(store_ref)
    try:
        stored = {r[0] for r in conn.execute(sa.select(sa.column("id")).select_from(sa.table(JOBSTORE_TABLE)))}
    finally:
        conn.close()
    assert stored == {"weekly-test", FLUSH_JOB_ID}
    with time_machine.travel(moment + timedelta(minutes=5)):
        _, report = prepare(schedule, store_ref, scheduler_cls=BackgroundScheduler)
    assert report.kept == ["weekly-test"]  # read back from the store after a restart


def _schema(url: sa.URL | str) -> dict:
    """Everything a migration decides about a database: tables, columns, keys, indexes, revision."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        shape = {table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in
                        inspector.get_columns(table)],
            "primary key": inspector.get_pk_constraint(table),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in
                              inspector.get_indexes(table)),
            "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in
                             inspector.get_unique_constraints(table)),
            "foreign keys": sorted(str(sorted(f.items())) for f in inspector.get_foreign_keys(table)),
        } for table in inspector.get_table_names()}
        with engine.connect() as conn:
            shape["revision"] = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        return shape
    finally:
        engine.dispose()


def test_a_new_store_has_the_schema_the_migrations_give(store_ref, tmp_path, request):
    """A new store is created from the metadata and stamped; the same store built by running every
    Alembic revision from an empty database must come out identical."""
    from alembic import command

    from govaudit import migrations
    from govaudit.db import engine, store_location

    connect(store_ref).close()
    if isinstance(store_ref, str):  # PostgreSQL: a second new database beside the first
        server = request.getfixturevalue("postgres_server")
        name = f"govaudit_migrated_{uuid.uuid4().hex[:12]}"
        migrated_ref = server.create_database(name)
        request.addfinalizer(lambda: server.drop_database(name))
    else:
        migrated_ref = tmp_path / "migrated.sqlite3"
    with engine(store_location(migrated_ref)).connect() as conn:
        command.upgrade(migrations.config(conn), "head")
        migrations.add_missing_columns(conn)
        conn.commit()
    created = _schema(engine(store_location(store_ref)).url)
    assert created["revision"] == [migrations.head()] and "findings" in created
    assert created == _schema(engine(store_location(migrated_ref)).url)
