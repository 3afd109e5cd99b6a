"""GX's answers kept per crawl: a re-audit with nothing changed validates nothing, finds the same and,
on a kept derived set, does not even select a group's rows; an edited rule alone is validated again
and takes effect; changed rows, a changed value type or changed evaluation code miss the cache; a
damaged entry is validated again; the store keeps only the answers the last audit used. Each test runs on a SQLite file and on PostgreSQL (marked postgres)."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from audits.audit import audit_crawl
from audits.rules import result_cache, validate
from audits.rules.derived_cache import StoreDerivedCache
from audits.rules.loader import load_rules
from audits.rules.result_cache import group_key, rows_digest
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


def cached_entries(store) -> dict[str, bytes]:
    conn = connect(store)
    try:
        return {row[0]: row[1] for row in conn.execute(
            sa.select(schema.validation_cache.c.cache_key, schema.validation_cache.c.content))}
    finally:
        conn.close()


def cached_keys(store, findings: bool = False) -> set[str]:
    """The keys of GX's answers kept in the store (`findings`: of the groups' kept finding rows)."""
    def kind(key: str) -> str:
        return next((p for p in (result_cache.FINDINGS, result_cache.ALIAS) if key.startswith(p)), "")

    return {k for k in cached_entries(store) if kind(k) == (result_cache.FINDINGS if findings else "")}


def aliases(store) -> dict[str, dict]:
    """Each group's alias (kept derived set, condition, columns, rules) and the two keys it names."""
    return {k: json.loads(v) for k, v in cached_entries(store).items() if k.startswith(result_cache.ALIAS)}


def damage(store, key: str) -> None:
    conn = connect(store)
    try:
        with conn:
            conn.execute(sa.update(schema.validation_cache).where(schema.validation_cache.c.cache_key == key)
                         .values(content=b"\x00{not json"))
    finally:
        conn.close()


@pytest.fixture()
def rebuilt(monkeypatch) -> list[list[str]]:
    """The rule ids of every group whose finding rows are built from its rows (not kept ones),
    a group whose condition picks no row included."""
    groups: list[list[str]] = []
    real = validate._group_outcomes

    def counting(rules, rows, answers, reasons):
        groups.append([rule.id for rule in rules])
        return real(rules, rows, answers, reasons)

    monkeypatch.setattr(validate, "_group_outcomes", counting)
    return groups


@pytest.mark.slow  # audits the store six times
def test_unchanged_audits_validate_nothing_and_damaged_or_stale_answers_are_validated_again(
        store, validated, rebuilt, monkeypatch):
    selected: list[str | None] = []
    real_applicable = validate._applicable
    monkeypatch.setattr(validate, "_applicable", lambda condition, df: (
        selected.append(condition), real_applicable(condition, df))[1])
    first = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    groups, built, answered = len(validated), len(rebuilt), sum(len(group) for group in validated)
    assert built > groups > 5  # (some conditions pick no row of the seed store: nothing to validate)
    assert len(selected) == built
    # Nothing changed: every group is found through its alias, with the same findings, and no
    # group's rows are even selected.
    second = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == groups and len(rebuilt) == built and len(selected) == built
    pd.testing.assert_frame_equal(sorted_findings(first.findings), sorted_findings(second.findings))
    pd.testing.assert_frame_equal(first.rule_stats, second.rule_stats)
    assert first.errors == second.errors
    # One answer per rule validated, one set of finding rows and one alias per group.
    assert len(cached_keys(store)) == answered and len(cached_keys(store, findings=True)) == built
    named = aliases(store)
    assert len(named) == built and {a["findings"] for a in named.values()} == cached_keys(store, findings=True)
    # A damaged alias: the group is found by its rows instead, and the alias is written again.
    alias = sorted(named)[0]
    damage(store, alias)
    third = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == groups and len(rebuilt) == built and len(selected) == built + 1
    pd.testing.assert_frame_equal(sorted_findings(first.findings), sorted_findings(third.findings))
    assert aliases(store)[alias] == named[alias]
    # A damaged answer is validated again, never trusted (its kept rows damaged too, or the alias
    # would find them without asking for the answer).
    damaged = next(a for a in named.values() if len(a["answers"]) > 1)
    damage(store, damaged["answers"][0])
    damage(store, damaged["findings"])
    fourth = audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == groups + 1 and len(validated[-1]) == 1 and len(rebuilt) == built + 1
    pd.testing.assert_frame_equal(sorted_findings(first.findings), sorted_findings(fourth.findings))
    audit_crawl(store, 1, RULES, now=NOW, trial=True)  # the damaged entries were replaced
    assert len(validated) == groups + 1 and len(rebuilt) == built + 1
    # Other evaluation code (the expectation types, a library version) validates everything again.
    monkeypatch.setattr(result_cache, "code_digest", lambda: "another version of audits/rules")
    audit_crawl(store, 1, RULES, now=NOW, trial=True)
    assert len(validated) == 2 * groups + 1


