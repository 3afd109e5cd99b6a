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

import yaml

from audits.config import DEFAULT_RULES_DIR, rules_dir

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
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SectionKindsError(f"{path}: cannot read section kinds ({exc.strerror})") from None
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise SectionKindsError(f"{path}: not valid YAML: {exc}") from None
    where = _Where(path)
    top = where.mapping(root, "the file")
    families: dict[str, Family] = {}
    not_headings: tuple[re.Pattern[str], ...] = ()
    for key_node, value in top:
        key = key_node.value
        if key == "not_headings":
            not_headings = tuple(where.pattern(n) for n in where.sequence(value, key))
        else:
            families[key] = _family(where, key, value)
    return SectionKinds(families, not_headings)


def _family(where: "_Where", name: str, node: yaml.Node) -> Family:
    entries = dict((k.value, (k, v)) for k, v in where.mapping(node, name))
    where.known(entries, FAMILY_KEYS, f"report family {name!r}")
    if "kinds" not in entries:
        raise SectionKindsError(f"{where.at(node)}: report family {name!r} has no `kinds:`")
    kinds = tuple(_kind(where, k.value, v) for k, v in where.mapping(entries["kinds"][1], "kinds"))
    fallback = None
    if "fallback_kind" in entries:
        key_node, value = entries["fallback_kind"]
        fallback = value.value
        if fallback not in {k.name for k in kinds}:
            raise SectionKindsError(f"{where.at(value)}: fallback_kind {fallback!r} is not a kind of {name!r}")
    until: tuple[str, ...] = ()
    if "fallback_until" in entries:
        nodes = where.sequence(entries["fallback_until"][1], f"{name}.fallback_until")
        for n in nodes:
            if n.value not in {k.name for k in kinds}:
                raise SectionKindsError(f"{where.at(n)}: fallback_until names {n.value!r}, not a kind of {name!r}")
        until = tuple(n.value for n in nodes)
    return Family(kinds, fallback, until)


def _kind(where: "_Where", name: str, node: yaml.Node) -> Kind:
    entries = dict((k.value, (k, v)) for k, v in where.mapping(node, name))
    where.known(entries, KIND_KEYS, f"kind {name!r}")
    if "any" not in entries:
        raise SectionKindsError(f"{where.at(node)}: kind {name!r} needs `any:` (a list of patterns)")

    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        if key not in entries:
            return ()
        return tuple(where.pattern(n) for n in where.sequence(entries[key][1], f"{name}.{key}"))

    also = ()
    if "also" in entries:
        groups = where.sequence(entries["also"][1], f"{name}.also")
        also = tuple(tuple(where.pattern(n) for n in where.sequence(g, f"{name}.also[]")) for g in groups)
    item = None
    if "item" in entries:
        item_node = entries["item"][1]
        if not (isinstance(item_node, yaml.ScalarNode) and item_node.value.isdigit()):
            raise SectionKindsError(f"{where.at(item_node)}: `item` of kind {name!r} must be a whole number")
        item = int(item_node.value)
    title = entries["title"][1].value if "title" in entries else name
    return Kind(name, str(title), item, patterns("any"), also, patterns("none"), patterns("folded"))


class _Where:
    """Node readers that raise with file:line on every shape mistake."""

    def __init__(self, path: Path):
        self.path = path

    def at(self, node: yaml.Node) -> str:
        return f"{self.path}:{node.start_mark.line + 1}"

    def mapping(self, node: yaml.Node | None, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            line = self.at(node) if node is not None else str(self.path)
            raise SectionKindsError(f"{line}: {what} must be a mapping (key: value lines)")
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.value in seen:
                raise SectionKindsError(f"{self.at(key_node)}: {key_node.value!r} appears twice in {what}")
            seen.add(key_node.value)
        return node.value

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise SectionKindsError(f"{self.at(node)}: {what} must be a list ([a, b] or '- a' lines)")
        return node.value

    def pattern(self, node: yaml.Node) -> re.Pattern[str]:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise SectionKindsError(f"{self.at(node)}: expected a non-empty pattern")
        try:
            return re.compile(str(node.value))
        except re.error as exc:
            raise SectionKindsError(f"{self.at(node)}: {node.value!r} is not a valid pattern ({exc})") from None

    def known(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], allowed: set[str], what: str) -> None:
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                raise SectionKindsError(
                    f"{self.at(key_node)}: unknown key {key!r} in {what}; allowed: {', '.join(sorted(allowed))}"
                )
