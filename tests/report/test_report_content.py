"""The rendered report says what the run found: each finding once, in its place, nothing invented."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import lxml.html
import pytest

from audits.history import load_run
from audits.report.extract import reported_findings
from audits.report.render import render_run
from tests.report_runs import HOSTILE_OBSERVED, HOSTILE_TITLE, SITE, UNITS, realistic_run, rendered_html


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One realistic run rendered once for the tests below, which only read what it wrote."""
    folder = tmp_path_factory.mktemp("rendered")
    store = folder / "govaudit.sqlite3"
    run_id, found = realistic_run(store)
    path = render_run(store, run_id, folder / "reports")
    return store, run_id, found, path


@pytest.fixture(scope="module")
def rendered_hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    store = folder / "govaudit.sqlite3"
    run_id, found = realistic_run(store, hostile=True)
    return run_id, found, render_run(store, run_id, folder / "reports")


def test_report_lands_in_site_and_run_time_directory_with_exports(rendered):
    store, _, _, path = rendered
    # 01:30 UTC is 09:30 in Asia/Shanghai, the readers' time
    assert path == store.parent / "reports" / SITE / "20240408-093000" / "report.html"
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "documents.csv", "documents.json", "findings.csv", "findings.json", "findings.xlsx", "report.html"]


def test_every_finding_listed_once_in_its_severity_section_and_unit(rendered):
    _, _, found, path = rendered
    rows = reported_findings(path)
    assert Counter(r.finding_key for r in rows) == Counter(f["finding_key"] for f in found)
    expected = {f["finding_key"]: f for f in found}
    for row in rows:
        f = expected[row.finding_key]
        assert (row.rule_id, row.url, row.severity, row.unit, row.kind) == (
            f["rule_id"], f["url"], f["severity"], f["unit"], f["kind"])
        # could-not-check items sit apart from failures, failures under their own severity
        assert row.section == ("could_not_check" if f["kind"] == "could_not_check" else f["severity"])


def test_header_counts_and_what_could_not_be_checked(rendered):
    _, _, _, path = rendered
    tree = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    counts = {el.get("data-count-severity"): int(el.findtext("b")) for el in tree.cssselect(".counts .count")}
    assert counts == {"critical": 4, "warning": 3, "info": 1, "could_not_check": 3}
    unchecked = tree.get_element_by_id("unchecked").text_content()
    assert "乌镇镇" in unchecked and "无法访问的单位目录" in unchecked and "未能执行的规则" in unchecked
    assert tree.cssselect('#unchecked [data-rule-not-evaluated="COPY-1"]')
    header = tree.get_element_by_id("summary").text_content()
    assert "4 / 5 个单位可检查" in header and "9 份可读 / 共 10 份" in header and "11 / 13" in header


def test_scorecard_scores_sorts_worst_first_and_never_scores_the_unreachable_unit(rendered):
    _, _, _, path = rendered
    tree = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    rows = tree.cssselect("#scorecard tr.unit-row")
    table = [(r.get("data-unit"), r.get("data-score")) for r in rows]
    # weights 40 no-critical / 20 on time / 20 sections / 20 metadata (expectations/scoring.yml)
    assert table == [("乌镇镇", ""), ("濮院镇", "47"), ("梧桐街道", "60"), ("桐乡市司法局", "90"),
                     ("桐乡市人民政府", "100")]
    assert {unit for unit, _ in table} == set(UNITS)
    cells = {r.get("data-unit"): [c.text_content().strip() for c in r.cssselect("td")] for r in rows}
    assert cells["乌镇镇"][1] == "未评分"
    rates = {r.get("data-unit"): {c.get("data-rate"): c.text_content().strip() for c in r.cssselect("td.rate")}
             for r in rows}
    assert rates["濮院镇"]["on_time"] == "50%（1/2）"  # the 法治 report was late, the 信息公开 report on time
    assert rates["濮院镇"]["no_critical"] == "33%（1/3）" and rates["濮院镇"]["metadata"] == "67%（2/3）"
    assert rates["梧桐街道"]["on_time"] == "0%（0/1）"  # XX-DATE-2 counts as late
    assert rates["桐乡市人民政府"]["on_time"] == "100%（1/1）"
    assert rates["乌镇镇"]["no_critical"] == "—"  # nothing read, nothing counted
    formula = tree.get_element_by_id("score-formula").text_content()
    assert "40×无严重问题的文件占比 + 20×年度报告按时公开率" in formula and "÷ 100 × 100" in formula


def test_fix_first_shows_link_observed_expected_basis_and_fix(rendered):
    _, _, found, path = rendered
    tree = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    row = tree.cssselect('#fix-first tr.finding[data-rule-id="FZ-DATE-1"]')[0]
    link = row.cssselect("a")[0]
    assert link.get("href") == "http://www.tx.gov.cn/art/2024/3/20/art_pyfz.html"
    assert link.text_content() == "濮院镇2023年法治政府建设年度报告"
    text = row.text_content()
    for part in ("2024-04-15", "早于 2024-04-01", "FZ-DATE-1 的依据", "FZ-DATE-1 的整改建议", "濮院镇"):
        assert part in text
    severities = [s.get("data-severity") for s in tree.cssselect("#fix-first section.severity")]
    assert severities == ["critical", "warning", "info"]


