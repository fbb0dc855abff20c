"""The package's shape, checked from its source: one-way dependencies between the stages, no
import cycles, and no private name reached from another module (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REPO

QA = REPO / "qa"

# Lower layers never import higher ones. A module not listed takes its package's layer.
LAYERS: dict[str, int] = {
    "qa.types": 0, "qa.errors": 0, "qa.text": 0, "qa.models.names": 0, "qa.models.protocols": 0,
    "qa.settings": 1,
    "qa.reader": 2,
    "qa.models": 3,
    "qa.store": 4,
    "qa.retrieval": 5,
    "qa.ingest": 6,
    "qa.answer": 7,
    "qa.assistant": 8,
    "qa.evaluation": 9, "qa.doctor": 9,
    "qa.cli": 10, "qa.ui": 10,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in QA.rglob("*.py")}


def layer(module: str) -> int | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    return None


def qa_imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import of a qa module, lazy
    imports inside functions included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "qa"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "qa":
            names = [a.name for a in node.names]
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in MODULES]
            others = [n for n in names if f"{node.module}.{n}" not in MODULES]
            found += [(s, [], node.lineno) for s in submodules]
            if others or not submodules:
                found.append((node.module, others, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for module in MODULES:
        for target, _, _ in qa_imports(module):
            if target in MODULES and target != module and target != "qa":
                edges[module].add(target)
    return edges


def test_every_module_has_a_layer():
    assert [m for m in MODULES if m != "qa" and layer(m) is None] == []


def test_dependencies_point_down_the_layers():
    wrong = []
    for module in MODULES:
        if module == "qa":
            continue
        for target, _, line in qa_imports(module):
            if target == "qa" or target not in MODULES:
                continue
            same_package = module.split(".")[:2] == target.split(".")[:2]
            if not same_package and layer(target) > layer(module):
                wrong.append(f"{module}:{line} imports {target} (layer {layer(target)} > {layer(module)})")
    assert wrong == []


def test_no_import_cycles():
    edges = graph()
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path else nxt)
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    private = [
        f"{module}: {name} from {target}"
        for module in MODULES
        for target, names, _ in qa_imports(module)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


def test_no_private_attribute_of_another_qa_module_is_used():
    """`alias._name` where alias is a qa module imported here (e.g. `cli._print_json`)."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qa"):
                aliases |= {a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in MODULES}
            elif isinstance(node, ast.Import):
                aliases |= {a.asname for a in node.names if a.asname and a.name.startswith("qa.")}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                found.append(f"{module}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []


@pytest.mark.parametrize("package", sorted({m.split(".")[1] for m in MODULES if m.count(".") >= 2}))
def test_package_init_files_stay_empty(package):
    """A package's __init__ imports no qa module: importing one stage never drags in another."""
    tree = ast.parse((QA / package / "__init__.py").read_text(encoding="utf-8"))
    imported = [a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert [name for name in imported if name.split(".")[0] == "qa"] == []
