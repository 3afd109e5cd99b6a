"""The audit finds on the TRS, gkmlpt and jpaas units the same defect classes as on the Hanweb ones.

test_demo_audit compares every finding with the manifest over the whole mixed site; this
adds that the comparison has teeth on each platform: every defect class injected on the
Hanweb units is also injected on the other platforms' units (but COPY-2 and ATTACH-2, whose
pages exist only on Hanweb units), and each platform's injected defects are all found
by their rule with their severity.
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow


def _defects(manifest, cms_of, wanted):
    return {(d["url_path"], x["rule_id"]): x for d in manifest["documents"] if cms_of[d["unit"]] in wanted
            for x in d["defects"]}


def test_every_platform_carries_the_hanweb_defect_classes(demo_portal):
    manifest = demo_portal.manifest
    cms_of = {u["name"]: u["cms"] for u in manifest["units"]}
    hanweb = {rule for _, rule in _defects(manifest, cms_of, {"hanweb"})}
    others = {rule for _, rule in _defects(manifest, cms_of, {"trs", "gkmlpt", "jpaas"})}
    # COPY-2 needs two township-level units on one platform; ATTACH-2 needs the report bodies
    # published as attachments, which only two Hanweb departments do.
    assert hanweb - others == {"COPY-2", "ATTACH-2"}
    for cms in ("trs", "gkmlpt", "jpaas"):
        assert _defects(manifest, cms_of, {cms}), f"no defect injected on {cms}"


@pytest.mark.parametrize("cms", ["trs", "gkmlpt", "jpaas"])
def test_each_platforms_defects_are_found_by_their_rule(cms, demo_portal, demo_audit):
    result, _ = demo_audit
    manifest = demo_portal.manifest
    cms_of = {u["name"]: u["cms"] for u in manifest["units"]}
    expected = _defects(manifest, cms_of, {cms})
    found = {(urlparse(r.url).path, r.rule_id): r for r in result.findings.itertuples()}
    missed = sorted(key for key in expected if key not in found)
    assert not missed, f"{cms}: defects not found: {missed}"
    wrong = [key for key, want in expected.items() if found[key].kind != want["kind"]
             or (want["kind"] == "failure" and found[key].severity != want["severity"])]
    assert not wrong, f"{cms}: found with the wrong severity or kind: {wrong}"
    units = {name for name, c in cms_of.items() if c == cms}
    clean = {d["url_path"] for d in manifest["documents"] if d["unit"] in units and not d["defects"]}
    f = result.findings
    stray = {urlparse(u).path for u, k, s in zip(f["url"], f["kind"], f["severity"])
             if k == "failure" and s in ("critical", "warning")} & clean
    assert not stray, f"{cms}: findings on clean documents: {sorted(stray)}"
