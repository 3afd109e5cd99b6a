"""Documents of the units on TRS, gkmlpt and jpaas (`units.DIALECT_UNITS`), deterministic in the seed.

They are drawn from their own random streams after the Hanweb documents, so adding these
units leaves every Hanweb document, id and defect exactly as before. Each unit gets the
annual reports of every year, two years of 预算/决算 and a fixed number of routine items;
defects are injected by the same `defects.inject` classes as on Hanweb (its own stream), so
the audit has to find the same defect classes whatever CMS served the page. The GBK unit's
first routine items name people with characters outside GB2312 (堃, 喆, 镕).
"""
from __future__ import annotations

import hashlib
from random import Random

from . import defects
from .generator import REPORT_YEARS, _budget, _finish_metadata, _report, _routine
from .model import Document
from .notices import GBK_ONLY_TOPICS
from .units import DIALECT_UNITS

ROUTINE_ITEMS = {"桐乡市交通运输局": 24, "桐乡市住房和城乡建设局": 16, "桐乡市自然资源和规划局": 14,
                 "桐乡市卫生健康局": 22, "运河街道": 12}
ID_BASE = {"trs": 4_100_000, "gkmlpt": 3_800_000, "jpaas": 57_000_000}
NAME_TITLES = tuple((t, c) for t, c, _ in GBK_ONLY_TOPICS) + (("关于朱镕同志任职的通知", "人事信息"),)


def build_dialect_documents(seed: int, first_key: int) -> list[Document]:
    """`first_key`: the number of Hanweb documents; keys continue after theirs, because a
    document's key is its position in the portal's list (copies find their source by key)."""
    r = Random(f"{seed}:dialects")
    docs: list[Document] = []
    for unit in DIALECT_UNITS:
        for year in REPORT_YEARS:
            for kind in ("fazhi_annual", "xxgk_annual"):
                docs.append(_report(r, len(docs), unit, kind, year))
        for year in (2024, 2025):
            for final in (False, True):
                docs.append(_budget(r, len(docs), unit, year, final))
    counters: dict = {}
    for unit in DIALECT_UNITS:
        for i in range(ROUTINE_ITEMS[unit.name]):
            doc = _routine(r, len(docs), unit, counters)
            if unit.charset == "gb2312" and i < len(NAME_TITLES):
                doc.title, doc.category = NAME_TITLES[i]
            docs.append(doc)
    for doc in docs:
        doc.key += first_key
    _finish_metadata(r, seed, docs, seed_page=False)
    for doc in docs:  # attachment names must not repeat the Hanweb documents' (same keys)
        doc.attachments = [[hashlib.md5(f"{seed}:dialect:{doc.key}:{k}".encode()).hexdigest() + ".pdf", status]
                           for k, (_, status) in enumerate(doc.attachments)]
    for doc in docs:  # one encoding per site: the legacy TRS site is GBK throughout
        gbk = doc.unit.charset == "gb2312"
        doc.encoding, doc.charset_in_header = ("gbk", False) if gbk else ("utf-8", True)
    defects.inject(seed, 300, docs, stream="dialect-defects")
    _assign_ids(r, docs)
    return docs


def _assign_ids(r: Random, docs: list[Document]) -> None:
    """Ids grow with publication time per platform; serials unique over these documents."""
    next_id = dict(ID_BASE)
    for i, doc in enumerate(sorted(docs, key=lambda d: (d.published, d.key))):
        next_id[doc.unit.cms] += r.randint(1, 40)
        doc.doc_id = next_id[doc.unit.cms]
        doc.serial = 100_000 + ((i + 450_000) * 7919) % 900_000
