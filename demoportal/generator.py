"""The document list of the demo portal, deterministic in (seed, size).

Only metadata is generated here: a few random draws per document, so 100 000 documents
take seconds. Bodies are written when a page is requested (see `bodies`). Steps:
annual reports for every unit and year, then budget/决算 disclosures and routine items up
to `size`, then defect injection (`defects.inject`), then article ids in publication order.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from random import Random
from typing import TypedDict

from . import defects
from .model import Defect, Document
from .notices import budget_title, routine_title
from .units import UNITS, UNITS_BY_NAME, short_name
from .workdays import add_workdays, is_workday, next_workday

REPORT_YEARS = range(2019, 2026)
ROUTINE_START, ROUTINE_END = date(2019, 1, 2), date(2026, 6, 30)


class SeedPage(TypedDict):
    """The seed document: the one demo page that reproduces a page crawled from a real portal."""

    unit: str
    year: int
    title: str
    index_no: str
    published: datetime


SEED_PAGE: SeedPage = {"unit": "濮院镇", "year": 2022, "title": "濮院镇2022年法治政府建设年度报告",
                       "index_no": "001008004005091/2023-103671", "published": datetime(2023, 2, 20, 8, 57)}
FAZHI_TITLES = ("{s}{Y}年法治政府建设年度报告", "{s}{Y}年度法治政府建设情况报告",
                "{f}关于{Y}年度法治政府建设情况的报告", "{s}法治政府建设年度报告({Y}年度)",
                "{s}{Y}年法治政府建设工作报告")
XXGK_TITLES = ("{s}{Y}年政府信息公开工作年度报告", "{f}{Y}年政府信息公开工作年度报告",
               "{Y}年度{s}政府信息公开工作年度报告")


def prev_workday(day: date) -> date:
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def _at(r: Random, day: date) -> datetime:
    return datetime.combine(day, time(r.randint(8, 17), r.randint(0, 59)))


def _day_between(r: Random, start: date, end: date) -> date:
    return start + timedelta(days=r.randint(0, (end - start).days))


def report_title(kind: str, unit, year: int, variant: int) -> str:
    templates = FAZHI_TITLES if kind == "fazhi_annual" else XXGK_TITLES
    return templates[variant % len(templates)].format(s=short_name(unit), f=unit.full_name, Y=year)


def _report(r: Random, key: int, unit, kind: str, year: int) -> Document:
    if kind == "fazhi_annual":
        day = next_workday(_day_between(r, date(year + 1, 1, 6), date(year + 1, 3, 20)))
        category = "法治政府建设工作报告"
    else:
        day = prev_workday(_day_between(r, date(year + 1, 1, 6), date(year + 1, 1, 30)))
        category = "政府信息公开年报"
    doc = Document(key, unit, kind, year, report_title(kind, unit, year, r.randrange(5)), year, category,
                   day, _at(r, day))
    doc.flags["title_variant"] = doc.title
    if kind == "xxgk_annual":
        doc.table_template = "2021" if year >= 2021 else "2019"
    return doc


def _budget(r: Random, key: int, unit, year: int, final: bool) -> Document:
    if final:
        day = next_workday(_day_between(r, date(year + 1, 7, 1), date(year + 1, 9, 25)))
    else:
        day = next_workday(_day_between(r, date(year, 2, 10), date(year, 3, 28)))
    kind = "final_accounts" if final else "budget"
    return Document(key, unit, kind, year, budget_title(unit, year, final), year, "财政预决算", day, _at(r, day))


def _routine(r: Random, key: int, unit, counters: dict) -> Document:
    issued = next_workday(_day_between(r, ROUTINE_START, ROUTINE_END))
    gbk = r.random() < 0.12
    title, category, numbered = routine_title(r, unit, issued.year, gbk)
    published = add_workdays(issued, r.choice((0, 0, 1, 1, 2, 3, 5, 8)))
    doc = Document(key, unit, "routine", None, title, None, category, issued, _at(r, published))
    if gbk:
        doc.encoding, doc.charset_in_header = "gbk", False
    if numbered:
        n = counters[(unit.name, issued.year)] = counters.get((unit.name, issued.year), 0) + 1 + r.randrange(3)
        doc.doc_no = f"{unit.daizi}〔{issued.year}〕{n}号"
    return doc


def _weighted_order(r: Random, items: list, weight) -> list:
    """Weighted sampling without replacement (Efraimidis–Spirakis keys)."""
    return sorted(items, key=lambda x: r.random() ** (1.0 / weight(x)), reverse=True)


def _allocate(n: int) -> list:
    """n units in proportion to their routine weight (largest remainder), so even a small
    portal gives the busiest units catalogs that need several paging batches."""
    total = sum(u.routine_weight for u in UNITS)
    shares = [(n * u.routine_weight / total, u) for u in UNITS]
    counts = {u.name: int(share) for share, u in shares}
    for _, u in sorted(shares, key=lambda s: s[0] - int(s[0]), reverse=True)[: n - sum(counts.values())]:
        counts[u.name] += 1
    return [u for u in UNITS for _ in range(counts[u.name])]


def minimum_size() -> int:
    return len(UNITS) * len(REPORT_YEARS) * 2


def build_documents(seed: int, size: int) -> list[Document]:
    if size < minimum_size():
        raise ValueError(f"size={size} is too small: the annual reports alone are {minimum_size()} documents; "
                         f"use size >= {minimum_size()}")
    r = Random(f"{seed}:list")
    docs: list[Document] = []
    for unit in UNITS:
        for year in REPORT_YEARS:
            for kind in ("fazhi_annual", "xxgk_annual"):
                docs.append(_report(r, len(docs), unit, kind, year))
    extra = size - len(docs)
    combos = [(u, y, final) for u in UNITS for y in range(2019, 2027) for final in (False, True)
              if not (final and y == 2026)]
    for unit, year, final in _weighted_order(r, combos, lambda c: c[0].routine_weight)[: min(extra // 6, len(combos))]:
        docs.append(_budget(r, len(docs), unit, year, final))
    counters: dict = {}
    for unit in _allocate(size - len(docs)):
        docs.append(_routine(r, len(docs), unit, counters))
    _finish_metadata(r, seed, docs)
    defects.inject(seed, size, docs)
    _assign_ids(r, docs)
    return docs


def _seed_page(doc: Document) -> None:
    doc.title = doc.flags["title_variant"] = SEED_PAGE["title"]
    doc.published = SEED_PAGE["published"]
    doc.issued = doc.published.date()
    doc.publisher = doc.source = "濮院镇"
    doc.index_override = SEED_PAGE["index_no"]
    doc.encoding, doc.charset_in_header, doc.attachments = "utf-8", True, []
    doc.reserved = True
    doc.flags["seed"] = True
    doc.defects.append(Defect("META-3",
                              "发布机构 濮院镇 is the short form of 桐乡市濮院镇人民政府 (as on the real page)"))


def _finish_metadata(r: Random, seed: int, docs: list[Document], seed_page: bool = True) -> None:
    for doc in docs:
        unit = doc.unit
        doc.publisher = unit.full_name
        doc.source = unit.name if unit.level in ("township", "subdistrict") else unit.full_name
        doc.county_scheme = unit.level == "county_gov" and r.random() < 0.4
        if doc.report_type != "routine" and r.random() < 0.1:
            doc.encoding, doc.charset_in_header = "gbk", False
        elif doc.encoding == "utf-8":
            doc.charset_in_header = r.random() < 0.75
        share = {"routine": 0.35 if doc.doc_no else 0.1, "budget": 0.9, "final_accounts": 0.9,
                 "xxgk_annual": 0.15}.get(doc.report_type, 0.05)
        if r.random() < share:
            for k in range(1 + (r.random() < 0.3)):
                name = hashlib.md5(f"{seed}:{doc.key}:{k}".encode()).hexdigest()
                doc.attachments.append([f"{name}.pdf", 200])
    if not seed_page:
        return
    seed_doc = next(d for d in docs if d.unit is UNITS_BY_NAME[SEED_PAGE["unit"]]
                    and d.report_type == "fazhi_annual" and d.report_year == SEED_PAGE["year"])
    _seed_page(seed_doc)


def _assign_ids(r: Random, docs: list[Document]) -> None:
    """Article ids grow with publication time, as a CMS's sequence does."""
    next_id = 59_000_000 + r.randint(0, 99_999)
    for i, doc in enumerate(sorted(docs, key=lambda d: (d.published, d.key))):
        next_id += r.randint(1, 40)
        doc.doc_id = next_id
        doc.serial = 100_000 + (i * 7919) % 900_000  # a bijection for i < 900 000: serials are unique
    # The seed page prints its real 索引号; no other page may print the same serial.
    seed_doc = next(d for d in docs if d.flags.get("seed"))
    seed_serial = int(SEED_PAGE["index_no"].rsplit("-", 1)[1])
    for doc in docs:
        if doc.serial == seed_serial and doc is not seed_doc:
            doc.serial, seed_doc.serial = seed_doc.serial, seed_serial
