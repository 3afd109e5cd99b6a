"""Facts a rule needs from the body text besides figures: a 文号 printed at the top, the date a
budget was approved (批复/批准), the years a section's text names.

- A document whose body (or title) opens with its 文号 ("桐政办发〔2023〕12号") must carry it in the
  文件编号 field (目录编制规则: 有文号的须填写); the field being empty is META-6.
- 预算法第十四条: 部门预算、决算 are published within 20 days after the 批复.  Only a full date tied
  to the words 批复 / 批准 counts ("于2024年1月25日批复", "批复时间:2024-01-25"); a 批复 notice
  cited by its 文号 alone gives no date, and no date is guessed.
"""
from __future__ import annotations

import re
from datetime import datetime

from audits.normalize.dates import parse_date

# GB/T 9704 7.2.5 and the older bracket forms a page may print: 代字 + 〔年份〕 + 序号 + 号.
DOC_NO = re.compile(
    r"[\u4e00-\u9fa5]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号"
)
_DATE = r"(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})"
_APPROVED = re.compile(
    rf"(?P<a>{_DATE})[^。；;\n]{{0,24}}?(?:批复|批准)|(?:批复|批准)(?:时间|日期)?[^。；;\n\d]{{0,12}}?(?P<b>{_DATE})"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
_NEXT_WORDS = re.compile(r"明年|来年|新的一年|下一年|下一年度|下年度")


def doc_no_shown(title: str | None, body: str) -> str | None:
    """The document's own 文号, as printed: opening the title ("营站政办公开〔2023〕9号:…"), closing it
    in brackets ("…的通知(桐政办发〔2023〕12号)"), or alone on one of the body's first lines.  A
    文号 cited inside a sentence is another document's and does not count."""
    title = (title or "").strip()
    m = DOC_NO.match(title) or re.search(rf"[(（]({DOC_NO.pattern})[)）]$", title)
    if m:
        return re.sub(r"\s+", "", m.group(1) if m.lastindex else m.group(0))
    for line in body.strip().splitlines()[:4]:
        if DOC_NO.fullmatch(line.strip()):
            return re.sub(r"\s+", "", line.strip())
    return None


def approval_date(body: str) -> datetime | None:
    for m in _APPROVED.finditer(body):
        parsed, _ = parse_date(m.group("a") or m.group("b"))
        if parsed:
            return parsed
    return None


def text_years(text: str) -> str | None:
    """Years a stretch of text names ("2024年"), and "next" when it says 明年 / 新的一年."""
    found = list(dict.fromkeys(_YEAR.findall(text)))
    if _NEXT_WORDS.search(text):
        found.append("next")
    return ",".join(found) or None
