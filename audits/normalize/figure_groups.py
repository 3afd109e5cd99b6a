"""Totals and their parts, read clause by clause: "共N件，其中a件、b件", "分别为", "X中，a、b".

A false "分项之和超过总数" is the finding supervisors stop trusting first, so a group takes only
parts it can vouch for.  The parts of a total stop at the end of its clause (；。), at 另有 / 此外
/ 另 / 同时, at a new total (共, 合计) or a new counting verb (已办结, 涉及, 发放 — a status or another
act, not a kind of the total), and at a number of another measure (户 after 万元, 人次 after 件);
changes (比上年减少2万元), averages and percentages are skipped, never summed.  "X中，a、b"
and "N件中，a件" open a group whose total is X (nested when X is itself a part).  A list is
exhaustive (must add up exactly) when it is a 分别为 list after a stated total, or when its last
part is 其他 / 其余; a plain 其中 list must only not exceed its total.  Money is compared in the
total's unit with a rounding tolerance of 0.01 per part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from audits.normalize.figure_scope import (
    CLAUSE, MARKER, OPEN, REST, TOTAL_CUE, adjacent, countable, depth, scope_parts, semicolon_items,
)
from audits.normalize.figures import Figure, plain, read_figures

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_OF_NOUN = re.compile(r"(?:(?<=[,，:：;；。\n])|^)\s*(?:在)?([^,，;；:：。]{2,24}?)中\s*[,，:：]")
_AFTER_FIGURE_OF = re.compile(r"[^,，;；:：。\d()（）]{0,10}?中\s*[,，:：]")
_OF_NOUN_AT = re.compile(r"^[)）]?\s*$")
_MONEY_TOLERANCE = 0.01


@dataclass
class Group:
    group_id: int
    total: Figure
    parts: list[Figure]
    complete: bool  # exhaustive: the parts claim to be the whole (分别为, or a last part 其他/其余)
    nested_in: int | None = None
    marker: str = "其中"
    why_exhaustive: str | None = None
    doubt: str | None = None  # why the arithmetic cannot be checked without doubt (then no verdict)

    @property
    def approx(self) -> bool:
        return self.total.approx or any(p.approx for p in self.parts)

    @property
    def parts_sum(self) -> float:
        return round(sum(p.in_unit(self.total.unit) for p in self.parts), 6)

    @property
    def tolerance(self) -> float:
        return round(_MONEY_TOLERANCE * len(self.parts), 6) if self.total.family == "money" else 0.0

    @property
    def excess(self) -> float | None:
        """parts_sum − total, or 0 within the rounding tolerance; None when in doubt."""
        if self.doubt:
            return None
        diff = round(self.parts_sum - self.total.value, 6)
        return 0.0 if abs(diff) <= self.tolerance + 1e-9 else diff

    def verdict(self) -> str:
        excess = self.excess
        if self.approx or excess is None:
            return "not_checked"
        if excess > 0:
            return "parts_exceed_total"
        if self.complete and excess < 0:
            return "exhaustive_sum_mismatch"
        return "consistent"


def _exhaustive(parts: list[Figure], marker: str) -> str | None:
    if marker.startswith("分别"):
        return "分别为"
    if len(parts) >= 2 and REST.search(parts[-1].noun):
        return "其他/其余"
    return None


def _total_before(text: str, figures: list[Figure], before: int, floor: int, groups: list[Group]) -> Figure | None:
    """The nearest count before a marker at the marker's bracket depth; when that count is a part of
    a group and words stand between it and the marker, the total of that group."""
    level = depth(text, before)
    if level and text[max(text.rfind(c, 0, before) for c in OPEN):before].strip("(（[【「 "):
        level += 0
    elif level:
        level -= 1  # "31件(其中承办27件,…)": the total stands before the bracket
    candidates = [f for f in figures if floor <= f.start < before and countable(f) and depth(text, f.start) == level]
    if not candidates:
        return None
    nearest = candidates[-1]
    if text[nearest.end:before].strip(" ,，:：、") and not _OF_NOUN_AT.match(text[nearest.end:before]):
        for g in groups:
            if any(p is nearest for p in g.parts):
                return g.total
    return nearest


def find_figures(body: str) -> tuple[list[Figure], list[Group]]:
    """Every figure of `body` and the total/part groups they form."""
    figures = read_figures(body)
    return figures, find_groups(body, figures)


def find_groups(body: str, figures: list[Figure]) -> list[Group]:
    text = plain(body)
    groups: list[Group] = []
    by_sentence: dict[int, list[Figure]] = {}
    for f in figures:
        by_sentence.setdefault(f.sentence_no, []).append(f)
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    for no, (s_start, s_end) in enumerate(spans):
        in_sentence = by_sentence.get(no, [])
        if not in_sentence:
            continue
        for c in CLAUSE.finditer(text, s_start, s_end):
            _clause_groups(text, c.start(), c.end(), (s_start, s_end), in_sentence, by_sentence.get(no - 1, []),
                           groups)
    _link_nested(groups)
    for g in groups:
        for f, role in [(g.total, "total"), *((p, "part") for p in g.parts)]:
            if f.group_id is None:
                f.group_id, f.role = g.group_id, role
    return groups


def _clause_groups(text: str, c_start: int, c_end: int, sentence: tuple[int, int], in_sentence: list[Figure],
                   previous: list[Figure], groups: list[Group]) -> None:
    s_start, s_end = sentence
    used_totals = {id(g.total) for g in groups}
    for m in MARKER.finditer(text, c_start, c_end):
        if m.group().startswith("分别"):
            total = _total_before(text, in_sentence, m.start(), c_start, groups)
            if total is None or not TOTAL_CUE.search(total.noun) or MARKER.search(text, total.end, m.start()):
                continue  # "A、B分别为a、b" without a stated total, or "其中A、B分别为": not a whole
        else:
            total = _total_before(text, in_sentence, m.start(), s_start, groups)
            if total is None and not text[s_start:m.start()].strip(" \t,，:："):
                earlier = [f for f in previous if countable(f) and depth(text, f.start) == 0]
                total = earlier[-1] if earlier else None  # "…共145件。其中，…"
                for g in groups:
                    if total is not None and any(p is total for p in g.parts):
                        total = g.total  # "共1453件,包括上年结转30件。其中,…"
                        break
        if total is None:
            continue
        for candidate in _paired_totals(text, total, in_sentence):
            parts = scope_parts(text, m.end(), c_end, in_sentence, candidate)
            if len(parts) == 1 and not m.group().startswith("分别"):
                parts += semicolon_items(text, c_end, s_end, in_sentence, candidate)
            _add(groups, candidate, parts, m.group())
            if groups and groups[-1].total is candidate and not m.group().startswith("分别"):
                groups[-1].doubt = _rival_total(text, groups[-1], in_sentence, c_start, m.start())
    for m in _OF_NOUN.finditer(text, c_start, c_end):
        total = _named_total(m.group(1), [f for f in in_sentence if f.end <= m.start(1)])
        if total is not None and id(total) not in used_totals:
            _add(groups, total, scope_parts(text, m.end(), c_end, in_sentence, total), "中")
    for f in in_sentence:  # "2024年新受理的151件中,…" / "在145件提案中,…"
        if c_start <= f.start < c_end and countable(f):
            tail = _AFTER_FIGURE_OF.match(text, f.end, c_end)
            if tail and id(f) not in {id(g.total) for g in groups}:
                _add(groups, f, scope_parts(text, tail.end(), c_end, in_sentence, f), "中")


def _rival_total(text: str, group: Group, figures: list[Figure], c_start: int, marker: int) -> str | None:
    """"共调解744起,调解成功325起,其中…": 其中 may list kinds of the 744 or of the 325.  When an
    earlier count of the clause is announced as a total (共) and the nearer one is not, and the
    verdict depends on which is meant, the group is in doubt."""
    if TOTAL_CUE.search(group.total.noun):
        return None
    rivals = [f for f in figures if c_start <= f.start < group.total.start and countable(f)
              and f.family == group.total.family and TOTAL_CUE.search(f.noun)]
    if not rivals:
        return None
    rival = rivals[-1]
    s = group.parts_sum
    if (s > group.total.value + group.tolerance) == (s > rival.in_unit(group.total.unit) + group.tolerance):
        return None
    return f"“其中”可能指{rival.raw}或{group.total.raw}，两种读法结论不同"


def _paired_totals(text: str, total: Figure, figures: list[Figure]) -> list[Figure]:
    """"接待来访6批16人,其中…": both measures of the total open a group."""
    earlier = [f for f in figures if f.end <= total.start and countable(f)]
    if earlier and earlier[-1].family != total.family and adjacent(text, earlier[-1], total):
        return [earlier[-1], total]
    return [total]


def _named_total(name: str, earlier: list[Figure]) -> Figure | None:
    """The figure an "X中" names: the latest earlier figure whose noun ends with X (or X with it)."""
    name = re.sub(r"^(?:其中|在|对|从)", "", name).strip()
    for f in reversed(earlier):
        noun = re.sub(r"(?:为|是|达|共|计)$", "", f.noun).strip()
        if countable(f) and len(noun) >= 2 and len(name) >= 3 and (name in noun or noun in name):
            return f
    return None


def _add(groups: list[Group], total: Figure, parts: list[Figure], marker: str) -> None:
    if not parts or any(p is total for p in parts):
        return
    why = _exhaustive(parts, marker)
    groups.append(Group(len(groups) + 1, total, parts, why is not None, marker=marker, why_exhaustive=why))


def _link_nested(groups: list[Group]) -> None:
    for g in groups:
        for other in groups:
            if other is not g and any(p is g.total for p in other.parts):
                g.nested_in = other.group_id
                break
