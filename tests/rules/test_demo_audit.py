"""The whole audit on the demo portal against its ground-truth manifest.

Every injected defect must be found by the right rule with the right severity, nothing at
warning or critical level may be reported on a clean document, and the rendered report must
list each finding once, in the right unit and severity section.
"""
from __future__ import annotations

from audits.report.extract import reported_findings
from demoportal.manifest import defect_items, finding_path as _path


def _manifest(demo_portal):
    # The availability veto needs probes, which this crawl does not run: it is checked in
    # tests/schedule/test_probe.py.
    items = defect_items(demo_portal.manifest)
    expected = {(d["url_path"], x["rule_id"]): x for d in items for x in d["defects"]}
    defective = {d["url_path"] for d in items if d["defects"]}
    units = {d["url_path"]: d["unit"] for d in items}
    return expected, defective, units


def test_every_injected_defect_is_found_by_its_rule(demo_portal, demo_audit):
    result, _ = demo_audit
    expected, _, _ = _manifest(demo_portal)
    found = {(_path(r.url), r.rule_id): r for r in result.findings.itertuples()}
    missed = sorted(key for key in expected if key not in found)
    assert not missed, f"defects not found: {missed}"
    # A "could not check" has no severity of its own in the manifest: only its kind is compared.
    wrong = [(key, want["severity"], want["kind"], found[key].severity, found[key].kind)
             for key, want in expected.items()
             if found[key].kind != want["kind"]
             or (want["kind"] == "failure" and found[key].severity != want["severity"])]
    assert not wrong, f"found with the wrong severity or kind: {wrong}"


def test_no_warning_or_critical_finding_beyond_the_manifest(demo_portal, demo_audit):
    result, _ = demo_audit
    expected, defective, _ = _manifest(demo_portal)
    f = result.findings
    failures = f[(f["kind"] == "failure") & f["severity"].isin(["critical", "warning"])]
    extra = sorted({(_path(u), r) for u, r in zip(failures["url"], failures["rule_id"])} - set(expected))
    assert not extra, f"findings on clean documents or by the wrong rule: {extra}"
    # A defect may leave another rule unable to check its page (a removed section leaves no
    # table to add up), but a clean page must never be "could not check".
    unchecked = f[f["kind"] == "could_not_check"]
    stray = sorted({_path(u) for u in unchecked["url"]} - defective)
    assert not stray, f"could-not-check on clean documents: {stray}"


def test_report_lists_every_defect_once_in_its_unit_and_severity(demo_portal, demo_audit):
    _, report = demo_audit
    expected, _, units = _manifest(demo_portal)
    rows = [r for r in reported_findings(report) if r.url]
    listed: dict[tuple[str, str], list] = {}
    for row in rows:
        listed.setdefault((_path(row.url), row.rule_id), []).append(row)
    for key, want in expected.items():
        assert key in listed, f"{key} not in the report"
        in_main = [r for r in listed[key] if r.section in ("critical", "warning", "info", "could_not_check")]
        assert len(in_main) == 1, f"{key} listed {len(in_main)} times"
        row = in_main[0]
        assert row.unit == units[key[0]]
        if want["kind"] == "could_not_check":
            assert row.section == "could_not_check", (key, row)
        else:
            assert (row.section, row.severity) == (want["severity"], want["severity"]), (key, row)


def test_pages_at_a_limit_pass_and_pages_one_step_beyond_fail(demo_portal, demo_audit):
    """The threshold pairs of the manifest (demoportal.thresholds): an auditor whose working-day
    calendar is plain Monday–Friday, or whose deadline or bound is off by one, fails here."""
    result, _ = demo_audit
    found = {(_path(u), r) for u, r, k in zip(result.findings["url"], result.findings["rule_id"],
                                              result.findings["kind"]) if k == "failure"}
    marked = [(d["url_path"], d["threshold"]) for d in demo_portal.manifest["documents"] if d["threshold"]]
    assert len(marked) >= 20
    wrong = [(path, mark["rule_id"], mark["side"], mark["detail"]) for path, mark in marked
             if ((path, mark["rule_id"]) in found) != (mark["side"] == "beyond")]
    assert not wrong, f"judged on the wrong side of the limit: {wrong}"
