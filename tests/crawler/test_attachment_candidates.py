"""Which attachment links the crawler downloads: document files of report pages and stub pages."""
from __future__ import annotations

import pytest

from crawler.attachments import candidates, file_extension, is_report_candidate
from govaudit.records import PageRecord

LONG_BODY = "本单位全年共办理各类事项若干，相关情况如下。" * 20


def _record(title: str, body: str, links: list[dict[str, str]]) -> PageRecord:
    return PageRecord(url="http://x/art.html", site="s", unit="u", unit_level="township", dialect="hanweb",
                      page_title=title, body_text=body, attachments=links)


@pytest.mark.parametrize("link, ext", [
    ({"url": "http://x/module/download/downfile.jsp?classid=0&filename=0123abcd.pdf", "text": "附件1.pdf"}, "pdf"),
    ({"url": "http://x/202512/W020251231726284332528.docx", "text": "年度报告"}, "docx"),
    ({"url": "http://x/download?id=77", "text": "2023年政府信息公开工作年度报告.xls"}, "xls"),
    ({"url": "http://x/a/b.WPS", "text": ""}, "wps"),
    ({"url": "http://x/a/b.zip", "text": "附件.zip"}, ""),
    ({"url": "http://x/a/page.html", "text": "详情"}, ""),
])
def test_file_extension_from_path_parameter_or_link_text(link, ext):
    assert file_extension(link) == ext


def test_report_page_attachments_are_candidates_and_routine_ones_are_not():
    pdf = {"url": "http://x/f.pdf", "text": "附件1.pdf"}
    assert is_report_candidate(_record("某镇2023年法治政府建设年度报告", LONG_BODY, [pdf]), pdf)
    assert not is_report_candidate(_record("关于开展安全生产检查的通知", LONG_BODY, [pdf]), pdf)
    # a stub body points at its attachment whatever the title says
    assert is_report_candidate(_record("关于公布有关情况的通知", "详见附件。", [pdf]), pdf)
    named = {"url": "http://x/f.pdf", "text": "2023年政府信息公开工作年度报告.pdf"}
    assert is_report_candidate(_record("通知", LONG_BODY, [named]), named)
    archive = {"url": "http://x/f.rar", "text": "报告.rar"}
    assert not is_report_candidate(_record("年度报告", "详见附件", [archive]), archive)


def test_candidates_are_capped_per_page():
    links = [{"url": f"http://x/f{i}.pdf", "text": f"附件{i}.pdf"} for i in range(5)]
    record = _record("年度报告", "详见附件", links)
    assert [a["url"] for a in candidates(record, 3)] == [a["url"] for a in links[:3]]
    assert candidates(record, 0) == []
