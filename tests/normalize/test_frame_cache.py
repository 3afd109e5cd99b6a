"""The frame cache: a re-audit of an unchanged crawl reads the frames normalisation made the first
time, identical to a fresh parse; a changed page, attachment file, normaliser or keyword file beside
the rules makes it parse again; and an edited rule file takes effect with the cache warm. Each test
runs on a SQLite file and on a PostgreSQL database (marked postgres)."""
from __future__ import annotations

import dataclasses
import hashlib
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from audits import audit as audit_module
from audits.audit import audit_crawl
from audits.normalize import build_frames, frame_cache
from audits.normalize.frame_cache import FRAME_NAMES, cached_frames
from audits.normalize.frames import Frames
from govaudit import schema
from govaudit.store import Store
from tests.seed_page import seed_record
from test_normalize_frames import failed_record, xxgk_record

RULES = Path(__file__).resolve().parents[2] / "expectations"
NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture()
def store(store_ref) -> Path | str:
    with Store(store_ref) as st:
        crawl_id = st.start_crawl("demo", ["沿江街道", "濮院镇"])
        for record in (xxgk_record(), failed_record(), seed_record()):
            st.save_page(crawl_id, record)
        st.finish_crawl(crawl_id, "complete", {})
    return store_ref


class Builds:
    """build_frames over the store's pages, counting how often the pages were parsed."""

    def __init__(self, store: Store, crawl_id: int = 1):
        self.store, self.crawl_id, self.count = store, crawl_id, 0

    def __call__(self) -> Frames:
        self.count += 1
        return build_frames(self.store.pages(self.crawl_id), self.crawl_id, read_file=self.store.attachment_file)


def assert_same_frames(left: Frames, right: Frames) -> None:
    for name in FRAME_NAMES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), check_exact=True, obj=name)


def test_frame_names_are_the_fields_the_normaliser_fills():
    assert set(FRAME_NAMES) == {f.name for f in dataclasses.fields(Frames)} - {"probes"}


def test_a_warm_cache_returns_the_frames_of_a_fresh_parse(store):
    with Store(store) as st:
        builds = Builds(st)
        first = cached_frames(st.conn, 1, RULES, builds)
        warm = cached_frames(st.conn, 1, RULES, builds)
        fresh = build_frames(st.pages(1), 1, read_file=st.attachment_file)
    assert builds.count == 1
    assert_same_frames(warm, fresh)
    assert_same_frames(first, fresh)
    assert len(warm.documents) == 3 and len(warm.sections) > 0 and len(warm.table3_wide) == 1


def test_a_changed_page_parses_the_crawl_again(store):
    with Store(store) as st:
        builds = Builds(st)
        cached_frames(st.conn, 1, RULES, builds)
        edited = dataclasses.replace(seed_record(), page_title="濮院镇2021年法治政府建设年度报告")
        st.save_page(1, edited)  # a resumed crawl overwrites the page
        after = cached_frames(st.conn, 1, RULES, builds)
        assert builds.count == 2
        assert_same_frames(after, build_frames(st.pages(1), 1, read_file=st.attachment_file))
        assert "濮院镇2021年法治政府建设年度报告" in set(after.documents["title"])
        with st.conn:
            st.conn.execute(sa.delete(schema.pages).where(schema.pages.c.crawl_id == 1,
                                                          schema.pages.c.url == edited.url))
        assert len(cached_frames(st.conn, 1, RULES, builds).documents) == 2 and builds.count == 3


def test_a_page_rewritten_in_the_same_second_with_the_same_length_parses_again(store):
    """A resumed crawl may rewrite a page within the second of its first fetch: the content counts."""
    with Store(store) as st:
        builds = Builds(st)
        cached_frames(st.conn, 1, RULES, builds)
        original = seed_record()
        assert "2023" in original.body_text
        rewritten = dataclasses.replace(original, body_text=original.body_text.replace("2023", "2024", 1))
        assert (len(rewritten.body_text), rewritten.fetched_at) == (len(original.body_text), original.fetched_at)
        st.save_page(1, rewritten)
        after = cached_frames(st.conn, 1, RULES, builds)
        assert builds.count == 2
        assert_same_frames(after, build_frames(st.pages(1), 1, read_file=st.attachment_file))


