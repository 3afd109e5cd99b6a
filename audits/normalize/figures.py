"""Every counted number in a body, with its unit, the words before it and what kind of number it is.

Narrative figures are where reports contradict themselves (parts that exceed their total, a
count that differs from table 三), so each number keeps its unit, whether it was hedged
(余 多 近 约 逾 左右), the sentence and clause it came from, the words that name it (its noun)
and, for numbers that are not counts of the thing named, why: a change (比上年减少2万元), an
average (日均), a percentage's kind (a bounded rate or share, or a change that may exceed 100).
A number without a counting unit is not a figure: that alone excludes years, dates, 文号, 索引号
and heading numerals.  Chinese numerals count when they cannot be an idiom: a multi-digit form
(三百, 八十), a hedge (一万余) or a counting verb just before (收到…一件); "一是", "一次到位",
"三项制度" stay prose.  Traditional-script mirrors (萬元, 個) are read through a one-to-one
character map, so offsets into the original text stay valid.  Groups are built in
`figure_groups` (`find_figures` there gives both).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import cn2an

UNITS = ("人次", "户次", "件次", "批次", "万元", "亿元", "元", "起", "件", "人", "份", "次", "户", "家", "个", "名",
         "条", "篇", "项", "场", "批", "辆", "所", "%")
MONEY = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_TRADITIONAL = str.maketrans(
    "萬億個項條場戶輛餘與辦結處決計統為區縣鄉鎮當訴復請轉應單體務費購運維護開數報類總"
    "較減長幾資預撥經關導歸實員會議問題來電網線熱舉訪調發證認劃現產給養內門後並說獲擔"
    "標準據進創這農辯際應對於無須檢監範環衛傳專則響節約價權專％，；：（）",
    "万亿个项条场户辆余与办结处决计统为区县乡镇当诉复请转应单体务费购运维护开数报类总"
    "较减长几资预拨经关导归实员会议问题来电网线热举访调发证认划现产给养内门后并说获担"
    "标准据进创这农辩际应对于无须检监范环卫传专则响节约价权专%,;:()",
)
_CN = "零〇一二两三四五六七八九十百千万亿"
_FIGURE = re.compile(
    rf"(?P<pre>近|约|逾|超过)?(?P<num>(?<![\d.,])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?"
    rf"|(?<![{_CN}])[{_CN}]+)"
    r"(?P<mult>万(?!元)|亿(?!元))?(?P<approx>余|多)?\s?(?P<unit>" + "|".join(map(re.escape, UNITS))
    + r")(?P<paren>[(（]次[)）])?(?P<post>左右)?"
)
_COUNTING_VERB = re.compile(r"(?:共|计|收到|受理|申请|达|有)\s*$")
_SKIP_BEFORE = re.compile(r"(?:第|(?:浏览|点击|访问|阅读)\D{0,4})$")
_IDIOM_AFTER = ("五年", "一端", "维护", "确立", "意识", "自信")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_FRAGMENT_END = re.compile(r"[,，;；:：、。！？!?\n]")
_CHANGE_BEFORE = re.compile(
    r"(?:增加|减少|增长|下降|上升|提高|降低|增幅|降幅|减幅|同比|环比|上涨|回落|下滑|压减|节约|节省|增减|减)了?(?:为|达|至)?\s*$"
)
_AVERAGE_BEFORE = re.compile(r"(?:日均|月均|年均|平均|人均|均)[^,，;；]{0,6}$")
_SHARE_BEFORE = re.compile(r"占[^,，;；。]{0,16}$|比重[^,，;；]{0,4}$|比例[^,，;；]{0,4}$")
_RATE_NOUN = re.compile(r"率")
_UNBOUNDED_RATE = re.compile(r"增长率|增速|完成率|执行率|完成预算|预算完成|超额|达成率|同比|环比|增幅|降幅")


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
    end: int = 0
    noun: str = ""
    excluded: str | None = None  # change | average: a number about the thing, not a count of it
    pct_kind: str | None = None  # rate | share | change | other (percentages only)
    group_id: int | None = None
    role: str | None = None

    @property
    def family(self) -> str:
        """Figures of one family can be added: all money is one family (元, 万元, 亿元)."""
        return "money" if self.unit in MONEY else self.unit

    def in_unit(self, unit: str) -> float:
        """The value expressed in `unit` (money converts; counts are returned as they are)."""
        if self.unit in MONEY and unit in MONEY:
            return self.value * MONEY[self.unit] / MONEY[unit]
        return self.value


def plain(text: str) -> str:
    """Traditional forms mapped to simplified, one character for one, so offsets are unchanged."""
    return text.translate(_TRADITIONAL)


def _value(m: re.Match[str], text: str) -> float | None:
    num = m.group("num")
    if num[0].isdigit():
        value = float(num.replace(",", ""))
    else:
        hedged = bool(m.group("approx") or m.group("pre") or m.group("post"))
        multi = len(num) > 1 and any(c in num for c in "十百千万亿")
        verb = _COUNTING_VERB.search(text[max(0, m.start() - 4):m.start()])
        if not (multi or hedged or verb):
            return None
        try:
            value = float(cn2an.cn2an(num, "smart"))
        except (ValueError, KeyError, IndexError):
            return None
    mult = m.group("mult")
    return value * (10000 if mult == "万" else 100000000 if mult == "亿" else 1)


def _noun(text: str, start: int, floor: int) -> str:
    """The words naming a number: back from it to the nearest punctuation or previous figure."""
    begin = max(floor, start - 30)
    head = text[begin:start]
    cut = max((m.end() for m in _FRAGMENT_END.finditer(head)), default=0)
    return head[cut:].strip()


def _percent_kind(before: str, noun: str) -> str:
    """change (may be negative or above 100) | other (完成率: may exceed 100) | share | rate."""
    if _CHANGE_BEFORE.search(before) or re.search("增长率|增速|同比|环比|增幅|降幅", noun):
        return "change"
    if _UNBOUNDED_RATE.search(noun):
        return "other"
    if _SHARE_BEFORE.search(before):
        return "share"
    if _RATE_NOUN.search(noun):
        return "rate"
    return "other"


def read_figures(body: str) -> list[Figure]:
    text = plain(body)
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    starts = [s for s, _ in spans]
    figures: list[Figure] = []
    sentences: dict[int, str] = {}  # one string per sentence, shared by its figures
    previous_end = 0
    for m in _FIGURE.finditer(text):
        if _SKIP_BEFORE.search(text[max(0, m.start() - 8):m.start()]):
            continue
        if text.startswith(_IDIOM_AFTER, m.end()):
            continue
        value = _value(m, text)
        if value is None:
            continue
        i = max(0, bisect.bisect_right(starts, m.start()) - 1)
        if i not in sentences:
            sentences[i] = body[spans[i][0]:spans[i][1]].strip() if spans else ""
        s_start = spans[i][0] if spans else 0
        noun = _noun(text, m.start(), max(s_start, previous_end))
        before = text[max(s_start, m.start() - 12):m.start()]
        unit = m.group("unit")
        figure = Figure(len(figures) + 1, value, unit, bool(m.group("pre") or m.group("approx") or m.group("post")),
                        body[m.start():m.end()], sentences[i], m.start(), i, m.end(), noun)
        if unit == "%":
            figure.pct_kind = _percent_kind(before, noun)
        elif _CHANGE_BEFORE.search(before):
            figure.excluded = "change"
        elif _AVERAGE_BEFORE.search(before):
            figure.excluded = "average"
        figures.append(figure)
        previous_end = m.end()
    return figures
