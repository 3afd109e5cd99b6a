"""Strict loader of `expectations/section_kinds.yml`, the keyword sets of report sections.

The sets are data so that rule tuners can edit them, which makes a typo the likeliest failure:
the file is walked node by node so every error names the file and line, and nothing unknown
is ignored (an ignored `anyy:` would silently turn a kind off).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from typing import Any

from audits.defaults import DEFAULT_RULES_DIR, rules_dir
from govaudit.yamlsource import YamlDoc, YamlError, load_yaml

FAMILY_KEYS = {"fallback_kind", "fallback_until", "kinds"}
KIND_KEYS = {"title", "item", "any", "also", "none", "folded"}


class SectionKindsError(ValueError):
    """A mistake in the section kinds file, with file and line in the message."""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    item: int | None
    any: tuple[re.Pattern[str], ...]
    also: tuple[tuple[re.Pattern[str], ...], ...] = ()
    none: tuple[re.Pattern[str], ...] = ()
    folded: tuple[re.Pattern[str], ...] = ()

    def matches(self, heading: str) -> bool:
        return (
            any(p.search(heading) for p in self.any)
            and all(any(p.search(heading) for p in group) for group in self.also)
            and not any(p.search(heading) for p in self.none)
        )


@dataclass(frozen=True)
class Family:
    kinds: tuple[Kind, ...]
    fallback_kind: str | None = None
    fallback_until: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionKinds:
    families: dict[str, Family]
    not_headings: tuple[re.Pattern[str], ...] = field(default=())


FILE_NAME = "section_kinds.yml"


def default_path() -> Path:
    """The rules directory's own copy, else the one shipped with the package (a rules directory
    made for a test or a site need not repeat the section kinds)."""
    own = rules_dir() / FILE_NAME
    return own if own.exists() else DEFAULT_RULES_DIR / FILE_NAME


@lru_cache(maxsize=8)
def load_section_kinds(path: str | Path | None = None) -> SectionKinds:
    path = Path(path or default_path())
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        raise SectionKindsError(str(exc)) from None
    where = _Where(doc)
    families: dict[str, Family] = {}
    not_headings: tuple[re.Pattern[str], ...] = ()
    for key in where.mapping((), "the file"):
        if key == "not_headings":
            not_headings = tuple(where.pattern(p) for p in where.sequence((key,), key))
        else:
            families[key] = _family(where, key)
    return SectionKinds(families, not_headings)


def _family(where: "_Where", name: str) -> Family:
    at = (name,)
    entries = where.mapping(at, name)
    where.known(at, entries, FAMILY_KEYS, f"report family {name!r}")
    if "kinds" not in entries:
        raise SectionKindsError(f"{where.at(at)}: report family {name!r} has no `kinds:`")
    kinds = tuple(_kind(where, at + ("kinds", k), k) for k in where.mapping(at + ("kinds",), "kinds"))
    names = {k.name for k in kinds}
    fallback = entries.get("fallback_kind")
    if fallback is not None and fallback not in names:
        raise SectionKindsError(f"{where.at(at + ('fallback_kind',))}: "
                                f"fallback_kind {fallback!r} is not a kind of {name!r}")
    until: tuple[str, ...] = ()
    if "fallback_until" in entries:
        for path in where.sequence(at + ("fallback_until",), f"{name}.fallback_until"):
            if where.value(path) not in names:
                raise SectionKindsError(
                    f"{where.at(path)}: fallback_until names {where.value(path)!r}, not a kind of {name!r}")
        until = tuple(entries["fallback_until"])
    return Family(kinds, fallback, until)


def _kind(where: "_Where", at: tuple, name: str) -> Kind:
    entries = where.mapping(at, name)
    where.known(at, entries, KIND_KEYS, f"kind {name!r}")
    if "any" not in entries:
        raise SectionKindsError(f"{where.at(at)}: kind {name!r} needs `any:` (a list of patterns)")

    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        if key not in entries:
            return ()
        return tuple(where.pattern(p) for p in where.sequence(at + (key,), f"{name}.{key}"))

    also = tuple(tuple(where.pattern(p) for p in where.sequence(group, f"{name}.also[]"))
                 for group in where.sequence(at + ("also",), f"{name}.also")) if "also" in entries else ()
    item = entries.get("item")
    if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
        raise SectionKindsError(f"{where.at(at + ('item',))}: `item` of kind {name!r} must be a whole number")
    title = entries.get("title", name)
    return Kind(name, str(title), item, patterns("any"), also, patterns("none"), patterns("folded"))


class _Where:
    """Readers over the parsed file that raise with file:line on every shape mistake."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc

    def at(self, path: tuple) -> str:
        line = self.doc.line(*path)
        return f"{self.doc.file}:{line}" if line else self.doc.file

    def value(self, path: tuple) -> Any:
        data = self.doc.data
        for key in path:
            data = data[key]
        return data

    def mapping(self, path: tuple, what: str) -> dict[str, Any]:
        found = self.value(path)
        if not isinstance(found, dict):
            raise SectionKindsError(f"{self.at(path)}: {what} must be a mapping (key: value lines)")
        return found

    def sequence(self, path: tuple, what: str) -> list[tuple]:
        found = self.value(path)
        if not isinstance(found, list):
            raise SectionKindsError(f"{self.at(path)}: {what} must be a list ([a, b] or '- a' lines)")
        return [path + (i,) for i in range(len(found))]

    def pattern(self, path: tuple) -> re.Pattern[str]:
        text = self.value(path)
        if isinstance(text, (dict, list)) or text is None or not str(text).strip():
            raise SectionKindsError(f"{self.at(path)}: expected a non-empty pattern")
        try:
            return re.compile(str(text))
        except re.error as exc:
            raise SectionKindsError(f"{self.at(path)}: {text!r} is not a valid pattern ({exc})") from None

    def known(self, at: tuple, entries: dict[str, Any], allowed: set[str], what: str) -> None:
        for key in entries:
            if key not in allowed:
                raise SectionKindsError(
                    f"{self.at(at + (key,))}: unknown key {key!r} in {what}; allowed: {', '.join(sorted(allowed))}"
                )
