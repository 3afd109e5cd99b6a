"""Derived columns kept per crawl: a re-audit with the same inputs reads them back exactly and
derives nothing; another parameter, audit date, set of frames or damaged entry derives again; what
Arrow cannot hold exactly is never kept. The store tests run on SQLite and PostgreSQL (marked postgres)."""
from __future__ import annotations

import dataclasses
import io
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from audits.audit import audit_crawl
from audits.rules import derived_cache, validate
from govaudit import schema
from govaudit.db import connect
from govaudit.store import Store
from tests.seed_page import seed_record, seed_store

RULES = Path(__file__).resolve().parents[2] / "expectations"
NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture()
def derivations(monkeypatch) -> list[int]:
    """One entry per time the frames are actually derived."""
    made: list[int] = []
    real = validate.derive_frames

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(validate, "derive_frames", counting)
    return made


def frame_rows(store) -> list[tuple[str, str]]:
    conn = connect(store)
    try:
        return sorted((r[0], r[1]) for r in conn.execute(sa.select(schema.frame_cache.c.frame,
                                                                   schema.frame_cache.c.cache_key)))
    finally:
        conn.close()


@pytest.mark.slow  # audits the store six times
def test_a_reaudit_reads_the_derived_frames_back_and_other_inputs_derive_again(store_ref, derivations, tmp_path):
    store = seed_store(store_ref)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    first = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert len(derivations) == 1
    kept = [f for f, _ in frame_rows(store) if f.startswith(derived_cache.PREFIX)]
    assert derived_cache.REASONS in kept and f"{derived_cache.PREFIX}documents" in kept
    # The same inputs: nothing is derived, and the audit finds exactly the same.
    again = audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert len(derivations) == 1
    pd.testing.assert_frame_equal(first.findings, again.findings, check_exact=True)
    pd.testing.assert_frame_equal(first.rule_stats, again.rule_stats, check_exact=True)
    assert first.errors == again.errors
    # Another audit date is another input (deadlines, column freshness): derived again.
    audit_crawl(store, 1, rules, now=NOW + timedelta(days=1), trial=True)
    assert len(derivations) == 2
    # Another suite parameter: derived again, and only this derivation's frames are kept.
    copypaste = rules / "copypaste.yml"
    copypaste.write_text(copypaste.read_text(encoding="utf-8").replace(
        "similarity_shingle_chars: 4", "similarity_shingle_chars: 5"), encoding="utf-8")
    audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert len(derivations) == 3
    assert len({k for f, k in frame_rows(store) if f.startswith(derived_cache.PREFIX)}) == 1
    # A damaged entry is derived again, never trusted.
    conn = connect(store)
    try:
        with conn:
            conn.execute(sa.update(schema.frame_cache).where(schema.frame_cache.c.frame == derived_cache.REASONS)
                         .values(content=b"\x00not arrow"))
    finally:
        conn.close()
    audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert len(derivations) == 4
    # A rewritten page makes new frames, and the derived frames of the old ones go with them.
    with Store(store) as st:
        st.save_page(1, dataclasses.replace(seed_record(), page_title="濮院镇2021年法治政府建设年度报告"))
    audit_crawl(store, 1, rules, now=NOW, trial=True)
    assert len(derivations) == 5
    assert len({k for f, k in frame_rows(store) if f.startswith(derived_cache.PREFIX)}) == 1


def test_reasons_come_back_with_their_rows_and_empty_ones_stay():
    frames = {"documents": pd.DataFrame({"url": pd.array(["u1", "u2", "u3"], dtype="string"),
                                         "lag": pd.array([1, None, 3], dtype="Int64")})}
    reasons = {
        ("documents", "lag"): pd.Series(["页面未显示发布日期"], index=[1], dtype="string"),
        ("documents", "published_date"): pd.Series([], index=pd.Index([], dtype="int64"), dtype="string"),
        ("figure_groups", "excess"): pd.Series(["两种读法", "两种读法"], dtype="string"),  # whole, RangeIndex
    }
    blobs = derived_cache._blobs(frames, reasons)
    assert blobs is not None and set(blobs) == {"derived:documents", derived_cache.REASONS}
    back = derived_cache._reasons(pd.read_feather(io.BytesIO(blobs[derived_cache.REASONS])))
    assert back.keys() == reasons.keys()
    for key, why in reasons.items():
        assert list(back[key].index) == list(why.index) and list(back[key]) == list(why)
        assert back[key].dtype == "string"


@pytest.mark.parametrize("frame, reasons", [
    (pd.DataFrame({"url": ["u"], "window": pd.Series([("2026-01-01", "2026-01-07")], dtype=object)}), {}),
    (pd.DataFrame({"url": ["u"]}, index=[5]), {}),
    (pd.DataFrame({"url": ["u"]}), {("documents", "lag"): pd.Series([3.5], dtype="float64")}),
], ids=["an object column of tuples", "an index that is not 0..n-1", "reasons that are not text"])
def test_what_arrow_cannot_hold_exactly_is_not_kept(frame, reasons):
    assert derived_cache._blobs({"documents": frame}, reasons) is None
