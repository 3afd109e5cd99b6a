"""The deadlines in one place: the regulation table, the rule files and the demo generator agree.

The demo generator does not read expectations/ (it would confirm a wrong setting with its own
copy); it writes each deadline from the regulation (demoportal/regulation.py) and the rule files
write theirs (expectations/deadlines.yml). Both cite the article. This is the one test that holds
both against the regulation table below, which quotes section H ("Suggested default parameters")
and section A of ../shared/research/regulations.md, row for row.
"""
from __future__ import annotations

import inspect

import demoportal.regulation as generator
from audits.rules.loader import load_rules
from tests.corpus import REPO, shared_file

# name → (value, article, the line of regulations.md it is read from)
REGULATION = {
    "fazhi_last_day": ("03-31", "第二十四条",
                       "| 法治年报 publication deadline | before (Y+1)-04-01, last valid day 03-31 | 规定 第二十四条 [V] |"),
    "fazhi_earliest_day": ("12-31", "第二十五条",
                           "- `FZ-DATE-2` (warn): `发布日期 < report_year-12-31`. The report was published before "
                           "the year it covers had ended."),
    "xxgk_department": ("01-31", "第四十九条",
                        "| 信息公开年报 deadline for departments | (Y+1)-01-31 | 条例 第四十九条 [V] |"),
    "xxgk_county_gov": ("03-31", "第四十九条",
                        "| 信息公开年报 deadline for 县级以上 governments | (Y+1)-03-31 | 条例 第四十九条 [V] |"),
    "xxgk_local_warn": ("01-31", "第四十九条",
                        "| 信息公开年报 deadline for 乡镇/街道 | warn after 01-31, fail after 03-31 | local practice [P] |"),
    "xxgk_local_fail": ("03-31", "第四十九条",
                        "| 信息公开年报 deadline for 乡镇/街道 | warn after 01-31, fail after 03-31 | local practice [P] |"),
    "routine_max_workdays": (20, "第二十六条",
                             "| Routine publication lag | ≤ 20 working days after 成文 | 条例 第二十六条 [V] |"),
}


def _month_day(pair: tuple[int, int]) -> str:
    return f"{pair[0]:02d}-{pair[1]:02d}"


def _from_rule_files() -> dict[str, tuple[object, str]]:
    """name → (value, basis) as expectations/deadlines.yml states them."""
    rules = {r.id: r for r in load_rules(REPO / "expectations").rules}
    fz1, fz2, xx1, xx2, lag = (rules[i] for i in ("FZ-DATE-1", "FZ-DATE-2", "XX-DATE-1", "XX-DATE-2", "ROUTINE-LAG-1"))
    by_level = xx1.kwargs["deadline_by_level"]
    assert by_level["township"] == by_level["subdistrict"]
    return {
        "fazhi_last_day": (fz1.kwargs["deadline"], fz1.basis),
        "fazhi_earliest_day": (fz2.kwargs["earliest"], fz2.basis),
        "xxgk_department": (by_level["department"], xx1.basis),
        "xxgk_county_gov": (by_level["county_gov"], xx1.basis),
        "xxgk_local_warn": (xx2.kwargs["deadline"], xx2.basis),
        "xxgk_local_fail": (xx2.kwargs["only_until"] if xx2.kwargs["only_until"] == by_level["township"] else None,
                            xx1.basis),
        "routine_max_workdays": (lag.kwargs["max_value"], lag.basis),
    }


def _from_generator() -> dict[str, object]:
    return {
        "fazhi_last_day": _month_day(generator.FAZHI_LAST_DAY),
        "fazhi_earliest_day": _month_day(generator.FAZHI_EARLIEST_DAY),
        "xxgk_department": _month_day(generator.XXGK_LAST_DAY["department"]),
        "xxgk_county_gov": _month_day(generator.XXGK_LAST_DAY["county_gov"]),
        "xxgk_local_warn": _month_day(generator.XXGK_LOCAL_WARN_DAY),
        "xxgk_local_fail": _month_day(generator.XXGK_LAST_DAY["township"])
        if generator.XXGK_LAST_DAY["township"] == generator.XXGK_LAST_DAY["subdistrict"] else None,
        "routine_max_workdays": generator.ROUTINE_MAX_WORKDAYS,
    }


def test_rule_files_and_demo_generator_state_the_regulations_deadlines():
    rules, demo = _from_rule_files(), _from_generator()
    generator_source = inspect.getsource(generator)
    for name, (value, article, _) in REGULATION.items():
        rule_value, basis = rules[name]
        assert rule_value == value, f"expectations/deadlines.yml: {name} is {rule_value!r}, the regulation says {value!r}"
        assert demo[name] == value, f"demoportal/regulation.py: {name} is {demo[name]!r}, the regulation says {value!r}"
        assert article in basis, f"rule basis of {name} does not cite {article}: {basis}"
        assert article in generator_source, f"demoportal/regulation.py does not cite {article}"


def test_the_regulation_table_quotes_the_research_notes():
    notes = shared_file("research/regulations.md").read_text(encoding="utf-8")
    for name, (_, _, line) in REGULATION.items():
        assert line in notes, f"{name}: {line!r} is not (or no longer) in regulations.md"
