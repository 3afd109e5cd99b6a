"""GX's answers kept per crawl: a re-audit with nothing changed validates nothing and finds the same;
an edited rule re-validates its own group only and takes effect; changed rows, a changed value type
or changed evaluation code miss the cache; a damaged entry is validated again; the store keeps only
the answers the last audit used. Each test runs on a SQLite file and on PostgreSQL (marked postgres)."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from audits.audit import audit_crawl
from audits.rules import result_cache, validate
from audits.rules.result_cache import group_key
from govaudit import schema
from govaudit.db import connect
from govaudit.store import Store
from tests.seed_page import seed_record, seed_store

RULES = Path(__file__).resolve().parents[2] / "expectations"
NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture()
def store(store_ref):
    return seed_store(store_ref)


@pytest.fixture()
def validated(monkeypatch) -> list[list[str]]:
    """The rule ids of every group Great Expectations actually validates."""
    groups: list[list[str]] = []
    real = validate._validate

    def counting(name, rules, batch):
        groups.append([rule.id for rule in rules])
        return real(name, rules, batch)

    monkeypatch.setattr(validate, "_validate", counting)
    return groups


def sorted_findings(found: pd.DataFrame) -> pd.DataFrame:
    return found.sort_values(["rule_id", "url", "kind"]).reset_index(drop=True)


def cached_keys(store) -> set[str]:
    conn = connect(store)
    try:
        return {row[0] for row in conn.execute(sa.select(schema.validation_cache.c.cache_key))}
    finally:
        conn.close()


@pytest.mark.slow  # audits the store five times
def test_unchanged_audits_validate_nothing_and_damaged_or_stale_answers_are_validated_again(
        store, validated, monkeypatch):
    first = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    groups = len(validated)
    assert groups > 5
    # Nothing changed: every group is answered from the cache, with the same findings.
    second = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == groups
    pd.testing.assert_frame_equal(sorted_findings(first.findings), sorted_findings(second.findings))
    pd.testing.assert_frame_equal(first.rule_stats, second.rule_stats)
    assert first.errors == second.errors
    assert len(cached_keys(store)) == groups
    # A damaged entry is validated again, never trusted.
    conn = connect(store)
    try:
        with conn:
            key = conn.execute(sa.select(schema.validation_cache.c.cache_key)).fetchone()[0]
            conn.execute(sa.update(schema.validation_cache).where(schema.validation_cache.c.cache_key == key)
                         .values(content=b"\x00{not json"))
    finally:
        conn.close()
    third = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == groups + 1
    pd.testing.assert_frame_equal(sorted_findings(first.findings), sorted_findings(third.findings))
    audit_crawl(store, 1, RULES, now=NOW, trial=True)  # the damaged entry was replaced
    assert len(validated) == groups + 1
    # Other evaluation code (the expectation types, a library version) validates everything again.
    monkeypatch.setattr(result_cache, "code_digest", lambda: "another version of audits/rules")
    audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == 2 * groups + 1


@pytest.mark.slow  # audits the store three times
def test_a_changed_title_needs_no_validation_and_an_edited_rule_revalidates_its_group_alone(
        store, validated, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    before = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert "FZ-DATE-1" not in set(before.findings["rule_id"])  # published 2023-02-20, before 03-31
    keys_before = cached_keys(store)
    validated.clear()
    # A title is no input of Great Expectations: nothing is validated, and the new title shows.
    for path in rules.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if "id: META-1" in text:
            head, rest = text.split("id: META-1", 1)
            path.write_text(head + "id: META-1" + rest.replace("title:", "title: 改过的标题", 1), encoding="utf-8")
    retitled = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert validated == []
    assert retitled.rule_stats.set_index("rule_id").loc["META-1", "title"].startswith("改过的标题")
    # A deadline is: its group alone is validated, and the edit takes effect.
    deadlines = rules / "deadlines.yml"
    text = deadlines.read_text(encoding="utf-8")
    deadlines.write_text(text.replace('deadline: "03-31"', 'deadline: "01-31"', 1), encoding="utf-8")
    after = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert list(after.findings.loc[after.findings["rule_id"] == "FZ-DATE-1", "url"]) == [seed_record().url]
    assert len(validated) == 1 and "FZ-DATE-1" in validated[0]
    # The store keeps what the last audit used: the edited group's new answer, not its old one.
    keys_after = cached_keys(store)
    assert len(keys_after) == len(keys_before) and len(keys_after - keys_before) == 1


def test_other_rows_miss_the_cache():
    rules = [("R-1", "expect_column_values_to_not_be_null", {"column": "a"})]
    one = pd.DataFrame({"url": ["u1", "u2"], "a": pd.array(["x", None], dtype="string")})
    assert group_key("documents", rules, one) == group_key("documents", rules, one.copy())
    assert group_key("documents", rules, one) != group_key("documents", rules, one.iloc[:1])
    assert group_key("documents", rules, one) != group_key("documents", rules, one.set_axis([5, 6]))
    changed = one.assign(a=pd.array(["x", "y"], dtype="string"))
    assert group_key("documents", rules, one) != group_key("documents", rules, changed)
    assert group_key("documents", rules, one) != group_key("sections", rules, one)
    other_kwargs = [("R-1", "expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.5})]
    assert group_key("documents", rules, one) != group_key("documents", other_kwargs, one)


def test_a_value_of_another_type_misses_the_cache():
    """pandas hashes the object 1 and the string "1" alike; a rule may not treat them alike."""
    rules = [("R-1", "expect_column_values_to_be_in_set", {"column": "a", "value_set": ["1"]})]
    as_int = pd.DataFrame({"url": ["u"], "a": pd.Series([1], dtype=object)})
    as_text = pd.DataFrame({"url": ["u"], "a": pd.Series(["1"], dtype=object)})
    assert group_key("documents", rules, as_int) != group_key("documents", rules, as_text)


def test_rows_that_cannot_be_hashed_are_never_cached():
    rules = [("R-1", "expect_column_values_to_not_be_null", {"column": "a"})]
    unhashable = pd.DataFrame({"url": ["u"], "a": pd.Series([{"k": [1]}], dtype=object)})
    assert group_key("documents", rules, unhashable) is None


def test_caches_keep_the_audited_crawl_and_the_newest_crawls_only(store):
    """A weekly schedule adds a crawl every week; its caches must not pile up in the store."""
    from govaudit.db import CACHED_CRAWLS, prune_crawl_cache

    with Store(store) as st:
        for _ in range(5):
            st.finish_crawl(st.start_crawl("demo", ["濮院镇"]), "complete", {})
    conn = connect(store)
    try:
        with conn:
            for table in (schema.validation_cache, schema.frame_cache):
                keys = {"cache_key": "k", "content": b"{}"} | ({"frame": "documents"} if "frame" in table.c else {})
                conn.execute(sa.insert(table), [{"crawl_id": crawl, **keys} for crawl in range(1, 7)])
                prune_crawl_cache(conn, table, keep_crawl_id=2)
        for table in (schema.validation_cache, schema.frame_cache):
            left = sorted(row[0] for row in conn.execute(sa.select(table.c.crawl_id)))
            assert left == [2, *range(7 - CACHED_CRAWLS, 7)]
    finally:
        conn.close()
