"""Section, table, figure, metadata, copy-paste, trend and fetch rules: rows that pass and rows
that fail, all validated in one audit of the default rule pack (real GX validation).

Each case builds its own document(s) with their own URL (and host, for the per-host 索引号
patterns), then names the document, the rule and the outcome it must get.
"""
from __future__ import annotations

import itertools

import pytest

from audits.rules.loader import load_rules
from audits.rules.validate import run_rules
from audits.rules.columns import base_columns
from rules_frames import document, frames

_ids = itertools.count(100)
ROWS: dict[str, list] = {name: [] for name in base_columns()}
CASES: list[tuple[str, str, str, str | None]] = []  # (case, url, rule, expected outcome)

FZ_KINDS = ["fz_measures", "fz_shortcomings", "fz_first_responsible", "fz_next_year"]
XX_KINDS = ["xx_overview", "xx_proactive", "xx_applications", "xx_review_litigation", "xx_problems", "xx_other"]


def doc(**fields) -> dict:
    row = document(next(_ids), **fields)
    ROWS["documents"].append(row)
    return row


def sections(d: dict, kinds: list[str], folded: tuple[str, ...] = (), years: dict | None = None) -> None:
    for i, kind in enumerate(kinds, 1):
        ROWS["sections"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, ordinal=i, heading=f"{kind} 标题",
                                     kind=kind, standalone=True, years=(years or {}).get(kind)))
    for kind in folded:
        ROWS["sections"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, kind=kind, standalone=False))


def case(name: str, d: dict, rule: str, expected: str | None) -> None:
    CASES.append((name, d["url"], rule, expected))


# --- sections -------------------------------------------------------------------------
FZ = dict(report_type="fazhi_annual", report_year=2022, published_at="2023-02-20")
d = doc(**FZ); sections(d, FZ_KINDS, years={"fz_next_year": "2023"})
for rule in ("FZ-SEC-1", "FZ-SEC-2", "FZ-SEC-3", "FZ-SEC-4", "FZ-SEC-3-FOLDED", "FZ-NEXT-1", "COPY-3"):
    case(f"complete fazhi report passes {rule}", d, rule, None)
d = doc(**FZ); sections(d, ["fz_measures", "fz_shortcomings", "fz_next_year"])
case("fazhi without 第一责任人 (hx020)", d, "FZ-SEC-3", "failure")
case("absent 第一责任人 is not also 'folded'", d, "FZ-SEC-3-FOLDED", None)
d = doc(**FZ); sections(d, ["fz_measures", "fz_shortcomings", "fz_next_year"], folded=("fz_first_responsible",))
case("第一责任人 folded into measures (hx038)", d, "FZ-SEC-3", None)
case("folded 第一责任人 is a warning", d, "FZ-SEC-3-FOLDED", "failure")
d = doc(**FZ); sections(d, ["fz_measures", "fz_first_responsible", "fz_next_year"])
case("fazhi without shortcomings", d, "FZ-SEC-2", "failure")
d = doc(**FZ); sections(d, FZ_KINDS, years={"fz_next_year": "2022"})
case("next-year heading names the report year", d, "FZ-NEXT-1", "failure")
d = doc(**FZ); sections(d, FZ_KINDS, years={"fz_measures": "2020"})
case("heading names an old year", d, "COPY-3", "failure")
d = doc(**dict(FZ, body_length=0))
case("fazhi without body text", d, "FZ-SEC-1", "could_not_check")
XX = dict(report_type="xxgk_annual", report_year=2022, published_at="2023-01-20", table_template="2021")
d = doc(**XX); sections(d, XX_KINDS)
case("complete xxgk report", d, "XX-SEC-6", None)
case("xxgk 2022 with 2021 tables", d, "XX-FMT-1", None)
d = doc(**dict(XX, table_template="2019")); sections(d, XX_KINDS[:5])
case("xxgk without 其他需要报告的事项 (hx060)", d, "XX-SEC-6", "failure")
case("xxgk without section 六 still has 五", d, "XX-SEC-5", None)
case("xxgk 2022 with 2019 tables (hx006)", d, "XX-FMT-1", "failure")
for i, kind in enumerate(XX_KINDS[:5], 1):
    d = doc(**XX); sections(d, [k for k in XX_KINDS if k != kind])
    case(f"xxgk without {kind}", d, f"XX-SEC-{i}", "failure")
