"""Defects and clean pages placed exactly at the thresholds of the rules.

The ordinary injections (`defects`) sit well past a limit, so they are found even by an auditor
whose calendar or comparison is slightly wrong. These pairs sit on both sides of each limit:

- routine items published exactly 20 and 21 working days after they were issued, once across a
  调休 weekend (a Saturday that is a working day) and once across the Spring Festival week, so a
  plain Monday–Friday count misses the 21 or flags the 20;
- annual reports published on the last allowed day and on the day after, for every unit level
  (法治 03-31 / 04-01; 信息公开 01-31 / 02-01 for departments and 03-31 / 04-01 for the rest; the
  townships' 01-31 warning; the 法治 report's earliest day, 12-31 of its own year);
- a rate of exactly 100.0 % and one of 100.1 %.

The clean side carries no defect and is reserved (no other defect lands on it), so an off-by-one
auditor reports a finding the manifest does not list. Each placed document records its side in
`flags["threshold"]`, which the manifest shows. Limits come from `demoportal.regulation`.
Draws come from Random(f"{seed}:thresholds") after the ordinary injections, so those stay as
they were. A portal too small to hold a candidate leaves that pair out.
"""
from __future__ import annotations

from datetime import date, datetime
from random import Random

from . import regulation as reg
from .model import Defect, Document
from .workdays import add_workdays, is_workday, workdays_between

# Issued on these days, a routine item's 20th and 21st working days fall after the named break
# (checked below against the calendar, so a calendar change cannot silently void the pair).
ROUTINE_WINDOWS = (
    ("调休 weekend", date(2024, 10, 8)),  # Saturday 2024-10-12 is a working day after 国庆
    ("Spring Festival", date(2024, 1, 22)),  # 2024-02-10..17 off; Sundays 02-04 and 02-18 worked
)
PERCENTS = (("100.0", False), ("100.1", True))


def _clean(doc: Document) -> bool:
    return not doc.defects and not doc.reserved and doc.http_status == 200 and not doc.flags.get("threshold")


def _take(r: Random, docs: list[Document]) -> Document | None:
    pool = [d for d in docs if _clean(d)]
    return r.choice(pool) if pool else None


def _mark(doc: Document, rule_id: str, side: str, detail: str, defect: bool) -> None:
    """side: "at" (the last day that passes), "beyond" (the first that fails)."""
    doc.reserved = True
    doc.flags["threshold"] = {"rule_id": rule_id, "side": side, "detail": detail}
    if defect:
        doc.defects.append(Defect(rule_id, detail))


def _publish_on(doc: Document, day: date) -> None:
    doc.issued = day
    doc.published = datetime.combine(day, doc.published.time())


def _report_pairs(r: Random, docs: list[Document]) -> None:
    levels = sorted({d.unit.level for d in docs})
    for level in levels:
        of_level = [d for d in docs if d.unit.level == level]
        fazhi = [d for d in of_level if d.report_type == "fazhi_annual"]
        xxgk = [d for d in of_level if d.report_type == "xxgk_annual"]
        month, day = reg.FAZHI_LAST_DAY
        _date_pair(r, fazhi, "FZ-DATE-1", (month, day), level, None)
        month, day = reg.XXGK_LAST_DAY[level]
        local = level in reg.XXGK_LOCAL_LEVELS
        # A township's report on 03-31 is already past the 01-31 warning day: that is its defect.
        _date_pair(r, xxgk, "XX-DATE-1", (month, day), level, "XX-DATE-2" if local else None)
        if local:
            _date_pair(r, xxgk, "XX-DATE-2", reg.XXGK_LOCAL_WARN_DAY, level, None)
    # The earliest day of a 法治 report: the last day of its own year passes, the day before fails.
    month, day = reg.FAZHI_EARLIEST_DAY
    fazhi = [d for d in docs if d.report_type == "fazhi_annual"]
    for side, shift in (("at", 0), ("beyond", -1)):
        doc = _take(r, fazhi)
        if doc is None or doc.report_year is None:
            continue
        when = date.fromordinal(date(doc.report_year, month, day).toordinal() + shift)
        _publish_on(doc, when)
        _mark(doc, "FZ-DATE-2", side, f"{doc.report_type} for {doc.report_year} published {when.isoformat()}",
              defect=side == "beyond")


def _date_pair(r: Random, pool: list[Document], rule_id: str, last_day: tuple[int, int], level: str,
               at_defect: str | None) -> None:
    for side, shift in (("at", 0), ("beyond", 1)):
        doc = _take(r, pool)
        if doc is None or doc.report_year is None:
            continue
        when = date.fromordinal(date(doc.report_year + 1, *last_day).toordinal() + shift)
        _publish_on(doc, when)
        detail = f"{doc.report_type} for {doc.report_year} by a {level} unit published {when.isoformat()}"
        if side == "at" and at_defect:
            _mark(doc, rule_id, side, detail, defect=False)
            doc.defects.append(Defect(at_defect, detail))
        else:
            _mark(doc, rule_id, side, detail, defect=side == "beyond")


def _routine_pairs(r: Random, docs: list[Document]) -> None:
    # Items without a 文号 or a year in the title: moving their dates changes nothing else they show.
    pool = [d for d in docs if d.report_type == "routine" and not d.doc_no and "20" not in d.title]
    for name, issued in ROUTINE_WINDOWS:
        for lag in (reg.ROUTINE_MAX_WORKDAYS, reg.ROUTINE_MAX_WORKDAYS + 1):
            doc = _take(r, pool)
            if doc is None:
                continue
            published = add_workdays(issued, lag)
            assert workdays_between(issued, published) == lag and is_workday(issued)
            doc.issued = issued
            doc.published = datetime.combine(published, doc.published.time())
            detail = f"published {lag} working days after issued_date {issued.isoformat()} (across the {name})"
            _mark(doc, "ROUTINE-LAG-1", "at" if lag == reg.ROUTINE_MAX_WORKDAYS else "beyond", detail,
                  defect=lag > reg.ROUTINE_MAX_WORKDAYS)


def _percent_pair(r: Random, docs: list[Document]) -> None:
    fazhi = [d for d in docs if d.report_type == "fazhi_annual"]
    for value, over in PERCENTS:
        doc = _take(r, fazhi)
        if doc is None:
            continue
        assert (float(value) > reg.PERCENT_MAX) == over
        doc.flags["percent"] = value
        _mark(doc, "FIG-3", "beyond" if over else "at", f"a rate of {value}%", defect=over)


def place_thresholds(seed: int, docs: list[Document]) -> None:
    r = Random(f"{seed}:thresholds")
    ordered = sorted(docs, key=lambda d: d.key)
    _report_pairs(r, ordered)
    _routine_pairs(r, ordered)
    _percent_pair(r, ordered)
