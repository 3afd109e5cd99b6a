"""Strict loading of the rule files in `expectations/`.

A rule file is a Great Expectations suite written in YAML (see expectations/README.md). Hand-
edited suites fail silently in GX (a misspelt kwarg checks nothing, GX #3494; Soda #2810 is the
same story), so every key is checked here against what exists: expectation types, their
kwargs, meta keys, frame columns (schema plus derived), suite parameters. All problems of all
files are collected and raised together as one RuleFileError, each as
`file:line: rule ID: problem (did you mean …?)`. Nothing is evaluated here.
"""
from __future__ import annotations

import difflib
import re
import string
from pathlib import Path
from typing import Any

from great_expectations.expectations.registry import get_expectation_impl, list_registered_expectation_implementations

from audits.rules import builtin_types
from audits.rules.audit_types import AUDIT_TYPES
from audits.rules.columns import derived_needs, frame_columns
from audits.rules.conditions import ConditionError, condition_columns
from audits.rules.derive import PARAMETERS
from audits.rules.model import Location, Rule, RuleFileError, RulePack, Suite
from govaudit.vocabulary import FINDING_KINDS
from govaudit.columns import SEVERITIES
from govaudit.yamlsource import YamlDoc, YamlError, load_yaml


SUITE_KEYS = ("name", "meta", "expectations")  # what Great Expectations' ExpectationSuite takes
SUITE_META_KEYS = ("frame", "description", "parameters")  # govaudit's, under the suite's meta
EXPECTATION_KEYS = ("type", "kwargs", "meta")
META_REQUIRED = ("id", "severity", "title", "message", "basis", "fix")
META_KEYS = (*META_REQUIRED, "kind")
# Read by the normaliser (section kinds, wording lists), the scorecard and the waivers, not suites.
NOT_SUITES = {"section_kinds.yml", "wording.yml", "scoring.yml", "waivers.yml"}
_PAIR_TYPES = {"expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_equal",
               "expect_column_pair_values_to_be_in_set"}


def normalize_severity(value: Any) -> str | None:
    """The one place that decides what a severity is (Soda's lesson: decide it twice, get two answers)."""
    text = str(value).strip().lower() if value is not None else ""
    return text if text in SEVERITIES else None


def suggest(word: object, options: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in [*directory.glob("*.yml"), *directory.glob("*.yaml")] if p.name not in NOT_SUITES)


