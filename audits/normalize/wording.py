"""Serious wording errors (严重表述错误) and common typos, from the editable `wording.yml`.

The 普查 gives a misspelt state or party leader's name as its example of a single-veto error,
so a hit here is forwarded without re-reading: matching is exact, never fuzzy. Only the
*wrong* forms listed in the file are looked for, so a correct name is never flagged; the same
characters inside a longer, legitimate word (学习近乎完美 holds 习近乎) are protected by the
entry's `not_in` words and by every correct form of the file, which are matched too and win
where they start earlier or are longer. All forms are escaped literals in one alternation,
longest first: one left-to-right pass over hostile page text, no backtracking blow-up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from audits.defaults import DEFAULT_RULES_DIR, rules_dir
from govaudit.yamlsource import YamlDoc, YamlError, dotted, load_yaml

FILE_NAME = "wording.yml"
LISTS = {"serious": "serious_wording", "typos": "wording_typos"}  # list name -> documents column
ENTRY_KEYS = {"correct", "wrong", "not_in"}


class WordingError(ValueError):
    """A mistake in the wording lists, with file and line in the message."""


@dataclass(frozen=True)
class Wording:
    pattern: re.Pattern[str] | None
    wrong: dict[str, tuple[str, str]]  # wrong form -> (list name, correct form); other matches are guards

    def scan(self, title: str | None, body: str | None) -> dict[str, str | None]:
        """Per documents column, '写法→正确写法（标题/正文）' joined by '; ' ('' none, <NA> no text)."""
        if not (title or body):
            return {column: None for column in LISTS.values()}
        found: dict[str, list[str]] = {column: [] for column in LISTS.values()}
        for where, text in (("标题", title), ("正文", body)):
            if not text or self.pattern is None:
                continue
            for match in self.pattern.finditer(text):
                hit = self.wrong.get(match.group())
                if hit:
                    entry = f"{match.group()}→{hit[1]}（{where}）"
                    column = LISTS[hit[0]]
                    if entry not in found[column]:
                        found[column].append(entry)
        return {column: "; ".join(entries) for column, entries in found.items()}


def default_path() -> Path:
    own = rules_dir() / FILE_NAME
    return own if own.exists() else DEFAULT_RULES_DIR / FILE_NAME


@lru_cache(maxsize=8)
def load_wording(path: str | Path | None = None) -> Wording:
    path = Path(path or default_path())
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        raise WordingError(str(exc)) from None
    return parse_wording(doc)


def parse_wording(doc: YamlDoc) -> Wording:
    data = doc.data
    if not isinstance(data, dict):
        raise _err(doc, (), f"expected a mapping with the lists {', '.join(LISTS)}")
    wrong: dict[str, tuple[str, str]] = {}
    guards: set[str] = set()
    for key, entries in data.items():
        if key not in LISTS:
            raise _err(doc, (key,), f"unknown list {key!r}; the lists are {', '.join(LISTS)}")
        if not isinstance(entries, list):
            raise _err(doc, (key,), f"{key}: expected a list of {{correct, wrong, not_in}}")
        for i, entry in enumerate(entries):
            _entry(doc, (key, i), key, entry, wrong, guards)
    corrects = {correct for _, correct in wrong.values()}
    # A correct form that holds a wrong one protects it (and so does every not_in word).
    guards |= {c for c in corrects if any(w in c for w in wrong)}
    forms = sorted(set(wrong) | guards, key=lambda f: (-len(f), f))
    pattern = re.compile("|".join(re.escape(f) for f in forms)) if forms else None
    return Wording(pattern, wrong)


def _entry(doc: YamlDoc, at: tuple, list_name: str, entry: Any, wrong: dict, guards: set) -> None:
    if not isinstance(entry, dict):
        raise _err(doc, at, f"{dotted(at)}: expected a mapping with correct, wrong and optionally not_in")
    for key in entry:
        if key not in ENTRY_KEYS:
            raise _err(doc, at + (key,), f"{dotted(at)}: unknown key {key!r}; allowed: {', '.join(sorted(ENTRY_KEYS))}")
    correct = entry.get("correct")
    if not isinstance(correct, str) or not correct.strip():
        raise _err(doc, at, f"{dotted(at)}: 'correct' must be the text as it must be written")
    forms = _texts(doc, at + ("wrong",), entry.get("wrong"), required=True)
    for j, form in enumerate(forms):
        where = at + ("wrong", j)
        if form == correct:
            raise _err(doc, where, f"{dotted(where)}: {form!r} is the correct form itself")
        if form in wrong:
            raise _err(doc, where,
                       f"{dotted(where)}: {form!r} is already listed (as a miswriting of {wrong[form][1]!r})")
        wrong[form] = (list_name, correct.strip())
    for j, word in enumerate(_texts(doc, at + ("not_in",), entry.get("not_in"), required=False)):
        if not any(form in word for form in forms):
            raise _err(doc, at + ("not_in", j), f"{dotted(at + ('not_in', j))}: {word!r} contains none of the "
                                                f"wrong forms {', '.join(forms)}, so it protects nothing")
        guards.add(word)


def _texts(doc: YamlDoc, at: tuple, value: Any, required: bool) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(doc, at, f"{dotted(at)}: expected a non-empty list of texts")
    return [v.strip() for v in value]


def _err(doc: YamlDoc, at: tuple, message: str) -> WordingError:
    return WordingError(f"{doc.file}:{doc.line(*at) or 1}: {message}")