def test_an_attachment_file_a_page_names_parses_the_crawl_again_when_it_arrives(store):
    with Store(store) as st:
        builds = Builds(st)
        content = b"%PDF-1.4 ..."
        sha = hashlib.sha256(content).hexdigest()
        named = dataclasses.replace(seed_record(), attachments=[
            {"url": "http://x/report.pdf", "text": "年度报告", "status": "200", "download": True, "sha256": sha}])
        st.save_page(1, named)  # the page was stored before its file (the file's write failed)
        cached_frames(st.conn, 1, RULES, builds)
        cached_frames(st.conn, 1, RULES, builds)
        assert builds.count == 1
        st.save_attachment_file("ab" * 32, "application/pdf", b"%PDF-1.4 other")  # named by no page
        cached_frames(st.conn, 1, RULES, builds)
        assert builds.count == 1
        st.save_attachment_file(sha, "application/pdf", content)
        cached_frames(st.conn, 1, RULES, builds)
    assert builds.count == 2


def test_another_crawls_pages_leave_the_cache_alone(store):
    with Store(store) as st:
        builds = Builds(st)
        cached_frames(st.conn, 1, RULES, builds)
        other = st.start_crawl("demo", ["濮院镇"])
        st.save_page(other, seed_record())
        cached_frames(st.conn, 1, RULES, builds)
    assert builds.count == 1


def test_a_new_normaliser_version_parses_the_crawl_again(store, monkeypatch):
    with Store(store) as st:
        builds = Builds(st)
        cached_frames(st.conn, 1, RULES, builds)
        monkeypatch.setattr(frame_cache, "NORMALIZER_VERSION", frame_cache.NORMALIZER_VERSION + 1)
        cached_frames(st.conn, 1, RULES, builds)
        cached_frames(st.conn, 1, RULES, builds)
    assert builds.count == 2


def test_an_edited_keyword_file_beside_the_rules_parses_the_crawl_again(store, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    with Store(store) as st:
        builds = Builds(st)
        cached_frames(st.conn, 1, rules, builds)
        cached_frames(st.conn, 1, rules, builds)
        assert builds.count == 1
        wording = rules / "wording.yml"
        wording.write_text(wording.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        cached_frames(st.conn, 1, rules, builds)
    assert builds.count == 2


def test_a_damaged_cache_entry_is_rebuilt(store):
    with Store(store) as st:
        builds = Builds(st)
        cached_frames(st.conn, 1, RULES, builds)
        with st.conn:
            st.conn.execute(sa.update(schema.frame_cache).where(schema.frame_cache.c.frame == "documents")
                            .values(content=b"\x00\xff"))
        again = cached_frames(st.conn, 1, RULES, builds)
        assert builds.count == 2
        assert_same_frames(again, build_frames(st.pages(1), 1, read_file=st.attachment_file))


@pytest.mark.slow  # audits the store three times
def test_an_edited_rule_takes_effect_on_the_next_audit_with_the_cache_warm(store, tmp_path, monkeypatch):
    """A rule tuner's loop: audit, edit a deadline, audit again; the pages are parsed once."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    parsed = []
    real_build = audit_module._build
    monkeypatch.setattr(audit_module, "_build", lambda *a: parsed.append(1) or real_build(*a))

    def fz_date_findings() -> list[str]:
        found = audit_crawl(store, 1, rules, now=NOW, trial=True).findings
        return list(found.loc[found["rule_id"] == "FZ-DATE-1", "url"])

    assert fz_date_findings() == []  # the seed report was published on 2023-02-20, before 03-31
    deadlines = rules / "deadlines.yml"
    text = deadlines.read_text(encoding="utf-8")
    assert text.count('deadline: "03-31"') >= 1
    deadlines.write_text(text.replace('deadline: "03-31"', 'deadline: "01-31"', 1), encoding="utf-8")
    assert fz_date_findings() == [seed_record().url]
    assert len(parsed) == 1
