"""The demo portal over real HTTP: Hanweb structures, encodings, faithful seed page, and a
ground-truth manifest whose defects really are on the pages (and whose clean pages are clean)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from demoportal import build_portal
from demoportal import regulation as reg
from demoportal.bodies import seed_paragraphs
from demoportal.fazhi_texts import RESPONSIBLE_WORDS
from demoportal.generator import build_documents
from demoportal.attachment_units import ATTACHMENT_UNITS
from demoportal.units import ALL_UNITS, UNITS
from demoportal.workdays import workdays_between
from demoportal.xxgk_tables import outcome_keys
from tests.corpus import SEED_PAGE, SHARED_SEED_PAGE, corpus_file
from tests.mockserver import start_demo_portal
from tests.process_check import descendants

REPO = Path(__file__).resolve().parents[2]
RULES_AT_300 = {
    "FZ-DATE-1", "FZ-DATE-2", "XX-DATE-1", "XX-DATE-2", "ROUTINE-LAG-1", "FZ-SEC-1", "FZ-SEC-2", "FZ-SEC-4",
    "FZ-SEC-3", "FZ-SEC-3-FOLDED", "FZ-NEXT-1", "TITLE-YEAR-1", "XX-FMT-1", "I3-1", "I3-2", "I3-3", "I3-6",
    "I4-1", "T2-1", "FIG-1", "FIG-2", "FIG-3", "META-1", "META-2", "META-4", "META-3", "IDX-1", "IDX-2",
    "DOC-1", "COPY-1", "COPY-2", "COPY-3", "FETCH-1", "ATTACH-1", "ATTACH-2",
}
RECORD_HREF = re.compile(r"""href=['"](/art/[^'"]+)['"]""")


@pytest.fixture(scope="module")
def portal():
    """The same portal the server runs (seed 7, size 300), built in this process."""
    return build_portal(7, 300)


@pytest.fixture(scope="module")
def body_of(portal):
    """portal.body_text, each document's text made once for all the tests that read it."""
    texts: dict[int, str] = {}

    def body(doc) -> str:
        if doc.doc_id not in texts:
            texts[doc.doc_id] = portal.body_text(doc)
        return texts[doc.doc_id]
    return body


