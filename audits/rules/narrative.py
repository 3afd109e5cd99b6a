"""The application count a report states in words (I3-6).

"本年度共收到政府信息公开申请5件" must agree with table 三 row 新收 column 总计. The sentence
pattern is a parameter of tables.yml (`narrative_application_pattern`, with a named group
`n` around the number); the first matching sentence in body order is taken. Chinese numerals
("五件") are converted with cn2an.
"""
from __future__ import annotations

import re

import pandas as pd


def _number(text: str) -> float | None:
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    import cn2an  # a third of a second to import: only when a count is written in Chinese numerals

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def narrative_counts(figures: pd.DataFrame, pattern: str) -> pd.Series:
    """Stated number of new applications per document url (absent when none is stated)."""
    if figures.empty:
        return pd.Series(dtype="Float64")
    regex = re.compile(pattern)
    sentences = figures[["url", "figure_id", "sentence"]].dropna(subset=["sentence"])
    sentences = sentences.sort_values(["url", "figure_id"]).drop_duplicates(["url", "sentence"])
    counts: dict[str, float] = {}
    for url, sentence in zip(sentences["url"], sentences["sentence"]):
        if url in counts:
            continue
        match = regex.search(sentence)
        if match:
            value = _number(match.group("n"))
            if value is not None:
                counts[url] = value
    return pd.Series(counts, dtype="Float64")
