"""The report's first screen, read as HTML: coverage, then the scorecard, then this week, then the
findings to fix; what could not be checked counted by rule and reason, its rows folded below."""
from __future__ import annotations

import lxml.html

from tests.report_runs import HOST, document, finding, realistic_docs, realistic_findings, record, rendered_html


def test_sections_come_in_the_supervisors_order_and_unchecked_rows_are_folded(tmp_path):
    store = tmp_path / "s.sqlite3"
    docs = realistic_docs()
    gone = [document(f"g{i}", "濮院镇", f"已删除文件{i}", fetch_error="HTTP 404") for i in range(4)]
    found = realistic_findings(docs)
    found += [finding("FETCH-1", d, observed=f"HTTP 404 at http://{HOST}/art/{d['doc_id']}.html on 2024-04-0{i + 1}")
              for i, d in enumerate(gone)]
    run_id = record(store, [*docs.values(), *gone], found, started_at="2024-04-08T01:30:00+00:00")
    html = rendered_html(store, run_id)
    tree = lxml.html.fromstring(html)
    order = [el.get("id") for el in tree.xpath("//body/header | //body/section")]
    # the spot-check box (国办抽查单项否决风险) follows the first screen, before the findings to fix first
    assert order[:6] == ["summary", "scorecard", "this-week", "spotcheck", "fix-first", "unchecked"]
    assert "<script" not in html and "default-src 'none'" in html
    summary = {(r.get("data-rule-id"), r.cssselect("td")[1].text_content()): int(r.get("data-count"))
               for r in tree.cssselect("#unchecked tr.cnc-reason")}
    # the four 404s differ only in their URL and date: one reason, counted 4 (+ the realistic one)
    assert summary[("FETCH-1", "HTTP 404 at … on …")] == 4  # the message without the rule title it repeats
    assert summary[("FETCH-2", "连接超时")] == 1 and summary[("PARSE-1", "没有元数据表，也没有正文")] == 1
    folded = tree.cssselect("#unchecked details.cnc-rows")
    assert len(folded) == 1 and len(folded[0].cssselect("tr.finding")) == 7  # every row, below the summary
    assert not tree.cssselect("#unchecked > table.cnc")  # no row list outside the fold