def fetch(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _hanweb(manifest: dict) -> list[dict]:
    """The units on the 大汉 Hanweb CMS (the others are tested in test_demoportal_dialects)."""
    return [u for u in manifest["units"] if u["cms"] == "hanweb"]


def _hanweb_docs(manifest: dict) -> list[dict]:
    names = {u["name"] for u in _hanweb(manifest)}
    return [d for d in manifest["documents"] if d["unit"] in names]


def docs_with(manifest: dict, rule_id: str) -> list[dict]:
    return [d for d in manifest["documents"] if any(x["rule_id"] == rule_id for x in d["defects"])]


def by_path(portal, manifest_doc: dict):
    return portal.by_path[manifest_doc["url_path"]]


# --- determinism, configuration, size ------------------------------------------------------

def test_same_seed_gives_identical_manifest_and_pages():
    a, b = build_portal(7, 300), build_portal(7, 300)
    assert json.dumps(a.manifest(), ensure_ascii=False) == json.dumps(b.manifest(), ensure_ascii=False)
    for doc_a in a.documents[::25]:
        assert a.detail_html(doc_a) == b.detail_html(b.by_path[doc_a.url_path])
    assert build_portal(8, 300).manifest()["documents"] != a.manifest()["documents"]


def test_demo_yml_units_equal_generator_units():
    config = yaml.safe_load((REPO / "crawler/sites/demo.yml").read_text(encoding="utf-8"))
    assert config["name"] == "tongxiang-demo" and config["cms"] == "hanweb"
    assert [(u["name"], u["level"], u.get("cms", "hanweb"), u.get("catalogs") or [u["catalog"]])
            for u in config["units"]] == [(u.name, u.level, u.cms, list(u.catalog_paths))
                                          for u in ALL_UNITS + ATTACHMENT_UNITS]
    assert [u.name for u in ALL_UNITS[:len(UNITS)]] == [u.name for u in UNITS]  # Hanweb units first, unchanged


def test_size_below_the_report_count_is_refused():
    with pytest.raises(ValueError, match="size >= 210"):
        build_documents(7, 100)


@pytest.mark.parametrize("size,defects", [
    (3_000, 10),
    pytest.param(100_000, 100, marks=pytest.mark.slow),  # the scale itself: ~5 s of CPU to generate
])
def test_thousands_of_documents_generate_with_unique_urls_and_indexes(size, defects):
    docs = build_documents(7, size)
    assert len(docs) == size
    assert len({d.url_path for d in docs}) == len(docs)
    assert len({d.index_no for d in docs if d.index_override is None}) == sum(d.index_override is None for d in docs)
    counts = Counter(x.rule_id for d in docs for x in d.defects)
    assert counts["ROUTINE-LAG-1"] > defects and counts["FETCH-1"] > defects  # defects grow with the portal


def test_manifest_cli_writes_the_portal_manifest(tmp_path, portal):
    out = tmp_path / "m.json"
    subprocess.run([sys.executable, "-m", "demoportal.manifest", "--seed", "7", "--size", "300",
                    "-o", str(out)], check=True, cwd=REPO, timeout=120)
    assert json.loads(out.read_text(encoding="utf-8")) == portal.manifest()


# --- catalog pages and dataproxy.jsp ------------------------------------------------------

def test_column_page_data_island_lists_first_group(demo_portal):
    manifest = demo_portal.manifest
    for unit in _hanweb(manifest):
        status, headers, body = fetch(demo_portal.url_for(unit["catalog_path"]))
        html = body.decode("utf-8")
        assert status == 200
        island = re.search(r'<div id="(\d+)"><script type="text/xml"><datastore>(.*?)</datastore></script>', html, re.S)
        assert island and island[1] == str(unit["unit_id"])
        assert "<ul class=\"list\"></ul>" in island[2]  # template residue outside the records
        records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", island[2], re.S)
        expected = [d["url_path"] for d in sorted((d for d in manifest["documents"] if d["unit"] == unit["name"]),
                                                  key=lambda d: (d["list_date"], int(d["doc_id"])), reverse=True)]
        assert len(records) == min(unit["per_page"] * 3, unit["doc_count"])
        assert [RECORD_HREF.search(r)[1] for r in records] == expected[: len(records)]
        assert f"var param_{unit['unit_id']} = " in html
        assert re.search(rf"totalRecord:{unit['doc_count']},.*groupSize:3,.*perPage:{unit['per_page']},", html)
        assert f"columnid={unit['column_id']}&unitid={unit['unit_id']}" in html
    assert {u["per_page"] for u in _hanweb(manifest)} == {5, 14, 15}
    paged = [u for u in _hanweb(manifest) if u["doc_count"] > 2 * 3 * u["per_page"]]
    assert any(u["name"] == "桐乡市人民政府" for u in paged) and len(paged) >= 3


def _proxy(demo_portal, unit: dict, post: bool = False, **params) -> tuple[int, str]:
    query = {"col": 1, "appid": 1, "webid": 1, "path": "/", "columnid": unit["column_id"], "unitid": unit["unit_id"],
             "permissiontype": 0, **params}
    url = demo_portal.url_for("/module/web/jpage/dataproxy.jsp")
    if post:
        window = {k: query.pop(k) for k in ("startrecord", "endrecord", "perpage") if k in query}
        status, _, body = fetch(url + "?" + urllib.parse.urlencode(window), urllib.parse.urlencode(query).encode())
    else:
        status, _, body = fetch(url + "?" + urllib.parse.urlencode(query))
    return status, body.decode("utf-8")


def _hrefs(xml: str) -> list[str]:
    return [RECORD_HREF.search(r)[1] for r in re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)]


