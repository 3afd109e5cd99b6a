"""The demo portal's spot-check columns: the site config lists exactly them, their pages date
items relative to the day they are served, and the wording items are in the manifest."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from audits.normalize.wording import load_wording
from crawler.sites import load_site
from crawler.spiders.hanweb import parse_records
from demoportal import build_portal
from demoportal.site_columns import COLUMNS, column_page

REPO = Path(__file__).resolve().parents[2]


def test_demo_yml_columns_equal_the_portal_columns():
    config = load_site(REPO / "crawler/sites/demo.yml")
    listed = [(u.name, c.name, c.url.split("8800", 1)[1], c.kind) for u in config.units for c in u.columns]
    assert listed == [(c.unit, c.name, c.path, c.kind) for c in COLUMNS]


def test_column_page_dates_items_before_the_day_served():
    stale = next(c for c in COLUMNS if c.unit == "石门镇" and c.name == "政策文件")  # exactly 6 months
    records = parse_records(column_page(stale, on=date(2026, 8, 31)), "http://demo.test/")
    assert [d for _, _, d in records] == ["2026-02-28", "2025-12-28"]  # 8 months 3 days: 2025-12-31 − 3
    dateless = next(c for c in COLUMNS if c.unit == "龙翔街道" and c.name == "通知公告")
    assert [d for _, _, d in parse_records(column_page(dateless, on=date(2026, 8, 31)), "http://demo.test/")] == [None] * 3
    blank = next(c for c in COLUMNS if "COL-BLANK" in c.defects)
    page = column_page(blank)
    assert parse_records(page, "http://demo.test/") == [] and "<datastore>" in page


def test_manifest_lists_wording_defects_and_a_clean_counterpart():
    portal = build_portal(7, 300)
    manifest = portal.manifest()
    wording = load_wording(REPO / "expectations/wording.yml")
    found = {}
    for doc in portal.documents:
        if "wording" in doc.flags:
            hits = wording.scan(doc.title, portal.body_text(doc))
            found[doc.url_path] = (hits["serious_wording"], hits["wording_typos"], [d.rule_id for d in doc.defects])
    # one of each per generated platform (Hanweb and the dialect units)
    kinds = sorted(v[2] for v in found.values())
    assert kinds[: len(kinds) // 3] == [[]] * (len(kinds) // 3) and len(kinds) % 3 == 0
    assert {tuple(k) for k in kinds} == {(), ("WORDING-1",), ("WORDING-2",)}
    for serious, typos, defects in found.values():
        assert bool(serious) == ("WORDING-1" in defects) and bool(typos) == ("WORDING-2" in defects)
    assert {v["unit"] for v in manifest["unit_vetoes"]} == {"石门镇", "屠甸镇", "梧桐街道"}
    assert manifest["availability"]["defects"][0]["rule_id"] == "VETO-AVAIL"
