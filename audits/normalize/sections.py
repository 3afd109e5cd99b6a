"""Top-level sections of an annual report and the kind of each.

A heading is a Chinese numeral with 、 or . ("一、", "二.") or "第一部分", at the start of a line
or right after a sentence end (extracted text often loses its line breaks).  "（一）" is a
sub-heading and never top-level.  Numbered rows of the xxgk table 三 ("一、本年新收…") look like
headings, so the headings kept are the longest run numbered one after another (一, 二, 三 …)
among the candidates not excluded by `not_headings`.  Kinds come from
`expectations/section_kinds.yml`; a required kind with no heading of its own but with content
inside another section gets an extra row with standalone = False.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from audits.normalize.section_kinds import Family, SectionKinds

_NUMERAL = "一二三四五六七八九十"
_CANDIDATE = re.compile(
    rf"(?:^|(?<=[\n。；;!！?？|]))[ \t\u3000\u00a0|]*"
    rf"(?:(?P<num>[{_NUMERAL}]{{1,3}})\s*[、.．]|第(?P<part>[{_NUMERAL}]{{1,3}})部分)[ \t\u3000]*"
    r"(?P<text>[^\n。|；;]{2,64}?)(?=\s|[\n。|；;]|$)"
)
_YEAR = re.compile(r"(?:19|20)\d{2}")
_BOLD_PARAGRAPH = re.compile(r"<p\b[^>]*>\s*<(strong|b)\b[^>]*>(.*?)</\1>\s*</p>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = "。\n！？!?"


@dataclass
class Section:
    ordinal: int | None
    numeral: str | None
    heading: str
    start: int
    end: int
    kind: str | None
    standalone: bool

    @property
    def years(self) -> str | None:
        found = list(dict.fromkeys(_YEAR.findall(self.heading)))
        return ",".join(found) or None


def find_headings(body: str, kinds: SectionKinds) -> list[tuple[int, str, str]]:
    """(offset, numeral, heading text) of the top-level headings, in body order."""
    candidates: list[tuple[int, int, str, str]] = []
    for m in _CANDIDATE.finditer(body):
        numeral = m.group("num") or m.group("part")
        text = m.group("text").strip()
        if any(p.search(text) for p in kinds.not_headings):
            continue
        value = int(cn2an.cn2an(numeral, "smart")) if len(numeral) > 1 else _NUMERAL.index(numeral) + 1
        start = m.start("num") if m.group("num") else m.start("part") - 1
        label = numeral if m.group("num") else f"第{numeral}部分"
        candidates.append((start, value, label, text))
    return _longest_run(candidates)


def _longest_run(candidates: list[tuple[int, int, str, str]]) -> list[tuple[int, str, str]]:
    # best[i] = length of the longest 1, 2, 3 … chain ending at candidate i.
    best = [1] * len(candidates)
    prev = [-1] * len(candidates)
    for i, (_, value, _, _) in enumerate(candidates):
        for j in range(i):
            if candidates[j][1] == value - 1 and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    if not candidates:
        return []
    i = max(range(len(candidates)), key=lambda k: (best[k], -candidates[k][1]))
    chain = []
    while i >= 0:
        chain.append(candidates[i])
        i = prev[i]
    return [(start, label, text) for start, _, label, text in reversed(chain)]


def classify_heading(heading: str, family: Family, seen: set[str]) -> str | None:
    for kind in family.kinds:
        if kind.matches(heading):
            return kind.name
    # "存在的问题" (no 原因) is a shortcomings heading that misses a requirement, not a measure.
    near_miss = any(kind.also and any(p.search(heading) for p in kind.any) for kind in family.kinds)
    if family.fallback_kind and not near_miss and not seen.intersection(family.fallback_until):
        return family.fallback_kind
    return None


def bold_headings(body_html: str, body: str) -> list[tuple[int, str, str]]:
    """Un-numbered headings set as whole bold paragraphs (<p><strong>主要举措和成效</strong></p>),
    located in the body text; used only when a report has no numbered headings."""
    found: list[tuple[int, str, str]] = []
    position = 0
    for m in _BOLD_PARAGRAPH.finditer(body_html or ""):
        text = re.sub(r"\s+", "", _TAG.sub("", m.group(2))).replace("&nbsp;", "")
        if not 2 <= len(text) <= 40 or text[0] in "(（" or re.match(r"\d+[.．、]", text):
            continue
        start = body.find(text, position)
        if start >= 0:
            found.append((start, "", text))
            position = start + len(text)
    return found


def find_sections(body: str, report_type: str, kinds: SectionKinds, body_html: str = "") -> list[Section]:
    family = kinds.families.get(report_type)
    headings = find_headings(body, kinds)
    if len(headings) < 2 and body_html:
        bold = bold_headings(body_html, body)
        if len(bold) >= 2:
            headings = bold
    sections: list[Section] = []
    seen: set[str] = set()
    unusual: list[Section] = []  # headings no kind's keywords match (fallback or none)
    for ordinal, (start, numeral, text) in enumerate(headings, 1):
        end = headings[ordinal][0] if ordinal < len(headings) else len(body)
        kind = classify_heading(text, family, seen) if family else None
        if kind:
            seen.add(kind)
        sections.append(Section(ordinal, numeral or None, text, start, end, kind, True))
        if family and not any(k.matches(text) for k in family.kinds):
            unusual.append(sections[-1])
    if family:
        sections.extend(_folded(body, family, seen, unusual))
    return sections


_SUB_POINT = re.compile(r"[(（][一二三四五六七八九十\d]+[)）]|(?:^|\n)\s*\d+\s*[.．、]|[一二三四五六七八九十]是")


def _opening(body: str, section: Section) -> tuple[int, int]:
    """Span of a section's own opening text: after its heading, before its first sub-point."""
    at = body.find(section.heading, section.start)
    begin = (at if at >= 0 else section.start) + len(section.heading)
    sub = _SUB_POINT.search(body, begin, section.end)
    return begin, min(sub.start() if sub else section.end, begin + 300)


def _folded(body: str, family: Family, standalone: set[str], unusual: list[Section]) -> list[Section]:
    """Rows for required kinds found only inside other sections' text.  Content that opens a
    section under an unusual heading ("三、强化组织领导" whose first sentence is about the
    第一责任人) is that section's subject, a standalone section of the kind, not a folded point."""
    rows = []
    for kind in family.kinds:
        if kind.name in standalone or not kind.folded:
            continue
        own = next((s for s in unusual for p in kind.folded if p.search(body, *_opening(body, s))), None)
        if own is not None:
            rows.append(Section(own.ordinal, own.numeral, own.heading, own.start, own.end, kind.name, True))
            continue
        for pattern in kind.folded:
            m = pattern.search(body)
            if m:
                start = max(body.rfind(c, 0, m.start()) for c in _SENTENCE_END) + 1
                ends = [i for i in (body.find(c, m.end()) for c in _SENTENCE_END) if i >= 0]
                end = min(ends) + 1 if ends else len(body)
                sentence = body[start:end].strip()
                heading = sentence if len(sentence) <= 80 else sentence[:80] + "…"
                rows.append(Section(None, None, heading, start, end, kind.name, False))
                break
    return rows