d = doc(**XX); sections(d, XX_KINDS[1:], folded=("xx_overview",))
case("xxgk overview only inside another section", d, "XX-SEC-1", None)
d = doc(**dict(XX, report_year=2020, table_template="2019"))
case("xxgk 2020 may use 2019 tables", d, "XX-FMT-1", None)
d = doc(**dict(XX, title_year=2021))
case("title year differs from body year", d, "TITLE-YEAR-1", "failure")

# --- table 三 -------------------------------------------------------------------------
COLS = ["natural", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
T3_ROWS = ["new", "carried", "granted", "partial", *[f"refused_{i}" for i in range(1, 9)],
           *[f"unavailable_{i}" for i in range(1, 4)], *[f"not_processed_{i}" for i in range(1, 6)],
           *[f"other_{i}" for i in range(1, 4)], "outcome_total", "carry_next"]


def table3(d: dict, **changes) -> None:
    given = {"new": 5, "carried": 1, "granted": 4, "partial": 1, "outcome_total": 5, "carry_next": 1}
    row = dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, template="2021")
    for r in T3_ROWS:
        for c in COLS:
            row[f"{r}__{c}"] = given.get(r, 0) if c in ("natural", "total") else 0
    row.update(changes)
    ROWS["table3_wide"].append(row)


d = doc(**XX); table3(d)
for rule in ("I3-1", "I3-2", "I3-3"):
    case(f"consistent table 三 passes {rule}", d, rule, None)
d = doc(**XX); table3(d, carry_next__natural=2, carry_next__total=2)
case("table 三 column identity broken", d, "I3-1", "failure")
d = doc(**XX); table3(d, new__total=6)
case("table 三 row total broken", d, "I3-2", "failure")
d = doc(**XX); table3(d, granted__natural=3, granted__total=3, partial__natural=1, partial__total=1)
case("table 三 outcomes do not add up", d, "I3-3", "failure")
d = doc(**XX); table3(d, **{f"{r}__{c}": None for r in T3_ROWS for c in COLS})
case("table 三 entirely blank (hx006)", d, "I3-1", "could_not_check")
for stated, expected in (("6", "failure"), ("5", None), ("五", None)):
    d = doc(**XX); table3(d)
    ROWS["figures"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, figure_id=1, value=None, unit="件",
                                sentence=f"本年度共收到政府信息公开申请{stated}件，均已按时答复。"))
    case(f"narrative says {stated} applications, table 5", d, "I3-6", expected)

# --- tables 二 and 四 ------------------------------------------------------------------
d = doc(**XX)
ROWS["table2_wide"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, rules__made=0, rules__in_force=6))
case("township reports 规章 in force (hx008)", d, "T2-1", "failure")
d = doc(**dict(XX, unit_level="county_gov"))
ROWS["table2_wide"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, rules__made=0, rules__repealed=0, rules__in_force=0))
case("county reports 规章 as 0", d, "T2-1", None)
d = doc(**XX)
cells = {f"cases__{b}_{leaf}": 0 for b in ("review", "suit_direct", "suit_after_review")
         for leaf in ("upheld", "corrected", "other", "pending", "total")}
ROWS["table4_wide"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, **dict(cells, cases__review_upheld=1,
                                                                                      cases__review_total=3)))
case("table 四 review total 3 ≠ 1", d, "I4-1", "failure")

# --- figures ---------------------------------------------------------------------------
for total, parts, complete, approx, rule, expected in (
        (382, 2443, False, False, "FIG-1", "failure"),   # hx010
        (10, 8, False, False, "FIG-1", None),
        (181, 172, True, False, "FIG-2", "failure"),      # hx062
        (181, 172, True, True, "FIG-2", None),
        (22.62, 22.63, True, False, "FIG-2", None),       # money within 0.01 per part
        (22.62, 22.66, True, False, "FIG-2", None),       # above the total: FIG-1's finding, not also FIG-2's
        (22.62, 22.66, True, False, "FIG-1", "failure"),
        (22.62, 22.50, True, False, "FIG-2", "failure"),
        (0.3, 0.1 + 0.2, True, False, "FIG-2", None)):
    d = doc(**XX)
    diff = round(parts - total, 6)
    excess = 0.0 if abs(diff) <= 0.02 * isinstance(total, float) + 1e-9 else diff
    ROWS["figure_groups"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, group_id=1, total=total,
                                      parts_sum=parts, n_parts=2, complete=complete, approx=approx, sentence="共…其中…",
                                      tolerance=0.02 * isinstance(total, float), excess=excess))
    case(f"group {total} vs parts {parts} (complete={complete}, approx={approx})", d, rule, expected)
