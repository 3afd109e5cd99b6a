"""Article bodies, written on request from each document's own random stream.

Nothing here is stored: a body is a pure function of (seed, document), drawn from
Random(f"{seed}:{doc_id}"), so a 100 000-document portal costs only its metadata. The seed
page (濮院镇2022年法治政府建设年度报告) is reproduced paragraph for paragraph from the
packaged copy of the real page.
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from importlib import resources
from random import Random

from .fazhi_report import fazhi_blocks
from .model import Document
from .notices import budget_blocks, routine_blocks
from .xxgk_report import xxgk_blocks
from .xxgk_tables import XxgkTables, xxgk_tables

Block = tuple[str, str]
HEADING = re.compile(r"^[一二三四五六七八九十]、")
YEAR_WORD = re.compile(r"(20\d\d)(?=年)")
TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def seed_paragraphs() -> tuple[str, ...]:
    """Body paragraphs of the real seed page, in order, trailing blanks removed."""
    text = resources.files(__package__).joinpath("data/seed_puyuan_2022.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("发布时间")) + 1
    return tuple(line.rstrip() for line in lines[start:] if line.strip())


def report_tables(seed: int, doc: Document) -> XxgkTables | None:
    if doc.report_type != "xxgk_annual":
        return None
    if doc.table_template is None:
        raise ValueError(f"document {doc.key} is a 信息公开 report without a table template")
    return xxgk_tables(seed, doc.unit, doc.reported_year, doc.table_template, doc.flags.get("tables"))


def _tables(seed: int, doc: Document) -> XxgkTables:
    tables = report_tables(seed, doc)
    if tables is None:
        raise ValueError(f"document {doc.key} is not a 信息公开 report: it has no tables")
    return tables


def _shift_years(blocks: list[Block], old_year: int) -> list[Block]:
    """Last year's text with its years moved forward by one (COPY-1)."""
    shift = {str(old_year): str(old_year + 1), str(old_year + 1): str(old_year + 2)}
    return [(k, YEAR_WORD.sub(lambda m: shift.get(m[1], m[1]), t)) for k, t in blocks]


def _swap_unit(blocks: list[Block], source: Document, doc: Document) -> list[Block]:
    """Another unit's text with its names replaced by this unit's (COPY-2)."""
    names = ((source.unit.full_name, doc.unit.full_name), (source.unit.name, doc.unit.name))

    def swap(text: str) -> str:
        for old, new in names:
            text = text.replace(old, new)
        return text
    return [(k, swap(t)) for k, t in blocks]


def document_blocks(seed: int, doc: Document, docs: list[Document], style=None) -> list[Block]:
    """Blocks of the article body: ("h", heading), ("p", paragraph) or ("table", html).
    `style` (see `styles`) rewrites the phrasing; None is the default portal."""
    if doc.flags.get("seed"):
        return [("h" if HEADING.match(p) else "p", p) for p in seed_paragraphs()]
    if "copy_of" in doc.flags:
        prev = docs[doc.flags["copy_of"]]
        return _shift_years(document_blocks(seed, prev, docs, style), prev.reported_year)
    if "copy_peer" in doc.flags:
        peer = docs[doc.flags["copy_peer"]]
        return _swap_unit(document_blocks(seed, peer, docs, style), peer, doc)
    r = Random(f"{seed}:{doc.doc_id}")
    if doc.report_type == "fazhi_annual":
        return fazhi_blocks(r, doc.unit, doc.reported_year, doc.flags, style)
    if doc.report_type == "xxgk_annual":
        return xxgk_blocks(r, doc.unit, doc.reported_year, _tables(seed, doc), doc.flags.get("drop"))
    if doc.report_type in ("budget", "final_accounts"):
        return budget_blocks(r, doc.unit, doc.reported_year, doc.report_type == "final_accounts", style)
    blocks = routine_blocks(r, doc.unit, doc.title, doc.issued, doc.doc_no, style)
    if "wording" in doc.flags:  # before the closing formula, signature and date
        blocks.insert(1, ("p", doc.flags["wording"]))
    return blocks


def blocks_text(blocks: list[Block]) -> str:
    """Plain text of a body, one line per paragraph, heading or table row."""
    lines = []
    for kind, text in blocks:
        if kind == "table":
            rows = re.split(r"</tr>", text)
            lines += [" ".join(unescape(c) for c in TAG.sub("\t", row).split("\t") if c.strip()) for row in rows]
        else:
            lines.append(text)
    return "\n".join(line for line in lines if line)
