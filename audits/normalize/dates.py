"""Dates as portals print them, read into naive local datetimes.

One tolerant reader for every place a date appears (metadata tables, "发布时间:" lines,
<meta PubDate>, catalog lists, URL paths): 2023-02-20, 2023年2月20日, 2023/2/20, 2023.2.20,
[2023-02-20], with or without a time, and dates written in Chinese numerals
(二〇二三年五月一日).  A value that looks like a date but is not one yields a reason, never an
exception, because one malformed field must not cost the rest of the page.
"""
from __future__ import annotations

import re
from datetime import datetime

import cn2an

from audits.normalize.labels import collapse

_FULL_WIDTH = str.maketrans("０１２３４５６７８９：－／．　", "0123456789:-/. ")
_CN_DIGIT = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_CN_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,4})\s*日"
)
DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:星期.|周.))?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
)


def _chinese_to_arabic(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        year = m.group(1).translate(_CN_DIGIT)
        month = cn2an.cn2an(m.group(2), "smart")
        day = cn2an.cn2an(m.group(3), "smart")
        return f"{year}-{month}-{day}"

    return _CN_DATE.sub(repl, text)


def _prepare(value: str) -> str:
    return _chinese_to_arabic(collapse(value).translate(_FULL_WIDTH))


def parse_date(value: str | None, label: str = "date") -> tuple[datetime | None, str | None]:
    """(datetime, None) for a date; (None, reason) when the text holds no valid date;
    (None, None) for an empty value, which is not a problem by itself."""
    if value is None or not collapse(value):
        return None, None
    text = _prepare(value)
    m = DATE_RE.search(text)
    if not m:
        return None, f"{label} {collapse(value)!r} is not a date"
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(year, month, day, hour, minute, second), None
    except ValueError:
        return None, f"{label} {collapse(value)!r} is not a date"


def find_date(text: str | None) -> datetime | None:
    """The first valid date anywhere in free text (a catalog cell, a URL path); None if none."""
    if not text:
        return None
    for m in DATE_RE.finditer(_prepare(text)):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(year, month, day, hour, minute, second)
        except ValueError:
            continue
    return None
