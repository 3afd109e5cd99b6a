"""Reads the findings back out of a rendered report.

Every finding row of the report carries its identity as data- attributes, so a check that the
report says what the audit found (e.g. the demo portal against its ground-truth manifest) can
compare rows, not scrape prose.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.html


@dataclass(frozen=True)
class ReportedFinding:
    rule_id: str
    url: str
    severity: str
    unit: str
    kind: str  # failure | could_not_check
    finding_key: str
    section: str  # critical | warning | info (its severity section) or could_not_check


def reported_findings(report: str | Path) -> list[ReportedFinding]:
    """Every `tr.finding` of a report (HTML text or a path), in page order."""
    text = Path(report).read_text(encoding="utf-8") if isinstance(report, Path) else report
    tree = lxml.html.fromstring(text)
    rows = []
    for tr in tree.xpath('//tr[contains(concat(" ", normalize-space(@class), " "), " finding ")]'):
        section = tr.xpath('ancestor::section[@data-severity][1]/@data-severity')
        in_unchecked = bool(tr.xpath('ancestor::section[@id="unchecked"]'))
        rows.append(ReportedFinding(
            rule_id=tr.get("data-rule-id", ""), url=tr.get("data-url", ""),
            severity=tr.get("data-severity", ""), unit=tr.get("data-unit", ""),
            kind=tr.get("data-kind", ""), finding_key=tr.get("data-finding-key", ""),
            section="could_not_check" if in_unchecked else (section[0] if section else ""),
        ))
    return rows