@pytest.mark.slow  # audits the store three times
def test_a_changed_title_needs_no_validation_and_an_edited_rule_alone_is_validated_again(
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
    # A deadline is: the edited rule alone is validated, and the edit takes effect.
    deadlines = rules / "deadlines.yml"
    text = deadlines.read_text(encoding="utf-8")
    deadlines.write_text(text.replace('deadline: "03-31"', 'deadline: "01-31"', 1), encoding="utf-8")
    after = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert list(after.findings.loc[after.findings["rule_id"] == "FZ-DATE-1", "url"]) == [seed_record().url]
    assert validated == [["FZ-DATE-1"]]  # the edited rule alone, not the rest of its group
    # The store keeps what the last audit used: the edited rule's new answer, not its old one.
    keys_after = cached_keys(store)
    assert len(keys_after) == len(keys_before) and len(keys_after - keys_before) == 1


@pytest.mark.slow  # audits the store five times
def test_kept_finding_rows_are_the_built_ones_and_a_changed_message_or_reason_builds_them_again(
        store, validated, rebuilt, tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    first = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert len(rebuilt) > len(validated) > 5
    rebuilt.clear()
    validated.clear()
    # Nothing changed: no group's rows are built again, and the findings are the same to the dtype.
    again = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert rebuilt == [] and validated == []
    pd.testing.assert_frame_equal(first.findings, again.findings, check_exact=True)
    pd.testing.assert_frame_equal(first.rule_stats, again.rule_stats, check_exact=True)
    # A message template is no input of GX but is of the rows: its group alone is built again.
    found = first.findings[first.findings["kind"] == "failure"]
    rule_id = found["rule_id"].iloc[0]
    assert not found["message"].str.startswith("改过的说明").any()
    for path in rules.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if f"id: {rule_id}\n" in text:
            head, rest = text.split(f"id: {rule_id}\n", 1)
            path.write_text(head + f"id: {rule_id}\n" + rest.replace("message: ", "message: 改过的说明", 1),
                            encoding="utf-8")
    reworded = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert validated == [] and len(rebuilt) == 1 and rule_id in rebuilt[0]
    mine = reworded.findings[(reworded.findings["rule_id"] == rule_id) & (reworded.findings["kind"] == "failure")]
    assert len(mine) and mine["message"].str.startswith("改过的说明").all()
    # A damaged kept entry is built again, never trusted.
    rebuilt.clear()
    damage(store, sorted(cached_keys(store, findings=True))[0])
    audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert validated == [] and len(rebuilt) == 1
    # A could-not-check reason that derivation gives differently (a derived set of its own) makes
    # the rows of the groups that read that column be built again, and only those: the others are
    # found by their rows, and nothing is validated.
    rebuilt.clear()
    real_derive = validate.derive_frames
    changed: set[tuple[str, str]] = set()

    def other_reasons(*args, **kwargs):
        frames, reasons = real_derive(*args, **kwargs)
        changed.update(reasons)
        return frames, {(frame, column): pd.Series("另一个原因", index=frames[frame].index, dtype="string")
                        for frame, column in reasons}

    monkeypatch.setattr(validate, "derive_frames", other_reasons)
    monkeypatch.setattr(StoreDerivedCache, "load", lambda self, inputs: None)
    audit_crawl(store, 1, rules, now=NOW, trial=True)
    readers = {rule.id for suite in load_rules(rules).suites for rule in suite.rules
               if any((suite.frame, column) in changed for column in rule.referenced)}
    assert changed and validated == [] and rebuilt
    assert all(set(group) & readers for group in rebuilt)


def test_finding_rows_are_keyed_by_the_texts_and_reasons_they_are_made_of():
    from audits.rules.model import Location, Rule

    def rule(**changed) -> Rule:
        fields = dict(id="R-1", severity="critical", title="元数据必填项", message="缺少 {observed}", basis="条例",
                      fix="补上", kind="failure", type="expect_column_values_to_not_be_null",
                      kwargs={"column": "a"}, gx_kwargs={"column": "a"}, columns=("a",), suite="metadata",
                      frame="documents", location=Location("metadata.yml", 3))
        return Rule(**(fields | changed))

    rows = pd.DataFrame({"url": ["u1", "u2"], "a": pd.array(["x", None], dtype="string")})
    reasons = {("documents", "a"): pd.Series([pd.NA, "页面没有元数据表"], dtype="string")}
    key = result_cache.findings_key("k", "documents", [rule()], rows, reasons)
    assert key == result_cache.findings_key("k", "documents", [rule(severity="warning", fix="另一个", basis="别的")],
                                            rows, reasons)
    for other in (rule(message="另一个说明 {observed}"), rule(title="另一个标题"), rule(kind="could_not_check"),
                  rule(kwargs={"column": "a", "mostly": 0.5})):
        assert key != result_cache.findings_key("k", "documents", [other], rows, reasons)
    assert key != result_cache.findings_key("k2", "documents", [rule()], rows, reasons)
    assert key != result_cache.findings_key("k", "documents", [rule()], rows,
                                            {("documents", "a"): pd.Series(["另一个原因"] * 2, dtype="string")})
    assert key != result_cache.findings_key("k", "documents", [rule()], rows, {})


def test_kept_rows_come_back_as_built():
    from audits.rules.findings import rule_rows
    from audits.rules.model import Location, Rule

    one = Rule(id="R-1", severity="critical", title="t", message="m", basis="b", fix="f", kind="failure",
               type="expect_column_values_to_not_be_null", kwargs={"column": "a"}, gx_kwargs={"column": "a"},
               columns=("a",), suite="s", frame="documents", location=Location("x.yml", 1))
    rows = pd.DataFrame({"url": pd.array(["u1", None, "u3"], dtype="string")})
    texts = pd.Series(["同一个", "同一个", pd.NA], dtype="string")
    part = rule_rows(one, rows, "failure", texts, pd.Series(["1", "2", "3"]), texts)
    stat = validate._stat(one, 3, 2, 1)
    kept = result_cache.kept_findings([one], {id(one): ([part], stat, [])})
    back = result_cache.restored_findings(json.loads(json.dumps(kept)), [one])
    (parts, counts), = back.values()
    assert counts == (3, 2, 1) and parts[0].kind == "failure" and parts[0].rule is one
    pd.testing.assert_frame_equal(parts[0].rows, part.rows, check_exact=True)
    assert result_cache.restored_findings({"R-1": {"parts": [["failure", {}]], "counts": [1, 0, 0]}}, [one]) is None
    assert result_cache.restored_findings({}, [one]) is None


def key_of(frame: str, rules: list, rows: pd.DataFrame) -> str | None:
    digest = rows_digest(frame, rows)
    return None if digest is None else group_key(digest, rules)


def test_other_rows_miss_the_cache():
    rules = [("R-1", "expect_column_values_to_not_be_null", {"column": "a"})]
    one = pd.DataFrame({"url": ["u1", "u2"], "a": pd.array(["x", None], dtype="string")})
    assert key_of("documents", rules, one) == key_of("documents", rules, one.copy())
    assert key_of("documents", rules, one) != key_of("documents", rules, one.iloc[:1])
    assert key_of("documents", rules, one) != key_of("documents", rules, one.set_axis([5, 6]))
    changed = one.assign(a=pd.array(["x", "y"], dtype="string"))
    assert key_of("documents", rules, one) != key_of("documents", rules, changed)
    assert key_of("documents", rules, one) != key_of("sections", rules, one)
    other_kwargs = [("R-1", "expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.5})]
    assert key_of("documents", rules, one) != key_of("documents", other_kwargs, one)
    # A rule's own answer is keyed apart from its group's, and from another rule's on the same rows.
    digest = rows_digest("documents", one)
    assert len({group_key(digest, rules), group_key(digest, rules[:1] + other_kwargs),
                group_key(digest, other_kwargs)}) == 3


def test_a_value_of_another_type_misses_the_cache():
    """pandas hashes the object 1 and the string "1" alike; a rule may not treat them alike."""
    rules = [("R-1", "expect_column_values_to_be_in_set", {"column": "a", "value_set": ["1"]})]
    as_int = pd.DataFrame({"url": ["u"], "a": pd.Series([1], dtype=object)})
    as_text = pd.DataFrame({"url": ["u"], "a": pd.Series(["1"], dtype=object)})
    assert key_of("documents", rules, as_int) != key_of("documents", rules, as_text)


def test_rows_that_cannot_be_hashed_are_never_cached():
    rules = [("R-1", "expect_column_values_to_not_be_null", {"column": "a"})]
    unhashable = pd.DataFrame({"url": ["u"], "a": pd.Series([{"k": [1]}], dtype=object)})
    assert key_of("documents", rules, unhashable) is None


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
