"""The whole rule pack on 34 real report texts (../shared/corpus/real_reports_dev.jsonl).

Every finding raised is printed (`pytest -s`) so a reader can judge it.  A critical finding must
be one the labels stand behind: a late report (`late`), a labelled numeric inconsistency, a
section the labels say is missing from the visible text (the texts are truncated), an outdated
table template the notes name, or a mandatory metadata field the page does not print.  Anything else at critical level is a false critical finding, the kind a
supervisor would forward to a township and regret.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from audits.normalize import build_frames
from audits.rules.loader import load_rules
from audits.rules.validate import run_rules
from audits.normalize.metadata import pairs_from_text
from govaudit.records import PageRecord

REPO = Path(__file__).resolve().parents[2]
CORPUS = next((p for p in (REPO.parent / "shared" / "corpus" / "real_reports_dev.jsonl",
                           REPO.parents[1] / "shared" / "corpus" / "real_reports_dev.jsonl") if p.exists()),
              REPO.parent / "shared" / "corpus" / "real_reports_dev.jsonl")
NUMERIC = ("FIG-", "I3-", "I4-", "T2-")
SECTION_RULE_ITEM = {"FZ-SEC-1": 1, "FZ-SEC-2": 2, "FZ-SEC-3": 3, "FZ-SEC-4": 4,
                     **{f"XX-SEC-{k}": k for k in range(1, 7)}}


LEVELS = {"township": "township", "county": "county_gov", "department": "department"}


def _page(rec: dict) -> PageRecord:
    """The record as the spider would store it: the labelled metadata block as meta_pairs (else
    the "label: value" lines of the text), the text as body."""
    metadata = rec["labels"].get("metadata") or {}
    pairs = [[k, v] for k, v in metadata.items()] if metadata else pairs_from_text(rec["text"])
    return PageRecord(
        url=rec["url"], site="corpus", unit=rec.get("agency") or "", unit_level=LEVELS.get(rec["level"], "county_gov"),
        dialect="text", page_title=rec.get("title"), meta_pairs=pairs, body_text=rec["text"],
        body_html="".join(f"<p>{line}</p>" for line in rec["text"].splitlines() if line.strip()),
        http_status=200, fetched_at="2026-01-01T00:00:00+00:00",
    )


@pytest.fixture(scope="module")
def audited():
    if not CORPUS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CORPUS} is missing on CI")
        pytest.skip(f"{CORPUS} not present (the shared corpus sits beside the checkout)")
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    frames = build_frames((_page(r) for r in records), crawl_id=1)
    result = run_rules(frames, pack=load_rules(REPO / "expectations"),
                       now=pd.Timestamp("2026-01-01T00:00:00Z").to_pydatetime())
    return records, result


def _labelled(record: dict, rule: str, message: str) -> bool:
    labels = record["labels"]
    if rule == "FZ-DATE-1":
        return labels.get("late") is True
    if rule.startswith(NUMERIC):
        return bool(labels.get("numeric_inconsistencies"))
    if rule in SECTION_RULE_ITEM:
        return SECTION_RULE_ITEM[rule] in (labels.get("sections_missing_in_visible_text") or []) or \
            record.get("truncated") is True
    if rule == "XX-FMT-1":
        return "2019 (试行)" in (labels.get("notes") or "")  # hx006: "Uses the superseded 2019 (试行) table…"
    if rule == "META-1":
        return True  # the page prints no such field: a fact of the visible text, checked by the normaliser tests
    return False


def test_every_finding_on_real_texts_is_printed_and_criticals_are_labelled(audited, capsys):
    records, result = audited
    by_url = {r["url"]: r for r in records}
    f = result.findings.sort_values(["url", "rule_id"])
    lines, unlabelled = ["", f"{len(f)} findings on {len(records)} real texts:"], []
    for row in f.itertuples():
        record = by_url.get(row.url, {})
        lines.append(f"  {record.get('id', '?')} {row.rule_id:15} {row.kind:15} {row.severity or '':8} {row.message}")
        if row.kind == "failure" and row.severity == "critical" and not _labelled(record, row.rule_id, row.message):
            unlabelled.append(f"{record.get('id')} {row.rule_id}: {row.message}")
    with capsys.disabled():
        print("\n".join(lines))
    assert not unlabelled, "critical findings the labels do not support:\n" + "\n".join(unlabelled)


def test_labelled_parts_exceeding_their_total_are_found(audited):
    records, result = audited
    f = result.findings
    hx010 = next(r for r in records if r["id"] == "hx010")
    fig = f[(f["url"] == hx010["url"]) & (f["rule_id"] == "FIG-1")]
    assert len(fig) == 1 and fig["severity"].iloc[0] == "critical"