def test_dataproxy_window_and_page_styles(demo_portal, portal):
    unit = next(u for u in demo_portal.manifest["units"] if u["name"] == "桐乡市人民政府")
    order = [d.url_path for d in portal.catalog(portal.unit_by_column(unit["column_id"]))]
    group = unit["per_page"] * 3
    status, xml = _proxy(demo_portal, unit, startrecord=group + 1, endrecord=2 * group, perpage=unit["per_page"])
    assert status == 200 and f"<totalrecord>{unit['doc_count']}</totalrecord>" in xml
    assert _hrefs(xml) == order[group: 2 * group]
    status, xml = _proxy(demo_portal, unit, post=True, startrecord=2, endrecord=4, perpage=unit["per_page"])
    assert status == 200 and _hrefs(xml) == order[1:4]
    status, xml = _proxy(demo_portal, unit, page=2, perpage=10)
    assert _hrefs(xml) == order[10:20]
    assert f"<totalpage>{-(-unit['doc_count'] // 10)}</totalpage>" in xml
    status, xml = _proxy(demo_portal, unit, page=3)  # default perpage: perPage × groupSize
    assert _hrefs(xml) == order[2 * group: 3 * group]
    status, xml = _proxy(demo_portal, unit, page=99, perpage=10)
    assert status == 200 and _hrefs(xml) == [] and "<recordset>" in xml
    status, xml = _proxy(demo_portal, unit, startrecord=unit["doc_count"] + 1, endrecord=unit["doc_count"] + 45)
    assert _hrefs(xml) == []
    status, xml = _proxy(demo_portal, unit, page=1, perpage=5000)
    assert len(_hrefs(xml)) == unit["doc_count"]  # below the 300 cap
    status, _ = _proxy(demo_portal, {**unit, "unit_id": ""}, page=1)
    assert status == 400


def test_all_catalog_records_cover_the_manifest(demo_portal):
    seen = []
    for unit in _hanweb(demo_portal.manifest):
        seen += _hrefs(_proxy(demo_portal, unit, page=1, perpage=300)[1])
    hanweb = {u["name"] for u in _hanweb(demo_portal.manifest)}
    assert sorted(seen) == sorted(d["url_path"] for d in demo_portal.manifest["documents"] if d["unit"] in hanweb)


def test_home_and_robots(demo_portal):
    status, _, body = fetch(demo_portal.url_for("/"))
    assert status == 200 and all(u["catalog_path"] in body.decode() for u in demo_portal.manifest["units"])
    status, _, body = fetch(demo_portal.url_for("/robots.txt"))
    assert status == 200 and b"Allow: /" in body


# --- detail pages --------------------------------------------------------------------------

LABELS = ("索引号", "发布机构", "公开方式", "发文日期", "组配分类", "文件编号")


def _meta_pairs(html: str) -> dict[str, str]:
    table = re.search(r'<table class="xxgk_table".*?</table>', html, re.S)[0]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, re.S)
    clean = [re.sub(r"[\s:：\u3000]|&nbsp;", "", c) for c in cells]
    return dict(zip(clean[::2], (re.sub(r"&nbsp;", "", c).strip() for c in cells[1::2])))


def test_detail_page_carries_metadata_markers_and_meta_tags(demo_portal):
    clean = [d for d in _hanweb_docs(demo_portal.manifest) if not d["defects"] and d["encoding"] == "utf-8"]
    styles = set()
    for doc in clean[:40]:
        status, headers, body = fetch(demo_portal.url_for(doc["url_path"]))
        html = body.decode("utf-8")
        assert status == 200
        pairs = _meta_pairs(html)
        assert list(pairs) == list(LABELS)
        assert [pairs[k] for k in LABELS] == [doc["index_no"], doc["publisher"], doc["disclosure_mode"],
                                              doc["issued_date"], doc["category"], doc["doc_no"]]
        assert f"<h1 class=\"title\">{doc['title']}</h1>" in html
        assert f"发布时间:{doc['published_at']} 来源:{doc['source']}" in html
        assert re.search(r'<div id="zoom">\s*<!--<\$\[信息内容\]>begin--><!--ZJEG_RSS.content.begin-->'
                         r'<meta name="ContentStart">.*<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->', html, re.S)
        for name, value in (("ArticleTitle", doc["title"]), ("PubDate", doc["published_at"]),
                            ("ContentSource", doc["source"]), ("i_columnid", doc["url_path"].split("_")[1])):
            assert f'<meta name="{name}" content="{value}">' in html
        assert doc["doc_id"] in re.search(r"<meta[^>]*i_articleid[^>]*>", html)[0]
        assert "Produced By 大汉网络 大汉版通发布系统" in html
        styles.add("th" if "<th" in html else ("pad" if "索　引　号" in html else "colon"))
    assert styles == {"th", "pad", "colon"}


