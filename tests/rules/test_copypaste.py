"""COPY-1 / COPY-2 similarity computed on shingle ids (audits.rules.shingles) against the plain
definition: Jaccard of Python sets of character shingles, years and unit names masked."""
from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from audits.rules import copypaste, shingles
from audits.rules.copypaste import _unit_word, peer_similarity, previous_year_similarity
from audits.rules.shingles import normalised, rounded, shingle_sets

TYPES = ["fazhi_annual", "xxgk_annual"]


def docs(*rows: dict) -> pd.DataFrame:
    base = dict(site="s", report_type="fazhi_annual", report_year=2022, content_hash=None)
    frame = pd.DataFrame([{**base, "url": f"u{i}", **row} for i, row in enumerate(rows)])
    return frame.astype({"site": "string", "unit": "string", "report_type": "string", "report_year": "Int64",
                         "url": "string", "content_hash": "string"})


def plain_shingles(text: str, size: int, mask: str = "") -> set[str]:
    text = normalised(text, mask)
    return {text[i:i + size] for i in range(len(text) - size + 1)}


def plain_jaccard(a: set[str], b: set[str]) -> float | None:
    return round(len(a & b) / len(a | b), 4) if a and b else None


def test_shingle_ids_number_the_shingles_in_string_order():
    rng = random.Random(1)
    for size in (1, 4, 12):  # 12 characters of a wide alphabet need two 63-bit words per shingle
        alphabet = [chr(rng.choice([rng.randint(0x21, 0x7e), rng.randint(0x4e00, 0x9fff), rng.randint(0x10000, 0x10ffff)]))
                    for _ in range(200)]
        texts = ["".join(rng.choice(alphabet[:rng.randint(1, 200)]) for _ in range(rng.randint(0, 40)))
                 for _ in range(30)] + ["", "短"]
        sets = shingle_sets(texts, size)
        every = sorted({t[i:i + size] for t in texts for i in range(len(t) - size + 1)})
        assert sets.count == len(every)
        for k, text in enumerate(texts):
            want = sorted(every.index(s) for s in {text[i:i + size] for i in range(len(text) - size + 1)})
            assert sets.ids[sets.indptr[k]:sets.indptr[k + 1]].tolist() == want


def test_rounding_is_pythons_not_numpys():
    ratios = np.array([a / b for b in range(1, 400) for a in range(b + 1)])
    assert rounded(ratios).tolist() == [round(r, 4) for r in ratios.tolist()]
    assert np.isnan(rounded(np.array([np.nan, 0.5]))[0])


def test_copy_with_the_names_swapped_is_identical_and_names_its_source():
    text = "一、{}2022年推进法治政府建设情况\n二、存在的不足\n全年办理行政复议案件12件"
    frame = docs(dict(unit="桐乡市濮院镇"), dict(unit="桐乡市乌镇镇"), dict(unit="桐乡市梧桐街道"))
    texts = pd.Series({"u0": text.format("濮院"), "u1": text.format("乌镇"),
                       "u2": "一、梧桐街道自行撰写的报告\n全年收到申请3件，办结3件"})
    peers = peer_similarity(frame, texts, TYPES, 4, 0.5)
    assert peers["peer_similarity"].tolist()[:2] == [1.0, 1.0]
    assert peers["peer_url"].tolist()[:2] == ["u1", "u0"]
    assert peers["peer_similarity"].iloc[2] == 0.0 and pd.isna(peers["peer_url"].iloc[2])  # below the floor


def test_edges_empty_texts_single_unit_and_hashes():
    frame = docs(dict(unit="甲镇", content_hash="h"), dict(unit="乙镇", content_hash="h"),  # no text, same hash
                 dict(unit="丙镇"), dict(unit="丁镇", content_hash="x"),  # no text, no equal hash
                 dict(unit="戊镇", report_year=2021), dict(unit="戊镇", report_year=2021),  # a single unit
                 dict(unit="己镇", report_year=2020, content_hash="k"),
                 dict(unit="庚镇", report_year=2020))  # a hash beside a missing one is not "the same"
    texts = pd.Series({"u4": "同一段文字同一段文字", "u5": "同一段文字同一段文字",
                       "u6": "全年办理政府信息公开申请25件", "u7": "全年办理政府信息公开申请25件"})
    peers = peer_similarity(frame, texts, TYPES, 4, 0.8)
    assert peers["peer_similarity"].tolist()[:4] == [1.0, 1.0, pd.NA, pd.NA]
    assert peers["peer_url"].tolist()[:2] == ["u1", "u0"]
    assert peers["peer_similarity"].iloc[4:6].isna().all()  # no other unit to compare with
    assert peers["peer_similarity"].iloc[6:].tolist() == [1.0, 1.0]  # equal texts, hashes not comparable
    assert peers["peer_url"].iloc[6:].tolist() == ["u7", "u6"]


