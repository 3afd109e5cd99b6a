"""Attachment extraction throughput per format, against HTML normalisation of the same report.

The demo portal's writers publish one 信息公开 annual report (text, tables 二/三/四 with merged
cells) and one 法治 report as PDF (CJK text layer, ruled tables), .docx, and table 三 alone as
.xlsx and .xls. Each run reads the files `--rounds` times:

- baseline: the same reports' HTML bodies through what normalisation does with a body
  (sections, tables, figures): the cost an HTML-published report has anyway;
- per format: `extract_attachment` (sniff, parse, paragraphs and table grids) plus the same
  sections/tables/figures on its result.

Pages are PDF pages; a .docx or workbook counts as one page (it has no fixed pages). Only
pages per second and the ratio to the baseline's reports per second are reported.
Usage: python bench/attachment_bench.py [--rounds 5] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits.normalize.attachments.extract import extract_attachment  # noqa: E402
from bench.benchmarks_md import write_section  # noqa: E402
from audits.normalize.figure_groups import find_figures  # noqa: E402
from audits.normalize.section_kinds import load_section_kinds  # noqa: E402
from audits.normalize.sections import find_sections  # noqa: E402
from audits.normalize.tables import read_tables  # noqa: E402
from demoportal.bodies import blocks_text  # noqa: E402
from tests.attachment_samples import clean_report, portal, sample  # noqa: E402

HEADING = "## Attachment extraction"
KINDS = ("xxgk_annual", "fazhi_annual")


def _normalise(text: str, html: str, kind: str, kinds) -> None:
    find_sections(text, kind, kinds, html)
    read_tables(html, text)
    find_figures(text)


def _html_bodies() -> list[tuple[str, str, str]]:
    out = []
    for kind in KINDS:
        blocks = portal().report_blocks(clean_report(kind))
        html = "".join(t if k == "table" else f"<p>{t}</p>" for k, t in blocks)
        out.append((blocks_text(blocks), html, kind))
    return out


def run(rounds: int) -> list[tuple[str, int, float]]:
    kinds = load_section_kinds()
    rows = []
    bodies = _html_bodies()
    start = time.perf_counter()
    for _ in range(rounds * 20):  # HTML is fast: more rounds for a stable time
        for text, html, kind in bodies:
            _normalise(text, html, kind, kinds)
    rows.append(("html (baseline)", rounds * 20 * len(bodies), time.perf_counter() - start))
    for fmt, kinds_of in (("pdf", KINDS), ("docx", KINDS), ("xlsx", ("xxgk_annual",)), ("xls", ("xxgk_annual",))):
        files = [(sample(kind, fmt), kind) for kind in kinds_of]
        pages = 0
        start = time.perf_counter()
        for _ in range(rounds):
            for data, kind in files:
                extracted = extract_attachment(data, fmt)
                _normalise(extracted.text, extracted.html, kind, kinds)
                pages += extracted.pages
        rows.append((fmt, pages, time.perf_counter() - start))
    return rows


def table(rows: list[tuple[str, int, float]], rounds: int) -> str:
    base_rate = rows[0][1] / rows[0][2]
    lines = [HEADING, "",
             f"`python bench/attachment_bench.py --rounds {rounds}`: one 信息公开 and one 法治 annual report of the "
             "demo portal, published by its writers as PDF (STSong-Light text layer, ruled tables with merged "
             "cells) and .docx, and table 三 alone as .xlsx and .xls; each read and then normalised (sections, "
             "tables 二/三/四, figures). The baseline normalises the same reports' HTML bodies (20× the rounds). "
             "A .docx or workbook "
             "counts as one page. Ratio: pages per second over the baseline's reports per second.", "",
             "| format | pages | seconds | pages/s | ratio to HTML |", "|---|---|---|---|---|"]
    for name, pages, seconds in rows:
        rate = pages / seconds
        lines.append(f"| {name} | {pages} | {seconds:.2f} | {rate:.1f} | {rate / base_rate:.3f}× |")
    pdf = next(r for r in rows if r[0] == "pdf")
    per_page = base_rate / (pdf[1] / pdf[2])
    lines += ["", f"One PDF page costs about as much as normalising {per_page:.0f} HTML reports: pdfplumber lays out "
              "every character and finds the tables' ruling lines page by page. A portal publishes few report "
              "files, the crawl fetches each once, and `Limits.max_pages` bounds a long one.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", type=Path, help="replace the section in this Markdown file")
    args = parser.parse_args()
    text = table(run(args.rounds), args.rounds)
    print(text)
    if args.write:
        write_section(Path(args.write), HEADING, text.removeprefix(HEADING))


if __name__ == "__main__":
    main()