def test_gbk_pages_declare_charset_only_in_meta(demo_portal):
    gbk = [d for d in _hanweb_docs(demo_portal.manifest) if d["encoding"] == "gbk" and d["http_status"] == 200]
    outside_gb2312 = [d for d in gbk if re.search("[喆堃]", d["title"])]
    assert gbk and outside_gb2312
    for doc in gbk:
        status, headers, body = fetch(demo_portal.url_for(doc["url_path"]))
        assert headers["Content-Type"] == "text/html"
        assert b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">' in body
        assert f"<h1 class=\"title\">{doc['title']}</h1>" in body.decode("gb18030")
    for doc in outside_gb2312:
        with pytest.raises(UnicodeDecodeError):
            fetch(demo_portal.url_for(doc["url_path"]))[2].decode("gb2312")
    meta_only = next(d for d in demo_portal.manifest["documents"]
                     if d["encoding"] == "utf-8" and d["charset_in_header"] is False and d["http_status"] == 200)
    status, headers, body = fetch(demo_portal.url_for(meta_only["url_path"]))
    assert headers["Content-Type"] == "text/html" and b"charset=utf-8" in body


def test_seed_page_reproduces_the_real_report(demo_portal):
    seed = next(d for d in demo_portal.manifest["documents"] if d["title"] == "濮院镇2022年法治政府建设年度报告")
    assert seed["url_path"].startswith("/art/2023/2/20/art_")
    assert [x["rule_id"] for x in seed["defects"]] == ["META-3"]
    html = fetch(demo_portal.url_for(seed["url_path"]))[2].decode("utf-8")
    assert _meta_pairs(html) == {"索引号": "001008004005091/2023-103671", "发布机构": "濮院镇", "公开方式": "主动公开",
                                 "发文日期": "2023-02-20", "组配分类": "法治政府建设工作报告", "文件编号": ""}
    assert "发布时间:2023-02-20 08:57 来源:濮院镇" in html
    body = html.split('<meta name="ContentStart">')[1].split('<meta name="ContentEnd">')[0]
    served = [re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<p[^>]*>(.*?)</p>", body, re.S)]
    lines = SEED_PAGE.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("发布时间")) + 1
    assert served == [line.strip() for line in lines[start:] if line.strip()]
    assert served == list(seed_paragraphs()) and len(served) == 18


def test_the_packaged_seed_page_is_the_real_page_of_the_shared_corpus():
    assert SEED_PAGE.read_bytes() == corpus_file(SHARED_SEED_PAGE.name).read_bytes()


def test_missing_pages_and_attachments_answer_404(demo_portal):
    missing = docs_with(demo_portal.manifest, "FETCH-1")
    assert missing and all(d["http_status"] == 404 for d in missing)
    for doc in missing:
        assert fetch(demo_portal.url_for(doc["url_path"]))[0] == 404
    for path in ("/art/2023/2/20/art_1_2.html", "/col/col1/index.html", "/module/jpage/dataproxy.jsp", "/nothing"):
        assert fetch(demo_portal.url_for(path))[0] == 404
    statuses = Counter()
    for doc in demo_portal.manifest["documents"]:
        for att in doc["attachments"]:
            status, headers, body = fetch(demo_portal.url_for(att["path"]))
            assert status == att["status"]
            statuses[status] += 1
            if status == 200 and att["path"].endswith(".pdf"):
                assert body.startswith(b"%PDF-") and headers["Content-Type"] in ("application/pdf",
                                                                                 "application/octet-stream")
            elif status == 200:  # .docx and .xlsx reports
                assert body.startswith(b"PK\x03\x04")
            head = urllib.request.Request(demo_portal.url_for(att["path"]), method="HEAD")
            try:
                with urllib.request.urlopen(head, timeout=30) as resp:
                    assert (resp.status, resp.read()) == (200, b"") and att["status"] == 200
            except urllib.error.HTTPError as err:
                assert err.code == att["status"] == 404
    assert statuses[200] and statuses[404] == len(docs_with(demo_portal.manifest, "ATTACH-1"))


