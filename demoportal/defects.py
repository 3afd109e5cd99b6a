"""Injection of known defects: the ground truth the audit is measured against.

Each injection class names a rule id, the pool of documents it may touch, how many it
touches at the demo size (300) and whether that count grows with the size. A document
receives at most one defect, so each defective page carries exactly its intended defect
and is otherwise clean. Candidates are taken from the units with the fewest defects so
far, spreading defects over units. All draws come from Random(f"{seed}:defects"), so the
defect set is a function of (seed, size).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count
from random import Random
from typing import Callable

from .model import Defect, Document
from .thresholds import place_thresholds
from .units import Unit
from .workdays import add_workdays, next_workday

LOCAL_LEVELS = ("township", "subdistrict")
DOC_NO = re.compile(r"^(?P<daizi>.+)〔(?P<year>\d{4})〕(?P<n>\d+)号$")


@dataclass(frozen=True)
class Injection:
    rule_id: str
    pool: str  # fazhi_annual | xxgk_annual | routine | docno | attached | served
    base: int  # documents touched at size 300
    scales: bool  # grows with size (only classes whose pool grows with size)
    eligible: Callable[[Document], bool]
    apply: Callable[[Document, Random, dict], str]


def _move(doc: Document, day: date) -> None:
    doc.issued = day
    doc.published = datetime.combine(day, doc.published.time())


def _date_defect(month_range: tuple[int, int], day_range: tuple[int, int], same_year: bool = False):
    def apply(doc: Document, r: Random, ctx: dict) -> str:
        year = doc.reported_year + (0 if same_year else 1)
        day = next_workday(date(year, r.randint(*month_range), r.randint(*day_range)))
        _move(doc, day)
        return f"{doc.report_type} for {doc.report_year} published {day.isoformat()}"
    return apply


def _always(value: object) -> Callable[[Document], object]:
    return lambda doc: value


def _flag(name: str, value_of: Callable[[Document], object], detail: str):
    def apply(doc: Document, r: Random, ctx: dict) -> str:
        doc.flags[name] = value_of(doc)
        return detail.format(doc=doc, value=doc.flags[name])
    return apply


def _copy_previous(doc: Document, r: Random, ctx: dict) -> str:
    prev = ctx["reports"][(doc.unit.name, doc.report_type, doc.reported_year - 1)]
    prev.reserved = True
    doc.flags["copy_of"] = prev.key
    return f"body copies the {doc.reported_year - 1} report with only the years changed"


def _clean_peers(doc: Document, ctx: dict) -> list[Document]:
    """Same-year reports of the same type by other township-level units, still free of defects."""
    return [p for (unit, kind, year), p in ctx["reports"].items()
            if kind == doc.report_type and year == doc.report_year and unit != doc.unit.name
            and p.unit.level in LOCAL_LEVELS and not p.defects and not p.reserved
            and "copy_of" not in p.flags and "copy_peer" not in p.flags]


def _copy_peer(doc: Document, r: Random, ctx: dict) -> str:
    peer = r.choice(_clean_peers(doc, ctx))
    peer.reserved = True
    # Both reports are near-duplicates: the rule cannot tell the copy from its source, and a
    # supervisor has to look at both, so the source carries the finding too.
    peer.defects.append(Defect("COPY-2", f"its text reappears in {doc.unit.name}'s {doc.report_year} report"))
    doc.flags["copy_peer"] = peer.key
    return f"body copies {peer.unit.name}'s {doc.report_year} report with only the unit name changed"


def _has_clean_previous(doc: Document, ctx: dict) -> bool:
    prev = ctx["reports"].get((doc.unit.name, doc.report_type, (doc.report_year or 0) - 1))
    return prev is not None and not prev.defects and not prev.reserved and not prev.flags.get("copy_of")


def _title_year(doc: Document, r: Random, ctx: dict) -> str:
    doc.title = doc.title.replace(str(doc.report_year), str(doc.reported_year - 1))
    doc.title_year = doc.reported_year - 1
    return f"title names {doc.title_year}, body reports on {doc.report_year}"


def _routine_lag(doc: Document, r: Random, ctx: dict) -> str:
    lag = r.randint(25, 45)
    doc.published = datetime.combine(add_workdays(doc.issued, lag), doc.published.time())
    return f"published {lag} working days after issued_date {doc.issued.isoformat()}"


def _published_before_issued(doc: Document, r: Random, ctx: dict) -> str:
    doc.published = datetime.combine(doc.issued - timedelta(days=r.randint(2, 10)), doc.published.time())
    return f"published {doc.published.date().isoformat()} before issued {doc.issued.isoformat()}"


def _future(doc: Document, r: Random, ctx: dict) -> str:
    # A slip in the tens digit of the year (2023 → 2033): in the future for years to come, so
    # the ground truth does not expire while the demo is in use.
    year = max(doc.issued.year, 2020) + 10
    day = date(year, r.randint(1, 5), r.randint(4, 25))
    doc.issued = day
    doc.published = datetime.combine(day + timedelta(days=r.randint(1, 3)), doc.published.time())
    if doc.doc_no:
        doc.doc_no = f"{doc.unit.daizi}〔{year}〕{r.randint(1, 30)}号"
    return f"published_at {doc.published_at} lies in the future"


def short_publisher(unit: Unit) -> str:
    """The short form editors type for a unit's 发布机构 (濮院镇, 市财政局, 桐乡市政府)."""
    short = {"county_gov": "桐乡市政府", "department": "市" + unit.name.removeprefix("桐乡市")}
    return short.get(unit.level, unit.name)


