"""Where the tests find real texts: the shared corpus beside the checkout, the seed page in the repository.

CI places `shared/` beside every clone (`<checkout>/../shared/corpus/`), so the real-text tests
look there and nowhere else: never an absolute path that only one machine has. The seed page
(濮院镇2022年法治政府建设年度报告) is also packaged with the demo portal, so the tests read that copy
(tests/seed_page.py) and run on any clone.

A missing corpus is a failure under CI (`CI=true`): a green run there must have tested real
texts. Elsewhere the tests skip with a reason listed in tests/allowed_skips.txt.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED_PAGE = REPO / "demoportal" / "data" / "seed_puyuan_2022.txt"  # as tests/seed_page.py reads it
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