@pytest.mark.slow
def test_fault_mode_answers_404_for_one_unit():
    with start_demo_portal(faults={"濮院镇": "404"}) as faulty:
        units = {u["name"]: u for u in faulty.manifest["units"]}
        assert fetch(faulty.url_for(units["濮院镇"]["catalog_path"]))[0] == 404
        assert fetch(faulty.url_for(units["崇福镇"]["catalog_path"]))[0] == 200


# --- the manifest as ground truth ----------------------------------------------------------

def test_every_rule_class_is_injected_once_per_document(demo_portal):
    docs = demo_portal.manifest["documents"]
    rules = Counter(x["rule_id"] for d in docs for x in d["defects"])
    assert RULES_AT_300 <= set(rules)
    assert all(len(d["defects"]) <= 1 for d in docs)
    assert sum(1 for r in rules if r.startswith("XX-SEC-")) >= 3
    levels = {u["name"]: u["level"] for u in demo_portal.manifest["units"]}
    late_xxgk = {levels[d["unit"]] for d in docs_with(demo_portal.manifest, "XX-DATE-1")}
    assert "department" in late_xxgk and late_xxgk & {"township", "subdistrict"}
    units = {d["unit"] for d in docs if d["defects"]}
    assert len(units) >= 12  # spread over units
    for d in docs:
        for x in d["defects"]:
            assert x["kind"] == ("could_not_check" if x["rule_id"] in ("FETCH-1", "ATTACH-2") else "failure")


def _date(text: str) -> date:
    return datetime.strptime(text[:10], "%Y-%m-%d").date()


def test_date_rules_hold_on_clean_pages_and_fail_on_date_defects(demo_portal):
    """Against the generator's own statement of the regulations (demoportal/regulation.py), not the
    rule files: tests/rules/test_regulation_deadlines.py holds both against the regulation table."""
    levels = {u["name"]: u["level"] for u in demo_portal.manifest["units"]}
    for doc in demo_portal.manifest["documents"]:
        if doc["http_status"] != 200 or doc["report_year"] is None:
            continue
        rule = {x["rule_id"] for x in doc["defects"]}
        year, published = doc["report_year"], _date(doc["published_at"])
        if doc["report_type"] == "fazhi_annual":
            assert (published > date(year + 1, *reg.FAZHI_LAST_DAY)) == ("FZ-DATE-1" in rule)
            assert (published < date(year, *reg.FAZHI_EARLIEST_DAY)) == ("FZ-DATE-2" in rule)
        if doc["report_type"] == "xxgk_annual":
            level = levels[doc["unit"]]
            hard = date(year + 1, *reg.XXGK_LAST_DAY[level])
            local = level in reg.XXGK_LOCAL_LEVELS
            assert (published > hard) == ("XX-DATE-1" in rule)
            assert (local and date(year + 1, *reg.XXGK_LOCAL_WARN_DAY) < published <= hard) == ("XX-DATE-2" in rule)


