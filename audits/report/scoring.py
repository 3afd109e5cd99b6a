"""The scoring file (`expectations/scoring.yml`): which rates make a unit's score, and their weights.

Raw counts do not rank: on a real portal a handful of critical findings floor every unit at 0.
Rates do: the share of a unit's documents without a critical finding, of its annual reports
published on time and with their required sections, of its pages with complete metadata. The
file says which failures fail which rate and how much each rate weighs, so a supervisor can
read (and a rule tuner change) the formula without touching code. It is read strictly, like
the rule files: every mistake is reported as `file:line: problem`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govaudit.columns import SEVERITIES
from govaudit.yamlsource import YamlDoc, YamlError, dotted, load_yaml

FILE_NAME = "scoring.yml"
SHIPPED = Path(__file__).resolve().parents[2] / "expectations" / FILE_NAME
DOCUMENT_SETS = ("all", "annual_reports")
FAIL_KEYS = ("severity", "rules", "suites")
TOP_KEYS = ("annual_report_types", "rates")
RATE_KEYS = ("id", "title", "documents", "fails_on", "weight")
OPTIONAL_RATE_KEYS = ("title_en",)


class ScoringFileError(ValueError):
    """Problems in the scoring file, each `file:line: problem`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rate:
    id: str
    title: str
    documents: str  # all | annual_reports
    weight: float
    severities: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()
    title_en: str = ""

    def shown_title(self, lang: str) -> str:
        return self.title_en or self.title if lang == "en" else self.title


@dataclass(frozen=True)
class Scoring:
    rates: tuple[Rate, ...]
    annual_report_types: tuple[str, ...]
    path: str = ""
    problems: list[str] = field(default_factory=list, compare=False)

    def formula(self, lang: str = "zh") -> str:
        """The formula as the report prints it (weights as written, titles in the report's language)."""
        terms = " + ".join(f"{_number(r.weight)}×{r.shown_title(lang)}" for r in self.rates)
        return f"({terms}) ÷ {_number(sum(r.weight for r in self.rates))} × 100"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def scoring_path(rules_dir: str | Path | None) -> Path:
    """The scoring file beside the rules a run used, else the shipped one."""
    if rules_dir:
        own = Path(rules_dir) / FILE_NAME
        if own.exists():
            return own
    return SHIPPED


def load_scoring(path: str | Path = SHIPPED) -> Scoring:
    doc = load_yaml(path)
    problems: list[str] = []

    def problem(where: tuple[Any, ...], message: str) -> None:
        problems.append(str(doc.error(where, f"{dotted(where) or 'file'}: {message}")))

    data = doc.data
    if not isinstance(data, dict):
        raise ScoringFileError([str(YamlError(doc.file, doc.line(), "expected a mapping with 'rates'"))])
    for key in data:
        if key not in TOP_KEYS:
            problem((key,), f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    types = data.get("annual_report_types", ["fazhi_annual", "xxgk_annual"])
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        problem(("annual_report_types",), "must be a list of report types")
        types = []
    parsed = [_rate(doc, i, item, problem) for i, item in enumerate(_list(doc, data.get("rates"), problem))]
    rates = [r for r in parsed if r is not None]
    ids = [r.id for r in rates]
    for i, rate_id in enumerate(ids):
        if ids.index(rate_id) != i:
            problem(("rates", i, "id"), f"rate id {rate_id!r} appears twice")
    if rates and sum(r.weight for r in rates) <= 0:
        problem(("rates",), "the weights add up to 0; give at least one rate a positive weight")
    if problems:
        raise ScoringFileError(problems)
    return Scoring(tuple(rates), tuple(types), str(path))


def _list(doc: YamlDoc, value: Any, problem: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        problem(("rates",), "must be a non-empty list of rates")
        return []
    return value


def _rate(doc: YamlDoc, i: int, item: Any, problem: Any) -> Rate | None:
    where = ("rates", i)
    if not isinstance(item, dict):
        problem(where, "each rate is a mapping with " + ", ".join(RATE_KEYS))
        return None
    ok = True
    for key in item:
        if key not in RATE_KEYS + OPTIONAL_RATE_KEYS:
            problem(where + (key,), f"unknown key; allowed: {', '.join(RATE_KEYS + OPTIONAL_RATE_KEYS)}")
            ok = False
    for key in RATE_KEYS:
        if key not in item:
            problem(where, f"missing {key!r}")
            ok = False
    if not ok:
        return None
    weight = item["weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        problem(where + ("weight",), f"{weight!r} is not a number ≥ 0")
        ok = False
    if item["documents"] not in DOCUMENT_SETS:
        problem(where + ("documents",), f"{item['documents']!r} is not one of {', '.join(DOCUMENT_SETS)}")
        ok = False
    fails = item["fails_on"]
    if not isinstance(fails, dict) or not fails:
        problem(where + ("fails_on",), f"must map one of {', '.join(FAIL_KEYS)} to a list")
        return None
    for key, values in fails.items():
        if key not in FAIL_KEYS:
            problem(where + ("fails_on", key), f"unknown key; allowed: {', '.join(FAIL_KEYS)}")
            ok = False
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problem(where + ("fails_on", key), "must be a list of names")
            ok = False
    for severity in fails.get("severity", []) if isinstance(fails.get("severity"), list) else []:
        if severity not in SEVERITIES:
            problem(where + ("fails_on", "severity"), f"{severity!r} is not one of {', '.join(SEVERITIES)}")
            ok = False
    if not ok:
        return None
    return Rate(str(item["id"]), str(item["title"]), item["documents"], float(weight),
                tuple(fails.get("severity", ())), tuple(fails.get("rules", ())), tuple(fails.get("suites", ())),
                str(item.get("title_en") or ""))
