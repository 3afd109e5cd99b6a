"""Group-level precision and recall of the figure grammar on labelled sentences it was not tuned on.

Two corpora: `data/figure_sentences.jsonl` (324 sentences in the phrasings of real reports, labels
known by construction, see its builder) and the real sentences of
`../shared/corpus/figure_sentences_real_dev.jsonl` (verbatim from public pages, hand-labelled).
A found group counts as right when its total and its multiset of parts equal a labelled group's.
A sentence is flagged when any of its groups would fail FIG-1 or FIG-2.  The figures are printed
(`pytest -s`) so a reader can follow them; the floors are what the grammar reaches today, and a
flag on a sentence labelled consistent is never allowed: that is the false critical finding.
"""
from __future__ import annotations

import json
from pathlib import Path


from audits.normalize.figure_groups import find_figures
from tests.corpus import corpus_file

HERE = Path(__file__).parent
REPO = HERE.parents[1]
OURS = HERE / "data" / "figure_sentences.jsonl"
REAL_NAME = "figure_sentences_real_dev.jsonl"  # in ../shared/corpus beside the checkout (tests/corpus.py)
BAD = ("parts_exceed_total", "exhaustive_sum_mismatch")


def _labelled(groups: list[dict]) -> list[tuple[float, list[float]]]:
    out = []
    for g in groups:
        total = g.get("total")
        value = total.get("value") if isinstance(total, dict) else total
        if value is None:
            continue
        parts = [p.get("value") if isinstance(p, dict) else p for p in g["parts"]]
        if None not in parts:
            out.append((round(float(value), 4), sorted(round(float(p), 4) for p in parts)))
    return out


def score(rows: list[dict]) -> dict:
    s = dict(found=0, found_right=0, labelled=0, labelled_found=0, flag_tp=0, flag_fp=0, flag_fn=0, false_flags=[])
    for row in rows:
        _, groups = find_figures(row["sentence"])
        got = [(round(g.total.value, 4), sorted(round(p.value, 4) for p in g.parts)) for g in groups]
        want = _labelled(row["groups"])
        s["found"] += len(got)
        s["found_right"] += sum(g in want for g in got)
        s["labelled"] += len(want)
        s["labelled_found"] += sum(w in got for w in want)
        flagged = any(g.verdict() in BAD for g in groups)
        bad = row["verdict"] in BAD
        s["flag_tp"] += flagged and bad
        s["flag_fn"] += bad and not flagged
        if flagged and not bad:
            s["flag_fp"] += 1
            s["false_flags"].append(f"{row['id']}: {row['sentence'][:120]}")
    s["group_precision"] = s["found_right"] / s["found"] if s["found"] else 1.0
    s["group_recall"] = s["labelled_found"] / s["labelled"] if s["labelled"] else 1.0
    flags = s["flag_tp"] + s["flag_fp"]
    s["flag_precision"] = s["flag_tp"] / flags if flags else 1.0
    s["flag_recall"] = s["flag_tp"] / (s["flag_tp"] + s["flag_fn"]) if s["flag_tp"] + s["flag_fn"] else 1.0
    return s


def _report(name: str, rows: list[dict], s: dict) -> None:
    clean = sum(r["verdict"] not in BAD for r in rows)
    print(f"\n{name}: {len(rows)} sentences, {clean} must not be flagged")
    print(f"  groups: precision {s['group_precision']:.3f} ({s['found_right']}/{s['found']}), "
          f"recall {s['group_recall']:.3f} ({s['labelled_found']}/{s['labelled']})")
    print(f"  flags:  precision {s['flag_precision']:.3f}, recall {s['flag_recall']:.3f} "
          f"(tp {s['flag_tp']}, fp {s['flag_fp']}, fn {s['flag_fn']})")
    for line in s["false_flags"]:
        print("  FALSE FLAG", line)


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_corpus_shape():
    rows = _read(OURS)
    assert len(rows) >= 300
    assert sum(r["verdict"] not in BAD for r in rows) >= len(rows) / 2
    assert all("groups" in r and "verdict" in r for r in rows)


def test_our_corpus():
    rows = _read(OURS)
    s = score(rows)
    _report("figure_sentences.jsonl", rows, s)
    assert s["flag_fp"] == 0, s["false_flags"]
    assert s["group_precision"] >= 0.95 and s["group_recall"] >= 0.90
    assert s["flag_recall"] >= 0.90


def test_real_sentences():
    rows = _read(corpus_file(REAL_NAME))  # a listed skip without ../shared, a failure under CI=true
    s = score(rows)
    _report(REAL_NAME, rows, s)
    assert s["flag_fp"] == 0, s["false_flags"]
    # Most labelled groups there have no 其中/分别 marker ("受理15件，办结13件"): the grammar leaves
    # them alone on purpose, so recall is low and precision is what matters.
    assert s["group_precision"] >= 0.70 and s["group_recall"] >= 0.30
