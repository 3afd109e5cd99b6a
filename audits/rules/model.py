"""What a loaded rule pack is made of.

Loading (`loader.py`) and evaluation (`runner.py`) are kept apart, the way Soda Core keeps a
check's YAML half apart from its evaluation half: everything here is plain data that knows
where in which file it came from, so any later complaint can point at `file:line`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any




@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class RuleFileError(Exception):
    """One or more problems in the rule files; each problem names file, line and rule."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Rule:
    id: str
    severity: str
    title: str
    message: str
    basis: str
    fix: str
    kind: str  # failure | could_not_check: what a failing row becomes
    type: str  # expectation type as written in the file
    kwargs: dict[str, Any]  # as written in the file (what a tuner sees)
    gx_kwargs: dict[str, Any]  # what Great Expectations receives
    columns: tuple[str, ...]  # input columns: a null here means "could not check"
    suite: str
    frame: str
    location: Location
    expectation: Any = None  # the Great Expectations expectation object
    referenced: tuple[str, ...] = ()  # every column the rule names (inputs, row_condition, message)

    @property
    def row_condition(self) -> str | None:
        return self.kwargs.get("row_condition")


@dataclass
class Suite:
    name: str
    frame: str
    description: str
    parameters: dict[str, Any]
    rules: list[Rule]
    location: Location


@dataclass
class RulePack:
    directory: Path
    suites: list[Suite]
    parameters: dict[str, Any] = field(default_factory=dict)  # merged over all files
    # The section keyword sets beside the rules (section_kinds.yml), loaded once with the rules:
    # the normaliser classifies headings with them and the loader checks `kind:` against them.
    section_kinds: Any = None
    # The wording lists beside the rules (wording.yml): what the normaliser scans page text for.
    wording: Any = None

    @property
    def rules(self) -> list[Rule]:
        return [rule for suite in self.suites for rule in suite.rules]