def load_rules(directory: str | Path) -> RulePack:
    """Read and check every rule file of `directory`; raise RuleFileError listing every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleFileError([f"{directory}: rules directory not found (set --rules or GOVAUDIT_RULES)"])
    problems: list[str] = []
    suites: list[Suite] = []
    parameters: dict[str, Any] = {}
    parameter_at: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    files = rule_files(directory)
    if not files:
        raise RuleFileError([f"{directory}: no rule files (*.yml) found"])
    docs = []
    for path in files:
        try:
            docs.append(load_yaml(path))
        except YamlError as exc:
            problems.append(f"{_shown(path)}:{exc.line or 1}: {exc.message}")
    for doc in docs:  # parameters first: a rule in one file may read a parameter set in another
        _collect_parameters(doc, parameters, parameter_at, problems)
    section_kinds = load_kinds(directory, problems)
    for doc in docs:
        suite = _suite(doc, parameters, seen_ids, problems, kind_names(section_kinds))
        if suite:
            suites.append(suite)
    wording = load_wording_lists(directory, problems)
    if problems:
        raise RuleFileError(problems)
    return RulePack(directory=directory, suites=suites, parameters=parameters, section_kinds=section_kinds,
                    wording=wording)


def _collect_parameters(doc: YamlDoc, parameters: dict, parameter_at: dict, problems: list[str]) -> None:
    file = _shown(Path(doc.file))
    block = suite_meta(doc.data).get("parameters")
    if block is None:
        return
    if not isinstance(block, dict):
        problems.append(f"{file}:{doc.line('meta', 'parameters')}: parameters must be a mapping of name: value")
        return
    for name, value in block.items():
        where = f"{file}:{doc.line('meta', 'parameters', name)}"
        if name not in PARAMETERS:
            problems.append(f"{where}: unknown parameter {name!r}{suggest(name, PARAMETERS)}; "
                            f"known parameters: {', '.join(sorted(PARAMETERS))}")
        elif name in parameter_at:
            problems.append(f"{where}: parameter {name!r} is already set at {parameter_at[name]}; set it once")
        elif problem := PARAMETERS[name](value):
            problems.append(f"{where}: parameter {name!r} {problem}")
        else:
            parameters[name], parameter_at[name] = value, where


def suite_meta(data: Any) -> dict[str, Any]:
    meta = data.get("meta") if isinstance(data, dict) else None
    return meta if isinstance(meta, dict) else {}


def _beside_rules(directory: Path, file_name: str, load: Any, error: type[Exception], problems: list[str]) -> Any:
    """A keyword file beside the rules, else the shipped one; its mistakes are rule-file errors."""
    from audits.defaults import DEFAULT_RULES_DIR

    own = directory / file_name
    try:
        return load(own if own.exists() else DEFAULT_RULES_DIR / file_name)
    except error as exc:
        problems.append(str(exc))
        return None


def load_kinds(directory: Path, problems: list[str]) -> Any:
    """The section keyword sets (section_kinds.yml)."""
    from audits.normalize.section_kinds import FILE_NAME, SectionKindsError, load_section_kinds

    return _beside_rules(directory, FILE_NAME, load_section_kinds, SectionKindsError, problems)


def load_wording_lists(directory: Path, problems: list[str]) -> Any:
    """The lists of exactly written names and terms (wording.yml)."""
    from audits.normalize.wording import FILE_NAME, WordingError, load_wording

    return _beside_rules(directory, FILE_NAME, load_wording, WordingError, problems)


def kind_names(kinds: Any) -> set[str] | None:
    return {kind.name for family in kinds.families.values() for kind in family.kinds} if kinds else None


def _suite(doc: YamlDoc, parameters: dict, seen_ids: dict, problems: list[str],
           kinds: set[str] | None = None) -> Suite | None:
    file = _shown(Path(doc.file))
    data = doc.data
    if not isinstance(data, dict):
        problems.append(f"{file}:1: a rule file must be a mapping with keys {', '.join(SUITE_KEYS)}")
        return None
    for key in data:
        if key in SUITE_META_KEYS:
            problems.append(f"{file}:{doc.line(key)}: {key!r} belongs under the suite's meta: (a rule file is a "
                            f"Great Expectations suite: name, meta, expectations)")
        elif key not in SUITE_KEYS:
            problems.append(f"{file}:{doc.line(key)}: unknown key {key!r}{suggest(key, SUITE_KEYS)}")
    for key in ("name", "expectations"):
        if key not in data:
            problems.append(f"{file}:1: missing key {key!r}")
    meta = suite_meta(data)
    if "meta" in data and not isinstance(data["meta"], dict):
        problems.append(f"{file}:{doc.line('meta')}: meta must be a mapping with {', '.join(SUITE_META_KEYS)}")
    for key in meta:
        if key not in SUITE_META_KEYS:
            problems.append(f"{file}:{doc.line('meta', key)}: unknown suite meta key {key!r}"
                            f"{suggest(key, SUITE_META_KEYS)}")
    columns = frame_columns()
    frame = meta.get("frame")
    if frame is None:
        problems.append(f"{file}:{doc.line('meta') or 1}: missing meta.frame (the frame this suite checks: "
                        f"{', '.join(sorted(columns))})")
    elif frame not in columns:
        problems.append(f"{file}:{doc.line('meta', 'frame')}: unknown frame {frame!r}{suggest(frame, columns)}; "
                        f"frames: {', '.join(sorted(columns))}")
        return None
    expectations = data.get("expectations") or []
    if not isinstance(expectations, list):
        problems.append(f"{file}:{doc.line('expectations')}: expectations must be a list")
        return None
    suite = Suite(name=str(data.get("name", Path(doc.file).stem)), frame=str(frame),
                  description=str(meta.get("description", "")), parameters=dict(meta.get("parameters") or {}),
                  rules=[], location=Location(file, doc.line() or 1))
    if frame is None:
        return None
    for i, item in enumerate(expectations):
        rule = _rule(doc, i, item, suite, columns[frame], parameters, seen_ids, problems, kinds)
        if rule:
            suite.rules.append(rule)
    return suite


def _rule(doc: YamlDoc, i: int, item: Any, suite: Suite, columns: set[str], parameters: dict,
          seen_ids: dict, problems: list[str], kinds: set[str] | None = None) -> Rule | None:
    file = suite.location.file  # shown once per file by _suite
    at = ("expectations", i)
    if not isinstance(item, dict):
        problems.append(f"{file}:{doc.line(*at)}: expectation {i + 1} must be a mapping with type, kwargs, meta")
        return None
    meta: dict[str, Any] = item["meta"] if isinstance(item.get("meta"), dict) else {}
    rule_id = str(meta.get("id") or f"#{i + 1}")
    before = len(problems)

    def problem(path: tuple, text: str) -> None:
        problems.append(f"{file}:{doc.line(*at, *path)}: rule {rule_id}: {text}")

    for key in item:
        if key not in EXPECTATION_KEYS:
            problem((key,), f"unknown key {key!r}{suggest(key, EXPECTATION_KEYS)}")
    if not isinstance(item.get("meta"), dict):
        problem(("meta",), "missing meta block (id, severity, title, message, basis, fix)")
    for key in meta:
        if key not in META_KEYS:
            problem(("meta", key), f"unknown meta key {key!r}{suggest(key, META_KEYS)}")
    for key in META_REQUIRED:
        if isinstance(item.get("meta"), dict) and not str(meta.get(key) or "").strip():
            problem(("meta",), f"missing meta field {key!r}")
    if "id" in meta and rule_id in seen_ids:
        problem(("meta", "id"), f"duplicate rule id {rule_id}: already defined at {seen_ids[rule_id]}")
    elif "id" in meta:
        seen_ids[rule_id] = f"{file}:{doc.line(*at, 'meta', 'id')}"
    severity = normalize_severity(meta.get("severity"))
    if "severity" in meta and severity is None:
        problem(("meta", "severity"), f"bad severity {meta['severity']!r}: use one of {', '.join(SEVERITIES)}"
                f"{suggest(str(meta['severity']).lower(), SEVERITIES)}")
    kind = str(meta.get("kind", "failure"))
    if kind not in FINDING_KINDS:
        problem(("meta", "kind"), f"bad kind {kind!r}: use one of {', '.join(FINDING_KINDS)}")

    type_ = item.get("type")
    kwargs = item.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        problem(("kwargs",), "kwargs must be a mapping")
        return None
    impl = _implementation(type_)
    if impl is None or not isinstance(type_, str):
        known = [*AUDIT_TYPES, *list_registered_expectation_implementations()]
        problem(("type",), f"unknown expectation type {type_!r}{suggest(type_, known)}")
        return None
    audit = impl if type_ in AUDIT_TYPES else None
    allowed = ({*audit.audit_kwargs, "row_condition"} if audit
               else set(impl.__fields__) - builtin_types.RESERVED_KWARGS)
    for key in kwargs:
        if key not in allowed:
            problem(("kwargs", key), f"unknown kwarg {key!r}{suggest(key, allowed)}")
    resolved = dict(kwargs)
    if audit:
        for key in audit.audit_kwargs:
            field = audit.__fields__[key]
            if key not in resolved:
                if field.required:
                    problem(("kwargs",), f"missing kwarg {key!r}")
                else:
                    resolved[key] = field.default
        if kinds is not None and "kind" in audit.audit_kwargs and resolved.get("kind") not in kinds:
            problem(("kwargs", "kind"), f"unknown section kind {resolved.get('kind')!r}"
                                        f"{suggest(resolved.get('kind'), kinds)}; "
                                        "kinds are defined in section_kinds.yml")
        if len(problems) == before:
            for text in audit.problems(resolved) if hasattr(audit, "problems") else []:
                key = text.split()[0].split(".")[0]
                problem(("kwargs", key) if key in kwargs else ("kwargs",), text)
    if type_ in _PAIR_TYPES and kwargs.get("ignore_row_if") != "either_value_is_missing":
        problem(("kwargs",), "pair rules must say `ignore_row_if: either_value_is_missing`: a row with a missing "
                             "value is reported as could not check, and Great Expectations would otherwise fail it")
    for key in ("regex", "regex_list"):  # GX would only fail on them at audit time, after every other rule
        if key not in kwargs:
            continue
        for index, pattern in enumerate(kwargs[key] if isinstance(kwargs[key], list) else [kwargs[key]]):
            try:
                re.compile(str(pattern))
            except re.error as exc:
                where = ("kwargs", key, index) if key == "regex_list" else ("kwargs", key)
                problem(where, f"{key} {pattern!r} is not a valid regular expression: {exc}")
    if len(problems) > before:
        return None

    inputs = audit.input_columns(resolved) if audit else builtin_types.input_columns(type_, resolved)
    named: dict[str, tuple] = {}  # column -> where in the file it is named
    for key in ("column", "column_A", "column_B", "column_list", *(audit.audit_kwargs if audit else ())):
        if key in kwargs:
            for column in _strings(kwargs[key]):
                if not audit or column in inputs:  # an audit kwarg such as kind: is not a column
                    named.setdefault(column, ("kwargs", key))
    for column in inputs:
        named.setdefault(column, ("kwargs",))
    condition = resolved.get("row_condition")
    if condition is not None:
        try:
            for column in sorted(condition_columns(str(condition))):
                named.setdefault(column, ("kwargs", "row_condition"))
        except ConditionError as exc:
            problem(("kwargs", "row_condition"), str(exc))
    for field_name in _template_fields(str(meta.get("message", "")), problem):
        if field_name not in ("observed", "expected"):
            named.setdefault(field_name, ("meta", "message"))
    for column, where in named.items():
        if column not in columns:
            problem(where, f"unknown column {column!r} in frame {suite.frame}{suggest(column, columns)}")
        elif column in columns:
            for needed in derived_needs(suite.frame, column):
                if needed not in parameters:
                    problem(where, f"column {column!r} needs suite parameter {needed!r}; "
                                   f"set it under parameters: in one of the rule files")
    if len(problems) > before:
        return None

    gx_kwargs = dict(resolved)
    if condition is not None:
        gx_kwargs["condition_parser"] = "pandas"
    if audit:
        gx_kwargs["column_list"] = list(dict.fromkeys(inputs))
    try:
        expectation = impl(**gx_kwargs, meta={"rule_id": rule_id})
    except Exception as exc:  # pydantic says which kwarg has which wrong type
        errors = exc.errors() if hasattr(exc, "errors") else []
        key = str(errors[0]["loc"][0]) if errors and errors[0].get("loc") else ""
        detail = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in errors) \
            or " ".join(str(exc).split())
        problem(("kwargs", key) if key in kwargs else ("kwargs",), f"invalid kwargs: {detail}")
        return None
    return Rule(
        id=rule_id, severity=severity or "warning", title=str(meta["title"]), message=str(meta["message"]),
        basis=str(meta["basis"]), fix=str(meta["fix"]), kind=kind, type=str(type_), kwargs=resolved,
        gx_kwargs=gx_kwargs, columns=tuple(inputs), suite=suite.name, frame=suite.frame,
        location=Location(file, doc.line(*at) or 1), expectation=expectation, referenced=tuple(named),
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _implementation(type_: Any) -> Any:
    if not isinstance(type_, str):
        return None
    if type_ in AUDIT_TYPES:
        return AUDIT_TYPES[type_]
    try:
        return get_expectation_impl(type_)
    except Exception:
        return None


def _template_fields(message: str, problem: Any) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(message) if name]
    except ValueError as exc:
        problem(("meta", "message"), f"message template is not valid: {exc} (write literal braces as {{{{ }}}})")
        return []