def test_threshold_pages_sit_on_both_sides_of_each_limit(demo_portal):
    """The pairs that catch an auditor off by one day or one working day, or counting Monday–Friday."""
    levels = {u["name"]: u["level"] for u in demo_portal.manifest["units"]}
    placed = Counter()
    for doc in demo_portal.manifest["documents"]:
        mark = doc["threshold"]
        if mark is None:
            continue
        rules = {x["rule_id"] for x in doc["defects"]}
        assert (mark["rule_id"] in rules) == (mark["side"] == "beyond"), doc
        published, issued = _date(doc["published_at"]), _date(doc["issued_date"])
        if mark["rule_id"] == "ROUTINE-LAG-1":
            lag = workdays_between(issued, published)
            assert lag == reg.ROUTINE_MAX_WORKDAYS + (mark["side"] == "beyond")
            weekdays = sum((issued + timedelta(days=n)).weekday() < 5 for n in range(1, (published - issued).days + 1))
            assert weekdays != lag, "a plain Monday–Friday count must differ across a 调休 weekend or a festival"
            placed[("ROUTINE-LAG-1", mark["side"], weekdays > lag)] += 1
        elif mark["rule_id"] == "FIG-3":
            assert f"{'100.1' if mark['side'] == 'beyond' else '100.0'}%" in fetch(
                demo_portal.url_for(doc["url_path"]))[2].decode(doc["encoding"])
            placed[("FIG-3", mark["side"])] += 1
        else:
            placed[(mark["rule_id"], mark["side"], levels[doc["unit"]])] += 1
    for side in ("at", "beyond"):
        assert placed[("FIG-3", side)] == 1
        for festival in (False, True):  # a 调休 Saturday (fewer weekdays) and the Spring Festival (more)
            assert placed[("ROUTINE-LAG-1", side, festival)] == 1
        for level in ("county_gov", "department", "township", "subdistrict"):
            assert placed[("FZ-DATE-1", side, level)] == 1 and placed[("XX-DATE-1", side, level)] == 1
        for level in reg.XXGK_LOCAL_LEVELS:
            assert placed[("XX-DATE-2", side, level)] == 1
        assert sum(n for key, n in placed.items() if key[:2] == ("FZ-DATE-2", side)) == 1


def test_metadata_rules_hold_on_clean_pages_and_fail_on_their_defects(demo_portal):
    # The forms the generator writes (demoportal.model, generator._routine), not the rule files' patterns.
    units = {u["name"]: u for u in demo_portal.manifest["units"]}
    full_names = {u["full_name"] for u in demo_portal.manifest["units"]}
    for doc in demo_portal.manifest["documents"]:
        if doc["http_status"] != 200:
            continue
        rules = {x["rule_id"] for x in doc["defects"]}
        fields = [doc[k] for k in ("index_no", "publisher", "issued_date", "disclosure_mode")]
        assert any(f in (None, "") for f in fields) == ("META-1" in rules)
        if "META-1" in rules or "IDX-1" in rules:
            continue
        issued, published = _date(doc["issued_date"]), _date(doc["published_at"])
        assert (published < issued) == ("META-2" in rules)
        assert (published > date(2026, 11, 1)) == ("META-4" in rules)
        assert (doc["publisher"] not in full_names) == ("META-3" in rules)
        unit = units[doc["unit"]]
        m = _index_form(unit).match(doc["index_no"])
        assert m is not None, doc["index_no"]
        assert (int(m[2]) != issued.year) == ("IDX-2" in rules)
        if doc["doc_no"]:
            standard = re.fullmatch(re.escape(unit["daizi"]) + r"〔(\d{4})〕([1-9]\d*)号", doc["doc_no"])
            assert (standard is None) == ("DOC-1" in rules), doc["doc_no"]
        if doc["report_type"] == "routine" and "META-2" not in rules:
            assert (workdays_between(issued, published) > 20) == ("ROUTINE-LAG-1" in rules)
    for doc in docs_with(demo_portal.manifest, "IDX-1"):
        assert not _index_form(units[doc["unit"]]).match(doc["index_no"])


def _index_form(unit: dict) -> re.Pattern:
    """索引号 as the generator prints it: the unit's code (or the county scheme's), /YYYY-serial."""
    return re.compile(rf"^({re.escape(unit['index_code'])}|330483ZFC00000)/(\d{{4}})-\d{{6}}$")