def test_a_report_without_unit_is_compared_with_the_named_units_only():
    frame = docs(dict(unit="甲镇"), dict(unit="乙镇"), dict(unit=None), dict(unit=None))
    texts = pd.Series({"u0": "全年办理政府信息公开申请25件", "u1": "全年收到行政复议申请3件",
                       "u2": "全年收到行政复议申请3件", "u3": "全年收到行政复议申请3件"})
    peers = peer_similarity(frame, texts, TYPES, 4, 0.8)
    assert peers["peer_similarity"].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert peers["peer_url"].tolist()[2:] == ["u1", "u1"]


def test_previous_year_pairs_same_unit_and_compares_texts():
    frame = docs(dict(unit="甲镇", report_year=2021, content_hash="h"), dict(unit="甲镇", content_hash="h"),
                 dict(unit="乙镇", report_year=2021, content_hash="a"), dict(unit="乙镇"),
                 dict(unit="丙镇", report_year=2021), dict(unit="丙镇"), dict(unit="丁镇"))
    texts = pd.Series({"u2": "2021年共收到申请20件，办结18件", "u3": "2022年共收到申请20件，办结18件",
                       "u5": "全新的报告正文"})
    similar = previous_year_similarity(frame, texts, TYPES, 4)
    assert similar["previous_year_url"].tolist() == [pd.NA, "u0", pd.NA, "u2", pd.NA, "u4", pd.NA]
    # identical hash; years masked (the other hash missing); one side without text; no earlier report
    assert similar["previous_year_similarity"].tolist() == [pd.NA, 1.0, pd.NA, 1.0, pd.NA, pd.NA, pd.NA]


def _random_reports(rng: random.Random) -> tuple[pd.DataFrame, pd.Series]:
    units = ["桐乡市甲镇", "乙镇", "丙街道", "丁", "戊乡"]
    stock = ["".join(rng.choice("abcd甲乙镇2021") for _ in range(rng.randint(0, 25))) for _ in range(3)]
    rows, texts = [], {}
    for i in range(rng.randint(2, 25)):
        unit = rng.choice(units)
        rows.append(dict(unit=unit, site=rng.choice("st"), report_year=rng.choice([2021, 2022]),
                         content_hash=rng.choice(["h1", "h2", None, f"x{i}"])))
        if rng.random() < 0.9:
            texts[f"u{i}"] = rng.choice(stock) + _unit_word(unit) * rng.randint(0, 1) + \
                "".join(rng.choice("abcd") for _ in range(rng.randint(0, 6)))
    return docs(*rows), pd.Series(texts, dtype=object)


@pytest.mark.slow  # three hundred random portals, each compared pair by pair in Python
@pytest.mark.parametrize("seed, small_batches", [(0, False), (1, False), (2, True)])
def test_peer_similarity_matches_every_pair_compared(seed, small_batches, monkeypatch):
    """Against all pairs compared as Python sets: a best score at or above the floor is found
    exactly (the prefix filter loses no such pair), and the peer named is one of the reports
    reaching it; a report whose best is below the floor scores no more than that best. With
    `small_batches`, every group, candidate run and pair slice is cut as small as it goes."""
    if small_batches:
        monkeypatch.setattr(copypaste, "_BATCH_CHARS", 30)
        monkeypatch.setattr(copypaste, "_PAIR_CHUNK", 2)
        monkeypatch.setattr(shingles, "_PAIR_CHUNK_IDS", 5)
    rng = random.Random(seed)
    for _ in range(100):
        frame, texts = _random_reports(rng)
        size, floor = rng.choice([2, 3, 4]), rng.choice([0.3, 0.5, 0.8, 1.0])
        peers = peer_similarity(frame, texts, TYPES, size, floor)
        sets = [plain_shingles(texts.get(f"u{i}", ""), size, _unit_word(unit)) for i, unit in enumerate(frame["unit"])]
        best: dict[int, tuple[float, set[str]]] = {}
        for i, j in combinations(range(len(frame)), 2):
            a, b = frame.iloc[i], frame.iloc[j]
            if (a["site"], a["report_year"]) != (b["site"], b["report_year"]) or a["unit"] == b["unit"]:
                continue
            same = pd.notna(a["content_hash"]) and pd.notna(b["content_hash"]) and a["content_hash"] == b["content_hash"]
            score = 1.0 if same else plain_jaccard(sets[i], sets[j])
            for k, other in ((i, b["url"]), (j, a["url"])):
                if score is not None and score > best.get(k, (-1.0, set()))[0]:
                    best[k] = (score, {other})
                elif score is not None and score == best[k][0]:
                    best[k][1].add(other)
        for k in range(len(frame)):
            got, url = peers["peer_similarity"].iloc[k], peers["peer_url"].iloc[k]
            group = frame[(frame["site"] == frame["site"].iloc[k]) & (frame["report_year"] == frame["report_year"].iloc[k])]
            if group["unit"].nunique() < 2 or (not sets[k] and k not in best):
                assert pd.isna(got)
            elif k in best and best[k][0] >= floor:
                assert got == best[k][0] and (url in best[k][1] if got > 0 else pd.isna(url))
            else:  # below the floor: the best of the candidates the prefix filter gave, if any
                assert 0.0 <= got <= best.get(k, (0.0,))[0] < floor
