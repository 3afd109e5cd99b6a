"""Every counted number in a body, with its unit, and the 共…其中… groups they form.

Narrative figures are where reports contradict themselves (parts that exceed their total,
a count that differs from table 三), so each number keeps its unit, whether it was hedged
(余 多 近 约 左右), the sentence it came from and, when it is the total or a part of a
"共N起,其中a起,b起" / "…分别为a、b" list, its group.  A number without a counting unit is not a
figure: that alone excludes years, dates, 文号, 索引号 and heading numerals.  Chinese numerals
count when they cannot be an idiom: a multi-digit form (三百, 八十), a hedge (一万余) or a
counting verb just before (收到…一件); "一是", "一次到位", "三项制度" stay prose.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import cn2an

UNITS = ("人次", "户次", "万元", "元", "起", "件", "人", "份", "次", "户", "家", "个", "名", "条", "篇", "项", "场", "%")
_CN = "零〇一二两三四五六七八九十百千万亿"
_FIGURE = re.compile(
    rf"(?P<pre>近|约)?(?P<num>(?<![\d.,])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?|(?<![{_CN}])[{_CN}]+)"
    r"(?P<mult>万(?!元)|亿)?(?P<approx>余|多)?\s?(?P<unit>" + "|".join(map(re.escape, UNITS)) + r"|％)(?P<post>左右)?"
)
_COUNTING_VERB = re.compile(r"(?:共|计|收到|受理|申请|达|有)\s*$")
_SKIP_BEFORE = re.compile(r"(?:第|(?:浏览|点击|访问|阅读)\D{0,4})$")
_IDIOM_AFTER = ("五年", "一端", "维护", "确立", "意识", "自信")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_MARKER = re.compile(r"其中|包括|分别(?:为|是)?")
_TOTAL_CUE = "共"


@dataclass
class Figure:
    figure_id: int
    value: float
    unit: str
    approx: bool
    raw: str
    sentence: str
    start: int
    sentence_no: int
    group_id: int | None = None
    role: str | None = None


@dataclass
class Group:
    group_id: int
    total: Figure
    parts: list[Figure]
    complete: bool

    @property
    def approx(self) -> bool:
        return self.total.approx or any(p.approx for p in self.parts)


def _value(m: re.Match[str], body: str) -> float | None:
    num = m.group("num")
    if num[0].isdigit():
        value = float(num.replace(",", ""))
    else:
        hedged = bool(m.group("approx") or m.group("pre") or m.group("post"))
        multi = len(num) > 1 and any(c in num for c in "十百千万亿")
        verb = _COUNTING_VERB.search(body[max(0, m.start() - 4):m.start()])
        if not (multi or hedged or verb):
            return None
        try:
            value = float(cn2an.cn2an(num, "smart"))
        except (ValueError, KeyError, IndexError):
            return None
    mult = m.group("mult")
    return value * (10000 if mult == "万" else 100000000 if mult == "亿" else 1)


def find_figures(body: str) -> tuple[list[Figure], list[Group]]:
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(body)]
    starts = [s for s, _ in spans]
    figures: list[Figure] = []
    sentences: dict[int, str] = {}  # one string per sentence, shared by its figures
    for m in _FIGURE.finditer(body):
        if _SKIP_BEFORE.search(body[max(0, m.start() - 8):m.start()]):
            continue
        if body.startswith(_IDIOM_AFTER, m.end()):
            continue
        value = _value(m, body)
        if value is None:
            continue
        i = max(0, bisect.bisect_right(starts, m.start()) - 1)
        unit = "%" if m.group("unit") == "％" else m.group("unit")
        approx = bool(m.group("pre") or m.group("approx") or m.group("post"))
        if i not in sentences:
            sentences[i] = body[spans[i][0]:spans[i][1]].strip() if spans else ""
        sentence = sentences[i]
        figures.append(Figure(len(figures) + 1, value, unit, approx, m.group(0), sentence, m.start(), i))
    return figures, _groups(body, spans, figures)


def _groups(body: str, spans: list[tuple[int, int]], figures: list[Figure]) -> list[Group]:
    by_sentence: dict[int, list[Figure]] = {}
    for f in figures:
        by_sentence.setdefault(f.sentence_no, []).append(f)
    groups: list[Group] = []
    for no, in_sentence in by_sentence.items():
        s_start, s_end = spans[no]
        markers = list(_MARKER.finditer(body, s_start, s_end))
        for k, marker in enumerate(markers):
            stop = markers[k + 1].start() if k + 1 < len(markers) else s_end
            after = [f for f in in_sentence if marker.end() <= f.start < stop and f.unit != "%"]
            if not after:
                continue
            total = _total(body, marker, in_sentence, by_sentence.get(no - 1, []), s_start, after[0].unit)
            if total is None:
                continue
            parts: list[Figure] = []
            for f in after:
                if parts and _TOTAL_CUE in body[parts[-1].start:f.start]:
                    break  # "…27起,共涉及11个类型": a new total starts
                if f.unit == total.unit:
                    parts.append(f)
            if not parts:
                continue
            group = Group(len(groups) + 1, total, parts, marker.group(0).startswith("分别"))
            groups.append(group)
            for f, role in [(total, "total"), *((p, "part") for p in parts)]:
                if f.group_id is None:
                    f.group_id, f.role = group.group_id, role
    return groups


def _total(body: str, marker: re.Match[str], in_sentence: list[Figure], previous: list[Figure],
           s_start: int, unit: str) -> Figure | None:
    before = [f for f in in_sentence if f.start < marker.start() and f.unit != "%"]
    if before:
        return before[-1]  # the nearest count before 其中 is the total; parts must share its unit
    if not body[s_start:marker.start()].strip(" \t,，:：、"):
        earlier = [f for f in previous if f.unit == unit]
        return earlier[-1] if earlier else None
    return None
