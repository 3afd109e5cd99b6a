"""Phrasing styles of the demo portal: same documents and defects, other words.

The default portal must not change at all (other tests and benchmarks depend on it); a style
seed must change the phrasing and nothing of the ground truth; every slot offers at least five
real-world phrasings; and in every style the figure sentences are consistent exactly where the
manifest says they are (read with the audit's own figure grammar, so a rule that over-grabs
would show up here as well as in `make eval`).
"""
from __future__ import annotations

from functools import cache

import pytest

from audits.normalize.figure_groups import find_figures
from demoportal.portal import build_portal
from demoportal.styles import SLOTS, style_for

STYLES = (1, 2, 3)


def _pages(portal) -> dict[str, str]:
    return {d.url_path: portal.detail_html(d) for d in portal.documents if d.http_status == 200}


@cache
def _portal(style: int | None = None):
    """One build per style for the whole module (a build is deterministic: see test_demoportal)."""
    return build_portal(7, 300, style)


@cache
def _pages_of(style: int | None = None) -> dict[str, str]:
    return _pages(_portal(style))


def _truth(portal) -> list:
    return sorted((d.url_path, d.title, tuple(x.rule_id for x in d.defects)) for d in portal.documents)


def test_style_zero_is_the_default_portal():
    assert style_for(0) is None and style_for(None) is None
    default, zero = _portal(), build_portal(7, 300, 0)
    assert _pages_of() == _pages(zero)
    assert default.manifest() == zero.manifest()


@pytest.mark.parametrize("style", STYLES)
def test_a_style_changes_words_not_ground_truth(style):
    default, styled = _portal(), _portal(style)
    assert _truth(default) == _truth(styled)
    pages, styled_pages = _pages_of(), _pages_of(style)
    changed = sum(pages[p] != styled_pages[p] for p in pages)
    assert changed > len(pages) / 2
    assert styled.manifest()["style"] == style


def test_every_slot_offers_five_phrasings():
    assert all(len(pool) >= 5 for pool in SLOTS.values())


@pytest.mark.parametrize("style", (0, *STYLES))
def test_figure_sentences_are_consistent_exactly_where_the_manifest_says(style):
    portal = _portal(style)
    checked = 0
    for doc in portal.documents:
        if doc.http_status != 200 or doc.report_type not in ("fazhi_annual", "budget", "final_accounts"):
            continue
        _, groups = find_figures(portal.body_text(doc))
        verdicts = {g.verdict() for g in groups}
        found = {"FIG-1"} if "parts_exceed_total" in verdicts else set()
        found |= {"FIG-2"} if "exhaustive_sum_mismatch" in verdicts else set()
        assert found == {x.rule_id for x in doc.defects} & {"FIG-1", "FIG-2"}, (doc.title, portal.body_text(doc))
        checked += len(groups)
    assert checked > 100
