"""Body of a 法治政府建设年度报告, clean or bent by one structural defect.

A body is a list of blocks ("h" heading, "p" paragraph, "table" HTML). The four statutory
sections are built separately, then defects drop, fold or re-date them, and headings are
renumbered so a defective report still reads like a real one (a three-part report numbers
its parts 一、二、三, as hx045 and hx020 do).
"""
from __future__ import annotations

from random import Random

from . import fazhi_texts as T
from . import styled_figures as SF
from .figures import fenbie, percent, qizhong

Block = tuple[str, str]
NUMERALS = "一二三四五六七八九十"


def unit_words(unit) -> dict[str, str]:
    """Placeholder values that make pooled sentences fit the unit's level."""
    level = unit.level
    if level == "county_gov":
        return {"u": "桐乡市", "all": "全市", "party": "市委", "gov": "市政府"}
    if level == "department":
        return {"u": unit.name, "all": "全局", "party": "局党组", "gov": unit.name}
    if level == "subdistrict":
        return {"u": unit.name, "all": "全街道", "party": "街道党工委", "gov": "街道办事处"}
    return {"u": unit.name, "all": "全镇", "party": "镇党委", "gov": "镇政府"}


def _approx(r: Random) -> dict[str, str]:
    return {key: form.format(n=r.choice(values)) for key, (form, values) in T.APPROX.items()}


def _fill(r: Random, text: str, words: dict[str, str], year: int) -> str:
    text = text.format(Y=year, Y1=year + 1, **words, **_approx(r))
    # The phrase 习近平法治思想 dates from November 2020; earlier reports used the older wording.
    return text if year >= 2021 else text.replace("习近平法治思想", "习近平总书记关于全面依法治国的重要论述")


def _ok(text: str, keep_responsible: bool) -> bool:
    return keep_responsible or not any(w in text for w in T.RESPONSIBLE_WORDS)


def _section1(r: Random, words, year, keep_responsible: bool, fig: str | None,
              rate: str | None = None, style=None) -> list[Block]:
    topics = r.sample(T.S1_TOPICS, r.randint(3, 5))
    paragraphs = []
    for titles, leads, measures in topics:
        pool = [m for m in measures if _ok(m, keep_responsible)]
        chosen = r.sample(pool, 3)
        body = "。".join(f"{'一二三'[i]}是{m}" for i, m in enumerate(chosen))
        paragraphs.append(f"{r.choice(titles)}。{r.choice(leads)}。{body}。")
    # Three figure sentences go to distinct paragraphs (there are at least three).
    slots = r.sample(range(len(paragraphs)), 3)
    if style is None:
        extra = [
            qizhong(r, words["all"], exceed=fig == "FIG-1"),
            fenbie(r, words["all"], short=fig == "FIG-2"),
            percent(r, out_of_range=fig == "FIG-3", exact=rate),
        ]
    else:
        extra = [
            SF.qizhong(r, words["all"], fig == "FIG-1", style.pick(r, "qizhong")),
            SF.fenbie(r, words["all"], fig == "FIG-2", style.pick(r, "fenbie")),
            # a rate placed at a threshold (100.0 / 100.1) keeps its exact wording in every style
            percent(r, out_of_range=fig == "FIG-3", exact=rate) if rate
            else SF.percent(r, fig == "FIG-3", style.pick(r, "percent")),
        ]
    for slot, sentence in zip(slots, extra):
        paragraphs[slot] += sentence + "。"
    return [("p", _fill(r, p, words, year)) for p in paragraphs]


def _section2(r: Random, words, year) -> list[Block]:
    problems = ";".join(r.sample(T.S2_PROBLEMS, 3))
    reasons = ";".join(f"{'一二三'[i]}是{x}" for i, x in enumerate(r.sample(T.S2_REASONS, 3)))
    text = f"{r.choice(T.S2_LEADS)}:{problems}。原因:{reasons}。"
    return [("p", _fill(r, text, words, year))]


def _section3_paragraphs(r: Random, words, year, count: int) -> list[str]:
    out = []
    for title, sentences in r.sample(T.S3_TOPICS, count):
        out.append(_fill(r, f"{title}。" + "。".join(r.sample(sentences, 3)) + "。", words, year))
    return out


def _section4(r: Random, words, year) -> list[Block]:
    out = []
    for title, sentences in r.sample(T.S4_TOPICS, r.randint(3, 5)):
        out.append(("p", _fill(r, f"{title}。" + ";".join(r.sample(sentences, 3)) + "。", words, year)))
    return out


def _number(blocks: list[Block]) -> list[Block]:
    """Prefix paragraphs of a section with 1. 2. … as the seed page does."""
    return [(k, f"{i}.{t}") for i, (k, t) in enumerate(blocks, 1)]


def _styled_headings(r: Random, style, words) -> tuple[dict[int, str], str, str]:
    """Headings of the four sections (without numeral), the numbering pattern and the opening
    sentence of section 三 (set when its heading is an unusual one)."""
    s3, opening = style.pick(r, "s3")
    heads = {1: style.pick(r, "s1"), 2: style.pick(r, "s2"), 3: s3, 4: style.pick(r, "s4")}
    return heads, style.pick(r, "numbering"), opening.format(**words)


def fazhi_blocks(r: Random, unit, year: int, flags: dict, style=None) -> list[Block]:
    words = unit_words(unit)
    keep_responsible = not flags.get("no_responsible")
    fill = lambda text, y=year: text.format(Y=y, Y1=y + 1)  # noqa: E731
    s2_year = flags.get("stale_s2", year)
    s4_year = flags.get("next_year", year + 1) - 1
    s1 = _section1(r, words, year, keep_responsible, flags.get("fig"), flags.get("percent"), style)
    if flags.get("fold"):
        s1.append(("p", f"{T.FOLDED_TITLE}。" + _section3_paragraphs(r, words, year, 2)[0].split("。", 1)[1]))
    sections = {
        1: [("h", fill(r.choice(T.S1_HEADINGS)))] + _number(s1),
        2: [("h", fill(r.choice(T.S2_HEADINGS), s2_year))] + _section2(r, words, year),
        3: [("h", fill(r.choice(T.S3_HEADINGS)))]
        + _number([("p", p) for p in _section3_paragraphs(r, words, year, r.randint(2, 3))]),
        4: [("h", fill(r.choice(T.S4_HEADINGS), s4_year))] + _number(_section4(r, words, year)),
    }
    numbering = "{n}、"
    if style is not None:
        heads, numbering, opening = _styled_headings(r, style, words)
        sections[1][0] = ("h", "一、" + fill(heads[1]))
        sections[2][0] = ("h", "二、" + fill(heads[2], s2_year))
        sections[3][0] = ("h", "三、" + fill(heads[3]))
        sections[4][0] = ("h", "四、" + fill(heads[4], s4_year))
        if opening:
            sections[3].insert(1, ("p", opening))
    dropped = {flags.get("drop")} | ({3} if flags.get("fold") or not keep_responsible else set())
    blocks: list[Block] = [("p", _fill(r, r.choice(T.INTROS), words, year))]
    ordinal = 0
    for kind in (1, 2, 3, 4):
        if kind in dropped:
            continue
        ordinal += 1
        heading, *rest = sections[kind]
        blocks.append(("h", numbering.format(n=NUMERALS[ordinal - 1]) + heading[1][2:]))
        blocks.extend(rest)
    return blocks