def test_table_identities_hold_on_clean_reports_and_break_on_their_defects(portal, body_of):
    def broken(doc) -> set[str]:
        t = portal.tables(doc)
        rows, out = t.t3, set()
        keys = outcome_keys(t.template)
        if any(rows["new"][c] + rows["carried"][c] != rows["total"][c] + rows["next"][c] for c in range(7)):
            out.add("I3-1")
        if any(sum(v[:6]) != v[6] for v in rows.values()):
            out.add("I3-2")
        if any(rows["total"][c] != sum(rows[k][c] for k in keys) for c in range(7)):
            out.add("I3-3")
        if any(t.t4[b * 5 + 4] != sum(t.t4[b * 5: b * 5 + 4]) for b in range(3)):
            out.add("I4-1")
        stated = re.findall(r"本年度共收到政府信息公开申请(\d+)件", body_of(doc))
        if stated and int(stated[0]) != rows["new"][6]:  # no statement at all when 总体情况 is missing
            out.add("I3-6")
        regs = dict(t.t2)["规章"]
        if any(v not in ("0", "/") for v in regs):
            out.add("T2-1")
        return out

    checked = Counter()
    for doc in portal.documents:
        if doc.report_type != "xxgk_annual":
            continue
        table_rules = {x.rule_id for x in doc.defects} & {"I3-1", "I3-2", "I3-3", "I3-6", "I4-1", "T2-1"}
        assert broken(doc) == table_rules, doc.title
        checked[(doc.unit.cms == "hanweb", bool(table_rules))] += 1
        expected_template = "2019" if doc.report_year < 2021 or any(x.rule_id == "XX-FMT-1" for x in doc.defects) \
            else "2021"
        assert doc.table_template == expected_template
        text = body_of(doc)
        assert ("本年制发件数" in text) == (expected_template == "2021")
        assert ("1.申请人无正当理由逾期不补正" in text) == (expected_template == "2021")
    # Six table defects on the Hanweb units (and 3 more inside reports published as files, on
    # Hanweb units too) and six on the other platforms' (their own stream).
    assert checked[(True, True)] == 6 + 3 and checked[(True, False)] > 90
    assert checked[(False, True)] == 6 and checked[(False, False)] > 20


def _headings(portal, doc) -> list[str]:
    return [text for kind, text in portal.blocks(doc) if kind == "h"]


def test_report_structure_defects(portal, body_of):
    for doc in portal.documents:
        rules = {x.rule_id for x in doc.defects}
        if doc.http_status != 200 or doc.report_type not in ("fazhi_annual", "xxgk_annual") or doc.flags.get("seed"):
            continue
        text, year = body_of(doc), doc.report_year
        headings = _headings(portal, doc)
        assert [h[0] for h in headings] == list("一二三四五六"[: len(headings)])  # renumbered after a drop
        if doc.report_type == "xxgk_annual":
            missing = [n for n in range(1, 7) if f"XX-SEC-{n}" in rules]
            assert len(headings) == 6 - len(missing)
            continue
        keep_three = not rules & {"FZ-SEC-3", "FZ-SEC-3-FOLDED"}
        assert len(headings) == 4 - bool(rules & {"FZ-SEC-1", "FZ-SEC-2", "FZ-SEC-4"}) - (not keep_three)
        assert any("第一责任人" in h for h in headings) == keep_three
        assert any(w in text for w in RESPONSIBLE_WORDS) == ("FZ-SEC-3" not in rules)
        last = headings[-1]
        if "FZ-SEC-4" not in rules:
            assert (f"{year + 1}年" in last) == ("FZ-NEXT-1" not in rules), last
        years = {int(y) for h in headings for y in re.findall(r"(20\d\d)年", h)}
        assert (not years <= {year, year + 1}) == ("COPY-3" in rules), headings
        assert (doc.title_year != year) == ("TITLE-YEAR-1" in rules)
        percents = [float(p) for p in re.findall(r"(\d+(?:\.\d+)?)%", text)]
        assert (max(percents, default=0) > 100) == ("FIG-3" in rules)


GROUP = re.compile(r"共[^,。;共]*?(\d+)([起件个名场条])[^。;]*?,(其中|分别为)([^。;]*)")


