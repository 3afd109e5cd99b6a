"""Waivers: findings a supervisor has checked and accepted, until a date.

A known exception (a page being rebuilt, a report the unit has explained) should not come back
in every weekly email as if nobody had looked at it, but it must not disappear for good either.
A waiver in `expectations/waivers.yml` names one finding key, who accepted it, why and until
when; the `govaudit findings waive` command writes one, recording the page's content hash. A
waived finding is shown apart in the report and the digest and is not counted in any score. It
comes back by itself when the date has passed, or when the page changed since it was waived
(its content hash differs), because a changed page is a new thing to look at.

The file is read strictly, like the rule files: an unknown key, a date that is not a date, a
missing reason all stop the run with `file:line: problem`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from govaudit.yamlsource import YamlError, dotted, load_yaml

FILE_NAME = "waivers.yml"
REQUIRED = ("key", "until", "reason", "by")
OPTIONAL = ("content_hash", "since")
HEADER = """\
# Findings checked and accepted until a date (see README, "Waivers"). Each entry:
#   key           the finding key (site|document|rule), as in findings.xlsx / findings.csv
#   until         last day the waiver holds (YYYY-MM-DD); the finding comes back after it
#   reason, by    why it is accepted and who accepted it
#   content_hash  the page's hash when waived; if the page changes, the finding comes back
#   since         the day the waiver was written
"""
WAIVED_COLUMNS = ("waived_until", "waived_reason", "waived_by")


class WaiverFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Waiver:
    key: str
    until: date
    reason: str
    by: str
    content_hash: str | None = None
    since: date | None = None
    line: int | None = None


def waivers_path(rules_dir: str | Path | None) -> Path:
    from audits import defaults

    return defaults.rules_dir(rules_dir) / FILE_NAME


def load_waivers(path: str | Path) -> list[Waiver]:
    """The waivers of a file; a missing file means no waivers."""
    path = Path(path)
    if not path.exists():
        return []
    doc = load_yaml(path)
    data = doc.data if doc.data is not None else {"waivers": []}
    if not isinstance(data, dict) or set(data) - {"waivers"}:
        raise WaiverFileError([str(YamlError(doc.file, doc.line(), "expected one key, 'waivers', holding a list"))])
    items = data.get("waivers") or []
    if not isinstance(items, list):
        raise WaiverFileError([str(doc.error(("waivers",), "'waivers' must be a list of entries"))])
    problems: list[str] = []
    waivers: list[Waiver] = []
    for i, item in enumerate(items):
        where = ("waivers", i)

        def problem(path: tuple[Any, ...], message: str) -> None:
            problems.append(str(doc.error(path, f"{dotted(path)}: {message}")))

        if not isinstance(item, dict):
            problem(where, "each waiver is a mapping with " + ", ".join(REQUIRED))
            continue
        bad = False
        for key in item:
            if key not in REQUIRED + OPTIONAL:
                problem(where + (key,), f"unknown key; allowed: {', '.join(REQUIRED + OPTIONAL)}")
                bad = True
        for key in REQUIRED:
            if key not in item or item[key] in (None, ""):
                problem(where, f"missing {key!r}")
                bad = True
        for key in ("until", "since"):
            if key in item and item[key] is not None and not isinstance(item[key], date):
                problem(where + (key,), f"{item[key]!r} is not a date (write YYYY-MM-DD)")
                bad = True
        if item.get("content_hash") is not None and not isinstance(item["content_hash"], str):
            problem(where + ("content_hash",), f"{item['content_hash']!r} is not text; write the hash in quotes")
            bad = True
        if isinstance(item.get("key"), str) and item["key"].count("|") < 2:
            problem(where + ("key",), f"{item['key']!r} is not a finding key (site|document|rule)")
            bad = True
        if bad:
            continue
        waivers.append(Waiver(str(item["key"]), item["until"], str(item["reason"]), str(item["by"]),
                              item.get("content_hash") or None, item.get("since"), doc.line(*where)))
    if problems:
        raise WaiverFileError(problems)
    return waivers


def split_waived(findings: pd.DataFrame, waivers: list[Waiver], on: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(findings still counted, findings waived on day `on` with WAIVED_COLUMNS added).

    A waiver holds while `on` <= until and, when it recorded a content hash, while the finding's
    page still has that hash."""
    active = {w.key: w for w in waivers if on <= w.until}
    if not active or findings.empty:
        return findings, findings.iloc[0:0].assign(**{c: pd.Series(dtype="object") for c in WAIVED_COLUMNS})

    def holds(row: Any) -> bool:
        waiver = active.get(row.finding_key)
        if waiver is None:
            return False
        return waiver.content_hash is None or waiver.content_hash == row.content_hash

    mask = pd.Series([holds(r) for r in findings.itertuples()], index=findings.index, dtype=bool)
    waived = findings[mask].copy()
    waived["waived_until"] = [active[k].until.isoformat() for k in waived["finding_key"]]
    waived["waived_reason"] = [active[k].reason for k in waived["finding_key"]]
    waived["waived_by"] = [active[k].by for k in waived["finding_key"]]
    return findings[~mask], waived


def append_waiver(path: str | Path, waiver: Waiver) -> None:
    """Add (or replace, for the same key) one waiver; the file is rewritten with its standard header."""
    path = Path(path)
    existing = load_waivers(path)  # refuse to write into a file that does not load
    entry = {"key": waiver.key, "until": waiver.until, "reason": waiver.reason, "by": waiver.by}
    if waiver.content_hash:
        entry["content_hash"] = waiver.content_hash
    if waiver.since:
        entry["since"] = waiver.since
    kept = [w for w in existing if w.key != waiver.key]
    entries = [{k: v for k, v in (("key", w.key), ("until", w.until), ("reason", w.reason), ("by", w.by),
                                  ("content_hash", w.content_hash), ("since", w.since)) if v}
               for w in kept] + [entry]
    text = HEADER + yaml.safe_dump({"waivers": entries}, allow_unicode=True, sort_keys=False, width=1000)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