for sentence, value, kind, expected in (("依申请公开办结率150%", 150, "rate", "failure"),
                                        ("占全部申请的101%", 101, "share", "failure"),
                                        ("申请量同比增长150%", 150, "change", None),
                                        ("预算完成率120%", 120, "other", None), ("办结率100%", 100, "rate", None)):
    d = doc(**XX)
    ROWS["figures"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, figure_id=1, value=value, unit="%",
                                sentence=sentence, pct_kind=kind, noun=sentence[:-4]))
    case(f"percentage in “{sentence}”", d, "FIG-3", expected)

# --- metadata --------------------------------------------------------------------------
case("complete metadata", doc(), "META-1", None)
case("missing 公开方式", doc(disclosure_mode=None), "META-1", "failure")
case("blank 发布机构", doc(publisher=" "), "META-1", "failure")
case("published before issued", doc(issued_date="2023-03-02", published_at="2023-03-01"), "META-2", "failure")
case("published the day it was issued (hx003)", doc(issued_date="2023-03-01", published_at="2023-03-01 16:34"), "META-2", None)
case("short publisher name (hx022)", doc(publisher="濮院镇"), "META-3", "failure")
case("publisher 沿江街道 (hx061)", doc(publisher="沿江街道"), "META-3", "failure")
case("full publisher name", doc(publisher="桐乡市濮院镇人民政府"), "META-3", None)
case("published after it was fetched", doc(published_at="2024-07-01"), "META-4", "failure")
# dates: malformed is not missing, every date is checked for the future, and the rules measuring
# from a bad date say "could not check" instead of cascading
for raw in ("2023-02-29", "2023-13-01", "0000-00-00", "2023-02"):
    bad = doc(issued_date=None, issued_date_malformed=raw)
    case(f"发文日期 {raw} is malformed", bad, "DATE-1", "failure")
    case(f"发文日期 {raw} is not reported missing", bad, "META-1", None)
    case(f"发文日期 {raw}: 发布≥发文 cannot be checked", bad, "META-2", "could_not_check")
case("valid dates are not malformed", doc(), "DATE-1", None)
both = doc(published_at="2023-01-06 16:08", published_malformed="202316")  # as hx054: 发布时间 beside 公开日期
case("a garbled second date beside a valid one is reported (hx054)", both, "DATE-1", "failure")
case("the valid date still serves the rules that need it", both, "META-2", None)
case("missing 发文日期 is META-1, not DATE-1", doc(issued_date=None), "META-1", "failure")
case("missing 发文日期 is not malformed", ROWS["documents"][-1], "DATE-1", None)
future = doc(issued_date="2033-03-02", published_at="2023-03-05", index_no="001008004005091/2023-100777")
case("future 发文日期", future, "META-4", "failure")
case("future 发文日期 is not a publication before issue", future, "META-2", "could_not_check")
case("future 发文日期 is not an index-year mismatch", future, "IDX-2", "could_not_check")
case("future 索引号 year", doc(index_no="001008004005091/2033-100001"), "META-4", "failure")
case("future 索引号 year is not an index-year mismatch", ROWS["documents"][-1], "IDX-2", "could_not_check")
late_future = doc(**dict(FZ, published_at="2033-02-20"))
case("future 发布日期 of a report", late_future, "META-4", "failure")
case("future 发布日期 is not a late report", late_future, "FZ-DATE-1", "could_not_check")
case("index year differs from issued year", doc(index_no="001008004005091/2022-100001"), "IDX-2", "failure")
case("index year as year+month", doc(index_no="11341702486344515H/202301-00013"), "IDX-2", None)
case("regular 文号", doc(doc_no="桐政办发〔2023〕12号"), "DOC-1", None)
case("文号 printed on the page, field empty (hx040)", doc(doc_no=None, doc_no_shown="太政〔2019〕3号"), "META-6", "failure")
case("文号 printed on the page, field says 无", doc(doc_no="无", doc_no_shown="太政〔2019〕3号"), "META-6", "failure")
case("文号 printed and filled in", doc(doc_no="太政〔2019〕3号", doc_no_shown="太政〔2019〕3号"), "META-6", None)
case("no 文号 printed, field empty (annual reports)", doc(doc_no=None), "META-6", None)
BUDGET = dict(report_type="budget", report_year=2024)
case("budget published 15 days after 批复", doc(**BUDGET, approval_date="2024-02-01", published_at="2024-02-16"), "BUD-1", None)
case("budget published 20 days after 批复", doc(**BUDGET, approval_date="2024-02-01", published_at="2024-02-21"), "BUD-1", None)
case("budget published 21 days after 批复", doc(**BUDGET, approval_date="2024-02-01", published_at="2024-02-22"), "BUD-1", "failure")
case("budget without a stated 批复 date", doc(**BUDGET, published_at="2024-09-22"), "BUD-1", None)
case("budget with a future 发布日期", doc(**BUDGET, approval_date="2024-02-01", published_at="2034-02-22"), "BUD-1", "could_not_check")
case("文号 with square brackets", doc(doc_no="桐政办发[2023]12号"), "DOC-1", "failure")
case("文号 with leading zero", doc(doc_no="桐政办发〔2023〕012号"), "DOC-1", "failure")
case("文号 with 第", doc(doc_no="桐政办发〔2023〕第12号"), "DOC-1", "failure")
case("文号 field says 无", doc(doc_no="无"), "DOC-1", None)
HOST = dict(site="idx", host="idx.test")
regular = [doc(**HOST, index_no=f"001008004005091/2023-{200000 + i}") for i in range(60)]
county = [doc(**HOST, index_no=f"330483ZFC00000/2023-{300000 + i}") for i in range(4)]
case("index number of the host's pattern", regular[0], "IDX-1", None)
case("index number of the host's second, rarer scheme", county[0], "IDX-1", None)
case("index number off the host's pattern (hx051)", doc(**HOST, index_no="bgs01/2023-00011"), "IDX-1", "failure")
case("index number with template residue (hx043)", doc(**HOST, index_no="null02D/01A/D3C20190807"), "IDX-1", "failure")

