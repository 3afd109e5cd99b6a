"""The normaliser against 34 real report texts with hand labels (shared/corpus/real_reports_dev.jsonl).

Each text is wrapped as a page the way the spider would store it: the labelled metadata block
as `meta_pairs` (or, when the record has none, the "label: value" lines of the text), the text
as body.  Per labelled field the share of records reproduced is printed and must be at least
95 %.  What the labels mean, read from the records: `metadata` is the block as printed;
`published` is the publication day shown on the page (null when none is visible);
`report_type` "other" is anything that is not one of the two annual reports; `report_year` is
the year the body reports on (null when the visible text names none); `sections_present` are
template items (法治 1–4, 信息公开 1–6) visible in the truncated text, counted also when folded
into another section (hx038), while `sections_missing_in_visible_text` must have no heading of
their own.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict

import pandas as pd
import pytest

from audits.normalize import build_frames
from audits.normalize.labels import clean_value, field_for
from audits.normalize.metadata import pairs_from_text
from govaudit.records import PageRecord
from tests.corpus import corpus_file

CORPUS_NAME = "real_reports_dev.jsonl"
THRESHOLD = 0.95
ANNUAL = ("fazhi_annual", "xxgk_annual")
SECTION_ITEMS = {
    "fazhi_annual": {1: "fz_measures", 2: "fz_shortcomings", 3: "fz_first_responsible", 4: "fz_next_year"},
    "xxgk_annual": {1: "xx_overview", 2: "xx_proactive", 3: "xx_applications", 4: "xx_review_litigation",
                    5: "xx_problems", 6: "xx_other"},
}
DATE_FIELDS = ("issued_date", "published_at")
LEVELS = {"township": "township", "county": "county_gov", "department": "department"}

def _records() -> list[dict]:
    return [json.loads(line) for line in corpus_file(CORPUS_NAME).read_text(encoding="utf-8").splitlines() if line.strip()]


def _page(rec: dict) -> PageRecord:
    metadata = rec["labels"].get("metadata") or {}
    pairs = [[k, v] for k, v in metadata.items()] if metadata else pairs_from_text(rec["text"])
    return PageRecord(
        url=rec["url"], site="corpus", unit=rec.get("agency") or "", unit_level=LEVELS.get(rec["level"], "county_gov"),
        dialect="text", page_title=rec.get("title"), meta_pairs=pairs, body_text=rec["text"],
        body_html="".join(f"<p>{line}</p>" for line in rec["text"].splitlines() if line.strip()),
        http_status=200, fetched_at="2026-01-01T00:00:00+00:00",
    )


def _digits(value: str) -> tuple[int, ...]:
    """The numbers of a printed date, independent of the parser under test."""
    return tuple(int(x) for x in re.findall(r"\d+", value))


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def _stamp(value) -> tuple[int, ...] | None:
    if _missing(value):
        return None
    parts = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    return parts


@pytest.fixture(scope="module")
def scored() -> dict[str, list[tuple[str, bool, str]]]:
    records = _records()
    frames = build_frames((_page(r) for r in records), crawl_id=1)
    docs = frames.documents.set_index("url")
    sections = frames.sections
    results: dict[str, list[tuple[str, bool, str]]] = defaultdict(list)
    for rec in records:
        doc = docs.loc[rec["url"]]
        rid = rec["id"]
        # metadata fields: first non-empty printed value per field
        expected: dict[str, str | None] = {}
        for label, value in (rec["labels"].get("metadata") or {}).items():
            name = field_for(label)
            if name and name != "title" and expected.get(name) is None:
                if name in DATE_FIELDS and value and len(_digits(value)) < 3:
                    continue  # '2024926': no date to reproduce (reported as a problem instead)
                expected[name] = clean_value(value)
        for name, value in expected.items():
            got = doc[name]
            if name in DATE_FIELDS:
                stamp = _stamp(got)
                ok = (stamp is None) if value is None else (stamp is not None and stamp[:len(_digits(value))] == _digits(value))
            else:
                ok = _missing(got) if value is None else (not _missing(got) and got == value)
            results[f"meta.{name}"].append((rid, bool(ok), f"{value!r} -> {got!r}"))
        stamp = _stamp(doc["published_at"])
        want = rec["published"]
        ok = (stamp is None) if want is None else (stamp is not None and stamp[:3] == _digits(want))
        results["published"].append((rid, ok, f"{want} -> {doc['published_at']}"))
        label_type = rec["report_type"]
        ok = doc["report_type"] == label_type if label_type in ANNUAL else doc["report_type"] not in ANNUAL
        results["report_type"].append((rid, bool(ok), f"{label_type} -> {doc['report_type']}"))
        want_year = rec["report_year"]
        if want_year is not None or label_type in ANNUAL:
            got_year = doc["report_year"]
            ok = _missing(got_year) if want_year is None else (not _missing(got_year) and got_year == want_year)
            results["report_year"].append((rid, bool(ok), f"{want_year} -> {got_year}"))
        if label_type in ANNUAL:
            rows = sections[sections["url"] == rec["url"]]
            found = set(rows["kind"].dropna())
            standalone = set(rows[rows["standalone"]]["kind"].dropna())
            items = SECTION_ITEMS[label_type]
            for item in rec["labels"].get("sections_present", []):
                results["sections_present"].append((rid, items[item] in found, f"item {item} {items[item]} in {sorted(found)}"))
            for item in rec["labels"].get("sections_missing_in_visible_text", []):
                results["sections_absent"].append(
                    (rid, items[item] not in standalone, f"item {item} {items[item]} not in {sorted(standalone)}"))
    return results


def test_corpus_accuracy_per_field(scored, capsys):
    lines = ["", f"{'field':24} {'ok':>4} / {'n':<4} accuracy"]
    failing = []
    for name, outcomes in sorted(scored.items()):
        good = sum(ok for _, ok, _ in outcomes)
        share = good / len(outcomes)
        lines.append(f"{name:24} {good:>4} / {len(outcomes):<4} {share:6.1%}")
        lines.extend(f"    miss {rid}: {why}" for rid, ok, why in outcomes if not ok)
        if share < THRESHOLD:
            failing.append(name)
    with capsys.disabled():
        print("\n".join(lines))
    assert not failing, f"fields below {THRESHOLD:.0%}: {failing}"


def test_corpus_covers_the_labelled_fields(scored):
    # The score is only meaningful if the labels were actually exercised.
    for name in ("meta.index_no", "meta.publisher", "meta.issued_date", "published", "report_type",
                 "report_year", "sections_present", "sections_absent"):
        assert len(scored[name]) >= 3, name


@pytest.mark.parametrize("rid, template", [("hx004", "2021"), ("hx006", "2019"), ("hx012", "2021"), ("hx034", "2021")])
def test_table_template_from_the_notes(rid, template):
    rec = next(r for r in _records() if r["id"] == rid)
    frames = build_frames([_page(rec)], crawl_id=1)
    assert frames.documents.loc[0, "table_template"] == template
