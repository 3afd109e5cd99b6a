"""What kind of document a page is and which year it speaks about.

Rules differ by report type (法治政府建设年度报告 has a 4月1日 deadline, 信息公开年报 its own), so
the type is read from the title first, then from the 组配分类, and, for pages whose title was
not captured, from tell-tale body text (the xxgk tables).  A 解读 or an 印发 notice *about* a
report is not the report.  The report year is the one the title states: a body that still speaks
of earlier years (an opening copied from an old report) is the stale-text finding (COPY-3), and
must not shift deadlines, the next-year check and the title check.  Only when the body agrees
with itself against the title — the opening ("2022年,濮院镇…", "统计期限自2022年1月1日"), the
first heading ("一、2022年…") and the next-year heading ("四、2023年工作安排", minus one), at least
two of them and none naming the title's year — is the title the odd one out (TITLE-YEAR-1), and
the body's year is used.  Without a title year, the body's opening year is used.
"""
from __future__ import annotations

import re

_NOT_A_REPORT = re.compile(r"解读|印发|转发|通知|征求意见|答记者问|图解")
_XXGK_TITLE = re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)|政务公开.{0,6}年度报告|^\d{4}\s*年\s*报")
_FAZHI_TITLE = re.compile(r"法治(?:政府)?建设.{0,16}(?:报告|总结)")
_FINAL = re.compile(r"决算")
_BUDGET = re.compile(r"预算")
_XXGK_BODY = re.compile(
    r"信息公开工作年度报告|信息公开年度报告|信息公开年报|本年新收政府信息公开申请数量|第二十条第\s*[(（]一[)）]\s*项"
    r"|政府信息公开行政复议"
)
_FAZHI_BODY = re.compile(r"法治政府建设.{0,12}(?:年度)?报告|推进法治建设第一责任人")

# A year closed by a bracket is a 文号's (〔2023〕, [2023], (2023)); "(2019年度)" is the report's.
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?![\d〕\]］)）】])")
_PERIOD_YEAR = re.compile(r"统计(?:期限|期|时限|周期)\D{0,6}((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_OPENING_YEAR = re.compile(
    r"(?:^|[\n。!！?？:：]|\s{2,}|^[一二三四五六七八九十]+、)\s*(?:[一二三四五六七八九十]+、\s*)?"
    r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:以来|来|上半年|下半年)?\s*(?:[,，、]|(?=共|全年|累计))"
)
_SUBJECT_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:政府)?(?:信息公开|政务公开|法治政府建设)")
_HEADING_ONE_YEAR = re.compile(r"(?:^|\n|\s)一\s*[、.．]\s*((?:19|20)\d{2})\s*年")
_UNTIL_YEAR = re.compile(r"截[至止]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日")

ANNUAL_TYPES = ("fazhi_annual", "xxgk_annual")


def report_type(title: str | None, category: str | None, body: str, has_metadata: bool) -> str:
    """fazhi_annual | xxgk_annual | budget | final_accounts | routine | other."""
    title = title or ""
    head = body[:3000]
    if title and _NOT_A_REPORT.search(title):
        return "routine"
    for text in (title, category or ""):
        if _XXGK_TITLE.search(text):
            return "xxgk_annual"
        if _FAZHI_TITLE.search(text):
            return "fazhi_annual"
    for text in (title, category or ""):
        if _FINAL.search(text):
            return "final_accounts"
        if _BUDGET.search(text):
            return "budget"
    if not title or "报告" in title or "年报" in title:
        if _XXGK_BODY.search(head):
            return "xxgk_annual"
        if _FAZHI_BODY.search(head[:600]) and (not title or "法治" in title):
            return "fazhi_annual"
    return "routine" if has_metadata else "other"


def title_year(title: str | None) -> int | None:
    """The year the title names, ignoring years inside 文号 brackets (〔2023〕)."""
    if not title:
        return None
    m = _YEAR.search(title)
    return int(m.group(1)) if m else None


def body_year(body: str) -> int | None:
    """The year an annual report's body says it covers, or None when it says none."""
    head = body[:4000]
    for pattern in (_PERIOD_YEAR, _OPENING_YEAR, _HEADING_ONE_YEAR, _UNTIL_YEAR, _SUBJECT_YEAR):
        m = pattern.search(head)
        if m:
            return int(m.group(1))
    return None


# A heading line in any numbering (四、 / 四. / 第四部分 / none) that names a year and plans.
_NUMBERING = r"(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十]+部分)?"
_NEXT_HEADING_YEAR = re.compile(
    rf"(?:^|\n)[ \t\u3000]*{_NUMBERING}[ \t\u3000]*((?:19|20)\d{{2}})\s*年[^\n。]{{0,30}}?"
    r"(?:安排|打算|计划|思路|工作要点|目标)[^\n。]{0,12}(?=\n|$)")
_FIRST_HEADING_YEAR = re.compile(
    r"(?:^|\n)[ \t\u3000]*(?:一\s*[、.．]|第一部分)[ \t\u3000]*((?:19|20)\d{2})\s*年")


def body_votes(body: str) -> list[int]:
    """Years the body gives for itself: opening, first heading, next-year heading − 1."""
    head = body[:6000]
    votes = [body_year(body)]
    m = _FIRST_HEADING_YEAR.search(head)
    votes.append(int(m.group(1)) if m else None)
    nexts = _NEXT_HEADING_YEAR.findall(body)
    votes.append(int(nexts[-1]) - 1 if nexts else None)
    return [v for v in votes if v is not None]


def opening_year(body: str) -> int | None:
    """The year the opening sentence reports on ("2021年,我镇…"), not a span ("2021年以来")."""
    for m in _OPENING_YEAR.finditer(body[:1500]):
        if "来" not in m.group(0):
            return int(m.group(1))
    return None


def report_year(title: str | None, body: str) -> int | None:
    stated = title_year(title)
    votes = body_votes(body)
    if stated is None:
        return body_year(body) or (votes[0] if votes else None)
    if stated not in votes:
        for year in dict.fromkeys(votes):
            if votes.count(year) >= 2:
                return year
    return stated
