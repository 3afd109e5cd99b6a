"""Where the parts of a total stop: the scope rules of the figure grammar (see `figure_groups`).

Parts are taken after a marker up to the end of the clause, and a list stops earlier at 另有 /
此外 / 另 / 同时, at a new total (共, 合计) or marker, at a new act or status (已办结, 涉及, 发放), at
a count of another measure that is not the pair of a part ("5批5人"), at a head noun the list's
parts do not share (货物类, 工程类, 服务类 … 授予中小企业合同金额), and at the bracket that closes
a bracketed list.  Changes, averages and percentages are skipped, never summed.  A list of one
item per "；" clause (name, count, share) continues across "；".
"""
from __future__ import annotations

import re

from audits.normalize.figures import Figure

CLAUSE = re.compile(r"[^;；]+[;；]?")
MARKER = re.compile(r"其中|包括|分别(?:为|是)")
STOP = re.compile(r"另有|另外|此外|同时|另(?=[\d一二三四五六七八九十]|[^,，;；]{0,8}?\d)")
TOTAL_CUE = re.compile(r"共|合计|总计|累计|总数|总额|总量")
NEW_ACT = re.compile(r"已?办结|已办理|审结|化解|调处|调解成功|解决|回复|答复率|涉及|发放|接待(?!费)|开展|"
                      r"帮助|挽回|追回|处理了|下达|拨付|兑现|惠及|覆盖|满意|表示")
OPEN, CLOSE = "(（[【“「", ")）]】”」"
REST = re.compile(r"^(?:以及|及|和|与|、)?\s*(?:其他|其它|其余|剩余)")


def countable(f: Figure) -> bool:
    return f.unit != "%" and f.excluded is None


def scope_parts(text: str, start: int, end: int, figures: list[Figure], total: Figure) -> list[Figure]:
    """Figures after `start` up to the clause end `end` that are parts of `total`, by the stop rules."""
    parts: list[Figure] = []
    cursor = start
    level = depth(text, start)
    for f in figures:
        if f.start < start or f.start >= end:
            continue
        if _closes_before(text, cursor, f.start, level):
            break  # "(其中承办27件,协办4件),…": the list ends with its bracket
        if depth(text, f.start) != level:
            cursor = f.end
            continue  # a bracketed aside inside the list: "4070万元(包括:…2648万元…)"
        between = text[cursor:f.start]
        if parts and (STOP.search(between) or TOTAL_CUE.search(between) or MARKER.search(between)):
            break
        if not parts and (STOP.search(between) or TOTAL_CUE.search(between)):
            break
        if f.unit == "%" or f.excluded:
            continue
        if f.family != total.family:
            if not paired_with_next(text, f, figures, total) and not (parts and adjacent(text, parts[-1], f)):
                break  # a clause of another measure: "…；发放救助金d万元，涉及e户"
            cursor = f.end
            continue
        if parts and NEW_ACT.search(f.noun):
            break  # "受理1133件,已办结1121件": a status of items already counted
        if len(parts) >= 3 and not REST.search(f.noun) and not same_kind(parts, f):
            break  # "货物类a万元,工程类b万元,服务类c万元,授予中小企业合同金额d万元": another head noun
        parts.append(f)
        cursor = f.end
    return parts


def same_kind(parts: list[Figure], f: Figure) -> bool:
    """True unless the list's nouns share a last character (类, 费, 纠纷) that `f`'s noun lacks."""
    ends = {p.noun.rstrip("为是有达共计的")[-1:] for p in parts}
    return len(ends) != 1 or f.noun.rstrip("为是有达共计的").endswith(ends.pop())


def depth(text: str, pos: int) -> int:
    """How many brackets are open at `pos`, counted from the start of its sentence."""
    begin = max(text.rfind(c, 0, pos) for c in "。！？!?\n") + 1
    level = 0
    for ch in text[begin:pos]:
        if ch in OPEN and ch != "“":
            level += 1
        elif ch in CLOSE and ch != "”":
            level = max(0, level - 1)
    return level


def _closes_before(text: str, begin: int, end: int, level: int) -> bool:
    if level == 0:
        return False
    return depth(text, end) < level


def adjacent(text: str, a: Figure, b: Figure) -> bool:
    """"5批5人": two measures of one item, written side by side."""
    return not text[a.end:b.start].strip()


def paired_with_next(text: str, f: Figure, figures: list[Figure], total: Figure) -> bool:
    """"个体访5批5人" read for the 人 total: the 批 figure is the pair of the next one."""
    later = [g for g in figures if g.start > f.start]
    return bool(later) and later[0].family == total.family and adjacent(text, f, later[0])


def semicolon_items(text: str, begin: int, s_end: int, figures: list[Figure], total: Figure) -> list[Figure]:
    """"其中,咨询类诉求124599件,占63.72%;求助类诉求56672件,占28.98%;…": a list of one item per
    clause continues past "；" while every clause is just a name, one count of the total's measure
    and its share; anything else (a verb, a second count, another measure) ends it."""
    items: list[Figure] = []
    for c in CLAUSE.finditer(text, begin, s_end):
        counts = [f for f in figures if c.start() <= f.start < c.end() and countable(f)]
        if len(counts) != 1 or counts[0].family != total.family or depth(text, counts[0].start):
            break
        head = text[c.start():counts[0].start]
        if len(head) > 20 or re.search(r"[,，:：、]", head) or NEW_ACT.search(head) or TOTAL_CUE.search(head) \
                or STOP.search(head):
            break
        tail = text[counts[0].end:c.end()]
        if re.search(r"\d", re.sub(r"占[^,，;；]{0,16}?\d+(?:\.\d+)?\s*%", "", tail)):
            break
        items.append(counts[0])
    return items