for name, text_years, expected in (("names the next year in its text", "2023", None),
                                   ("says 明年", "next", None),
                                   ("never names the next year", "2022", "failure"),
                                   ("names no year at all", None, "failure")):
    d = doc(**FZ)
    for i, kind in enumerate(FZ_KINDS, 1):
        ROWS["sections"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, ordinal=i, kind=kind, standalone=True,
                                     heading="下一步工作打算" if kind == "fz_next_year" else f"{kind} 标题",
                                     text_years=text_years if kind == "fz_next_year" else "2022"))
    case(f"next-year section under a yearless heading {name}", d, "FZ-NEXT-2", expected)
d = doc(**FZ); sections(d, FZ_KINDS, years={"fz_next_year": "2022"})
case("a wrong year in the heading is FZ-NEXT-1's, not FZ-NEXT-2's", d, "FZ-NEXT-2", None)

d = doc(**FZ)
ROWS["sections"].append(dict(doc_id=d["doc_id"], url=d["url"], crawl_id=1, kind="fz_first_responsible", standalone=False))
case("no heading could be read: a missing section cannot be told", d, "FZ-SEC-2", "could_not_check")
case("no heading could be read: folded content still counts", d, "FZ-SEC-3", None)
d = doc(**FZ); sections(d, ["fz_measures"])
case("headings read, shortcomings missing", d, "FZ-SEC-2", "failure")

# --- copy-paste ---------------------------------------------------------------------------
old = doc(**dict(FZ, unit="甲镇", report_year=2021, published_at="2022-02-20", content_hash="same"))
new = doc(**dict(FZ, unit="甲镇", report_year=2022, content_hash="same"))
case("identical to last year's report", new, "COPY-1", "failure")
old = doc(**dict(FZ, unit="乙镇", report_year=2021, published_at="2022-02-20")); sections(old, FZ_KINDS)
new = doc(**dict(FZ, unit="乙镇", report_year=2022))
ROWS["sections"].append(dict(doc_id=new["doc_id"], url=new["url"], crawl_id=1, ordinal=1, kind="fz_measures",
                             standalone=True, heading="一、全面推进依法行政，法治政府建设取得新进展"))
case("rewritten report", new, "COPY-1", None)
case("first report of the unit has nothing to compare", old, "COPY-1", None)
copies = []
for unit in ("戊镇", "己镇"):  # one township's report under its neighbour's name
    copied = doc(**dict(FZ, unit=unit, report_year=2020, published_at="2021-02-20"))
    for i, kind in enumerate(FZ_KINDS, 1):
        ROWS["sections"].append(dict(doc_id=copied["doc_id"], url=copied["url"], crawl_id=1, ordinal=i, kind=kind,
                                     standalone=True, heading=f"{i}、{unit}2020年推进法治政府建设的{kind}情况"))
    copies.append(copied)
case("report copied from another township, names swapped", copies[0], "COPY-2", "failure")
case("the source of the copy is flagged too", copies[1], "COPY-2", "failure")
case("a report written by the unit itself", new, "COPY-2", None)

