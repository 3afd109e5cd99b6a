"""Is the 发布机构 a standard full name?  The site config knows the answer better than any regex.

目录编制规则: "发布机构须填写标准全称，不得使用简称".  With the unit's full name from the site config
(`full_name:` of the unit), a 发布机构 that equals it passes; one that abbreviates it (濮院镇,
市司法局, 桐乡市政府: every character found, in order, in the full name) fails; one that names
another body (a reposted 国务院办公厅 or 浙江省民政厅 document) is that body's business and
passes when it reads as the name of an organ.  Without a configured full name, a publisher that
shares nothing with the unit's catalog name is likewise another body; otherwise the pattern of the
rule file decides.
"""
from __future__ import annotations

import re

import pandas as pd

from audits.defaults import RULE_TEXT_CAP

_ORGAN = re.compile(
    r"(?:人民政府|政府|办事处|委员会|办公厅|办公室|管理局|局|院|署|中心|所|(?<!网)站|队|馆|会|处|厅|部|社|室|委|办)$")


def _abbreviates(short: str, full: str) -> bool:
    """Every character of `short`, in order, appears in `full` (濮院镇 ⊂ 桐乡市濮院镇人民政府)."""
    it = iter(full)
    return all(ch in it for ch in short)


_GENERIC = set("省市县区州镇乡街道办事处人民政府局委员会办公室厅部中心")


def _related(name: str, unit: str) -> bool:
    """Shares a distinctive two-character run with the unit's catalog name (濮院 in 濮院镇)."""
    grams = {unit[i:i + 2] for i in range(len(unit) - 1)}
    return any(g in name for g in grams if not set(g) <= _GENERIC)


def judge(publisher: str | None, own: str | None, others: set[str], pattern: re.Pattern[str],
          unit: str | None = None) -> bool | None:
    if publisher is None or not str(publisher).strip():
        return None
    name = re.sub(r"\s+", "", str(publisher))
    if len(name) > RULE_TEXT_CAP:  # no full name is that long; a hostile value never reaches the patterns
        return False
    if own:
        if name == own or name in others:
            return True
        if _abbreviates(name, own):
            return False  # a short form of the unit's own name
        return bool(_ORGAN.search(name))  # another body's document, reposted
    if unit and not _related(name, unit) and not _abbreviates(name, unit) and _ORGAN.search(name):
        return True  # nothing of the unit's name: another body's document, reposted
    return bool(pattern.search(name))


def publisher_columns(docs: pd.DataFrame, full_names: dict[str, str] | None, pattern: str
                      ) -> tuple[pd.Series, pd.Series]:
    """(publisher_ok, publisher_expected) per document."""
    full_names = {k: v for k, v in (full_names or {}).items() if v}
    compiled = re.compile(pattern)
    others = set(full_names.values())
    expected = docs["unit"].map(full_names).astype("string") if len(docs) else pd.Series(dtype="string")
    # A portal's documents repeat a handful of (publisher, full name, unit) triples: each is
    # judged once and the verdicts mapped back by the triple's code.
    if not len(docs):
        return pd.Series(dtype="boolean", index=docs.index), expected
    codes, values = zip(*(pd.factorize(column.astype("string"), use_na_sentinel=False)
                          for column in (docs["publisher"], expected, docs["unit"])))
    triple, _ = pd.factorize((codes[0] * len(values[1]) + codes[1]) * len(values[2]) + codes[2])
    first = pd.Series(range(len(triple))).groupby(triple, sort=True).first().to_numpy()  # a row per triple
    verdicts = [judge(p if isinstance(p, str) else pd.NA, e if isinstance(e, str) else None, others, compiled,
                      u if isinstance(u, str) else None)
                for p, e, u in zip(*(values[k].take(codes[k][first]) for k in range(3)))]
    ok = pd.array(verdicts, dtype="boolean")[triple]
    return pd.Series(ok, index=docs.index, dtype="boolean"), expected
