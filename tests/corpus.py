"""Where the tests find real texts: the shared corpus beside the checkout, the seed page in the repository.

CI places `shared/` beside every clone (`<checkout>/../shared/corpus/`), so the real-text tests
look there and nowhere else: never an absolute path that only one machine has. The seed page
(濮院镇2022年法治政府建设年度报告) is also packaged with the demo portal, so the tests read that copy
and run on any clone.

A missing corpus is a failure under CI (`CI=true`): a green run there must have tested real
texts. Elsewhere the tests skip with a reason listed in tests/allowed_skips.txt.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from audits.normalize.metadata import pairs_from_text
from crawler.items import PageRecord

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED_PAGE = REPO / "demoportal" / "data" / "seed_puyuan_2022.txt"
SHARED_SEED_PAGE = CORPUS / "000_b0bbcd55e46bbf4d.txt"  # the same page as crawled, in the shared corpus
MISSING_SHARED = "shared folder absent"  # the start of the skip reason, as listed in tests/allowed_skips.txt


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def absent(what: str, reason: str) -> None:
    """Skip (listed) outside CI, fail under CI, because a CI run must not hide an untested part."""
    if under_ci():
        pytest.fail(f"{what} is required under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def shared_file(relative: str) -> Path:
    """A file of ../shared/, or a skip (a failure under CI) naming where it was looked for."""
    path = SHARED / relative
    if not path.is_file():
        absent("the shared folder", f"{MISSING_SHARED}: {path} not found (CI places shared/ beside the checkout)")
    return path


def corpus_file(name: str) -> Path:
    """A file of ../shared/corpus/ (real report texts with labels)."""
    return shared_file(f"corpus/{name}")


SEED_URL = "https://www.tx.gov.cn/art/2023/2/20/art_1229518003_59563128.html"


def seed_record() -> PageRecord:
    """The seed page as the spider stores it: its metadata block, title and body paragraphs."""
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    published = next(i for i, line in enumerate(lines) if line.startswith("发布时间"))
    paragraphs = [line.strip() for line in lines[published + 1:] if line.strip()]
    return PageRecord(
        url=SEED_URL, site="tongxiang", unit="濮院镇", unit_level="township", dialect="hanweb",
        list_title="濮院镇2022年法治政府建设年度报告", list_date="2023-02-20", http_status=200,
        fetched_at="2026-03-01T02:00:00+00:00", page_title=lines[published - 1].strip(),
        meta_pairs=pairs_from_text("\n".join(lines[:published + 1])),
        meta_tags={"PubDate": "2023-02-20 08:57"},
        body_text="\n".join(paragraphs), body_html="".join(f"<p>{p}</p>" for p in paragraphs),
    )
