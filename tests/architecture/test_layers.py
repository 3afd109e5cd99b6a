"""The import graph of the shipped packages points down the layers and has no cycle.

Layers, lowest first: what every stage shares (`govaudit`: located YAML, vocabularies, the
store), the Scrapy project (`crawler`), normalisation, rules, findings history, report, mail,
the orchestration of audits and jobs, and the command line on top. A module may import its
own layer or a lower one; an import that points up, or any cycle between modules (function-
local imports included: hiding an import in a function does not remove the dependency), fails.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("govaudit", "crawler", "audits", "demoportal")

# (module prefix, layer); the longest matching prefix decides.
LAYERS: list[tuple[str, int]] = [
    ("govaudit", 0),
    ("crawler", 1),
    ("audits.defaults", 2), ("audits.normalize", 2),
    ("audits.rules", 3),
    ("audits.history", 4),
    ("audits.report", 5),
    ("audits.mail", 6),
    ("audits.audit", 7), ("audits.schedule", 7), ("audits.api", 7),
    ("audits.commands", 8), ("audits.cli", 8), ("audits", 8),
    ("demoportal", 0),  # stands alone: imports nothing of the project (checked below)
]


def layer(module: str) -> int:
    best = max((p for p, _ in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return dict(LAYERS)[best]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules imported anywhere in the file (function bodies included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` depends on pkg.mod; `from mod import name` on mod
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@functools.cache  # the three tests below read one walk of the source tree
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def test_imports_point_down_the_layers():
    upward = [f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
              for m, targets in graph().items() for t in sorted(targets)
              # a package's __init__ may name its own submodules (re-exports)
              if layer(t) > layer(m) and not t.startswith(m + ".")]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_crawler_and_demo_portal_stand_alone():
    wrong = [f"{m} imports {t}" for m, targets in graph().items() for t in targets
             if (m.startswith("crawler") and t.startswith(("audits", "demoportal")))
             or (m.startswith("demoportal") and not t.startswith("demoportal"))]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    edges = graph()
    # a package's __init__ importing its submodules is not a cycle of code
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in edges.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("module, expected", [
    ("govaudit.yamlsource", 0), ("crawler.spiders.hanweb", 1), ("audits.normalize.figures", 2),
    ("audits.rules.loader", 3), ("audits.report.render", 5), ("audits.cli", 8),
])
def test_layer_table_reads_as_documented(module, expected):
    assert layer(module) == expected