def test_first_run_says_there_is_nothing_to_compare(rendered):
    _, _, _, path = rendered
    assert "这是该网站的首次审计" in path.read_text(encoding="utf-8")


def test_appendix_lists_every_rule_with_pass_rate_and_the_unevaluated_one(rendered):
    store, run_id, _, path = rendered
    tree = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    rows = {r.get("data-rule-id"): r.cssselect("td")[-1].text_content() for r in tree.cssselect("tr.rule-stat")}
    assert set(rows) == set(load_run(store, run_id).rule_stats["rule_id"])
    assert rows["FZ-DATE-1"] == "90.0%" and rows["COPY-1"] == "未执行" and rows["ROUTINE-LAG-1"] == "无适用文件"
    unchecked = tree.get_element_by_id("unchecked")
    assert [c.get("data-rule-not-evaluated") for c in unchecked.cssselect("[data-rule-not-evaluated]")] == ["COPY-1"]


def test_hostile_page_content_is_escaped_and_still_reads(rendered_hostile):
    html = rendered_hostile[2].read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    tree = lxml.html.fromstring(html)
    row = tree.cssselect('#fix-first tr.finding[data-rule-id="META-1"]')[0]
    assert row.cssselect("a")[0].text_content() == HOSTILE_TITLE
    assert HOSTILE_OBSERVED in row.text_content()
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")  # no event-handler attribute anywhere


def test_only_http_links_are_clickable(tmp_path):
    from tests.report_runs import document, finding, record

    store = tmp_path / "govaudit.sqlite3"
    doc = document("js", "濮院镇", "伪造链接", url="javascript:alert(document.domain)")
    run_id = record(store, [doc], [finding("META-3", doc)], started_at="2024-04-01T00:00:00+00:00")
    tree = lxml.html.fromstring(rendered_html(store, run_id))
    row = tree.cssselect("tr.finding")[0]
    assert not row.cssselect("a") and "伪造链接" in row.text_content()
    assert not [a for a in tree.iter("a") if "javascript" in (a.get("href") or "")]


def test_exports_hold_every_finding_and_document_in_excel_friendly_csv(rendered_hostile):
    run_id, found, path = rendered_hostile
    folder = path.parent
    raw = (folder / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8, not GBK
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(r["finding_key"] for r in rows) == sorted(f["finding_key"] for f in found)
    assert {r["run_id"] for r in rows} == {str(run_id)} and "open_runs" in rows[0]
    data = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    assert {d["finding_key"] for d in data} == {f["finding_key"] for f in found}
    hostile = next(d for d in data if d["rule_id"] == "META-1")
    assert hostile["title"] == HOSTILE_TITLE and hostile["observed"] == HOSTILE_OBSERVED
    docs = list(csv.DictReader(io.StringIO((folder / "documents.csv").read_bytes().decode("utf-8-sig"))))
    assert len(docs) == 10 and {d["unit"] for d in docs} == set(UNITS) - {"乌镇镇"}
    assert json.loads((folder / "documents.json").read_text(encoding="utf-8"))[0]["published_at"].startswith("2024-")


def test_csv_cells_that_excel_would_run_as_formulas_are_defused(tmp_path):
    from tests.report_runs import document, finding, record

    store = tmp_path / "govaudit.sqlite3"
    doc = document("f", "濮院镇", '=HYPERLINK("http://evil.example","点我")')
    row = finding("DOC-1", doc, observed="-12", expected="+cmd|' /C calc'!A0")
    run_id = record(store, [doc], [row], started_at="2024-04-01T00:00:00+00:00")
    folder = render_run(store, run_id, tmp_path / "r").parent
    out = next(csv.DictReader(io.StringIO((folder / "findings.csv").read_bytes().decode("utf-8-sig"))))
    assert out["title"] == "'" + doc["title"] and out["expected"].startswith("'+cmd")
    assert out["observed"] == "-12"  # a plain number is left alone
    assert json.loads((folder / "findings.json").read_text(encoding="utf-8"))[0]["title"] == doc["title"]


@pytest.mark.slow  # records two runs and renders three times
def test_rendering_again_overwrites_the_same_run_but_never_another_run(tmp_path):
    store = tmp_path / "govaudit.sqlite3"
    first, _ = realistic_run(store)
    second, _ = realistic_run(store)  # same start second, different run
    out = tmp_path / "reports"
    a = render_run(store, first, out)
    assert render_run(store, first, out) == a
    b = render_run(store, second, out)
    assert b != a and b.parent.name == f"{a.parent.name}-run{second}"
    assert re.search(rf'<meta name="govaudit-run" content="{first}"', a.read_text(encoding="utf-8"))