def _figure_problems(text: str) -> set[str]:
    """FIG-1 / FIG-2 over the sentence forms the portal writes (parts counted in the total's unit)."""
    found = set()
    for m in GROUP.finditer(text):
        total, unit, word = int(m[1]), m[2], m[3]
        clause = m[4].split(",共")[0]
        parts = [int(x) for x in re.findall(rf"(\d+){unit}", clause)]
        if word == "其中" and sum(parts) > total:
            found.add("FIG-1")
        if word == "分别为" and sum(parts) != total:
            found.add("FIG-2")
    return found


def test_figure_groups_add_up_except_on_figure_defects(portal, body_of):
    groups = 0
    for doc in portal.documents:
        if doc.http_status != 200:
            continue
        text = body_of(doc)
        groups += len(GROUP.findall(text))
        assert _figure_problems(text) == {x.rule_id for x in doc.defects} & {"FIG-1", "FIG-2"}, doc.title
    assert groups > 300


def _shingles(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + 5] for i in range(len(text) - 4)}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_clean_years_differ_and_the_copy_does_not(portal, body_of):
    reports = {(d.unit.name, d.report_type, d.report_year): d for d in portal.documents
               if d.report_type in ("fazhi_annual", "xxgk_annual")}
    pairs = 0
    for (unit, kind, year), doc in reports.items():
        prev = reports.get((unit, kind, year - 1))
        if prev is None:
            continue
        similarity = _jaccard(body_of(doc), body_of(prev))
        if any(x.rule_id == "COPY-1" for x in doc.defects):
            assert similarity > 0.9
        elif any(x.rule_id == "COPY-2" for x in doc.defects + prev.defects):
            continue  # a copy of another unit's report: compared below
        elif not doc.defects and not prev.defects:
            assert similarity < 0.5, (unit, kind, year)
            pairs += 1
    assert pairs > 80


def test_the_peer_copy_is_another_units_text_under_this_units_name(portal, body_of):
    copies = [d for d in portal.documents if "copy_peer" in d.flags]
    assert copies
    for doc in copies:
        source = portal.by_key[doc.flags["copy_peer"]]
        assert source.unit.name != doc.unit.name and source.report_year == doc.report_year
        copied, original = body_of(doc), body_of(source)
        assert _jaccard(copied, original.replace(source.unit.name, doc.unit.name)) > 0.95
        assert source.unit.name not in copied
        assert [x.rule_id for x in source.defects] == ["COPY-2"] == [x.rule_id for x in doc.defects]


@pytest.mark.slow
def test_a_started_portal_used_as_a_context_runs_one_server_and_stops_it():
    def servers() -> list[int]:
        return [pid for pid, cmd in descendants(os.getpid()).items() if "demoportal.server" in cmd]

    before = servers()
    with start_demo_portal(size=210) as portal:
        assert [pid for pid in servers() if pid not in before] == [portal.pid]
        assert fetch(portal.url_for("/"))[0] == 200
    assert [pid for pid in servers() if pid not in before] == []


def test_per_page_gives_every_hanweb_column_the_same_page_size_and_keeps_the_documents(portal):
    paged = build_portal(7, 1000, per_page=15)
    manifest, default = paged.manifest(), build_portal(7, 1000).manifest()
    assert manifest["documents"] == default["documents"]  # only the catalog's paging differs
    assert {u["per_page"] for u in _hanweb(manifest)} == {15} and manifest["per_page"] == 15
    assert {u["per_page"] for u in _hanweb(default)} == {5, 14, 15} and "per_page" not in default
    others = {u["name"]: u["per_page"] for u in manifest["units"] if u["cms"] != "hanweb"}
    assert others == {u["name"]: u["per_page"] for u in default["units"] if u["cms"] != "hanweb"}
    county = paged.unit_by_column(1229426391)
    html = paged.column_html(county)
    assert county.per_page == 15 and "perPage:15" in html and "groupSize:3" in html
    assert len(re.findall(r"<record>", html)) == 45 < len(paged.catalog(county))
    assert all(d.unit.per_page == 15 for d in paged.documents if d.unit.cms == "hanweb")
    with pytest.raises(ValueError, match="per_page=0"):
        build_portal(7, 300, per_page=0)
