"""Realistic synthetic audit runs for the report and history tests.

A county site with five units: findings of every severity, pages and a unit catalog that could
not be checked, annual reports on time and late, and (optionally) hostile page content. The
crawls are real rows of the real SQLite store; only the rule output is written by hand, so the
report is tested against findings whose right place in the report is known.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from audits.history import RULE_STAT_COLUMNS, finding_key, load_run, record_run
from govaudit.columns import DOCUMENT_COLUMNS, FINDING_COLUMNS
from govaudit.store import Store

SITE = "tongxiang"
HOST = "www.tx.gov.cn"
UNITS = {
    "濮院镇": "township",
    "梧桐街道": "subdistrict",
    "桐乡市人民政府": "county_gov",
    "桐乡市司法局": "department",
    "乌镇镇": "township",  # its catalog is unreachable in every run
}
HOSTILE_TITLE = '关于"整改"的<script>alert(1)</script>通知 <img src=x onerror=alert(1)> & \'引号\''
HOSTILE_OBSERVED = "</td></tr><script>alert(2)</script>"

RULES = {  # rule_id: (suite, severity, title)
    "FZ-DATE-1": ("deadlines", "critical", "法治政府建设年度报告应于4月1日前公开"),
    "XX-DATE-2": ("deadlines", "warning", "乡镇街道信息公开年报宜于1月31日前公开"),
    "XX-SEC-3": ("sections", "critical", "信息公开年报应有“收到和处理政府信息公开申请情况”"),
    "META-1": ("metadata", "critical", "元数据必填项"),
    "META-3": ("metadata", "warning", "发布机构应写全称"),
    "DOC-1": ("metadata", "warning", "文号格式"),
    "TREND-1": ("figures", "info", "同比大幅变化"),
    "I3-1": ("tables", "critical", "表三列平衡"),
    "FETCH-1": ("fetch", "critical", "页面无法获取"),
    "FETCH-2": ("fetch", "critical", "单位目录无法访问"),
    "PARSE-1": ("fetch", "critical", "页面无法解析"),
    "COPY-1": ("copy", "warning", "与上年报告高度雷同"),
    "ROUTINE-LAG-1": ("deadlines", "warning", "常规信息应及时公开"),  # no applicable document in these runs
}


def document(doc_id: str, unit: str, title: str, *, report_type: str = "routine", report_year: int | None = None,
             published: str = "2024-03-20", body: str | None = None, fetch_error: str | None = None,
             url: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in DOCUMENT_COLUMNS}
    body = body if body is not None else f"{title}正文"
    row.update(
        doc_id=doc_id, url=url or f"http://{HOST}/art/2024/3/20/art_{doc_id}.html", site=SITE, host=HOST,
        unit=unit, unit_level=UNITS.get(unit, "township"), kind="detail", title=title, list_title=title,
        published_at=published, issued_date=published, report_type=report_type, report_year=report_year,
        index_no=f"0023-{doc_id}/2024", publisher=f"桐乡市{unit}", disclosure_mode="主动公开",
        content_hash=None if fetch_error else hashlib.sha256(body.encode()).hexdigest(),
        http_status=404 if fetch_error else 200, fetched_at="2024-04-08T01:20:00+00:00",
        body_length=None if fetch_error else len(body), fetch_error=fetch_error, attachment_count=0,
    )
    return row


def documents_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(DOCUMENT_COLUMNS))
    return pd.DataFrame({name: pd.to_datetime(frame[name], utc="UTC" in dtype) if dtype.startswith("datetime64")
                         else pd.array(frame[name].to_numpy(dtype=object), dtype=dtype)
                         for name, dtype in DOCUMENT_COLUMNS.items()}, index=frame.index)


def finding(rule_id: str, doc: dict[str, Any] | None = None, *, unit: str | None = None, url: str | None = None,
            observed: str = "", expected: str = "", kind: str | None = None) -> dict[str, Any]:
    suite, severity, title = RULES[rule_id]
    kind = kind or ("could_not_check" if rule_id in ("FETCH-1", "FETCH-2", "PARSE-1") else "failure")
    doc = doc or {}
    row = {
        "site": SITE, "unit": unit or doc.get("unit"), "doc_id": doc.get("doc_id"), "url": url or doc.get("url"),
        "title": doc.get("title"), "crawl_id": None, "rule_id": rule_id, "suite": suite, "kind": kind,
        "severity": severity, "rule_title": title, "message": f"{title}：{observed}" if observed else title,
        "observed": observed, "expected": expected, "basis": f"{rule_id} 的依据（条例第二十四条）",
        "fix": f"{rule_id} 的整改建议", "content_hash": doc.get("content_hash"), "fetched_at": doc.get("fetched_at"),
    }
    row["finding_key"] = finding_key(SITE, row["doc_id"], row["url"], rule_id)
    return row


def findings_frame(rows: list[dict[str, Any]], crawl_id: int) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    frame["crawl_id"] = crawl_id
    return frame.astype(FINDING_COLUMNS)


def rule_stats_frame(findings: pd.DataFrame, evaluated: int, skipped: tuple[str, ...] = ()) -> pd.DataFrame:
    rows = []
    counts = findings.groupby(["rule_id", "kind"], observed=True).size().to_dict()
    for rule_id, (suite, severity, title) in RULES.items():
        failed = int(counts.get((rule_id, "failure"), 0))
        cnc = int(counts.get((rule_id, "could_not_check"), 0))
        n = 0 if rule_id in skipped or rule_id == "ROUTINE-LAG-1" else evaluated
        cnc += evaluated if rule_id in skipped else 0  # a skipped rule could not read its rows
        rows.append({"rule_id": rule_id, "suite": suite, "severity": severity, "title": title,
                     "basis": f"{rule_id} 的依据", "evaluated": n, "failed": failed, "could_not_check": cnc,
                     "pass_rate": (n - failed) / n if n else None})
    return pd.DataFrame(rows, columns=list(RULE_STAT_COLUMNS)).astype(RULE_STAT_COLUMNS)


def make_crawl(store_path: Path, status: str = "complete", units: list[str] | None = None, site: str = SITE) -> int:
    with Store(store_path) as store:
        crawl_id = store.start_crawl(site, units or list(UNITS))
        store.finish_crawl(crawl_id, status, {"pages": 12})
    return crawl_id


def record(store_path: Path, docs: list[dict[str, Any]], findings: list[dict[str, Any]], *, started_at: str,
           status: str = "complete", skipped: tuple[str, ...] = (), site: str = SITE, trial: bool = False,
           rules_dir: str = "expectations") -> int:
    crawl_id = make_crawl(store_path, status, site=site)
    for row in docs:
        row["crawl_id"] = crawl_id
    frame = findings_frame(findings, crawl_id)
    return record_run(store_path, site=site, crawl_id=crawl_id, documents=documents_frame(docs),
                      findings=frame, rule_stats=rule_stats_frame(frame, len(docs), skipped),
                      rules_dir=rules_dir, started_at=started_at, trial=trial)


def realistic_docs(hostile: bool = False) -> dict[str, dict[str, Any]]:
    docs = {
        "pyfz": document("pyfz", "濮院镇", "濮院镇2023年法治政府建设年度报告", report_type="fazhi_annual",
                         report_year=2023, published="2024-04-15"),
        "pyxx": document("pyxx", "濮院镇", "濮院镇2023年政府信息公开工作年度报告", report_type="xxgk_annual",
                         report_year=2023, published="2024-01-20"),
        "pyrt": document("pyrt", "濮院镇", "濮院镇关于开展消防安全检查的通知"),
        "pygone": document("pygone", "濮院镇", "濮院镇2023年预算公开", report_type="budget",
                           fetch_error="HTTP 404"),
        "wtxx": document("wtxx", "梧桐街道", "梧桐街道2023年政府信息公开工作年度报告", report_type="xxgk_annual",
                         report_year=2023, published="2024-02-20"),
        "wtrt": document("wtrt", "梧桐街道", HOSTILE_TITLE if hostile else "梧桐街道关于征集意见的公告"),
        "wtbad": document("wtbad", "梧桐街道", "梧桐街道办事处通知"),
        "sjfz": document("sjfz", "桐乡市司法局", "桐乡市司法局2023年法治政府建设年度报告", report_type="fazhi_annual",
                         report_year=2023, published="2024-03-10"),
        "sjrt": document("sjrt", "桐乡市司法局", "桐乡市司法局行政执法公示"),
        "zfxx": document("zfxx", "桐乡市人民政府", "桐乡市人民政府2023年政府信息公开工作年度报告",
                         report_type="xxgk_annual", report_year=2023, published="2024-03-25"),
    }
    return docs


def realistic_findings(docs: dict[str, dict[str, Any]], hostile: bool = False) -> list[dict[str, Any]]:
    return [
        finding("FZ-DATE-1", docs["pyfz"], observed="2024-04-15", expected="早于 2024-04-01"),
        finding("XX-SEC-3", docs["pyxx"], observed="缺少第三部分", expected="应有第三部分"),
        finding("I3-1", docs["pyxx"], observed="新收 12 + 结转 1 ≠ 14", expected="相等"),
        finding("META-3", docs["pyrt"], observed="濮院镇", expected="桐乡市濮院镇人民政府"),
        finding("FETCH-1", docs["pygone"], observed="HTTP 404"),
        finding("XX-DATE-2", docs["wtxx"], observed="2024-02-20", expected="不晚于 2024-01-31"),
        finding("META-1", docs["wtrt"], observed=HOSTILE_OBSERVED if hostile else "索引号为空", expected="索引号"),
        finding("PARSE-1", docs["wtbad"], observed="没有元数据表，也没有正文"),
        finding("TREND-1", docs["wtxx"], observed="依申请公开数量 3 → 45", expected="同比变化小于 5 倍"),
        finding("DOC-1", docs["sjrt"], observed="桐司〔2024〕第05号", expected="桐司〔2024〕5号"),
        finding("FETCH-2", unit="乌镇镇", url=f"http://{HOST}/col/col_wz/index.html", observed="连接超时"),
    ]


def realistic_run(store_path: Path, *, hostile: bool = False, started_at: str = "2024-04-08T01:30:00+00:00",
                  site: str = SITE) -> tuple[int, list[dict[str, Any]]]:
    docs = realistic_docs(hostile)
    found = realistic_findings(docs, hostile)
    for row in [*docs.values(), *found]:
        row["site"] = site
        if row.get("finding_key"):
            row["finding_key"] = finding_key(site, row["doc_id"], row["url"], row["rule_id"])
    run_id = record(store_path, list(docs.values()), found, started_at=started_at, skipped=("COPY-1",), site=site)
    return run_id, found


def rendered_html(store_path: Path, run_id: int, lang: str = "zh") -> str:
    """The HTML `render_run` writes for the run, without the workbook and exports it writes beside
    it (for tests that read the HTML alone)."""
    from audits.report.render import render_html

    return render_html(store_path, load_run(store_path, run_id), lang)