# --- trends -------------------------------------------------------------------------------
for unit, values in (("丙镇", (100, 3)), ("丁镇", (30, 40))):
    for year, value in zip((2021, 2022), values):
        d = doc(**dict(XX, site="trend", unit=unit, report_year=year)); table3(d, new__total=value)
    case(f"{unit} applications {values[0]} → {values[1]}", d, "TREND-1", "failure" if unit == "丙镇" else None)
for i, value in enumerate((20, 22, 25, 21, 23, 400)):
    d = doc(**dict(XX, site="peer", unit=f"同类{i}", unit_level="subdistrict")); table3(d, new__total=value)
    case(f"peer with {value} applications", d, "PEER-1", "failure" if value == 400 else None)

# --- fetch, parse, attachments ---------------------------------------------------------------
case("broken attachment", doc(attachment_count=3, broken_attachments=2), "ATTACH-1", "failure")
case("working attachments", doc(attachment_count=3, broken_attachments=0), "ATTACH-1", None)
case("report only in a scanned attachment", doc(body_length=0, body_source="pdf",
                                                 attachment_problem="附件《附件1.pdf》：扫描件，无文字层"),
     "ATTACH-2", "could_not_check")
case("report read from its attachment", doc(body_source="docx"), "ATTACH-2", None)
case("report in the page body", doc(body_source="html"), "ATTACH-2", None)
case("unreachable catalog", doc(kind="catalog", http_status=503, fetch_error="HTTP 503", body_length=None), "FETCH-2", "could_not_check")
case("timeout", doc(http_status=None, fetch_error="timeout", body_length=None), "FETCH-1", "could_not_check")
case("challenge page", doc(http_status=412, fetch_error="blocked: HTTP 412 at x, a JavaScript challenge page", body_length=None), "FETCH-3", "could_not_check")
case("challenge page is not an ordinary fetch failure", ROWS["documents"][-1], "FETCH-1", None)
case("blocked catalog", doc(kind="catalog", http_status=403, fetch_error="catalog unreachable: blocked: HTTP 403", body_length=None), "FETCH-3", "could_not_check")
case("readable page is not blocked", doc(), "FETCH-3", None)
case("offsite link", doc(http_status=None, fetch_error="not followed: host www.example.gov.cn is not one of the site's hosts", body_length=None), "FETCH-4", "could_not_check")
case("offsite link is not an ordinary fetch failure", ROWS["documents"][-1], "FETCH-1", None)
case("readable page is not offsite", doc(), "FETCH-4", None)
case("blank page", doc(body_length=0, index_no=None, publisher=None, issued_date=None), "PARSE-1", "could_not_check")
case("blank page is not checked for metadata", ROWS["documents"][-1], "META-1", None)


@pytest.fixture(scope="module")
def result():
    return run_rules(frames(**ROWS), pack=load_rules("expectations"))


@pytest.mark.parametrize("case_", CASES, ids=[c[0] for c in CASES])
def test_rule_outcome(result, case_):
    _, url, rule_id, expected = case_
    f = result.findings
    hit = f[(f["url"] == url) & (f["rule_id"] == rule_id)]
    assert len(hit) <= 1
    assert (None if hit.empty else hit["kind"].iloc[0]) == expected, hit[["message"]].to_string()


def test_every_rule_id_of_the_pack_is_exercised():
    tested = {c[2] for c in CASES} | {"FZ-DATE-1", "FZ-DATE-2", "XX-DATE-1", "XX-DATE-2", "ROUTINE-LAG-1", "FETCH-1"}
    # The spot-check rules are exercised at their thresholds in test_rules_spotcheck.py and test_rules_wording.py.
    tested |= {"COL-STALE", "COL-BLANK", "COL-BURST", "VETO-COL-A", "VETO-COL-B", "VETO-COL-C", "VETO-AVAIL",
               "WORDING-1", "WORDING-2"}
    assert {r.id for r in load_rules("expectations").rules} <= tested


def test_no_suite_errors_when_every_frame_has_rows(result):
    assert result.errors == []


def test_table_finding_spells_out_the_arithmetic(result):
    f = result.findings
    url = next(c[1] for c in CASES if c[0] == "table 三 column identity broken")
    message = f[(f["url"] == url) & (f["rule_id"] == "I3-1")]["message"].iloc[0]
    assert "新收·自然人 5 + 上年结转·自然人 1 = 6 ≠ 办理结果总计·自然人 5 + 结转下年·自然人 2 = 7" in message


def test_findings_have_exactly_the_schema_columns(result):
    from govaudit.columns import FINDING_COLUMNS
    assert list(result.findings.columns) == list(FINDING_COLUMNS)
    assert result.findings["finding_key"].is_unique