def _short_publisher(doc: Document, r: Random, ctx: dict) -> str:
    doc.publisher = short_publisher(doc.unit)
    return f"发布机构 {doc.publisher} instead of {doc.unit.full_name}"


_META1_FIELDS = (("index_no", "索引号"), ("publisher", "发布机构"), ("issued_date", "发文日期"),
                 ("disclosure_mode", "公开方式"))


def _missing_field(doc: Document, r: Random, ctx: dict) -> str:
    turn = ctx.setdefault("meta1", count())
    i = next(turn)
    name, label = _META1_FIELDS[i % 4]
    absent = (i // 4 + i) % 2 == 1
    doc.shown[name] = None if absent else ""
    return f"{label} {'absent from the page' if absent else 'printed empty'}"


def _malformed_index(doc: Document, r: Random, ctx: dict) -> str:
    year, n = doc.issued.year, r.randint(1, 99)
    doc.index_override = r.choice((f"null/{year}-{n:05d}", f"bgs01/{year}-{n:05d}", f"{n}/{year}-{n:05d}"))
    return f"索引号 {doc.index_override} matches no pattern of the site"


def _index_year(doc: Document, r: Random, ctx: dict) -> str:
    doc.index_year = doc.issued.year + r.choice((-1, 1))
    return f"索引号 year {doc.index_year} differs from issued year {doc.issued.year}"


def _bad_doc_no(doc: Document, r: Random, ctx: dict) -> str:
    m = DOC_NO.match(doc.doc_no)
    if m is None:
        raise ValueError(f"{doc.key}: 文号 {doc.doc_no!r} is not one the generator writes")
    daizi, year, n = m["daizi"], m["year"], int(m["n"]) % 99 + 1
    doc.doc_no = r.choice((f"{daizi}[{year}]{n}号", f"{daizi}〔{year}〕{n:03d}号", f"{daizi}〔{year}〕第{n}号",
                           f"{daizi}({year}){n}号"))
    return f"文号 {doc.doc_no} is not of the form 代字〔YYYY〕N号"


def _broken_attachment(doc: Document, r: Random, ctx: dict) -> str:
    doc.attachments[-1][1] = 404
    return f"attachment {doc.attachments[-1][0]} answers 404"


def _not_found(doc: Document, r: Random, ctx: dict) -> str:
    doc.http_status = 404
    return "listed in the catalog but the detail page answers 404"


def _is(kind: str, levels: tuple[str, ...] | None = None, min_year: int = 0) -> Callable[[Document], bool]:
    return lambda d: (d.report_type == kind and (levels is None or d.unit.level in levels)
                      and (d.report_year or 0) >= min_year)


# Sentences appended to a routine body (bodies.document_blocks). The clean one writes the
# name correctly and holds 习近乎 inside 学习近乎: a scanner that flags it is wrong.
WORDING_SENTENCES: dict[str, str] = {
    "WORDING-1": "会议要求深入学习领会习进平总书记关于基层治理的重要论述。",
    "WORDING-2": "全镇上下要迎难而上、克坚攻难，确保完成全年目标任务。",
    "clean": "会议要求深入学习领会习近平总书记重要讲话精神，坚持学习近乎每周一次。",
}


FAZHI = _is("fazhi_annual")
XXGK = _is("xxgk_annual")

INJECTIONS: tuple[Injection, ...] = (
    Injection("COPY-1", "fazhi_annual", 1, False, lambda d: d.reported_year >= 2020, _copy_previous),
    Injection("COPY-2", "fazhi_annual", 1, False, lambda d: d.unit.level in LOCAL_LEVELS, _copy_peer),
    Injection("FZ-DATE-1", "fazhi_annual", 1, False, FAZHI, _date_defect((4, 6), (3, 25))),
    Injection("FZ-DATE-2", "fazhi_annual", 1, False, FAZHI, _date_defect((12, 12), (1, 20), same_year=True)),
    Injection("XX-DATE-1", "xxgk_annual", 1, False, _is("xxgk_annual", ("department",)), _date_defect((2, 3), (8, 25))),
    Injection("XX-DATE-1", "xxgk_annual", 1, False, _is("xxgk_annual", LOCAL_LEVELS), _date_defect((4, 6), (7, 25))),
    Injection("XX-DATE-2", "xxgk_annual", 1, False, _is("xxgk_annual", LOCAL_LEVELS), _date_defect((2, 3), (6, 25))),
    *(Injection(f"FZ-SEC-{k}", "fazhi_annual", 1, False, FAZHI,
                _flag("drop", _always(k), f"section kind {k} missing")) for k in (1, 2, 4)),
    Injection("FZ-SEC-3", "fazhi_annual", 1, False, FAZHI,
              _flag("no_responsible", _always(True), "no 第一责任人 content anywhere")),
    Injection("FZ-SEC-3-FOLDED", "fazhi_annual", 1, False, FAZHI,
              _flag("fold", _always(True), "第一责任人 folded into section 一 as a numbered point")),
    Injection("FZ-NEXT-1", "fazhi_annual", 1, False, FAZHI,
              _flag("next_year", lambda d: d.report_year, "section 四 names {value} instead of the next year")),
    Injection("TITLE-YEAR-1", "fazhi_annual", 1, False, _is("fazhi_annual", min_year=2020), _title_year),
    Injection("COPY-3", "fazhi_annual", 1, False, _is("fazhi_annual", min_year=2021),
              _flag("stale_s2", lambda d: d.reported_year - 2, "section 二 heading names {value}")),
    *(Injection(rule, "fazhi_annual", 1, False, FAZHI, _flag("fig", _always(rule), detail))
      for rule, detail in (("FIG-1", "其中 parts exceed the 共 total"), ("FIG-2", "分别 parts fall short of the total"),
                           ("FIG-3", "a percentage of 135%"))),
    *(Injection(f"XX-SEC-{k}", "xxgk_annual", 1, False, XXGK,
                _flag("drop", _always(k), f"section kind {k} missing")) for k in (4, 6, 1, 5)),
    Injection("XX-FMT-1", "xxgk_annual", 1, False, _is("xxgk_annual", min_year=2021),
              _flag("template_2019", _always(True), "report for {doc.report_year} uses the 2019 (试行) tables")),
    *(Injection(rule, "xxgk_annual", 1, False, XXGK, _flag("tables", _always(rule), detail))
      for rule, detail in (("I3-1", "table 三 column identity broken (结转下年)"),
                           ("I3-2", "table 三 row totals broken in two outcome rows"),
                           ("I3-3", "table 三 (七)总计 differs from the sum of outcome rows"),
                           ("I3-6", "narrative application count differs from table 三 新收 总计"),
                           ("I4-1", "table 四 行政复议 总计 differs from its parts"))),
    Injection("T2-1", "xxgk_annual", 1, False, _is("xxgk_annual", LOCAL_LEVELS, 2021),
              _flag("tables", _always("T2-1"), "township-level unit reports 规章 现行有效 6")),
    Injection("ROUTINE-LAG-1", "routine", 2, True, lambda d: d.issued < date(2026, 4, 1), _routine_lag),
    Injection("META-2", "routine", 1, True, lambda d: d.issued.timetuple().tm_yday > 15, _published_before_issued),
    Injection("META-4", "routine", 1, True, lambda d: not re.search(r"20\d\d", d.title), _future),
    Injection("META-3", "served", 2, True, lambda d: True, _short_publisher),
    Injection("META-1", "served", 4, True, lambda d: True, _missing_field),
    Injection("IDX-1", "served", 2, True, lambda d: True, _malformed_index),
    Injection("IDX-2", "served", 2, True, lambda d: d.index_override is None, _index_year),
    Injection("DOC-1", "docno", 2, True, lambda d: True, _bad_doc_no),
    Injection("ATTACH-1", "attached", 2, True, lambda d: True, _broken_attachment),
    Injection("FETCH-1", "routine", 2, True, lambda d: True, _not_found),
    # Last, so that adding them left every earlier draw (and so every earlier defect) as it was.
    Injection("WORDING-1", "routine", 1, False, lambda d: True,
              _flag("wording", _always(WORDING_SENTENCES["WORDING-1"]), "leader's name miswritten 习进平 (习近平)")),
    Injection("WORDING-2", "routine", 1, False, lambda d: True,
              _flag("wording", _always(WORDING_SENTENCES["WORDING-2"]), "typo 克坚攻难 (攻坚克难)")),
)



def mark_wording_counterpart(docs: list[Document]) -> None:
    """One clean routine item gets the correctly written sentence (no defect: nothing to find)."""
    clean = next((d for d in sorted(docs, key=lambda d: d.key)
                  if d.report_type == "routine" and not d.defects and not d.reserved and d.http_status == 200), None)
    if clean is None:  # a small portal (or stream) may have no clean routine item left to carry it
        return
    clean.flags["wording"] = WORDING_SENTENCES["clean"]
    clean.flags["wording_counterpart"] = True


def _in_pool(doc: Document, pool: str) -> bool:
    if pool == "served":
        return True
    if pool == "docno":
        return bool(doc.doc_no)
    if pool == "attached":
        return bool(doc.attachments)
    return doc.report_type == pool


def _spread(r: Random, candidates: list[Document], per_unit: dict[str, int], wanted: int) -> list[Document]:
    """Candidates in round-robin order over units, least-defective units first."""
    groups: dict[str, list[Document]] = {}
    for doc in candidates:
        groups.setdefault(doc.unit.name, []).append(doc)
    for group in groups.values():
        r.shuffle(group)
    order = sorted(groups, key=lambda name: (per_unit.get(name, 0), r.random()))
    out: list[Document] = []
    for i in range(max((len(g) for g in groups.values()), default=0)):
        out.extend(groups[name][i] for name in order if i < len(groups[name]))
        if len(out) >= wanted:
            break
    return out[:wanted]


def inject(seed: int, size: int, docs: list[Document], stream: str = "defects") -> None:
    r = Random(f"{seed}:{stream}")
    ctx: dict = {"reports": {(d.unit.name, d.report_type, d.report_year): d for d in docs
                             if d.report_type in ("fazhi_annual", "xxgk_annual")}}
    per_unit: dict[str, int] = {}
    pools: dict[str, list[Document]] = {}
    for inj in INJECTIONS:
        wanted = max(inj.base, round(inj.base * size / 300)) if inj.scales else inj.base
        if inj.pool not in pools:
            pools[inj.pool] = [d for d in docs if _in_pool(d, inj.pool)]
        pool = pools[inj.pool]
        if inj.scales and len(pool) > 50 * wanted:  # large portals: a random slice holds plenty of candidates
            pool = r.sample(pool, 50 * wanted)
        candidates = [d for d in pool if not d.defects and not d.reserved and inj.eligible(d)
                      and (inj.rule_id != "COPY-1" or _has_clean_previous(d, ctx))
                      and (inj.rule_id != "COPY-2" or _clean_peers(d, ctx))]
        for doc in _spread(r, candidates, per_unit, wanted):
            doc.defects.append(Defect(inj.rule_id, inj.apply(doc, r, ctx)))
            per_unit[doc.unit.name] = per_unit.get(doc.unit.name, 0) + 1
            if doc.flags.get("template_2019"):
                doc.table_template = "2019"
    if stream == "defects":  # the threshold pairs once per portal, among the Hanweb units' documents
        place_thresholds(seed, docs)
    mark_wording_counterpart(docs)
